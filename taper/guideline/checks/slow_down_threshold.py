"""A slow-down says where it begins: below a share of the starting dose, or below an amount of
the class's reference drug, one of the two.

Passing (slow down below 5 mg diazepam a day, whatever the starting dose):

```yaml
    slow_down: {below_reference_amount: 5, percent: 10, interval_days: 14, source: rmr}
```

Failing (both thresholds: which one applies is unclear):

```yaml
    slow_down:
      below_percent_of_start: 25
      below_reference_amount: 5
      percent: 10
      interval_days: 21
      source: rmr
```
"""

from __future__ import annotations

from collections.abc import Iterable

from taper.guideline.checks._pace import slow_downs
from taper.guideline.checks._util import at, field, find
from taper.guideline.findings import Finding
from taper.guideline.model import Guideline
from taper.guideline.yamlstrict import YamlDocument

RULE_ID = "slow-down-threshold"


def check(guideline: Guideline, doc: YamlDocument) -> Iterable[Finding]:
    for _, slow, slow_base in slow_downs(guideline, doc):
        both = slow.below_percent_of_start is not None and slow.below_reference_amount is not None
        neither = slow.below_percent_of_start is None and slow.below_reference_amount is None
        if not both and not neither:
            continue
        where = field(doc, slow_base, slow, "below_reference_amount") if both else slow_base
        what = "gives both" if both else "gives neither of"
        yield find(
            doc,
            where,
            RULE_ID,
            f"{at(guideline, slow_base)}: the slow-down {what} `below_percent_of_start` and "
            "`below_reference_amount`; give one, so it is clear where it begins",
        )
