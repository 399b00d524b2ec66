"""Every object that holds clinical numbers names exactly one of `source` or `unverified`.

A value no source gives must say why (`unverified: project choice, ...`); it is then shown as
unverified wherever it is used. Giving both is contradictory and also reported.

Passing:

```yaml
    reduction:
      mode: current
      percent: 10
      interval_days: 14
      unverified: VGR's own rate is not published; a common Swedish practice
```

Failing (neither key):

```yaml
    reduction:
      mode: current
      percent: 10
      interval_days: 14
```
"""

from __future__ import annotations

from collections.abc import Iterable

from taper.guideline.checks._util import at, field, find, walk
from taper.guideline.findings import Finding
from taper.guideline.model import Guideline, Provenance
from taper.guideline.yamlstrict import YamlDocument

RULE_ID = "provenance-required"


def check(guideline: Guideline, doc: YamlDocument) -> Iterable[Finding]:
    for base, obj in walk(doc, guideline):
        if not isinstance(obj, Provenance):
            continue
        if obj.source is None and obj.unverified is None:
            who = at(guideline, base)
            yield find(
                doc,
                base,
                RULE_ID,
                f"{who} needs a `source` for its numbers, or `unverified` saying why no source "
                "gives them",
                key=True,
            )
        elif obj.source is not None and obj.unverified is not None:
            who = at(guideline, base)
            yield find(
                doc,
                field(doc, base, obj, "unverified_note"),
                RULE_ID,
                f"{who} has both `source` and `unverified`; keep the one that is true",
                key=True,
            )
