"""Each conversion has exactly one basis: `factor`, `amount` with `equals`, `bands` or `points`.

Passing:

```yaml
      - drug: lorazepam
        amount: 1
        equals: 5
```

Failing (two bases; which one counts?):

```yaml
      - drug: lorazepam
        factor: 5
        amount: 1
        equals: 5
```
"""

from __future__ import annotations

from collections.abc import Iterable

from taper.guideline.checks._util import field, find, subject, walk
from taper.guideline.findings import Finding
from taper.guideline.model import Conversion, Guideline
from taper.guideline.yamlstrict import YamlDocument

RULE_ID = "conversion-basis"


def check(guideline: Guideline, doc: YamlDocument) -> Iterable[Finding]:
    for base, obj in walk(doc, guideline):
        if not isinstance(obj, Conversion):
            continue
        who = subject(guideline, base)
        if (obj.amount is None) != (obj.equals is None):
            given, other = ("amount", "equals") if obj.equals is None else ("equals", "amount")
            also = [
                name for name in ("factor", "bands", "points") if getattr(obj, name) is not None
            ]
            if also:  # e.g. `factor: 2` with `amount: 10`: two half-written bases
                message = (
                    f"{who}: gives `{also[0]}` and `{given}` (without `{other}`); a conversion "
                    f"takes either `factor` or `amount` + `equals` (or `bands`, or `points`): "
                    f"keep `{also[0]}` alone, or write `amount` with `equals` instead"
                )
            else:
                message = (
                    f"{who}: `{given}` needs `{other}` (this amount of the drug equals that "
                    "amount of the reference drug)"
                )
            yield find(doc, field(doc, base, obj, given), RULE_ID, message, key=True)
            continue
        bases = [
            name
            for name, present in (
                ("factor", obj.factor is not None),
                ("amount", obj.amount is not None),
                ("bands", obj.bands is not None),
                ("points", obj.points is not None),
            )
            if present
        ]
        shown = {"amount": "amount/equals"}
        if not bases:
            yield find(
                doc,
                base,
                RULE_ID,
                f"{who}: give how it converts: `factor`, `amount` with `equals`, `bands` or "
                "`points`",
            )
        elif len(bases) > 1:
            names = " and ".join(shown.get(b, b) for b in bases)
            yield find(
                doc,
                field(doc, base, obj, bases[1]),
                RULE_ID,
                f"{who}: gives both {names}; keep exactly one way to convert",
                key=True,
            )
        elif obj.bands == [] or obj.points == []:
            name = bases[0]
            yield find(doc, field(doc, base, obj, name), RULE_ID, f"{who}: `{name}` is empty")
