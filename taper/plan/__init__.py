"""Making TUB-model plans: `make_plan(medications, guideline, options) -> Plan`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from taper.dose import MedicationInput
from taper.errors import TaperError
from taper.guideline.loader import LoadedGuideline
from taper.plan.model import Plan


@dataclass(frozen=True)
class Pause:
    """Hold the dose of the step that is current on `on` for `days` more days."""

    on: dt.date
    days: int


@dataclass(frozen=True)
class PlanOptions:
    start: dt.date
    lang: str | None = None  # None: the guideline's language
    switch: bool | None = None  # None: as the rules say
    percent: Decimal | None = None  # slower than the rule only
    interval_days: int | None = None  # longer than the rule only
    pauses: tuple[Pause, ...] = ()
    specialist: bool = False
    # Replanning: the patient's actual current daily doses (drug text → dose), as of `start`.
    replan: bool = False
    extra: dict[str, str] = field(default_factory=dict)


def make_plan(
    medications: list[MedicationInput], loaded: LoadedGuideline, options: PlanOptions
) -> Plan:
    raise TaperError("Planning is not available yet.")
