"""The printed sheet's layout: tick weeks never split across pages and every page of a grid names
its step and tablets; the dose curve's month labels never overlap; a patch-only plan's intake
diary asks about patches, not tablets per time of day.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from taper.dose import parse_medication
from taper.guideline.loader import load_guideline
from taper.plan import PlanOptions, make_plan
from taper.render import DiaryFormat, PlanFormat, render_diary, render_plan
from taper.render.curve import FONT, svg_curve
from taper.render.i18n import LANGUAGES, Lang
from taper.render.view import PlanView
from taper.render.view_builder import build_view

START = dt.date(2026, 1, 5)


def plan_of(  # type: ignore[no-untyped-def]
    guideline_id: str,
    meds: list[str],
    lang: Lang = "sv",
    switch: bool | None = None,
    start: dt.date = START,
):
    loaded = load_guideline(guideline_id)
    options = PlanOptions(start=start, lang=lang, switch=switch)
    return make_plan([parse_medication(m) for m in meds], loaded, options), loaded.guideline


def view_of(
    guideline_id: str,
    meds: list[str],
    lang: Lang = "sv",
    switch: bool | None = None,
    start: dt.date = START,
) -> PlanView:
    plan, guideline = plan_of(guideline_id, meds, lang, switch, start)
    return build_view(plan, lang, guideline)


# --- 1. tick grids in the PDF -------------------------------------------------------------

LONG_PLANS = [
    ["oxazepam 30 mg"],  # step 14 (84 days) runs over a page
    ["oxycodone 40 mg", "oxazepam 30 mg"],  # ended a page on an orphaned date row
]


def _layout(html: bytes):  # type: ignore[no-untyped-def]
    weasyprint = pytest.importorskip("weasyprint")
    return weasyprint.HTML(string=html.decode("utf-8")).render()


def _boxes(box: Any) -> Iterator[Any]:
    yield box
    for child in getattr(box, "children", []):
        yield from _boxes(child)


def _text(box: Any) -> str:
    return "".join(getattr(b, "text", "") or "" for b in _boxes(box))


@pytest.mark.parametrize("meds", LONG_PLANS, ids=lambda m: "+".join(m))
def test_pdf_tick_weeks_never_split_and_every_calendar_page_has_its_header(
    meds: list[str],
) -> None:
    plan, guideline = plan_of("se-vgr", meds)
    html = render_plan(plan, PlanFormat.html, "sv", guideline=guideline)
    document = _layout(html)
    pages_of: dict[int, set[int]] = {}  # a week's <tr> → the pages it is laid out on
    for number, page in enumerate(document.pages):
        for box in _boxes(page._page_box):
            if box.element_tag != "table" or "ticks" not in (box.element.get("class") or ""):
                continue
            if not hasattr(box, "children") or not box.children:
                continue
            groups = [g for g in box.children if g.element_tag in ("thead", "tbody")]
            rows = [r for g in groups if g.element_tag == "tbody" for r in g.children]
            if not rows:
                continue
            heads = [g for g in groups if g.element_tag == "thead"]
            assert heads, f"page {number + 1}: tick rows without the weekday header"
            assert "mån" in _text(heads[0])
            for row in rows:
                pages_of.setdefault(id(row.element), set()).add(number)
    assert pages_of, "no tick calendar laid out"
    assert all(len(pages) == 1 for pages in pages_of.values())


# --- 2. the curve's month labels --------------------------------------------------------

# DejaVu Sans and Verdana: no lowercase letter but m and w is wider than 0.65 em.
EM = Decimal("0.65")


def _width(text: str) -> Decimal:
    return Decimal(sum((FONT if c in "mwMW" else FONT * EM) for c in text))


def _month_labels(svg: str) -> list[tuple[Decimal, str]]:
    """The month labels by where each starts (a label at the right edge is set by its end)."""
    rows = re.findall(
        r'<text x="([\d.]+)" y="([\d.]+)" fill="#000"( text-anchor="end")?>([^<]*)</text>', svg
    )
    month_row = min((Decimal(y) for _, y, _, _ in rows if Decimal(y) > 300), default=None)
    return [
        (Decimal(x) - (_width(text) if end else 0), text)
        for x, y, end, text in rows
        if Decimal(y) == month_row
    ]


def _assert_apart(labels: list[tuple[Decimal, str]]) -> None:
    for (x1, a), (x2, b) in itertools.pairwise(labels):
        assert x1 + _width(a) < x2, f"{a!r} at {x1} runs into {b!r} at {x2}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_curve_month_labels_do_not_overlap_on_a_two_year_plan(lang: Lang) -> None:
    # us-cdc-2022 long-term oxycodone 80 mg: 10 % a month, then 2.5 mg a month (two years).
    view = view_of("us-cdc-2022", ["oxycodone 80 mg"], lang)
    assert (view.plan.last_dose_date or START) - START > dt.timedelta(days=600)
    labels = _month_labels(svg_curve(view))
    assert len(labels) >= 4
    _assert_apart(labels)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_curve_labels_every_month_on_a_short_plan(lang: Lang) -> None:
    """A short plan (here cut to six weeks of tapering) keeps a label for every month."""
    view = view_of("se-vgr", ["oxazepam 10 mg"], lang, start=dt.date(2026, 1, 26))
    first = min(s.step.start for s in view.steps if s.kind != "mapping")
    kept = [s for s in view.steps if s.step.start < first + dt.timedelta(weeks=6)]
    short = PlanView(**{**view.__dict__, "steps": kept})
    labels = _month_labels(svg_curve(short))
    _assert_apart(labels)
    assert len(labels) == 2  # February and March: no month left out


# --- 3. the intake diary of a patch-only plan ---------------------------------------------

PATCH_WORDS = {
    "sv": ("byter plåster", "Plåster bytt (klockslag)", "tablett", "Morgon"),
    "nb": ("bytter plaster", "Plaster byttet (klokkeslett)", "tablett", "Morgen"),
    "en": ("change a patch", "Patch changed (time)", "tablet", "Morning"),
}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_patch_only_diary_asks_about_patches(lang: Lang) -> None:
    plan, guideline = plan_of("se-vgr", ["fentanyl 50 mcg/h"], lang)
    html = render_diary(plan, lang, DiaryFormat.html, guideline=guideline).decode()
    said, column, tablet, morning = PATCH_WORDS[lang]
    assert said in html
    assert f'<th scope="col">{column}</th>' in html
    assert tablet not in html.split("<body")[1].lower()
    assert f">{morning}<" not in html


def test_tablet_diary_keeps_times_of_day() -> None:
    plan, guideline = plan_of("se-vgr", ["oxazepam 30 mg"])
    html = render_diary(plan, "sv", DiaryFormat.html, guideline=guideline).decode()
    assert "tar en tablett" in html
    assert '<th scope="col">Morgon</th>' in html
    assert "plåster" not in html.split("<body")[1].lower()
