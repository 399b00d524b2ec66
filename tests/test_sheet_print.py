"""The printed sheet as a nurse prints it: every panel plan (tests/sheet_panel.py) rendered by
WeasyPrint and by headless Chromium, its patient pages counted against the targets, and every
cell checked for text that overflows it (what made Chromium shrink the page below 14 pt).

Chromium is Debian's `chromium` (tools/check.sh installs it with poppler-utils when run as
root); without it the Chromium half is skipped, never passed quietly.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import shutil
import subprocess
from decimal import Decimal
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from sheet_panel import PANEL, PanelPlan

from taper.guideline.loader import load_guideline
from taper.guideline.model import Lang
from taper.render import PlanFormat, render_diary, render_plan
from taper.render.i18n import texts

CLINICIAN_HEADINGS = tuple(texts(lang)._("For the prescriber") for lang in ("sv", "nb", "en"))
PT = 96 / 72  # CSS px per pt


def patient_pages(pdf: bytes) -> tuple[int, int]:
    """(pages before the clinician page, pages of the clinician part)."""
    pypdf = pytest.importorskip("pypdf")
    pages = [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]
    first = next(i for i, text in enumerate(pages) if any(h in text for h in CLINICIAN_HEADINGS))
    return first, len(pages) - first


def html_of(case: PanelPlan) -> bytes:
    plan = case.plan()
    return render_plan(plan, PlanFormat.html, plan.language)


# --- WeasyPrint ---------------------------------------------------------------------------


def _boxes(box: Any, ancestors: tuple[Any, ...] = ()) -> Any:
    yield box, ancestors
    for child in getattr(box, "children", []) or []:
        yield from _boxes(child, (*ancestors, box))


def weasy_overflows(html: bytes) -> list[str]:
    """Text whose right edge passes its table cell's content edge."""
    weasyprint = pytest.importorskip("weasyprint")
    document = weasyprint.HTML(string=html.decode("utf-8")).render()
    found = []
    for number, page in enumerate(document.pages, start=1):
        for box, ancestors in _boxes(page._page_box):
            text = getattr(box, "text", None)
            if not text or not text.strip():
                continue
            cells = [a for a in ancestors if type(a).__name__ == "TableCellBox"]
            if not cells:
                continue
            cell = cells[-1]
            right = cell.content_box_x() + cell.width
            over = box.position_x + box.width - right
            if over > 0.5:
                found.append(f"page {number}: {text!r} passes its cell by {over:.1f}px")
    return found


@pytest.mark.parametrize("case", PANEL, ids=lambda c: c.name)
def test_weasyprint_meets_the_page_target_with_nothing_overflowing(case: PanelPlan) -> None:
    pytest.importorskip("weasyprint")
    plan = case.plan()
    pdf = render_plan(plan, PlanFormat.pdf, plan.language)
    patient, clinician = patient_pages(pdf)
    assert patient <= case.patient_pages, f"{patient} patient pages, target {case.patient_pages}"
    most = case.clinician_pages
    assert 1 <= clinician <= most, f"{clinician} clinician pages, at most {most}"
    assert weasy_overflows(html_of(case)) == []


# --- Chromium -----------------------------------------------------------------------------

# Measures the page as printed: the body at the A4 content width (210 mm less 2 × 14 mm),
# then every element that holds text: wider content than its box, or type below 14 pt (11 pt
# on the clinician part).
PROBE = """
<script>
document.body.style.maxWidth = "182mm"; document.body.style.padding = "0";
const out = [];
for (const el of document.querySelectorAll("main *")) {
  if (el.closest("svg")) continue;
  const style = getComputedStyle(el);
  const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
  const least = el.closest(".clinician") ? 11 : 14;  // the prescriber's part may be smaller
  if (own && parseFloat(style.fontSize) < least * 96 / 72 - 0.01)
    out.push("small " + el.tagName + " " + style.fontSize + " " + el.textContent.slice(0, 40));
  if (style.display !== "inline" && el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0)
    out.push("overflow " + el.tagName + " " + el.scrollWidth + ">" + el.clientWidth + " "
             + el.textContent.trim().slice(0, 40));
}
const pre = document.createElement("pre"); pre.id = "probe";
pre.textContent = JSON.stringify(out); document.body.appendChild(pre);
</script>
"""


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.skip("Chromium is not installed (tools/check.sh installs it as root)")
    return found


