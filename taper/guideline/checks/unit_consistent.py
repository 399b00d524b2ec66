"""Units agree with routes and forms, and every product can be converted.

Transdermal doses are in `mcg/h` and every other route in `mg` (conversions, products and each
table's reference); a `patch` is transdermal and a `sublingual-tablet` sublingual; and each
formulary product has a conversion for its drug with the same route and unit. A drug with no
conversion at all (methadone where the sources give no single factor) may still have products:
the tool then says plainly that no factor could be determined.

Passing:

```yaml
    conversions:
      - {drug: fentanyl, route: transdermal, unit: mcg/h, factor: 2.4, source: uppsala}
formulary:
  - {drug: fentanyl, brand: Durogesic, form: patch, route: transdermal, unit: mcg/h,
     strengths: [{amount: 12}, {amount: 25}], source: fass}
```

Failing (a patch given in mg):

```yaml
formulary:
  - {drug: fentanyl, brand: Durogesic, form: patch, route: transdermal, unit: mg,
     strengths: [{amount: 12}], source: fass}
```
"""

from __future__ import annotations

from collections.abc import Iterable

from taper.guideline.checks._util import field, find, subject
from taper.guideline.findings import Finding
from taper.guideline.model import Conversion, EquivalenceTable, Guideline, Product
from taper.guideline.yamlstrict import Path, YamlDocument

RULE_ID = "unit-consistent"

_FORM_ROUTE = {"patch": "transdermal", "sublingual-tablet": "sublingual"}


def _route_unit(route: str, unit: str) -> str | None:
    if route == "transdermal" and unit != "mcg/h":
        return "transdermal doses are given in mcg/h"
    if route != "transdermal" and unit == "mcg/h":
        return f"mcg/h is for patches; {route} doses are given in mg"
    return None


def _check_route_unit(
    guideline: Guideline,
    doc: YamlDocument,
    base: Path,
    obj: Conversion | Product | EquivalenceTable,
    route_field: str,
) -> Iterable[Finding]:
    route = getattr(obj, route_field)
    problem = _route_unit(route, obj.unit)
    if problem:
        where = field(doc, base, obj, "unit")
        if where not in doc.keys:
            where = field(doc, base, obj, route_field)
        who = subject(guideline, base)
        yield find(doc, where, RULE_ID, f"{who}: unit {obj.unit} with route {route}: {problem}")


def check(guideline: Guideline, doc: YamlDocument) -> Iterable[Finding]:
    conversions: set[tuple[str, str, str]] = set()
    converted_drugs: set[str] = set()
    drugs = {d.id for d in guideline.drugs}
    for cls, table in guideline.equivalence.items():
        base: Path = ("equivalence", cls)
        problem = _route_unit(table.reference_route, table.unit)
        if problem:
            yield find(
                doc,
                field(doc, base, table, "unit"),
                RULE_ID,
                f"{cls} table: reference {table.reference} in {table.unit} by route "
                f"{table.reference_route}: {problem}",
            )
        conv_base = field(doc, base, table, "conversions")
        for i, conv in enumerate(table.conversions):
            conversions.add((conv.drug, conv.route, conv.unit))
            converted_drugs.add(conv.drug)
            yield from _check_route_unit(guideline, doc, (*conv_base, i), conv, "route")
    for i, product in enumerate(guideline.formulary):
        base = ("formulary", i)
        who = subject(guideline, base)
        problems = list(_check_route_unit(guideline, doc, base, product, "route"))
        yield from problems
        expected = _FORM_ROUTE.get(product.form)
        if expected and product.route != expected:
            route_path = field(doc, base, product, "route")
            yield find(
                doc,
                route_path if route_path in doc.keys else field(doc, base, product, "form"),
                RULE_ID,
                f"{who}: a {product.form} has route {expected}, not {product.route}",
            )
            continue
        if problems or product.drug not in drugs or product.drug not in converted_drugs:
            continue  # drug-known reports unknown drugs; unconvertible drugs are deliberate
        if (product.drug, product.route, product.unit) not in conversions:
            yield find(
                doc,
                field(doc, base, product, "drug"),
                RULE_ID,
                f"{who}: no conversion for {product.drug} by route {product.route} in "
                f"{product.unit}, so this product cannot be converted",
            )
