"""Medication lines that name a formulary product (issue 12), against one rule file.

- A product is named by its brand ("Citodon (paracetamol 500 mg / kodein 30 mg)"), by the
  brand without its bracketed contents ("Citodon"), or by one of its `names` ("Tylenol with
  codeine #3"); a name may hold numbers ("Acetaminophen and codeine 300 mg/30 mg tablets"),
  so the line's dose starts after the longest product name (`product_prefix`).
- Tablets written without their strength ("Sobril 1+1+2") take the brand's strength when the
  rule file lists only one; with several, one sentence asks which (`brand_strength`).
- A combination product's other ingredients (paracetamol) come from the formulary: per dose
  time and per day as written, against the label's caps (`ingredient_intake`). The opioid
  part is the dose itself (its strength is the opioid content) and is converted as usual.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING

from taper.dose import MedicationInput, format_amount
from taper.errors import TaperError
from taper.guideline.model import Drug, Guideline, Product
from taper.names import and_list, name_index, norm, product_names

if TYPE_CHECKING:
    from taper.equivalence import EquivalenceWarning, ItemEquivalent


def products_named(name: str, guideline: Guideline) -> tuple[Product, ...]:
    """The formulary products `name` names (none for a generic name)."""
    return name_index(guideline).named.get(norm(name), ())


def product_prefix(words: list[str], guideline: Guideline) -> int:
    """How many of the line's first words are a product name that holds a number
    ("Acetaminophen and codeine 300 mg/30 mg tablets"), so that its dose starts after them;
    0 when none does (names without numbers need no help to be told from the dose)."""
    for count in range(len(words) - 1, 0, -1):
        name = " ".join(words[:count])
        if re.search(r"[0-9]", name) and products_named(name, guideline):
            return count
    return 0


_TABLETS = frozenset({"tablet", "capsule", "sublingual-tablet"})


def brand_strength(drug: str, written: str, guideline: Guideline) -> Decimal | None:
    """The strength of one tablet of brand `drug` written without it ("Sobril 1+1+2"): the
    brand's only strength in the rule file; None when `drug` is no brand of the formulary
    (a generic name: "tablets or mg?" is asked). Several strengths: one question."""
    named = products_named(drug, guideline)
    if not named or norm(drug) in name_index(guideline).generic:
        return None
    # The brand's family: "Apodorm" is also "Apodorm 2,5 mg", "Xanor" also "Xanor Depot".
    key = norm(drug)
    family = [
        p
        for p in guideline.formulary
        if p.drug == named[0].drug
        and any(n == key or n.startswith(key + " ") for n in map(norm, product_names(p)))
    ]
    if any(p.form not in _TABLETS or p.unit != "mg" or p.liquid is not None for p in family):
        return None  # a solution or patch of the name: counts could be ml or patches
    marketed = [p for p in family if p.marketed] or family
    strengths = sorted({s.amount for p in marketed for s in p.strengths})
    if not strengths:
        return None
    if len(strengths) > 1:
        listed = and_list([format_amount(s) for s in strengths])
        raise TaperError(
            f"{drug} comes as {listed} mg in rule file {guideline.id}; which strength are the "
            f"tablets? Write it before the tablets, e.g. '{drug} {format_amount(strengths[0])} "
            f"mg {written}' for {format_amount(strengths[0])} mg tablets."
        )
    return strengths[0]


def strength_note(
    med: MedicationInput,
    guideline: Guideline,
    ingredients: Sequence[IngredientIntake] = (),
    opioid: str = "opioid",
) -> str | None:
    """The info line for a strength the rule file gave ("Sobril 1+1+2"); None otherwise."""
    if not med.strength_looked_up or med.strength is None:
        return None
    tablet = f"{format_amount(med.strength)} mg tablets"
    if ingredients:  # a combination product's strength is its opioid's
        others = " and ".join(f"{_per_tablet(i)} mg {i.name}" for i in ingredients)
        tablet = f"tablets of {format_amount(med.strength)} mg {opioid} with {others}"
    return (
        f"{med.text} is read as {med.drug_name} {tablet}, the only strength rule file "
        f"{guideline.id} lists for {med.drug_name}: {format_amount(med.dose.amount)} mg a day."
    )


def combination_note(med: MedicationInput, guideline: Guideline, opioid: str) -> str | None:
    """The info line for a combination read by its generic names and strengths
    ("acetaminophen/codeine 300/30 mg 2+2+2", taper.generic_combinations); None otherwise."""
    if med.combination is None:
        return None
    return (
        f"{med.text} is read as {med.drug_name}, the product of rule file {guideline.id} with "
        f"these strengths: {format_amount(med.dose.amount)} mg {opioid} a day."
    )


# --- combination products ------------------------------------------------------------------


@dataclass(frozen=True)
class IngredientIntake:
    """One other ingredient of a combination product as the medication list gives it."""

    product: str  # the product's brand in the rule file
    name: str  # paracetamol, acetaminophen
    per_time: tuple[tuple[str, Decimal], ...]  # mg at each dose time; () when not known
    per_day: Decimal | None  # mg a day (the average day when taken as needed)
    max_per_dose: Decimal | None
    max_per_day: Decimal | None
    over: tuple[str, ...]  # the caps the intake is above, as clauses
    per_tablet: Decimal = Decimal(0)  # mg in one tablet

    @property
    def most_per_dose(self) -> Decimal | None:
        return max((a for _, a in self.per_time), default=None)


def combination_product(med: MedicationInput, drug: Drug, guideline: Guideline) -> Product | None:
    """The combination product (with `ingredients`) a medication line names; None if none."""
    found = [
        p
        for p in products_named(med.drug_name, guideline)
        if p.drug == drug.id and p.ingredients and p.unit == med.dose.unit
    ]
    return found[0] if len(found) == 1 else None


def exact_or_none(value: Fraction) -> Decimal | None:
    """`value` as an exact decimal; None when it has none (a third)."""
    from taper.equivalence import decimal_if_exact  # lazy: taper.equivalence imports this

    return decimal_if_exact(value)


def _shown(value: Fraction) -> str:
    """An amount for a message (0 when it has no exact decimal)."""
    return format_amount(exact_or_none(value) or Decimal(0))


def _units(
    med: MedicationInput, product: Product, guideline_id: str
) -> tuple[tuple[tuple[str, Fraction], ...], Fraction]:
    """Tablets per dose time (empty when not known) and tablets a day (-1: not known)."""
    strengths = sorted({s.amount for s in product.strengths})
    brand = med.drug_name
    if med.strength is not None and med.strength not in strengths:
        listed = and_list([format_amount(s) for s in strengths])
        raise TaperError(
            f"{brand} is {listed} mg {product.drug} a tablet in rule file "
            f"{guideline_id}, not {format_amount(med.strength)} mg: write its tablets "
            f"without the strength (e.g. '{brand} 2+2+2' for two tablets at three dose times)."
        )
    if len(strengths) != 1:
        return (), Fraction(-1)  # several strengths of one product: the tablets are unknown
    strength = Fraction(strengths[0])
    if med.units:
        units = med.units
    elif med.times:
        units = tuple((name, Fraction(amount) / strength) for name, amount in med.times)
    else:
        units = ()
    for name, count in units:
        if (count * 2).denominator != 1:
            raise TaperError(
                f"{med.text!r} gives {_shown(count * strength)} mg "
                f"{product.drug} at the {name} dose, not a whole or half {brand} tablet "
                f"({format_amount(strengths[0])} mg {product.drug}): write the tablets per "
                f"dose time, e.g. '{brand} 2+2+2' for two tablets at three dose times."
            )
    return units, Fraction(med.dose.amount) / strength


def ingredient_intake(
    med: MedicationInput, product: Product, guideline: Guideline
) -> tuple[IngredientIntake, ...]:
    """Each other ingredient of `product` at each dose time and a day, as `med` writes it,
    with the caps it is above (a product's own units per dose and per day included)."""
    units, per_day_units = _units(med, product, guideline.id)
    regimen = product.regimen
    unit_over: list[str] = []
    if regimen is not None and regimen.max_units_per_dose is not None:
        most = max((c for _, c in units), default=None)
        if most is not None and most > Fraction(regimen.max_units_per_dose):
            unit_over.append(
                f"{_shown(most)} tablets at one dose time "
                f"(label: at most {format_amount(regimen.max_units_per_dose)})"
            )
    if (
        regimen is not None
        and regimen.max_units_per_day is not None
        and per_day_units > Fraction(regimen.max_units_per_day)
    ):
        unit_over.append(
            f"{_shown(per_day_units)} tablets a day (label: "
            f"at most {format_amount(regimen.max_units_per_day)})"
        )
    out = []
    for item in product.ingredients:
        amount = Fraction(item.amount)
        per_time = tuple(
            (name, found)
            for name, count in units
            if (found := exact_or_none(count * amount)) is not None
        )
        per_day = exact_or_none(per_day_units * amount) if per_day_units >= 0 else None
        over = list(unit_over)
        unit_over = []  # said once, with the first ingredient
        cap = item.max_per_dose
        above = [(name, mg) for name, mg in per_time if cap is not None and mg > cap]
        if above and cap is not None:
            highest = max(mg for _, mg in above)
            times = ", ".join(name for name, _ in above)
            over.append(
                f"{format_amount(highest)} mg {item.name} at one dose time ({times}; label: at "
                f"most {format_amount(cap)} mg a dose)"
            )
        if item.max_per_day is not None and per_day is not None and per_day > item.max_per_day:
            over.append(
                f"{format_amount(per_day)} mg {item.name} a day (label: at most "
                f"{format_amount(item.max_per_day)} mg a day)"
            )
        out.append(
            IngredientIntake(
                product.brand,
                item.name,
                per_time,
                per_day,
                item.max_per_dose,
                item.max_per_day,
                tuple(over),
                item.amount,
            )
        )
    return tuple(out)


def intake_text(intake: IngredientIntake) -> str:
    """ "500 mg a dose: morning 1000 mg, ...; 3000 mg a day (label: at most ...)"."""
    parts = []
    if intake.per_time:
        times = ", ".join(f"{name} {format_amount(mg)} mg" for name, mg in intake.per_time)
        parts.append(times)
    if intake.per_day is not None:
        parts.append(f"{format_amount(intake.per_day)} mg a day")
    caps = []
    if intake.max_per_dose is not None:
        caps.append(f"{format_amount(intake.max_per_dose)} mg a dose")
    if intake.max_per_day is not None:
        caps.append(f"{format_amount(intake.max_per_day)} mg a day")
    text = "; ".join(parts) or "not known from the dose as written"
    return text + (f" (label: at most {' and '.join(caps)})" if caps else "")


def over_cap_sentence(med: MedicationInput, intake: IngredientIntake) -> str:
    """One sentence: the dose as written is above the product's label caps."""
    return f"{med.text!r} is above the label of {intake.product}: {'; '.join(intake.over)}"


# --- on a conversion -----------------------------------------------------------------------


def with_ingredients(item: ItemEquivalent, drug: Drug, guideline: Guideline) -> ItemEquivalent:
    """A conversion item with its combination product's other ingredients as written."""
    product = combination_product(item.medication, drug, guideline)
    if product is None:
        return item
    found = ingredient_intake(item.medication, product, guideline)
    return dataclasses.replace(item, ingredients=found)


def written_warnings(
    items: Sequence[ItemEquivalent], guideline: Guideline
) -> list[EquivalenceWarning]:
    """A strength the rule file gave (info) and an intake above a label's caps (high)."""
    from taper.equivalence import EquivalenceWarning

    out: list[EquivalenceWarning] = []
    for item in items:
        note = strength_note(item.medication, guideline, item.ingredients, item.drug)
        if note is not None:
            out.append(EquivalenceWarning("strength-looked-up", "info", note))
        read_as = combination_note(item.medication, guideline, item.drug)
        if read_as is not None:
            out.append(EquivalenceWarning("combination-read-as", "info", read_as))
        for intake in item.ingredients:
            if intake.over:
                out.append(
                    EquivalenceWarning(
                        "ingredient-above-label",
                        "high",
                        over_cap_sentence(item.medication, intake)
                        + "; the patient takes more than the label allows.",
                    )
                )
    return out


def units_text(med: MedicationInput) -> str | None:
    """ "30 mg tablets: morning 2, midday 2, evening 2" for a dose written in tablets."""
    if not med.units or med.strength is None:
        return None
    counts = ", ".join(f"{name} {_count_text(c)}" for name, c in med.units)
    return f"{format_amount(med.strength)} mg tablets: {counts}"


def _count_text(count: Fraction) -> str:
    found = exact_or_none(count)
    return format_amount(found) if found is not None else str(count)


def _per_tablet(intake: IngredientIntake) -> str:
    return format_amount(intake.per_tablet)
