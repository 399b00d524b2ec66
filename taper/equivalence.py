"""Dose equivalents: diazepam milligrams and oral morphine milligrams under one rule file.

Pure functions over typed values; nothing here reads files or prints.

Arithmetic. Every dose and every number of the rule file is a `Decimal`; the calculation runs
on exact rationals (`fractions.Fraction` built from those decimals, never a float), so
`dose x equals / amount` is exact even when it does not terminate (25 mg oxazepam x 5/15), a
linear table scales exactly linearly, a class total is the exact sum of its items, and
converting a total back to the reference drug returns it unchanged. Results are rounded
**once, at the end**, to 0.01 of the unit (half up, `QUANTUM`): the `equivalent`, `range` and
`dose` fields are rounded, the `exact` fields are not. A class total is the exact sum of the
exact items, rounded once; it can therefore differ by 0.01 from the sum of the rounded items.

Bases (see `taper.guideline.model.Conversion`):
- `factor`: reference = dose x factor (patches: factor per mcg/h of delivery rate, never per
  patch, so a 3-day patch is never counted three times);
- `amount`/`equals`: reference = dose x equals / amount;
- `bands`: the factor of the band the daily dose falls in (`above` < dose <= `up_to`);
- `points`: published table rows; a dose on a row is exact, between rows it is interpolated
  linearly (flag `interpolated`), below the first row it is proportional from zero (flag
  `below-table`), above the last row no factor can be determined.
For `bands` and `points` the dose is the drug's **combined** daily dose when several lines
name the same drug, route and unit (two methadone lines are one methadone dose); each line
gets its share of the result (flag `combined-dose`).

A medication the table has no conversion for gives an explicit "no factor could be determined"
result: it is never counted as zero, and its class total is marked incomplete.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Literal

from taper.brand_lines import IngredientIntake, with_ingredients, written_warnings
from taper.dispensable import Dispensable, patch_at_or_below
from taper.dose import TRANSMUCOSAL, MedicationInput, format_amount, parse_drug
from taper.errors import TaperError
from taper.guideline.model import (
    Band,
    Conversion,
    DoseUnit,
    Drug,
    DrugClass,
    EquivalenceTable,
    Guideline,
    Route,
    Source,
)
from taper.names import (
    and_list,
    brand_form_problem,
    brand_with_release,
    elsewhere_message,
    example_dose,
    known_elsewhere,
    name_index,
    release_name,
    split_release,
    unknown_form_problem,
)
from taper.names import norm as _norm
from taper.names import suggestions as suggestions
from taper.rotation import check_rotation, crosses
from taper.rotation import wording as threshold_wording

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


# --- drug names ----------------------------------------------------------------------------


SUBSTITUTION_IDS = frozenset({"methadone", "buprenorphine", "levomethadone"})


def is_substitution(drug: Drug) -> bool:
    """An opioid-substitution drug: marked so in the rule file, or methadone/buprenorphine
    (by id or ATC N07BC) even where a file forgot to mark it — their conversions always warn."""
    return (
        drug.substitution
        or drug.group == "substitution"
        or drug.id in SUBSTITUTION_IDS
        or any(code.startswith("N07BC") for code in drug.atc)
    )


def drug_label(drug: Drug) -> str:
    return drug.display.en if drug.display is not None else drug.id


def _name_index(guideline: Guideline) -> dict[str, tuple[str, set[str]]]:
    """Normalised name → (name as written, ids of the drugs it names). Read-only."""
    return name_index(guideline).names


def resolve_drug(name: str, guideline: Guideline, example: str | None = None) -> Drug:
    """The rule file's drug for a name as typed: id, brand or other name, ATC code, display
    name; case-insensitive. Unknown names raise `TaperError`: a name another shipped rule
    file knows says so (brand names are regional), else "did you mean …" for names within a
    typing slip or two. `example` is the dose for the "write '…'" hint ("10 mg")."""
    index = _name_index(guideline)
    hit = index.get(_norm(name))
    if hit is None:
        released = release_name(name, guideline)
        if released is not None:  # "oxycodone MR": the drug; the plan picks the release
            return next(d for d in guideline.drugs if d.id == released.drug)
        branded = brand_with_release(name, guideline, example)
        if branded is not None:
            raise TaperError(branded)
        elsewhere = known_elsewhere(name, guideline.id)
        split = split_release(name)
        if not elsewhere and split is not None:
            name = split[0]  # "oxycodne MR": the name before the release word is unknown
            elsewhere = known_elsewhere(name, guideline.id)
        if elsewhere:
            raise TaperError(elsewhere_message(name, guideline, elsewhere, example))
        close = suggestions(name, guideline)
        message = f"Unknown drug {name!r} in rule file {guideline.id}"
        covered = [c for c in CLASS_ORDER if c in guideline.equivalence]
        if close:
            message += f". Did you mean {' or '.join(close)}?"
        elif len(covered) < len(CLASS_ORDER):
            labels = " and ".join(CLASS_LABEL[c] for c in covered) or "no"
            message += f"; it converts {labels} doses only."
        else:
            message += "."
        raise TaperError(message)
    ids = sorted(hit[1])
    if len(ids) > 1:
        raise TaperError(
            f"{name!r} names more than one drug in rule file {guideline.id} "
            f"({', '.join(ids)}): use the generic name."
        )
    return next(d for d in guideline.drugs if d.id == ids[0])


def resolve_medication(med: MedicationInput, guideline: Guideline) -> Drug:
    """`resolve_drug` for a medication line, and the brand's form checked against its unit
    (every command resolves its medications here or through `_resolve`)."""
    local = _local_generic(med.drug_name, guideline)
    if local is not None:  # a brand of another region: its form is unknown here too
        problem = unknown_form_problem(med, local, guideline, written=local.id)
        if problem is not None:
            raise TaperError(problem)
    drug = resolve_drug(med.drug_name, guideline, example_dose(med))
    check_brand_form(med, drug, guideline)
    return drug


def _local_generic(name: str, guideline: Guideline) -> Drug | None:
    """The drug of this rule file that `name`, unknown here, names in the other shipped rule
    files, when they agree on one; None otherwise."""
    if _norm(name) in _name_index(guideline):
        return None
    found = known_elsewhere(name, guideline.id)
    if len(found) != 1:
        return None
    generic = next(iter(found))
    return next((d for d in guideline.drugs if d.id == generic), None)


def check_brand_form(med: MedicationInput, drug: Drug, guideline: Guideline) -> None:
    """Refuse a brand given in the unit of another form (Norspan 10 mg, Subutex 8 mcg/h)."""
    problem = brand_form_problem(med, drug, guideline)
    if problem is not None:
        raise TaperError(problem)


def _brand_route(name: str, drug: Drug, guideline: Guideline) -> Route | None:
    """The route of a formulary brand typed as the drug name (Subutex → sublingual)."""
    routes = {
        p.route for p in guideline.formulary if p.drug == drug.id and _norm(p.brand) == _norm(name)
    }
    return routes.pop() if len(routes) == 1 else None


# --- choosing a conversion -----------------------------------------------------------------


def _has_basis(conv: Conversion) -> bool:
    return (
        conv.factor is not None
        or (conv.amount is not None and conv.equals is not None)
        or bool(conv.bands)
        or bool(conv.points)
    )


def _form(route: Route, unit: DoseUnit) -> str:
    return f"{route} {unit}" + (" (patch)" if unit == "mcg/h" else "")


def _identity(table: EquivalenceTable) -> Conversion:
    return Conversion(
        drug=table.reference,
        route=table.reference_route,
        unit=table.unit,
        factor=Decimal(1),
        source=table.source,
        unverified=table.unverified,
    )


def select_conversion(
    drug: Drug,
    route: Route | None,
    unit: DoseUnit,
    guideline: Guideline,
    route_hint: Route | None = None,
) -> Conversion | None:
    """The conversion for `drug` given as `unit` (by `route`, if given).

    None when the class's table has no entry for the drug at all (an explicit "no factor"
    result). A form the table lacks — a patch unit for a tablet drug, a route it does not
    list — raises `TaperError` naming the forms that exist.
    """
    table = guideline.equivalence.get(drug.drug_class)
    if table is None:
        return None
    convs = [c for c in table.conversions if c.drug == drug.id]
    if not convs:
        if drug.id == table.reference:
            convs = [_identity(table)]
        else:
            return None
    name = drug_label(drug)
    if route is not None:
        match = [c for c in convs if c.route == route and c.unit == unit]
    else:
        match = [c for c in convs if c.unit == unit]
        for preferred in (route_hint, table.reference_route, "oral"):
            narrowed = [c for c in match if c.route == preferred]
            if len(match) > 1 and narrowed:
                match = narrowed
    if len(match) == 1:
        return match[0]
    forms = sorted({_form(c.route, c.unit) for c in convs})
    if not match:
        if unit == "mcg/h" and all(c.unit == "mg" for c in convs):
            raise TaperError(
                f"{name} has no patch conversion in rule file {guideline.id}: mcg/h is for "
                f"patches; give the daily dose in mg ({', '.join(forms)})."
            )
        if unit == "mg" and all(c.unit == "mcg/h" for c in convs):
            raise TaperError(
                f"{name} is converted from patches in rule file {guideline.id}: give the "
                f"delivery rate in mcg/h, e.g. '{name} patch 25 mcg/h'."
            )
        asked = _form(route, unit) if route is not None else unit
        raise TaperError(
            f"Rule file {guideline.id} has no conversion for {name} as {asked}; "
            f"it has: {', '.join(forms)}."
        )
    routes = sorted({c.route for c in match})
    raise TaperError(
        f"{name} has several conversions in rule file {guideline.id} ({', '.join(forms)}): "
        f"give the route, e.g. '{name} {routes[0]} ...'."
    )


# --- computing one equivalent --------------------------------------------------------------


@dataclass(frozen=True)
class Computed:
    """An exact equivalent (None: no factor) with what produced it."""

    value: Fraction | None
    basis: Basis
    flags: tuple[str, ...] = ()
    reason: str | None = None
    range: tuple[Fraction, Fraction] | None = None


def _nonlinear(conv: Conversion) -> bool:
    return conv.factor is None and not (conv.amount is not None and conv.equals is not None)


def _band_factor(bands: Sequence[Band], dose: Fraction) -> Fraction | None:
    """The factor of the band `dose` falls in (`above` < dose <= `up_to`); None outside."""
    for band in bands:
        above = exact(band.above, "band limit")
        up_to = None if band.up_to is None else exact(band.up_to, "band limit")
        if above < dose and (up_to is None or dose <= up_to):
            return exact(band.factor, "band factor")
    return None


def compute(conv: Conversion, dose: Fraction, unit_text: str = "") -> Computed:
    """Reference equivalent of `dose` under one conversion, exact (see the module docstring)."""
    unit_text = unit_text or conv.unit
    if conv.factor is not None:
        factor = exact(conv.factor, "factor")
        ends = [] if conv.range is None else [exact(conv.range[0]), exact(conv.range[1])]
        other = _band_factor(conv.range_bands, dose) if conv.range_bands else None
        if other is not None and other != factor:
            # Two sources disagree (methadone: CDC 2022 4.7, CDC 2016 8 at 21-40 mg).
            ends += [factor, other]
        rng = (dose * min(ends), dose * max(ends)) if ends else None
        return Computed(dose * factor, Basis("factor", factor=conv.factor), (), None, rng)
    if conv.amount is not None and conv.equals is not None:
        amount = exact(conv.amount, "amount")
        equals = exact(conv.equals, "equivalent amount")
        if amount <= 0:
            raise TaperError(f"The rule file's amount for {conv.drug} must be positive.")
        rng = None
        if conv.range is not None:
            # an amount range inverts: more of the drug per reference unit → a smaller equivalent
            lo_amount, hi_amount = sorted((exact(conv.range[0]), exact(conv.range[1])))
            if lo_amount <= 0:
                raise TaperError(f"The rule file's amount range for {conv.drug} must be positive.")
            rng = (dose * equals / hi_amount, dose * equals / lo_amount)
        basis = Basis("amount", amount=conv.amount, equals=conv.equals)
        return Computed(dose * equals / amount, basis, (), None, rng)
    if conv.bands:
        for band in sorted(conv.bands, key=lambda b: b.above):
            above = exact(band.above, "band limit")
            up_to = None if band.up_to is None else exact(band.up_to, "band limit")
            if above < dose and (up_to is None or dose <= up_to):
                basis = Basis(
                    "band",
                    factor=band.factor,
                    band_above=band.above,
                    band_up_to=band.up_to,
                    by_dose=_dec(dose),
                )
                return Computed(dose * exact(band.factor, "band factor"), basis, ("band",))
        spans = ", ".join(
            f"{format_amount(b.above)}–{'' if b.up_to is None else format_amount(b.up_to)}"
            for b in sorted(conv.bands, key=lambda b: b.above)
        )
        return Computed(
            None,
            Basis("none", by_dose=_dec(dose)),
            (),
            f"{_fmt(dose)} {unit_text} is outside the table's dose bands ({spans} {unit_text})",
        )
    if conv.points:
        rows = sorted(
            ((exact(p.dose, "table dose"), exact(p.equals, "table value"), p) for p in conv.points),
            key=lambda r: (r[0], r[1]),
        )
        for d, e, p in rows:
            if d == dose:
                basis = Basis(
                    "points", rows=((p.dose, p.equals),), position="row", by_dose=_dec(dose)
                )
                return Computed(e, basis)
        first_d, first_e, first = rows[0]
        if dose < first_d:
            basis = Basis(
                "points",
                rows=((first.dose, first.equals),),
                position="below-table",
                by_dose=_dec(dose),
            )
            return Computed(first_e * dose / first_d, basis, ("below-table",))
        for (d0, e0, p0), (d1, e1, p1) in itertools.pairwise(rows):
            if d0 < dose < d1:
                value = e0 + (e1 - e0) * (dose - d0) / (d1 - d0)
                basis = Basis(
                    "points",
                    rows=((p0.dose, p0.equals), (p1.dose, p1.equals)),
                    position="interpolated",
                    by_dose=_dec(dose),
                )
                return Computed(value, basis, ("interpolated",))
        last = rows[-1][2]
        return Computed(
            None,
            Basis("none", by_dose=_dec(dose)),
            (),
            f"{_fmt(dose)} {unit_text} is above the table's highest row "
            f"({format_amount(last.dose)} {unit_text})",
        )
    return Computed(None, Basis("none"), (), "the rule file gives no factor for it")


def _dec(value: Fraction) -> Decimal:
    found = decimal_if_exact(value)
    return found if found is not None else quantize(value)


def _fmt(value: Fraction) -> str:
    return format_amount(_dec(value))


def to_reference(conv: Conversion, dose: Fraction) -> Fraction | None:
    """The exact reference equivalent of one daily dose under one conversion (None: no factor
    could be determined, e.g. above a table's last row)."""
    return compute(conv, dose).value


def from_reference(conv: Conversion, reference: Fraction, name: str | None = None) -> Fraction:
    """The exact daily dose of the conversion's drug equal to `reference` (the inverse of
    `to_reference`); raises `TaperError` where a band or points table cannot be inverted."""
    value = _inverse(conv, reference, name or conv.drug, conv.unit).value
    assert value is not None
    return value


# --- whole medication lists ----------------------------------------------------------------


@dataclass(frozen=True)
class _Resolved:
    med: MedicationInput
    drug: Drug
    conv: Conversion | None
    route: Route
    # A known drug by a route its table has no factor for (buccal fentanyl): an explicit
    # "no factor could be determined", never "unknown drug".
    route_gap: bool = False
    # A substitution drug's pain product (Butrans, Norspan): not opioid substitution.
    pain: bool = False


def route_gap(drug: Drug, route: Route | None, guideline: Guideline) -> bool:
    """The table converts the drug, but by no conversion of this transmucosal route."""
    table = guideline.equivalence.get(drug.drug_class)
    if route not in TRANSMUCOSAL or table is None:
        return False
    convs = [c for c in table.conversions if c.drug == drug.id]
    return bool(convs) and all(c.route != route for c in convs)


def _resolve(med: MedicationInput, guideline: Guideline) -> _Resolved:
    drug = resolve_medication(med, guideline)
    if route_gap(drug, med.route, guideline):
        assert med.route is not None
        return _Resolved(med, drug, None, med.route, route_gap=True)
    hint = _brand_route(med.drug_name, drug, guideline)
    conv = select_conversion(drug, med.route, med.dose.unit, guideline, route_hint=hint)
    route: Route
    if conv is not None:
        route = conv.route
    elif med.route is not None:
        route = med.route
    else:
        route = hint or ("transdermal" if med.dose.unit == "mcg/h" else "oral")
    return _Resolved(med, drug, conv, route, pain=_pain_product(med, drug, guideline))


def _pain_product(med: MedicationInput, drug: Drug, guideline: Guideline) -> bool:
    """A substitution drug written as a pain product of the formulary (Butrans 10 mcg/h):
    the plan's own notion (taper/plan/formulary.py), so convert and plan agree."""
    if not is_substitution(drug):
        return False
    from taper.plan.formulary import is_pain_product

    return is_pain_product(guideline, drug.id, med.dose.unit, med.route, med.drug_name)


def _source(guideline: Guideline, source_id: str | None) -> SourceRef | None:
    if source_id is None:
        return None
    for s in guideline.sources:
        if s.id == source_id:
            return _ref(s)
    return SourceRef(source_id, source_id, "primary")


def _ref(s: Source) -> SourceRef:
    return SourceRef(s.id, s.title, s.kind, s.url)


def _drug_notes(drug: Drug, guideline: Guideline) -> list[str]:
    """Notes the rule file gives about a drug it cannot convert (e.g. CDC on buprenorphine)."""
    notes: list[str] = []
    table = guideline.equivalence.get(drug.drug_class)
    if table is not None:
        for conv in table.conversions:
            if conv.drug == drug.id and conv.note and not _has_basis(conv):
                notes.append(conv.note)
    # a file-level note about the drug's conversion: it begins with the drug's name and its
    # first sentence speaks of a conversion, factor or table ("Buprenorphine has no
    # conversion. CDC 2022 leaves it out of its table because ...")
    words = [drug.id, *drug.names]
    if drug.display is not None:
        words.append(drug.display.en)
    for note in guideline.notes:
        first = re.split(r"(?<=[.!?])\s", note.strip(), maxsplit=1)[0].casefold()
        starts = any(re.match(rf"{re.escape(w.casefold())}(?!\w)", first) for w in words)
        if starts and re.search(r"conversion|factor|table|equivalen", first):
            notes.append(note.strip())
    return list(dict.fromkeys(notes))


def _items(resolved: Sequence[_Resolved], guideline: Guideline) -> list[ItemEquivalent]:
    # nonlinear bases are chosen by the drug's combined daily dose
    combined: dict[tuple[str, str, str], Fraction] = {}
    counts: dict[tuple[str, str, str], int] = {}
    for r in resolved:
        if r.conv is not None and _nonlinear(r.conv):
            key = (r.drug.id, r.route, r.med.dose.unit)
            combined[key] = combined.get(key, Fraction(0)) + Fraction(r.med.dose.amount)
            counts[key] = counts.get(key, 0) + 1
    items = []
    for r in resolved:
        items.append(_item(r, guideline, combined, counts))
    return items


def _item(
    r: _Resolved,
    guideline: Guideline,
    combined: dict[tuple[str, str, str], Fraction],
    counts: dict[tuple[str, str, str], int],
) -> ItemEquivalent:
    drug, med = r.drug, r.med
    table = guideline.equivalence.get(drug.drug_class)
    dose = Fraction(med.dose.amount)
    flags: list[str] = []
    if table is None:
        reference, ref_unit = "", med.dose.unit
        computed = Computed(
            None, Basis("none"), (), f"the rule file has no {drug.drug_class} table"
        )
    else:
        reference, ref_unit = table.reference, table.unit
        if r.conv is None and r.route_gap:
            computed = Computed(
                None,
                Basis("none"),
                ("route-not-in-table",),
                f"rule file {guideline.id} converts {drug_label(drug)} by other routes only",
            )
        elif r.conv is None:
            computed = Computed(
                None,
                Basis("none"),
                (),
                f"the rule file has no conversion for {drug_label(drug)}",
            )
        else:
            key = (drug.id, r.route, med.dose.unit)
            if key in combined and counts[key] > 1:
                whole = compute(r.conv, combined[key], med.dose.unit)
                share = dose / combined[key]
                computed = Computed(
                    None if whole.value is None else whole.value * share,
                    whole.basis,
                    (*whole.flags, "combined-dose"),
                    whole.reason,
                    None,
                )
            else:
                computed = compute(r.conv, dose, med.dose.unit)
    reason = computed.reason
    note = r.conv.note if r.conv is not None else None
    if computed.value is None:
        flags.append("no-factor")
        extra = [] if r.route_gap else _drug_notes(drug, guideline)
        if note and note not in extra:
            extra.insert(0, note)
        if extra:  # the rule file explains why: its words replace the generic reason
            reason = " ".join(extra)
            note = None
        reason = (reason or "").rstrip(". ") or None
    flags.extend(computed.flags)
    unverified = None
    source = None
    range_sources: tuple[SourceRef, ...] = ()
    if r.conv is not None:
        unverified = r.conv.unverified or (table.unverified if table is not None else None)
        source = _source(guideline, r.conv.source or (table.source if table else None))
        range_sources = tuple(
            ref for sid in r.conv.range_sources if (ref := _source(guideline, sid)) is not None
        )
    if unverified:
        flags.append("unverified")
    if source is not None and source.kind == "secondary":
        flags.append("secondary-source")
    substitution = is_substitution(drug) and not r.pain
    if substitution:
        flags.append("substitution")
    elif r.pain:
        flags.append("pain-product")
    rng = computed.range
    return ItemEquivalent(
        medication=med,
        drug=drug.id,
        drug_name=drug_label(drug),
        drug_class=drug.drug_class,
        substitution=substitution,
        route=r.route,
        unit=med.dose.unit,
        amount=med.dose.amount,
        reference=reference,
        reference_unit=ref_unit,
        basis=computed.basis,
        exact=computed.value,
        equivalent=None if computed.value is None else quantize(computed.value),
        range_exact=rng,
        range=None if rng is None else (quantize(rng[0]), quantize(rng[1])),
        source=source,
        range_sources=range_sources,
        unverified=unverified,
        flags=tuple(dict.fromkeys(flags)),
        reason=reason,
        note=note,
    )


def class_total(
    drug_class: DrugClass,
    items: Sequence[ItemEquivalent],
    guideline: Guideline,
    missing: Sequence[str] = (),
) -> ClassTotal:
    """The exact sum of the determined items of one class; items without a factor (and
    `missing` texts, e.g. drugs this rule file does not know) make it incomplete."""
    table = guideline.equivalence.get(drug_class)
    own = tuple(i for i in items if i.drug_class == drug_class)
    total = sum((i.exact for i in own if i.exact is not None), Fraction(0))
    ranged = any(i.range_exact is not None for i in own if i.exact is not None)
    rng: tuple[Fraction, Fraction] | None = None
    if ranged:
        lo = sum(
            (i.range_exact[0] if i.range_exact else i.exact for i in own if i.exact is not None),
            Fraction(0),
        )
        hi = sum(
            (i.range_exact[1] if i.range_exact else i.exact for i in own if i.exact is not None),
            Fraction(0),
        )
        rng = (lo, hi)
    gaps = tuple(i.medication.text for i in own if i.exact is None) + tuple(missing)
    reference = table.reference if table is not None else ""
    ref_drug = next((d for d in guideline.drugs if d.id == reference), None)
    return ClassTotal(
        drug_class=drug_class,
        reference=reference,
        reference_name=drug_label(ref_drug) if ref_drug is not None else reference,
        reference_route=table.reference_route if table is not None else "oral",
        unit=table.unit if table is not None else "mg",
        exact=total,
        equivalent=quantize(total),
        range_exact=rng,
        range=None if rng is None else (quantize(rng[0]), quantize(rng[1])),
        items=own,
        missing=gaps,
    )


def _warnings(
    items: Sequence[ItemEquivalent], totals: Sequence[ClassTotal], guideline: Guideline
) -> list[EquivalenceWarning]:
    out: list[EquivalenceWarning] = []
    seen_substitution: set[str] = set()
    for item in items:
        if item.substitution and item.drug not in seen_substitution:
            seen_substitution.add(item.drug)
            out.append(
                EquivalenceWarning(
                    "substitution-drug",
                    "high",
                    f"{item.drug_name} is an opioid-substitution drug: equivalence conversions "
                    "are unreliable for it, and a taper needs specialist sign-off.",
                )
            )
    for item in items:
        if "pain-product" in item.flags and item.drug not in seen_substitution:
            seen_substitution.add(item.drug)
            out.append(
                EquivalenceWarning(
                    "pain-product",
                    "info",
                    f"{item.medication.text} is a pain product of {item.drug_name} in the "
                    f"formulary of {guideline.id}, not opioid substitution: it is tapered as a "
                    "pain opioid, without a specialist's sign-off.",
                )
            )
    for item in items:
        if item.exact is None and "route-not-in-table" in item.flags:
            out.append(
                EquivalenceWarning(
                    "no-factor",
                    "caution",
                    f"No factor could be determined for {item.drug_name} by the {item.route} "
                    f"route in {guideline.id}. The {CLASS_LABEL[item.drug_class]} total leaves "
                    "it out and is incomplete.",
                )
            )
        elif item.exact is None:
            out.append(
                EquivalenceWarning(
                    "no-factor",
                    "caution",
                    f"No factor could be determined for {item.medication.text}: {item.reason}. "
                    f"The {CLASS_LABEL[item.drug_class]} total leaves it out and is incomplete.",
                )
            )
    for item in items:
        if item.unverified and item.exact is not None:
            out.append(
                EquivalenceWarning(
                    "unverified-factor",
                    "caution",
                    f"The conversion for {item.drug_name} is not from a source: {item.unverified}.",
                )
            )
    by_class = {t.drug_class: t for t in totals}
    present = {i.drug_class for i in items}
    for th in guideline.thresholds:
        text = th.message.get("en")
        if th.kind == "total-above" and th.above is not None and th.drug_class in by_class:
            total = by_class[th.drug_class]
            route = f"{total.reference_route} " if th.drug_class == "opioid" else ""
            shown = (
                f"{format_amount(total.equivalent)} {total.unit}/day {route}{total.reference_name}"
                if total.determined
                else "not determined: no item could be converted"  # unknown is never zero
            )
            if crosses(th, total.exact):
                out.append(
                    EquivalenceWarning(
                        f"threshold:{th.id}",
                        th.severity,
                        f"{text} (total {shown}; threshold {format_amount(th.above)}"
                        f"{' or more' if th.operator == '>=' else ''}).",
                    )
                )
            elif not total.complete:
                out.append(
                    EquivalenceWarning(
                        f"threshold-unknown:{th.id}",
                        "caution",
                        f"The {CLASS_LABEL[th.drug_class]} total ({shown}) is incomplete, so "
                        f"threshold {th.id} ({threshold_wording(th)}) cannot be ruled out.",
                    )
                )
        elif th.kind == "drug-above" and th.drug is not None and th.above is not None:
            dose = sum(
                (Fraction(i.amount) for i in items if i.drug == th.drug and i.unit == "mg"),
                Fraction(0),
            )
            if dose and crosses(th, dose):
                name = next(i.drug_name for i in items if i.drug == th.drug)
                out.append(
                    EquivalenceWarning(
                        f"threshold:{th.id}",
                        th.severity,
                        f"{text} (total {format_amount(quantize(dose))} mg/day {name}; "
                        f"threshold {format_amount(th.above)}"
                        f"{' or more' if th.operator == '>=' else ''}).",
                    )
                )
        elif (
            th.kind == "combined-with"
            and th.with_class is not None
            and th.drug_class in present
            and th.with_class in present
        ):
            out.append(EquivalenceWarning(f"threshold:{th.id}", th.severity, text))
    return out


def equivalents(medications: Sequence[MedicationInput], guideline: Guideline) -> Equivalents:
    """Every medication's equivalent, one exact total per class, and the warnings.

    Raises `TaperError` for a drug the rule file does not know or a form it has no
    conversion for; a known drug without a factor is an explicit result instead.
    """
    if not medications:
        raise TaperError("No medication given.")
    resolved = [_resolve(m, guideline) for m in medications]
    items = [
        with_ingredients(item, r.drug, guideline)
        for item, r in zip(_items(resolved, guideline), resolved, strict=True)
    ]
    classes = [c for c in CLASS_ORDER if any(i.drug_class == c for i in items)]
    totals = tuple(class_total(c, items, guideline) for c in classes)
    warnings = [*written_warnings(items, guideline), *_warnings(items, totals, guideline)]
    return Equivalents(guideline.id, tuple(items), totals, tuple(warnings))


def convert_item(med: MedicationInput, guideline: Guideline) -> ItemEquivalent:
    """One medication on its own (bands and table rows chosen by this line's dose)."""
    return _items([_resolve(med, guideline)], guideline)[0]


# --- converting a total to a target drug ---------------------------------------------------


def _inverse(conv: Conversion, total: Fraction, name: str, unit: str) -> Computed:
    """The dose of the conversion's drug whose equivalent is exactly `total`."""
    if conv.factor is not None:
        factor = exact(conv.factor, "factor")
        if factor <= 0:
            raise TaperError(f"The rule file's factor for {name} is not positive.")
        return Computed(total / factor, Basis("factor", factor=conv.factor))
    if conv.amount is not None and conv.equals is not None:
        equals = exact(conv.equals, "equivalent amount")
        if equals <= 0:
            raise TaperError(f"The rule file's equivalent amount for {name} is not positive.")
        basis = Basis("amount", amount=conv.amount, equals=conv.equals)
        return Computed(total * exact(conv.amount, "amount") / equals, basis)
    candidates: list[Fraction] = []
    if conv.bands:
        for band in conv.bands:
            factor = exact(band.factor, "band factor")
            if factor <= 0:
                continue
            dose = total / factor
            above = exact(band.above, "band limit")
            if above < dose and (band.up_to is None or dose <= exact(band.up_to, "band limit")):
                candidates.append(dose)
    elif conv.points:
        rows = sorted((exact(p.dose), exact(p.equals)) for p in conv.points)
        segments = [(Fraction(0), Fraction(0), *rows[0])]
        segments.extend((*a, *b) for a, b in itertools.pairwise(rows))
        for d0, e0, d1, e1 in segments:
            lo, hi = sorted((e0, e1))
            if e0 == e1:
                if total == e0 and d0 > 0:
                    candidates.extend([d0, d1])
                continue
            if lo <= total <= hi:
                candidates.append(d0 + (d1 - d0) * (total - e0) / (e1 - e0))
    else:
        raise TaperError(f"No factor could be determined for {name}, so no dose can be given.")
    found = sorted(set(candidates))
    if len(found) != 1:
        why = "no dose of the table gives" if not found else "several doses of the table give"
        raise TaperError(
            f"The table for {name} cannot be inverted here: {why} {_fmt(total)} of the "
            "reference drug."
        )
    forward = compute(conv, found[0], unit)
    return Computed(found[0], forward.basis, forward.flags)


def to_target(
    total: ClassTotal, target: str, guideline: Guideline, *, specialist: bool = False
) -> TargetResult:
    """Express a class total as a daily dose of `target` ("oxycodone", "fentanyl patch").

    The exact inverse of the target's conversion: converting a total to the class's reference
    drug returns the total unchanged. When the target differs from a drug in the total (a
    switch) the rule file's `switch_reduction_percent` (cross-tolerance) gives the reduced
    dose: it reduces only the part converted from other drugs, never the dose the patient
    already takes as the target (oxycodone 40 + morphine 60 to oxycodone at 50 %: 40 + 15).
    Refuses a drug of another class and the table's `specialist_only_targets`.
    """
    name, route = parse_drug(target)
    drug = resolve_drug(name, guideline)
    label = drug_label(drug)
    if drug.drug_class != total.drug_class:
        raise TaperError(
            f"{label} is {CLASS_ARTICLE[drug.drug_class]} "
            f"{CLASS_LABEL[drug.drug_class]} and the total is {CLASS_LABEL[total.drug_class]}: "
            "classes are never converted into each other."
        )
    table = guideline.equivalence.get(drug.drug_class)
    if table is None:
        raise TaperError(f"Rule file {guideline.id} has no {drug.drug_class} table.")
    if drug.id in table.specialist_only_targets:
        raise TaperError(
            f"Rule file {guideline.id} allows switching to {label} only under a specialist; "
            "taper does not calculate that switch."
        )
    if total.exact <= 0:
        # Say why (clinician review: no-helsedir methadone has no factor).
        why = (
            f": no factor could be determined for {and_list(list(total.missing))} in this rule "
            "file (taper convert without --to says why)"
            if total.missing
            else ""
        )
        raise TaperError(
            f"No {CLASS_LABEL[total.drug_class]} could be converted under {guideline.id}, so "
            f"there is no total to express as {label}{why}."
        )
    hint = _brand_route(name, drug, guideline)
    convs = [c for c in table.conversions if c.drug == drug.id]
    if not convs and drug.id == table.reference:
        convs = [_identity(table)]
    if not convs:
        raise TaperError(f"Rule file {guideline.id} has no conversion for {label}.")
    if route is not None:
        match = [c for c in convs if c.route == route]
    else:
        match = list(convs)
        for preferred in (hint, table.reference_route, "oral"):
            narrowed = [c for c in match if c.route == preferred]
            if len(match) > 1 and narrowed:
                match = narrowed
    if len(match) != 1:
        forms = ", ".join(sorted({_form(c.route, c.unit) for c in convs}))
        what = "no such form" if not match else "several forms"
        raise TaperError(
            f"{label} has {what} in rule file {guideline.id} ({forms}): name the route, "
            f"e.g. --to '{label} {sorted({c.route for c in convs})[0]}'."
        )
    conv = match[0]
    inv = _inverse(conv, total.exact, label, conv.unit)
    assert inv.value is not None
    switch = any(i.drug != drug.id or i.route != conv.route for i in total.items)
    # What the patient already takes as the target is not switched, so it is not reduced.
    same = [i.exact for i in total.items if i.drug == drug.id and i.route == conv.route]
    kept_total = sum((e for e in same if e is not None), Fraction(0))
    kept = Fraction(0)
    if kept_total > 0:
        kept_inv = _inverse(conv, kept_total, label, conv.unit)
        assert kept_inv.value is not None
        kept = min(kept_inv.value, inv.value)
    reduction = check_rotation(
        guideline=guideline,
        drug_class=total.drug_class,
        source_drugs=[i.drug for i in total.items if i.drug != drug.id or i.route != conv.route],
        target_name=label,
        switch=switch,
        specialist=specialist,
    )
    if not switch:
        reduction = None
    percent = None if reduction is None else reduction.percent
    reduced: Fraction | None = None
    reduced_range: tuple[Decimal, Decimal] | None = None

    linear = inv.value

    def reduce(by: Decimal) -> Fraction:
        share = exact(by, "switch reduction")
        if not 0 <= share < 100:
            raise TaperError(f"The rule file's switch reduction ({by} %) is out of range.")
        return kept + (linear - kept) * (100 - share) / 100

    if reduction is not None:
        reduced = reduce(reduction.percent)
        if reduction.range is not None:
            ends = sorted((reduce(reduction.range[0]), reduce(reduction.range[1])))
            reduced_range = (quantize(ends[0]), quantize(ends[1]))
    warnings = [
        EquivalenceWarning("switch-judgement", "high" if switch else "info", SWITCH_JUDGEMENT)
    ]
    if not total.complete:
        warnings.append(
            EquivalenceWarning(
                "target-incomplete-total",
                "high",
                f"The {CLASS_LABEL[total.drug_class]} total is incomplete (no factor for "
                f"{', '.join(total.missing)}); the {label} dose covers only the rest.",
            )
        )
    for rule in guideline.taper_rules:
        limits = rule.switch.limits
        if rule.switch.target == drug.id and limits and inv.value > exact(limits.max_daily):
            # The load in the target drug is no starting dose for a switch (issue 12).
            warnings.append(
                EquivalenceWarning(
                    "switch-cap",
                    "high",
                    f"Rule {rule.id} starts a switch to {label} at no more than "
                    f"{format_amount(limits.max_daily)} {conv.unit} a day "
                    f"({ABOVE_CAP[limits.above_cap]}"
                    f"); {format_amount(quantize(inv.value))} {conv.unit} is the equivalent load, "
                    "not a starting dose.",
                )
            )
            break
    if is_substitution(drug):
        warnings.append(
            EquivalenceWarning(
                "substitution-drug",
                "high",
                f"{label} is an opioid-substitution drug: conversions to it are unreliable and "
                "need specialist sign-off.",
            )
        )
    flags = list(inv.flags)
    if conv.unverified or table.unverified or (reduction is not None and reduction.unverified):
        flags.append("unverified")
    return TargetResult(
        drug=drug.id,
        drug_name=label,
        drug_class=drug.drug_class,
        route=conv.route,
        unit=conv.unit,
        total=total,
        basis=inv.basis,
        exact=inv.value,
        dose=quantize(inv.value),
        switch=switch,
        reduction_percent=percent,
        reduced_exact=reduced,
        reduced_dose=None if reduced is None else quantize(reduced),
        source=_source(guideline, conv.source or table.source),
        flags=tuple(dict.fromkeys(flags)),
        warnings=tuple(warnings),
        kept_exact=kept,
        reduction_range=None if reduction is None else reduction.range,
        reduced_range=reduced_range,
        reduction_source=None if reduction is None else _source(guideline, reduction.source),
        reduction_unverified=None if reduction is None else reduction.unverified,
        dispensable=None
        if not switch or conv.unit != "mcg/h"
        else patch_at_or_below(guideline, drug.id, inv.value if reduced is None else reduced),
    )


# --- comparing rule files ------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """One medication (or one class total) under one rule file."""

    guideline_id: str
    item: ItemEquivalent | None  # None: the rule file does not know the drug / its form
    reason: str | None  # why there is no value
    # How the medication was read when this rule file does not know the name but another
    # compared one does ("'Xanor' read as alprazolam, its name in no-helsedir and se-vgr").
    note: str | None = None


@dataclass(frozen=True)
class Spread:
    reference: str
    unit: DoseUnit
    lowest: Decimal
    lowest_in: tuple[str, ...]
    highest: Decimal
    highest_in: tuple[str, ...]
    ratio: Decimal | None  # highest / lowest, rounded once to 0.01
    compared: int  # how many rule files had a value


@dataclass(frozen=True)
class CompareRow:
    medication: MedicationInput
    drug_class: DrugClass | None
    cells: tuple[Cell, ...]
    spread: Spread | None


@dataclass(frozen=True)
class CompareTotal:
    drug_class: DrugClass
    totals: tuple[tuple[str, ClassTotal], ...]  # per rule file
    spread: Spread | None  # over complete totals only


@dataclass(frozen=True)
class Comparison:
    guideline_ids: tuple[str, ...]
    rows: tuple[CompareRow, ...]
    totals: tuple[CompareTotal, ...]


def _spread(values: Sequence[tuple[str, str, DoseUnit, Fraction]]) -> Spread | None:
    """Lowest, highest and their ratio across rule files with the same reference and unit."""
    if not values:
        return None
    refs = {(ref, unit) for _, ref, unit, _ in values}
    if len(refs) != 1:
        return None
    ref, unit = refs.pop()
    low = min(v for *_, v in values)
    high = max(v for *_, v in values)
    return Spread(
        reference=ref,
        unit=unit,
        lowest=quantize(low),
        lowest_in=tuple(g for g, _, _, v in values if v == low),
        highest=quantize(high),
        highest_in=tuple(g for g, _, _, v in values if v == high),
        ratio=None if low <= 0 else quantize(high / low),
        compared=len(values),
    )


def _generic_among(
    med: MedicationInput, guideline: Guideline, guidelines: Sequence[Guideline]
) -> tuple[str | None, str]:
    """The generic name for a name `guideline` does not know but other compared rule files
    do (a regional brand), with the note saying so; (None, the reason) when there is none."""
    name = med.drug_name
    missing = f"{name!r} is not in this rule file"
    found = known_elsewhere(name, guideline.id, among=guidelines)
    if not found:
        return None, missing
    if len(found) > 1:
        named = "; ".join(f"{d} in {and_list(gids)}" for d, gids in sorted(found.items()))
        return None, f"{missing} (it names different drugs elsewhere: {named})"
    generic, gids = next(iter(found.items()))
    local = next((d for d in guideline.drugs if d.id == generic), None)
    if local is None:
        return None, missing
    for other in guidelines:
        if other.id in gids:
            problem = brand_form_problem(med, resolve_drug(name, other), other)
            if problem is not None:
                return None, problem
    # The brand's form is unknown here, whatever the others say.
    problem = unknown_form_problem(med, local, guideline, written=local.id)
    if problem is not None:
        return None, problem
    return generic, f"{name!r} read as {generic}, as in {and_list(gids)}"


def compare(medications: Sequence[MedicationInput], guidelines: Sequence[Guideline]) -> Comparison:
    """The same medications under each rule file, side by side, with the spread.

    A drug a rule file does not know, or a form it lacks, is a cell with a reason, not an
    error; only a drug that no rule file knows raises `TaperError`.
    """
    if not medications:
        raise TaperError("No medication given.")
    if not guidelines:
        raise TaperError("No rule files to compare.")
    per_rule: list[tuple[Guideline, list[Cell]]] = []
    for g in guidelines:
        resolved: list[_Resolved | None] = []
        reasons: list[str | None] = []
        notes: list[str | None] = []
        for med in medications:
            note = None
            named = _norm(med.drug_name) in _name_index(g)
            if not named and release_name(med.drug_name, g) is None:
                generic, why = _generic_among(med, g, guidelines)
                if generic is None:
                    resolved.append(None)
                    reasons.append(why)
                    notes.append(None)
                    continue
                note = why
                med = dataclasses.replace(med, drug_name=generic)
            try:
                resolved.append(_resolve(med, g))
                reasons.append(None)
            except TaperError as exc:
                resolved.append(None)
                reasons.append(str(exc))
            notes.append(note)
        computed = iter(_items([r for r in resolved if r is not None], g))
        cells = []
        for r, reason, note in zip(resolved, reasons, notes, strict=True):
            if r is None:
                cells.append(Cell(g.id, None, reason, note))
            else:
                item = next(computed)
                cells.append(Cell(g.id, item, item.reason, note))
        per_rule.append((g, cells))
    rows = []
    for index, med in enumerate(medications):
        cells_here = tuple(cells[index] for _, cells in per_rule)
        classes = [c.item.drug_class for c in cells_here if c.item is not None]
        if not classes:
            hints: list[str] = []
            for g in guidelines:
                hints.extend(suggestions(med.drug_name, g))
            hint = list(dict.fromkeys(hints))[:3]
            extra = f" Did you mean {' or '.join(hint)}?" if hint else ""
            if all((c.reason or "").endswith("is not in this rule file") for c in cells_here):
                found = known_elsewhere(med.drug_name, "")
                if found:
                    what = "; ".join(f"{d} in {and_list(g)}" for d, g in sorted(found.items()))
                    raise TaperError(
                        f"{med.drug_name!r} is not a name in the rule files compared (brand "
                        f"names are regional); it is {what}: write the generic name, e.g. "
                        f"'{sorted(found)[0]} {example_dose(med)}'."
                    )
                raise TaperError(f"Unknown drug {med.drug_name!r} in every rule file.{extra}")
            raise TaperError(next(c.reason for c in cells_here if c.reason))
        values = [
            (c.guideline_id, c.item.reference, c.item.reference_unit, c.item.exact)
            for c in cells_here
            if c.item is not None and c.item.exact is not None
        ]
        rows.append(CompareRow(med, classes[0], cells_here, _spread(values)))
    totals = []
    for drug_class in CLASS_ORDER:
        members = [i for i, row in enumerate(rows) if row.drug_class == drug_class]
        if not members:
            continue
        region_totals: list[tuple[str, ClassTotal]] = []
        for g, cells in per_rule:
            items = [cells[i].item for i in members if cells[i].item is not None]
            unknown = [medications[i].text for i in members if cells[i].item is None]
            known = [i for i in items if i is not None and i.drug_class == drug_class]
            region_totals.append((g.id, class_total(drug_class, known, g, unknown)))
        complete = [(gid, t.reference, t.unit, t.exact) for gid, t in region_totals if t.complete]
        totals.append(CompareTotal(drug_class, tuple(region_totals), _spread(complete)))
    return Comparison(tuple(g.id for g in guidelines), tuple(rows), tuple(totals))
