"""Choosing the conversion for a drug, route and unit, and computing one equivalent."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from taper.dose import format_amount
from taper.equivalence.drugs import drug_label
from taper.equivalence.results import Basis, decimal_if_exact, exact, quantize
from taper.errors import TaperError
from taper.guideline.model import (
    Band,
    Conversion,
    DoseUnit,
    Drug,
    EquivalenceTable,
    Guideline,
    Route,
)

# --- choosing a conversion -----------------------------------------------------------------


def has_basis(conv: Conversion) -> bool:
    return (
        conv.factor is not None
        or (conv.amount is not None and conv.equals is not None)
        or bool(conv.bands)
        or bool(conv.points)
    )


def form_name(route: Route, unit: DoseUnit) -> str:
    return f"{route} {unit}" + (" (patch)" if unit == "mcg/h" else "")


def identity_conversion(table: EquivalenceTable) -> Conversion:
    return Conversion(
        drug=table.reference,
        route=table.reference_route,
        unit=table.unit,
        factor=Decimal(1),
        source=table.source,
        unverified_note=table.unverified_note,
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
            convs = [identity_conversion(table)]
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
    forms = sorted({form_name(c.route, c.unit) for c in convs})
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
        asked = form_name(route, unit) if route is not None else unit
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


def nonlinear(conv: Conversion) -> bool:
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
            f"{_fraction_text(dose)} {unit_text} is outside the table's dose bands "
            f"({spans} {unit_text})",
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
            f"{_fraction_text(dose)} {unit_text} is above the table's highest row "
            f"({format_amount(last.dose)} {unit_text})",
        )
    return Computed(None, Basis("none"), (), "the rule file gives no factor for it")


def _dec(value: Fraction) -> Decimal:
    found = decimal_if_exact(value)
    return found if found is not None else quantize(value)


def _fraction_text(value: Fraction) -> str:
    return format_amount(_dec(value))


def to_reference(conv: Conversion, dose: Fraction) -> Fraction | None:
    """The exact reference equivalent of one daily dose under one conversion (None: no factor
    could be determined, e.g. above a table's last row)."""
    return compute(conv, dose).value


def from_reference(conv: Conversion, reference: Fraction, name: str | None = None) -> Fraction:
    """The exact daily dose of the conversion's drug equal to `reference` (the inverse of
    `to_reference`); raises `TaperError` where a band or points table cannot be inverted."""
    value = inverse(conv, reference, name or conv.drug, conv.unit).value
    assert value is not None
    return value


def inverse(conv: Conversion, total: Fraction, name: str, unit: str) -> Computed:
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
            f"The table for {name} cannot be inverted here: {why} {_fraction_text(total)} of the "
            "reference drug."
        )
    forward = compute(conv, found[0], unit)
    return Computed(found[0], forward.basis, forward.flags)
