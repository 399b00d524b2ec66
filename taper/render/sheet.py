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
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Literal

from taper.plan.model import DoseAtTime, DoseTimeName
from taper.render.sheet_clinician import (
    DispenseTable,
    NoteView,
    RuleView,
    clinician_words,
    decisions,
    dispensing,
    merged_notes,
    rules,
    short_brand,
    sources,
    steps_by_date,
)
from taper.render.sheet_now import NowBox, now_box
from taper.render.sheet_patches import (
    last_patch,
    last_patch_stop,
    last_patch_text,
    patch_change_days,
)
from taper.render.view import (
    DOSE_TIMES,
    KIND_LABELS,
    PlanView,
    StepView,
    WarningView,
    in_day_order,
    liquid_amount,
    liquid_product,
    liquid_text,
    tablet_parts,
)

# The tick calendar covers this many weeks from the first fixed dose: about the months until
# the next replan or print-out. The overview table always covers the whole plan.
TICK_WEEKS = 13
PATCH_TICK_WEEKS = 26


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
    year: str | None = None  # a year row before this one: the first row of a year
    heading: str | None = None  # the product row before this one (no product column)
    depot: bool = False  # the row's tablets include depot (modified-release) tablets
    depot_first: bool = False  # the first row of a run of depot rows: the depot advice above it


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
class MonthItem:
    day: str  # "mån 4, fre 15": the month's days of one kind of contact
    label: str  # "Stödsamtal"


@dataclass(frozen=True)
class MonthView:
    label: str  # "januari 2027"
    items: list[MonthItem]


@dataclass(frozen=True)
class Sheet:
    view: PlanView
    rows: list[OverviewRow]
    times: list[DoseTimeName]  # overview columns, in the day's order
    multi: bool  # more than one drug: a curve per drug
    products: list[str]  # what the dose rows take; more than one: a column for them
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
    urgent: list[tuple[str, str]]  # the region's urgent-help numbers: (number, when to call)
    now: NowBox  # page 1: what to take at each time, the next change, a switch

    @property
    def product_column(self) -> bool:
        """A column naming each row's product, when products alternate row by row (drugs
        tapered side by side); else a product row above each run of rows of one product."""
        return len(self.products) > 1 and not any(row.heading for row in self.rows)

    @property
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
        widths = self._overview_widths()
        if self.amount_column:
            return widths
        # The amount column's share goes to the columns before it.
        *kept, amount = (Decimal(w) for w in widths)
        share = amount / len(kept)
        return [str((w + share).quantize(Decimal("0.1"))) for w in kept]

    @property
    def dispense_products(self) -> list[str]:
        """The dispensing table's strength heads, each on one line ("20 mg", never "20/mg")."""
        return [unbreakable(p) for p in self.dispensing.products]

    def dispense_widths(self) -> list[str]:
        """The dispensing table's column widths in percent: each column at least as wide as
        its longest word (a brand's words shared by the columns it spans), at the table's
        12 pt (the prescriber's part); the rest shared out evenly. "Oxikodon" broke into
        "Oxik/odon" at 74 % / 8 columns."""
        table = self.dispensing
        scale = Decimal(12) / Decimal(14)  # the widths are measured at 14 pt
        need = [_least_percent([self.view.t._("Dates"), *(r.dates for r in table.rows)])]
        counts = [
            [str(n) for n in column] for column in zip(*(r.counts for r in table.rows), strict=True)
        ] or [[] for _ in table.products]
        need += [
            _least_percent([product, *column])
            for product, column in zip(self.dispense_products, counts, strict=True)
        ]
        column = 1
        for brand, span in table.brands:
            least = _least_percent(brand.split(" ")) / span
            for n in range(column, column + span):
                need[n] = max(need[n], least)
            column += span
        need = [n * scale for n in need]
        # The dates on one line when that still fits: a row stays one line high.
        whole = _least_percent([r.dates.replace(" ", NBSP) for r in table.rows]) * scale
        if whole > need[0] and sum(need[1:]) + whole <= 100:
            need[0] = whole
        total = sum(need, Decimal(0))
        spare = max(Decimal(0), 100 - total)
        if total > 100:
            need = [n * 100 / total for n in need]
        share = spare / len(need)
        return [str((n + share).quantize(Decimal("0.1"))) for n in need]

    def _overview_widths(self) -> list[str]:
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
        doses = [_least_percent(texts, bold=False) for texts in columns[fixed:-1]]
        # The head is bold, the amounts are not.
        amount = max(_least_percent(columns[-1][:1]), _least_percent(columns[-1][1:], bold=False))
        # The dates on one line when everything else still fits: rows stay one line high.
        dates = [_YEAR_AT_END.sub("", t).replace(" ", NBSP) for t in columns[0]]
        one_line = [_least_percent(dates)]
        one_line += [_least_percent(texts) for texts in columns[1:fixed]]
        if sum(one_line) + sum(doses) + amount <= 100:
            spare = 100 - sum(one_line) - sum(doses) - amount
            share = spare / len(doses) if doses else Decimal(0)
            widths = [*one_line, *(d + share for d in doses), amount + (0 if doses else spare)]
            return [str(w.quantize(Decimal("0.1"))) for w in widths]
        # Words wrap in the head and amount columns; a dose part never does (unbreakable),
        # so a dose column is at least as wide as its longest part.
        # The dates on two lines at most ("11 jan. –" / "24 jan. 2027"): rows stay low.
        halves = [
            h.strip().replace(" ", NBSP)
            for text in columns[0]
            for h in (text.replace(" – ", " –\n", 1).split("\n") if " – " in text else [text])
        ]  # "11 jan. –" with its dash, then "24 jan."
        least = [_least_percent(halves)]
        least += [_least_percent(texts) for texts in columns[1:fixed]]
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

    def last_patch(self) -> str | None:
        """Page 1's last patch: the day it goes on and the day it comes off."""
        return last_patch_text(self.view) if self.view.patches == "all" else None

    def tick_widths(self) -> tuple[str, str, str]:
        """The tick calendar's column widths in percent: the week's date, each day (room for
        its boxes, 4.2 mm each with their margins, and the cell's padding), the note (the
        rest: a wide note keeps the weeks one line high)."""
        page = Decimal(182)  # mm: A4 less the margins
        # At least 14 mm: room for the weekday's name ("Wed") above one box.
        boxes = len(self.tick_times) * Decimal("4.8") + Decimal("1.6")
        day = max(boxes, Decimal(14)) * 100 / page
        # The week's column as wide as its head ("Datum" broke into "Datu/m") and its dates.
        dates = [self.view.t._("Date"), *(w.label for w in self.weeks)]
        date = max(Decimal(10), _least_percent(dates))
        note = 100 - date - 7 * day
        return (str(date), str(day.quantize(Decimal("0.1"))), str(note.quantize(Decimal("0.1"))))


