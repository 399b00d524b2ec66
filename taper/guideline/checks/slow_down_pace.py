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

from taper.guideline.checks._pace import (
    main_share,
    percents_in_range,
    round_share,
    slow_downs,
    slow_share,
)
from taper.guideline.checks._util import at, field, find, num
from taper.guideline.findings import Finding
from taper.guideline.model import Guideline
from taper.guideline.yamlstrict import YamlDocument

RULE_ID = "slow-down-pace"


def check(guideline: Guideline, doc: YamlDocument) -> Iterable[Finding]:
    for rule, slow, slow_base in slow_downs(guideline, doc):
        reduction = rule.reduction
        if not percents_in_range(rule, slow):
            continue
        if slow.interval_days < 1 or reduction.interval_days < 1:
            continue  # interval-min reports these
        main, slower = main_share(rule), slow_share(rule)
        if main is None:
            continue  # a start-mode share below an amount depends on the start dose
        # Per day: slower / slow.interval < main / reduction.interval, without division.
        if slower * reduction.interval_days < main * slow.interval_days:
            continue
        per_week_slow = slower * 7 / slow.interval_days
        per_week_main = main * 7 / reduction.interval_days
        yield find(
            doc,
            field(doc, slow_base, slow, "percent"),
            RULE_ID,
            f"{at(guideline, slow_base)}: the slow-down takes about "
            f"{num(round_share(per_week_slow))} % of the current dose a week "
            f"({num(round_share(slower))} % every {slow.interval_days} days), no less than the "
            f"reduction's about {num(round_share(per_week_main))} % a week where the slow-down "
            "begins; a slow-down must be slower",
        )
