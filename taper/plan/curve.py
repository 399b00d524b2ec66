"""The target curve of one drug's taper: the reductions a pace gives, tablet-true.

`trajectory` is a pure function of the kit, the dose times, the pace and the start dose; it
knows nothing of the calendar or of other drugs (the builder places its steps).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from taper.errors import TaperError
from taper.plan.decimals import tidy, to_decimal
from taper.plan.dosetimes import mixes_parts_at, next_vector, tail_quanta
from taper.plan.holds import capped_hold, hold_intervals, stops_without_hold
from taper.plan.patches import whole_patch_days
from taper.plan.rules import Pace
from taper.plan.step_floors import NO_FLOORS, StepFloors
from taper.plan.tablets import Kit

# Beyond this many reductions of one drug a plan is refused rather than printed: it is almost
# surely a wrong dose or a far too slow speed, and no patient can follow it.
MAX_STEPS_PER_DRUG = 400
# Beyond this many days at one dose before a forced cut a plan is refused the same way (a
# project plausibility limit: e.g. --percent 0.001 held a 12 mcg/h patch for 3,800 years).
MAX_HOLD_DAYS = 3 * 365
# A cut the products force beyond a rule's smallest step by at most half that step is not
# held (it is listed on the clinician page as larger than the rule's step); a larger one is
# forced (project choice, issue 15; no source gives it: README "Pace per region, from the
# sources").
SMALLEST_STEP_ROUNDING = Fraction(3, 2)


def check_hold(drug: str, days: int) -> None:
    """Refuse a hold before a forced cut longer than `MAX_HOLD_DAYS`."""
    if days > MAX_HOLD_DAYS:
        raise TaperError(
            f"The taper of {drug} would hold one dose for {days} days before a cut the "
            f"tablets or patches force (more than {MAX_HOLD_DAYS}); check the dose, or choose "
            "a faster speed the rules allow."
        )


def slow_start(p: Pace, base: Fraction) -> Fraction | None:
    """The dose below which pace `p` slows down: its share of the start dose `base`."""
    return None if p.slow_below is None else base * p.slow_below / 100


def step_aim(
    p: Pace, current: Fraction, base: Fraction, slow_from: Fraction | None
) -> tuple[Fraction, Fraction, int]:
    """One step of pace `p` from `current`: the ideal dose after it, the largest cut the rule
    allows, and the step's interval (the slow-down's below `slow_from`)."""
    if slow_from is not None and current < slow_from:
        assert p.slow_percent is not None
        assert p.slow_rule_percent is not None
        assert p.slow_interval_days is not None
        return (
            current * (1 - p.slow_percent / 100),
            current * p.slow_rule_percent / 100,
            p.slow_interval_days,
        )
    if p.mode == "current":
        return current * (1 - p.percent / 100), current * p.max_percent / 100, p.interval_days
    # Linear: each step cuts the same share of the start dose (from the dose the tablets
    # actually reached, so rounding never adds up to a faster taper).
    return current - base * p.percent / 100, base * p.max_percent / 100, p.interval_days


def intervals_to_reach(
    p: Pace, kit: Kit, current: Fraction, dose: Fraction, allowed: Fraction, slowing: bool
) -> int:
    """The intervals the rule's pace takes from `current` down to `dose` (a cut the products
    force): the cut over the largest cut a step allows; for a patch whose rule cuts a share of
    the current dose, the share taken again each interval, since a straight line there would
    run ahead of the rule (clinician review 7: us-cdc-2022 fentanyl 25 cut to 12 after five
    months of 10 % a month, which reaches 12 only in the seventh). Tablets keep the straight
    line: their holds end at the rule's longest run at one dose (`taper.plan.holds`)."""
    share_of_current = slowing or p.mode == "current"
    if not (kit.patch and share_of_current):
        return math.ceil((current - dose) / allowed)
    keep = 1 - allowed / current
    if keep <= 0:
        return 1
    intervals, reached = 1, current * keep
    while reached > dose:
        intervals, reached = intervals + 1, reached * keep
    return intervals


@dataclass(frozen=True)
class TaperStep:
    """One reduction: the new daily dose (quanta), the rule's ideal, and how long it lasts."""

    quanta: int
    ideal: Decimal
    deviation: Decimal
    limited: bool  # the cut is larger than the rule allows (tablet strengths)
    interval: int
    # Extra intervals the dose before a forced large cut is held, so that the average rate
    # stays within the rule (ceil(cut / allowed) intervals in all).
    hold: int = 0
    # The dose at each dose time (quanta, in the order of the day); () for a stop.
    per_time: tuple[int, ...] = ()
    # The hold was cut short at the rule's longest run at one dose (`taper.plan.holds`): the
    # average rate over the held dose and the cut is faster than the rule.
    capped: bool = False
    # The cut is larger than the rule's step (its percent, or its smallest step as the
    # products make it) though within the largest it allows: listed on the clinician page.
    beyond_step: bool = False
    # The cut is larger than the rule's share (its percent) because of its smallest step,
    # though within the rule: listed on the clinician page (clinician review 4, D10).
    above_share: bool = False
    # In the slow-down, a dose time takes a part tablet beside another strength (½ x 5 mg +
    # ½ x 2 mg) because no dose within the rule's largest cut avoids it on these tablets: an
    # oral solution that makes the step is taken instead (`FormulationMixin.steps_on`;
    # clinician review 4, D5). Above the slow-down the tablets keep it (a solution there
    # would mean tens of ml a day).
    mixed: bool = False


