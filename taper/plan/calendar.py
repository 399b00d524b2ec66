"""Plans in days and plans in dates: the `Skeleton` the builder makes, and `dated`.

Everything the planner works out is in days from the start; `dated` gives a skeleton its
dates (the aftercare end in calendar months, checkpoints moved off weekends, dose changes
moved off weekends and public holidays: `change_days`). Also the
calendar bounds of a plan and the plausibility check of pieces at one dose time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from taper import __version__
from taper.aftercare import add_period, build_checkpoints
from taper.dose import format_amount
from taper.errors import TaperError
from taper.guideline.model import DrugClass, Guideline, Lang
from taper.plan.change_days import (
    ChangeDays,
    change_days,
    closed_days,
    patch_move_days,
    redispense,
)
from taper.plan.dose_time_kit import MAX_TABLETS_PER_DOSE
from taper.plan.fast import constructor, copy_with, from_values, trusted
from taper.plan.model import (
    AppliedRule,
    Dispense,
    GuidelineStamp,
    MedicationLine,
    Plan,
    PlanWarning,
    Step,
)
from taper.plan.options import PlanOptions

# Calendar bounds of a plan: earlier or later dates are surely typing errors, and plan dates
# must stay far from the end of Python's calendar (year 9999).
EARLIEST_START = dt.date(1900, 1, 1)
LATEST_END = dt.date(9000, 1, 1)

_plan = constructor(Plan)
_copy_with = copy_with


@dataclass(frozen=True, slots=True)
class Placed:
    """A step without dates: its first day and length in days from the plan start (`days`
    None: aftercare, which lasts until a calendar date)."""

    step: Step  # with placeholder dates; never part of a plan (copies with dates are)
    offset: int
    days: int | None


@dataclass(frozen=True, eq=False)
class Skeleton:
    """A plan without its dates: what the planner works out in days from the start.

    Nothing here depends on the start date, so patients with the same rule file, medications
    and options share one (see `_PLAN_MEMO`). Read-only: `dated` copies what it puts in a
    plan, so no plan can change another plan or this skeleton.
    """

    guideline: Guideline
    stamp: GuidelineStamp
    language: Lang
    placed: tuple[Placed, ...]
    last: int  # the last dose day (days from the start); -1: no dose is taken
    aftercare_minimum: str | None  # the rule file's minimum aftercare period (None: 1 day)
    classes: frozenset[DrugClass]
    reported: dict[str, Decimal]  # drug id -> the daily dose taken now (read-only)
    medications: tuple[MedicationLine, ...]
    rule_ids: tuple[str, ...]
    warnings: tuple[PlanWarning, ...]
    dispensing: tuple[Dispense, ...]
    unverified: tuple[str, ...]
    specialist: bool
    applied_rules: tuple[AppliedRule, ...]
    replan: bool
    tablets_problem: str | None  # a dose needing implausibly many tablets (refused)
    # drug id -> its rule's longest days between support talks (`talk_every_days`)
    talk_gaps: tuple[tuple[str, int], ...] = ()


def dated(skeleton: Skeleton, start: dt.date) -> Plan:
    """The plan of a skeleton starting on `start`: step dates, the aftercare end (calendar
    months) and the checkpoints (weekends) are worked out here. Raises OverflowError past
    the end of the calendar."""
    last = skeleton.last
    placed = skeleton.placed
    moves = _change_days(skeleton, start)
    if moves:
        # Step starts on closed days move on (see `change_days`): every offset through the
        # map, each end the day before the next offset, so no step gets shorter.
        placed = tuple(
            Placed(
                p.step,
                moves.shift(p.offset),
                None if p.days is None else moves.shift(p.offset + p.days) - moves.shift(p.offset),
            )
            for p in placed
        )
        if last >= 0:
            last = moves.shift(last + 1) - 1
    last_date = start + dt.timedelta(days=last) if last >= 0 else None
    if skeleton.aftercare_minimum is not None and last_date is not None:
        aftercare_end = add_period(last_date, skeleton.aftercare_minimum)
    else:
        aftercare_end = start + dt.timedelta(days=last + 1)
    steps: list[Step] = []
    for item in placed:
        first = start + dt.timedelta(days=item.offset)
        end = aftercare_end if item.days is None else first + dt.timedelta(days=item.days - 1)
        steps.append(from_values(Step, {**item.step.__dict__, "start": first, "end": end}))
    checkpoints = build_checkpoints(
        skeleton.guideline,
        steps,
        set(skeleton.classes),
        start,
        last_date,
        skeleton.reported,
        dict(skeleton.talk_gaps),
    )
    if checkpoints:
        # Aftercare lasts at least until the last checkpoint.
        latest = max(c.date for c in checkpoints)
        steps = [
            _copy_with(s, end=latest) if s.phase == "aftercare" and s.end < latest else s
            for s in steps
        ]
    return _plan(
        guideline=skeleton.stamp,
        tool_version=__version__,
        language=skeleton.language,
        timezone=skeleton.guideline.timezone,
        start=start,
        medications=list(skeleton.medications),
        rule_ids=list(skeleton.rule_ids),
        steps=steps,
        checkpoints=checkpoints,
        warnings=[_copy_with(w, params=dict(w.params)) for w in skeleton.warnings]
        + ([] if moves is None else [_moved_warning(moves)]),
        dispensing=(
            redispense(skeleton.dispensing, _grown(skeleton.placed, steps))
            if moves
            else list(skeleton.dispensing)
        ),
        last_dose_date=last_date,
        unverified=list(skeleton.unverified),
        specialist_signoff=skeleton.specialist,
        applied_rules=[
            _copy_with(a, switched_from=list(a.switched_from)) for a in skeleton.applied_rules
        ],
        replan=skeleton.replan,
    )


def _grown(planned: tuple[Placed, ...], steps: list[Step]) -> dict[int, Step]:
    """The steps a moved change made longer than planned, by number (only their dispensing
    can change: the others keep the skeleton's)."""
    return {
        step.index: step
        for step, item in zip(steps, planned, strict=True)
        if item.days is not None and step.days > item.days
    }


def _moved_warning(moves: ChangeDays) -> PlanWarning:
    """Said on the plan: a moved change holds the dose before it longer than the rule's
    interval (never a clinical parameter changed silently)."""
    count, longest = moves.moved()
    if count == 1:
        moved = "1 dose change falls on a weekend or public holiday and begins"
    else:
        moved = f"{count} dose changes fall on a weekend or public holiday and begin"
    held = "a day" if longest == 1 else f"up to {longest} days"
    # Made as the builder makes every warning: validating it would build PlanWarning's
    # validator on a one-patient plan (~3 ms of start-up) for values made here.
    return trusted(
        PlanWarning,
        code="change-moved",
        severity="info",
        message=(
            f"{moved} on the next working day. The dose before is taken {held} longer than planned."
        ),
        drug=None,
        params={"count": str(count), "days": str(longest)},
    )


def _change_days(skeleton: Skeleton, start: dt.date) -> ChangeDays | None:
    """Where the skeleton's step starts move to avoid closed days (None: nowhere; a plan
    with a patch moves by whole patch intervals, a weekly patch not at all, see
    `change_days`)."""
    every = patch_move_days(p.step for p in skeleton.placed)
    if every is None:
        return None
    moves = change_days(
        (p.offset for p in skeleton.placed), start, closed_days(skeleton.guideline), every
    )
    return moves if moves else None


def check_start(options: PlanOptions) -> None:
    """The first day within the dates plans support (a replan starts on its --on day)."""
    if not EARLIEST_START <= options.start < LATEST_END:
        flag = "--on" if options.replan else "--start"
        raise TaperError(
            f"{flag} {options.start.isoformat()} is outside the dates plans support "
            f"(from {EARLIEST_START.year} until before {LATEST_END.year})."
        )


def tablets_per_dose_problem(placed: list[Placed]) -> str | None:
    """Doses that need implausibly many tablets at one time (a project limit): the refusal."""
    seen: set[int] = set()  # steps share dose lists: check each list once
    for item in placed:
        step = item.step
        if id(step.doses) in seen:
            continue
        seen.add(id(step.doses))
        for dose in step.doses:
            count = sum((t.count for t in dose.tablets), Decimal(0))
            if count > MAX_TABLETS_PER_DOSE:
                return (
                    f"{format_amount(step.dose)} {step.unit} of {step.drug} a day needs "
                    f"{format_amount(count)} tablets at one dose time, more than this tool's "
                    f"plausibility limit of {MAX_TABLETS_PER_DOSE}; check the dose and unit."
                )
    return None
