"""The taper curve: a few ASCII bars for text, an inline SVG step chart for the printed sheet.

Geometry is done in `Decimal` and rounded to one decimal, so the same plan always draws the
same picture byte for byte; no float ever touches a dose.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import ROUND_CEILING, ROUND_HALF_EVEN, Decimal

from taper.plan.model import Step
from taper.render.dose_text import is_rate
from taper.render.view import PlanView

BAR_WIDTH = 40
_ONE_PLACE = Decimal("0.1")

# SVG canvas (user units); the sheet scales it to the page width (about 180 mm).
WIDTH = Decimal(1000)
HEIGHT = Decimal(380)
LEFT = Decimal(150)
RIGHT = Decimal(20)
TOP = Decimal(30)
BOTTOM = Decimal(90)
FONT = 30  # about 15 pt at the printed width
LABEL_INSET = Decimal(6)  # a month label starts this far right of its tick
LABEL_GAP = Decimal(12)  # at least this much room between two labels
LABEL_EDGE = Decimal(4)  # a month label ends at least this far inside the right edge
CHAR_EM = Decimal("0.7")
STRIDES = (1, 2, 3, 6, 12, 24, 60, 120)  # months between labels, aligned to January
# Different drugs differ by dash pattern and label, never by colour alone.
_DASHES = ("", "18 10", "4 8", "18 8 4 8")


def ascii_bars(view: PlanView) -> list[str]:
    """One bar per dosed step: '  3  25 mg  ##########'."""
    steps = [s for s in view.steps if s.kind != "mapping"]
    top = max((s.step.dose for s in steps), default=Decimal(0))
    if top <= 0:
        return []
    width = max(len(s.daily) for s in steps)
    lines = []
    for s in steps:
        length = int((s.step.dose * BAR_WIDTH / top).to_integral_value(ROUND_HALF_EVEN))
        if s.step.dose > 0:
            length = max(length, 1)
        bar = "#" * length
        lines.append(f"{s.number:>3}  {s.daily:>{width}}  {bar}".rstrip())
    return lines


def _fmt(value: Decimal) -> str:
    return str(value.quantize(_ONE_PLACE, rounding=ROUND_HALF_EVEN))


# Dose labels on the y axis at least this far apart (user units): a label is about 0.75 em
# tall, so two never touch.
LABEL_PITCH = Decimal(FONT) * Decimal("1.2")
_GRIDS = tuple(Decimal(s) for s in ("0.5", "1", "2", "2.5", "5", "10", "20", "25", "50", "100"))


def _ceil(value: Decimal) -> Decimal:
    # Decimal's // truncates toward zero, so -(-a // b) is no ceiling.
    return value.to_integral_value(ROUND_CEILING)


def _nice_max(top: Decimal, most: int = 5) -> tuple[Decimal, Decimal]:
    """A round axis maximum at or above `top`, and the grid spacing: at most `most` spaces
    (so that labels fit the chart's height); at least two where possible; then the lowest
    maximum, then the most lines (50 -> 0, 25, 50; 25 -> 0, 10, 20, 30)."""
    most = max(most, 1)
    fits = []
    for step in _GRIDS:
        lines: Decimal = max(_ceil(top / step), Decimal(1))
        if lines <= most:
            fits.append((-min(lines, Decimal(2)), step * lines, -lines, step))
    if not fits:
        step = Decimal(200)
        while _ceil(top / step) > most:
            step *= 2
        return step * max(_ceil(top / step), Decimal(1)), step
    _, axis, _, step = min(fits)
    return axis, step


def svg_curve(view: PlanView, drug: str | None = None, height: Decimal = HEIGHT) -> str:
    """A step chart of the daily dose from the first fixed dose to zero, as inline SVG: of
    every drug on one scale, or (`drug`) of one drug on its own scale; `height` in the
    canvas's units (the width is always WIDTH)."""
    t = view.t
    steps = [
        s.step for s in view.steps if s.kind != "mapping" and (drug is None or s.step.drug == drug)
    ]
    if not steps:
        return ""
    # One time axis for every drug of the plan (so curves one above the other line up);
    # the dose scale is the drug's own.
    every = [s.step for s in view.steps if s.kind != "mapping"]
    first = min(s.start for s in every)
    dosed = [s for s in every if s.dose > 0]
    last = max(s.end for s in dosed) + dt.timedelta(days=1) if dosed else first
    span = Decimal(max((last - first).days, 1) + 14)  # room to show the drop to zero
    highest = max(s.dose for s in steps)
    unit = steps[0].unit
    plot_w = WIDTH - LEFT - RIGHT
    # A label too wide for the left margin ("50 mikrogram/time" cut to "ram/time"): the
    # numbers alone at the axis and the unit once above them, on a line the chart grows by
    # (the plot keeps its height: a patch chart's labels overprinted each other).
    top, grid = _nice_max(highest, int((height - BOTTOM - TOP) / LABEL_PITCH))
    values = [grid * n for n in range(int(top / grid) + 1)]
    shown = t._("mcg/h") if is_rate(unit) else unit  # as the patient's pages spell it
    widest = max(label_width(t.amount(v, shown)) for v in values)
    unit_above = widest > LEFT - 12
    if unit_above:
        height += FONT + 10
    top_edge = TOP + FONT + 10 if unit_above else TOP
    base = height - BOTTOM
    plot_h = base - top_edge

    def x(day: dt.date) -> Decimal:
        return LEFT + plot_w * Decimal((day - first).days) / span

    def y(dose: Decimal) -> Decimal:
        return base - plot_h * dose / top

    # Imported here: `html` loads its entity table (1.3 ms), which the text plan never needs.
    from html import escape

    out: list[str] = []
    label = escape(
        t._("Patch strength over time") if view.patches == "all" else t._("Daily dose over time")
    )
    out.append(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'role="img" aria-label="{label}" class="curve" font-family="DejaVu Sans, sans-serif" '
        f'font-size="{FONT}">'
    )
    out.append(f"<title>{label}</title>")
    # Horizontal grid with dose labels.
    for value in values:
        yy = _fmt(y(value))
        out.append(
            f'<line x1="{_fmt(LEFT)}" y1="{yy}" x2="{_fmt(WIDTH - RIGHT)}" y2="{yy}" '
            f'stroke="#767676" stroke-width="1.5"/>'
        )
        out.append(
            f'<text x="{_fmt(LEFT - 12)}" y="{_fmt(y(value) + 10)}" text-anchor="end" '
            f'fill="#000">{escape(t.number(value) if unit_above else t.amount(value, unit))}'
            "</text>"
        )
    if unit_above:
        out.append(f'<text x="0" y="{FONT}" fill="#000">{escape(unit)}</text>')
    # Month ticks along the bottom; a label every `stride` months (calendar-aligned: every
    # month, every other, quarters, half years, years) so that no two labels overlap; the
    # year under the first labelled month and under every labelled January.
    end_day = first + dt.timedelta(days=int(span))
    months: list[dt.date] = []
    month = dt.date(first.year, first.month, 1)
    while month <= end_day:
        months.append(month)
        month = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    chosen = set(_labelled_months(months, first, x, t.month))
    labelled = False
    for month in months:
        if month >= first:
            xx = _fmt(x(month))
            out.append(
                f'<line x1="{xx}" y1="{_fmt(base)}" x2="{xx}" '
                f'y2="{_fmt(base + 12)}" stroke="#000" stroke-width="2"/>'
            )
        if month in chosen:
            start, end, by_end = _label_span(month, first, x, t.month)
            at = end if by_end else start
            # A label that would pass the right edge ends at it ("jan. 2028" was cut to
            # "202(", nurse review 5); the picture keeps its size.
            anchor = ' text-anchor="end"' if by_end else ""
            out.append(
                f'<text x="{_fmt(at)}" y="{_fmt(base + 42)}" '
                f'fill="#000"{anchor}>{escape(t.month(month))}</text>'
            )
            if not labelled or month.month == 1:
                out.append(
                    f'<text x="{_fmt(at)}" y="{_fmt(base + 76)}" fill="#000"{anchor}>'
                    f"{month.year}</text>"
                )
            labelled = True
    out.append(
        f'<line x1="{_fmt(LEFT)}" y1="{_fmt(base)}" x2="{_fmt(WIDTH - RIGHT)}" '
        f'y2="{_fmt(base)}" stroke="#000" stroke-width="3"/>'
    )
    drugs = list(dict.fromkeys(s.drug for s in steps))
    for number, line_drug in enumerate(drugs):
        points = _points([s for s in steps if s.drug == line_drug], x, y, end_day)
        dash = _DASHES[number % len(_DASHES)]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(
            f'<polyline fill="none" stroke="#000" stroke-width="6" stroke-linejoin="round"'
            f'{dash_attr} points="{points}"/>'
        )
        if len(drugs) > 1:  # a legend only where lines need telling apart
            ly = top_edge + FONT * (number + 1)
            out.append(
                f'<line x1="{_fmt(WIDTH - 300)}" y1="{_fmt(ly - 10)}" x2="{_fmt(WIDTH - 230)}" '
                f'y2="{_fmt(ly - 10)}" stroke="#000" stroke-width="6"{dash_attr}/>'
                f'<text x="{_fmt(WIDTH - 220)}" y="{_fmt(ly)}" fill="#000">'
                f"{escape(view.drug_names.get(line_drug, line_drug))}</text>"
            )
    out.append("</svg>")
    return "".join(out)


def label_width(text: str) -> Decimal:
    """A generous estimate of a label's width in user units (DejaVu Sans: no letter but 'm'
    and 'w' is wider than 0.7 em), so labels placed this far apart never touch."""
    return Decimal(len(text)) * FONT * CHAR_EM


def _labelled_months(
    months: list[dt.date],
    first: dt.date,
    x: Callable[[dt.date], Decimal],
    name: Callable[[dt.date], str],
) -> list[dt.date]:
    """The months that get a label: the smallest calendar-aligned stride at which every
    label (and the year under it) ends, with a gap, before the next one starts."""
    for stride in STRIDES:
        chosen = [
            month
            for month in months
            if (month.month - 1) % stride == 0
            # a month the plan starts in is labelled only when most of it is shown
            and (month >= first or first.day <= 10)
            and x(month + dt.timedelta(days=20)) <= WIDTH - RIGHT
        ]
        spans = [_label_span(m, first, x, name) for m in chosen]
        starts = [start for start, _, _ in spans]
        ends = [end for _, end, _ in spans]
        if all(end + LABEL_GAP <= start for end, start in zip(ends, starts[1:], strict=False)):
            return chosen
    return []


def _label_span(
    month: dt.date, first: dt.date, x: Callable[[dt.date], Decimal], name: Callable[[dt.date], str]
) -> tuple[Decimal, Decimal, bool]:
    """Where a month's label (or the year under it, the wider) starts and ends, and whether it
    is set by its end: right of its tick, or ending at the right edge where it would pass it."""
    width = max(label_width(name(month)), label_width("0000"))
    start = x(max(month, first)) + LABEL_INSET
    if start + width > WIDTH - LABEL_EDGE:
        return WIDTH - LABEL_EDGE - width, WIDTH - LABEL_EDGE, True
    return start, start + width, False


def _points(
    steps: list[Step],
    x: Callable[[dt.date], Decimal],
    y: Callable[[Decimal], Decimal],
    end_day: dt.date,
) -> str:
    pts: list[str] = []
    for step in sorted(steps, key=lambda s: s.start):
        level = y(step.dose)
        # A stop step (dose 0) runs on to the chart's right edge to show the plan ends at zero.
        end = step.end + dt.timedelta(days=1) if step.dose > 0 else end_day
        pts.append(f"{_fmt(x(step.start))},{_fmt(level)}")
        pts.append(f"{_fmt(x(end))},{_fmt(level)}")
    return " ".join(pts)
