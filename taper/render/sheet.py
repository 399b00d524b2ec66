"""The printed sheet as a nurse hands it out: what goes on which page, in whose words.

A view model over `PlanView` for `templates/sheet.html`:
- the patient's pages speak to the patient only: one overview table of every step (steps that
  change nothing merged into one row), the support talks, and a compact tick calendar (a week
  a row, every drug of that week together) for the next months;
- the clinician page holds everything meant for the prescriber: warnings, the planner's notes
  on steps, an unresolved prescriber decision, the rules applied, project choices, sources,
  what to dispense and the stamp.
Nothing here computes a dose: rows and ticks only regroup what the planner decided.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from taper.plan.model import DoseAtTime, DoseTimeName, Step
from taper.render.view import (
    DOSE_TIMES,
    KIND_LABELS,
    PlanView,
    StepView,
    WarningView,
    dispense_text,
    liquid_amount,
    liquid_product,
    liquid_text,
    tablet_parts,
)

# The tick calendar covers this many weeks from the first fixed dose: about the months until
# the next replan or print-out. The overview table always covers the whole plan.
TICK_WEEKS = 13
# Warning codes that leave the prescriber a decision the patient's pages cannot make for them.
_DECISION_CODES = frozenset({"switch-declined", "modified-release-once-a-day", "tablet-limited"})
_DECISION_WORDS = ("prescriber's decision", "--switch", "--specialist")


@dataclass(frozen=True)
class OverviewRow:
    """One row of the overview: a drug's dose from one date to another."""

    dates: str
    drug: str
    product: str  # the short brand(s) of the row's tablets, or the drug's name
    kind: Literal["mapping", "doses", "stop"]
    cells: dict[DoseTimeName, list[str]]  # what to take at each time, a part per tablet kind
    daily: str  # "25 mg a day", a patch's rate as it is
    text: str | None  # what a mapping or stop row says instead of cells
    note: str | None  # a patient's sentence: same dose longer, the last step


@dataclass(frozen=True)
class TickDay:
    date: dt.date
    label: str  # the long date, for screen readers
    boxes: list[bool]  # one per calendar time: True where a dose is taken that day


@dataclass(frozen=True)
class TickWeek:
    label: str  # the week's first day, "3/3"
    days: list[TickDay | None]  # Monday..Sunday; None outside the calendar
    note: str  # "12/3 new dose · 14/3 talk"


@dataclass(frozen=True)
class NoteView:
    dates: str
    drug: str
    text: str


@dataclass(frozen=True)
class RuleView:
    rule: str
    text: str


@dataclass(frozen=True)
class MonthItem:
    day: str  # "mån 4"
    label: str  # "Stödsamtal"


@dataclass(frozen=True)
class MonthView:
    label: str  # "januari 2027"
    items: list[MonthItem]


@dataclass(frozen=True)
class DispenseRow:
    dates: str
    counts: list[str]  # one per product: "28 × Sobril 10 mg"; "" where the step needs none


@dataclass(frozen=True)
class DispenseTable:
    products: list[str]  # "Sobril 10 mg"
    rows: list[DispenseRow]

    def __bool__(self) -> bool:
        return bool(self.rows)


