"""Dose changes on working days: a step that would begin on a weekend or a public holiday of
the rule file's country begins on the next working day instead.

The planner works in days from the start (`Placed` offsets); `ChangeDays.shift` maps an
offset to its day in the dated plan. The map never goes back and never skips less than a
day per day, so every step keeps at least its planned length: a later dose change only holds
the dose before it a day or a few longer (a weekend, Easter, Christmas), never shortens a
hold and never makes a reduction steeper. The plan's first day stays where the prescriber put
it. Which days are closed comes from `ClinicDays` (the contacts' rule: weekends and the
`holidays` library, imported on first need). A plan with a patch moves by whole patch
intervals (a fentanyl change due on a Sunday comes on the Wednesday, with one more patch of
the strength before): a patch cannot be worn a day beyond its label's interval (clinician
review 6, D2). A weekly patch keeps its dates: a week later is the same weekday.
"""

from __future__ import annotations

import datetime as dt
import math
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from itertools import pairwise

from taper.clinic_days import ClinicDays
from taper.guideline.model import Guideline
from taper.plan.fast import copy_with
from taper.plan.model import Dispense, Step
from taper.plan.patches import patches_for


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


# A move by whole patch intervals is tried this often before a change keeps its day: a
# 72-hour patch reaches a working day within three moves (a weekend, Easter, Christmas).
MOST_PATCH_MOVES = 4


def patch_move_days(steps: Iterable[Step]) -> int | None:
    """The days a dose change moves at a time: 1, or the patch's wear interval in a plan with
    a patch (all patches' intervals at once); None where a move cannot reach another weekday
    (a weekly patch) or an interval is not whole days."""
    hours = {t.change_hours for s in steps for d in s.doses for t in d.tablets if t.change_hours}
    if any(h % 24 for h in hours):
        return None
    every = math.lcm(*(h // 24 for h in hours)) if hours else 1
    return None if every % 7 == 0 else every


def change_days(
    starts: Iterable[int], start: dt.date, closed: ClinicDays, every: int = 1
) -> ChangeDays:
    """Each step start after the plan's first day, in order, moved on to an open day in
    moves of `every` days (a patch's wear interval); a later start moves at least as far as
    an earlier one (the steps between keep their length)."""
    bounds = tuple(sorted({s for s in starts if s > 0}))
    delays = []
    delay = 0
    for offset in bounds:
        more = 0
        while closed.closed(start + dt.timedelta(days=offset + delay + more)):
            more += every
            if every > 1 and more > every * MOST_PATCH_MOVES:
                more = 0  # no working day within reach: the change keeps its day
                break
        delay += more
        delays.append(delay)
    return ChangeDays(bounds, tuple(delays))


def moved_past(end: dt.date, closed: ClinicDays, every: int = 1) -> int:
    """The days a step ending on `end` may have been lengthened by: the closed days right
    before the next step's first day, in moves of `every` days (an upper bound; for checks
    of the planner's limits)."""
    first = end + dt.timedelta(days=1)
    moves = 0
    while closed.closed(first - dt.timedelta(days=every * (moves + 1))):
        moves += 1
    return moves * every


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
        worn = [
            (t.count, t.change_hours)
            for dose in step.doses
            for t in dose.tablets
            if t.change_hours and (t.brand, t.strength) == (d.brand, d.strength)
        ]
        if worn:
            # A patch is counted by the patches the longer step wears, not by the day.
            count, hours = worn[0]
            patches = count * patches_for(step.days, hours)
            out.append(d if patches <= d.tablets else copy_with(d, tablets=patches))
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
