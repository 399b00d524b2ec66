"""Product regimens in a plan: how often a product is taken and how many units at a time.

Pure functions over a kit and the rule file (the label limits themselves are read in
`taper.plan.labels`):

- `regimen_times`: the number of dose times a drug needs so that its daily dose stays within
  every product limit (Citodon 180 mg codeine: 6 tablets, at most 2 a dose: 3 doses a day),
  spread over the most times an as-needed label allows where whole tablets share the dose
  evenly (`as_needed_times`: Tylenol #3 120 mg is 1 tablet 4 times a day);
- `immediate_kit`: the immediate-release products of a drug, for the tail of a depot taper;
- `liquid_kit`: a drug's oral solution, for steps its tablets cannot make;
- `formulation_changes`: the kits a taper may change to, in order of preference;
- `stop_too_high`: whether a rule lets a drug stop from a dose.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from taper import equivalence
from taper.errors import TaperError
from taper.guideline.model import DoseUnit, Drug, Guideline, Product, Route, TaperRule
from taper.plan.labels import allowed_counts, interval_doses, unit_caps
from taper.plan.tablets import Kit


def regimen_times(kit: Kit, wanted: int, daily: Decimal) -> int:
    """The dose times a day for `daily` on this kit: the interval of depot products, else the
    rule's `wanted` count raised (within the label's doses a day) until no dose time needs
    more units than the label allows, or to the most times an as-needed label shares the
    dose over in equal whole tablets (`as_needed_times`)."""
    if kit.patch or kit.free:
        return wanted
    fixed = interval_doses(kit.products) if kit.modified_release else None
    if fixed is not None:
        return fixed
    if unit_caps(kit.products)[0] is None:
        fitting = label_times(kit, wanted, daily)
    else:
        counts = allowed_counts(kit.products)
        fitting = next((c for c in counts if c >= wanted and _holds(kit, c, daily)), max(counts))
    return max(fitting, as_needed_times(kit, daily))


def _holds(kit: Kit, count: int, daily: Decimal) -> bool:
    """Whether `count` dose times hold `daily` within the label's units a dose (of the
    largest piece; True where the label gives no such limit)."""
    per_dose, _ = unit_caps(kit.products)
    if per_dose is None:
        return True
    largest = max(piece.strength * piece.fraction for piece in kit.pieces)
    return daily <= largest * per_dose * count


def spread_by_label(kit: Kit, count: int, daily: Decimal) -> bool:
    """Whether `count` dose times come from an as-needed label's spread (`as_needed_times`)
    rather than from the label's units a dose: fewer of its times would hold `daily` (Tylenol
    #3 120 mg at 4 times; not 240 mg, which 2 tablets a dose need 4 times for)."""
    if as_needed_times(kit, daily) != count:
        return False
    if unit_caps(kit.products)[0] is None:
        return True
    return any(c < count and _holds(kit, c, daily) for c in allowed_counts(kit.products))


def as_needed_label(kit: Kit) -> bool:
    """Whether the kit's labels give an immediate-release product from once up to several
    times a day (`doses_per_day` [1, 2, 3, 4]: co-codamol, Citodon, Paralgin forte, Tylenol
    #3, "1-2 tablets every 4 hours as needed"), so the rule's dose times do not bound them."""
    if kit.modified_release or kit.patch or kit.free or not labelled_times(kit):
        return False
    counts = allowed_counts(kit.products)
    return len(counts) > 1 and min(counts) == 1


def as_needed_times(kit: Kit, daily: Decimal) -> int:
    """The most of an as-needed label's doses a day (`as_needed_label`) at which every dose
    time gets the same whole tablets within the label's units a dose (Tylenol #3 120 mg:
    4 x 1 tablet, not 2 x 2; 180 mg: 3 x 2; 240 mg: 4 x 2), so a patient on 4 tablets a day
    keeps the pain cover they take them for (issue 15); 0 where no count shares the dose so
    (5 tablets, a half tablet), or the label is not one: the caller's count stands."""
    if not as_needed_label(kit):
        return 0
    quanta = kit.quanta(daily)
    if not quanta:
        return 0
    for count in reversed(allowed_counts(kit.products)):
        share, rest = divmod(quanta, count)
        if rest or not kit.per_time_makeable(share):
            continue
        if all(piece.fraction == 1 for piece in kit.pieces_for(share)):
            return count
    return 0


def labelled_times(kit: Kit) -> bool:
    """Whether a label of the kit's products gives its doses a day (immediate-release
    opioids: 3-4 times a day, formulations.md §2)."""
    return any(p.regimen is not None and p.regimen.doses_per_day for p in kit.products)


def label_counts(kit: Kit) -> tuple[int, int]:
    """The fewest and the most doses a day the kit's labels give (3, 4 for Sobril)."""
    counts = allowed_counts(kit.products)
    return counts[0], counts[-1]


def fewer_than_label(kit: Kit, count: int) -> bool:
    """Whether `count` dose times are fewer than an immediate-release label gives because the
    strengths cannot share the dose among more (`label_times`' fallback: oxazepam 15 mg of
    10 and 15 mg tablets is one dose a day, where the label gives 3-4)."""
    if kit.modified_release or kit.patch or kit.free or not labelled_times(kit):
        return False
    return unit_caps(kit.products)[0] is None and count < label_counts(kit)[0]