@dataclass(frozen=True)
class Sheet:
    view: PlanView
    rows: list[OverviewRow]
    times: list[DoseTimeName]  # overview columns, in the day's order
    multi: bool  # more than one drug: a curve per drug
    products: list[str]  # what the dose rows take; more than one: a column for them

    @property
    def product_column(self) -> bool:
        return len(self.products) > 1

    def overview_widths(self) -> list[str]:
        """The overview's column widths in percent: dates, (product), each time, the amount.
        Each column is at least as wide as its longest word at 14 pt (a word that does not
        fit is what makes Chromium shrink the page); the dose columns share what is left."""
        v = self.view
        columns: list[list[str]] = [[v.t._("Dates"), *(r.dates for r in self.rows)]]
        if self.product_column:
            columns.append([v.t._("Medicine"), *(r.product for r in self.rows)])
        for time in self.times:
            columns.append(
                [
                    v.time_label(time),
                    *(
                        ("+" + NBSP if n else "") + p
                        for r in self.rows
                        for n, p in enumerate(r.cells.get(time, []))
                    ),
                ]
            )
        columns.append([v.dose_header, *(r.daily for r in self.rows)])
        fixed = 2 if self.product_column else 1  # dates (and product) come first
        # Words wrap in the head and amount columns; a dose part never does (unbreakable),
        # so a dose column is at least as wide as its longest part.
        # The dates on two lines at most ("11 jan. –" / "24 jan. 2027"): rows stay low.
        halves = [
            h.strip().replace(" ", NBSP) if " – " in text else h
            for text in columns[0]
            for h in text.split("– ")
        ]
        least = [_least_percent(halves)]
        least += [_least_percent(texts) for texts in columns[1:fixed]]
        doses = [_least_percent(texts, _DOSE_CHAR_PX) for texts in columns[fixed:-1]]
        amount = _least_percent(columns[-1])
        floors = [Decimal(16), Decimal(14)][:fixed]
        head = [max(m, f) for m, f in zip(least, floors, strict=True)]
        room = 100 - sum(doses) - amount
        if sum(head) > room:  # a wide plan: the dates wrap by word, then anywhere
            words = [_least_percent(columns[0]), *least[1:]]
            head = words if sum(words) <= room else [w * room / sum(words) for w in words]
        spare = max(Decimal(0), 100 - sum(head) - sum(doses) - amount)
        # What is left goes to the dose columns first: the dates wrap onto two lines well.
        share = spare / len(doses) if doses else Decimal(0)
        widths = [*head, *(d + share for d in doses), amount + (0 if doses else spare)]
        return [str(w.quantize(Decimal("0.1"))) for w in widths]

    tick_times: list[DoseTimeName]  # one box per time in every tick day
    weeks: list[TickWeek]
    ticks_until: str | None  # the calendar stops before the plan's last dose on this date
    decisions: list[str]  # unresolved prescriber decisions
    warnings: list[WarningView]
    notes: list[NoteView]
    rules: list[RuleView]
    sources: list[str]
    dispensing: DispenseTable
    months: list[MonthView]  # the talks and contacts, a row a month
    brands: list[str]  # full names of brands the overview shortens


def build_sheet(view: PlanView) -> Sheet:
    steps = view.steps
    drugs = list(dict.fromkeys(s.step.drug for s in steps))
    rows = _rows(view, steps)
    times = [time for time in DOSE_TIMES if any(time in row.cells for row in rows)]
    tick_times: list[DoseTimeName] = [time for time in times if time != "patch"]
    weeks, until = _weeks(view, tick_times)
    decisions = _decisions(view)
    return Sheet(
        view=view,
        rows=rows,
        times=times,
        multi=len(drugs) > 1,
        products=list(dict.fromkeys(row.product for row in rows if row.kind == "doses")),
        tick_times=tick_times,
        weeks=weeks,
        ticks_until=until,
        decisions=decisions,
        warnings=[
            WarningView(w.warning, w.label, clinician_words(w.text))
            for w in view.warnings
            if clinician_words(w.text) not in decisions
        ],
        notes=[
            NoteView(s.dates, s.drug, clinician_words(s.note))
            for s in steps
            if s.note is not None and s.kind != "mapping"
        ],
        rules=_rules(view),
        sources=_sources(view),
        dispensing=_dispensing(view),
        months=_months(view),
        brands=full_brands(view),
    )


# --- the overview table -------------------------------------------------------------------

# A4 less the margins, in CSS px; a 14 pt bold character is at most about 0.7 em wide in
# DejaVu Sans; a cell's padding and borders.
_PAGE_PX = Decimal(688)
_CHAR_PX = Decimal("13.1")  # 0.7 × 14 pt × 96/72
_CELL_PX = Decimal(12)
# A dose cell is not bold: DejaVu Sans averages about 0.62 em over digits, "×" and "mg".
_DOSE_CHAR_PX = Decimal("11.6")


