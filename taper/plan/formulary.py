"""Kits from a rule file: which formulary products a plan makes a drug's doses from.

`kit_for` finds (and caches, per rule file by its sha256) the `Kit` of a drug in a unit and
route: the brand the medication was written as, else the first product in the formulary, with
the products of the same route and release. `oral_solutions` and `smaller_products` name what
the formulary has besides, for the plan's advice.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from taper.dose import format_amount
from taper.guideline.model import DoseUnit, Guideline, Product, Route
from taper.names import RELEASE_TEXT, Release, and_list
from taper.plan.decimals import HALF, ONE, QUARTER, tidy
from taper.plan.tablets import Kit

_KITS: dict[tuple[str, ...], Kit] = {}
# Bounded like every cache here: a full mutation run (10,000+ rule files in one process) grew
# to gigabytes, and the garbage collector's passes over it took seconds.
KIT_CACHE_SIZE = 10_000
# The kit each request found (a rule file is known by its sha256, as in `_KITS`); patients
# of a batch ask again and again for the same drug and unit.
_KIT_LOOKUPS: dict[tuple[object, ...], Kit | None] = {}


def _norm(text: str) -> str:
    return " ".join(text.casefold().replace("-", " ").split())


def candidate_products(
    guideline: Guideline,
    drug: str,
    unit: DoseUnit,
    route: Route | None,
    name: str | None = None,
    prefer_modified: bool = False,
    release: Release | None = None,
) -> tuple[Route, list[Product]] | None:
    """The products a plan makes doses of `drug` from, preferred first.

    Marketed tablets, capsules and patches in `unit`. The preferred product is the brand the
    medication was written as (`name`, e.g. "OxyContin"), else the first in the formulary (in
    `route`, if given). Only products of the same route and the same release (immediate or
    modified) join it: a patient on depot tablets stays on depot tablets. With
    `prefer_modified` (opioids), a name that is no formulary brand gets depot products first.
    A release written after a generic name (`release`, "oxycodone MR") keeps only the tablets
    and capsules of that release, as a brand of that release would; patches are depot forms.
    """
    usable = [
        p
        for p in guideline.formulary
        if p.drug == drug and p.unit == unit and p.marketed and p.form != "oral-solution"
    ]
    if route is not None:
        usable = [p for p in usable if p.route == route]
    if release is not None:
        usable = [p for p in usable if p.form == "patch" or p.release == release]
    if not usable:
        return None
    wanted = _norm(name) if name else None
    if prefer_modified:
        # Long-term opioid tapers use depot (modified-release) products when the drug has
        # them, unless the medication was written as a brand of the formulary.
        usable = sorted(usable, key=lambda p: not p.modified_release)  # stable
    first = next((p for p in usable if _norm(p.brand) == wanted), usable[0])
    chosen = [first] + [
        p
        for p in usable
        if p is not first
        and p.route == first.route
        and p.modified_release == first.modified_release
    ]
    return first.route, chosen


def pain_only(products: Sequence[Product]) -> bool:
    """Products all marked for pain: a substitution drug's pain product (buprenorphine
    patches Norspan, BuTrans, Butrans; formulations.md §6) is a pain opioid, not opioid
    substitution. One notion for the plan and for `taper convert`."""
    return bool(products) and all(p.indication == "pain" for p in products)


def is_pain_product(
    guideline: Guideline, drug: str, unit: DoseUnit, route: Route | None, name: str | None
) -> bool:
    """Whether the formulary products a medication line names (its brand, else the drug's
    products in its unit and route, depot first as the plan takes them for opioids) are all
    pain products."""
    found = candidate_products(guideline, drug, unit, route, name, prefer_modified=True)
    return found is not None and pain_only(found[1])


def kit_for(
    guideline: Guideline,
    sha256: str,
    drug: str,
    unit: DoseUnit,
    route: Route | None,
    name: str | None = None,
    prefer_modified: bool = False,
    release: Release | None = None,
) -> Kit | None:
    """The (cached) kit of a drug; None if the formulary has nothing to make it from."""
    asked = (sha256, drug, unit, route, name, prefer_modified, release)
    if asked in _KIT_LOOKUPS:
        return _KIT_LOOKUPS[asked]
    found = candidate_products(guideline, drug, unit, route, name, prefer_modified, release)
    kit = None
    if found is not None:
        key = (sha256, drug, unit, found[0], found[1][0].brand)
        kit = _KITS.get(key)
        if kit is None:
            if len(_KITS) >= KIT_CACHE_SIZE:  # a process may see many rule files (issue 14)
                _KITS.clear()
            kit = _KITS[key] = Kit(drug, unit, found[0], found[1])
            kit.key = key
    if len(_KIT_LOOKUPS) >= 10_000:
        _KIT_LOOKUPS.clear()
    _KIT_LOOKUPS[asked] = kit
    return kit


def oral_solutions(guideline: Guideline, drug: str) -> list[str]:
    return [
        p.brand
        for p in guideline.formulary
        if p.drug == drug and p.form == "oral-solution" and p.marketed
    ]


def _smallest_piece(product: Product) -> Decimal:
    """The smallest amount one piece of `product` gives (as `Kit` cuts its tablets)."""
    whole_only = product.modified_release or product.form in ("patch", "capsule")
    out = []
    for strength in product.strengths:
        fraction = ONE
        if not whole_only and strength.split == "half":
            fraction = HALF
        elif not whole_only and strength.split == "quarter":
            fraction = QUARTER
        out.append(strength.amount * fraction)
    return tidy(min(out))


def smaller_products(guideline: Guideline, kit: Kit) -> list[tuple[Product, Decimal]]:
    """Marketed products of the kit's drug, in its unit and route, that the kit does not use
    (another release or form) and whose smallest piece is smaller than the kit's, with that
    piece: what the formulary has for smaller steps, in formulary order."""
    if kit.free or not kit.pieces:
        return []
    own = min(piece.strength * piece.fraction for piece in kit.pieces)
    used = {p.brand for p in kit.products}
    found = []
    for product in guideline.formulary:
        if (
            product.drug != kit.drug
            or product.unit != kit.unit
            or product.route != kit.route
            or not product.marketed
            or product.form == "oral-solution"
            or not product.strengths
            or product.brand in used
        ):
            continue
        piece = _smallest_piece(product)
        if piece < own:
            found.append((product, piece))
    return found


def release_missing(guideline: Guideline, drug: str, release: Release, written: str) -> str:
    """One sentence: the formulary has no tablets or capsules of `drug` in the release the
    medication line names (`written`, "morphine IR"), with what it has instead."""
    products = [p for p in guideline.formulary if p.drug == drug and p.marketed]
    wanted = RELEASE_TEXT[release]
    if not products:
        return (
            f"Rule file {guideline.id} lists no {drug} product, so no {wanted} one can be "
            f"planned for {written!r}."
        )
    listed = and_list([_product_text(p) for p in products])
    return (
        f"Rule file {guideline.id} has no {wanted} {drug} tablets or capsules for {written!r}; "
        f"its formulary has {drug} as {listed}."
    )


def _product_text(product: Product) -> str:
    kind = (
        "oral solution"
        if product.form == "oral-solution"
        else "patch"
        if product.form == "patch"
        else RELEASE_TEXT[product.release]
    )
    if product.liquid is not None:
        return f"{product.brand} ({kind}, {format_amount(product.liquid.mg_per_ml)} mg/ml)"
    strengths = ", ".join(format_amount(s.amount) for s in product.strengths)
    return f"{product.brand} ({kind}, {strengths} {product.unit})"
