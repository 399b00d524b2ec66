"""A plan as a reader sees it: every label translated, every number and date formatted.

The renderers share this one view, so the text, markdown, html, csv, ics and fhir outputs
say the same thing in the same words. Nothing here computes a dose: the view only formats
what the planner decided.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Literal

from taper.guideline.model import Guideline
from taper.plan.model import (
    Checkpoint,
    CheckpointKind,
    Dispense,
    DoseAtTime,
    DoseTimeName,
    Phase,
    Plan,
    PlanWarning,
    Step,
    TabletCount,
)
from taper.render.i18n import Lang, Texts, texts
from taper.render.messages import Reader
from taper.render.project_choices import project_choices


def N_(msgid: str) -> str:
    """Mark a msgid for extraction; it is translated where it is shown."""
    return msgid


DOSE_TIMES: tuple[DoseTimeName, ...] = (
    "morning",
    "midday",
    "afternoon",
    "evening",
    "bedtime",
    "patch",
)
TIME_LABELS: dict[DoseTimeName, str] = {
    "morning": N_("Morning"),
    "midday": N_("Midday"),
    "afternoon": N_("Afternoon"),
    "evening": N_("Evening"),
    "bedtime": N_("Bedtime"),
    "patch": N_("Patch"),  # worn day and night: the dose is a delivery rate
}
PHASE_LABELS: dict[Phase, str] = {
    "mapping": N_("Mapping your intake"),
    "stabilisation": N_("Fixed doses"),
    "switch": N_("Switching drug"),
    "taper": N_("Tapering"),
    "aftercare": N_("Aftercare"),
}
STOPPED = N_("Stopped")  # the phase column of a drug's 0-dose row outside aftercare
KIND_LABELS: dict[CheckpointKind, str] = {
    "support": N_("Support talk"),
    "dose-change": N_("Dose change"),
    "aftercare": N_("Aftercare contact"),
    "evaluation": N_("Evaluation"),
}
SEVERITY_LABELS: dict[str, str] = {
    "info": N_("Note"),
    "caution": N_("Caution"),
    "high": N_("Important"),
}
# Warnings the planner gives, by code, as English templates over the warning's params (and
# %(drug)s, the drug's name): only a fallback, for a plan whose message the reader does not
# read (e.g. a plan saved by an older taper). The planner's message, read whole by
# `messages.Reader`, comes first: these short forms leave out what the message says besides
# (how long a dose is held, what would allow smaller steps, the rule's --switch offer).
WARNING_TEMPLATES: dict[str, str] = {
    "max-duration-exceeded": N_(
        "The taper of %(drug)s takes %(days)s days, longer than the %(limit)s days the rule "
        "gives as its maximum. The speed was not changed; review the plan with the patient."
    ),
    "switch": N_(
        "%(drug)s is replaced by %(target)s one dose time at a time, at the equivalent dose. "
        "Equivalence tables are approximate; watch for sedation or withdrawal during the switch."
    ),
    "switch-declined": N_(
        "The rule recommends switching %(drug)s to %(target)s; the switch was turned off."
    ),
    "tablet-limited": N_(
        "Step %(steps)s of %(drug)s cuts more than the rule allows, because the tablets cannot "
        "make a smaller step."
    ),
    "patch-dispensing": N_(
        "Patch quantities are not counted: they depend on how many days each patch is worn; "
        "prescribe them per step from the schedule."
    ),
}
# Titles the checkpoint builder uses (taper.aftercare); translated here like any msgid.
_KNOWN_TITLES = (
    N_("Support talk"),
    N_("Support talk before a dose change"),
    N_("Dose change"),
    N_("Aftercare contact"),
    N_("Evaluation"),
)


@dataclass(frozen=True)
class DoseLine:
    time: DoseTimeName
    label: str  # Morgon
    tablets: str  # 1½ × Sobril 10 mg + ½ × Sobril 5 mg
    parts: list[str]  # one entry per tablet kind, so print never breaks inside one
    amount: str  # 15 mg


@dataclass(frozen=True)
class DayView:
    date: dt.date
    weekday: str  # mån
    numeric: str  # 22/3
    long: str  # 22 mars 2027


@dataclass(frozen=True)
class StepView:
    step: Step
    number: int
    kind: Literal["mapping", "doses", "stop"]
    phase: str
    drug: str
    start: str
    end: str
    dates: str
    days: str  # "14 dagar"
    daily: str  # "25 mg"
    doses: list[DoseLine]
    ideal: str | None
    note: str | None  # the planner's note on the step, in the reader's language
    is_change: bool  # the daily dose differs from the step before
    t: Texts = field(repr=False, compare=False)
    patch: bool = False  # a patch: the dose is a delivery rate, worn day and night

    @property
    def stop_text(self) -> str:
        """What a 0-dose row says: no more tablets, or no more patches."""
        return self.t._("No more patches") if self.patch else self.t._("No more tablets")

    @property
    def stop_from(self) -> str:
        t = self.t
        if self.patch:
            return t._("From %(date)s: no more patches.", date=self.start)
        return t._("From %(date)s: no more tablets.", date=self.start)

    @property
    def as_now(self) -> str:
        """The mapping step's instruction."""
        if self.patch:
            return self.t._("Use your patches as you do now.")
        return self.t._("Take your tablets as you do now.")

    @property
    def daily_text(self) -> str:
        """The step's dose as a sentence part: '25 mg a day', but a patch's rate as it is
        ('50 mcg/h'): a rate is never 'a day'."""
        return self.daily if self.patch else self.t._("%(amount)s a day", amount=self.daily)

    @property
    def patch_hours(self) -> int | None:
        """How often the step's patches are replaced, in hours (`patch_hours`)."""
        return patch_hours(tab for dose in self.step.doses for tab in dose.tablets)

    @cached_property
    def weeks(self) -> list[list[DayView]]:
        """The step's days, seven to a row: made when a sheet asks (only the printed sheet and
        the intake diary show every day; the other formats would format hundreds for nothing)."""
        t = self.t
        days = [self.step.start + dt.timedelta(days=n) for n in range(self.step.days)]
        day_views = [DayView(d, t.weekday(d), t.numeric_day(d), t.date(d)) for d in days]
        return [day_views[i : i + 7] for i in range(0, len(day_views), 7)]


