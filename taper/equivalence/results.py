"""Constants, exact numbers and the result types of a conversion."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Literal

from taper.brand_lines import IngredientIntake
from taper.dispensable import Dispensable
from taper.dose import MedicationInput
from taper.errors import TaperError
from taper.guideline.model import (
    DoseUnit,
    DrugClass,
    Route,
)

QUANTUM = Decimal("0.01")
CLASS_ORDER: tuple[DrugClass, ...] = ("benzodiazepine", "opioid")
CLASS_LABEL: dict[DrugClass, str] = {"benzodiazepine": "benzodiazepine/z-drug", "opioid": "opioid"}
CLASS_ARTICLE: dict[DrugClass, str] = {"benzodiazepine": "a", "opioid": "an"}

BasisKind = Literal["factor", "amount", "band", "points", "none"]
Position = Literal["row", "interpolated", "below-table"]
WarningSeverity = Literal["info", "caution", "high"]

# What a rule's switch does with a load above its cap (convert's switch-cap warning).
ABOVE_CAP = {
    "refuse": "more needs a specialist",
    "cap": "a higher load needs a specialist, who starts at the cap",
}
SWITCH_JUDGEMENT = (
    "Equivalence tables estimate a patient's load; they are not a recipe for switching drugs. "
    "Switch only with clinical judgement, start low and titrate."
)


# --- exact numbers -------------------------------------------------------------------------


def exact(value: Decimal, what: str = "value") -> Fraction:
    """A `Decimal` as an exact rational; refuses NaN and infinities."""
    if not value.is_finite():
        raise TaperError(f"The rule file has a non-finite {what} ({value}).")
    return Fraction(value)


def quantize(value: Fraction) -> Decimal:
    """Round an exact value once to `QUANTUM` (0.01), half away from zero."""
    scaled = abs(value) * 100
    whole, rest = divmod(scaled.numerator, scaled.denominator)
    if 2 * rest >= scaled.denominator:
        whole += 1
    return Decimal(-whole if value < 0 else whole).scaleb(-2)


def decimal_if_exact(value: Fraction) -> Decimal | None:
    """`value` as a Decimal when it terminates in base 10 (1/4 → 0.25); None for 1/3."""
    den = value.denominator
    twos = fives = 0
    while den % 2 == 0:
        den //= 2
        twos += 1
    while den % 5 == 0:
        den //= 5
        fives += 1
    if den != 1:
        return None
    places = max(twos, fives)
    return Decimal(value.numerator * 10**places // value.denominator).scaleb(-places)


# --- results -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceRef:
    id: str
    title: str
    kind: Literal["primary", "secondary"]
    url: str | None = None


@dataclass(frozen=True)
class Basis:
    """What produced an equivalent: the factor, the amount pair, the band or the table rows."""

    kind: BasisKind
    factor: Decimal | None = None  # factor or band factor
    amount: Decimal | None = None  # amount basis: `amount` of the drug equals ...
    equals: Decimal | None = None  # ... `equals` of the reference
    band_above: Decimal | None = None
    band_up_to: Decimal | None = None
    rows: tuple[tuple[Decimal, Decimal], ...] = ()  # points: the row, or the two rows around
    position: Position | None = None
    by_dose: Decimal | None = None  # dose that chose the band/row (combined daily dose)


@dataclass(frozen=True)
class ItemEquivalent:
    """One medication under one rule file. `exact` is None when no factor could be determined."""

    medication: MedicationInput
    drug: str
    drug_name: str
    drug_class: DrugClass
    substitution: bool
    route: Route
    unit: DoseUnit
    amount: Decimal
    reference: str
    reference_unit: DoseUnit
    basis: Basis
    exact: Fraction | None
    equivalent: Decimal | None
    range_exact: tuple[Fraction, Fraction] | None
    range: tuple[Decimal, Decimal] | None
    source: SourceRef | None
    range_sources: tuple[SourceRef, ...]
    unverified: str | None
    flags: tuple[str, ...]
    reason: str | None  # why no factor could be determined
    note: str | None
    # A combination product's other ingredients as written (paracetamol), with their caps.
    ingredients: tuple[IngredientIntake, ...] = ()

    @property
    def determined(self) -> bool:
        return self.exact is not None

    @property
    def factor(self) -> Decimal | None:
        """The effective multiplier (equivalent / dose) when it is an exact decimal."""
        if self.exact is None:
            return None
        if self.basis.factor is not None:
            return self.basis.factor
        return decimal_if_exact(self.exact / Fraction(self.amount))


@dataclass(frozen=True)
class ClassTotal:
    """The exact sum of one class's items, in the class's reference drug and unit."""

    drug_class: DrugClass
    reference: str
    reference_name: str
    reference_route: Route
    unit: DoseUnit
    exact: Fraction
    equivalent: Decimal
    range_exact: tuple[Fraction, Fraction] | None
    range: tuple[Decimal, Decimal] | None
    items: tuple[ItemEquivalent, ...]
    missing: tuple[str, ...]  # medication texts with no factor (or unknown in this rule file)

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def determined(self) -> bool:
        """At least one item has a factor (else the total is unknown, not zero)."""
        return any(i.exact is not None for i in self.items)

    @property
    def drugs(self) -> tuple[str, ...]:
        return tuple(sorted({i.drug for i in self.items}))


@dataclass(frozen=True)
class EquivalenceWarning:
    code: str
    severity: WarningSeverity
    message: str


@dataclass(frozen=True)
class Equivalents:
    guideline_id: str
    items: tuple[ItemEquivalent, ...]
    totals: tuple[ClassTotal, ...]
    warnings: tuple[EquivalenceWarning, ...]

    def total(self, drug_class: DrugClass) -> ClassTotal | None:
        return next((t for t in self.totals if t.drug_class == drug_class), None)


@dataclass(frozen=True)
class TargetResult:
    """A class total expressed as a daily dose of one target drug (`convert --to`)."""

    drug: str
    drug_name: str
    drug_class: DrugClass
    route: Route
    unit: DoseUnit
    total: ClassTotal
    basis: Basis
    exact: Fraction  # equianalgesic / equipotent dose, before any reduction
    dose: Decimal
    switch: bool  # the target differs from a drug in the total
    reduction_percent: Decimal | None  # cross-tolerance reduction applied (switches only)
    reduced_exact: Fraction | None
    reduced_dose: Decimal | None
    source: SourceRef | None
    flags: tuple[str, ...]
    warnings: tuple[EquivalenceWarning, ...]
    # The part of `exact` the patient already takes as the target drug and form: the
    # cross-tolerance reduction applies only to the rest (converted from other drugs).
    kept_exact: Fraction = Fraction(0)
    # The reduction's range (in %) where the sources give one, the reduced doses at its two
    # ends (most reduced first), and where the reduction comes from.
    reduction_range: tuple[Decimal, Decimal] | None = None
    reduced_range: tuple[Decimal, Decimal] | None = None
    reduction_source: SourceRef | None = None
    reduction_unverified: str | None = None
    # A switch to a patch: the formulary's patch dose at or below the starting dose.
    dispensable: Dispensable | None = None

    @property
    def kept_dose(self) -> Decimal:
        return quantize(self.kept_exact)

    @property
    def converted_dose(self) -> Decimal:
        """The part of the target dose converted from other drugs, before any reduction."""
        return quantize(self.exact - self.kept_exact)