def _least_percent(texts: list[str], char_px: Decimal = _CHAR_PX) -> Decimal:
    """Percent of the page for the longest unbreakable piece (split at ordinary spaces
    only: a no-break space holds a dose part together)."""
    longest = max((len(word) for text in texts for word in text.split(" ")), default=1)
    return ((longest * char_px + _CELL_PX) * 100 / _PAGE_PX).quantize(Decimal("0.1"))


def _same(a: StepView, b: StepView) -> bool:
    """Two steps a patient cannot tell apart: the same tablets at the same times."""
    return a.kind == b.kind and [(d.time, d.tablets) for d in a.doses] == [
        (d.time, d.tablets) for d in b.doses
    ]


def _runs(steps: list[StepView]) -> list[list[StepView]]:
    """Each drug's steps, consecutive unchanged ones together, ordered by first date."""
    runs: list[list[StepView]] = []
    last: dict[str, list[StepView]] = {}
    for s in steps:
        run = last.get(s.step.drug)
        if run is not None and _same(run[-1], s) and run[-1].step.end < s.step.start:
            run.append(s)
            continue
        run = [s]
        last[s.step.drug] = run
        runs.append(run)
    return sorted(runs, key=lambda r: r[0].step.start)


def _rows(view: PlanView, steps: list[StepView]) -> list[OverviewRow]:
    runs = _runs(steps)
    rows = []
    for index, run in enumerate(runs):
        first, last = run[0], run[-1]
        start, end = first.step.start, last.step.end
        following = next((r for r in runs[index + 1 :] if r[0].step.drug == first.step.drug), None)
        text: str | None = None
        if first.kind == "mapping":
            text = f"{first.as_now} {_diary_line(view, first)}"
        elif first.kind == "stop":
            text = _stop_text(view, first, runs)
        elif not first.step.doses:
            # A dose the formulary's products cannot make, kept as taken now (evening out).
            text = f"{first.as_now} {first.daily_text}."
        doses = _sorted_doses(first.step)
        brands = list(dict.fromkeys(short_brand(x.brand) for d in doses for x in d.tablets))
        liquids = [x for d in doses for x in d.tablets if x.liquid is not None]
        product = " + ".join(_with_generic(b, first.drug) for b in brands) if brands else first.drug
        if len(brands) == 1 and liquids:
            # One oral solution in the row: its concentration and measuring device beside its
            # name, once; each cell then says mg = ml.
            product = liquid_product(view.t, liquids[0])
        rows.append(
            OverviewRow(
                dates=_short_range(view, start, end) if first.kind != "stop" else first.start,
                drug=first.drug,
                product=product,
                kind=first.kind,
                cells={d.time: _parts(view, d, first.step.unit, len(brands) == 1) for d in doses},
                daily=first.daily if first.kind == "doses" else "",
                text=text,
                note=_row_note(view, run, following),
            )
        )
    return rows


def _diary_line(view: PlanView, mapping: StepView) -> str:
    """What the mapping week asks of the patient besides taking the doses as usual."""
    if mapping.patch:
        return view.t._("Write down when you change the patch.")
    return view.t._("Write down every dose in the diary.")


def _with_generic(brand: str, drug: str) -> str:
    """ "Sobril (oxazepam)": the brand on the box and the name the talks use, together;
    a brand that is the drug's own name stays as it is."""
    return brand if drug.casefold() in brand.casefold() else f"{brand} ({drug})"


def _brand_of(runs: list[list[StepView]], drug: str) -> str:
    """The stopped drug as the patient knows it: "alprazolam (Xanor)" from its last tablets."""
    brands = [
        short_brand(x.brand)
        for run in runs
        if run[0].step.drug == drug
        for s in run
        for d in s.step.doses
        for x in d.tablets
    ]
    name = next((r[0].drug for r in runs if r[0].step.drug == drug), drug)
    last = brands[-1] if brands else None
    return name if last is None or name.casefold() in last.casefold() else f"{name} ({last})"


def short_brand(brand: str) -> str:
    """A brand without what its parentheses add ("Diazepam (Stesolid, ...)" → "Diazepam"):
    the overview names it in every row; the full name is listed once under the table."""
    return brand.split(" (", 1)[0] if brand.endswith(")") and " (" in brand else brand


