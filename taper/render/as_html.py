"""The nurse's printable sheet and the intake diary, as HTML with a print stylesheet.

Jinja2 templates in `templates/`, translated through the same gettext catalog as every other
format. No JavaScript, no external files: the sheet prints the same from any browser, and
WeasyPrint turns the same HTML into the PDF.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from taper.errors import TaperError
from taper.render.i18n import LANGUAGES, Lang, Texts, remember, translations
from taper.render.view import DOSE_TIMES, TIME_LABELS, PlanView, StepView

if TYPE_CHECKING:
    import jinja2
    from markupsafe import Markup

TEMPLATES = Path(__file__).resolve().parent / "templates"


def css_string(value: str) -> Markup:
    """A CSS string literal: quoted, backslash-escaped, and unable to close the <style>."""
    from markupsafe import Markup

    inner = str(value).replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3C ")
    return Markup(f'"{inner}"')


@cache
def environment(lang: Lang) -> jinja2.Environment:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["css_string"] = css_string
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    return env


def tick_rows(view: PlanView, step: StepView) -> Markup:
    """A step's tick boxes: a <tbody> a week, a row a dose time, a box a day.

    Built here rather than in the template: a year's plan has thousands of boxes, and Jinja's
    loop and escape per box made the sheet ten times slower than every other format. The
    output is the template loop's byte for byte (tests/test_render_speed_ticks.py compares).
    """
    from markupsafe import Markup, escape

    t = view.t
    taken = t._("Taken")  # a translation is trusted markup, as in the template
    labels = [str(escape(d.label)) for d in step.doses]
    start = step.step.start
    days = [_day_cells(t, start + dt.timedelta(days=n)) for n in range(step.step.days)]
    out: list[str] = []
    for first in range(0, len(days), 7):
        week = days[first : first + 7]
        pad = 7 - len(week)
        out.append(f'<tbody>\n<tr><th class="time" scope="col">{"" if first else taken}</th>\n')
        out += [header for header, _ in week]
        out.append('<th aria-hidden="true"></th>' * pad + "</tr>\n")
        for label in labels:
            box = f'<td><span class="tick" role="img" aria-label="{label} '
            out.append(f'<tr><th class="time" scope="row">{label}</th>\n{box}')
            out.append(f'"></span></td>{box}'.join(long for _, long in week))
            out.append('"></span></td>' + '<td aria-hidden="true"></td>' * pad + "</tr>\n")
        out.append("</tbody>\n")
    return Markup("".join(out))


def _day_cells(t: Texts, day: dt.date) -> tuple[str, str]:
    """A day's column header and its escaped long date, kept per language."""
    memo = _DAY_CELLS[t.lang]
    cells = memo.get(day)
    if cells is None:
        from markupsafe import escape

        cells = (
            f'<th scope="col">{escape(t.weekday(day))}<span class="date">'
            f"{escape(t.numeric_day(day))}</span></th>",
            str(escape(t.date(day))),
        )
        remember(memo, day, cells)
    return cells


_DAY_CELLS: dict[Lang, dict[dt.date, tuple[str, str]]] = {lang: {} for lang in LANGUAGES}


def _footer(view: PlanView) -> str:
    g = view.plan.guideline
    return f"{g.id} {g.version} · sha256 {g.sha256[:12]} · taper {view.plan.tool_version}"


def render_sheet(view: PlanView) -> bytes:
    from markupsafe import Markup

    from taper.render.curve import svg_curve

    template = environment(view.lang).get_template("sheet.html")
    html = template.render(
        v=view,
        ticks=lambda step: tick_rows(view, step),
        curve=Markup(svg_curve(view)),  # built from escaped parts in curve.py
        orientation="portrait",
        footer_left=_footer(view),
    )
    return html.encode("utf-8")


def render_diary_sheet(view: PlanView) -> bytes:
    mapping = [s for s in view.steps if s.step.phase == "mapping"]
    if not mapping:
        raise TaperError("This plan has no mapping phase, so there is no intake diary to print.")
    days = [day for s in mapping for week in s.weeks for day in week]
    first = days[0].date
    talks = [
        c for c in view.checkpoints if c.checkpoint.kind == "support" and c.checkpoint.date > first
    ]
    # A patch is not "taken" at a time of day: a patch-only plan's diary records when a patch
    # was changed and its strength; any other plan's, the tablets taken at each time of day.
    patches = view.patches == "all"
    if patches:
        times = [view.t._("Patch changed (time)"), view.t._("Patch strength")]
    else:
        times = [view.t._(TIME_LABELS[time]) for time in DOSE_TIMES if time != "patch"]
    template = environment(view.lang).get_template("diary.html")
    html = template.render(
        v=view,
        days=days,
        times=times,
        patches=patches,
        next_talk=f"{talks[0].weekday} {talks[0].date}" if talks else None,
        orientation="landscape",
        footer_left=view.stamp,  # the full stamp, in the footer: the diary fits one page
    )
    return html.encode("utf-8")
