"""The longest run at one dose (issue 15: a hold is the last resort).

A rule's `max_hold_intervals` (default three) times its longest step interval (the slow-down
interval when it has one, so the last steps of a taper may run that long) is the most days a
taper stays at one dose. A cut the tablets force to be larger than the rule's step is held
before at most so long: a longer hold would not make the cut smaller (review finding: oxazepam
5 mg held 105 days under se-vgr), so the cut comes then, with a high warning naming the
product that would avoid it.

A patch is the exception: its marketed strengths make the cut and no product of the same
route makes a smaller one, so a hold that ended at the limit made the taper faster than the
rule (clinician review 6, D1: uk-ashton fentanyl 25 mcg/h stopped after 75 days against the
rule's 20 weeks). A patch's dose before a forced cut is held as long as the rule's average
pace needs; the run is longer than the limit, so the plan carries the high warning.
"""

from __future__ import annotations

from taper.plan.patches import whole_patch_days
from taper.plan.rules import Pace
from taper.plan.tablets import Kit

# The longest run at one dose, in intervals, when a rule does not say (issue 15).
DEFAULT_HOLD_INTERVALS = 3


def hold_intervals(p: Pace) -> int:
    """The rule's longest run at one dose, in intervals."""
    setting = p.rule.max_hold_intervals
    return DEFAULT_HOLD_INTERVALS if setting is None else setting.value


def longest_run_days(p: Pace, kit: Kit | None = None) -> int:
    """The most days a taper stays at one dose under `p`: its intervals are whole patch
    changes for a patch (`kit`), so a 14-day rule runs 3 x 15 days of 72-hour patches, not
    42 days, which left room for only one 15-day hold (clinician review 5: uk-ashton fentanyl
    25 mcg/h cut to 12 after 15 days at a rule allowing 42)."""
    longest = max(p.interval_days, p.slow_interval_days or 0)
    return hold_intervals(p) * (longest if kit is None else whole_patch_days(kit, longest))


def stops_without_hold(kit: Kit, drug_class: str) -> bool:
    """Whether a stop from the rule's stop dose follows one interval at it, with no longer
    hold and no high warning: a patch or an opioid, whose smallest piece held longer is no
    smaller (clinician reviews 7 and 9, D7). A benzodiazepine keeps its slow end: its last
    part is the hardest (clinical-facts.md §6.4)."""
    return kit.patch or drug_class == "opioid"


def capped_hold(wanted: int, step_days: int, p: Pace, kit: Kit | None = None) -> int:
    """The extra intervals (of `step_days`) a dose is held before a forced cut: `wanted` (so
    that the average rate stays within the rule), but never a run longer than the rule's
    longest run at one dose, unless the dose is a patch (see above)."""
    if kit is not None and kit.patch:
        return max(0, wanted)
    room = longest_run_days(p, kit) // step_days - 1 if step_days > 0 else 0
    return max(0, min(wanted, room))
