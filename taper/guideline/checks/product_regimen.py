"""A product's regimen holds together: its interval, units and ingredient caps, its liquid.

- An oral product's dosing interval (`regimen.interval_hours`; the planner never gives a
  modified-release product fewer times a day than it implies) gives 1 to 4 doses a day (24
  divided by the hours); allowed `doses_per_day` are 1 to 4. A modified-release product
  without an interval is planned as its rule says (a depot opioid at least twice a day).
- A daily maximum (`regimen.max_amount_per_day`, in the product's unit) is positive and at
  least the product's smallest strength (else no dose of it could be given).
- A combination product (`ingredients`) gives its units per dose and per day, and those
  units never hold more of an ingredient than its cap (paracetamol 1 g a dose, 4 g a day).
- An oral solution gives its `liquid` (concentration and measuring device); drops give the
  product's own mg per drop; only an oral solution has a `liquid`; its graduation
  (`smallest_ml`) and mg per drop are more than zero. The planner measures its doses in
  whole graduations (or drops) from `liquid`, not from `strengths`.

Passing:

```yaml
  - drug: codeine
    brand: Citodon
    strengths: [{amount: 30}]
    regimen: {max_units_per_dose: 2, max_units_per_day: 8, source: label}
    ingredients:
      - {name: paracetamol, amount: 500, max_per_dose: 1000, max_per_day: 4000, source: label}
```

Failing (3 tablets hold 1.5 g paracetamol, more than the 1 g a dose):

```yaml
    regimen: {max_units_per_dose: 3, max_units_per_day: 8, source: label}
```
"""

from __future__ import annotations

from collections.abc import Iterable

from taper.guideline.checks._util import field, find, num
from taper.guideline.findings import Finding
from taper.guideline.model import Guideline, Product
from taper.guideline.yamlstrict import Path, YamlDocument

RULE_ID = "product-regimen"


def _problems(product: Product) -> Iterable[tuple[str, str]]:
    """(field, message) for each problem of one product."""
    regimen = product.regimen
    if regimen is not None:
        hours = regimen.interval_hours
        if hours is not None and product.form != "patch" and (hours < 6 or 24 % hours):
            yield (
                "regimen",
                (f"an interval of {hours} hours is not 1 to 4 doses a day (6, 8, 12 or 24 hours)"),
            )
        bad = [n for n in regimen.doses_per_day if not 1 <= n <= 4]
        if bad:
            yield "regimen", f"doses_per_day {bad} must be 1 to 4"
        least = regimen.min_hours_between_doses
        if least is not None and not 1 <= least <= 24:
            yield "regimen", f"min_hours_between_doses {least} must be 1 to 24 hours"
        most = regimen.max_amount_per_day
        smallest = min(s.amount for s in product.strengths)
        if most is not None and (most <= 0 or most < smallest):
            yield (
                "regimen",
                (
                    f"max_amount_per_day {num(most)} {product.unit} is less than the smallest "
                    f"strength ({num(smallest)} {product.unit})"
                ),
            )
    if product.ingredients:
        if (
            regimen is None
            or regimen.max_units_per_dose is None
            or regimen.max_units_per_day is None
        ):
            yield (
                "ingredients",
                (
                    "a combination product must give its units per dose and per day "
                    "(regimen.max_units_per_dose, regimen.max_units_per_day)"
                ),
            )
        else:
            for item in product.ingredients:
                for units, cap, when in (
                    (regimen.max_units_per_dose, item.max_per_dose, "a dose"),
                    (regimen.max_units_per_day, item.max_per_day, "a day"),
                ):
                    if cap is not None and units * item.amount > cap:
                        yield (
                            "ingredients",
                            (
                                f"{num(units)} units {when} hold {num(units * item.amount)} mg "
                                f"{item.name}, more than its cap of {num(cap)} mg {when}"
                            ),
                        )
    liquid = product.liquid
    if product.form == "oral-solution" and liquid is None:
        yield "form", "an oral solution must give its liquid (mg_per_ml and device)"
    if liquid is not None:
        if product.form != "oral-solution":
            yield "liquid", "only an oral solution has a liquid"
        if liquid.smallest_ml <= 0 or (liquid.mg_per_drop is not None and liquid.mg_per_drop <= 0):
            yield "liquid", "a liquid's smallest_ml and mg_per_drop are more than zero"
        if liquid.device == "dropper" and liquid.mg_per_drop is None:
            yield (
                "liquid",
                (
                    "drops must give the product's own mg per drop (mg_per_drop), never derived "
                    "from the concentration"
                ),
            )


def check(guideline: Guideline, doc: YamlDocument) -> Iterable[Finding]:
    for i, product in enumerate(guideline.formulary):
        base: Path = ("formulary", i)
        for name, message in _problems(product):
            yield find(
                doc,
                field(doc, base, product, name),
                RULE_ID,
                f"{product.drug} {product.brand}: {message}",
            )