def run_chromium(tmp_path: Path, html: bytes, *args: str) -> subprocess.CompletedProcess[str]:
    page = tmp_path / "sheet.html"
    page.write_bytes(html)
    command = [
        chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        f"--user-data-dir={tmp_path / 'profile'}",
        *args,
        page.as_uri(),
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)


@pytest.mark.parametrize("case", PANEL, ids=lambda c: c.name)
def test_chromium_meets_the_page_target_with_nothing_overflowing(
    case: PanelPlan, tmp_path: Path
) -> None:
    html = html_of(case)
    pdf_path = tmp_path / "sheet.pdf"
    run_chromium(tmp_path, html, "--no-pdf-header-footer", f"--print-to-pdf={pdf_path}")
    patient, clinician = patient_pages(pdf_path.read_bytes())
    assert patient <= case.patient_pages, f"{patient} patient pages, target {case.patient_pages}"
    most = case.clinician_pages
    assert 1 <= clinician <= most, f"{clinician} clinician pages, at most {most}"
    probed = html.replace(b"</body>", PROBE.encode() + b"</body>")
    dom = run_chromium(tmp_path, probed, "--virtual-time-budget=5000", "--dump-dom").stdout
    match = re.search(r'<pre id="probe">(.*?)</pre>', dom, re.S)
    assert match, "the probe did not run"
    problems = json.loads(
        match.group(1).replace("&gt;", ">").replace("&lt;", "<").replace("&amp;", "&")
    )
    assert problems == [], "\n".join(problems)


def test_the_weasyprint_check_finds_text_forced_out_of_its_cell() -> None:
    """The overflow check can fail: text kept on one line in narrow columns is reported."""
    pytest.importorskip("weasyprint")
    squeezed = html_of(PANEL[0]).replace(
        b"</style>", b".overview td { white-space: nowrap; overflow-wrap: normal; }</style>"
    )
    assert weasy_overflows(squeezed)


def test_stop_completely_is_said_only_when_nothing_goes_on() -> None:
    """A drug switched to another is not 'stopped completely': the patient goes on."""
    case = next(c for c in PANEL if c.name == "no-alprazolam-switch")
    html = html_of(case).decode()
    patient = html.split('<section class="clinician', 1)[0]
    assert patient.count("deretter slutter du helt") == 1  # diazepam's last step only
    assert "Ikke mer alprazolam (Xanor) – fortsett med diazepam." in patient
    assert "Siste trinn er 2 mg, deretter slutter du helt." in patient


# Words for the prescriber that must never reach the patient's pages, in every language.
PRESCRIBER_WORDS = (
    "--",
    "rule ",
    "regel",
    "Rule",
    "Regel",
    "prescriber",
    "förskriv",
    "forskriv",
    "step(s)",
    "Step ",
    "Steg ",
    "Trinn ",
    "unverified",
    "project choice",
    "sha256",
)


@pytest.mark.parametrize("lang", ["sv", "nb", "en"])
@pytest.mark.parametrize("case", PANEL, ids=lambda c: c.name)
def test_the_patient_s_pages_hold_only_patient_words(case: PanelPlan, lang: str) -> None:
    plan = case.plan(lang)
    html = render_plan(plan, PlanFormat.html, lang).decode()
    body = html.split("<main>", 1)[1]
    patient = body.split('<section class="clinician', 1)[0]
    text = re.sub(r"<[^>]+>", " ", patient)
    for word in PRESCRIBER_WORDS:
        assert word not in text, (word, text[max(0, text.find(word) - 80) : text.find(word) + 80])


# --- the nurse's review (issue 13b) -------------------------------------------------------


def _case(name: str) -> PanelPlan:
    return next(c for c in PANEL if c.name == name)


def _patient_html(name: str, lang: str | None = None) -> str:
    case = _case(name)
    plan = case.plan(lang) if lang else case.plan()
    html = render_plan(plan, PlanFormat.html, lang or plan.language).decode()
    return html.split('<section class="clinician', 1)[0]


def test_no_dose_part_is_split_across_lines() -> None:
    """Every "n × strength mg" is one unbreakable piece and WeasyPrint lays each out on one line."""
    weasyprint = pytest.importorskip("weasyprint")
    html = html_of(_case("se-zopiclone-oxazepam")).decode()
    parts = [
        re.sub(r"<[^>]+>", "", p) for p in re.findall(r'<span class="part">(.*?)</span>', html)
    ]
    parts = [p.replace("&nbsp;", "\u00a0").removeprefix("+\u00a0") for p in parts]
    assert parts
    assert all(" " not in p for p in parts), parts
    document = weasyprint.HTML(string=html).render()
    lines = {
        box.text
        for page in document.pages
        for box, _ in _boxes(page._page_box)
        if getattr(box, "text", None)
    }
    split = [p for p in set(parts) if not any(p in line for line in lines)]
    assert split == []


