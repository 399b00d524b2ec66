"""The printed sheet as a nurse hands it out: what goes on which page, in whose words.

A view model over `PlanView` for `templates/sheet.html`:
- the patient's pages speak to the patient only: one overview table of every step (steps that
  change nothing merged into one row), the support talks, and a compact tick calendar (a week
  a row, every drug of that week together) for the next months;
- the clinician page holds everything meant for the prescriber: warnings, the planner's notes
  on steps, an unresolved prescriber decision, the rules applied, project choices, sources,
  what to dispense and the stamp.
This module puts the `Sheet` together; its parts live beside it: the overview table
(`sheet_overview`), the tick calendar and the contacts a month a row (`sheet_calendar`), page
1's box (`sheet_now`), patch days (`sheet_patches`), the clinician page (`sheet_clinician`),
the dispensing table (`sheet_dispense`) and text widths (`sheet_widths`). Nothing here
computes a dose: rows and ticks only regroup what the planner decided.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from taper.plan.dose_clock import LAST
from taper.plan.model import DoseTimeName
from taper.render.advice import interval_lines
from taper.render.labels import DOSE_TIMES
from taper.render.sheet_calendar import (
    MonthView,
    TickWeek,
    calendar_layout,
    check_calendar_from,
    contact_months,
    fit_one_page,
    next_calendar_day,
    note_heading,
    tick_weeks,
)
from taper.render.sheet_clinician import (
    NoteView,
    RuleView,
    clinician_words,
    decisions,
    merged_notes,
    rules,
    short_brand,
    sources,
    steps_by_date,
)
from taper.render.sheet_dispense import (
    DispenseTable,
    dispense_heads,
    dispense_widths,
    dispensing,
)
from taper.render.sheet_now import NowBox, now_box
from taper.render.sheet_overview import (
    OverviewRow,
    full_brands,
    interval_places,
    overview_rows,
    overview_widths,
    step_runs,
)
from taper.render.sheet_patches import last_patch_text
from taper.render.sheet_widths import NBSP
from taper.render.view import PlanView, StepView, WarningView


@dataclass(frozen=True)
class Sheet:
    view: PlanView
    rows: list[OverviewRow]
    times: list[DoseTimeName]  # overview columns, in the day's order
    multi: bool  # more than one drug: a curve per drug
    products: list[str]  # what the dose rows take; more than one: a column for them
    tick_times: list[DoseTimeName]  # one box per time in every tick day
    weeks: list[TickWeek]
    tick_layout: tuple[str, str, str, str]  # its columns on every print (`calendar_layout`)
    ticks_until: str | None  # the calendar stops before the plan's last dose on this date
    decisions: list[str]  # unresolved prescriber decisions
    warnings: list[WarningView]
    notes: list[NoteView]
    rules: list[RuleView]
    sources: list[str]
    dispensing: DispenseTable
    months: list[MonthView]  # the talks and contacts, a row a month
    brands: list[str]  # full names of brands the overview shortens
    urgent: list[tuple[str, str]]  # the region's urgent-help numbers: (number, when to call)
    now: NowBox  # page 1: what to take at each time, the next change, a switch
    titles: list[tuple[str, str | None]]  # the drugs as the title names them: (drug, product)
    intervals: list[str]  # the least-time lines above the table (the rest head their rows)
    # A later print of the tick calendar alone, from the week holding this day (None: the
    # whole sheet, its calendar from the first fixed dose).
    calendar_from: dt.date | None = None

    @property
    def midnight(self) -> str | None:
        """The label of a dose at 24 ("Kl. 24"), said once to be the same day's midnight: a
        patient ticked it in the next day's box (nurse review 6, sheet 3)."""
        times = [time for time in self.times if self.view.clock.get(time) == f"{LAST:02d}"]
        return self.view.time_label(times[0]) if times else None

    @property
    def dotted_boxes(self) -> bool:
        """The calendar has a dotted box (a time of day without a dose that day), which its
        intro then explains."""
        return any(
            not box and time != "patch"
            for week in self.weeks
            for row in week.rows
            for day in row.days
            if day
            for box, time in zip(day.boxes, self.tick_times, strict=True)
        )

    @property
    def first_tick_day(self) -> str:
        """The calendar's first day, as the clinician part of a later print names it."""
        days = [day.date for row in self.weeks[0].rows for day in row.days if day]
        return self.view.t.date(min(days))

    @property
    def next_calendar(self) -> str | None:
        """The date a later print of the calendar starts on (`--calendar-from`), where this
        one stops before the plan's last dose: the clinician page names the command, which
        tells the nurse how to print it (nurse review 6)."""
        day = next_calendar_day(self.weeks) if self.ticks_until else None
        return day.isoformat() if day else None

    @cached_property  # read in every row of the table
    def product_column(self) -> bool:
        """A column naming each row's product, when products alternate row by row (drugs
        tapered side by side); else a product row above each run of rows of one product."""
        return len(self.products) > 1 and not any(row.heading for row in self.rows)

    @cached_property  # read in every row of the table
    def depot_everywhere(self) -> bool:
        """Every dose row takes depot tablets: the depot advice stands above the table once;
        else above each run of depot rows only (it headed immediate-release and oxazepam
        rows, nurse review 2 A-4)."""
        return all(row.depot for row in self.rows if row.kind == "doses")

    @property
    def amount_column(self) -> bool:
        """A patch-only plan has no amount column: its one patch column already says the
        strength ("1 × 50 mikrogram/timme"), and the repeat wrapped mid-word."""
        return self.times != ["patch"]

    def overview_widths(self) -> list[str]:
        return overview_widths(
            self.view, self.rows, self.times, self.product_column, self.amount_column
        )

    @property
    def dispense_products(self) -> list[str]:
        """The dispensing table's strength heads, each on one line ("20 mg", never "20/mg")."""
        return dispense_heads(self.dispensing)

    def dispense_widths(self) -> list[str]:
        return dispense_widths(self.view, self.dispensing)

    @property
    def has_mapping(self) -> bool:
        """The plan opens with a mapping phase, whose intake diary is a print of its own."""
        return any(s.kind == "mapping" for s in self.view.steps)

    def last_doses(self) -> list[tuple[str, str]]:
        """Page 1's last day of each drug, when the plan has more than one: one date alone
        read as every drug's ("Sista tabletten 10 januari 2028" for an oxycodone stopped in
        May, nurse review 6)."""
        if len(self.view.drugs) < 2:
            return []
        last: dict[str, StepView] = {}
        for s in self.view.steps:
            if s.kind == "doses" and s.step.dose > 0:
                last[s.step.drug] = s
        out = []
        for drug, s in last.items():
            said = last_patch_text(self.view, drug) if s.patch else None
            out.append((s.drug, said or self.view.t.date(s.step.end)))
        return out

    def last_patch(self) -> str | None:
        """Page 1's last patch: the day it goes on and the day it comes off."""
        return last_patch_text(self.view) if self.view.patches == "all" else None

    @property
    def tick_widths(self) -> tuple[str, str, str, str]:
        """The calendar's columns, the same on every print of it (`calendar_layout`)."""
        return self.tick_layout

    @property
    def note_heading(self) -> str:
        return note_heading(self.view)

    @property
    def tick_drugs(self) -> bool:
        """The tick calendar has a row per drug, each named (a plan of several drugs)."""
        return any(row.drug for week in self.weeks for row in week.rows)

    @property
    def notes_below(self) -> bool:
        """The tick calendar's notes in a row under each week, not in a column."""
        return Decimal(self.tick_widths[3]) == 0


