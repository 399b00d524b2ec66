"""The dose a switch to a patch can really start at: the rule file's formulary patches.

Clinician review (taper convert): oxycodone 40 mg -> fentanyl patch suggested 20.83 mcg/h,
which no pharmacy can dispense. A patch is never cut (formulations.md §0.3), so the starting
dose is the largest one the formulary's patches make (the plan's own kit: strengths worn
together, at most the plan's patches at once) at or below the calculated dose, never above
it: a switch starts low (incomplete cross-tolerance).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from taper.guideline.model import Guideline


@dataclass(frozen=True)
class Dispensable:
    """The formulary's nearest patch dose at or below a calculated dose."""

    dose: Decimal  # 0: below the smallest patch
    patches: str  # "1 × Durogesic 12 mcg/h"; "" when none
    smallest: Decimal  # the smallest patch dose the formulary makes


def patch_at_or_below(guideline: Guideline, drug: str, value: Fraction) -> Dispensable | None:
    """The largest patch dose of `drug` (mcg/h) the formulary makes at or below `value`;
    None if the formulary has no marketed patch of it."""
    from taper.dose import format_amount
    from taper.plan.formulary import candidate_products
    from taper.plan.tablets import Kit

    found = candidate_products(guideline, drug, "mcg/h", "transdermal")
    if found is None:
        return None
    kit = Kit(drug, "mcg/h", found[0], found[1])
    quanta = kit.floor_makeable(kit.quanta_floor(value), 1)
    smallest = kit.amount(kit.floor_makeable(kit.smallest, 1) or kit.smallest)
    dose = kit.amount(quanta)
    patches = (
        " + ".join(
            f"{format_amount(t.count)} × {t.brand} {t.strength} {t.unit}"
            for t in kit.tablets(quanta)
        )
        if quanta
        else ""
    )
    return Dispensable(dose, patches, smallest)
