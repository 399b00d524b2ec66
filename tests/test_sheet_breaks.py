"""Where the printed sheet's pages end (nurse review 3, S-4): never on the dose table's
heading, its head or a year row with no rows under them, in WeasyPrint and in Chromium."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from sheet_panel import PANEL, PanelPlan
from test_sheet_print import run_chromium

from taper.render import PlanFormat, render_plan
from taper.render.i18n import texts

CASES = [c for c in PANEL if c.name in ("se-oxycodone-oxazepam", "no-alprazolam-switch")]
HEADINGS = {texts(lang)._("Your doses") for lang in ("sv", "nb", "en")}
HEAD = re.compile(r"^(?:Datum|Dato|Dates)\s{2,}\S")  # the table head, as pdftotext lays it out
YEAR = re.compile(r"^\d{4}$")
FOOTER = re.compile(r"^(?:Sida|Side|Page) \d+")
# A dose curve's month labels ("feb  mar   apr   mai"): the year under them is the curve's.
AXIS = re.compile(r"^[^\W\d]{3,4}\.?(?:\s{2,}[^\W\d]{3,4}\.?){2,}$")


def page_ends(pdf: Path) -> list[list[str]]:
    """The last three lines of each page above its footer."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    ends = []
    for page in text.split("\f")[:-1]:
        lines = [line.strip() for line in page.splitlines() if line.strip()]
        lines = [line for line in lines if not FOOTER.match(line)]
        ends.append(lines[-3:])
    return ends


def orphans(ends: list[list[str]]) -> list[str]:
    found = []
    for number, end in enumerate(ends, start=1):
        if not end:
            continue
        if (
            (YEAR.match(end[-1]) and not (len(end) > 1 and AXIS.match(end[-2])))
            or any(line in HEADINGS for line in end)  # with its intro, at most
            or any(HEAD.match(line) for line in end[-2:])
        ):
            found.append(f"page {number} ends with {end}")
    return found


def test_the_page_end_check_finds_a_head_left_alone() -> None:
    assert orphans(
        [
            ["x", "Datum        Morgon    Kväll", "dagen"],
            ["a", "b", "2027"],
            ["Dina doser", "Ta", "d"],
        ]
    ) == [
        "page 1 ends with ['x', 'Datum        Morgon    Kväll', 'dagen']",
        "page 2 ends with ['a', 'b', '2027']",
        "page 3 ends with ['Dina doser', 'Ta', 'd']",
    ]
    assert orphans([["dagen", "2027", "11 jan. – 31 jan.   1 × 20 mg"]]) == []
    # A page that ends on a dose curve ends on its axis's year: no table row.
    assert orphans([["0 mg", "feb  mar   apr   mai   jun   jul     aug", "2027"]]) == []
    assert orphans([["0 mg", "mars  maj   juli   sep.   nov.  jan.", "2027"]]) == []


def _html(case: PanelPlan) -> bytes:
    plan = case.plan()
    return render_plan(plan, PlanFormat.html, plan.language)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_weasyprint_never_ends_a_page_on_the_dose_table_s_head(
    case: PanelPlan, tmp_path: Path
) -> None:
    pytest.importorskip("weasyprint")
    plan = case.plan()
    pdf = tmp_path / "sheet.pdf"
    pdf.write_bytes(render_plan(plan, PlanFormat.pdf, plan.language))
    assert orphans(page_ends(pdf)) == []


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_chromium_never_ends_a_page_on_the_dose_table_s_head(
    case: PanelPlan, tmp_path: Path
) -> None:
    pdf = tmp_path / "sheet.pdf"
    run_chromium(tmp_path, _html(case), "--no-pdf-header-footer", f"--print-to-pdf={pdf}")
    assert orphans(page_ends(pdf)) == []


# --- a switch's crossover weeks (nurse review 3, S-8) -------------------------------------


def _switch() -> PanelPlan:
    return next(c for c in PANEL if c.name == "no-alprazolam-switch")


def test_a_switch_s_crossover_rows_stand_together_for_the_same_dates() -> None:
    html = _html(_switch()).decode()
    groups = re.findall(r"<tbody[^>]*>(.*?)</tbody>", html.split('class="overview"', 1)[1], re.S)
    crossover = [g for g in groups if "Xanor" in g and "Stesolid" in g]
    assert len(crossover) == 2  # 25 Jan – 31 Jan and 1 Feb – 7 Feb: both drugs, one group each
    for group in crossover:
        dates = re.findall(r'<th scope="row">([^<]+)</th>', group)
        assert len(dates) == 2
        assert dates[0] == dates[1]


@pytest.mark.parametrize("renderer", ["weasyprint", "chromium"])
def test_a_switch_s_crossover_weeks_are_printed_on_one_page(renderer: str, tmp_path: Path) -> None:
    case = _switch()
    pdf = tmp_path / "sheet.pdf"
    if renderer == "weasyprint":
        pytest.importorskip("weasyprint")
        plan = case.plan()
        pdf.write_bytes(render_plan(plan, PlanFormat.pdf, plan.language))
    else:
        run_chromium(tmp_path, _html(case), "--no-pdf-header-footer", f"--print-to-pdf={pdf}")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = text.split("\f")
    for day in ("25. jan. –", "1. feb. –"):
        found = [n for n, page in enumerate(pages) if day in page]
        assert len(found) == 1, f"{day} on pages {found}"
        assert pages[found[0]].count(day) == 2  # both drugs' rows
