"""Whole medication lists: every line's equivalent, the class totals and the warnings."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from taper.brand_lines import with_ingredients, written_warnings
from taper.dose import TRANSMUCOSAL, MedicationInput, format_amount
from taper.equivalence.conversion import Computed, compute, has_basis, nonlinear, select_conversion
from taper.equivalence.drugs import brand_route, drug_label, is_substitution, resolve_medication
from taper.equivalence.results import (
    CLASS_LABEL,
    CLASS_ORDER,
    Basis,
    ClassTotal,
    EquivalenceWarning,
    Equivalents,
    ItemEquivalent,
    SourceRef,
    quantize,
)
from taper.errors import TaperError
from taper.guideline.model import (
    Conversion,
    Drug,
    DrugClass,
    Guideline,
    Route,
    Source,
)
from taper.rotation import crosses
from taper.rotation import wording as threshold_wording

# --- whole medication lists ----------------------------------------------------------------


@dataclass(frozen=True)
class Resolved:
    med: MedicationInput
    drug: Drug
    conv: Conversion | None
    route: Route
    # A known drug by a route its table has no factor for (buccal fentanyl): an explicit
    # "no factor could be determined", never "unknown drug".
    route_gap: bool = False
    # A substitution drug's pain product (Butrans, Norspan): not opioid substitution.
    pain: bool = False


def _route_gap(drug: Drug, route: Route | None, guideline: Guideline) -> bool:
    """The table converts the drug, but by no conversion of this transmucosal route."""
    table = guideline.equivalence.get(drug.drug_class)
    if route not in TRANSMUCOSAL or table is None:
        return False
    convs = [c for c in table.conversions if c.drug == drug.id]
    return bool(convs) and all(c.route != route for c in convs)


def resolve_line(med: MedicationInput, guideline: Guideline) -> Resolved:
    drug = resolve_medication(med, guideline)
    if _route_gap(drug, med.route, guideline):
        assert med.route is not None
        return Resolved(med, drug, None, med.route, route_gap=True)
    hint = brand_route(med.drug_name, drug, guideline)
    conv = select_conversion(drug, med.route, med.dose.unit, guideline, route_hint=hint)
    route: Route
    if conv is not None:
        route = conv.route
    elif med.route is not None:
        route = med.route
    else:
        route = hint or ("transdermal" if med.dose.unit == "mcg/h" else "oral")
    return Resolved(med, drug, conv, route, pain=_pain_product(med, drug, guideline))


def _pain_product(med: MedicationInput, drug: Drug, guideline: Guideline) -> bool:
    """A substitution drug written as a pain product of the formulary (Butrans 10 mcg/h):
    the plan's own notion (taper/plan/formulary.py), so convert and plan agree."""
    if not is_substitution(drug):
        return False
    from taper.plan.formulary import is_pain_product

    return is_pain_product(guideline, drug.id, med.dose.unit, med.route, med.drug_name)


def source_ref(guideline: Guideline, source_id: str | None) -> SourceRef | None:
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
            if conv.drug == drug.id and conv.note and not has_basis(conv):
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


def line_items(resolved: Sequence[Resolved], guideline: Guideline) -> list[ItemEquivalent]:
    # nonlinear bases are chosen by the drug's combined daily dose
    combined: dict[tuple[str, str, str], Fraction] = {}
    counts: dict[tuple[str, str, str], int] = {}
    for r in resolved:
        if r.conv is not None and nonlinear(r.conv):
            key = (r.drug.id, r.route, r.med.dose.unit)
            combined[key] = combined.get(key, Fraction(0)) + Fraction(r.med.dose.amount)
            counts[key] = counts.get(key, 0) + 1
    items = []
    for r in resolved:
        items.append(_item(r, guideline, combined, counts))
    return items


def _item(
    r: Resolved,
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
        source = source_ref(guideline, r.conv.source or (table.source if table else None))
        range_sources = tuple(
            ref for sid in r.conv.range_sources if (ref := source_ref(guideline, sid)) is not None
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
    resolved = [resolve_line(m, guideline) for m in medications]
    items = [
        with_ingredients(item, r.drug, guideline)
        for item, r in zip(line_items(resolved, guideline), resolved, strict=True)
    ]
    classes = [c for c in CLASS_ORDER if any(i.drug_class == c for i in items)]
    totals = tuple(class_total(c, items, guideline) for c in classes)
    warnings = [*written_warnings(items, guideline), *_warnings(items, totals, guideline)]
    return Equivalents(guideline.id, tuple(items), totals, tuple(warnings))


def convert_item(med: MedicationInput, guideline: Guideline) -> ItemEquivalent:
    """One medication on its own (bands and table rows chosen by this line's dose)."""
    return line_items([resolve_line(med, guideline)], guideline)[0]