def test_the_tick_calendar_is_on_one_page() -> None:
    weasyprint = pytest.importorskip("weasyprint")
    for name in ("se-diazepam", "uk-alprazolam-switch"):
        document = weasyprint.HTML(string=html_of(_case(name)).decode()).render()
        pages = {
            number
            for number, page in enumerate(document.pages)
            for box, ancestors in _boxes(page._page_box)
            if type(box).__name__ == "TableRowBox"
            and any(
                type(a).__name__ == "TableBox" and (a.element.get("class") or "") == "ticks"
                for a in ancestors
            )
        }
        assert len(pages) == 1, (name, pages)


def test_patient_pages_are_numbered_on_their_own_and_the_stamp_is_on_the_clinician_part() -> None:
    pypdf = pytest.importorskip("pypdf")
    case = _case("se-diazepam")
    plan = case.plan()
    pdf = render_plan(plan, PlanFormat.pdf, plan.language)
    patient, _ = patient_pages(pdf)
    pages = [p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages]
    for number, text in enumerate(pages[:patient], start=1):
        assert f"Sida {number} av {patient}" in text
        assert "sha256" not in text
    g = plan.guideline
    for text in pages[patient:]:
        assert f"{g.id} {g.version} · sha256 {g.sha256[:12]} · taper {plan.tool_version}" in text
    assert g.sha256 in "".join(pages[patient:]).replace("\n", "")  # the full stamp, at the end


def test_the_nurse_s_words_on_the_patient_pages() -> None:
    diazepam = _patient_html("se-diazepam")
    assert "Ta dina tabletter som vanligt. Skriv upp varje dos i dagboken." in diazepam
    assert re.search(
        r"Du tar samma dos i \d+ veckor\. Sedan går dosen ner till [\d,]+ mg\.", diazepam
    )
    assert "Skriv upp när du byter plåster." in _patient_html("se-fentanyl")
    fentanyl_nb = _patient_html("se-fentanyl", "nb")
    assert "mcg/h" not in fentanyl_nb
    assert "mikrogram/time" in fentanyl_nb
    assert "mikrogram/timme" in _patient_html("se-fentanyl")
    assert (
        "Depottabletter: svälj hela, dela eller krossa inte. Ta dem med 12 timmars mellanrum"
        " (t.ex. 08 och 20)." in _patient_html("se-oxycodone")
    )
    assert "Slow-release (depot) tablets: swallow them whole" in _patient_html("se-oxycodone", "en")
    switch_sv = _patient_html("no-alprazolam-switch", "sv")
    assert "Ingen mer alprazolam (Xanor) – fortsätt med diazepam." in switch_sv
    assert "Inga fler" not in switch_sv
    assert "Sobril (oxazepam)" in _patient_html("se-zopiclone-oxazepam")


def test_the_clinician_part_names_no_command_line_option_and_no_step_s() -> None:
    for name, lang in (("no-alprazolam-switch", "sv"), ("se-diazepam", "en")):
        case = _case(name)
        html = render_plan(case.plan(lang), PlanFormat.html, lang).decode()
        clinician = html.split('<section class="clinician', 1)[1]
        # The one command it names on purpose: how to print the intake diary (nurse review 6).
        clinician = re.sub(r'<p class="diary-print">.*?</p>', "", clinician)
        clinician = re.sub(r"<[^>]+>", " ", clinician)
        assert "--" not in clinician, name
        assert "step(s)" not in clinician, name


