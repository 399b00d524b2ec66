"""`taper guidelines show`: a readable summary of one rule file, as plain deterministic text.

Every number is followed by where it comes from: `[rjl-2019]` names a source, and
`[UNVERIFIED: reason]` marks a value no source gives, so it can never pass unnoticed.
"""

from __future__ import annotations

from decimal import Decimal

from taper.guideline.diff import basis, num
from taper.guideline.loader import LoadedGuideline
from taper.guideline.model import (
    Conversion,
    Guideline,
    Lang,
    LocalText,
    MinStep,
    Product,
    Provenance,
    TaperRule,
)
from taper.rotation import wording as threshold_wording

UNVERIFIED = "UNVERIFIED"


def mark(obj: Provenance) -> str:
    if obj.unverified is not None:
        return f"[{UNVERIFIED}: {obj.unverified}]"
    if obj.source is not None:
        return f"[{obj.source}]"
    return f"[{UNVERIFIED}: no source given]"


def _text(text: LocalText | None, lang: Lang) -> str:
    return text.get(lang) if text is not None else ""


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def _pct(value: Decimal) -> str:
    return f"{num(value)} %"


def _conversion(conv: Conversion, reference: str) -> str:
    text = basis(conv, reference)
    if conv.range is not None:
        text += f", range {num(conv.range[0])}–{num(conv.range[1])}"
        if conv.range_sources:
            text += f" [range: {', '.join(conv.range_sources)}]"
    return text


def _product(product: Product) -> str:
    splits = {"none": "", "half": " (½)", "quarter": " (¼)"}
    strengths = ", ".join(f"{num(s.amount)}{splits[s.split]}" for s in product.strengths)
    form = product.form + (", modified release" if product.modified_release else "")
    if product.route not in ("oral",) and product.form != "patch":
        form += f", {product.route}"
    status = "" if product.marketed else ", not marketed"
    return (
        f"{product.drug} {product.brand} ({form}{status}): {strengths} {product.unit} "
        f"{mark(product)}"
    )


def _rule(rule: TaperRule) -> list[str]:
    scope: str = rule.drug_class
    if rule.groups:
        scope += f"; groups {', '.join(rule.groups)}"
    if rule.drugs:
        scope += f"; drugs {', '.join(rule.drugs)}"
    lines = [f"  {rule.id} — {rule.title} ({scope})"]
    p = rule.phases
    lines.append(
        f"    phases: mapping {_days(p.mapping_days)}, stabilisation "
        f"{_days(p.stabilisation_days)}; {rule.doses_per_day} doses a day {mark(p)}"
    )
    s = rule.switch
    if s.policy == "never":
        lines.append(f"    switch: never {mark(s)}")
    else:
        only = ", short-acting drugs only" if s.applies_to_short_acting_only else ""
        lines.append(
            f"    switch: {s.policy} to {s.target}{only}; crossover steps of "
            f"{_days(s.crossover_step_days)}, {s.doses_per_day} doses a day {mark(s)}"
        )
        if s.parts_per_dose_time > 1:
            lines.append(
                f"      partial substitution: each dose time replaced in up to "
                f"{s.parts_per_dose_time} steps"
            )
        if s.long_acting_switched:
            lines.append(
                f"      long-acting drugs switched too: {', '.join(s.long_acting_switched)}"
            )
        if s.advised is not None:
            lines.append(
                f"      recommended on the clinician page for: {', '.join(s.advised.drugs)} "
                f"{mark(s.advised)}"
            )
        if s.limits is not None:
            lim = s.limits
            above = (
                "refused without --specialist"
                if lim.above_cap == "refuse"
                else "refused without --specialist, then capped"
            )
            lines.append(
                f"      limits: start at most {num(lim.max_daily)} mg a day (above it: {above}), "
                f"at most {num(lim.max_per_dose)} mg per dose, "
                f"{_days(lim.stabilisation_days)} on it before the first cut {mark(lim)}"
            )
    r = rule.reduction
    share = "of the current dose" if r.mode == "current" else "of the starting dose"
    extra = []
    if r.max_percent is not None:
        extra.append(f"at most {_pct(r.max_percent)}")
    if r.min_interval_days is not None:
        extra.append(f"at least {_days(r.min_interval_days)} apart")
    lines.append(
        f"    reduction: {_pct(r.percent)} {share} every {_days(r.interval_days)}"
        + (f" ({', '.join(extra)})" if extra else "")
        + f" {mark(r)}"
    )
    if r.min_step is not None:
        lines.append(f"      smallest step: {_step(r.min_step)}")
    if rule.slow_down is not None:
        d = rule.slow_down
        below = (
            f"{_pct(d.below_percent_of_start)} of the starting dose"
            if d.below_percent_of_start is not None
            else f"{num(d.below_reference_amount or 0)} mg a day of the class's reference drug"
        )
        lines.append(
            f"    slow down: below {below}, "
            f"{_pct(d.percent)} of the current dose every {_days(d.interval_days)} {mark(d)}"
        )
        if d.min_step is not None:
            lines.append(f"      smallest step: {_step(d.min_step)}")
    pause = rule.pause
    if pause.allowed:
        upto = f", up to {_days(pause.max_days)}" if pause.max_days is not None else ""
        lines.append(f"    pauses: allowed{upto} {mark(pause)}")
    else:
        lines.append(f"    pauses: not allowed {mark(pause)}")
    m = rule.max_duration_days
    lines.append(f"    longest taper: {_days(m.value)} {mark(m)}")
    if rule.talk_every_days is not None:
        talk = rule.talk_every_days
        lines.append(f"    support talks: at least every {_days(talk.value)} {mark(talk)}")
    for few in rule.fewer_dose_times:
        lines.append(
            f"    fewer dose times: {few.drug} below {num(few.below)} {few.unit} at a dose time, "
            f"the dose time dropped first cut first {mark(few)}"
        )
    if rule.specialist_required:
        lines.append("    specialist sign-off required")
    return lines


