"""A taper rule's slow-down is slower than its reduction.

The slow-down near the end of a taper exists to make the last steps gentler: its `percent` (of
the current dose) is not larger than the reduction's `percent` (for a `start`-mode reduction:
its cut as a share of the current dose where the slow-down begins), its `interval_days` is not
shorter than the reduction's `interval_days`, and its smallest step (`min_step`) is not larger
than the reduction's. Where the slow-down begins below an amount of the reference drug
(`below_reference_amount`), a smallest step counts as its share of that amount. A slow-down
that cuts more, or more often, would speed the end of the taper up.

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

from taper.guideline.checks._pace import (
    main_share,
    percents_in_range,
    round_share,
    slow_downs,
    slow_share,
)
from taper.guideline.checks._util import at, field, find, num
from taper.guideline.findings import Finding
from taper.guideline.model import Guideline, TaperRule
from taper.guideline.yamlstrict import YamlDocument

RULE_ID = "slow-down-slower"


def check(guideline: Guideline, doc: YamlDocument) -> Iterable[Finding]:
    for rule, slow, slow_base in slow_downs(guideline, doc):
        reduction = rule.reduction
        if not percents_in_range(rule, slow):
            continue
        who = at(guideline, slow_base)
        main, slower = main_share(rule), slow_share(rule)
        if main is not None and slower > main:
            what = f"{num(reduction.percent)} %"
            if reduction.mode == "start" and slow.below_percent_of_start is not None:
                what += (
                    f" of the starting dose (that is, of the current dose where the slow-down "
                    f"begins, at {num(slow.below_percent_of_start)} % of the start)"
                )
            if slower != slow.percent or (
                reduction.mode == "current" and main != reduction.percent
            ):
                what += f" (about {num(round_share(main))} % with its smallest step)"
            yield find(
                doc,
                field(doc, slow_base, slow, "percent"),
                RULE_ID,
                f"{who}: the slow-down cuts {num(round_share(slower))} % of the current dose "
                f"where it begins, more than the reduction's {what}; a slow-down must be slower",
            )
        smallest = _smallest_steps(rule)
        if smallest is not None:
            yield find(
                doc,
                field(
                    doc, field(doc, slow_base, slow, "min_step"), slow.min_step, "reference_amount"
                )
                if slow.min_step is not None
                else slow_base,
                RULE_ID,
                f"{who}: the slow-down's smallest step ({num(smallest[0])}) is larger than the "
                f"reduction's ({num(smallest[1])}); a slow-down must be slower",
            )
        if 1 <= slow.interval_days < reduction.interval_days:
            yield find(
                doc,
                field(doc, slow_base, slow, "interval_days"),
                RULE_ID,
                f"{who}: the slow-down's interval ({slow.interval_days} days) is shorter than "
                f"the reduction's ({reduction.interval_days} days); a slow-down must be slower",
            )


def _smallest_steps(rule: TaperRule) -> tuple[Decimal, Decimal] | None:
    """(slow-down's, reduction's) smallest steps when the slow-down's is the larger."""
    slow, main = rule.slow_down, rule.reduction.min_step
    if slow is None or slow.min_step is None or main is None:
        return None
    if slow.min_step.reference_amount > main.reference_amount:
        return slow.min_step.reference_amount, main.reference_amount
    return None