_TRAJECTORIES: dict[tuple[object, ...], tuple[TaperStep, ...]] = {}


def trajectory(
    kit: Kit,
    times: int,
    p: Pace,
    start: int,
    base: Fraction,
    drug: str,
    min_used: int = 1,
    vector: tuple[int, ...] | None = None,
    stop_quanta: int | None = None,
    drop: tuple[int, ...] | None = None,
    floors: StepFloors = NO_FLOORS,
    *,
    shed: bool = True,
) -> tuple[TaperStep, ...]:
    """The reductions from `start` quanta to zero under a pace, each dose at `min_used` dose
    times or more (pure; cached, since many patients share a drug, a dose and a rule).

    `floors`: the rule's smallest steps in the drug's unit (`taper.plan.step_floors`; none
    with a chosen --percent): a cut is never smaller than the smallest step (but the last
    one, to zero), and a cut the products force up to half a step beyond it is within the
    rule, so it is not held.

    A long-acting drug the rule names in `fewer_dose_times` sheds its dose times below the
    rule's amount at one dose time (`dosetimes.tail_quanta`; `shed=False`: not so). It keeps
    the daily doses of even sharing (`_as_evenly`): only how a day's dose is shared changes."""
    tail = tail_quanta(p.rule, drug, kit) if shed else None
    key = (
        kit.key,
        times,
        min_used,
        start,
        base,
        p.mode,
        p.percent,
        p.interval_days,
        p.max_percent,
        p.slow_below,
        p.slow_percent,
        p.slow_interval_days,
        p.slow_rule_percent,
        hold_intervals(p),
        vector,
        stop_quanta,
        drop,
        floors,
        tail,
    )
    cached = _TRAJECTORIES.get(key) if kit.key is not None else None
    if cached is not None:
        return cached
    evenly: tuple[TaperStep, ...] | None = None
    if tail is not None and vector is not None:
        evenly = trajectory(
            kit,
            times,
            p,
            start,
            base,
            drug,
            min_used,
            vector,
            stop_quanta,
            drop,
            floors,
            shed=False,
        )
    slow_from = floors.slow_from
    if slow_from is None:
        slow_from = slow_start(p, base)
    out: list[TaperStep] = []
    quanta = start
    while quanta > 0:
        current = Fraction(kit.amount(quanta))
        slowing = slow_from is not None and current < slow_from
        ideal, allowed, interval = step_aim(p, current, base, slow_from)
        share_cut = current - max(ideal, Fraction(0))  # the rule's share, before its floor
        smallest = floors.floor(slowing)
        if smallest is not None:
            # At least the source's smallest step (the last step, to zero, may be less).
            # Where the products cannot make it, the dose above it is taken while the cut is
            # still at least half that step (`Kit.step_window`): 2 -> 1.6 -> 1.2 mg where an
            # oral solution measures 0.2 mg and the step is 0.5 mg, never 2 -> 1.4 -> 0.8
            # (clinician review 4, D4: low doses go more slowly, formulations.md §5).
            ideal = min(ideal, current - smallest)
            allowed = max(allowed, smallest * SMALLEST_STEP_ROUNDING)
        ideal = max(ideal, Fraction(0))
        # The rule's own step here: its percent or its smallest step; a cut beyond it (not a
        # stop) is listed on the clinician page.
        step_cut = current - ideal
        before = quanta
        quanta = kit.next_below(quanta, ideal, times, min_used)
        if quanta == 0 and stop_quanta is not None and before > stop_quanta:
            # No stop from above the rule's stop dose: first down to the largest dose at or
            # below it that the tablets make (the stop follows one interval later).
            quanta = next(
                (q for q in range(stop_quanta, 0, -1) if kit.makeable(q, times, min_used)), 0
            )
        if vector is not None:
            shared = None
            if evenly is not None and len(out) < len(evenly):
                quanta = evenly[len(out)].quanta
                shared = _as_evenly(kit, vector, quanta, min_used, drop, tail)
            if shared is not None:
                vector = shared
            else:
                # The tail cannot share the even path's dose: it goes its own way from here.
                evenly = None
                quanta, vector = _shared_dose(
                    kit, vector, quanta, before, ideal, allowed, min_used, drop, tail
                )
        dose = kit.amount(quanta)
        ideal_dec = to_decimal(ideal)
        cut = current - Fraction(dose)
        limited = cut > allowed
        beyond = dose > 0 and not limited and cut > step_cut
        hold = 0
        if limited and allowed > 0:
            if dose > 0:
                hold = intervals_to_reach(p, kit, current, Fraction(dose), allowed, slowing) - 1
            elif (
                stops_without_hold(kit, p.rule.drug_class)
                and stop_quanta is not None
                and before <= stop_quanta
            ):
                # A stop from the rule's stop dose is within the rule (se-vgr fentanyl 12
                # mcg/h was held 84 days, Butrans 5 mcg/h 175, one Tylenol #3 91 days before
                # the stop). A plan that starts there tapers one interval at it before the stop.
                hold = 0 if out else 1
            else:
                # A stop is measured against one full step from the start dose: a stop from
                # a small remainder (the usual end of a taper) is not held, one from a large
                # share of the start dose is, as any other forced large cut.
                top = p.max_percent
                share = base * top / 100
                hold = max(0, math.ceil(cut / share) - 1) if share > 0 else 0
        if slow_from is not None and dose < slow_from and p.slow_interval_days is not None:
            # A step whose dose is below the slow-down threshold lasts the slow interval.
            interval = p.slow_interval_days
        # A patch strength changes only with a new patch (whole patches a step).
        interval = whole_patch_days(kit, interval)
        previous = out[-1].interval if out else interval
        wanted = hold
        hold = capped_hold(wanted, previous, p, kit)
        out.append(
            TaperStep(
                quanta,
                ideal_dec,
                tidy(dose - ideal_dec),
                limited,
                interval,
                hold * previous,
                vector if vector is not None and quanta else (),
                hold < wanted,
                beyond,
                dose > 0 and not limited and not beyond and cut > share_cut,
                slowing and vector is not None and dose > 0 and mixes_parts_at(kit, vector),
            )
        )
        check_hold(drug, hold * previous)
        if len(out) > MAX_STEPS_PER_DRUG:
            raise TaperError(
                f"The taper of {drug} would need more than {MAX_STEPS_PER_DRUG} "
                "steps; check the dose, or choose a faster speed the rules allow."
            )
    result = tuple(out)
    if kit.key is not None:
        if len(_TRAJECTORIES) > 50_000:
            _TRAJECTORIES.clear()
        _TRAJECTORIES[key] = result
    return result


