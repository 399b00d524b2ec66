"""Renderers: a Plan as text, markdown, html, pdf, csv, json, ics or fhir, in sv, nb or en.

Each format lives in its own module and is imported only when asked for, so Jinja2, Babel,
icalendar, fhir.resources and WeasyPrint never slow down `taper --help`. The format → renderer
mapping ends in `assert_never`: mypy fails if a `PlanFormat` member is not wired.
"""

from __future__ import annotations

import datetime as dt
from enum import Enum, StrEnum
from typing import TYPE_CHECKING, assert_never

from taper.plan.model import Plan

if TYPE_CHECKING:
    from taper.guideline.model import Guideline
    from taper.render.view import PlanView


class PlanFormat(StrEnum):
    text = "text"
    markdown = "markdown"
    html = "html"
    pdf = "pdf"
    csv = "csv"
    json = "json"
    ics = "ics"
    fhir = "fhir"


class DiaryFormat(StrEnum):
    """The intake-diary sheet for the mapping phase: printable HTML or PDF."""

    html = "html"
    pdf = "pdf"


# The rule file's drug names and checkpoint texts are looked up by the plan's guideline id
# unless the caller passes the guideline (tests pass a fixed one so golden files stay stable).
class Lookup(Enum):
    by_id = "by-id"


def _view(
    plan: Plan, lang: str, guideline: Guideline | Lookup | None, patient_id: str | None = None
) -> PlanView:
    from taper.render.i18n import check_lang
    from taper.render.view_builder import build_view, find_guideline

    code = check_lang(lang)
    found = find_guideline(plan) if guideline is Lookup.by_id else guideline
    return build_view(plan, code, found, patient_id=patient_id)


def plan_json(plan: Plan) -> bytes:
    """The plan as `--format json` prints it."""
    # The model's own serializer, as `model_dump_json` uses it, but keeping its UTF-8 bytes
    # (model_dump_json decodes them to a str that would be encoded straight back).
    return plan.__pydantic_serializer__.to_json(plan, indent=2) + b"\n"


def plan_id(plan: Plan) -> str:
    """The plan's short id: the first 8 characters of the sha256 of its JSON, which holds the
    medications, start, every step and the rule file's own sha256. The sheet and a later
    `--calendar-from` print both carry it, so a nurse can see they belong to one plan. The
    JSON is the English one: a print in another language is the same plan (nurse review 9,
    N11: the same plan was fa4c6bb6 in sv and d6436a17 in en)."""
    import hashlib

    return hashlib.sha256(plan_json(plan.model_copy(update={"language": "en"}))).hexdigest()[:8]


def render_plan(
    plan: Plan,
    fmt: PlanFormat,
    lang: str,
    *,
    guideline: Guideline | Lookup | None = Lookup.by_id,
    patient_id: str | None = None,
    calendar_from: dt.date | None = None,
) -> bytes:
    """Render a plan in one format and language, as the bytes to print or write.

    `patient_id` (the clinic's own id: `--patient-id`, a batch row's id) goes into calendar
    UIDs and FHIR ids, so two patients with the same plan never share an event or a resource.
    `calendar_from` (html and pdf only) prints the sheet's tick calendar alone, from the week
    holding that day: the next pages a long plan's patient is given.
    """
    if calendar_from is not None and fmt not in (PlanFormat.html, PlanFormat.pdf):
        from taper.errors import TaperError

        raise TaperError(
            "--calendar-from prints the sheet's tick calendar: use --format html or pdf."
        )
    if fmt is PlanFormat.json:
        return plan_json(plan)
    view = _view(plan, lang, guideline, patient_id)
    if fmt is PlanFormat.text:
        from taper.render.as_text import render_text

        return render_text(view)
    if fmt is PlanFormat.markdown:
        from taper.render.as_markdown import render_markdown

        return render_markdown(view)
    if fmt is PlanFormat.html:
        from taper.render.as_html import render_sheet

        return render_sheet(view, calendar_from)
    if fmt is PlanFormat.pdf:
        from taper.render.as_html import render_sheet
        from taper.render.as_pdf import html_to_pdf

        return html_to_pdf(render_sheet(view, calendar_from), plan)
    if fmt is PlanFormat.csv:
        from taper.render.as_csv import render_csv

        return render_csv(view)
    if fmt is PlanFormat.ics:
        from taper.render.as_ics import render_ics

        return render_ics(view)
    if fmt is PlanFormat.fhir:
        from taper.render.as_fhir import render_fhir

        return render_fhir(view)
    assert_never(fmt)


def render_diary(
    plan: Plan,
    lang: str,
    fmt: DiaryFormat = DiaryFormat.html,
    *,
    guideline: Guideline | Lookup | None = Lookup.by_id,
) -> bytes:
    """The intake-diary sheet: one row per mapping day, a box per time of day to write in."""
    from taper.render.as_html import render_diary_sheet

    html = render_diary_sheet(_view(plan, lang, guideline))
    if fmt is DiaryFormat.html:
        return html
    if fmt is DiaryFormat.pdf:
        from taper.render.as_pdf import html_to_pdf

        return html_to_pdf(html, plan)
    assert_never(fmt)


__all__ = [
    "DiaryFormat",
    "Lookup",
    "PlanFormat",
    "plan_id",
    "plan_json",
    "render_diary",
    "render_plan",
]
