"""CSV: one row per day and drug, for spreadsheets.

Swedish and Norwegian spreadsheet programs use the decimal comma, so there the delimiter is
';' (as Excel and LibreOffice expect in those locales) and numbers are written "2,5"; English
uses ',' and "2.5". Every file starts with a UTF-8 byte-order mark so Excel reads "½" and "×"
correctly. Dates are ISO (2027-03-22), which every spreadsheet reads as a date. Days of a
dose-0 step are not listed one by one: one row marks the first day without tablets. Numbers are
plain digits (1200, no thousands separator).

The stamp (rule file id, version, sha256, taper version, plan start) is the last column,
"Guideline", on every row: a spreadsheet user sorts, filters and copies rows, and a column
goes with each row (a comment line at the end would be sorted among the days, break the
date column's type on import, and be lost from any copied part). Every row stays the same
width, so the file imports as one table.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

from taper.dose import format_amount
from taper.render.view import PlanView

BOM = "\ufeff"


def delimiter(lang: str) -> str:
    return "," if lang == "en" else ";"


def plain_number(value: Decimal, lang: str) -> str:
    """A number for a data export: plain digits, no thousands separator, the language's
    decimal mark (1200, 2,5 in sv/nb; 2.5 in en), exact (no exponent, no trailing zeros)."""
    return format_amount(value.copy_abs() if value.is_zero() else value, lang)  # -0 is 0


def render_csv(view: PlanView) -> bytes:
    t = view.t
    times = view.times
    header = [
        t._("Date"),
        t._("Weekday"),
        t._("Step"),
        t._("Phase"),
        t._("Drug"),
        view.dose_header,
        t._("Unit"),
    ]
    stamp = view.stamp
    for time in times:
        label = view.time_label(time)
        what = (
            t._("%(time)s: patches", time=label)
            if time == "patch"
            else t._("%(time)s: tablets", time=label)
        )
        header += [t._("%(time)s: dose", time=label), what]
    rows: list[tuple[dt.date, int, list[str]]] = []
    for order, s in enumerate(view.steps):
        # Everything but the date is the same on every day of a step: made once per step.
        amounts: dict[str, Decimal] = {}
        for d in s.step.doses:
            amounts.setdefault(d.time, d.amount)  # the first dose at a time, as always
        tail = [
            str(s.number),
            s.phase,
            s.drug,
            "" if s.kind == "mapping" else plain_number(s.step.dose, view.lang),
            s.step.unit,
        ]
        by_time = {d.time: d for d in s.doses}
        for time in times:
            dose = by_time.get(time)
            if dose is None:
                tail += ["", ""]
            else:
                tail += [plain_number(amounts[time], view.lang), dose.tablets]
        days = s.step.days if s.kind != "stop" else 1
        for n in range(days):
            day = s.step.start + dt.timedelta(days=n)
            rows.append((day, order, [day.isoformat(), t.weekday(day), *tail, stamp]))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter(view.lang), lineterminator="\r\n")
    writer.writerow([*header, t._("Guideline")])
    writer.writerows(row for _, _, row in sorted(rows, key=lambda r: (r[0], r[1])))
    return (BOM + buffer.getvalue()).encode("utf-8")
