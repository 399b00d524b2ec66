"""Combination products written by their generic names and both strengths, as a patient's
record writes them (clinical review 2026-12, defect 14 and R27), against one rule file:

    acetaminophen/codeine 300/30 mg 2+2+2   the us-cdc-2022 product of these strengths
    paracetamol/kodein 500/30 mg 2+2+2+2    Citodon (se-vgr)
    codeine/paracetamol 30/500 1+1+1        either order; "300 mg/30 mg" also reads

The line is read as the formulary's product with exactly these amounts a tablet, and the rest
of the line as that product's dose (`taper.brand_lines`: its paracetamol, caps and plan), so
a generic combination is never a second way of reading a product. One name must be a generic
name of one of the rule file's drugs, the other the product's other ingredient (paracetamol
and acetaminophen are one ingredient under two names). Anything else that has the form gets
one sentence naming the formulary's combination products; a line without the form is left to
`taper.dose` (None).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from taper.errors import TaperError

if TYPE_CHECKING:  # the batch reader imports this module; the models load only when used
    from taper.guideline.model import Guideline, Product

_NUM = r"[0-9]*[.,]?[0-9]+"
_NAMES = re.compile(r"^(?P<a>[^\W\d_][\w-]*)\s*/\s*(?P<b>[^\W\d_][\w-]*)(?P<rest>(?:\s.*)?)$")
_STRENGTHS = re.compile(
    rf"^\s*(?P<x>{_NUM})\s*(?:mg)?\s*/\s*(?P<y>{_NUM})(?:\s*mg(?![\w/]))?(?P<rest>.*)$",
    re.IGNORECASE,
)
# One ingredient, two names: paracetamol (INN) is acetaminophen (USAN).
_SAME_INGREDIENT = {"acetaminophen": "paracetamol"}


def _ingredient(name: str) -> str:
    key = name.casefold()
    return _SAME_INGREDIENT.get(key, key)


def _combinations(guideline: Guideline, drug: str) -> list[Product]:
    return [p for p in guideline.formulary if p.drug == drug and len(p.ingredients) == 1]


def _written(product: Product, drug_first: bool) -> str:
    """ "acetaminophen/codeine 300/30 mg", in the order the line used."""
    from taper.dose import format_amount

    other = product.ingredients[0]
    opioid = "/".join(format_amount(s.amount) for s in product.strengths)
    names = [product.drug, other.name] if drug_first else [other.name, product.drug]
    amounts = (
        [opioid, format_amount(other.amount)]
        if drug_first
        else [
            format_amount(other.amount),
            opioid,
        ]
    )
    return f"{'/'.join(names)} {'/'.join(amounts)} mg ({_short(product)})"


def _short(product: Product) -> str:
    """The brand without its bracketed contents: "Citodon"."""
    from taper.names import short_brand

    return short_brand(product) or product.brand


def _strengths_text(product: Product, drug_first: bool) -> str:
    from taper.dose import format_amount

    opioid = format_amount(product.strengths[0].amount)
    other = format_amount(product.ingredients[0].amount)
    return f"{opioid}/{other}" if drug_first else f"{other}/{opioid}"


def _listing(products: list[Product], drug_first: bool) -> str:
    from taper.names import and_list

    return and_list([_written(p, drug_first) for p in products])


def has_combination_form(raw: str) -> bool:
    """The line starts "name/name" (it may be a combination by generic names): callers that
    read lines without a rule file (batch) read it with one."""
    return _NAMES.match(" ".join(raw.split())) is not None


def read_generic_combination(raw: str, guideline: Guideline) -> tuple[str, str] | None:
    """(the line with the product's brand for the generic names and strengths, the
    combination as written) for "acetaminophen/codeine 300/30 mg 2+2+2"; None when the line
    is no such form. A form that names no product of the formulary raises one sentence."""
    names = _NAMES.match(raw)
    if names is None:
        return None
    from taper.names import generic_drug

    first, second = names["a"], names["b"]
    drug_a, drug_b = generic_drug(first, guideline), generic_drug(second, guideline)
    if (drug_a is None) == (drug_b is None):
        return None  # no drug of the rule file, or two: not a combination this reads
    drug_first = drug_a is not None
    drug = drug_a if drug_a is not None else drug_b
    assert drug is not None
    other = second if drug_first else first
    written = f"{first}/{second}"
    products = _combinations(guideline, drug.id)
    if not products:
        raise TaperError(
            f"Rule file {guideline.id} lists no combination product of {drug.id}, so "
            f"{written!r} cannot be planned as written (a plan of {drug.id} alone would leave "
            f"out the {other})."
        )
    with_other = [p for p in products if _ingredient(p.ingredients[0].name) == _ingredient(other)]
    if not with_other:
        raise TaperError(
            f"Rule file {guideline.id} has no combination of {drug.id} with {other}, so "
            f"{written!r} cannot be planned as written; its combination products of {drug.id} "
            f"are {_listing(products, drug_first)}."
        )
    strengths = _STRENGTHS.match(names["rest"])
    if strengths is None:
        raise TaperError(
            f"Give both strengths of {written!r} as on the pack, before the tablets (e.g. "
            f"'{written} {_strengths_text(with_other[0], drug_first)} mg 1+1+1' for one tablet "
            "at three dose times); rule file "
            f"{guideline.id} has {_listing(with_other, drug_first)}."
        )
    from taper.dose import format_amount, parse_amount

    x, y = parse_amount(strengths["x"]), parse_amount(strengths["y"])
    opioid, ingredient = (x, y) if drug_first else (y, x)
    found = [
        p
        for p in with_other
        if opioid in {s.amount for s in p.strengths} and p.ingredients[0].amount == ingredient
    ]
    marketed = [p for p in found if p.marketed] or found
    as_written = f"{written} {format_amount(x)}/{format_amount(y)} mg"
    if len(marketed) != 1:
        what = "no product" if not marketed else "more than one product"
        raise TaperError(
            f"Rule file {guideline.id} has {what} of {as_written}: its combination products "
            f"of {drug.id} with {other} are {_listing(with_other, drug_first)}; write the "
            "strengths on the patient's tablets, or the product's brand."
        )
    product = marketed[0]
    rest = strengths["rest"].strip()
    if not rest:
        raise TaperError(
            f"How many tablets of {as_written} ({_short(product)}) are taken at each dose time? "
            f"Write them after the strengths, e.g. '{as_written} 1+1+1' for one tablet at "
            "three dose times."
        )
    return f"{product.brand} {rest}", as_written
