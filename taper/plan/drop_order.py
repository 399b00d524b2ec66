"""The order in which a drug's dose times are dropped as its dose falls: the rule's
`drop_order` over the day's names, or, for doses given by the clock, the one that keeps the
doses left spread over the 24 hours (`taper.plan.dose_clock`)."""

from __future__ import annotations

from taper.guideline.model import TaperRule
from taper.plan.dose_clock import clock_hours, spread_drop_ranks
from taper.plan.model import DoseTimeName
from taper.plan.tablets import Kit


def drop_ranks(rule: TaperRule, times: tuple[DoseTimeName, ...]) -> tuple[int, ...] | None:
    """Each dose time's place in the rule's `drop_order` (dropped first: lowest); None for
    the default (the earliest in the day first). Times the order does not name go last: the
    ones between the first and the last of them first, then the first, the last kept longest,
    so the doses left stay spread over the day (`[midday, afternoon]` on morning, midday,
    evening and bedtime keeps morning and bedtime, not evening and bedtime)."""
    if not rule.drop_order:
        return None
    order: dict[str, int] = {name: i for i, name in enumerate(rule.drop_order)}
    unnamed = [i for i, name in enumerate(times) if name not in order]
    if len(unnamed) > 2:
        unnamed = [*unnamed[1:-1], unnamed[0], unnamed[-1]]
    rank = {i: len(order) + k for k, i in enumerate(unnamed)}
    return tuple(order[name] if name in order else rank[i] for i, name in enumerate(times))


def clock_drop_ranks(kit: Kit, times: tuple[DoseTimeName, ...]) -> tuple[int, ...] | None:
    """The drop order of doses given by the clock (a least time between doses longer than the
    day's names show, taper.plan.dose_clock): the ones left stay spread over the 24 hours,
    whatever the rule's `drop_order` says of the day's names (None: not such a kit)."""
    least = [
        p.regimen.min_hours_between_doses
        for p in kit.products
        if p.regimen is not None and p.regimen.min_hours_between_doses
    ]
    hours = clock_hours(len(times), max(least)) if least else None
    return None if hours is None else spread_drop_ranks(hours)
