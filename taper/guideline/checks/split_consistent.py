"""A formulary strength has one split rule, and patches and capsules are never split.

Plans make every dose from the formulary, halving only scored tablets and quartering only
cross-scored ones; transdermal patches and capsules are used whole (README). So:

- a strength of a `form: patch` or `form: capsule` product must have `split: none` (the
  default); a patch cut in half does not deliver half the dose. Modified-release products are
  `mr-no-split`'s.
- one strength is listed once for a brand: the same amount twice in one product, or in two
  products of the same drug, brand, form, route and unit, is an error — with different split
  rules the file says both that the tablet is scored and that it is not.

Passing:

```yaml
  - drug: oxazepam
    brand: Sobril
    strengths: [{amount: 5, split: half}, {amount: 10, split: half}]
```

Failing (is Sobril 5 mg scored or not?):

```yaml
  - drug: oxazepam
    brand: Sobril
    strengths: [{amount: 5, split: half}, {amount: 5}]
```
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from taper.guideline.checks._util import field, find, num
from taper.guideline.findings import Finding
from taper.guideline.model import Guideline, Strength
from taper.guideline.yamlstrict import Path, YamlDocument

RULE_ID = "split-consistent"

WHOLE_FORMS = ("patch", "capsule")


def check(guideline: Guideline, doc: YamlDocument) -> Iterable[Finding]:
    seen: dict[tuple[str, ...], dict[Decimal, tuple[Strength, Path]]] = {}
    for i, product in enumerate(guideline.formulary):
        strengths = field(doc, ("formulary", i), product, "strengths")
        name = f"{product.drug} {product.brand}"
        key = (product.drug, product.brand.casefold(), product.form, product.route, product.unit)
        listed = seen.setdefault(key, {})
        for j, strength in enumerate(product.strengths):
            where: Path = (*strengths, j)
            what = f"{name} {num(strength.amount)} {product.unit}"
            if (
                product.form in WHOLE_FORMS
                and strength.split != "none"
                and not product.modified_release
            ):
                yield find(
                    doc,
                    field(doc, where, strength, "split"),
                    RULE_ID,
                    f"{what}: a {product.form} is used whole, never split (split: "
                    f"{strength.split}); remove the split",
                )
            first = listed.get(strength.amount)
            if first is None:
                listed[strength.amount] = (strength, where)
                continue
            pos = doc.locate(first[1])
            if first[0].split != strength.split:
                message = (
                    f"{what} is listed twice with different split rules (split: "
                    f"{first[0].split} at {pos.line}:{pos.col}, split: {strength.split} here): "
                    "is it scored or not? Keep one"
                )
            else:
                message = f"{what} is listed twice (first at {pos.line}:{pos.col}); keep one"
            yield find(doc, field(doc, where, strength, "amount"), RULE_ID, message)