def full_brands(view: PlanView) -> list[str]:
    """Brands whose short form leaves something out, in full, once."""
    found = {
        x.brand: None
        for s in view.plan.steps
        for d in s.doses
        for x in d.tablets
        if short_brand(x.brand) != x.brand
    }
    return list(found)


def _parts(view: PlanView, dose: DoseAtTime, unit: str, one_brand: bool) -> list[str]:
    """What to take at one time: "1 × 10 mg" when the row's product column names the one brand,
    else "1 × Sobril 10 mg"; own tablets as their amount."""
    t = view.t
    if not dose.tablets:
        # "0.75 mg, own tablets": only the amount is held together; the words wrap.
        return [_bind_units(p) for p in tablet_parts(t, dose, unit)]
    return [
        # A liquid always says mg and ml; its concentration and measuring device stand in the
        # row's product column (one brand), else in the cell too. Its numbers stay with their
        # units; its words may wrap.
        _bind_units(liquid_amount(t, x) if one_brand else liquid_text(t, x))
        if x.liquid is not None
        else unbreakable(
            f"{t.count(x.count)} × "
            + ("" if one_brand else short_brand(x.brand) + " ")
            + t.amount(x.strength, x.unit)
        )
        for x in dose.tablets
    ]


NBSP = "\u00a0"


def _bind_units(text: str) -> str:
    """Each number with the word after it ("0.75 mg", "5 ml"); the other words may wrap."""
    return re.sub(r"(\d) (\S)", "\\1" + NBSP + "\\2", text)


def unbreakable(part: str) -> str:
    """A dose part ("1 × 10 mg") with no-break spaces: a renderer never splits the count
    from its strength or the number from its unit across lines."""
    return part.replace(" ", NBSP)


def _short_range(view: PlanView, start: dt.date, end: dt.date) -> str:
    """'11 jan. – 24 jan. 2027': months short, the year once where the row ends (twice
    across a new year), so that a row's dates fit on one or two lines."""
    t = view.t
    if start == end:
        return t.short_date(start)
    head = t.short_day_month(start) if start.year == end.year else t.short_date(start)
    return f"{head} – {t.short_date(end)}"


def _sorted_doses(step: Step) -> list[DoseAtTime]:
    return sorted(step.doses, key=lambda d: DOSE_TIMES.index(d.time))


def _stop_text(view: PlanView, stop: StepView, runs: list[list[StepView]]) -> str:
    """No more of this drug; and what goes on, when another drug does."""
    t = view.t
    if stop.patch:
        return t._(
            "Take off the last patch on %(date)s. No more patches after that.", date=stop.start
        )
    going_on = list(
        dict.fromkeys(
            r[0].drug
            for r in runs
            if r[0].step.drug != stop.step.drug
            and r[0].kind == "doses"
            and r[-1].step.end >= stop.step.start
        )
    )
    if going_on:
        return t._(
            "No more %(drug)s – go on with %(others)s.",
            drug=_brand_of(runs, stop.step.drug),
            others=", ".join(going_on),
        )
    if len(view.drugs) > 1:
        return t._("No more %(drug)s.", drug=_brand_of(runs, stop.step.drug))
    return t._("No more tablets.")


