"""The overview table of the patient's pages: one table of every step, a row per run of steps
that change nothing for the patient, and its column widths.

Each drug's steps become runs (`step_runs`), each run a row (`overview_rows`): a date range, what
to take at each time of day ("1 × 10 mg" / "+ ½ × 5 mg"), the daily dose, and where it helps
a sentence for the patient (the mapping week's diary, a dose held longer, the last step, a
stop). Year rows, product rows and the depot advice's place are marked on the rows; the
columns get room for their longest word (`overview_widths`). Nothing here computes a dose:
the rows only regroup what the planner decided.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from decimal import Decimal
from itertools import pairwise
from typing import Literal

from taper.plan.model import DoseAtTime, DoseTimeName
from taper.render.dose_text import (
    in_day_order,
    liquid_amount,
    liquid_product,
    liquid_text,
    tablet_parts,
)
from taper.render.sheet_clinician import short_brand
from taper.render.sheet_patches import last_patch_stop
from taper.render.sheet_widths import NBSP, bind_units, least_percent, unbreakable
from taper.render.view import PlanView, StepView


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
    # Another drug's row for the same dates as the row before (a switch's crossover): printed
    # with it, never on another page.
    joined: bool = False
    brands: frozenset[str] = frozenset()  # the full brands of the row's tablets
    intervals: tuple[str, ...] = ()  # the least-time lines of products first taken here
    # A product change said above the row, before its doses are read (nurse review 10, F1:
    # "Stop taking OxyContin" under the first row of the new tablets read as the next row's)
    change: str | None = None


# A row that runs into the next year ends with it: that year may go on a second line.
_YEAR_AT_END = re.compile(r" \d{4}$")


def overview_widths(
    view: PlanView,
    rows: list[OverviewRow],
    times: list[DoseTimeName],
    product_column: bool,
    amount_column: bool,
) -> list[str]:
    """The overview's column widths in percent (`_column_widths`); a table without an amount
    column gives that column's share to the columns before it."""
    widths = _column_widths(view, rows, times, product_column)
    if amount_column:
        return widths
    # The amount column's share goes to the columns before it.
    *kept, amount = (Decimal(w) for w in widths)
    share = amount / len(kept)
    return [str((w + share).quantize(Decimal("0.1"))) for w in kept]


def _column_widths(
    view: PlanView, rows: list[OverviewRow], times: list[DoseTimeName], product_column: bool
) -> list[str]:
    """The overview's column widths in percent: dates, (product), each time, the amount.
    Each column is at least as wide as its longest word at 14 pt (a word that does not
    fit is what makes Chromium shrink the page); the dose columns share what is left."""
    v = view
    columns: list[list[str]] = [[v.t._("Dates"), *(r.dates for r in rows)]]
    if product_column:
        columns.append([v.t._("Medicine"), *(r.product for r in rows)])
    for time in times:
        columns.append(
            [
                v.time_label(time),
                *(
                    ("+" + NBSP if n else "") + p
                    for r in rows
                    for n, p in enumerate(r.cells.get(time, []))
                ),
            ]
        )
    columns.append([v.dose_header, *(r.daily for r in rows)])
    fixed = 2 if product_column else 1  # dates (and product) come first
    # The heads are bold ("Afternoon" broke into "Afternoo/n"), the doses and amounts not.
    doses = [
        max(least_percent(texts[:1]), least_percent(texts[1:], bold=False))
        for texts in columns[fixed:-1]
    ]
    amount = max(least_percent(columns[-1][:1]), least_percent(columns[-1][1:], bold=False))
    # The dates on one line when everything else still fits: rows stay one line high.
    dates = [_YEAR_AT_END.sub("", t).replace(" ", NBSP) for t in columns[0]]
    one_line = [least_percent(dates)]
    one_line += [least_percent(texts) for texts in columns[1:fixed]]
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
    least = [least_percent(halves)]
    least += [least_percent(texts) for texts in columns[1:fixed]]
    floors = [Decimal(16), Decimal(14)][:fixed]
    head = [max(m, f) for m, f in zip(least, floors, strict=True)]
    if sum(doses) + amount + sum(floors) > 100:
        # Dose parts wider than the page allows: the dose columns shrink in proportion (their
        # parts then wrap) rather than leave the dates a negative width.
        scale = (100 - amount - sum(floors)) / sum(doses)
        doses = [d * scale for d in doses]
    room = 100 - sum(doses) - amount
    # A wide plan with room for "11 Jan –" / "18 Jan" (a row's year on a line of its own):
    # no lone dash on a line (nurse review 7), and "Jan 11 –" as wide as "11 Jan –" (en_US).
    no_year = [_YEAR_AT_END.sub("", h.replace(NBSP, " ")).replace(" ", NBSP) for h in halves]
    halved = [least_percent(no_year)]
    halved += least[1:]
    if sum(head) > room and sum(halved) <= room:
        head = halved
    elif sum(head) > room:  # a wide plan: the dates wrap by word, then anywhere
        words = [least_percent(columns[0]), *least[1:]]
        head = words if sum(words) <= room else [w * room / sum(words) for w in words]
    spare = max(Decimal(0), 100 - sum(head) - sum(doses) - amount)
    # What is left goes to the dose columns first: the dates wrap onto two lines well.
    share = spare / len(doses) if doses else Decimal(0)
    widths = [*head, *(d + share for d in doses), amount + (0 if doses else spare)]
    return [str(w.quantize(Decimal("0.1"))) for w in widths]


