"""How a sentence is read: a piece is an English pattern and its msgid; the patterns' parts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache


def N_(msgid: str) -> str:
    """Mark a msgid for extraction; it is translated where it is shown."""
    return msgid


@dataclass(frozen=True)
class Piece:
    """One sentence (or clause) the planner writes: its English pattern and its msgid."""

    source: str  # the regular expression
    msgid: str

    @property
    def pattern(self) -> re.Pattern[str]:
        # Compiled on first use (cached): compiling all of them costs ~10 ms of every start,
        # and an English sheet, or a plan without notes, needs none.
        return _compile(self.source)


@cache
def _compile(source: str) -> re.Pattern[str]:
    return re.compile(source)


def piece(pattern: str, msgid: str) -> Piece:
    return Piece(pattern, msgid)


AMOUNT = r"-?\d+(?:\.\d+)?"
DOSE = rf"{AMOUNT} [^\s,;:()]+"  # 2.5 mg · 25 mcg/h
ID = r"[^\s,;:()]+"
NAMES = rf"{ID}(?:, {ID})+"  # drug ids: oxycodone, hydromorphone

LIQUID = (
    rf"(?P<brand>.+?) (?P<concentration>{DOSE}) \(oral solution, measured with "
    r"(?P<device>an oral syringe|a dropper)\)"
)
# Depot tablets topped up with their oral solution (taper.plan.topup).
TOPPED_UP = rf"(?P<depot>.+?) \(modified release\) topped up with {LIQUID}"
