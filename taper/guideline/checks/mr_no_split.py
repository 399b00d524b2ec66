"""Modified-release (depot) products are never split.

Splitting a depot tablet or capsule releases the whole dose at once, so a strength of a
`modified_release: true` product must have `split: none` (the default).

Passing:

```yaml
  - drug: oxycodone
    brand: OxyContin
    modified_release: true
    strengths: [{amount: 10}, {amount: 20}]
```

Failing:

```yaml
  - drug: oxycodone
    brand: OxyContin
    modified_release: true
    strengths: [{amount: 10, split: half}]
```
"""

from __future__ import annotations

from collections.abc import Iterable

from taper.guideline.checks._util import field, find, num
from taper.guideline.findings import Finding
from taper.guideline.model import Guideline
from taper.guideline.yamlstrict import YamlDocument

RULE_ID = "mr-no-split"


def check(guideline: Guideline, doc: YamlDocument) -> Iterable[Finding]:
    for i, product in enumerate(guideline.formulary):
        if not product.modified_release:
            continue
        strengths = field(doc, ("formulary", i), product, "strengths")
        for j, strength in enumerate(product.strengths):
            if strength.split != "none":
                yield find(
                    doc,
                    field(doc, (*strengths, j), strength, "split"),
                    RULE_ID,
                    f"{product.drug} {product.brand} {num(strength.amount)} {product.unit}: a "
                    f"modified-release product must not be split (split: {strength.split})",
                )
