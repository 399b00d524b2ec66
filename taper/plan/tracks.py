"""A drug's course through a plan: its track of segments (steps) in days from the start.

A `Track` holds one drug's kit (the formulary's products), its rule, its dose times and the
dose it is at now; a `Seg` is one step of it. Dose times are named in the order of the day.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from taper.guideline.model import Drug, TaperRule
from taper.plan.labels import interval_doses
from taper.plan.model import (
    DoseAtTime,
    DoseTimeName,
    Phase,
)
from taper.plan.rules import Pace
from taper.plan.tablets import Kit

TIME_ORDER: dict[DoseTimeName, int] = {
    "morning": 0,
    "midday": 1,
    "afternoon": 2,
    "evening": 3,
    "bedtime": 4,
    "patch": 5,
}
TIMES_OF_DAY: dict[int, tuple[DoseTimeName, ...]] = {
    2: ("morning", "evening"),
    3: ("morning", "midday", "evening"),
    4: ("morning", "midday", "afternoon", "evening"),
}
BEDTIME_GROUPS = {"hypnotic", "z-drug"}


def time_names(count: int, *, bedtime: bool, patch: bool) -> tuple[DoseTimeName, ...]:
    """Names of a day's dose times: one dose is taken at bedtime for hypnotics and z-drugs,
    in the morning otherwise; patches are worn continuously."""
    if patch:
        return ("patch",)
    if count == 1:
        return ("bedtime",) if bedtime else ("morning",)
    return TIMES_OF_DAY[count]


@dataclass(eq=False)
class Seg:
    """One step of one drug, in days from the plan start; `days` None: open (runs on at 0)."""

    phase: Phase
    start: int
    days: int | None
    amount: Decimal
    doses: list[DoseAtTime]
    ideal: Decimal | None = None
    deviation: Decimal | None = None
    pause: bool = False
    note: str | None = None
    tablet_limited: bool = False
    # A cut larger than the rule's step, within its largest (`TaperStep.beyond_step`).
    beyond_step: bool = False
    # A cut larger than the rule's share by its smallest step (`TaperStep.above_share`).
    above_share: bool = False
    # A tablet cut larger than the rule's, kept instead of an oral solution (formulation.py).
    kept_tablets: bool = False
    held_for: str | None = None
    replaced_by: str | None = None


@dataclass(eq=False)
class Track:
    """One drug's course through the plan."""

    drug: Drug
    kit: Kit
    rule: TaperRule
    times: tuple[DoseTimeName, ...]
    order: int
    text: str = ""
    reported: Decimal | None = None  # the daily dose as given (None: a switch target)
    segs: list[Seg] = field(default_factory=list)
    quanta: int = 0  # current daily dose in the kit's quanta
    per_time: dict[DoseTimeName, int] = field(default_factory=dict)
    started: bool = False
    done: bool = False
    switch_to: Track | None = None
    sources: list[str] = field(default_factory=list)
    pace: Pace | None = None
    base: Decimal | None = None  # dose the taper starts from
    taper_start: int | None = None
    stop_day: int | None = None
    original: Decimal | None = None  # replan: the original starting dose (mode "start")
    # A dose below anything the tablets make: kept as taken now until the drug's stop.
    loose: Decimal | None = None
    # Evening out could not make the dose within one step: the taper's first reduction cuts
    # from the loose dose to this dose (quanta of `kit`; taper/plan/evening.py).
    first_cut: int | None = None
    held_days: int = 0  # days added before forced large cuts (see Builder.hold_before_cut)
    # Forced large cuts whose hold stopped at the rule's longest run at one dose (holds.py).
    capped_cuts: int = 0
    # Dose times as the medication list gave them (taper/plan/as_written.py).
    given: tuple[tuple[DoseTimeName, Decimal], ...] = ()
    # The stop at the rule's stop dose that replaced a tail, and which (taper/plan/stop_end.py).
    ended: Literal["formulation", "fewer-times"] | None = None

    @property
    def amount(self) -> Decimal:
        if self.loose is not None:
            return self.loose
        return self.kit.amount(self.quanta)

    @property
    def unit(self) -> str:
        return self.kit.unit

    def doses(self) -> list[DoseAtTime]:
        if self.loose is not None:
            return []
        items = list(self.per_time.items())
        if len(items) > 1:
            items.sort(key=lambda kv: TIME_ORDER[kv[0]])
        return self.kit.doses_at(items)

    @property
    def min_used(self) -> int:
        """Dose times every taper dose must keep. A depot (modified-release) opioid that the
        rule gives two or more times a day is never given once a day: such tablets are made
        for 12-hourly use (Norsk legemiddelhåndbok: morphine depot tablets "10–30 mg × 2–3",
        clinical-facts-2 §4.2), and one a day leaves about half the day uncovered. Hypnotics
        (one bedtime dose) and other drugs may drop a dose time near the end. A product whose
        label gives its interval (`regimen.interval_hours`) keeps the doses a day it implies."""
        if self.kit.modified_release and not self.kit.patch:
            fixed = interval_doses(self.kit.products)
            if fixed is not None:
                return min(fixed, len(self.times))
        if (
            self.drug.drug_class == "opioid"
            and self.kit.modified_release
            and not self.kit.patch
            and len(self.times) >= 2
        ):
            return 2
        return 1

    def set_split(self, quanta: int) -> None:
        split = self.kit.split(quanta, len(self.times))
        if split is None:  # pragma: no cover - callers pass makeable doses only
            raise ValueError(f"{quanta} quanta of {self.drug.id} cannot be split")
        self.quanta = quanta
        self.per_time = {name: q for name, q in zip(self.times, split.amounts, strict=True) if q}