def _same(a: StepView, b: StepView) -> bool:
    """Two steps a patient cannot tell apart: the same tablets at the same times."""
    return a.kind == b.kind and [(d.time, d.tablets) for d in a.doses] == [
        (d.time, d.tablets) for d in b.doses
    ]


def step_runs(steps: list[StepView], switch: bool = False) -> list[list[StepView]]:
    """Each drug's steps, consecutive unchanged ones together: one block per drug (in the
    order the drugs first appear), each in date order. Two drugs in one date order alternated
    row by row, so a page could show one drug only (nurse review 2). A switch's drugs are one
    date order: the weeks both are taken show both drugs' rows for the same dates together,
    not the old drug's on one page and the new one's on the next (nurse review 3, S-8)."""
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
    if switch:
        return sorted(runs, key=lambda r: (r[0].step.start, drugs.index(r[0].step.drug)))
    return sorted(runs, key=lambda r: (drugs.index(r[0].step.drug), r[0].step.start))


def overview_rows(view: PlanView, runs: list[list[StepView]]) -> list[OverviewRow]:
    """A row per run (`step_runs`)."""
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
        tablet_brands = {x.brand for d in doses for x in d.tablets if x.liquid is None}
        # Each cell names no product when the row's head names them all unambiguously: one
        # product, or depot tablets topped up with one solution (nurse review 3: the full US
        # product names in every cell of a top-up row pushed the dates to a negative width).
        named_once = len(brands) == 1 or (
            len(tablet_brands) == 1 and len({x.brand for x in liquids}) == 1
        )
        if len(brands) == 1 and liquids:
            # One oral solution in the row: its concentration and measuring device beside its
            # name, once; each cell then says mg = ml.
            product = liquid_product(view.t, liquids[0])
        elif named_once and liquids:
            (tablets,) = tablet_brands
            product = (
                f"{_with_generic(short_brand(tablets), first.drug)} + "
                f"{liquid_product(view.t, liquids[0])}"
            )
        change = _changed_product(view, run, previous, product)
        rows.append(
            OverviewRow(
                dates=_short_range(view, start, end)
                if first.kind != "stop"
                else view.t.short_day_month(start),
                drug=first.drug,
                product=product,
                kind=first.kind,
                cells={d.time: _parts(view, d, first.step.unit, named_once) for d in doses},
                daily=bind_units(first.daily) if first.kind == "doses" else "",
                text=text,
                change=change,
                note=None if change else _row_note(view, run, following),
                depot=first.kind == "doses"
                and any(x.modified_release for d in doses for x in d.tablets),
                brands=frozenset(x.brand for d in doses for x in d.tablets),
            )
        )
    return _joined(_depot_runs(_headed(rows, [run[0].step.start for run in runs])))