@pytest.mark.parametrize(
    ("name", "lang", "numbers", "caption"),
    [
        # The benzodiazepine's "Viktig" box (nurse review 4) stands where the curve stood.
        ("se-diazepam", "sv", ("112", "1177"), "Viktig"),
        ("se-oxazepam", "nb", ("112", "1177"), None),
        ("no-alprazolam-switch", "nb", ("113", "116 117"), None),
        ("uk-alprazolam-switch", "en", ("999", "111"), None),
    ],
)
def test_page_one_says_who_to_call_when_it_is_urgent(
    name: str, lang: Lang, numbers: tuple[str, ...], caption: str | None
) -> None:
    """Page 1: the contact lines, then the region's urgent-help numbers with when to call
    each (from the rule file, in the sheet's language), then the "Important" box."""
    pypdf = pytest.importorskip("pypdf")
    case = _case(name)
    plan = case.plan(lang)
    pdf = render_plan(plan, PlanFormat.pdf, lang)
    first = pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text().replace("\u00a0", " ")
    heading = texts(lang)._("If it is urgent, call:")
    assert heading in first
    after = first.split(heading, 1)[1]
    for number in numbers:
        assert f"\n{number} " in after, (number, after[:200])
    if caption is not None:
        assert caption in first
    urgent = load_guideline(case.guideline).guideline.urgent_help
    assert [u.number for u in urgent] == list(numbers)
    assert all(u.label.get(lang) in after.replace("\n", " ") for u in urgent)


def test_page_one_says_what_to_take_at_each_time_and_when_it_next_changes() -> None:
    """Nurse review C-1: page 1 alone tells the patient the first fixed doses per time of
    day and the date the dose next changes, not only the daily total."""
    page_one = _patient_html("se-oxazepam", "sv").split('<section class="patient doses">')[0]
    assert "Från mån 11 jan." in page_one
    assert 'Morgon <span class="part">' in page_one
    assert "Nästa dosändring" in page_one
    assert "Läkemedel nu" not in page_one  # the daily total alone said too little


def test_page_one_says_a_switch_in_the_patient_s_words() -> None:
    """Nurse review P4-2: a switch to diazepam is said on page 1, on its first day."""
    page_one = _patient_html("no-alprazolam-switch", "nb").split('<section class="patient doses">')[
        0
    ]
    assert re.search(r"Du bytter fra alprazolam til [^<]*diazepam[^<]*\.", page_one)


def _page_one_text(name: str, lang: str) -> str:
    pypdf = pytest.importorskip("pypdf")
    plan = _case(name).plan(lang)
    pdf = render_plan(plan, PlanFormat.pdf, lang)
    first = pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    return " ".join(first.replace("\u00a0", " ").split())


@pytest.mark.parametrize(
    ("name", "lang", "day", "stop", "old_morning"),
    [
        (
            "no-alprazolam-switch",
            "nb",
            "Fra ma. 25. jan.",
            "Kveld: ikke mer Xanor (alprazolam) – ta Stesolid (diazepam) i stedet.",
            "Xanor (alprazolam): Morgen 1 × 1 mg · Midt på dagen 1 × 1 mg Stesolid",
        ),
        (
            "no-alprazolam-switch",
            "sv",
            "Från mån 25 jan.",
            "Kväll: ingen mer Xanor (alprazolam) – ta Stesolid (diazepam) i stället.",
            "Xanor (alprazolam): Morgon 1 × 1 mg · Mitt på dagen 1 × 1 mg Stesolid",
        ),
        (
            "uk-alprazolam-switch",
            "en",
            "From Mon 18 Jan",
            "Evening: no more alprazolam – take Diazepam tablets instead.",
            "alprazolam: Morning 0.75 mg, own tablets Diazepam",
        ),
    ],
)
def test_page_one_says_which_dose_of_the_old_drug_stops_on_the_switch_day(
    name: str, lang: str, day: str, stop: str, old_morning: str
) -> None:
    """Nurse review 2, A-5 (safety): page 1 listed the old drug's evening dose and then the
    new drug's evening dose from the switch day, without saying the old one stops: a patient
    reading only page 1 took both. The switch day is now the whole day: what stops, what goes
    on of the old drug and the new drug's doses, on page 1 in both renderers' layout."""
    first = _page_one_text(name, lang)
    after = first.split(day, 1)[1]
    assert stop in after, after[:300]
    assert old_morning in after, after[:300]
    # The old drug's evening dose is not offered on the switch day.
    switch_day = after.split(stop, 1)[1]
    new_drug = old_morning.rsplit(" ", 1)[1]
    old_doses = switch_day.split(new_drug, 1)[0]  # the old drug's line on the switch day
    assert not re.search(r"Kveld|Kväll|Evening", old_doses), old_doses
    # The next dose change is after the last day the box shows.
    assert day not in first.split(stop, 1)[1]