def build_sheet(view: PlanView) -> Sheet:
    steps = view.steps
    drugs = list(dict.fromkeys(s.step.drug for s in steps))
    runs = _runs(steps)  # the overview's rows and page 1's box both read them
    starts = [run[0].step.start for run in runs]
    rows = _rows(view, runs, starts)
    times = [time for time in DOSE_TIMES if any(time in row.cells for row in rows)]
    tick_times: list[DoseTimeName] = list(times)  # a patch: a box on its change days
    weeks, until = _weeks(view, tick_times)
    found = decisions(view)
    return Sheet(
        view=view,
        rows=rows,
        times=times,
        multi=len(drugs) > 1,
        products=list(dict.fromkeys(row.product for row in rows if row.kind == "doses")),
        tick_times=tick_times,
        weeks=weeks,
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
        months=_months(view),
        brands=full_brands(view),
        urgent=urgent_help(view),
        now=now_box(view, rows, [(r[0].step.start, r[-1].step.end) for r in runs]),
    )


def urgent_help(view: PlanView) -> list[tuple[str, str]]:
    """The rule file's urgent-help numbers with their labels in the sheet's language (the
    number's no-break space keeps "116 117" on one line)."""
    if view.guideline is None:
        return []
    return [
        (u.number.replace(" ", NBSP), u.label.get(view.lang)) for u in view.guideline.urgent_help
    ]


# --- the overview table -------------------------------------------------------------------

# A4 less the margins, in CSS px; 14 pt in CSS px; a cell's padding and borders.
_PAGE_PX = Decimal(688)
_EM_PX = Decimal("18.67")
_CELL_PX = Decimal(10)  # 2 × 1 mm padding and a 1.5 px border
# Advance widths in em of DejaVu Sans (the sheet's font), by kind of character, rounded up:
# (regular, bold). A dose cell is regular, the dates and the head bold.
_DIGIT = (Decimal("0.64"), Decimal("0.70"))
_SPACE = (Decimal("0.32"), Decimal("0.35"))
_LOWER = (Decimal("0.62"), Decimal("0.69"))
_UPPER = (Decimal("0.72"), Decimal("0.80"))
_NARROW = (Decimal("0.40"), Decimal("0.45"))  # . , : ; ( ) / – i l j t r
_WIDE = (Decimal("0.84"), Decimal("0.84"))  # × + = ½
_WIDEST = (Decimal("1.00"), Decimal("1.06"))  # m w M W
_OTHER = (Decimal("0.75"), Decimal("0.85"))


