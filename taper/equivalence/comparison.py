"""Comparing one medication list under several rule files (`taper compare`)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from taper.dose import MedicationInput
from taper.equivalence.drugs import name_table, resolve_drug
from taper.equivalence.lists import Resolved, class_total, line_items, resolve_line
from taper.equivalence.results import CLASS_ORDER, ClassTotal, ItemEquivalent, quantize
from taper.errors import TaperError
from taper.guideline.model import (
    DoseUnit,
    DrugClass,
    Guideline,
)
from taper.names import (
    and_list,
    brand_form_problem,
    example_dose,
    known_elsewhere,
    release_name,
    unknown_form_problem,
)
from taper.names import norm as _norm
from taper.names import suggestions as suggestions

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
        resolved: list[Resolved | None] = []
        reasons: list[str | None] = []
        notes: list[str | None] = []
        for med in medications:
            note = None
            named = _norm(med.drug_name) in name_table(g)
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
                resolved.append(resolve_line(med, g))
                reasons.append(None)
            except TaperError as exc:
                resolved.append(None)
                reasons.append(str(exc))
            notes.append(note)
        computed = iter(line_items([r for r in resolved if r is not None], g))
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
