"""The nurse's printable sheet and the intake diary, as HTML with a print stylesheet.

Jinja2 templates in `templates/`, translated through the same gettext catalog as every other
format. No JavaScript, no external files: the sheet prints the same from any browser, and
WeasyPrint turns the same HTML into the PDF.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from taper.errors import TaperError
from taper.render.advice import (
    depot_advice,
    paracetamol_advice,
    patch_safety,
    patch_sources,
    safety_items,
    topics_besides,
)
from taper.render.driving import driving_line
from taper.render.i18n import Texts
from taper.render.labels import DOSE_TIMES, TIME_LABELS
from taper.render.project_choices import sheet_ids
from taper.render.view import PlanView

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
def environment(t: Texts) -> jinja2.Environment:
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
    # The reader's own words: the catalog, as the rule file's country writes it (en_US).
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=t.template, ngettext=t.plural_template, newstyle=True
    )
    return env


@dataclass(frozen=True)
class DrugCurve:
    drug: str
    svg: Markup


def _weekday_names(view: PlanView) -> list[str]:
    """Monday to Sunday, short, in the reader's language (the tick calendar's columns)."""
    monday = dt.date(2024, 1, 1)  # any Monday
    return [view.t.weekday(monday + dt.timedelta(days=n)) for n in range(7)]


def _footer(view: PlanView) -> str:
    from taper.render import plan_id

    g = view.plan.guideline
    return (
        f"{view.t._('Plan %(id)s', id=plan_id(view.plan))} · {g.id} {g.version} · "
        f"sha256 {g.sha256[:12]} · taper {view.plan.tool_version}"
    )


def _patient_footer(view: PlanView) -> str:
    """The plan's short id on the patient's pages and on a later calendar print alike, so a
    nurse can match them (nurse review 7)."""
    from taper.render import plan_id

    return view.t._("Plan %(id)s", id=plan_id(view.plan))


def render_sheet(view: PlanView, calendar_from: dt.date | None = None) -> bytes:
    from markupsafe import Markup

    from taper.render.curve import HEIGHT, svg_curve
    from taper.render.sheet import build_sheet

    sheet = build_sheet(view, calendar_from)
    drugs = list(dict.fromkeys(s.step.drug for s in view.steps))
    # One curve per drug, each on its own dose scale (3 mg of alprazolam and 60 mg of
    # diazepam on one axis would flatten the first); lower when there are several. Page 1
    # holds the curve of a one-drug plan under the contacts, the urgent-help numbers and what
    # to take from the first fixed dose.
    height = HEIGHT * 3 / 5 if len(drugs) == 1 else HEIGHT * 3 / 4
    curves = [
        DrugCurve(view.drug_names.get(drug, drug), Markup(svg_curve(view, drug, height)))
        for drug in drugs
    ]
    safety = safety_items(view)
    template = environment(view.t).get_template("sheet.html")
    html = template.render(
        v=view,
        sheet=sheet,
        weekdays=_weekday_names(view),
        curves=[c for c in curves if c.svg],  # built from escaped parts in curve.py
        orientation="portrait",
        footer_left=None,  # patient pages: only their page label (the stamp is the clinician's)
        stamp_short=_footer(view),
        plan_label=_patient_footer(view),
        depot=depot_advice(view),
        safety=safety,
        # Below the key dates, not in the "Important" box: page 1 must keep the switch day's
        # doses (nurse review 2, A-5), which the long driving sentence pushed overleaf.
        driving=driving_line(view),
        topics=topics_besides(view, safety),
        paracetamol=paracetamol_advice(view),
        patch_safety=patch_safety(view),
        patch_sources=patch_sources(view),
        ids=sheet_ids(view.plan.rule_ids, view.guideline),
    )
    return patient_units(view, html).encode("utf-8")


PATIENT_END = '<div id="patient-end"></div>'


def patient_units(view: PlanView, html: str) -> str:
    """The patient's pages spell a patch's rate in words ("mikrogram/timme"); the clinician
    part after them keeps the prescriber's "mcg/h"."""
    patient, marker, clinician = html.partition(PATIENT_END)
    return patient.replace("mcg/h", view.t._("mcg/h")) + marker + clinician


def render_diary_sheet(view: PlanView) -> bytes:
    from taper.render.sheet_widths import diary_widths

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
    template = environment(view.t).get_template("diary.html")
    html = template.render(
        v=view,
        days=days,
        times=times,
        patches=patches,
        widths=diary_widths(
            [
                [view.t._("Date"), *(f"{d.weekday} {d.numeric}" for d in days)],
                *([label] for label in times),
                [view.t._("Notes (sleep, worry, how you feel)")],
            ]
        ),
        next_talk=f"{talks[0].weekday} {talks[0].date}" if talks else None,
        orientation="landscape",
        footer_left=view.stamp,  # the full stamp, in the footer: the diary fits one page
        stamp_short=None,
    )
    return html.encode("utf-8")
