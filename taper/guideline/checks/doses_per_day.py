"""Doses per day are between 1 and 4, the dose times the planner can schedule.

Applies to a taper rule's `doses_per_day` and its switch's `doses_per_day`. The planner names
the dose times (morning, noon, afternoon, evening); a fifth has no time of day, and zero
doses a day is no plan.

Passing:

```yaml
    doses_per_day: 2
    switch: {policy: recommended, target: diazepam, doses_per_day: 3, source: rmr}
```

Failing (nine dose times a day cannot be scheduled):

```yaml
    doses_per_day: 9
```
"""

from __future__ import annotations

from collections.abc import Iterable

from taper.guideline.checks._util import at, field, find, walk
from taper.guideline.findings import Finding
from taper.guideline.model import Guideline, Switch, TaperRule
from taper.guideline.yamlstrict import YamlDocument

RULE_ID = "doses-per-day"

# The dose times the planner can name (builder.time_names): morning, noon, afternoon, evening.
MIN_DOSES, MAX_DOSES = 1, 4


def check(guideline: Guideline, doc: YamlDocument) -> Iterable[Finding]:
    for base, obj in walk(doc, guideline):
        if not isinstance(obj, TaperRule | Switch):
            continue
        value = obj.doses_per_day
        if value <= MAX_DOSES:  # below 1 is positive-number's finding
            continue
        path = field(doc, base, obj, "doses_per_day")
        yield find(
            doc,
            path,
            RULE_ID,
            f"{at(guideline, path)} {value} must be {MIN_DOSES} to {MAX_DOSES} "
            "(the dose times a plan can schedule)",
        )