# A row that runs into the next year ends with it: that year may go on a second line.
_YEAR_AT_END = re.compile(r" \d{4}$")


def _char_em(char: str, bold: bool) -> Decimal:
    pick = 1 if bold else 0
    if char.isdigit():
        return _DIGIT[pick]
    if char in " \u00a0":
        return _SPACE[pick]
    if char in ".,:;()/–-iljtrf'":
        return _NARROW[pick]
    if char in "×+=½¼¾":
        return _WIDE[pick]
    if char in "mwMW":
        return _WIDEST[pick]
    if char.islower():
        return _LOWER[pick]
    if char.isupper():
        return _UPPER[pick]
    return _OTHER[pick]


def _least_percent(texts: list[str], bold: bool = True) -> Decimal:
    """Percent of the page for the longest unbreakable piece (split at ordinary spaces
    only: a no-break space holds a dose part together), at 14 pt."""
    longest = max(
        (
            sum((_char_em(c, bold) for c in word), Decimal(0))
            for t in texts
            for word in t.split(" ")
        ),
        default=Decimal(1),
    )
    return ((longest * _EM_PX + _CELL_PX) * 100 / _PAGE_PX).quantize(Decimal("0.1"))


def diary_widths(columns: list[list[str]]) -> list[str]:
    """The landscape diary's column widths in percent (the day, each time, the notes): each
    at least its longest word ("Eftermiddag", "Anteckningar" broke mid-word in equal
    columns), the times' columns alike; what is left goes to the columns written in."""
    landscape = Decimal(269) / Decimal(182)  # the landscape content width over the portrait
    padding = Decimal(1)  # the diary's 1.5 mm side padding and thicker border, in percent
    need = [_least_percent(texts) / landscape + padding for texts in columns]
    # The boxes to write in as wide as each other: each time's column as wide as the widest.
    need[1:-1] = [max(need[1:-1])] * (len(need) - 2)
    need[-1] = max(need[-1], Decimal(20))  # the notes: room for a sentence a day
    share = max(Decimal(0), 100 - sum(need, Decimal(0))) / (len(need) - 1)
    widths = need[:1] + [n + share for n in need[1:]]
    return [str(w.quantize(Decimal("0.1"))) for w in widths]


def _same(a: StepView, b: StepView) -> bool:
    """Two steps a patient cannot tell apart: the same tablets at the same times."""
    return a.kind == b.kind and [(d.time, d.tablets) for d in a.doses] == [
        (d.time, d.tablets) for d in b.doses
    ]


def _runs(steps: list[StepView]) -> list[list[StepView]]:
    """Each drug's steps, consecutive unchanged ones together: one block per drug (in the
    order the drugs first appear), each in date order. Two drugs in one date order alternated
    row by row, so a page could show one drug only (nurse review 2)."""
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
    drugs = list(dict.fromkeys(s.step.drug for s in sorted(steps, key=lambda s: s.step.start)))
    return sorted(runs, key=lambda r: (drugs.index(r[0].step.drug), r[0].step.start))


def _rows(view: PlanView, runs: list[list[StepView]], starts: list[dt.date]) -> list[OverviewRow]:
    """A row per run (`_runs`); `starts`: each run's first date."""
    rows = []
    for index, run in enumerate(runs):
        first, last = run[0], run[-1]
        start, end = first.step.start, last.step.end
        following = next((r for r in runs[index + 1 :] if r[0].step.drug == first.step.drug), None)
        previous = next(
            (r for r in reversed(runs[:index]) if r[0].step.drug == first.step.drug), None
        )
        text: str | None = None
        if first.kind == "mapping":
            text = f"{first.as_now} {_diary_line(view, first)}"
        elif first.kind == "stop":
            text = _stop_text(view, first, runs)
        elif not first.step.doses:
            # A dose the formulary's products cannot make, kept as taken now (evening out).
            text = f"{first.as_now} {first.daily_text}."
        doses = in_day_order(first.step)
        brands = list(dict.fromkeys(short_brand(x.brand) for d in doses for x in d.tablets))
        liquids = [x for d in doses for x in d.tablets if x.liquid is not None]
        product = " + ".join(_with_generic(b, first.drug) for b in brands) if brands else first.drug
        if len(brands) == 1 and liquids:
            # One oral solution in the row: its concentration and measuring device beside its
            # name, once; each cell then says mg = ml.
            product = liquid_product(view.t, liquids[0])
        rows.append(
            OverviewRow(
                dates=_short_range(view, start, end)
                if first.kind != "stop"
                else view.t.short_day_month(start),
                drug=first.drug,
                product=product,
                kind=first.kind,
                cells={d.time: _parts(view, d, first.step.unit, len(brands) == 1) for d in doses},
                daily=_bind_units(first.daily) if first.kind == "doses" else "",
                text=text,
                note=_changed_product(view, run, previous, product)
                or _row_note(view, run, following),
                depot=first.kind == "doses"
                and any(x.modified_release for d in doses for x in d.tablets),
            )
        )
    return _depot_runs(_headed(rows, starts))


