"""Switching opioids through `convert --to`, and how thresholds compare a total.

An equivalence table estimates load; it is not a recipe for a switch. So a rotation to
another opioid always carries the rule file's cross-tolerance reduction (a sourced range
where the sources give one, applied at its most reduced end), the linear figure is shown
beside it only as an estimate, and a rule file without a reduction gets no switch at all.
Methadone is never the source of such a switch without a specialist: its potency depends on
the dose and its half-life is long and variable (CDC 2022 table notes; Helsedirektoratet's
dose-dependent ratios).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING

from taper.errors import TaperError

if TYPE_CHECKING:
    from taper.guideline.model import DrugClass, EquivalenceTable, Guideline, Threshold

# Drugs whose conversion to another opioid needs a specialist (dose-dependent potency; project
# choice after CDC 2022's special caution with methadone, clinical-facts.md §6.1, and the
# sources' factors that rise with the dose, §10.12).
SPECIALIST_SOURCES = frozenset({"methadone", "levomethadone"})


@dataclass(frozen=True)
class CrossToleranceReduction:
    """The reduction a rotation applies: `percent` (the most reduced end of `range`)."""

    percent: Decimal
    range: tuple[Decimal, Decimal] | None
    source: str | None
    unverified: str | None

    @property
    def least(self) -> Decimal:
        """The smallest reduction the sources give (the highest dose a switch may reach)."""
        return self.range[0] if self.range is not None else self.percent


def reduction_for(table: EquivalenceTable) -> CrossToleranceReduction | None:
    """The table's cross-tolerance reduction: `cross_tolerance` (own provenance and range)
    or the plain `switch_reduction_percent` (sourced by the table)."""
    own = table.cross_tolerance
    if own is not None:
        return CrossToleranceReduction(own.percent, own.range, own.source, own.unverified)
    if table.switch_reduction_percent is not None:
        return CrossToleranceReduction(
            table.switch_reduction_percent, None, table.source, table.unverified
        )
    return None


def check_rotation(
    *,
    guideline: Guideline,
    drug_class: DrugClass,
    source_drugs: Iterable[str],
    target_name: str,
    switch: bool,
    specialist: bool,
) -> CrossToleranceReduction | None:
    """Refuse a rotation taper must not calculate; return the reduction it applies.

    Only opioid rotations are checked here (a benzodiazepine total expressed as diazepam is
    the load estimate the substitution plans start from, and `taper plan` caps it).
    """
    table = guideline.equivalence.get(drug_class)
    if table is None or drug_class != "opioid" or not switch:
        return None if table is None else reduction_for(table)
    from_specialist = sorted(set(source_drugs) & SPECIALIST_SOURCES)
    if from_specialist and not specialist:
        raise TaperError(
            f"Converting {from_specialist[0]} to {target_name} needs a specialist: its potency "
            "depends on the dose and its half-life is long and variable, so no table ratio is "
            "a safe starting dose. Add --specialist once a specialist has approved the switch."
        )
    reduction = reduction_for(table)
    if reduction is None:
        raise TaperError(
            f"Rule file {guideline.id} gives no cross-tolerance reduction for switching "
            f"opioids, so taper does not calculate a switch to {target_name} (a linear "
            "conversion estimates load; it is not a starting dose)."
        )
    return reduction


# --- thresholds ------------------------------------------------------------------------------


def crosses(threshold: Threshold, value: Fraction) -> bool:
    """Whether a total meets the threshold, by its own operator ("or more" is inclusive)."""
    assert threshold.above is not None
    limit = Fraction(threshold.above)
    return value >= limit if threshold.operator == ">=" else value > limit


def wording(threshold: Threshold) -> str:
    """ "above 50" or "50 or more", as the operator reads."""
    from taper.dose import format_amount

    assert threshold.above is not None
    shown = format_amount(threshold.above)
    return f"{shown} or more" if threshold.operator == ">=" else f"above {shown}"


def plan_warning(guideline: Guideline, code: str) -> bool:
    """Whether a `convert` warning belongs on a taper plan: advice about starting or raising
    a dose (`conversions_only`) does not."""
    for th in guideline.thresholds:
        if code in (f"threshold:{th.id}", f"threshold-unknown:{th.id}"):
            return not th.conversions_only
    return True
