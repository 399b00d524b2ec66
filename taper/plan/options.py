"""What a user may ask of a plan (within what the rules allow)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from taper.dose import MedicationInput


@dataclass(frozen=True)
class Pause:
    """Hold the dose of the step that is current on `on` for `days` more days."""

    on: dt.date
    days: int


@dataclass(frozen=True)
class PlanOptions:
    """Options for `make_plan`. Every one may only make a plan slower or more careful than the
    rules; a request the rules do not allow is refused (TaperError), never quietly changed."""

    start: dt.date  # first day of the plan (a replan: the day of the current dose)
    lang: str | None = None  # None: the guideline's language
    switch: bool | None = None  # None: as the rules say; True/False: --switch/--no-switch
    percent: Decimal | None = None  # reduction per step; at most the rule's max_percent
    interval_days: int | None = None  # days per step; at least the rule's min_interval_days
    pauses: tuple[Pause, ...] = ()
    specialist: bool = False  # a specialist has signed off (substitution drugs, high doses)
    rule: str | None = None  # --rule ID: another taper rule that matches the drug
    # Replanning: the medications are the patient's actual current daily doses on `start`;
    # no mapping or stabilisation, no switch unless `switch` is True.
    replan: bool = False
    # Replanning a rule of mode "start": the original starting doses (the percent base).
    originals: tuple[MedicationInput, ...] = ()