def _joined(rows: list[OverviewRow]) -> list[OverviewRow]:
    """Marks a drug's row that has the dates of the row before it, another drug's; the first
    row of such a group is headed by its product (where products head rows), so the group
    names both drugs wherever a page begins."""
    out = rows[:1]
    for before, row in pairwise(rows):
        together = row.kind == before.kind == "doses" and row.dates == before.dates
        out.append(replace(row, joined=together and row.drug != before.drug))
    headed = any(r.heading for r in out)
    for index, (row, after) in enumerate(pairwise(out)):
        if headed and after.joined and not row.joined and row.heading is None:
            out[index] = replace(row, heading=row.product)
    return out


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


def interval_places(
    rows: list[OverviewRow], lines: list[tuple[str, str]]
) -> tuple[list[OverviewRow], list[str]]:
    """Where each product's least-time line (`advice.interval_lines`: brand, line) stands:
    above the table when every dose row takes the product, else above the first row of each
    run of rows that take it, as the depot advice (nurse review 9, N5: the immediate-release
    tablets' "at least 4 hours" headed OxyContin rows "12 hours apart"). Returns the rows
    marked and the lines above the table."""
    doses = [row for row in rows if row.kind == "doses"]
    above = {line for brand, line in lines if all(brand in row.brands for row in doses)}
    placed: set[str] = set(above)
    out = []
    before: dict[str, bool] = {}
    for row in rows:
        if row.kind == "doses":
            first = []
            for brand, line in lines:
                taken = brand in row.brands
                if taken and line not in above and not before.get(brand, False):
                    first.append(line)
                before[brand] = taken
            placed.update(first)
            row = replace(row, intervals=tuple(first))
        out.append(row)
    # A line whose product no dose row takes stands above the table: never lost.
    return out, [line for _, line in lines if line in above or line not in placed]


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
        return [bind_units(p) for p in tablet_parts(t, dose, unit)]
    combined = view.combination_brands
    return [
        # A liquid always says mg and ml; its concentration and measuring device stand in the
        # row's product column (one brand), else in the cell too. Its numbers stay with their
        # units; its words may wrap.
        bind_units(liquid_amount(t, x) if one_brand else liquid_text(t, x))
        if x.liquid is not None
        # A combination product in tablets, not "2 × 30 mg": its 30 mg is the codeine only,
        # which a patient could take for a plain codeine tablet (nurse reviews 3 and 4).
        else unbreakable(
            f"{t.count(x.count)} "
            + (t._("tablet") if x.count <= 1 else t._("tablets"))
            + ("" if one_brand else " " + short_brand(x.brand))
        )
        if x.brand in combined
        else unbreakable(
            f"{t.count(x.count)} × "
            + ("" if one_brand else short_brand(x.brand) + " ")
            + t.amount(x.strength, x.unit)
        )
        for x in dose.tablets
    ]


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
    if len(view.drugs) > 1 or view.ends_on_liquid:
        return t._("No more %(drug)s.", drug=_brand_of(runs, stop.step.drug))
    return t._("No more tablets.")


def _brands(run: list[StepView]) -> set[str]:
    return {x.brand for d in run[0].step.doses for x in d.tablets}


def _changed_product(
    view: PlanView, run: list[StepView], previous: list[StepView] | None, product: str
) -> str | None:
    """A formulation change (tablets to an oral solution, depot to immediate-release tablets)
    comes with a cut (clinician review 4, D3): say that the dose goes down and the product
    changes; at the same daily dose (a plan made before), that only the product changes."""
    first = run[0]
    if (
        previous is None
        or first.kind != "doses"
        or previous[-1].kind != "doses"
        or not _brands(run)
        or not _brands(previous[-1:])
        or _brands(run) == _brands(previous[-1:])
    ):
        return None
    if previous[-1].step.dose != first.step.dose:
        said = view.t._("A lower dose, now as %(product)s.", product=product)
    else:
        said = view.t._("The same dose as before, now as %(product)s.", product=product)
    # Say which product is no longer taken, so the old and the new are never taken together
    # (nurse review 7: OxyContin to immediate-release tablets, a double dose where both are at
    # home).
    gone = sorted(_brands(previous[-1:]) - _brands(run))
    if gone:
        said += " " + view.t._("Stop taking %(old)s.", old=", ".join(gone))
    return said


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
