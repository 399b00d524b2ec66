"""Dose changes on working days: a step that would begin on a weekend or a public holiday of
the rule file's country begins on the next working day instead.

The planner works in days from the start (`Placed` offsets); `ChangeDays.shift` maps an
offset to its day in the dated plan. The map never goes back and never skips less than a
day per day, so every step keeps at least its planned length: a later dose change only holds
the dose before it a day or a few longer (a weekend, Easter, Christmas), never shortens a
hold and never makes a reduction steeper. The plan's first day stays where the prescriber put
it. Which days are closed comes from `ClinicDays` (the contacts' rule: weekends and the
`holidays` library, imported on first need). Plans with a patch keep their dates: a patch
change cannot wait a day beyond the patch's wear interval.
"""

from __future__ import annotations

import datetime as dt
import math
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from itertools import pairwise

from taper.aftercare import ClinicDays
from taper.guideline.model import Guideline
from taper.plan.fast import copy_with
from taper.plan.model import Dispense, Step


def closed_days(guideline: Guideline) -> ClinicDays:
    """The days a dose change is not made on: the days the rule file's contacts avoid
    (`checkpoints.avoid_weekends`; weekends and public holidays when there is no section)."""
    checkpoints = guideline.checkpoints
    enabled = True if checkpoints is None else checkpoints.avoid_weekends
    return ClinicDays(enabled, guideline.country, guideline.holiday_subdivision)


@dataclass(frozen=True)
class ChangeDays:
    """Offsets from the plan start moved past closed days: `shift(offset)`."""

    bounds: tuple[int, ...]  # offsets where a step begins (after the first day), ascending
    delays: tuple[int, ...]  # the days each of those (and everything after it) moves on

    def shift(self, offset: int) -> int:
        at = bisect_right(self.bounds, offset)
        return offset + (self.delays[at - 1] if at else 0)

    def __bool__(self) -> bool:
        return any(self.delays)

    def moved(self) -> tuple[int, int]:
        """How many dose changes moved on, and the most days one of them moved."""
        steps = [after - before for before, after in pairwise((0, *self.delays))]
        return sum(1 for s in steps if s), max(steps, default=0)


def change_days(starts: Iterable[int], start: dt.date, closed: ClinicDays) -> ChangeDays:
    """Each step start after the plan's first day, in order, moved on to an open day; a later
    start moves at least as far as an earlier one (the steps between keep their length)."""
    bounds = tuple(sorted({s for s in starts if s > 0}))
    delays = []
    delay = 0
    for offset in bounds:
        while closed.closed(start + dt.timedelta(days=offset + delay)):
            delay += 1
        delays.append(delay)
    return ChangeDays(bounds, tuple(delays))


def moved_past(end: dt.date, closed: ClinicDays) -> int:
    """The closed days a step ending on `end` may have been lengthened by: those right
    before the next step's first day (an upper bound; for checks of the planner's limits)."""
    days = 0
    while closed.closed(end - dt.timedelta(days=days)):
        days += 1
    return days


def redispense(dispensing: Iterable[Dispense], steps: dict[int, Step]) -> list[Dispense]:
    """Dispensing for steps that grew: the same tablets a day, for the step's new length."""
    # Not at the top: review imports calendar, which imports this module.
    from taper.plan.review import daily_counts

    out = []
    for d in dispensing:
        step = steps.get(d.step)
        if step is None:
            out.append(d)
            continue
        per_day = next(
            (
                count
                for brand, strength, count, measure in daily_counts(step.doses)
                if (brand, strength, measure) == (d.brand, d.strength, d.measure)
            ),
            Decimal(0),
        )
        tablets = Decimal(math.ceil(per_day * step.days))
        out.append(d if tablets <= d.tablets else copy_with(d, tablets=tablets))
    return out
