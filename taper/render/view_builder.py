"""A plan's view (`taper.render.view`) for one reader: their language, region's names, texts."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Literal

from taper.guideline.model import Guideline
from taper.plan.model import Checkpoint, DoseTimeName, Plan, PlanWarning, Step
from taper.render.clock import plan_clock
from taper.render.dose_text import dispense_text, in_day_order, is_rate, tablet_parts, tablets_text
from taper.render.i18n import Lang, Texts, texts
from taper.render.labels import (
    DOSE_TIMES,
    KIND_LABELS,
    PHASE_LABELS,
    SEVERITY_LABELS,
    STOPPED,
    WARNING_TEMPLATES,
)
from taper.render.messages import Reader
from taper.render.project_choices import project_choices, readable_sources
from taper.render.view import (
    CheckpointView,
    DispenseView,
    DoseLine,
    PlanView,
    StepView,
    Topics,
    WarningView,
    dose_time_label,
)


def find_guideline(plan: Plan) -> Guideline | None:
    """The plan's rule file, for drug names and checkpoint texts; None when it is unknown."""
    from taper.errors import TaperError
    from taper.guideline.loader import load_guideline

    try:
        return load_guideline(plan.guideline.id).guideline
    except TaperError:
        return None


def stamp_text(t: Texts, plan: Plan) -> str:
    g = plan.guideline
    return t._(
        "Guideline %(id)s version %(version)s, sha256 %(sha)s · taper %(tool)s · "
        "plan starts %(start)s",
        id=g.id,
        version=g.version,
        sha=g.sha256,
        tool=plan.tool_version,
        start=t.date(plan.start),
    )


def build_view(
    plan: Plan, lang: Lang, guideline: Guideline | None, *, patient_id: str | None = None
) -> PlanView:
    # Dates and words as the rule file's country writes the language (en_US for a US file).
    t = texts(lang, guideline.country if guideline is not None else None)
    reader = Reader(t, guideline)
    names = _drug_names(guideline, lang)
    content = _content(guideline, lang)

    def drug_name(drug_id: str) -> str:
        return names.get(drug_id, drug_id)

    clock = plan_clock(plan, guideline)
    steps: list[StepView] = []
    previous: dict[str, Decimal] = {}
    for number, step in enumerate(plan.steps, start=1):
        steps.append(
            _step_view(
                t, reader, step, number, drug_name(step.drug), previous.get(step.drug), clock
            )
        )
        previous[step.drug] = step.dose
    used = {dose.time for step in plan.steps for dose in step.doses}
    checkpoints = [_checkpoint_view(t, c, content, plan.language) for c in plan.checkpoints]
    appointments = [c for c in checkpoints if c.checkpoint.kind != "dose-change"]
    supports = [c for c in checkpoints if c.checkpoint.kind == "support"]
    aftercare = [c for c in plan.checkpoints if c.kind == "aftercare"]
    drugs = list(dict.fromkeys(drug_name(s.drug) for s in plan.steps))
    warnings = [
        _warning_view(t, reader, w, drug_name(w.drug) if w.drug else None, guideline)
        for w in plan.warnings
    ]
    return PlanView(
        plan=plan,
        t=t,
        guideline=guideline,
        title=t._("Tapering plan: %(drugs)s", drugs=", ".join(drugs)),
        drugs=drugs,
        drug_names={s.drug: drug_name(s.drug) for s in plan.steps},
        medications=[
            # a patch's rate is not per day: "fentanyl 50 mcg/h"
            f"{drug_name(m.drug)} {t.amount(m.amount, m.unit)}"
            if is_rate(m.unit)
            else t._(
                "%(drug)s %(amount)s a day",
                drug=drug_name(m.drug),
                amount=t.amount(m.amount, m.unit),
            )
            for m in plan.medications
        ],
        start=t.date(plan.start),
        last_dose=t.date(plan.last_dose_date) if plan.last_dose_date else None,
        aftercare_until=t.date(aftercare[-1].date) if aftercare else None,
        steps=steps,
        times=[time for time in DOSE_TIMES if time in used],
        checkpoints=checkpoints,
        appointments=appointments,
        next_support=supports[0] if supports else None,
        topics=_topics(appointments),
        warnings=warnings,
        urgent=[w for w in warnings if w.warning.severity == "high"],
        unverified=project_choices(t, plan.unverified, guideline),
        dispensing=[DispenseView(d.step, dispense_text(t, d)) for d in plan.dispensing],
        stamp=stamp_text(t, plan),
        patches=_patches(plan),
        patient_id=patient_id,
        clock=clock,
    )


def _patches(plan: Plan) -> Literal["none", "some", "all"]:
    rates = [is_rate(s.unit) for s in plan.steps]
    if not any(rates):
        return "none"
    return "all" if all(rates) else "some"


def _drug_names(guideline: Guideline | None, lang: Lang) -> dict[str, str]:
    if guideline is None:
        return {}
    return {d.id: d.display.get(lang) for d in guideline.drugs if d.display is not None}


