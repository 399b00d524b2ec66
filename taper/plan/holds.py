"""The longest run at one dose (issue 15: a hold is the last resort).

A rule's `max_hold_intervals` (default three) times its longest step interval (the slow-down
interval when it has one, so the last steps of a taper may run that long) is the most days a
taper stays at one dose. A cut the tablets force to be larger than the rule's step is held
before at most so long: a longer hold would not make the cut smaller (review finding: oxazepam
5 mg held 105 days under se-vgr), so the cut comes then, with a high warning naming the
product that would avoid it.
"""

from __future__ import annotations

from taper.plan.rules import Pace

# The longest run at one dose, in intervals, when a rule does not say (issue 15).
DEFAULT_HOLD_INTERVALS = 3


def hold_intervals(p: Pace) -> int:
    """The rule's longest run at one dose, in intervals."""
    setting = p.rule.max_hold_intervals
    return DEFAULT_HOLD_INTERVALS if setting is None else setting.value


def longest_run_days(p: Pace) -> int:
    """The most days a taper stays at one dose under `p`."""
    return hold_intervals(p) * max(p.interval_days, p.slow_interval_days or 0)


def capped_hold(wanted: int, step_days: int, p: Pace) -> int:
    """The extra intervals (of `step_days`) a dose is held before a forced cut: `wanted` (so
    that the average rate stays within the rule), but never a run longer than the rule's
    longest run at one dose."""
    room = longest_run_days(p) // step_days - 1 if step_days > 0 else 0
    return max(0, min(wanted, room))
