"""Table points rise strictly: each row has a higher `dose` and a higher `equals` than the last.

Conversion between rows is interpolated, which is only meaningful on a strictly increasing
table.

Passing:

```yaml
      - drug: tapentadol
        points:
          - {dose: 50, equals: 20}
          - {dose: 100, equals: 40}
```

Failing (the second row repeats the dose 50):

```yaml
        points:
          - {dose: 50, equals: 20}
          - {dose: 50, equals: 30}
```
"""

from __future__ import annotations

from collections.abc import Iterable

from taper.guideline.checks._util import field, find, num, subject, walk
from taper.guideline.findings import Finding
from taper.guideline.model import Conversion, Guideline
from taper.guideline.yamlstrict import YamlDocument

RULE_ID = "points-monotone"


def check(guideline: Guideline, doc: YamlDocument) -> Iterable[Finding]:
    for base, obj in walk(doc, guideline):
        if not isinstance(obj, Conversion) or not obj.points:
            continue
        who = subject(guideline, base)
        points_path = field(doc, base, obj, "points")
        for index in range(1, len(obj.points)):
            prev, point = obj.points[index - 1], obj.points[index]
            for name in ("dose", "equals"):
                old, new = getattr(prev, name), getattr(point, name)
                if new <= old:
                    yield find(
                        doc,
                        (*points_path, index, name),
                        RULE_ID,
                        f"{who}: row {index + 1} {name} {num(new)} must be higher than row "
                        f"{index}'s {num(old)}",
                    )
