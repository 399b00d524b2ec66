"""Reads a planner's sentence piece by piece and says it in the reader's language.

A message is translated when it is read, piece by piece, from beginning to end by the patterns
of its kind (`notes`, the warning tables). Values taken from a sentence are shown the reader's
way: drug ids become the region's drug names, doses get the reader's decimal comma ("2,5 mg"),
dates are written out.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from taper.guideline.model import Guideline
from taper.render.i18n import Texts
from taper.render.messages.clauses import (
    ALLOWED,
    DEVICE,
    FORMER,
    HINT,
    PIECES,
    RELEASE,
    SIGNOFF_REASONS,
    TOTAL,
)
from taper.render.messages.notes import NOTES, PATCH_NOTES
from taper.render.messages.patterns import AMOUNT, N_, Piece, piece
from taper.render.messages.start_warnings import START_WARNINGS
from taper.render.messages.step_warnings import STEP_WARNINGS
from taper.render.messages.switch_warnings import SWITCH_WARNINGS

# Warnings by code (or code prefix, before the colon), each read as a run of pieces.
WARNINGS: dict[str, tuple[Piece, ...]] = {**START_WARNINGS, **STEP_WARNINGS, **SWITCH_WARNINGS}
# A warning that a specialist signed off, for one of `SIGNOFF_REASONS` or a threshold.
_SIGNOFF = "Specialist sign-off given: "
_SIGNED_OFF = N_("Specialist sign-off given: %(reason)s.")
# A threshold's detail after the rule file's own text.
_THRESHOLD_DETAIL = piece(
    rf" \(total (?P<total>[^;()]+); threshold (?P<above>{AMOUNT})\)\.",
    N_("(total %(total)s; threshold %(above)s)"),
)
# The same for a threshold whose wording is inclusive ("50 MME/day or more").
_THRESHOLD_DETAIL_INCLUSIVE = piece(
    rf" \(total (?P<total>[^;()]+); threshold (?P<above>{AMOUNT}) or more\)\.",
    N_("(total %(total)s; threshold %(above)s or more)"),
)
_CLASSES = {
    "benzodiazepine/z-drug": N_("benzodiazepine/z-drug"),
    "opioid": N_("opioid"),
}
# Sub-clauses read with their own pieces, by the name of the group that holds them.
_NESTED: dict[str, tuple[Piece, ...]] = {
    "allowed": ALLOWED,
    "device": DEVICE,
    "former": FORMER,
    "pieces": PIECES,
    "hint": HINT,
    "reason": SIGNOFF_REASONS,
    "total": TOTAL,
}
# Warnings with a date, read in English too so that the date is written out.
_DATED = frozenset({"pause-whole-patches"})
_DRUGS = frozenset({"drug", "target", "reference"})
_DOSES = frozenset({"dose", "smallest", "reported", "made", "concentration", "measure"})
_NUMBERS = frozenset({"percent", "above"})
_SHARE = re.compile(rf"(\d+): ({AMOUNT}) %")


class Reader:
    """Translates the planner's sentences for one reader (language, region's drug names)."""

    def __init__(self, t: Texts, guideline: Guideline | None) -> None:
        self.t = t
        self.guideline = guideline
        self.names: dict[str, str] = {}
        self.thresholds: dict[str, tuple[str, str]] = {}  # id → (English text, reader's text)
        if guideline is not None:
            for drug in guideline.drugs:
                if drug.display is not None:
                    self.names[drug.id] = drug.display.get(t.lang)
                    self.names.setdefault(drug.display.en, drug.display.get(t.lang))
            for th in guideline.thresholds:
                self.thresholds[th.id] = (th.message.en, th.message.get(t.lang))
        # The rule file's notes on drugs (warning code "drug-note:DRUG:NOTE"), in its own words.
        self.drug_notes: dict[str, str] = {
            f"drug-note:{drug.id}:{note.id}": note.text.get(t.lang)
            for drug in (guideline.drugs if guideline is not None else [])
            for note in drug.clinician_notes
        }

    def note(self, text: str, *, patch: bool = False) -> str:
        """A step note in the reader's language (English readers get it as written, but a
        patch's note in a patch's words)."""
        if patch:
            return self.read(text, PATCH_NOTES) or text
        if self.t.lang == "en":
            return text
        return self.read(text, NOTES) or text

    def warning(self, code: str, text: str) -> str | None:
        """A warning's message in the reader's language; None when it does not read."""
        if self.t.lang == "en" and code not in _DATED:
            return text
        if text.startswith(_SIGNOFF):
            reason = text[len(_SIGNOFF) : -1] if text.endswith(".") else None
            if reason is None:
                return None
            said = self.read(reason, SIGNOFF_REASONS) or self.threshold(code, reason + ".")
            if said is None:
                return None
            return self.t._(_SIGNED_OFF, reason=said.rstrip("."))
        if code.startswith("threshold:"):
            return self.threshold(code, text)
        if code.startswith("drug-note:"):
            return self.drug_notes.get(code)
        pieces = WARNINGS.get(code.split(":", 1)[0])
        return None if pieces is None else self.read(text, pieces)

    def threshold(self, code: str, text: str) -> str | None:
        """A threshold warning: the rule file's own text in the reader's language."""
        if not code.startswith("threshold:"):
            return None
        known = self.thresholds.get(code.split(":", 1)[1])
        if known is None or not text.startswith(known[0]):
            return None
        english, own = known
        rest = text[len(english) :]
        if rest in ("", "."):
            return own
        for detail in (_THRESHOLD_DETAIL, _THRESHOLD_DETAIL_INCLUSIVE):
            found = detail.pattern.fullmatch(rest)
            values = None if found is None else self.values(found)
            if values is not None:
                return f"{own.rstrip('.')} {self.t._(detail.msgid, **values)}."
        return None

    def read(self, text: str, pieces: tuple[Piece, ...]) -> str | None:
        """`text` read from start to end as pieces separated by single spaces; None if not."""
        out: list[str] = []
        position = 0
        while position < len(text):
            if out:
                if text[position] != " ":
                    return None
                position += 1
            for candidate in pieces:
                found = candidate.pattern.match(text, position)
                if found is None or found.end() == position:
                    continue
                values = self.values(found)
                if values is None:
                    continue
                if candidate.plural is None:
                    out.append(self.t._(candidate.msgid, **values))
                else:  # "1 steg" / "3 steg": the language's own plural, by the count
                    count = 1 if found["count"] == "once" else int(found["count"])
                    out.append(self.t.ngettext(candidate.msgid, candidate.plural, count, **values))
                position = found.end()
                break
            else:
                return None
        return " ".join(out) if out else None

    def values(self, found: re.Match[str]) -> dict[str, object] | None:
        """The values of a matched piece, shown the reader's way; None if one does not read."""
        values: dict[str, object] = {}
        for name, raw in found.groupdict().items():
            if raw is None:
                values[name] = ""
                continue
            shown = self.value(name, raw)
            if shown is None:
                return None
            values[name] = shown
        return values

    def value(self, name: str, raw: str) -> str | None:
        t = self.t
        if name in _NESTED:
            return self.read(raw, _NESTED[name])
        if name == "target" and raw == "the switch":
            return t._(N_("the switch"))
        if name in _DRUGS:
            return self.names.get(raw, raw)
        if name == "shares":
            # "7: 12.5 %; 8: 14.3 %": each share the reader's way (12,5 %).
            return _SHARE.sub(lambda m: f"{m[1]}: {t.number(Decimal(m[2]))} %", raw)
        if name == "names":
            return ", ".join(self.names.get(n, n) for n in raw.split(", "))
        if name in _DOSES:
            number, unit = raw.split(" ", 1)
            amount = _decimal(number)
            return None if amount is None else t.amount(amount, unit)
        if name in _NUMBERS:
            amount = _decimal(raw)
            return None if amount is None else t.number(amount)
        if name == "date":
            return t.date(dt.date.fromisoformat(raw))
        if name == "class":
            return t._(_CLASSES[raw])
        if name == "kind":
            return t._(RELEASE[raw])
        return raw  # ids, counts of days, product names: shown as written


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text)
    except InvalidOperation:
        return None
