"""Converting a class total to a target drug (`convert --to`)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from taper.dispensable import patch_at_or_below
from taper.dose import format_amount, parse_drug
from taper.equivalence.conversion import (
    form_name,
    identity_conversion,
    inverse,
)
from taper.equivalence.drugs import brand_route, drug_label, is_substitution, resolve_drug
from taper.equivalence.lists import source_ref
from taper.equivalence.results import (
    ABOVE_CAP,
    CLASS_ARTICLE,
    CLASS_LABEL,
    SWITCH_JUDGEMENT,
    ClassTotal,
    EquivalenceWarning,
    TargetResult,
    exact,
    quantize,
)
from taper.errors import TaperError
from taper.guideline.model import (
    Guideline,
)
from taper.names import (
    and_list,
)
from taper.rotation import check_rotation

# --- converting a total to a target drug ---------------------------------------------------


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
    hint = brand_route(name, drug, guideline)
    convs = [c for c in table.conversions if c.drug == drug.id]
    if not convs and drug.id == table.reference:
        convs = [identity_conversion(table)]
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
        forms = ", ".join(sorted({form_name(c.route, c.unit) for c in convs}))
        what = "no such form" if not match else "several forms"
        raise TaperError(
            f"{label} has {what} in rule file {guideline.id} ({forms}): name the route, "
            f"e.g. --to '{label} {sorted({c.route for c in convs})[0]}'."
        )
    conv = match[0]
    inv = inverse(conv, total.exact, label, conv.unit)
    assert inv.value is not None
    switch = any(i.drug != drug.id or i.route != conv.route for i in total.items)
    # What the patient already takes as the target is not switched, so it is not reduced.
    same = [i.exact for i in total.items if i.drug == drug.id and i.route == conv.route]
    kept_total = sum((e for e in same if e is not None), Fraction(0))
    kept = Fraction(0)
    if kept_total > 0:
        kept_inv = inverse(conv, kept_total, label, conv.unit)
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
        source=source_ref(guideline, conv.source or table.source),
        flags=tuple(dict.fromkeys(flags)),
        warnings=tuple(warnings),
        kept_exact=kept,
        reduction_range=None if reduction is None else reduction.range,
        reduced_range=reduced_range,
        reduction_source=None if reduction is None else source_ref(guideline, reduction.source),
        reduction_unverified=None if reduction is None else reduction.unverified,
        dispensable=None
        if not switch or conv.unit != "mcg/h"
        else patch_at_or_below(guideline, drug.id, inv.value if reduced is None else reduced),
    )
