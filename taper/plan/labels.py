"""Label limits of products, read from the rule file (`Product.regimen`, `ingredients`).

- `unit_caps`: the most units at one dose time and in a day a product's label allows, the
  tighter of its own limits and its ingredients' caps (paracetamol 1 g a dose: two Citodon);
- `interval_doses`: how many times a day a modified-release product is given (24 hours over
  its interval: OxyContin is 12-hourly, so twice a day, never once);
- `allowed_counts`: the times a day a product may be taken;
- `formulation`: what kind of medicine a product is to the patient (form, release, a
  combination's other ingredients): one formulation, once stopped in a taper, never returns.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from taper.guideline.model import Product

# Dose times a plan can name (see tracks.time_names).
MAX_TIMES = 4


def unit_caps(products: Sequence[Product]) -> tuple[int | None, int | None]:
    """Most units at one dose time and in a day that every product of a kit allows (None: no
    label limit). Ingredient caps count whole units: 1 g paracetamol a dose is 2 x 500 mg."""
    per_dose: list[int] = []
    per_day: list[int] = []
    for product in products:
        regimen = product.regimen
        if regimen is not None and regimen.max_units_per_dose is not None:
            per_dose.append(int(regimen.max_units_per_dose))
        if regimen is not None and regimen.max_units_per_day is not None:
            per_day.append(int(regimen.max_units_per_day))
        for item in product.ingredients:
            if item.max_per_dose is not None and item.amount > 0:
                per_dose.append(int(item.max_per_dose // item.amount))
            if item.max_per_day is not None and item.amount > 0:
                per_day.append(int(item.max_per_day // item.amount))
    return (min(per_dose) if per_dose else None, min(per_day) if per_day else None)


def interval_doses(products: Sequence[Product]) -> int | None:
    """Doses a day of modified-release tablets or capsules, from their interval (None: no
    interval given; the shortest interval of the kit's products counts)."""
    hours = [
        p.regimen.interval_hours
        for p in products
        if p.modified_release
        and p.form != "patch"
        and p.regimen is not None
        and p.regimen.interval_hours
    ]
    if not hours:
        return None
    return max(1, min(MAX_TIMES, 24 // min(hours)))


def allowed_counts(products: Sequence[Product]) -> list[int]:
    """Times a day every product of a kit may be taken (1 to 4 unless a label says less)."""
    counts = set(range(1, MAX_TIMES + 1))
    for product in products:
        if product.regimen is not None and product.regimen.doses_per_day:
            counts &= set(product.regimen.doses_per_day)
    return sorted(counts) or list(range(1, MAX_TIMES + 1))


def formulation(product: Product) -> str:
    """The kind of medicine `product` is to the patient: its release and form, and a
    combination product's other ingredients ("immediate-release tablet with paracetamol").
    Strengths and makers of one formulation are interchangeable as the dose falls; another
    formulation is a product change the patient notices (clinician review 6, D4)."""
    form = product.form.replace("-", " ")
    others = "".join(f" with {i.name}" for i in sorted(product.ingredients, key=lambda i: i.name))
    return f"{product.release}-release {form}{others}"


# The most dose times a day the fewer-dose-times caution asks of an immediate-release opioid
# whose label allows as few as one (co-codamol, Paralgin forte, Citodon, Tylenol #3: 1-4 times
# a day as needed): it acts for a few hours as every other one (formulations.md §2: every 4-6
# hours; tramadol 50 mg x 3 is the fewest regular regimen there). Its regimen in the caution
# is the dose times the plan first gives it, up to this many (clinician review 6, D6;
# project choice).
REGULAR_IMMEDIATE_TIMES = 3


def regimen_times_at_least(label: list[int], first: int) -> int:
    """The dose times a day below which an immediate-release opioid step is cautioned: the
    fewest its label gives, or, where that is fewer, the times the plan first gives the
    product up to `REGULAR_IMMEDIATE_TIMES` (so 4 for Oramorph, 3 for tramadol capsules, 3
    for co-codamol started 4 times a day, 2 for Tylenol #3 started twice a day)."""
    return max(min(label), min(first, REGULAR_IMMEDIATE_TIMES))


def least_regimen_times(
    products: Iterable[Product], brands: set[str], first: Callable[[str], int]
) -> int | None:
    """The fewest dose times a day the regimens of `products` given as `brands` ask
    (`regimen_times_at_least`; `first`: the dose times a brand's first step had); None when
    none of them has a regimen with doses a day. The clinician page's caution and the stop
    instead of a tail count the same way."""
    wanted = [
        regimen_times_at_least(p.regimen.doses_per_day, first(p.brand))
        for p in products
        if p.brand in brands and p.regimen is not None and p.regimen.doses_per_day
    ]
    return min(wanted) if wanted else None
