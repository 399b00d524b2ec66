"""Renderers: Plan → text, markdown, html, pdf, csv, json, ics, fhir (placeholder)."""

from __future__ import annotations

from enum import StrEnum

from taper.errors import TaperError
from taper.plan.model import Plan


class PlanFormat(StrEnum):
    text = "text"
    markdown = "markdown"
    html = "html"
    pdf = "pdf"
    csv = "csv"
    json = "json"
    ics = "ics"
    fhir = "fhir"


def render_plan(plan: Plan, fmt: PlanFormat, lang: str) -> bytes:
    """Render a plan in one format and language, as the bytes to print or write."""
    if fmt is PlanFormat.json:
        return plan.model_dump_json(indent=2).encode() + b"\n"
    raise TaperError(f"The {fmt.value} format is not available yet.")
