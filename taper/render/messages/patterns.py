"""How a sentence is read: a piece is an English pattern and its msgid; the patterns' parts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache


def N_(msgid: str) -> str:
    """Mark a msgid for extraction; it is translated where it is shown."""
    return msgid


def NP_(singular: str, plural: str) -> tuple[str, str]:
    """Mark a plural msgid for extraction (its count is the piece's `count` group)."""
    return singular, plural


@dataclass(frozen=True)
class Piece:
    """One sentence (or clause) the planner writes: its English pattern and its msgid."""

    source: str  # the regular expression
    msgid: str
    plural: str | None = None  # the plural msgid, chosen by the `count` group's number

    @property
    def pattern(self) -> re.Pattern[str]:
        # Compiled on first use (cached): compiling all of them costs ~10 ms of every start,
        # and an English sheet, or a plan without notes, needs none.
        return _compile(self.source)


@cache
def _compile(source: str) -> re.Pattern[str]:
    return re.compile(source)


def piece(pattern: str, msgid: str | tuple[str, str]) -> Piece:
    if isinstance(msgid, tuple):
        return Piece(pattern, *msgid)
    return Piece(pattern, msgid)


AMOUNT = r"-?\d+(?:\.\d+)?"
DOSE = rf"{AMOUNT} [^\s,;:()]+"  # 2.5 mg · 25 mcg/h
ID = r"[^\s,;:()]+"
NAMES = rf"{ID}(?:, {ID})+"  # drug ids: oxycodone, hydromorphone
# "1 step of oxazepam (step 11)", "3 steps of oxazepam (steps 4, 6, 8)" (taper.plan.cut_lists
# `steps_of`); "step(s)" as plans saved before nurse review 8 say it.
STEPS_OF = rf"(?P<count>\d+) step(?:s|\(s\))? of (?P<drug>{ID}) \(steps? (?P<steps>\d+(?:, \d+)*)\)"

LIQUID = (
    rf"(?P<brand>.+?) (?P<concentration>{DOSE}) \(oral solution, measured with "
    r"(?P<device>an oral syringe|a dropper)\)"
)
# Depot tablets topped up with their oral solution (taper.plan.topup).
TOPPED_UP = rf"(?P<depot>.+?) \(modified release\) topped up with {LIQUID}"
