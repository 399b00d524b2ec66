"""A taper rule's slow-down is slower than its main pace, per day.

`slow-down-slower` compares a slow-down's step and its interval one at a time; this check
compares their pace: the share of the current dose the slow-down takes away per day must be
smaller than the share the reduction takes away per day where the slow-down begins. For a
`current`-mode reduction that share is its `percent`; for a `start`-mode reduction it is its
cut as a share of the dose there (10 % of the start is a third of a dose at 30 % of the start).
Where the slow-down begins below an amount of the reference drug, a smallest step (`min_step`)
counts as its share of that amount (1 mg steps are 20 % of 5 mg diazepam).
A slow-down of 20 % every 14 days after 10 % every 7 days (current mode) only spreads the same
pace over longer steps: the end of the taper is no gentler.

Passing (10 % of the start weekly, then 10 % of the current dose weekly below 30 % of the
start: about 33 % of the dose a week, then 10 %):

```yaml
    reduction: {mode: start, percent: 10, interval_days: 7, source: cdc-2022}
    slow_down: {below_percent_of_start: 30, percent: 10, interval_days: 7, source: cdc-2022}
```

Failing (10 % every 14 days, then the same 10 % every 14 days):

```yaml
    reduction: {mode: current, percent: 10, interval_days: 14, source: rmr}
    slow_down: {below_percent_of_start: 25, percent: 10, interval_days: 14, source: rmr}
```
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from taper.guideline.checks._pace import main_share, slow_share
from taper.guideline.checks._util import at, field, find, num, walk
from taper.guideline.findings import Finding
from taper.guideline.model import Guideline, TaperRule
from taper.guideline.yamlstrict import YamlDocument

RULE_ID = "slow-down-pace"


def check(guideline: Guideline, doc: YamlDocument) -> Iterable[Finding]:
    for base, obj in walk(doc, guideline):
        if not isinstance(obj, TaperRule) or obj.slow_down is None:
            continue
        slow, reduction = obj.slow_down, obj.reduction
        percents = (reduction.percent, slow.percent, slow.below_percent_of_start or 1)
        if not all(0 < p <= 100 for p in percents):
            continue  # percent-range reports these
        if slow.interval_days < 1 or reduction.interval_days < 1:
            continue  # interval-min reports these
        main, slower = main_share(obj), slow_share(obj)
        if main is None:
            continue  # a start-mode share below an amount depends on the start dose
        # Per day: slower / slow.interval < main / reduction.interval, without division.
        if slower * reduction.interval_days < main * slow.interval_days:
            continue
        slow_base = field(doc, base, obj, "slow_down")
        per_week_slow = slower * 7 / slow.interval_days
        per_week_main = main * 7 / reduction.interval_days
        yield find(
            doc,
            field(doc, slow_base, slow, "percent"),
            RULE_ID,
            f"{at(guideline, slow_base)}: the slow-down takes about {num(_round(per_week_slow))} "
            f"% of the current dose a week ({num(_round(slower))} % every "
            f"{slow.interval_days} days), no less than the reduction's about "
            f"{num(_round(per_week_main))} % a week where the slow-down begins; a slow-down "
            "must be slower",
        )


def _round(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.1")).normalize()
