"""The table's reference drug converts to itself one to one (by the reference's route and unit).

Passing:

```yaml
    reference: diazepam
    conversions:
      - {drug: diazepam, factor: 1}
```

Failing (10 mg of diazepam would be 51 mg of diazepam; found by the mutation of the shipped
files, issue 14: it validated, and every equivalent of the table was off by the same factor):

```yaml
    reference: diazepam
    conversions:
      - {drug: diazepam, amount: 10, equals: 51}
```
"""

from __future__ import annotations

from collections.abc import Iterable

from taper.guideline.checks._util import field, find, num
from taper.guideline.findings import Finding
from taper.guideline.model import Guideline
from taper.guideline.yamlstrict import YamlDocument

RULE_ID = "reference-one-to-one"


def check(guideline: Guideline, doc: YamlDocument) -> Iterable[Finding]:
    for cls, table in guideline.equivalence.items():
        conversions = field(doc, ("equivalence", cls), table, "conversions")
        for i, conv in enumerate(table.conversions):
            if (conv.drug, conv.route, conv.unit) != (
                table.reference,
                table.reference_route,
                table.unit,
            ):
                continue
            base = (*conversions, i)
            # A number of 0 or less is positive-number's finding, not this one's.
            if conv.factor is not None and conv.factor > 0 and conv.factor != 1:
                name, shown = "factor", f"factor {num(conv.factor)}"
            elif (
                conv.amount is not None
                and conv.equals is not None
                and min(conv.amount, conv.equals) > 0
                and conv.amount != conv.equals
            ):
                name, shown = "equals", f"{num(conv.amount)} = {num(conv.equals)}"
            else:
                continue
            yield find(
                doc,
                field(doc, base, conv, name),
                RULE_ID,
                f"{cls} table: {table.reference} is the reference drug and converts to itself "
                f"one to one, not by {shown} (write `factor: 1`)",
            )
