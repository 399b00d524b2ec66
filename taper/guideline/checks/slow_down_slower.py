"""A taper rule's slow-down is slower than its reduction.

The slow-down near the end of a taper exists to make the last steps gentler: its `percent` (of
the current dose) is not larger than the reduction's `percent` (for a `start`-mode reduction:
its cut as a share of the current dose where the slow-down begins), and its `interval_days`
is not shorter than the reduction's `interval_days`. A slow-down that cuts more, or more
often, would speed the end of the taper up.

Passing:

```yaml
    reduction: {mode: current, percent: 10, interval_days: 14, source: rmr}
    slow_down: {below_percent_of_start: 25, percent: 5, interval_days: 21, source: rmr}
```

Failing (50 % every 3 days is faster than 10 % every 14 days):

```yaml
    reduction: {mode: current, percent: 10, interval_days: 14, source: rmr}
    slow_down: {below_percent_of_start: 25, percent: 50, interval_days: 3, source: rmr}
```
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from taper.guideline.checks._util import at, field, find, num, walk
from taper.guideline.findings import Finding
from taper.guideline.model import Guideline, TaperRule
from taper.guideline.yamlstrict import YamlDocument

RULE_ID = "slow-down-slower"


def _reduction_share_of_current(rule: TaperRule) -> Decimal:
    """The reduction's cut as a share of the current dose where the slow-down begins.

    The slow-down's percent is of the current dose. A `start`-mode reduction cuts a share of
    the starting dose, which is a larger share of the current dose once the dose has fallen
    (10 % of the start is a third of a dose at 30 % of the start).
    """
    reduction, slow = rule.reduction, rule.slow_down
    if reduction.mode == "current" or slow is None or slow.below_percent_of_start <= 0:
        return reduction.percent
    return reduction.percent * 100 / slow.below_percent_of_start


def check(guideline: Guideline, doc: YamlDocument) -> Iterable[Finding]:
    for base, obj in walk(doc, guideline):
        if not isinstance(obj, TaperRule) or obj.slow_down is None:
            continue
        slow, reduction = obj.slow_down, obj.reduction
        percents = (reduction.percent, slow.percent, slow.below_percent_of_start)
        if not all(0 < p <= 100 for p in percents):
            continue  # percent-range reports these; a comparison would only repeat it
        slow_base = field(doc, base, obj, "slow_down")
        who = at(guideline, slow_base)
        if slow.percent > _reduction_share_of_current(obj):
            what = f"{num(reduction.percent)} %"
            if reduction.mode == "start":
                what += (
                    f" of the starting dose (that is, of the current dose where the slow-down "
                    f"begins, at {num(slow.below_percent_of_start)} % of the start)"
                )
            yield find(
                doc,
                field(doc, slow_base, slow, "percent"),
                RULE_ID,
                f"{who}: the slow-down cuts {num(slow.percent)} % of the current dose, more "
                f"than the reduction's {what}; a slow-down must be slower",
            )
        if 1 <= slow.interval_days < reduction.interval_days:
            yield find(
                doc,
                field(doc, slow_base, slow, "interval_days"),
                RULE_ID,
                f"{who}: the slow-down's interval ({slow.interval_days} days) is shorter than "
                f"the reduction's ({reduction.interval_days} days); a slow-down must be slower",
            )