def _as_evenly(
    kit: Kit,
    vector: tuple[int, ...],
    quanta: int,
    min_used: int,
    drop: tuple[int, ...] | None,
    tail: int | None,
) -> tuple[int, ...] | None:
    """`quanta`, the daily dose even sharing reached at this step, shared with the tail (the
    dose time dropped first takes the cut), else evenly from `vector`, with no part tablet
    beside another strength; None if neither can."""
    for below in (tail, None):
        shared = next_vector(kit, vector, quanta, min_used, drop, below)
        if shared is not None and (quanta == 0 or not mixes_parts_at(kit, shared)):
            return shared
    return None


def _shared_dose(
    kit: Kit,
    vector: tuple[int, ...],
    quanta: int,
    before: int,
    ideal: Fraction,
    allowed: Fraction,
    min_used: int,
    drop: tuple[int, ...] | None,
    tail: int | None = None,
) -> tuple[int, tuple[int, ...]]:
    """The daily dose the dose times can share (no time rises, a dropped time never returns)
    nearest `quanta`: a dose they cannot share so is first replaced by the next one up in the
    rule's window (`Kit.step_window`: a smaller cut, never one beyond the rule's ideal), and
    only then lowered (clinician review 2, no-02 step 14: 12 -> 10 mg as 4 + 4 + 2, not 8)."""
    shared = next_vector(kit, vector, quanta, min_used, drop, tail)
    if shared is not None and (quanta == 0 or not mixes_parts_at(kit, shared)):
        return quanta, shared
    lowest, highest = kit.step_window(before, ideal)
    if shared is not None:
        # A part tablet beside another strength at one dose time (½ x 5 mg + ½ x 2 mg)
        # gives way to the nearest dose that needs none (clinician review 4, D5): within the
        # rule's step first, else a cut at most half a step larger and within the rule's
        # largest (listed on the clinician page); never a much larger cut for it.
        current = Fraction(kit.amount(before))
        most = min(allowed, (current - ideal) * SMALLEST_STEP_ROUNDING)
        floor = max(kit.quanta_ceil(current - most), 1)
        above = range(max(lowest, 1), highest + 1)
        below = range(min(lowest, before) - 1, floor - 1, -1)
        for candidate in (*above, *below):
            clean = next_vector(kit, vector, candidate, min_used, drop, tail)
            if clean is not None and not mixes_parts_at(kit, clean):
                return candidate, clean
        return quanta, shared
    for candidate in range(max(quanta + 1, lowest, 1), highest + 1):
        shared = next_vector(kit, vector, candidate, min_used, drop, tail)
        if shared is not None:
            return candidate, shared
    while shared is None and quanta > 0:
        quanta -= 1
        shared = next_vector(kit, vector, quanta, min_used, drop, tail)
    return quanta, shared if shared is not None else (0,) * len(vector)
