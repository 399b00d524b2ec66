"""Aftercare offsets rise strictly, and the last one reaches the `minimum` aftercare period.

Offsets are periods after the last dose ("2w", "1m", "6m"); they are compared as durations
(a month counts as 30.4 days), so `4w` comes before `1m`.

Passing:

```yaml
  aftercare:
    minimum: 6m
    offsets: [2w, 1m, 3m, 6m]
    source: vgr-2019
```

Failing (`1m` comes after `6w`; and the last contact, 3m, is before the 6-month minimum):

```yaml
  aftercare:
    minimum: 6m
    offsets: [2w, 6w, 1m, 3m]
    source: vgr-2019
```
"""

from __future__ import annotations

from collections.abc import Iterable

from taper.guideline.checks._util import field, find, period_days
from taper.guideline.findings import Finding
from taper.guideline.model import Guideline
from taper.guideline.yamlstrict import YamlDocument

RULE_ID = "aftercare-ascending"


def check(guideline: Guideline, doc: YamlDocument) -> Iterable[Finding]:
    if guideline.checkpoints is None:
        return
    aftercare = guideline.checkpoints.aftercare
    base = field(doc, ("checkpoints",), guideline.checkpoints, "aftercare")
    offsets_path = field(doc, base, aftercare, "offsets")
    offsets = aftercare.offsets
    for index in range(1, len(offsets)):
        prev, offset = offsets[index - 1], offsets[index]
        if period_days(offset) <= period_days(prev):
            yield find(
                doc,
                (*offsets_path, index),
                RULE_ID,
                f"aftercare: offset {offset} must come later than the one before it ({prev})",
            )
    if not offsets:
        yield find(
            doc,
            offsets_path,
            RULE_ID,
            f"aftercare: no contacts are planned in the {aftercare.minimum} minimum period",
        )
    else:
        last = max(offsets, key=period_days)
        if period_days(last) < period_days(aftercare.minimum):
            yield find(
                doc,
                (*offsets_path, offsets.index(last)),
                RULE_ID,
                f"aftercare: the last contact ({last}) is before the end of the minimum "
                f"aftercare period ({aftercare.minimum})",
            )
