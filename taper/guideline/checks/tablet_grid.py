"""A drug's strengths lie on a sensible grid, so the tablet search stays small.

The planner makes every dose from whole tablets and their allowed parts (halves of scored,
quarters of cross-scored tablets; modified-release tablets, capsules and patches whole), in
multiples of the largest amount that divides every piece of the drug's products in one unit
and route (its *quantum*). The largest strength may be at most 400 quanta: the shipped files
need at most 200 (fentanyl patches 12 to 100 mcg/h, with 37.5, on a grid of 0.5). A strength
off any grid (12.1 beside 25, or 0.001 beside 10) makes the search, and the plan's doses,
finer than any patient can take; it is a typo, refused here (a project limit). An oral
solution's measure (mg per ml times its graduation `smallest_ml`, or its mg per drop) counts as
one more piece of its drug: a concentration of 0.0025 mg/ml is refused the same way.

Passing:

```yaml
    strengths: [{amount: 2, split: half}, {amount: 5, split: half}, {amount: 10}]
```

Failing (10 mg on a grid of 0.001 mg is 10,000 steps):

```yaml
    strengths: [{amount: 0.001}, {amount: 10}]
```
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction
from math import gcd

from taper.guideline.checks._util import field, find, num, walk
from taper.guideline.findings import Finding
from taper.guideline.model import Guideline, Product
from taper.guideline.yamlstrict import Path, YamlDocument

RULE_ID = "tablet-grid"

MAX_QUANTA_PER_STRENGTH = 400
_PARTS = {"none": 1, "half": 2, "quarter": 4}
_WHOLE_ONLY = {"capsule", "patch"}


def _fraction_gcd(a: Fraction, b: Fraction) -> Fraction:
    denominator = a.denominator * b.denominator // gcd(a.denominator, b.denominator)
    return Fraction(gcd(int(a * denominator), int(b * denominator)), denominator)


def _pieces(product: Product, only: int | None = None) -> Iterable[Fraction]:
    """Every amount a patient can take of `product` (of its strength `only`, if given); an
    oral solution's one measure (a graduation of its syringe, or a drop)."""
    liquid = product.liquid
    if liquid is not None:
        measure = liquid.mg_per_drop if liquid.device == "dropper" else None
        if measure is None:
            measure = liquid.mg_per_ml * liquid.smallest_ml
        if measure.is_finite() and measure > 0 and only in (None, 0):
            yield Fraction(measure)
        return
    whole_only = product.modified_release or product.form in _WHOLE_ONLY
    for index, strength in enumerate(product.strengths):
        if only is not None and index != only:
            continue
        if not strength.amount.is_finite() or strength.amount <= 0:
            continue  # positive-number's
        amount = Fraction(strength.amount)
        yield amount
        parts = 1 if whole_only else _PARTS[strength.split]
        if parts > 1:
            yield amount / parts


def _quantum(pieces: list[Fraction]) -> Fraction:
    quantum = pieces[0]
    for piece in pieces[1:]:
        quantum = _fraction_gcd(quantum, piece)
    return quantum


def check(guideline: Guideline, doc: YamlDocument) -> Iterable[Finding]:
    kits: dict[tuple[str, str, str], list[tuple[Path, Product]]] = {}
    for base, obj in walk(doc, guideline):
        if isinstance(obj, Product):
            kits.setdefault((obj.drug, obj.unit, obj.route), []).append((base, obj))
    for (drug, unit, route), products in kits.items():
        pieces = [piece for _, product in products for piece in _pieces(product)]
        if not pieces:
            continue
        quantum, largest = _quantum(pieces), max(pieces)
        if largest / quantum <= MAX_QUANTA_PER_STRENGTH:
            continue
        solids = [(b, p) for b, p in products if p.liquid is None]
        solid = [piece for _, product in solids for piece in _pieces(product)]
        if solid and max(solid) / _quantum(solid) <= MAX_QUANTA_PER_STRENGTH:
            # The tablets are on a grid: an oral solution's measure is off it.
            for base, product in products:
                if product.liquid is None:
                    continue
                own = list(_pieces(product))
                if own and max(solid) / _quantum([*solid, *own]) > MAX_QUANTA_PER_STRENGTH:
                    yield find(
                        doc,
                        field(doc, base, product, "liquid"),
                        RULE_ID,
                        f"{drug} ({unit}, {route}): a measure of {product.brand} "
                        f"({num(Decimal(own[0].numerator) / Decimal(own[0].denominator))} "
                        f"{unit}) is off the grid of the drug's tablets (more than "
                        f"{MAX_QUANTA_PER_STRENGTH} measures to their largest strength, a "
                        "project limit); is its mg_per_ml, smallest_ml or mg_per_drop mistyped?",
                    )
            continue
        base, product, index = _off_grid(solids or products)
        path = (*field(doc, base, product, "strengths"), index, "amount")
        strengths = sorted({s.amount for _, p in products for s in p.strengths})
        shown = ", ".join(num(s) for s in strengths)
        step = num(Decimal(quantum.numerator) / Decimal(quantum.denominator))
        yield find(
            doc,
            path,
            RULE_ID,
            f"{drug} ({unit}, {route}): the strengths {shown} and their parts share no step "
            f"coarser than {step} {unit}, so the largest is {int(largest / quantum):,} such "
            f"steps (at most {MAX_QUANTA_PER_STRENGTH}, a project limit); is "
            f"{num(product.strengths[index].amount)} mistyped?",
        )


def _off_grid(products: list[tuple[Path, Product]]) -> tuple[Path, Product, int]:
    """The strength written with the finest decimals (25.001 beside 12): the likely typo."""
    entries = [
        (base, product, i) for base, product in products for i in range(len(product.strengths))
    ]

    def places(entry: tuple[Path, Product, int]) -> int:
        amount = entry[1].strengths[entry[2]].amount
        exponent = amount.normalize().as_tuple().exponent if amount.is_finite() else 0
        return -exponent if isinstance(exponent, int) else 0

    return max(reversed(entries), key=places)
