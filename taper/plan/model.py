"""A tapering plan as data: what the planner makes and every renderer reads.

All doses are `Decimal` daily amounts with an explicit unit; dates are calendar dates in the
region's time zone; step end dates are inclusive. Warnings carry a stable `code` so renderers
can translate them; `message` is the English text.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Phase = Literal["mapping", "stabilisation", "switch", "taper", "aftercare"]
CheckpointKind = Literal["support", "dose-change", "aftercare", "evaluation"]
# "patch": a transdermal patch worn continuously (its dose is a delivery rate, mcg/h).
DoseTimeName = Literal["morning", "midday", "afternoon", "evening", "bedtime", "patch"]


class PlanModel(BaseModel):
    # Built on first validation or serialisation: a text plan never needs the validators
    # (the planner builds its models without validation), so it does not pay for them.
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class GuidelineStamp(PlanModel):
    id: str
    version: str
    sha256: str
    title: str


class LiquidMeasure(PlanModel):
    """How a liquid dose is measured: its concentration, the device, and the volume (oral
    syringe) or the drops (dropper). The mg of the dose are `TabletCount.count` x `strength`."""

    mg_per_ml: Decimal
    device: Literal["oral-syringe", "dropper"]
    ml: Decimal | None = None  # with an oral syringe
    drops: Decimal | None = None  # with a dropper (the product's own mg per drop)
    mg_per_drop: Decimal | None = None


class TabletCount(PlanModel):
    """`count` tablets of one strength; count may be 0.5 or 0.25 where the product allows.

    A liquid (`liquid` set): `count` is the volume in ml and `strength` the mg per ml (oral
    syringe), or `count` the drops and `strength` the product's mg per drop (dropper); so
    `count` x `strength` is always the mg of the dose."""

    brand: str
    strength: Decimal
    unit: str
    count: Decimal
    modified_release: bool = False
    # A patch: worn this many hours, then replaced by a new one (its label's interval).
    change_hours: int | None = None
    liquid: LiquidMeasure | None = Field(default=None, exclude_if=lambda value: value is None)

    @property
    def mg(self) -> Decimal:
        return self.count * self.strength


class DoseAtTime(PlanModel):
    time: DoseTimeName
    amount: Decimal
    tablets: list[TabletCount]


class Step(PlanModel):
    index: int
    phase: Phase
    start: dt.date
    end: dt.date  # inclusive
    drug: str
    dose: Decimal  # daily total (patches: mcg/h)
    unit: str
    doses: list[DoseAtTime]
    ideal: Decimal | None = None  # the rule's ideal dose before rounding to real tablets
    pause: bool = False
    note: str | None = None
    # dose - ideal: how far real tablets put this step off the rule's ideal curve
    deviation: Decimal | None = None
    # The cut into this step is larger than the rule allows because the formulary's tablets
    # cannot make a smaller one (a warning on the plan says so).
    tablet_limited: bool = False
    # Held steady (phase "stabilisation") while this other drug is switched or tapered.
    held_for: str | None = None
    # Stopped because it was replaced by this drug (switch to a long-acting agent).
    replaced_by: str | None = None

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


class Checkpoint(PlanModel):
    date: dt.date
    kind: CheckpointKind
    title: str
    content: list[str] = []  # content ids from the rule file's checkpoint catalogue
    drug: str | None = None


class PlanWarning(PlanModel):
    code: str
    severity: Literal["info", "caution", "high"]
    message: str
    drug: str | None = None
    # Values in the message, for renderers that translate by `code` (all as display strings).
    params: dict[str, str] = {}


class Dispense(PlanModel):
    """Tablets to dispense for one step (whole tablets, rounded up where halves are used).

    An oral solution (`measure` "ml"): `tablets` is the whole ml and `strength` the mg per
    ml; drops (`measure` "drops"): the drops and the product's mg per drop."""

    step: int
    drug: str
    brand: str
    strength: Decimal
    unit: str
    tablets: Decimal
    measure: Literal["ml", "drops"] | None = Field(
        default=None, exclude_if=lambda value: value is None
    )


class MedicationLine(PlanModel):
    text: str
    drug: str
    amount: Decimal
    unit: str
    route: str


class AppliedRule(PlanModel):
    """A taper rule as applied to one drug, after the user's options (--percent, --interval)."""

    rule: str
    title: str
    drug: str
    mode: Literal["current", "start"]
    percent: Decimal
    interval_days: int
    slow_below_percent_of_start: Decimal | None = None
    slow_percent: Decimal | None = None
    slow_interval_days: int | None = None
    # The rule's smallest steps and absolute slow-down threshold in the drug's unit a day
    # (taper/plan/step_floors.py); absent when the rule gives none or --percent was chosen.
    min_step: Decimal | None = Field(default=None, exclude_if=lambda value: value is None)
    slow_min_step: Decimal | None = Field(default=None, exclude_if=lambda value: value is None)
    slow_below_amount: Decimal | None = Field(default=None, exclude_if=lambda value: value is None)
    doses_per_day: int
    base: Decimal  # the dose the taper starts from (mode "start": percentages are of this)
    unit: str
    switched_from: list[str] = []


class Plan(PlanModel):
    guideline: GuidelineStamp
    tool_version: str
    language: Literal["sv", "nb", "en"]
    timezone: str
    start: dt.date
    medications: list[MedicationLine]
    rule_ids: list[str]
    steps: list[Step]
    checkpoints: list[Checkpoint]
    warnings: list[PlanWarning]
    dispensing: list[Dispense]
    last_dose_date: dt.date | None
    unverified: list[str] = []  # parameters used that no source gives (project choices)
    specialist_signoff: bool = False
    applied_rules: list[AppliedRule] = []
    replan: bool = False  # the rest of a plan from the patient's current dose (no mapping)
