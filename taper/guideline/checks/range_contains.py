"""A conversion's `range` runs from low to high and contains its point value (and so does a
table's `cross_tolerance` range its `percent`).

The range is for the same quantity as the point value: the `factor`, or the `amount` when the
conversion is given as `amount`/`equals`.

Passing:

```yaml
      - drug: oxazepam
        amount: 15
        equals: 5
        range: [15, 25]
```

Failing (30 is outside 15–25):

```yaml
      - drug: oxazepam
        amount: 30
        equals: 5
        range: [15, 25]
```
"""

from __future__ import annotations

from collections.abc import Iterable

from taper.guideline.checks._util import field, find, num, subject, walk
from taper.guideline.findings import Finding
from taper.guideline.model import Conversion, CrossTolerance, Guideline
from taper.guideline.yamlstrict import YamlDocument

RULE_ID = "range-contains"


def check(guideline: Guideline, doc: YamlDocument) -> Iterable[Finding]:
    for base, obj in walk(doc, guideline):
        if isinstance(obj, CrossTolerance) and obj.range is not None:
            lo, hi = obj.range
            path = field(doc, base, obj, "range")
            if not lo <= obj.percent <= hi:
                yield find(
                    doc,
                    path,
                    RULE_ID,
                    f"{subject(guideline, base)}: cross-tolerance range {num(lo)}–{num(hi)} % "
                    f"must run low to high and contain the percent {num(obj.percent)}",
                )
            continue
        if not isinstance(obj, Conversion) or obj.range is None:
            continue
        lo, hi = obj.range
        path = field(doc, base, obj, "range")
        who = subject(guideline, base)
        span = f"{num(lo)}–{num(hi)}"
        if lo > hi:
            yield find(doc, path, RULE_ID, f"{who}: range {span} must be written low to high")
            continue
        if obj.factor is not None:
            point, name = obj.factor, "factor"
        elif obj.amount is not None:
            point, name = obj.amount, "amount"
        else:
            yield find(
                doc,
                path,
                RULE_ID,
                f"{who}: a range needs a point value (`factor`, or `amount`/`equals`) to belong to",
            )
            continue
        if not lo <= point <= hi:
            yield find(
                doc,
                path,
                RULE_ID,
                f"{who}: range {span} does not contain the {name} {num(point)}",
            )
