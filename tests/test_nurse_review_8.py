"""Nurse review 8 (/work/helper-notes/nurse-review-8.md): the printed sheet's findings, each
pinned: a verb that agrees with "1 step", no "step(s)" anywhere, ..."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from sheet_panel import PANEL, PanelPlan

from taper.render import PlanFormat, catalogs, render_plan
from taper.render.i18n import texts
from taper.render.messages import WARNINGS, Reader

ROOT = Path(__file__).resolve().parent.parent


def _case(name: str) -> PanelPlan:
    return next(c for c in PANEL if c.name == name)


def _sheet(name: str, lang: str | None = None) -> str:
    case = _case(name)
    plan = case.plan(lang) if lang else case.plan()
    return render_plan(plan, PlanFormat.html, lang or plan.language).decode()


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# --- 1. plural-aware messages ---------------------------------------------------------------


def test_one_step_gives_on_the_prescriber_page() -> None:
    """'1 step of morphine (20 Sept) give the immediate-release product' (us-morphine-topup p8)."""
    clinician = _text(_sheet("us-morphine-topup").split('<section class="clinician', 1)[1])
    assert re.search(r"1 step of morphine \([^)]+\) gives the immediate-release product", clinician)
    assert not re.search(r"\b1 step of \w+ \([^)]+\) give ", clinician)


def test_several_steps_give_and_one_step_gives_in_the_planner_s_english() -> None:
    from taper.plan.cut_lists import agree, steps_of

    assert f"{steps_of(1, 'codeine', '8')} {agree(1, 'give')}" == "1 step of codeine (step 8) gives"
    assert f"{steps_of(2, 'codeine', '8, 9')} {agree(2, 'give')}" == (
        "2 steps of codeine (steps 8, 9) give"
    )


def test_the_step_messages_are_plural_entries_in_every_catalog() -> None:
    for lang in catalogs.TRANSLATED:
        plural = [m.id for m in catalogs.read(lang) if isinstance(m.id, tuple)]
        assert any(s.startswith("%(count)s step of %(drug)s") for s, _ in plural), lang
        assert any(p.startswith("%(count)s steps of %(drug)s (steps") for _, p in plural), lang


def test_a_plural_piece_reads_one_step_and_several_steps() -> None:
    reader = Reader(texts("sv"), None)
    tail = (
        "the immediate-release product fewer than 4 times a day, because "
        "the dose is too small to share among them: it acts for a few hours, so withdrawal can "
        "come between doses; whether to go on so is a prescriber's decision."
    )
    pieces = WARNINGS["immediate-release-fewer-times"]
    one = reader.read(f"1 step of codeine (step 8) gives {tail}", pieces)
    two = reader.read(f"2 steps of codeine (steps 8, 9) give {tail}", pieces)
    assert one is not None
    assert one.startswith("1 steg för codeine (steg 8) ger det")
    assert two is not None
    assert two.startswith("2 steg för codeine (steg 8, 9) ger det")


def test_no_message_says_step_s() -> None:
    """'No step(s) anywhere': not in the planner's English, the catalogs or any golden."""
    places = [
        *ROOT.joinpath("taper").rglob("*.py"),
        *ROOT.joinpath("taper").rglob("*.po"),
        *ROOT.joinpath("tests", "golden").rglob("*.*"),
    ]
    hedged = []
    for path in places:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            # the reader still accepts a plan saved before (messages.patterns STEPS_OF)
            if "step(s)" in line and "saved before" not in line and "never" not in line:
                hedged.append(f"{path.relative_to(ROOT)}:{number}")
    assert hedged == []


# --- 3. no bare source link among the talk topics ---------------------------------------------


def test_no_bare_address_on_the_norwegian_patient_pages() -> None:
    """'• https://www.selvhjelp.no' was its own bullet under 'Støttesamtale' (no-fentanyl p4,
    no-alprazolam-switch p5), below the bullet that ends '(selvhjelp.no)'."""
    for name in ("no-fentanyl", "no-alprazolam-switch"):
        for lang in ("nb", "sv", "en"):
            patient = _sheet(name, lang).split('<section class="clinician', 1)[0]
            assert "https://" not in _text(patient), (name, lang)
            assert '<li class="link">' not in patient, (name, lang)
            assert _text(patient).count("selvhjelp.no") == 1, (name, lang)


def test_a_link_no_item_names_is_printed_once_readably() -> None:
    from taper.render.advice import printed_links

    links = ["https://www.selvhjelp.no", "https://example.org/help/", "https://www.selvhjelp.no"]
    assert printed_links(links, ["Selvhjelpsgrupper (selvhjelp.no)."]) == ["example.org/help"]


# --- 2. no nearly empty page before the tick calendar -------------------------------------------