def _step(step: MinStep) -> str:
    """A smallest step as `show` prints it: reference amount, then per-drug overrides."""
    drugs = "".join(
        f"; {item.drug} {num(item.amount)} {item.unit} {mark(item)}" for item in step.drugs
    )
    return f"{num(step.reference_amount)} mg of the class's reference drug {mark(step)}{drugs}"


def summarize(loaded: LoadedGuideline, lang: Lang | None = None) -> str:
    """The whole `show` page."""
    g: Guideline = loaded.guideline
    lang = lang or g.language
    out: list[str] = [
        f"{g.id} — {g.title}",
        f"Region: {g.region} ({g.country})   Version: {g.version}   Effective: "
        f"{g.effective.isoformat()}   Language: {g.language}   Time zone: {g.timezone}",
        f"File: {loaded.path}   sha256: {loaded.sha256[:12]}",
        "",
        "Sources",
    ]
    for s in g.sources:
        date = f" ({s.date.isoformat()})" if s.date else ""
        kind = " [secondary]" if s.kind == "secondary" else ""
        url = f" {s.url}" if s.url else ""
        out.append(f"  {s.id}: {s.title}{date}{kind}{url}")
    out += ["", "Drugs"]
    for d in g.drugs:
        extra = []
        if d.names:
            extra.append(", ".join(d.names))
        if d.atc:
            extra.append("ATC " + ", ".join(d.atc))
        tags: list[str] = [d.drug_class]
        for tag, on in (
            (d.group, d.group is not None),
            ("long-acting", d.long_acting),
            ("substitution", d.substitution),
        ):
            if on and tag and tag not in tags:
                tags.append(tag)
        name = _text(d.display, lang) if d.display else d.id
        shown = f" “{name}”" if name != d.id else ""
        out.append(
            f"  {d.id}{shown} ({', '.join(tags)})" + (f": {'; '.join(extra)}" if extra else "")
        )
    for cls, table in g.equivalence.items():
        out += [
            "",
            f"Equivalents: {cls} → {table.reference} ({table.reference_route}, {table.unit}) "
            f"{mark(table)}",
        ]
        for conv in table.conversions:
            route = "" if conv.route == "oral" else f" ({conv.route})"
            out.append(f"  {conv.drug}{route}: {_conversion(conv, table.reference)} {mark(conv)}")
        if table.cross_tolerance is not None:
            ct = table.cross_tolerance
            span = f" (sources: {num(ct.range[0])}–{num(ct.range[1])} %)" if ct.range else ""
            out.append(
                f"  when switching within the class (convert --to): start "
                f"{_pct(ct.percent)} lower{span} {mark(ct)}"
            )
        elif table.switch_reduction_percent is not None:
            out.append(
                f"  when switching within the class: start "
                f"{_pct(table.switch_reduction_percent)} lower"
            )
        if table.specialist_only_targets:
            out.append(f"  specialist only as a target: {', '.join(table.specialist_only_targets)}")
        if table.disclaimer is not None:
            out.append(f"  note: {_text(table.disclaimer, lang)}")
    if g.formulary:
        out += ["", "Formulary (½ may be halved, ¼ may be quartered)"]
        out += [f"  {_product(p)}" for p in g.formulary]
    out += [
        "",
        f"Taper rules (order: {', '.join(g.taper_order)}; the first matching rule is the default)",
    ]
    if not g.taper_rules:
        out.append("  (none)")
    for rule in g.taper_rules:
        out += _rule(rule)
    if g.checkpoints is not None:
        c = g.checkpoints
        sup = c.support
        when = ["before each reduction" if sup.before_each_reduction else "no fixed talks"]
        if sup.before_each_reduction:
            when[0] += f" ({_days(sup.lead_days)} ahead)"
        if sup.every_days is not None:
            when.append(f"every {_days(sup.every_days)} during mapping and stabilisation")
        out += ["", "Checkpoints", f"  support talks: {', '.join(when)} {mark(sup)}"]
        if sup.content:
            out.append(f"    content: {', '.join(sup.content)}")
        a = c.aftercare
        out.append(
            f"  aftercare: at least {a.minimum}; contacts {', '.join(a.offsets)} after the last "
            f"dose {mark(a)}"
        )
        if a.content:
            out.append(f"    content: {', '.join(a.content)}")
        if a.opioid_content:
            out.append(f"    after an opioid taper also: {', '.join(a.opioid_content)}")
        if c.evaluation is not None:
            e = c.evaluation
            content = f"; content: {', '.join(e.content)}" if e.content else ""
            out.append(f"  evaluation: {e.after} after the last dose{content} {mark(e)}")
        out.append(f"  weekends avoided: {'yes' if c.avoid_weekends else 'no'}")
        for item in c.content:
            src = f" [{item.source}]" if item.source else ""
            out.append(f"  - {item.id}: {_text(item.text, lang)}{src}")
    if g.referral is not None:
        ref = g.referral
        out += ["", f"Referral{': ' + ref.unit if ref.unit else ''} {mark(ref)}"]
        for crit in ref.criteria:
            out.append(f"  [{crit.kind}] {crit.id}: {_text(crit.text, lang)} {mark(crit)}")
    if g.thresholds:
        out += ["", "Warning thresholds"]
        for t in g.thresholds:
            if t.kind == "total-above" and t.above is not None:
                ref_drug = (
                    g.equivalence[t.drug_class].reference
                    if t.drug_class in (g.equivalence)
                    else "reference"
                )
                how = threshold_wording(t)
                cond = f"{t.drug_class} total {how} mg {ref_drug}"
            elif t.kind == "drug-above" and t.above is not None:
                how = threshold_wording(t)
                cond = f"{t.drug} {how} mg a day"
            else:
                cond = f"{t.drug_class} together with {t.with_class}"
            out.append(f"  {t.id} ({t.severity}): {cond}: {_text(t.message, lang)} {mark(t)}")
    if g.notes:
        out += ["", "Notes"] + [f"  - {n}" for n in g.notes]
    flagged = sum(1 for p in _provenances(g) if p.unverified is not None or p.source is None)
    total = len(_provenances(g))
    out += [
        "",
        f"{flagged} of {total} sourced items are marked {UNVERIFIED} (no source gives them).",
    ]
    return "\n".join(out) + "\n"


def _provenances(g: Guideline) -> list[Provenance]:
    from pydantic import BaseModel

    found: list[Provenance] = []

    def visit(obj: object) -> None:
        if isinstance(obj, Provenance):
            found.append(obj)
        if isinstance(obj, BaseModel):
            for name in type(obj).model_fields:
                visit(getattr(obj, name))
        elif isinstance(obj, list | tuple):
            for item in obj:
                visit(item)
        elif isinstance(obj, dict):
            for item in obj.values():
                visit(item)

    visit(g)
    return found