def _depot_runs(rows: list[OverviewRow]) -> list[OverviewRow]:
    """Marks the first row of each run of one drug's depot rows, in the table's order (another
    drug's rows between do not end a run)."""
    out = []
    before: dict[str, bool] = {}
    for row in rows:
        if row.kind == "doses":
            row = replace(row, depot_first=row.depot and not before.get(row.drug, False))
            before[row.drug] = row.depot
        out.append(row)
    return out


# Products alternating more often than this make a product column instead of product rows.
_MAX_HEADINGS = 6


def _headed(rows: list[OverviewRow], starts: list[dt.date]) -> list[OverviewRow]:
    """A year row before the first row of each year (the rows' dates leave the year out), and
    a product row before each run of rows of one product, unless products alternate so often
    that a column says it better."""
    out = []
    year = None
    for row, start in zip(rows, starts, strict=True):
        if start.year != year:
            year = start.year
            row = replace(row, year=str(year))
        out.append(row)
    shown = None
    headed = []
    for row in out:
        if row.kind != "stop" and row.product != shown:
            shown = row.product
            row = replace(row, heading=row.product)
        headed.append(row)
    if len({r.product for r in out if r.kind == "doses"}) < 2:
        return out  # one product: the sentence above the table names it
    if sum(1 for r in headed if r.heading) > _MAX_HEADINGS:
        return out
    return headed


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
    """'11 jan. – 24 jan.': months short, no year (a year row above the year's first row
    says it), except where a row runs into the next year: '27 dec. – 9 jan. 2028'."""
    t = view.t
    first = unbreakable(t.short_day_month(start))
    if start == end:
        return first
    tail = unbreakable(t.short_day_month(end))
    if start.year != end.year:
        tail += f" {end.year}"  # the year, in sv, nb and en, comes last; it may wrap
    return f"{first} – {tail}"


def _stop_text(view: PlanView, stop: StepView, runs: list[list[StepView]]) -> str:
    """No more of this drug; and what goes on, when another drug does."""
    t = view.t
    if stop.patch:
        said = last_patch_stop(view, stop.step.drug)
        if said is not None:
            return said
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


def _brands(run: list[StepView]) -> set[str]:
    return {x.brand for d in run[0].step.doses for x in d.tablets}


def _changed_product(
    view: PlanView, run: list[StepView], previous: list[StepView] | None, product: str
) -> str | None:
    """A formulation change at the same daily dose (tablets to an oral solution, depot to
    immediate-release tablets) is a row of its own: say that only the product changes."""
    first = run[0]
    if (
        previous is None
        or first.kind != "doses"
        or previous[-1].kind != "doses"
        or previous[-1].step.dose != first.step.dose
        or not _brands(run)
        or not _brands(previous[-1:])
        or _brands(run) == _brands(previous[-1:])
    ):
        return None
    return view.t._("The same dose as before, now as %(product)s.", product=product)


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
    if following is None or following[0].step.dose >= first.step.dose:
        return None  # no cut next (the next row changes only the product)
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
    length = _hold_length(view, held)
    if length is None:
        return t._(
            "You take the same dose longer, up to and including %(date)s. Then the dose goes "
            "down to %(amount)s.",
            date=t.date(run[-1].step.end),
            amount=following[0].daily,
        )
    return t._(
        "You take the same dose for %(length)s longer. Then the dose goes down to %(amount)s.",
        length=length,
        amount=following[0].daily,
    )


