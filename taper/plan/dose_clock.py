"""Doses by the clock: the hours of a product's doses when its least time between doses is
longer than the day's names can show, and the order in which such doses are dropped.

The day's names (morning, midday, afternoon, evening) hold doses spread over at most 12
hours (co-codamol, 4 hours apart: 08, 12, 16 and 20). Over a longer span the doses are given
by the clock (`clock_hours`; the sheet labels them so, taper.render.clock). A waking day is
07 to 23 (16 hours, project choice): a span that fits starts at 07; a longer one ends at 24,
at bedtime, and starts none before 06 (project choice).

As a taper drops such doses, the ones left stay spread over the 24 hours
(`spread_drop_ranks`): Paralgin forte at 06, 12, 18 and 24 keeps 12 and 24 when two are left,
not 06 and 24 with 18 hours between them (clinician review 8).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

# The longest span of doses the day's names still show (hours).
NAMES_SPAN = 12
# A waking day (project choice): its first hour and its length.
WAKE = 7
AWAKE_HOURS = 16
# A day that cannot hold the doses awake ends them at 24 and starts none before 06.
LAST = 24
EARLIEST = 6
DAY = 24


def clock_hours(times: int, hours: int) -> tuple[int, ...] | None:
    """Hours for `times` doses `hours` apart, or None where the day's names show them (or no
    day holds them)."""
    span = (times - 1) * hours
    if times < 2 or span <= NAMES_SPAN or LAST - span < EARLIEST:
        return None
    first = WAKE if span <= AWAKE_HOURS else LAST - span
    return tuple(first + n * hours for n in range(times))


def _longest_gap(hours: Sequence[int]) -> int:
    """The longest time between two doses in a day of `hours`, round the clock."""
    if len(hours) < 2:
        return DAY
    gaps = [b - a for a, b in itertools.pairwise(hours)]
    return max([*gaps, DAY - hours[-1] + hours[0]])


def spread_drop_ranks(hours: Sequence[int]) -> tuple[int, ...]:
    """Each dose's rank in the order doses are dropped (lowest first): each time the one whose
    loss leaves the shortest longest gap, the earlier on a tie; the last dose of the day, at
    bedtime, is kept longest."""
    left = list(range(len(hours)))
    rank = [0] * len(hours)
    for n in range(len(hours) - 1):
        choices = left[:-1]  # the bedtime dose goes last

        def gap_without(i: int) -> int:
            return _longest_gap([hours[j] for j in left if j != i])

        drop = min(choices, key=lambda i: (gap_without(i), i))
        rank[drop] = n
        left.remove(drop)
    rank[left[0]] = len(hours) - 1
    return tuple(rank)