@pytest.mark.parametrize("case", PANEL, ids=lambda c: c.name)
def test_the_dose_axis_labels_never_overprint(case: PanelPlan) -> None:
    """Nurse review 2, A-1: the patch chart's y labels ("50/40/30/20/10/0") sat on top of
    each other in a 1.5 cm chart. Every chart's dose labels are now a label's height and a
    gap apart, and there are at least three of them (0, the middle, the top)."""
    from taper.render.curve import FONT

    html = html_of(case).decode()
    charts = re.findall(r"<svg .*?</svg>", html, re.S)
    assert charts
    for svg in charts:
        ys = [
            Decimal(y) for y in re.findall(r'<text x="[\d.]+" y="([\d.]+)" text-anchor="end"', svg)
        ]
        assert len(ys) >= 3, (case.name, ys)
        gaps = [a - b for a, b in pairwise(ys)]
        assert min(gaps) >= FONT * Decimal("1.2"), (case.name, ys)


def _laid_out_head_lines(html: str) -> set[str]:
    """Every line of text WeasyPrint lays out inside a table head."""
    weasyprint = pytest.importorskip("weasyprint")
    document = weasyprint.HTML(string=html).render()
    return {
        box.text.strip()
        for page in document.pages
        for box, ancestors in _boxes(page._page_box)
        if getattr(box, "text", None)
        and any(getattr(getattr(a, "element", None), "tag", None) == "thead" for a in ancestors)
    }


def _head_words(html: str) -> set[str]:
    heads = re.findall(r"<thead>(.*?)</thead>", html, re.S)
    cells = [c for head in heads for c in re.findall(r"<th[^>]*>(.*?)</th>", head, re.S)]
    text = " ".join(re.sub(r"<[^>]+>", " ", c) for c in cells)
    # Split at ordinary spaces only: "20\u00a0mg" is one piece.
    return {w for w in re.split(r"[ \n\t]+", text) if w and w not in "–·"}


@pytest.mark.parametrize(
    "name", ["se-oxazepam", "se-fentanyl", "se-buprenorphine", "se-oxycodone-oxazepam"]
)
def test_no_column_head_is_broken_mid_word(name: str) -> None:
    """Nurse review 2, A-2/A-3: "Datu/m" over the tick calendar, "Oxik/odon/Acta/vis" and
    "20/mg" over the dispensing table. Every word of every table head (the dispensing's
    strength "20 mg" as one piece) is laid out whole on one line by WeasyPrint."""
    html = html_of(_case(name)).decode()
    lines = _laid_out_head_lines(html)
    words = {w for line in lines for w in re.split(r"[ \n\t]+", line)}
    broken = sorted(w for w in _head_words(html) if w not in words)
    assert broken == []


@pytest.mark.parametrize("name", ["se-fentanyl", "no-fentanyl", "se-buprenorphine"])
def test_a_patch_plan_s_table_has_no_repeated_strength_column(name: str) -> None:
    """Nurse review 2, A-2: the patch table's "Plåsterstyrka" column repeated the patch
    column ("1 × 50 mikrogram/timme | 50 mikrogram/timme") and wrapped mid-word."""
    html = _patient_html(name)
    table = html.split('<table class="overview">', 1)[1].split("</table>", 1)[0]
    head = re.findall(r"<th scope=\"col\">(.*?)</th>", table.split("</thead>", 1)[0])
    assert len(head) == 2, head  # the dates and the patch
    assert 'class="amount"' not in table


@pytest.mark.parametrize("lang", ["sv", "nb", "en"])
def test_no_diary_column_head_is_broken_mid_word(lang: str) -> None:
    """Nurse review 2, A-2: the diary's "Anteckninga/r" (and "Eftermidda/g" once the day and
    notes columns were sized): every word of its heads laid out whole."""
    plan = _case("se-oxazepam").plan(lang)
    html = render_diary(plan, lang).decode()
    lines = _laid_out_head_lines(html)
    words = {w for line in lines for w in re.split(r"[ \n\t]+", line)}
    broken = sorted(w for w in _head_words(html) if w not in words)
    assert broken == []


