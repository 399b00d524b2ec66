"""A plan as a reader sees it: every label translated, every number and date formatted.

The renderers share this one view, so the text, markdown, html, csv, ics and fhir outputs
say the same thing in the same words. Nothing here computes a dose: the view only formats
what the planner decided. `taper.render.view_builder` makes it from a plan.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

from taper.guideline.model import Guideline
from taper.plan.model import Checkpoint, DoseTimeName, Plan, PlanWarning, Step
from taper.render.dose_text import is_rate, patch_hours
from taper.render.i18n import Lang, Texts
from taper.render.labels import TIME_LABELS


def dose_time_label(t: Texts, clock: dict[DoseTimeName, str], time: DoseTimeName) -> str:
    """A dose time as the patient reads it: by the clock where the plan has one ("At 06"),
    else by the day's name ("Morning")."""
    hour = clock.get(time)
    if hour is not None:
        return t._("At %(hour)s", hour=hour)
    return t._(TIME_LABELS[time])


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
    # The link of each content item (None: none), so that a list prints it under its item
    # (clinician review 14, D5: selvhjelp.no stood under the naloxone items added after it).
    item_links: list[str | None]


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
    # Dose times by the clock ("morning" -> "06") where a product's least time between doses
    # makes the day's names misleading (taper.render.clock); empty: the names.
    clock: dict[DoseTimeName, str] = field(default_factory=dict)

    @cached_property
    def combination_brands(self) -> frozenset[str]:
        """The brands of the rule file that hold a second ingredient (Citodon, Paralgin forte,
        co-codamol): counted in tablets on the sheet, once a plan, not once a cell."""
        g = self.guideline
        return frozenset(p.brand for p in g.formulary if p.ingredients) if g else frozenset()

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
        return dose_time_label(self.t, self.clock, time)
