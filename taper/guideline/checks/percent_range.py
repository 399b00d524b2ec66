"""Every percentage is more than 0 and at most 100.

Applies to every field whose name contains `percent`: reduction `percent` and `max_percent`,
slow-down `percent` and `below_percent_of_start`, and a table's `switch_reduction_percent`.

Passing:

```yaml
    reduction: {mode: current, percent: 10, interval_days: 14, source: rmr}
```

Failing (a reduction of 0 % never ends; over 100 % is not a reduction):

```yaml
    reduction: {mode: current, percent: 0, interval_days: 14, source: rmr}
```
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from taper.guideline.checks._util import at, field, field_names, find, num, walk
from taper.guideline.findings import Finding
from taper.guideline.model import Guideline
from taper.guideline.yamlstrict import YamlDocument

RULE_ID = "percent-range"


def check(guideline: Guideline, doc: YamlDocument) -> Iterable[Finding]:
    for base, obj in walk(doc, guideline):
        for name in field_names(type(obj)):
            value = getattr(obj, name)
            if "percent" not in name or not isinstance(value, Decimal):
                continue
            if not 0 < value <= 100:
                path = field(doc, base, obj, name)
                yield find(
                    doc,
                    path,
                    RULE_ID,
                    f"{at(guideline, path)} {num(value)} must be more than 0 and at most 100",
                )
