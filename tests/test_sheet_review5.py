"""Nurse review 5 of the printed sheet, in WeasyPrint (`-f pdf`) and in Chromium's print of
`-f html`: the page-1 "Important" box, the clinician footer's line breaks, the dose curves'
last month label, the support-talk list across a page break and the title of a combination
product's sheet."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from sheet_panel import PANEL
from test_sheet_print import run_chromium

from taper.dose import parse_medication
from taper.guideline.loader import load_guideline
from taper.guideline.model import Guideline, Lang
from taper.plan import PlanOptions, make_plan
from taper.plan.model import Plan
from taper.render import Lookup, PlanFormat, render_plan
from taper.render.advice import safety_items
from taper.render.curve import FONT, WIDTH
from taper.render.i18n import texts
from taper.render.view_builder import build_view

START = dt.date(2027, 1, 4)

# The sheets whose page 1 is long: two drugs, and a product line over two lines.
LONG_PAGE_ONE: list[tuple[str, tuple[str, ...], Lang]] = [
    ("se-vgr", ("oxycodone 40 mg", "oxazepam 30 mg"), "sv"),
    ("uk-ashton", ("co-codamol 240 mg",), "en"),
]
RENDERERS = ["weasyprint", "chromium"]


def plan_of(guideline: str, meds: tuple[str, ...], lang: Lang) -> Plan:
    loaded = load_guideline(guideline)
    options = PlanOptions(start=START, lang=lang)
    return make_plan([parse_medication(m, loaded.guideline) for m in meds], loaded, options)


def printed(
    plan: Plan,
    lang: Lang,
    renderer: str,
    tmp_path: Path,
    guideline: Guideline | Lookup = Lookup.by_id,
) -> Path:
    """The sheet as the renderer prints it, as a PDF file."""
    pdf = tmp_path / "sheet.pdf"
    if renderer == "weasyprint":
        pytest.importorskip("weasyprint")
        pdf.write_bytes(render_plan(plan, PlanFormat.pdf, lang, guideline=guideline))
    else:
        html = render_plan(plan, PlanFormat.html, lang, guideline=guideline)
        run_chromium(tmp_path, html, "--no-pdf-header-footer", f"--print-to-pdf={pdf}")
    return pdf


def page_texts(pdf: Path, layout: bool = False) -> list[str]:
    """Each page's text, its white space collapsed (a sentence wrapped is one line); `layout`:
    a table's cells in their rows (the talk list's rows, one line high since nurse review 8,
    were read column by column)."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    text = subprocess.run(
        ["pdftotext", *(["-layout"] if layout else []), str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [" ".join(page.replace("\u00a0", " ").split()) for page in text.split("\f")[:-1]]


@pytest.mark.parametrize("renderer", RENDERERS)
@pytest.mark.parametrize(
    ("guideline", "meds", "lang"), LONG_PAGE_ONE, ids=["two-drugs", "co-codamol"]
)
def test_the_important_box_is_on_page_one_of_a_long_first_page(
    guideline: str, meds: tuple[str, ...], lang: Lang, renderer: str, tmp_path: Path
) -> None:
    """The box went to the top of page 2 and left a quarter of page 1 empty; it now stands
    right after the urgent numbers, and what to take now and the next talk come after it."""
    plan = plan_of(guideline, meds, lang)
    items = safety_items(build_view(plan, lang, load_guideline(guideline).guideline))
    assert len(items) >= 3
    pages = page_texts(printed(plan, lang, renderer, tmp_path))
    caption = "⚠ " + texts(lang)._("Important") + ":"
    assert caption in pages[0]
    for item in items:
        assert " ".join(item.split()) in pages[0], item
    # What to take from the first fixed dose stays on page 1 too.
    assert texts(lang)._("The plan starts") in pages[0]
    assert texts(lang)._("Next dose change") in pages[0]


# The sheets whose footer stamp Chromium broke inside a word ("plan star/ts", "plane/n").
STAMPED: list[tuple[str, tuple[str, ...], Lang]] = [
    ("uk-ashton", ("co-codamol 240 mg",), "en"),
    ("no-helsedir", ("fentanyl patch 50 mcg/h",), "nb"),
]


def test_only_the_stamp_s_hash_may_break_anywhere() -> None:
    """The break-anywhere rule was on the whole stamp line: only its hash span has it."""
    from taper.render.as_html import render_sheet

    plan = plan_of(*STAMPED[0])
    view = build_view(plan, "en", load_guideline("uk-ashton").guideline)
    html = render_sheet(view).decode()
    rules = dict(re.findall(r"^(\.stamp[^{]*)\{([^}]*)\}", html, re.M))
    assert "break-all" not in rules[".stamp "]
    assert "anywhere" not in rules[".stamp "]
    assert "break-all" in rules[".stamp .hash "]
    sha = plan.guideline.sha256
    assert f'<span class="hash">{sha}</span>' in html


@pytest.mark.parametrize("renderer", RENDERERS)
@pytest.mark.parametrize(("guideline", "meds", "lang"), STAMPED, ids=["en", "nb"])
def test_the_stamp_s_words_are_printed_whole(
    guideline: str, meds: tuple[str, ...], lang: Lang, renderer: str, tmp_path: Path
) -> None:
    plan = plan_of(guideline, meds, lang)
    stamp = build_view(plan, lang, load_guideline(guideline).guideline).stamp
    words = stamp.replace(plan.guideline.sha256, " ").split()
    last = page_texts(printed(plan, lang, renderer, tmp_path))[-1]
    broken = [w for w in words if w not in last.split()]
    assert broken == [], last[-300:]


# --- the dose curves' month labels --------------------------------------------------------

TWO_DRUGS = LONG_PAGE_ONE[0]
DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
# Each text of every dose curve, as Chromium lays it out: its box in the picture's units.
CURVE_PROBE = """
<script>
const out = [];
for (const svg of document.querySelectorAll("svg.curve")) {
  const width = svg.viewBox.baseVal.width;
  for (const text of svg.querySelectorAll("text")) {
    const box = text.getBBox();
    out.push([text.textContent, box.x, box.x + box.width, width]);
  }
}
const pre = document.createElement("pre"); pre.id = "probe";
pre.textContent = JSON.stringify(out); document.body.appendChild(pre);
</script>
"""


def month_labels(svg: str) -> list[tuple[str, Decimal, bool]]:
    """The x axis's labels: (text, x, set by its end)."""
    found = re.findall(
        r'<text x="([\d.]+)" y="[\d.]+" fill="#000"( text-anchor="end")?>([^<]+)<', svg
    )
    return [(text, Decimal(x), bool(end)) for x, end, text in found]


@pytest.mark.parametrize("lang", ["sv", "nb", "en"])
def test_every_month_label_ends_inside_the_curve(lang: Lang) -> None:
    """The two-drug sheet's curves cut "jan. 2028" to "202(" at the right edge. Measured with
    the font the sheet prints in: every month label and year starts and ends inside."""
    ttlib = pytest.importorskip("fontTools.ttLib")
    if not DEJAVU.exists():
        pytest.skip("DejaVu Sans is not installed")
    font = ttlib.TTFont(DEJAVU)
    advance, cmap = font["hmtx"], font.getBestCmap()
    per_em = Decimal(font["head"].unitsPerEm)

    def width(text: str) -> Decimal:
        return sum(Decimal(advance[cmap[ord(c)]][0]) for c in text) * FONT / per_em

    from taper.render.as_html import render_sheet

    sheets = [plan_of(*TWO_DRUGS[:2], lang)] + [case.plan(lang) for case in PANEL]
    for plan in sheets:
        view = build_view(plan, lang, load_guideline(plan.guideline.id).guideline)
        svgs = re.findall(r"<svg .*?</svg>", render_sheet(view).decode(), re.S)
        assert svgs
        for svg in svgs:
            labels = month_labels(svg)
            assert labels
            for text, x, by_end in labels:
                start, end = (x - width(text), x) if by_end else (x, x + width(text))
                assert start >= 0, (plan.guideline.id, text, start)
                assert end <= WIDTH, (plan.guideline.id, text, end)


def test_chromium_prints_the_two_drug_curves_last_label_inside(tmp_path: Path) -> None:
    """The same, as Chromium lays the text out (its own font metrics and anchoring)."""
    plan = plan_of(*TWO_DRUGS)
    html = render_plan(plan, PlanFormat.html, "sv")
    probed = html.replace(b"</body>", CURVE_PROBE.encode() + b"</body>")
    dom = run_chromium(tmp_path, probed, "--virtual-time-budget=5000", "--dump-dom").stdout
    match = re.search(r'<pre id="probe">(.*?)</pre>', dom, re.S)
    assert match, "the probe did not run"
    boxes = json.loads(match.group(1).replace("&lt;", "<").replace("&amp;", "&"))
    # Both curves' last month label (the plan's last dose is 3 January 2028 since opioid
    # stops follow one interval at the stop dose, clinician review 9, D7).
    assert [text for text, *_ in boxes].count("nov.") == 2
    outside = [b for b in boxes if b[1] < 0 or b[2] > b[3]]
    assert outside == []


@pytest.mark.parametrize(
    ("guideline", "meds", "lang"), LONG_PAGE_ONE, ids=["two-drugs", "co-codamol"]
)
def test_weasyprint_splits_no_dose_table_row_across_pages(
    guideline: str, meds: tuple[str, ...], lang: Lang
) -> None:
    """Once the page-1 box moved, WeasyPrint printed the first row's dates at page 2's foot
    and its words ("Ta dina tabletter som vanligt") at page 3's top."""
    weasyprint = pytest.importorskip("weasyprint")
    from test_sheet_print import _boxes

    html = render_plan(plan_of(guideline, meds, lang), PlanFormat.html, lang).decode()
    document = weasyprint.HTML(string=html).render()
    pages_of: dict[int, set[int]] = {}
    for number, page in enumerate(document.pages):
        for box, ancestors in _boxes(page._page_box):
            in_overview = any(
                type(a).__name__ == "TableBox" and a.element.get("class") == "overview"
                for a in ancestors
            )
            in_head = any(getattr(a.element, "tag", None) == "thead" for a in ancestors)
            if type(box).__name__ == "TableRowBox" and in_overview and not in_head:
                pages_of.setdefault(id(box.element), set()).add(number)
    assert pages_of
    assert [p for p in pages_of.values() if len(p) > 1] == []


# --- the support-talk list across a page break ---------------------------------------------


@pytest.mark.parametrize("sheet", ["golden", "two-drugs"])
@pytest.mark.parametrize("renderer", RENDERERS)
def test_a_support_talk_list_that_goes_on_overleaf_is_headed_there(
    renderer: str, sheet: str, tmp_path: Path
) -> None:
    """The two-drug sheet's list went on to page 5 with no heading (at okt. in WeasyPrint, at
    nov. in Chromium), as the golden sheet's goes on to page 3; the heading is now the list's
    table head, repeated; and no page holds the list's last row alone."""
    from fixtures.plan_fixture import fixture_guideline, fixture_plan

    guideline: Guideline | Lookup = Lookup.by_id
    if sheet == "golden":  # its list goes on overleaf in both renderers
        plan, guideline = fixture_plan(), fixture_guideline()
    else:
        plan = plan_of(*TWO_DRUGS)
    html = render_plan(plan, PlanFormat.html, "sv", guideline=guideline).decode()
    table = html.split('<table class="appointments">', 1)[1].split("</table>", 1)[0]
    # A row as printed: its month, then its first day ("nov. 2027 fre 5").
    months = [
        f"{month} {day}".replace("\u00a0", " ")
        for month, day in re.findall(
            r'<tr><th scope="row">([^<]+)</th><td><span class="appointment"><strong>([^<]+)<',
            table,
        )
    ]
    assert len(months) >= 8
    heading = texts("sv")._("Support talks and aftercare")
    pages = page_texts(printed(plan, "sv", renderer, tmp_path, guideline), layout=True)
    patient = pages[: next(i for i, p in enumerate(pages) if "För förskrivaren" in p)]
    holding = [[m for m in months if re.search(rf"{re.escape(m)}(?!\d)", page)] for page in patient]
    used = [(page, found) for page, found in zip(patient, holding, strict=True) if found]
    assert sum(len(found) for _, found in used) == len(months)
    if sheet == "golden":
        assert len(used) == 2, [found for _, found in used]  # the list does go on overleaf
    for page, found in used:
        assert page.count(heading) == 1, found
        assert len(found) >= 2, found


@pytest.mark.parametrize("renderer", RENDERERS)
def test_a_patch_safety_list_that_goes_on_overleaf_is_headed_there(
    renderer: str, tmp_path: Path
) -> None:
    """The one-drug fentanyl sheet keeps its 4 patient pages by letting its patch-safety list
    go on overleaf between items (kept whole, it pushed the talk topics to a fifth page): its
    heading is the list's table head, repeated, and each page holds at least two items."""
    from taper.render.advice import patch_safety

    plan = plan_of("se-vgr", ("fentanyl 50 mcg/h",), "sv")
    items = patch_safety(build_view(plan, "sv", load_guideline("se-vgr").guideline))
    heading = texts("sv")._("Using your patches safely")
    pages = page_texts(printed(plan, "sv", renderer, tmp_path))
    holding = [[i for i in items if " ".join(i.split()) in page] for page in pages]
    assert sum(len(found) for found in holding) == len(items)
    for page, found in zip(pages, holding, strict=True):
        if found:
            assert heading in page, found
            assert len(found) >= 2, found


@pytest.mark.parametrize("renderer", RENDERERS)
def test_the_project_choices_heading_stays_with_its_list(renderer: str, tmp_path: Path) -> None:
    """Chromium left the dashed box's "Utan källa (projektets val):" alone at page 5's foot
    of the diazepam sheet and went on with its list on page 6."""
    plan = plan_of("se-vgr", ("diazepam 20 mg",), "sv")
    first = build_view(plan, "sv", load_guideline("se-vgr").guideline).unverified[0]
    heading = texts("sv")._("Not from a source (project choices)")
    pages = page_texts(printed(plan, "sv", renderer, tmp_path))
    (page,) = [p for p in pages if heading in p]
    assert first.split(":")[0] in page  # its first item's head: "regel …, faslängder"
