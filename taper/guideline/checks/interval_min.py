"""Intervals and durations are whole days that make sense together.

Every interval (`interval_days`, `min_interval_days`, `crossover_step_days`, `every_days`,
pause `max_days`) is at least 1 day; phase lengths (`mapping_days`, `stabilisation_days`),
`lead_days` and `several_drugs.max_wait_days` are 0 or more; `max_duration_days` is at least
1. Within a reduction, `min_interval_days` is not longer than `interval_days` and
`max_percent` is not below `percent`. A support talk's `lead_days` longer than a taper rule's
reduction interval is a warning: the talk before one change would come before the previous change.

Passing:

```yaml
    reduction: {mode: current, percent: 10, max_percent: 25, interval_days: 14,
                min_interval_days: 7, source: rmr}
```

Failing (the shortest interval is longer than the usual one):

```yaml
    reduction: {mode: current, percent: 10, interval_days: 7, min_interval_days: 14,
                source: rmr}
```
"""

from __future__ import annotations

from collections.abc import Iterable

from taper.guideline.checks._util import at, field, field_names, find, num, walk
from taper.guideline.findings import Finding
from taper.guideline.model import Guideline, Reduction, TaperRule
from taper.guideline.yamlstrict import YamlDocument

RULE_ID = "interval-min"

_ZERO_ALLOWED = {"mapping_days", "stabilisation_days", "lead_days", "max_wait_days"}


def check(guideline: Guideline, doc: YamlDocument) -> Iterable[Finding]:
    for base, obj in walk(doc, guideline):
        for name in field_names(type(obj)):
            value = getattr(obj, name)
            if not name.endswith("_days") or not isinstance(value, int):
                continue
            least = 0 if name in _ZERO_ALLOWED else 1
            if value < least:
                path = field(doc, base, obj, name)
                what = "0 or more" if least == 0 else "at least 1 day"
                yield find(
                    doc,
                    path,
                    RULE_ID,
                    f"{at(guideline, path)} {value} must be {what}",
                )
        if isinstance(obj, TaperRule) and obj.max_duration_days.value < 1:
            path = (*field(doc, base, obj, "max_duration_days"), "value")
            yield find(
                doc,
                path,
                RULE_ID,
                f"{at(guideline, path)} {obj.max_duration_days.value} must be at least 1 day",
            )
        if isinstance(obj, Reduction):
            if obj.min_interval_days is not None and obj.min_interval_days > obj.interval_days:
                who = at(guideline, base)
                yield find(
                    doc,
                    field(doc, base, obj, "min_interval_days"),
                    RULE_ID,
                    f"{who}: the shortest interval ({obj.min_interval_days} days) is longer "
                    f"than the usual interval ({obj.interval_days} days)",
                )
            if obj.max_percent is not None and obj.max_percent < obj.percent:
                who = at(guideline, base)
                yield find(
                    doc,
                    field(doc, base, obj, "max_percent"),
                    RULE_ID,
                    f"{who}: the fastest reduction (max_percent {num(obj.max_percent)}) is "
                    f"below the usual percent {num(obj.percent)}",
                )

    yield from _lead_days(guideline, doc)


def _lead_days(guideline: Guideline, doc: YamlDocument) -> Iterable[Finding]:
    if guideline.checkpoints is None or not guideline.taper_rules:
        return
    support = guideline.checkpoints.support
    shortest = min(guideline.taper_rules, key=lambda r: r.reduction.interval_days)
    interval = shortest.reduction.interval_days
    if support.lead_days <= interval:
        return
    path = field(doc, ("checkpoints", "support"), support, "lead_days")
    yield find(
        doc,
        path,
        RULE_ID,
        f"{at(guideline, path)} {support.lead_days} is longer than rule {shortest.id}'s "
        f"reduction interval ({interval} days): the talk before a change would come before "
        "the previous change",
        "warning",
    )