@pytest.mark.parametrize("name", ["se-oxycodone", "se-oxycodone-oxazepam"])
def test_the_depot_sentence_stands_with_the_depot_rows_only(name: str) -> None:
    """Nurse review 2, A-4: "Depottabletter: svälj hela … 12 timmars mellanrum" headed the
    whole table though later rows were Oxikodon Actavis (immediate release) and Sobril. It
    stands once, inside the table, right above the first depot row."""
    html = _patient_html(name)
    advice = texts("sv")._(
        "Slow-release (depot) tablets: swallow them whole; do not split or crush them."
    )
    before, table = html.split('<table class="overview">', 1)
    table = table.split("</table>", 1)[0]
    assert advice not in before.rsplit("<h2", 1)[1]  # not above the table
    assert table.count(advice) == 1
    # Its group: the product row (or product cell) above or beside it names the depot.
    group = next(g for g in re.findall(r"<tbody.*?</tbody>", table, re.S) if advice in g)
    assert "Depot" in group
    for row in re.findall(r'<tr class="doses">(.*?)</tr>', table.split(advice, 1)[0], re.S):
        assert "Depot" not in row  # no depot row above it


@pytest.mark.parametrize(
    ("name", "lang"), [("se-fentanyl", "sv"), ("no-fentanyl", "nb"), ("se-buprenorphine", "en")]
)
def test_the_tick_calendar_marks_the_day_the_last_patch_comes_off(name: str, lang: str) -> None:
    """Nurse review 2, A-9: page 1 says "ta av 24 mars 2027" but the calendar ended on 22/3's
    week with no mark. The off day has a box and the note "24/3 ta av sista plåstret"."""
    html = _patient_html(name, lang)
    t = texts(lang)
    calendar = html.split('<table class="ticks">', 1)[1].split("</table>", 1)[0]
    last_box = re.findall(r'class="tick" role="img" aria-label="([^"]+)"', calendar)[-1]
    off_day = last_box.rsplit(" ", 1)[0]  # the long date, its time label after it
    page_one = html.split('<section class="patient doses">', 1)[0]
    assert off_day in page_one  # the same day page 1 says to take it off
    note = re.findall(r'<td class="week-note">([^<]*)</td>', calendar)[-1]
    assert t._("%(day)s take off the last patch", day="") in note
    # Nurse review 3: the intro said a box means "put on a new patch"; it says what the last
    # box means.
    intro = html.split('<table class="ticks">', 1)[0].rsplit("<p>", 1)[1]
    assert (
        t._(
            "On the day the note says to take off the last patch, take it off, put on no new one "
            "and tick the box."
        )
        in intro
    )


@pytest.mark.parametrize("name", ["se-zopiclone-oxazepam", "se-oxycodone-oxazepam"])
def test_each_drug_s_rows_stand_together_headed_by_its_name(name: str) -> None:
    """Nurse review 2: the table alternated Imovane and Sobril rows in date order, so page 2
    ended with Imovane only and showed no oxazepam dose. One block per drug, each headed by
    the drug's name."""
    from taper.render.sheet import build_sheet
    from taper.render.view_builder import build_view

    case = _case(name)
    plan = case.plan()
    view = build_view(plan, plan.language, load_guideline(case.guideline).guideline)
    rows = build_sheet(view).rows
    drugs = [row.drug for row in rows]
    blocks = [d for i, d in enumerate(drugs) if i == 0 or drugs[i - 1] != d]
    assert len(blocks) == len(set(drugs)) == 2, blocks
    for i, row in enumerate(rows):
        if i == 0 or drugs[i - 1] != row.drug:
            name_of = view.drug_names.get(row.drug, row.drug)
            assert row.heading is not None
            assert name_of.casefold() in row.heading.casefold()


@pytest.mark.parametrize(
    ("lang", "until"),
    [
        ("sv", "samma dos till och med 24 maj 2027"),
        ("nb", "samme dose til og med 24. mai 2027"),
        ("en", "same dose up to and including 24 May 2027"),
    ],
)
def test_a_long_hold_is_said_in_weeks_or_by_its_last_date(lang: str, until: str) -> None:
    """Nurse review 2: "Du tar samma dos i 141 dagar." A hold of whole weeks says weeks; a
    longer one of no whole weeks says its last day."""
    html = _patient_html("se-oxycodone-oxazepam", lang)
    assert until in html
    days = [int(n) for n in re.findall(r"(\d+)\s(?:dagar|dager|days)\b", html)]
    assert all(n < 14 for n in days), days