def _content(guideline: Guideline | None, lang: Lang) -> dict[str, tuple[str, str | None]]:
    if guideline is None or guideline.checkpoints is None:
        return {}
    return {c.id: (c.text.get(lang), c.link) for c in guideline.checkpoints.content}


def _step_view(
    t: Texts,
    reader: Reader,
    step: Step,
    number: int,
    drug: str,
    previous: Decimal | None,
    clock: dict[DoseTimeName, str],
) -> StepView:
    kind: Literal["mapping", "doses", "stop"]
    if step.dose == 0:
        kind = "stop"
    elif step.phase == "mapping":
        kind = "mapping"  # as now (the doses as written, if any, are shown beside it)
    else:
        kind = "doses"
    doses = [
        DoseLine(
            time=d.time,
            label=dose_time_label(t, clock, d.time),
            tablets=tablets_text(t, d, step.unit),
            parts=tablet_parts(t, d, step.unit),
            amount=t.amount(d.amount, step.unit),
        )
        for d in in_day_order(step)
    ]
    return StepView(
        step=step,
        number=number,
        kind=kind,
        # A drug that has stopped while the plan goes on (its 0-dose row lasts until the
        # plan's end) reads as stopped, not as a step of the phase it stopped in.
        phase=t._(STOPPED)
        if kind == "stop" and step.phase != "aftercare"
        else t._(PHASE_LABELS[step.phase]),
        drug=drug,
        start=t.date(step.start),
        end=t.date(step.end),
        dates=t.date_range(step.start, step.end),
        days=t.ngettext("%(num)s day", "%(num)s days", step.days),
        daily=t.amount(step.dose, step.unit),
        doses=doses,
        # No ideal on a row without a dose: there is nothing to take, so nothing to compare.
        ideal=(
            t.amount(step.ideal, step.unit) if step.ideal is not None and kind != "stop" else None
        ),
        note=reader.note(step.note, patch=is_rate(step.unit)) if step.note else None,
        is_change=previous is not None and previous != step.dose,
        t=t,
        patch=is_rate(step.unit),
    )


def _checkpoint_view(
    t: Texts,
    checkpoint: Checkpoint,
    content: dict[str, tuple[str, str | None]],
    plan_lang: str,
) -> CheckpointView:
    # Titles are English keys; a title the catalog does not know is shown only to English
    # readers (or when the plan was written in the reader's language), else the kind's label.
    title = checkpoint.title
    if t.has(title):
        label = t._(title)
    elif plan_lang == t.lang:
        label = title
    else:
        label = t._(KIND_LABELS[checkpoint.kind])
    items = [content.get(cid, (cid, None)) for cid in checkpoint.content]
    return CheckpointView(
        checkpoint=checkpoint,
        date=t.date(checkpoint.date),
        weekday=t.weekday(checkpoint.date),
        label=label,
        content=[text for text, _ in items],
        links=[link for _, link in items if link],
        item_links=[link for _, link in items],
    )


def _topics(checkpoints: list[CheckpointView]) -> list[Topics]:
    """What each kind of contact covers, every item once: a kind whose items an earlier kind
    already listed (a talk before a dose change is a support talk) adds only what is new."""
    content: dict[str, list[str]] = {}
    links: dict[str, list[str]] = {}
    said: set[str] = set()
    for c in checkpoints:
        content.setdefault(c.label, [])
        links.setdefault(c.label, [])
        content[c.label] += [item for item in c.content if item not in said]
        links[c.label] += [link for link in c.links if link not in said]
        said.update(c.content, c.links)
    return [Topics(label, items, links[label]) for label, items in content.items() if items]


def _warning_view(
    t: Texts,
    reader: Reader,
    warning: PlanWarning,
    drug_name: str | None,
    guideline: Guideline | None,
) -> WarningView:
    text = reader.warning(warning.code, warning.message)  # the whole message, translated
    if text is None:
        template = WARNING_TEMPLATES.get(warning.code)
        values = {
            **{k: _param(t, v) for k, v in warning.params.items()},
            **({"drug": drug_name} if drug_name else {}),
        }
        if template is not None and set(re.findall(r"%\((\w+)\)s", template)) <= set(values):
            text = t._(template, **values)
        else:  # as the planner wrote it
            text = warning.message
    return WarningView(
        warning=warning,
        label=t._(SEVERITY_LABELS.get(warning.severity, "Note")),
        # A rule file's note names its sources by name, not id (nurse review 7).
        text=readable_sources(text, guideline),
    )


_DECIMAL_PARAM = re.compile(r"-?\d+\.\d+")


def _param(t: Texts, value: str) -> str:
    """A warning param (language-neutral, "2.5") the reader's way ("2,5")."""
    return t.number(Decimal(value)) if _DECIMAL_PARAM.fullmatch(value) else value