def _row_note(view: PlanView, run: list[StepView], following: list[StepView] | None) -> str | None:
    """The patient's sentence under a row: a held dose and what comes next, the last step."""
    t = view.t
    first = run[0]
    if first.kind != "doses":
        return None
    if following is not None and following[0].kind == "stop":
        # "Stop completely" only when nothing is taken after it: a drug replaced by another
        # (a switch) or stopped while another goes on gets its stop row's words instead.
        stop = following[0].step.start
        goes_on = any(
            s.kind == "doses" and s.step.drug != first.step.drug and s.step.end >= stop
            for s in view.steps
        )
        if goes_on:
            return None
        return t._("The last step is %(amount)s, then you stop completely.", amount=first.daily)
    if following is None:
        return None
    if not any(s.step.pause for s in run):
        return _long_hold(view, run, following)
    if len(run) > 1:  # the pause is a step of its own: the same tablets, longer
        held = sum(s.step.days for s in run[1:])
    else:  # the step itself is held longer than the one before it
        before = [
            s
            for s in view.steps
            if s.step.drug == first.step.drug and s.step.end < first.step.start
        ]
        held = first.step.days - before[-1].step.days if before else 0
    if held <= 0:
        return None
    weeks = held // 7
    length = (
        t.ngettext("%(num)s week", "%(num)s weeks", weeks)
        if held % 7 == 0
        else t.ngettext("%(num)s day", "%(num)s days", held)
    )
    return t._(
        "You take the same dose for %(length)s longer. Then the dose goes down to %(amount)s.",
        length=length,
        amount=following[0].daily,
    )


# A dose held this long (or longer) gets a sentence: the patient sees it is meant.
LONG_HOLD_DAYS = 28


def _long_hold(view: PlanView, run: list[StepView], following: list[StepView]) -> str | None:
    """ "You take the same dose for 15 weeks. Then the dose goes down to 2.5 mg." """
    t = view.t
    days = sum(s.step.days for s in run)
    if days < LONG_HOLD_DAYS or following[0].kind != "doses" or following[0].step.days >= days:
        return None  # short, or as long as the step after it: the plan's ordinary pace
    length = (
        t.ngettext("%(num)s week", "%(num)s weeks", days // 7)
        if days % 7 == 0
        else t.ngettext("%(num)s day", "%(num)s days", days)
    )
    return t._(
        "You take the same dose for %(length)s. Then the dose goes down to %(amount)s.",
        length=length,
        amount=following[0].daily,
    )


# --- the tick calendar --------------------------------------------------------------------


def _weeks(view: PlanView, times: list[DoseTimeName]) -> tuple[list[TickWeek], str | None]:
    t = view.t
    dosed = [s for s in view.steps if s.kind == "doses" and not s.patch]
    if not dosed or not times:
        return [], None
    first = min(s.step.start for s in dosed)
    last = max(s.step.end for s in dosed)
    monday = first - dt.timedelta(days=first.weekday())
    limit = monday + dt.timedelta(weeks=TICK_WEEKS) - dt.timedelta(days=1)
    end = min(last, limit)
    taken: dict[dt.date, set[DoseTimeName]] = {}
    for s in dosed:
        day = max(s.step.start, first)
        while day <= min(s.step.end, end):
            taken.setdefault(day, set()).update(d.time for d in s.step.doses if d.amount > 0)
            day += dt.timedelta(days=1)
    changes = {
        s.step.start
        for s in view.steps
        if s.is_change and s.kind != "mapping" and s.step.start > first
    }
    talks = {c.checkpoint.date for c in view.appointments}
    weeks = []
    while monday <= end:
        days: list[TickDay | None] = []
        notes = []
        for n in range(7):
            day = monday + dt.timedelta(days=n)
            if day < first or day > end:
                days.append(None)
                continue
            doses = taken.get(day, set())
            days.append(TickDay(day, t.date(day), [time in doses for time in times]))
            # One note a day: "18/1 new dose, talk".
            if day in changes and day in talks:
                notes.append(t._("%(day)s new dose, talk", day=t.numeric_day(day)))
            elif day in changes:
                notes.append(t._("%(day)s new dose", day=t.numeric_day(day)))
            elif day in talks:
                notes.append(t._("%(day)s talk", day=t.numeric_day(day)))
        weeks.append(TickWeek(t.numeric_day(max(monday, first)), days, " · ".join(notes)))
        monday += dt.timedelta(weeks=1)
    return weeks, t.date(end) if end < last else None


# --- the clinician page -------------------------------------------------------------------


def _decisions(view: PlanView) -> list[str]:
    t = view.t
    out = []
    if view.plan.specialist_signoff:
        out.append(t._("This plan needs a specialist's sign-off before it is used."))
    for w in view.warnings:
        message = w.warning.message
        if w.warning.code in _DECISION_CODES or any(word in message for word in _DECISION_WORDS):
            out.append(w.text)
    for s in view.steps:
        if s.step.note is not None and any(word in s.step.note for word in _DECISION_WORDS):
            out.append(f"{s.drug}, {s.dates}: {s.note}")
    return list(dict.fromkeys(clinician_words(d) for d in out))


_OPTION = re.compile(r" ?\(--[a-z-]+\)")
_STEPS = re.compile(r"\b(\d+) step\(s\)")


def clinician_words(text: str) -> str:
    """A planner message as the printed page says it: without command-line options (the
    sheet names the decision, "a switch to diazepam", not the option that makes it) and
    with a real plural where the English message hedges with "step(s)"."""
    text = _OPTION.sub("", text)
    return _STEPS.sub(lambda m: m.group(1) + (" step" if m.group(1) == "1" else " steps"), text)


def _rules(view: PlanView) -> list[RuleView]:
    t = view.t
    out = []
    for rule in view.plan.applied_rules:
        drug = view.drug_names.get(rule.drug, rule.drug)
        mode = t._("of the current dose") if rule.mode == "current" else t._("of the starting dose")
        out.append(
            RuleView(
                rule.rule,
                t._(
                    "%(drug)s: %(percent)s %% %(mode)s every %(days)s days",
                    drug=drug,
                    percent=t.number(rule.percent),
                    mode=mode,
                    days=rule.interval_days,
                ),
            )
        )
    return out


def _sources(view: PlanView) -> list[str]:
    """The sources the applied taper rules cite (not the rule file's whole list)."""
    guideline = view.guideline
    if guideline is None:
        return []
    cited: set[str] = set()

    def collect(node: object) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("source"), str):
                cited.add(node["source"])
            for value in node.values():
                collect(value)
        elif isinstance(node, list):
            for value in node:
                collect(value)

    for rule in guideline.taper_rules:
        if rule.id in view.plan.rule_ids:
            collect(rule.model_dump())
    return [
        f"{s.title} ({s.date.isoformat()})" if s.date else s.title
        for s in guideline.sources
        if s.id in cited
    ]