@pytest.mark.parametrize(
    ("name", "lang", "day"),
    [
        ("se-oxycodone", "sv", "25 jan."),
        ("no-alprazolam-switch", "nb", "11. mai"),
        ("se-diazepam", "en", None),
    ],
)
def test_the_clinician_part_names_steps_by_their_dates(
    name: str, lang: str, day: str | None
) -> None:
    """Nurse review 2, A-7: "(steg 11, 13)", "(trinn 16, 18, 20)" in the decision box and
    warnings; the patient's table has dates, no step numbers. The step's first day instead."""
    case = _case(name)
    html = render_plan(case.plan(lang), PlanFormat.html, lang).decode()
    clinician = re.sub(r"<[^>]+>", " ", html.split('<section class="clinician', 1)[1])
    assert re.search(r"\((?:step|steg|trinn) \d", clinician) is None
    if day is not None:
        assert re.search(rf"\({re.escape(day)}[,)]", clinician), day


@pytest.mark.parametrize(
    ("name", "lang"), [("se-oxycodone", "sv"), ("no-fentanyl", "nb"), ("se-oxycodone", "en")]
)
def test_the_opioid_safety_sentences_stand_in_their_own_important_box(
    name: str, lang: Lang
) -> None:
    """Nurse review 2, A-12: lost tolerance, overdose with alcohol or sleeping pills and
    naloxone were bullets under "Vad samtalen handlar om"; they are warnings. The rule file's
    own sentences, moved into an "Important" box, and no longer under the talk topics."""
    case = _case(name)
    checkpoints = load_guideline(case.guideline).guideline.checkpoints
    assert checkpoints is not None
    own = {c.id: c.text.get(lang) for c in checkpoints.content}
    sentences = [own[cid] for cid in ("lost-tolerance", "overdose-risk", "naloxone")]
    html = _patient_html(name, lang)
    important = texts(lang)._("Important")
    boxes = re.findall(r'<div class="warning keep">(.*?)</div>', html, re.S)
    box = next(b for b in boxes if important in b and sentences[0] in b)
    assert all(s in box for s in sentences)
    topics = html.split(texts(lang)._("What the talks are about"), 1)[1]
    assert not any(s in topics for s in sentences)


@pytest.mark.parametrize("case", PANEL, ids=lambda c: c.name)
def test_the_last_page_holds_more_than_the_stamp(case: PanelPlan) -> None:
    """Nurse review 2 (A-8): the clinician part spilled onto a page holding only the stamp
    ("Riktlinje se-vgr version 2026.1, sha256 …"); the stamp now keeps the block before it."""
    pypdf = pytest.importorskip("pypdf")
    pytest.importorskip("weasyprint")
    plan = case.plan()
    pdf = render_plan(plan, PlanFormat.pdf, plan.language)
    last = pypdf.PdfReader(io.BytesIO(pdf)).pages[-1].extract_text()
    stamp = next(line for line in last.splitlines() if plan.guideline.id in line)
    assert last.strip().index(stamp.strip()) > 0, last


def test_a_plan_that_ends_on_a_solution_never_says_tablets_at_its_end() -> None:
    """Nurse review 3: the US morphine sheet said "Last tablet 25 June 2028" and "No more
    tablets." after ten months of oral solution."""
    html = _patient_html("us-morphine-topup")
    assert "Last dose" in html
    assert "Last tablet" not in html
    assert "No more morphine." in html
    assert "No more tablets" not in html


def test_four_dose_times_put_the_calendar_notes_under_each_week() -> None:
    """Nurse review 3 (Paralgin forte 2+2+2+2, nb): four boxes a day left the note column
    ~18 mm, so its head and notes broke mid-word ("Infor/masjo/n", "samta/le") and the
    calendar spilled onto another page. The notes now stand in a row under their week."""
    from taper.dose import parse_medication
    from taper.plan import PlanOptions, make_plan

    loaded = load_guideline("no-helsedir")
    med = parse_medication("Paralgin forte 2+2+2+2", loaded.guideline)
    plan = make_plan([med], loaded, PlanOptions(start=dt.date(2027, 1, 4)))
    html = render_plan(plan, PlanFormat.html, "nb").decode()
    calendar = html.split('<table class="ticks">', 1)[1].split("</table>", 1)[0]
    assert texts("nb")._("Note") not in calendar  # no note column head
    notes = re.findall(
        r'<tr class="note-row"><td colspan="8" class="week-note">([^<]+)</td>', calendar
    )
    assert notes
    assert any("samtale" in note for note in notes)
    # A plan with fewer dose times keeps its note column.
    assert '<tr class="note-row">' not in _patient_html("se-oxazepam")
