"""Referral input: the documented discontinuation attempt and the answers to the criteria."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from taper.dose import (
    MedicationInput,
    format_amount,
    parse_amount,
    parse_date,
    parse_medication,
    parse_unit,
)
from taper.equivalence import resolve_drug
from taper.errors import TaperError
from taper.guideline.model import Guideline, Referral

Status = Literal["meets", "does-not-meet", "cannot-tell"]
Answer = Literal["yes", "no"]
Purpose = Literal["attempt", "referral"]

_ANSWER_WORDS: dict[str, Answer] = {
    "yes": "yes",
    "y": "yes",
    "ja": "yes",
    "true": "yes",
    "no": "no",
    "n": "no",
    "nej": "no",
    "nei": "no",
    "false": "no",
}


# --- input --------------------------------------------------------------------------------


@dataclass(frozen=True)
class AttemptText:
    """The attempt as typed: each field one command-line option (None when not given)."""

    start: str | None = None
    end: str | None = None
    dose_from: str | None = None  # "oxazepam 30 mg"
    dose_to: str | None = None  # "20 mg" (or "oxazepam 20 mg", or "0 mg")
    stopped: str | None = None  # why it stopped: "withdrawal symptoms, sleep"

    @property
    def given(self) -> bool:
        return any(
            v is not None
            for v in (self.start, self.end, self.dose_from, self.dose_to, self.stopped)
        )


@dataclass(frozen=True)
class Attempt:
    """A documented discontinuation attempt at the treating unit (dates inclusive)."""

    start: dt.date
    end: dt.date
    drug: str
    drug_name: str
    dose_from: Decimal
    dose_to: Decimal
    unit: str
    stopped: str | None

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


_TO_DOSE = re.compile(
    r"^(?:(?P<drug>.*\S)\s+)?(?P<amount>[-+]?[0-9]*[.,]?[0-9]+)\s*(?P<unit>\S.*)$"
)


def _parse_to_dose(text: str) -> tuple[str | None, Decimal, str]:
    """ "20 mg", "oxazepam 20 mg" or "0 mg" (the attempt may have reached zero)."""
    match = _TO_DOSE.match(" ".join(text.split()))
    if match is None:
        raise TaperError(
            f"--attempt-to {text!r} is not a dose; write the dose reached, e.g. '20 mg'."
        )
    amount = parse_amount(match.group("amount"))
    if amount < 0:
        raise TaperError(
            f"--attempt-to {text!r} is negative; write the dose reached, e.g. '20 mg'."
        )
    return match.group("drug"), amount, parse_unit(match.group("unit"))


def parse_attempt(
    text: AttemptText,
    medications: Sequence[MedicationInput],
    guideline: Guideline,
    today: dt.date,
) -> Attempt | None:
    """The attempt, validated; None when no attempt option was given.

    Refuses (TaperError, one sentence): a missing start, end, from- or to-dose; a date that is
    not YYYY-MM-DD; an end not after the start or after `today`; a to-dose above the from-dose
    or in another unit; a drug that is none of the patient's current medications.
    """
    if not text.given:
        return None
    needed = {
        "--attempt-start": text.start,
        "--attempt-end": text.end,
        "--attempt-from": text.dose_from,
        "--attempt-to": text.dose_to,
    }
    absent = [option for option, value in needed.items() if not (value or "").strip()]
    if absent:
        raise TaperError(
            f"The attempt is incomplete: add {', '.join(absent)} (an attempt needs its start, "
            "end, from-dose and to-dose)."
        )
    start = parse_date(text.start or "", "--attempt-start")
    end = parse_date(text.end or "", "--attempt-end")
    if end <= start:
        raise TaperError(
            f"The attempt ends ({end}) on or before it starts ({start}); check the dates."
        )
    if end > today:
        raise TaperError(
            f"The attempt ends in the future ({end}, today is {today}); give the attempt made "
            "so far."
        )
    before = parse_medication(text.dose_from or "", guideline)
    drug = resolve_drug(before.drug_name, guideline)
    to_drug, to_amount, to_unit = _parse_to_dose(text.dose_to or "")
    if to_drug is not None and resolve_drug(to_drug, guideline).id != drug.id:
        raise TaperError(
            f"--attempt-to names {to_drug!r} but the attempt started on {before.drug_name!r}: "
            "give the dose reached of the same drug."
        )
    if to_unit != before.dose.unit:
        raise TaperError(
            f"The attempt's to-dose is in {to_unit} but its from-dose is in {before.dose.unit}; "
            "use the same unit."
        )
    if to_amount > before.dose.amount:
        raise TaperError(
            f"The attempt's to-dose ({format_amount(to_amount)} {to_unit}) is higher than its "
            f"from-dose ({format_amount(before.dose.amount)} {to_unit}); an attempt lowers the "
            "dose."
        )
    current = {resolve_drug(m.drug_name, guideline).id for m in medications}
    if drug.id not in current:
        raise TaperError(
            f"The attempt was with {before.drug_name!r}, which is not among the --med "
            "medications; give the drug the attempt was made with as a --med too."
        )
    stopped = " ".join((text.stopped or "").split()) or None
    label = drug.display.en if drug.display is not None else drug.id
    return Attempt(start, end, drug.id, label, before.dose.amount, to_amount, to_unit, stopped)


def require_referral(guideline: Guideline) -> Referral:
    if guideline.referral is None or not guideline.referral.criteria:
        raise TaperError(
            f"Guideline {guideline.id} has no referral criteria, so there is nothing to check "
            "a referral against."
        )
    return guideline.referral


def parse_answers(texts: Sequence[str], referral: Referral) -> dict[str, Answer]:
    """`--answer ID=yes|no` (also ja/nej/nei), for the rule file's question and exclusion
    criteria; an unknown id, an attempt criterion or two different answers are refused."""
    answerable = [c.id for c in referral.criteria if c.kind != "attempt-required"]
    attempts = {c.id for c in referral.criteria if c.kind == "attempt-required"}
    answers: dict[str, Answer] = {}
    for raw in texts:
        key, sep, value = raw.partition("=")
        key, value = key.strip(), value.strip().lower()
        if not sep or not key:
            raise TaperError(f"--answer {raw!r} is not ID=yes or ID=no.")
        if key in attempts:
            raise TaperError(
                f"Criterion {key!r} is the discontinuation attempt: give it with the "
                "--attempt-* options, not --answer."
            )
        if key not in answerable:
            known = ", ".join(answerable) or "none"
            raise TaperError(
                f"Unknown criterion {key!r} in --answer; this guideline asks: {known}."
            )
        if value not in _ANSWER_WORDS:
            raise TaperError(f"--answer {raw!r}: answer yes or no.")
        answer = _ANSWER_WORDS[value]
        if answers.get(key, answer) != answer:
            raise TaperError(f"Criterion {key!r} is answered both yes and no.")
        answers[key] = answer
    return answers