@dataclass(frozen=True)
class CheckpointView:
    checkpoint: Checkpoint
    date: str
    weekday: str
    label: str
    content: list[str]
    links: list[str]


@dataclass(frozen=True)
class Topics:
    """What one kind of contact covers: printed once, not under every date."""

    label: str
    content: list[str]
    links: list[str]


@dataclass(frozen=True)
class WarningView:
    warning: PlanWarning
    label: str
    text: str


@dataclass(frozen=True)
class DispenseView:
    step: int
    text: str  # 42 × Sobril 10 mg


@dataclass(frozen=True)
class PlanView:
    plan: Plan
    t: Texts
    guideline: Guideline | None  # the plan's rule file, when it could be found
    title: str
    drugs: list[str]
    drug_names: dict[str, str]  # drug id → as the region writes it
    medications: list[str]
    start: str
    last_dose: str | None
    aftercare_until: str | None
    steps: list[StepView]
    times: list[DoseTimeName]  # dose times used anywhere in the plan, in the day's order
    checkpoints: list[CheckpointView]
    appointments: list[CheckpointView]  # what the patient attends: not the dose changes
    next_support: CheckpointView | None
    topics: list[Topics]
    warnings: list[WarningView]
    urgent: list[WarningView]  # high-severity warnings: also on the sheet's first page
    unverified: list[str]
    dispensing: list[DispenseView]
    stamp: str
    patches: Literal["none", "some", "all"] = "none"  # steps whose dose is a patch's rate
    patient_id: str | None = None  # the clinic's id: in calendar UIDs and FHIR ids

    @property
    def patch_advice(self) -> str:
        """The sheet's line for patches: when a new one goes on, where every patch of the plan
        has its label's interval (else 'as prescribed')."""
        hours = {
            tab.change_hours
            for step in self.plan.steps
            for dose in step.doses
            for tab in dose.tablets
            if is_rate(step.unit)
        }
        if len(hours) == 1 and None not in hours:
            (every,) = hours
            assert every is not None
            if every % 168 == 0:
                return self.t._(
                    "For a patch: use the patch strength shown and put on a new patch every "
                    "%(days)s days.",
                    days=every // 24,
                )
            return self.t._(
                "For a patch: use the patch strength shown and put on a new patch every "
                "%(hours)s hours.",
                hours=every,
            )
        return self.t._(
            "For a patch: use the patch strength shown and change the patch as prescribed."
        )

    @property
    def dispensing_title(self) -> str:
        """The dispensing list's heading: patches for a patch plan (they are counted)."""
        if self.patches == "all":
            return self.t._("Patches to dispense")
        return self.t._("Tablets to dispense")

    @property
    def dose_header(self) -> str:
        """The dose column: a daily dose, a patch's rate (never 'a day'), or either."""
        t = self.t
        return {
            "none": t._("Daily dose"),
            "some": t._("Daily dose or patch rate"),
            "all": t._("Patch strength"),
        }[self.patches]

    @property
    def tablets_header(self) -> str:
        t = self.t
        return {
            "none": t._("Tablets"),
            "some": t._("Tablets or patches"),
            "all": t._("Patches"),
        }[self.patches]

    @property
    def curve_heading(self) -> str:
        t = self.t
        return {
            "none": t._("Daily dose by step"),
            "some": t._("Daily dose or patch rate by step"),
            "all": t._("Patch strength by step"),
        }[self.patches]

    @property
    def ends_on_liquid(self) -> bool:
        """The plan's last dose is an oral solution or drops (not "the last tablet")."""
        last = [s for s in self.plan.steps if s.dose > 0 and s.doses]
        return bool(last) and any(x.liquid is not None for d in last[-1].doses for x in d.tablets)

    @property
    def last_dose_label(self) -> str:
        t = self.t
        if self.patches == "none" and self.ends_on_liquid:
            return t._("Last dose")  # nurse review 3: "Last tablet" after months of solution
        return {
            "none": t._("Last tablet"),
            "some": t._("Last dose"),
            "all": t._("Last patch"),
        }[self.patches]

    @property
    def lang(self) -> Lang:
        return self.t.lang

    def time_label(self, time: DoseTimeName) -> str:
        return self.t._(TIME_LABELS[time])