def _hold_length(view: PlanView, days: int) -> str | None:
    """ "4 weeks", "10 days"; None for a long hold of no whole weeks, which the sentence
    says by its last date instead ("141 dagar" means nothing to a patient)."""
    if days % 7 == 0:
        return view.t.ngettext("%(num)s week", "%(num)s weeks", days // 7)
    if days < 14:
        return view.t.ngettext("%(num)s day", "%(num)s days", days)
    return None


# A dose held this long (or longer) gets a sentence: the patient sees it is meant (project
# choice; README: "a dose held 4 weeks or more").
LONG_HOLD_DAYS = 28


def _long_hold(view: PlanView, run: list[StepView], following: list[StepView]) -> str | None:
    """ "You take the same dose for 15 weeks. Then the dose goes down to 2.5 mg." """
    t = view.t
    days = sum(s.step.days for s in run)
    if days < LONG_HOLD_DAYS or following[0].kind != "doses" or following[0].step.days >= days:
        return None  # short, or as long as the step after it: the plan's ordinary pace
    length = _hold_length(view, days)
    if length is None:
        return t._(
            "You take the same dose up to and including %(date)s. Then the dose goes down to "
            "%(amount)s.",
            date=t.date(run[-1].step.end),
            amount=following[0].daily,
        )
    return t._(
        "You take the same dose for %(length)s. Then the dose goes down to %(amount)s.",
        length=length,
        amount=following[0].daily,
    )


# --- the tick calendar --------------------------------------------------------------------


def _weeks(view: PlanView, times: list[DoseTimeName]) -> tuple[list[TickWeek], str | None]:
    t = view.t
    dosed = [s for s in view.steps if s.kind == "doses"]
    patch_days = patch_change_days(view)
    if not dosed or not times:
        return [], None
    first = min(s.step.start for s in dosed)
    # The day each drug's last patch comes off: in the calendar, with a box and its note
    # (page 1 and the table say "take off 24 March"; the calendar ended the day before).
    offs = {
        off[1]
        for drug in dict.fromkeys(s.step.drug for s in dosed if s.patch)
        if (off := last_patch(view, drug)) is not None
    }
    last = max([*(s.step.end for s in dosed), *offs])
    monday = first - dt.timedelta(days=first.weekday())
    # A patch-only calendar (a box every 3 or 7 days) shows up to half a year: every change
    # day of a typical patch plan, on one page.
    weeks_shown = PATCH_TICK_WEEKS if times == ["patch"] else TICK_WEEKS
    limit = monday + dt.timedelta(weeks=weeks_shown) - dt.timedelta(days=1)
    end = min(last, limit)
    taken: dict[dt.date, set[DoseTimeName]] = {}
    for s in dosed:
        day = max(s.step.start, first)
        while day <= min(s.step.end, end):
            taken.setdefault(day, set()).update(
                d.time
                for d in s.step.doses
                if d.amount > 0 and (d.time != "patch" or day in patch_days)
            )
            day += dt.timedelta(days=1)
    for day_off in offs:
        taken.setdefault(day_off, set()).add("patch")
    changes = {
        s.step.start
        for s in view.steps
        if s.is_change and s.kind != "mapping" and s.step.start > first
    }
    changes -= offs  # the last patch's off day says so, not "new dose"
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
            if day in offs:
                notes.append(t._("%(day)s take off the last patch", day=t.numeric_day(day)))
            if day in changes and day in talks:
                notes.append(t._("%(day)s new dose, talk", day=t.numeric_day(day)))
            elif day in changes:
                notes.append(t._("%(day)s new dose", day=t.numeric_day(day)))
            elif day in talks:
                notes.append(t._("%(day)s talk", day=t.numeric_day(day)))
        weeks.append(TickWeek(t.numeric_day(max(monday, first)), days, " · ".join(notes)))
        monday += dt.timedelta(weeks=1)
    return weeks, t.date(end) if end < last else None


def _months(view: PlanView) -> list[MonthView]:
    """A row a month: the days of each kind of contact together ("Mon 4, Fri 15 Support
    talk"), so that a month with several talks still fits on a line or two."""
    t = view.t
    months: dict[tuple[int, int], dict[str, list[str]]] = {}
    labels: dict[tuple[int, int], str] = {}
    for c in view.appointments:
        day = c.checkpoint.date
        key = (day.year, day.month)
        labels.setdefault(key, t.month_year(day))
        # The kind's short label ("Support talk"), not the title ("Support talk before a
        # dose change"): a month's contacts fit on one line; the topics below say the rest.
        kind = t._(KIND_LABELS[c.checkpoint.kind])
        months.setdefault(key, {}).setdefault(kind, []).append(
            unbreakable(f"{c.weekday} {day.day}")
        )
    return [
        MonthView(labels[key], [MonthItem(", ".join(days), kind) for kind, days in kinds.items()])
        for key, kinds in months.items()
    ]