# The sheets whose talk topics ran onto a page of their own before the calendar (uk p6:
# "Aftercare contact" and two bullets, 16 % of the page; us p6: "What the talks are about",
# 32 %), and their patient pages now in both renderers. Since the longer sudden-stop sentence
# on page 1 (clinician review 9, D11) the uk sheet's page before the calendar holds all its talk
# topics (46 %): 7 pages, as on main before this change; the us sheet printed 6, was 7, and
# is 7 again since page 1's "do not stop your opioid on your own" line (nurse review 10, F9),
# with no page before the calendar under 40 % full.
SHORT_TAIL = (("uk-alprazolam-switch", 7), ("us-morphine-topup", 7))
NEARLY_EMPTY = 0.4  # of a page: what a page before the calendar must hold more than


def _calendar_page_and_fill(html: str) -> tuple[int, list[float]]:
    """The page the tick calendar starts on, and how full (0..1) each page before it is."""
    import pytest

    weasyprint = pytest.importorskip("weasyprint")
    from test_sheet_print import _boxes

    document = weasyprint.HTML(string=html).render()
    fills: list[float] = []
    for number, page in enumerate(document.pages):
        box = page._page_box
        top, height = box.content_box_y(), box.height
        bottoms = [0.0]
        for child, _ in _boxes(box):
            element = getattr(child, "element", None)
            if element is not None and "ticks-section" in (element.get("class") or ""):
                return number, fills
            if getattr(child, "element_tag", None) in ("li", "p", "tr", "h2", "h3", "figure"):
                bottoms.append(child.position_y + child.height - top)
        fills.append(max(bottoms) / height)
    raise AssertionError("no tick calendar")


def test_the_calendar_follows_a_short_tail_of_talk_topics_weasyprint() -> None:
    for name, pages in SHORT_TAIL:
        case = _case(name)
        plan = case.plan()
        html = render_plan(plan, PlanFormat.html, plan.language).decode()
        start, fills = _calendar_page_and_fill(html)
        assert start == pages - 1, (name, start + 1)
        assert min(fills) > NEARLY_EMPTY, (name, [f"{f:.0%}" for f in fills])


def test_the_calendar_follows_a_short_tail_of_talk_topics_chromium(tmp_path: Path) -> None:
    from test_sheet_print import patient_pages, run_chromium

    for name, pages in SHORT_TAIL:
        case = _case(name)
        plan = case.plan()
        html = render_plan(plan, PlanFormat.html, plan.language)
        pdf = tmp_path / f"{name}.pdf"
        run_chromium(tmp_path, html, "--no-pdf-header-footer", f"--print-to-pdf={pdf}")
        assert patient_pages(pdf.read_bytes())[0] == pages, name


# --- 4. one calendar layout for the sheet and its later prints --------------------------------


def _calendar(html: str) -> str:
    return html.split('<table class="ticks">', 1)[1].split("</thead>", 1)[0]


def test_the_sheet_s_calendar_and_a_later_print_have_the_same_columns() -> None:
    """se-oxycodone-oxazepam: the sheet's notes stood in an unheaded column, the print from 12
    April's in rows under the weeks (nurse review 8, 4)."""
    case = _case("se-oxycodone-oxazepam")
    for lang in ("sv", "en"):
        plan = case.plan(lang)
        sheet = render_plan(plan, PlanFormat.html, lang).decode()
        later = render_plan(
            plan, PlanFormat.html, lang, calendar_from=dt.date(2027, 4, 12)
        ).decode()
        assert _calendar(sheet) == _calendar(later), lang
        assert ('class="note-row"' in sheet) == ('class="note-row"' in later), lang


def test_a_calendar_of_several_drugs_heads_its_note_column() -> None:
    """The column is as wide as its head or the notes go under the weeks: never unheaded."""
    from decimal import Decimal

    from taper.render.sheet_calendar import TickDay, TickRow, TickWeek, notes_below
    from taper.render.sheet_widths import least_percent
    from taper.render.view_builder import build_view

    case = _case("se-oxycodone-oxazepam")
    view = build_view(case.plan("sv"), "sv", None)
    day = TickDay(dt.date(2027, 1, 4), "4 januari 2027", [True])
    week = TickWeek("4/1", [TickRow("oxikodon", [day]), TickRow("oxazepam", [day])], "6/1 samtal")
    head = least_percent([texts("sv")._("Note")])
    assert notes_below(view, [week], head - Decimal(1))
    assert not notes_below(view, [week], head + Decimal(1))
    template = (ROOT / "taper/render/templates/sheet.html").read_text(encoding="utf-8")
    assert 'aria-label="{{ _("Note") }}"></th>' not in template