def build_sheet(view: PlanView, calendar_from: dt.date | None = None) -> Sheet:
    """The sheet; with `calendar_from`, a later print of its tick calendar from the week
    holding that day (refused, one sentence, outside the plan)."""
    if calendar_from is not None:
        check_calendar_from(view, calendar_from)
    steps = view.steps
    drugs = list(dict.fromkeys(s.step.drug for s in steps))
    # A plan that is one switch (every drug a source or the target of it): one date order.
    switched = {
        d for r in view.plan.applied_rules if r.switched_from for d in (r.drug, *r.switched_from)
    }
    runs = step_runs(steps, switch=bool(switched) and set(drugs) <= switched)
    rows, intervals = interval_places(overview_rows(view, runs), interval_lines(view))
    times = [time for time in DOSE_TIMES if any(time in row.cells for row in rows)]
    tick_times: list[DoseTimeName] = list(times)  # a patch: a box on its change days
    layout = calendar_layout(view, tick_times)
    weeks, until = fit_one_page(view, layout, *tick_weeks(view, tick_times, start=calendar_from))
    found = decisions(view)
    return Sheet(
        view=view,
        rows=rows,
        times=times,
        multi=len(drugs) > 1,
        products=list(dict.fromkeys(row.product for row in rows if row.kind == "doses")),
        tick_times=tick_times,
        weeks=weeks,
        tick_layout=layout,
        ticks_until=until,
        decisions=found,
        warnings=[
            WarningView(w.warning, w.label, text)
            for w in view.warnings
            if (text := steps_by_date(view, clinician_words(w.text))) not in found
        ],
        notes=merged_notes(
            [
                NoteView(s.dates, s.drug, clinician_words(s.note))
                for s in steps
                if s.note is not None and s.kind != "mapping"
            ]
        ),
        rules=rules(view),
        sources=sources(view),
        dispensing=dispensing(view),
        months=contact_months(view),
        brands=full_brands(view),
        urgent=urgent_help(view),
        now=now_box(view, rows, [(r[0].step.start, r[-1].step.end) for r in runs]),
        titles=drug_titles(view),
        intervals=intervals,
        calendar_from=calendar_from,
    )


def drug_titles(view: PlanView) -> list[tuple[str, str | None]]:
    """Each drug by name, with the product where the drug is taken only as one combination
    product ("codeine", "Co-codamol 30/500 tablets"): the patient holds co-codamol, not
    codeine (nurse review 5)."""
    combined = view.combination_brands
    titles: list[tuple[str, str | None]] = []
    for drug in dict.fromkeys(s.drug for s in view.plan.steps):
        brands = {
            x.brand for s in view.plan.steps if s.drug == drug for d in s.doses for x in d.tablets
        }
        product = short_brand(min(brands)) if len(brands) == 1 and brands <= combined else None
        titles.append((view.drug_names.get(drug, drug), product))
    return titles


def urgent_help(view: PlanView) -> list[tuple[str, str]]:
    """The rule file's urgent-help numbers with their labels in the sheet's language (the
    number's no-break space keeps "116 117" on one line)."""
    if view.guideline is None:
        return []
    return [
        (u.number.replace(" ", NBSP), u.label.get(view.lang)) for u in view.guideline.urgent_help
    ]