def find_guideline(plan: Plan) -> Guideline | None:
    """The plan's rule file, for drug names and checkpoint texts; None when it is unknown."""
    from taper.errors import TaperError
    from taper.guideline.loader import load_guideline

    try:
        return load_guideline(plan.guideline.id).guideline
    except TaperError:
        return None


def tablet_text(t: Texts, tablet: TabletCount) -> str:
    if tablet.liquid is not None:
        return liquid_text(t, tablet)
    return f"{t.count(tablet.count)} × {tablet.brand} {t.amount(tablet.strength, tablet.unit)}"


def patch_hours(tablets: Iterable[TabletCount]) -> int | None:
    """How often these patches are replaced, in hours (the shortest of their label
    intervals); None when none has one: then they are changed as prescribed."""
    return min((tab.change_hours for tab in tablets if tab.change_hours), default=None)


def patch_change_text(t: Texts, dose: DoseAtTime) -> str:
    """When a patch dose's patches are replaced (fentanyl every 72 hours, Norspan every 7
    days); empty for anything else."""
    hours = patch_hours(dose.tablets)
    if not hours:
        return ""
    several = sum(tab.count for tab in dose.tablets) > 1
    if hours % 168 == 0:
        if several:
            return t._(", new patches every %(days)s days", days=hours // 24)
        return t._(", a new patch every %(days)s days", days=hours // 24)
    if several:
        return t._(", new patches every %(hours)s hours", hours=hours)
    return t._(", a new patch every %(hours)s hours", hours=hours)


def liquid_text(t: Texts, tablet: TabletCount) -> str:
    """A liquid dose always says mg, ml (or drops), the concentration and the measuring
    device: mixing up mg and ml, or concentrations, has caused fatal overdoses."""
    measure = tablet.liquid
    assert measure is not None
    mg = t.amount(tablet.count * tablet.strength, tablet.unit)
    concentration = t.amount(measure.mg_per_ml, f"{tablet.unit}/ml")
    if measure.device == "dropper":
        return t._(
            "%(mg)s = %(drops)s drops of %(brand)s (%(concentration)s), counted with its dropper",
            mg=mg,
            drops=t.number(tablet.count),
            brand=tablet.brand,
            concentration=concentration,
        )
    return t._(
        "%(mg)s = %(ml)s of %(brand)s (%(concentration)s), measured with an oral syringe",
        mg=mg,
        ml=t.amount(tablet.count, "ml"),
        brand=tablet.brand,
        concentration=concentration,
    )


def liquid_amount(t: Texts, tablet: TabletCount) -> str:
    """A liquid dose as mg = ml (or drops), for a row that names the product, its
    concentration and device (`liquid_product`)."""
    measure = tablet.liquid
    assert measure is not None
    mg = t.amount(tablet.count * tablet.strength, tablet.unit)
    if measure.device == "dropper":
        return t._("%(mg)s = %(drops)s drops", mg=mg, drops=t.number(tablet.count))
    return f"{mg} = {t.amount(tablet.count, 'ml')}"


def liquid_product(t: Texts, tablet: TabletCount) -> str:
    """An oral solution's name with its concentration and measuring device."""
    measure = tablet.liquid
    assert measure is not None
    concentration = t.amount(measure.mg_per_ml, f"{tablet.unit}/ml")
    if measure.device == "dropper":
        return t._(
            "%(brand)s (%(concentration)s), counted with its dropper",
            brand=tablet.brand,
            concentration=concentration,
        )
    return t._(
        "%(brand)s (%(concentration)s), measured with an oral syringe",
        brand=tablet.brand,
        concentration=concentration,
    )


def dispense_text(t: Texts, d: Dispense) -> str:
    """What to dispense for a step: tablets, or the ml (drops) of an oral solution with its
    concentration."""
    concentration = t.amount(d.strength, f"{d.unit}/ml")
    if d.measure == "ml":
        return t._(
            "%(ml)s of %(brand)s (%(concentration)s)",
            ml=t.amount(d.tablets, "ml"),
            brand=d.brand,
            concentration=concentration,
        )
    if d.measure == "drops":
        return t._(
            "%(drops)s drops of %(brand)s (%(per_drop)s a drop)",
            drops=t.number(d.tablets),
            brand=d.brand,
            per_drop=t.amount(d.strength, d.unit),
        )
    return f"{t.number(d.tablets)} × {d.brand} {t.amount(d.strength, d.unit)}"


def tablets_text(t: Texts, dose: DoseAtTime, unit: str) -> str:
    return " + ".join(tablet_parts(t, dose, unit))


def tablet_parts(t: Texts, dose: DoseAtTime, unit: str) -> list[str]:
    """What to take at one time, one entry per tablet kind. A dose without tablets of the
    formulary (a drug not in it, taken from the patient's own tablets until the switch
    replaces it) is shown as its amount: the patient still needs to know how much."""
    if dose.tablets:
        parts = [tablet_text(t, tablet) for tablet in dose.tablets]
        parts[-1] += patch_change_text(t, dose)
        return parts
    if dose.amount > 0:
        return [t._("%(amount)s, own tablets", amount=t.amount(dose.amount, unit))]
    return ["–"]


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


def in_day_order(step: Step) -> list[DoseAtTime]:
    """A step's doses in the day's order (`DOSE_TIMES`): every format lists them so."""
    return sorted(step.doses, key=lambda d: DOSE_TIMES.index(d.time))


def is_rate(unit: str) -> bool:
    """A delivery rate (a patch's mcg/h), not an amount taken."""
    return unit.endswith("/h")


def build_view(
    plan: Plan, lang: Lang, guideline: Guideline | None, *, patient_id: str | None = None
) -> PlanView:
    t = texts(lang)
    reader = Reader(t, guideline)
    names = _drug_names(guideline, lang)
    content = _content(guideline, lang)

    def drug_name(drug_id: str) -> str:
        return names.get(drug_id, drug_id)

    steps: list[StepView] = []
    previous: dict[str, Decimal] = {}
    for number, step in enumerate(plan.steps, start=1):
        steps.append(
            _step_view(t, reader, step, number, drug_name(step.drug), previous.get(step.drug))
        )
        previous[step.drug] = step.dose
    used = {dose.time for step in plan.steps for dose in step.doses}
    checkpoints = [_checkpoint_view(t, c, content, plan.language) for c in plan.checkpoints]
    appointments = [c for c in checkpoints if c.checkpoint.kind != "dose-change"]
    supports = [c for c in checkpoints if c.checkpoint.kind == "support"]
    aftercare = [c for c in plan.checkpoints if c.kind == "aftercare"]
    drugs = list(dict.fromkeys(drug_name(s.drug) for s in plan.steps))
    warnings = [
        _warning_view(t, reader, w, drug_name(w.drug) if w.drug else None) for w in plan.warnings
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
    t: Texts, reader: Reader, step: Step, number: int, drug: str, previous: Decimal | None
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
            label=t._(TIME_LABELS[d.time]),
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
    t: Texts, reader: Reader, warning: PlanWarning, drug_name: str | None
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
        text=text,
    )


_DECIMAL_PARAM = re.compile(r"-?\d+\.\d+")


def _param(t: Texts, value: str) -> str:
    """A warning param (language-neutral, "2.5") the reader's way ("2,5")."""
    return t.number(Decimal(value)) if _DECIMAL_PARAM.fullmatch(value) else value
