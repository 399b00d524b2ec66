"""Clock times for the doses of a product whose least time between doses the day's names
cannot show (clinician review 6, D8: four Paralgin forte doses at least 6 hours apart were
labelled Morning, Midday, Afternoon and Evening, while the line above them gave 06, 12, 18
and 24 as an example).

Where the hours come from: taper.plan.dose_clock. Over a longer span than the day's names
show, the plan labels every dose time by the clock instead, on every output, so the labels
and the line agree.
"""

from __future__ import annotations

from dataclasses import dataclass

from taper.guideline.model import Guideline
from taper.plan.dose_clock import AWAKE_HOURS, clock_hours
from taper.plan.model import DoseTimeName, Plan
from taper.render.labels import DOSE_TIMES


@dataclass(frozen=True)
class Clock:
    """One product's doses by the clock: its label's least hours between doses, the most
    doses a day the plan gives it, and one hour a dose in the day's order."""

    brand: str
    hours: int
    times: int
    clock: tuple[int, ...]

    @property
    def span(self) -> int:
        return self.clock[-1] - self.clock[0]

    @property
    def awake(self) -> bool:
        """The doses fit a waking day."""
        return self.span <= AWAKE_HOURS

    @property
    def text(self) -> list[str]:
        """The hours as a patient reads them: "06", "12", "18", "24"."""
        return [f"{hour:02d}" for hour in self.clock]


def _doses_a_day(plan: Plan) -> dict[str, int]:
    """The most dose times a day each product is given at (fixed doses and taper)."""
    used: dict[str, int] = {}
    for step in plan.steps:
        if step.phase not in ("stabilisation", "taper"):
            continue
        for brand in {tablet.brand for dose in step.doses for tablet in dose.tablets}:
            times = sum(1 for dose in step.doses if any(x.brand == brand for x in dose.tablets))
            used[brand] = max(used.get(brand, 0), times)
    return used


def product_times(plan: Plan, guideline: Guideline | None) -> list[tuple[str, int, int]]:
    """(brand, least hours between doses, most doses a day) of each product the plan gives
    whose label sets a least time between doses, in the formulary's order."""
    if guideline is None:
        return []
    used = _doses_a_day(plan)
    out = []
    for product in guideline.formulary:
        regimen = product.regimen
        if product.brand in used and regimen is not None and regimen.min_hours_between_doses:
            out.append((product.brand, regimen.min_hours_between_doses, used[product.brand]))
    return out


def clock_of(plan: Plan, brand: str, hours: int, times: int) -> Clock | None:
    """The product's doses by the clock, where the day's names cannot show them and the plan's
    dose times for it map one to one onto the clock's hours."""
    hours_of_day = clock_hours(times, hours)
    if hours_of_day is None:
        return None
    # Each dose time keeps one hour all through the plan, so a dropped dose leaves the others
    # where they were and every two stay at least `hours` apart.
    if len(_times_of(plan, brand)) != times:
        return None
    return Clock(brand, hours, times, hours_of_day)


def _times_of(plan: Plan, brand: str) -> list[DoseTimeName]:
    """The dose times the plan gives the product at, in the day's order."""
    names = {
        dose.time
        for step in plan.steps
        if step.phase in ("stabilisation", "taper")
        for dose in step.doses
        if any(x.brand == brand for x in dose.tablets)
    }
    return [time for time in DOSE_TIMES if time in names]


def plan_clock(plan: Plan, guideline: Guideline | None) -> dict[DoseTimeName, str]:
    """The plan's dose times by the clock ("morning" -> "06"), from the first product that
    needs them; empty where the day's names show every product's interval."""
    for brand, hours, times in product_times(plan, guideline):
        clock = clock_of(plan, brand, hours, times)
        if clock is None:
            continue
        return dict(zip(_times_of(plan, brand), clock.text, strict=True))
    return {}