def label_times(kit: Kit, wanted: int, daily: Decimal) -> int:
    """Dose times for an immediate-release product whose label gives its doses a day: the
    fewest of them, at least the rule's `wanted`, at which the tablets fill every time; else
    the most times (up to the label's most) the dose fills; else `wanted`. A dose too small
    for the label's times (the tail of a taper) is given fewer times a day: the time between
    doses grows, as the CDC pocket guide says once the lowest dose is reached
    (formulations.md §5; project choice)."""
    if not labelled_times(kit):
        return wanted
    quanta = kit.quanta(daily)
    if quanta is None:
        return wanted
    counts = allowed_counts(kit.products)
    for count in counts:
        if count >= wanted and kit.split(quanta, count, count) is not None:
            return count
    for count in range(max(counts), 0, -1):
        if kit.split(quanta, count, count) is not None:
            return count
    return wanted


def day_cap(kit: Kit) -> Decimal | None:
    """The most a day the kit's labels allow, in the drug's unit (None: no limit): the
    tighter of the units a day and the label's amount a day (`max_amount_per_day`)."""
    caps = [
        p.regimen.max_amount_per_day
        for p in kit.products
        if p.regimen is not None and p.regimen.max_amount_per_day is not None
    ]
    _, per_day = unit_caps(kit.products)
    if per_day is not None and not kit.free and kit.pieces:
        largest = max(piece.strength * piece.fraction for piece in kit.pieces)
        caps.append(largest * per_day)
    return min(caps) if caps else None


_IMMEDIATE: dict[tuple[object, ...], Kit | None] = {}
_LIQUID: dict[tuple[object, ...], Kit | None] = {}


def _same_drug(guideline: Guideline, kit: Kit) -> list[Product]:
    """The formulary's marketed products of the kit's drug in its unit and route."""
    return [
        p
        for p in guideline.formulary
        if p.drug == kit.drug and p.unit == kit.unit and p.route == kit.route and p.marketed
    ]


def _remember(
    cache: dict[tuple[object, ...], Kit | None], key: tuple[object, ...], kit: Kit | None
) -> None:
    if len(cache) > 10_000:
        cache.clear()
    cache[key] = kit


def immediate_kit(guideline: Guideline, sha256: str, kit: Kit) -> Kit | None:
    """The marketed immediate-release tablets and capsules of a depot kit's drug (same unit
    and route), in formulary order; None if the formulary has none."""
    key = (sha256, kit.drug, kit.unit, kit.route)
    if key in _IMMEDIATE:
        return _IMMEDIATE[key]
    products = [
        p
        for p in _same_drug(guideline, kit)
        if not p.modified_release and p.form in ("tablet", "capsule")
    ]
    found = None
    if products and kit.modified_release and not kit.patch:
        found = Kit(kit.drug, kit.unit, kit.route, products)
        found.key = ("immediate", sha256, kit.drug, kit.unit, kit.route)
    _remember(_IMMEDIATE, key, found)
    return found


def liquid_kit(guideline: Guideline, sha256: str, kit: Kit) -> Kit | None:
    """The kit of the drug's marketed oral solution (same unit and route; the lowest
    concentration, which measures the smallest steps), or None if the formulary has none.
    A patch, sublingual or liquid kit changes to no oral solution."""
    key = (sha256, kit.drug, kit.unit, kit.route)
    if key in _LIQUID:
        found = _LIQUID[key]
    else:
        products = [
            p
            for p in _same_drug(guideline, kit)
            if p.form == "oral-solution" and p.liquid is not None
        ]
        found = None
        if products:
            best = min(products, key=lambda p: p.liquid.mg_per_ml if p.liquid else 0)
            found = Kit(kit.drug, kit.unit, kit.route, [best])
            found.key = ("liquid", sha256, kit.drug, kit.unit, kit.route, best.brand)
        _remember(_LIQUID, key, found)
    if found is None or kit.patch or kit.sublingual or kit.liquid is not None or kit.free:
        return None
    return found


def formulation_changes(guideline: Guideline, sha256: str, kit: Kit) -> list[Kit]:
    """The kits a taper on `kit` may change to for a step `kit` cannot make, preferred
    first: a depot kit's immediate-release tablets, then the drug's oral solution."""
    out = []
    if kit.modified_release:
        immediate = immediate_kit(guideline, sha256, kit)
        if immediate is not None:
            out.append(immediate)
    liquid = liquid_kit(guideline, sha256, kit)
    if liquid is not None:
        out.append(liquid)
    return out


def in_reference(
    guideline: Guideline, drug: Drug, unit: DoseUnit, route: Route, amount: Decimal
) -> Fraction | None:
    """`amount` of `drug` a day in its class's reference drug (diazepam or oral morphine mg),
    or None where the rule file's table cannot say."""
    try:
        conv = equivalence.select_conversion(drug, route, unit, guideline)
        return None if conv is None else equivalence.to_reference(conv, Fraction(amount))
    except TaperError:
        return None


def stop_too_high(
    guideline: Guideline, rule: TaperRule, drug: Drug, unit: DoseUnit, route: Route, dose: Decimal
) -> str | None:
    """How the rule says its stop dose when `dose` (a day, in the drug's unit) is above it,
    so the drug may not be stopped from there; None when it may (or no stop dose applies:
    the rule gives none, or the drug has no conversion to the class's reference)."""
    stop = rule.stop_dose
    if stop is None:
        return None
    for item in stop.drugs:
        if item.drug == drug.id and item.unit == unit:
            return None if dose <= item.amount else f"{item.amount.normalize():f} {unit}"
    conv = equivalence.select_conversion(drug, route, unit, guideline)
    table = guideline.equivalence.get(drug.drug_class)
    if conv is None or table is None:
        return None
    reference = equivalence.to_reference(conv, Fraction(dose))
    if reference is None or reference <= Fraction(stop.reference_amount):
        return None
    return f"{stop.reference_amount.normalize():f} {table.unit} {table.reference} a day"