def _dispensing(view: PlanView) -> DispenseTable:
    """What to dispense: a row per step, a column per product (brand and strength)."""
    t = view.t
    by_index = {s.step.index: s for s in view.steps}
    products: dict[tuple[str, str], str] = {}
    counts: dict[int, dict[tuple[str, str], str]] = {}
    for d in view.plan.dispensing:
        key = (d.brand, str(d.strength))
        if d.measure is not None:
            # An oral solution: its ml (drops) with the concentration, never "N × 2 mg".
            per = "/ml" if d.measure == "ml" else ""
            products.setdefault(key, f"{short_brand(d.brand)} {t.amount(d.strength, d.unit)}{per}")
            counts.setdefault(d.step, {})[key] = dispense_text(t, d)
            continue
        products.setdefault(key, f"{short_brand(d.brand)} {t.amount(d.strength, d.unit)}")
        counts.setdefault(d.step, {})[key] = f"{t.number(d.tablets)} × {products[key]}"
    rows = []
    for index, found in counts.items():
        step = by_index.get(index)
        if step is None:
            continue
        start, end = step.step.start, step.step.end
        dates = f"{t.numeric_day(start)}–{t.numeric_day(end)} {end.year}"
        rows.append(DispenseRow(dates, [found.get(key, "") for key in products]))
    return DispenseTable(list(products.values()), rows)


def _months(view: PlanView) -> list[MonthView]:
    t = view.t
    months: dict[tuple[int, int], MonthView] = {}
    for c in view.appointments:
        day = c.checkpoint.date
        month = months.get((day.year, day.month))
        if month is None:
            month = MonthView(t.month_year(day), [])
            months[(day.year, day.month)] = month
        # The kind's short label ("Support talk"), not the title ("Support talk before a
        # dose change"): a month's contacts fit on one line; the topics below say the rest.
        month.items.append(MonthItem(f"{c.weekday} {day.day}", t._(KIND_LABELS[c.checkpoint.kind])))
    return list(months.values())
