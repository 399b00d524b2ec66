"""Renderers: golden files for every format in every language, read-back by each format's own
library, determinism, languages, and the extras' error messages.

Regenerate the golden files with TAPER_UPDATE_GOLDEN=1 (then read the diff like a printout).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from fixtures.plan_fixture import fixture_guideline, fixture_plan

from taper.errors import TaperError
from taper.plan.model import PlanWarning
from taper.render import DiaryFormat, PlanFormat, render_diary, render_plan
from taper.render.i18n import LANGUAGES, Texts, check_lang

GOLDEN = Path(__file__).resolve().parent / "golden" / "render"
UPDATE = os.environ.get("TAPER_UPDATE_GOLDEN") == "1"
EXTENSION = {
    PlanFormat.text: "txt",
    PlanFormat.markdown: "md",
    PlanFormat.html: "html",
    PlanFormat.pdf: "pdf.txt",  # the PDF's extracted text, not its bytes
    PlanFormat.csv: "csv",
    PlanFormat.json: "json",
    PlanFormat.ics: "ics",
    PlanFormat.fhir: "fhir.json",
}


def render(fmt: PlanFormat, lang: str) -> bytes:
    return render_plan(fixture_plan(), fmt, lang, guideline=fixture_guideline())


def pdf_text(data: bytes) -> str:
    """The PDF's text, page by page, with runs of spaces folded (layout is not the point)."""
    pypdf = pytest.importorskip("pypdf", reason="pypdf (dev extra) extracts the PDF's text")
    reader = pypdf.PdfReader(io.BytesIO(data))
    lines = []
    for page in reader.pages:
        for line in page.extract_text().splitlines():
            folded = " ".join(line.split())
            if folded:
                lines.append(folded)
    return "\n".join(lines) + "\n"


def weasyprint_or_skip() -> None:
    try:
        import weasyprint  # noqa: F401
    except ImportError:
        pytest.skip("WeasyPrint (the pdf extra) is not installed; tools/check.sh installs it")
    except OSError as exc:
        pytest.skip(f"WeasyPrint cannot load Pango ({exc}); tools/check.sh installs it")


def compare_golden(name: str, actual: bytes) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(actual)
    assert path.exists(), f"no golden file {path}; run with TAPER_UPDATE_GOLDEN=1"
    expected = path.read_bytes()
    assert actual == expected, f"{name} differs from its golden file (TAPER_UPDATE_GOLDEN=1)"


# -- golden files ----------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("fmt", [f for f in PlanFormat if f is not PlanFormat.pdf])
def test_golden(fmt: PlanFormat, lang: str) -> None:
    compare_golden(f"{lang}/plan.{EXTENSION[fmt]}", render(fmt, lang))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_golden_pdf_text(lang: str) -> None:
    weasyprint_or_skip()
    compare_golden(f"{lang}/plan.pdf.txt", pdf_text(render(PlanFormat.pdf, lang)).encode())


@pytest.mark.parametrize("lang", LANGUAGES)
def test_golden_diary(lang: str) -> None:
    diary = render_diary(fixture_plan(), lang, guideline=fixture_guideline())
    compare_golden(f"{lang}/diary.html", diary)


def test_every_format_has_a_golden_file_in_every_language() -> None:
    for lang in LANGUAGES:
        for fmt in PlanFormat:
            assert (GOLDEN / lang / f"plan.{EXTENSION[fmt]}").exists(), (lang, fmt)


# -- every format is wired -------------------------------------------------------------------


@pytest.mark.parametrize("fmt", list(PlanFormat))
def test_every_format_is_wired(fmt: PlanFormat) -> None:
    if fmt is PlanFormat.pdf:
        weasyprint_or_skip()
    data = render(fmt, "sv")
    assert data
    assert b"not available" not in data


def test_the_format_mapping_ends_in_assert_never() -> None:
    # mypy --strict proves exhaustiveness; this keeps the proof from being deleted.
    source = (Path(__file__).resolve().parent.parent / "taper/render/__init__.py").read_text()
    assert "assert_never(fmt)" in source


# -- determinism -----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", list(PlanFormat))
def test_rendering_twice_gives_identical_bytes(fmt: PlanFormat) -> None:
    if fmt is PlanFormat.pdf:
        weasyprint_or_skip()
    assert render(fmt, "nb") == render(fmt, "nb")


def test_diary_pdf_is_deterministic_and_readable() -> None:
    weasyprint_or_skip()
    plan, guideline = fixture_plan(), fixture_guideline()
    first = render_diary(plan, "sv", DiaryFormat.pdf, guideline=guideline)
    assert first == render_diary(plan, "sv", DiaryFormat.pdf, guideline=guideline)
    text = pdf_text(first)
    assert "Läkemedelsdagbok: oxazepam" in text
    assert "Ta med dagboken till ditt stödsamtal mån 8 mars 2027." in text


# -- read back by each format's own library --------------------------------------------------


def test_ics_parses_back_with_stable_uids_and_all_day_dates() -> None:
    icalendar = pytest.importorskip("icalendar")
    cal = icalendar.Calendar.from_ical(render(PlanFormat.ics, "sv"))
    events = list(cal.walk("VEVENT"))
    plan = fixture_plan()
    # 12 steps with a new dose or a new instruction, 18 contacts (dose changes are the steps)
    assert len(events) == 30
    uids = [str(e["uid"]) for e in events]
    assert len(set(uids)) == len(uids)
    assert all(re.fullmatch(r"[0-9a-f]{32}@taper", u) for u in uids)
    assert all(type(e.decoded("dtstart")) is dt.date for e in events)
    assert {e.decoded("dtstamp") for e in events} == {dt.datetime(2027, 3, 1, tzinfo=dt.UTC)}
    assert str(cal["x-wr-timezone"]) == plan.timezone
    summaries = {str(e["summary"]) for e in events}
    assert "Ny dos: oxazepam 25 mg per dygn" in summaries
    assert "Inga fler tabletter: oxazepam" in summaries
    first = next(e for e in events if e.decoded("dtstart") == dt.date(2027, 3, 22))
    assert "Morgon: 1 × Sobril 10 mg + ½ × Sobril 5 mg (12,5 mg)" in str(first["description"])


def test_ics_uids_do_not_depend_on_the_language() -> None:
    icalendar = pytest.importorskip("icalendar")

    def uids(lang: str) -> list[str]:
        cal = icalendar.Calendar.from_ical(render(PlanFormat.ics, lang))
        return [str(e["uid"]) for e in cal.walk("VEVENT")]

    assert uids("sv") == uids("en") == uids("nb")


def test_fhir_parses_back_as_an_r4b_bundle() -> None:
    bundle_module = pytest.importorskip("fhir.resources.R4B.bundle")
    bundle = bundle_module.Bundle.model_validate_json(render(PlanFormat.fhir, "nb"))
    assert bundle.type == "collection"
    kinds = [entry.resource.__resource_type__ for entry in bundle.entry]
    # one request per product dispensed: Sobril 10 mg and Sobril 5 mg
    assert kinds == ["CarePlan", "MedicationRequest", "MedicationRequest"]
    care_plan, tens, fives = (entry.resource for entry in bundle.entry)
    assert care_plan.status == "draft"
    assert str(care_plan.period.start) == "2027-03-01"
    assert care_plan.activity[0].reference.reference == bundle.entry[1].fullUrl
    assert tens.intent == "plan"
    (medication,) = tens.contained
    assert medication.code.coding[0].code == "N05BA04"
    assert medication.code.text == "Sobril 10 mg"
    assert tens.medicationReference.reference == "#product"
    # one instruction per step and time of day at which the product is taken
    step3 = [d for d in [*tens.dosageInstruction, *fives.dosageInstruction] if d.sequence == 3]
    assert {str(d.timing.repeat.boundsPeriod.start) for d in step3} == {"2027-03-22"}
    assert {str(d.timing.repeat.boundsPeriod.end) for d in step3} == {"2027-04-04"}
    assert sorted(d.timing.repeat.when[0] for d in step3) == ["EVE", "EVE", "MORN", "MORN"]
    doses = sorted(d.doseAndRate[0].doseQuantity.value for d in step3)
    assert doses == [Decimal("2.5"), Decimal("2.5"), Decimal(10), Decimal(10)]
    assert step3[0].patientInstruction == "Morgen: 1 × Sobril 10 mg"


@pytest.mark.parametrize(("lang", "delimiter"), [("sv", ";"), ("nb", ";"), ("en", ",")])
def test_csv_reads_back_one_row_per_day(lang: str, delimiter: str) -> None:
    data = render(PlanFormat.csv, lang)
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel reads ½ and × right
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=delimiter))
    header, body = rows[0], rows[1:]
    assert len(header) == 12  # the last column is the stamp
    assert all(len(row) == len(header) for row in body)
    plan = fixture_plan()
    assert plan.last_dose_date is not None
    days = (plan.last_dose_date - plan.start).days + 1
    assert len(body) == days + 1  # every day up to the last dose, then the first day without
    dates = [dt.date.fromisoformat(row[0]) for row in body]
    assert dates == sorted(dates)
    assert dates[-1] == plan.last_dose_date + dt.timedelta(days=1)
    by_date = {row[0]: row for row in body}
    half = "2,5" if lang != "en" else "2.5"
    assert by_date["2027-08-15"][5] == half
    assert by_date["2027-08-15"][-2] == "½ × Sobril 5 mg"


# -- languages, numbers and dates ------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "amount", "date"),
    [
        ("sv", "2,5 mg", "4 mars 2027"),
        ("nb", "2,5 mg", "4. mars 2027"),
        ("en", "2.5 mg", "4 March 2027"),
    ],
)
def test_numbers_and_dates_follow_the_language(lang: str, amount: str, date: str) -> None:
    t = Texts(check_lang(lang))
    assert t.amount(Decimal("2.50"), "mg") == amount
    assert t.date(dt.date(2027, 3, 4)) == date
    assert t.number(Decimal("10")) == "10"  # not 1E+1
    assert t.number(Decimal("0.125")) in ("0,125", "0.125")


@pytest.mark.parametrize(
    ("count", "text"),
    [("1.5", "1½"), ("0.5", "½"), ("0.25", "¼"), ("2.75", "2¾"), ("2", "2"), ("1.00", "1")],
)
def test_tablet_counts_read_as_fractions(count: str, text: str) -> None:
    assert Texts("sv").count(Decimal(count)) == text


def test_an_uncommon_fraction_is_a_decimal() -> None:
    assert Texts("sv").count(Decimal("0.125")) == "0,125"


def test_an_unknown_language_is_one_clear_sentence() -> None:
    with pytest.raises(TaperError, match=r"^Unknown language 'de'; choose one of: sv, nb, en\.$"):
        render_plan(fixture_plan(), PlanFormat.text, "de")


def test_the_swedish_sheet_speaks_swedish() -> None:
    html = render(PlanFormat.html, "sv").decode()
    assert '<html lang="sv">' in html
    for phrase in (
        "Din nedtrappningsplan: oxazepam",
        "Nästa stödsamtal",
        "Dina tabletter: Sobril (oxazepam).",
        '1\u00a0×\u00a010\u00a0mg</span><span class="part">+&nbsp;½\u00a0×\u00a05\u00a0mg',
        "12,5\u00a0mg",  # a daily amount stays on one line
        "22\u00a0mars – 4\u00a0apr.</th>",  # the year on the year row above
        '<tr class="year"><th scope="colgroup" colspan="4">2027</th></tr>',
        "Om det är akut, ring:",
        "Inga fler tabletter.",
        "Sista steget är 2,5 mg, sedan slutar du helt.",
        "Du tar samma dos 1 vecka till. Sedan sänks dosen till 5 mg.",
        "Ta dina tabletter som vanligt.",
        "För förskrivaren",
        "Olöst beslut för förskrivaren",  # the tablet-limited cut: the clinician page says so
        "Steget som börjar 26 juli för oxazepam minskar mer än regeln tillåter",  # by date
        "Utan källa (projektets val)",
        "Eftervårdskontakt",
        "Abstinenssymtom (stress, ångest, sömn, spänningar)",
    ):
        assert phrase in html, phrase


def test_the_norwegian_sheet_speaks_norwegian() -> None:
    html = render(PlanFormat.html, "nb").decode()
    for phrase in (
        "Din nedtrappingsplan",
        "Neste støttesamtale",
        "22.\u00a0mars – 4.\u00a0apr.</th>",
        "Hvis det haster, ring:",
        "Siste trinn er 2,5 mg, deretter slutter du helt.",
        "For forskriveren",
    ):
        assert phrase in html, phrase
    patient = html.split('<section class="clinician', 1)[0]
    for prescriber_word in ("--switch", "Trinn 11", "regel"):
        assert prescriber_word not in patient, prescriber_word


def test_catalogs_are_complete_and_compiled() -> None:
    from taper.render.catalogs import problems

    assert problems() == []


# -- the printed sheet as a person with poor sight needs it -----------------------------------


def test_sheet_type_is_large_and_the_page_is_a4() -> None:
    html = render(PlanFormat.html, "sv").decode()
    style = html.split("<style>", 1)[1].split("</style>", 1)[0]
    body_css = re.sub(r"@page[^{]*\{(?:[^{}]|\{[^{}]*\})*\}", "", style)  # page footers apart
    # The prescriber's dispensing table may be smaller (at least 11 pt, as its footer):
    # 8 product columns at 14 pt broke "Oxikodon" mid-word. The patient's pages: 14 pt.
    clinician = re.findall(r"^\.dispense \{[^}]*font-size:\s*([\d.]+)pt", body_css, re.M)
    assert [Decimal(n) for n in clinician] == [12]
    patient_css = re.sub(r"^\.dispense \{[^}]*\}", "", body_css, flags=re.M)
    sizes = [Decimal(n) for n in re.findall(r"font-size:\s*([\d.]+)pt", patient_css)]
    assert sizes
    assert min(sizes) >= 14
    assert "size: A4 portrait" in style
    assert "<script" not in html
    assert "http" not in style  # nothing is fetched when printing


def test_sheet_has_a_tick_box_per_day_and_time_for_the_next_weeks() -> None:
    from taper.render.sheet_calendar import TICK_WEEKS

    html = render(PlanFormat.html, "en").decode()
    plan = fixture_plan()
    dosed = [s for s in plan.steps if s.phase != "mapping" and s.dose]
    first = dosed[0].start
    monday = first - dt.timedelta(days=first.weekday())
    end = min(dosed[-1].end, monday + dt.timedelta(weeks=TICK_WEEKS, days=-1))
    boxes = sum(
        len([d for d in s.doses if d.amount])
        for s in dosed
        for n in range(s.days)
        if s.start + dt.timedelta(days=n) <= end
    )
    assert html.count('class="tick"') == boxes


def test_sheet_has_blank_lines_for_name_contact_and_phone() -> None:
    html = render(PlanFormat.html, "en").decode()
    for label in ("Your name", "Your contact person", "Phone"):
        assert f'<th scope="row">{label}</th><td></td>' in html


def test_pdf_text_has_the_key_lines() -> None:
    weasyprint_or_skip()
    text = pdf_text(render(PlanFormat.pdf, "sv"))
    for line in (
        "Din nedtrappningsplan: oxazepam",
        "Nästa stödsamtal",
        "mån 1 mars 2027",
        "22 mars – 4",  # the dates on two lines: "22 mars – 4" / "apr. 2027"
        "Inga fler tabletter.",  # beside "16 augusti" / "2027" on two lines
        "För förskrivaren",
        "Riktlinje se-vgr version 2026.1",
    ):
        assert line in text, line


def test_without_the_rule_file_content_ids_and_drug_ids_are_shown() -> None:
    plan = fixture_plan().model_copy(
        update={"guideline": fixture_plan().guideline.model_copy(update={"id": "no-such-file"})}
    )
    text = render_plan(plan, PlanFormat.text, "en").decode()
    assert "- relapse-prevention" in text
    assert "Tapering plan: oxazepam" in text


def test_a_warning_without_a_translation_is_shown_in_english() -> None:
    warning = PlanWarning(code="new-code", severity="info", message="Something new.")
    plan = fixture_plan().model_copy(update={"warnings": [warning]})
    text = render_plan(plan, PlanFormat.text, "sv", guideline=fixture_guideline()).decode()
    assert "[Information] Something new." in text


def test_a_known_warning_without_its_values_is_shown_in_english() -> None:
    warning = PlanWarning(
        code="tablet-limited", severity="caution", message="English.", drug="oxazepam"
    )
    plan = fixture_plan().model_copy(update={"warnings": [warning]})
    text = render_plan(plan, PlanFormat.text, "sv", guideline=fixture_guideline()).decode()
    assert "[Observera] English." in text


def test_a_plan_without_mapping_has_no_diary() -> None:
    plan = fixture_plan()
    plan = plan.model_copy(update={"steps": plan.steps[1:]})
    with pytest.raises(TaperError, match="no mapping phase"):
        render_diary(plan, "sv", guideline=fixture_guideline())


def test_specialist_sign_off_is_on_the_first_page() -> None:
    plan = fixture_plan().model_copy(update={"specialist_signoff": True})
    html = render_plan(plan, PlanFormat.html, "sv", guideline=fixture_guideline()).decode()
    first_page = html.split("<body>", 1)[1].split("new-page", 1)[0]
    assert "Planen måste godkännas av en specialist innan den används." in first_page


# -- optional extras -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "module", "message"),
    [
        (PlanFormat.pdf, "weasyprint", "PDF needs the optional extra: pip install 'taper[pdf]'"),
        (
            PlanFormat.ics,
            "icalendar",
            "Calendar files need the optional extra: pip install 'taper[ics]'",
        ),
        (
            PlanFormat.fhir,
            "fhir.resources.R4B.bundle",
            "FHIR output needs the optional extra: pip install 'taper[fhir]'",
        ),
    ],
)
def test_a_missing_extra_is_one_clear_sentence(
    monkeypatch: pytest.MonkeyPatch, fmt: PlanFormat, module: str, message: str
) -> None:
    monkeypatch.setitem(sys.modules, module, None)  # makes `import module` fail
    with pytest.raises(TaperError) as info:
        render(fmt, "sv")
    assert str(info.value) == message


def test_importing_the_renderers_loads_no_heavy_library() -> None:
    code = (
        "import sys, taper.render; "
        "print(sorted(m for m in ('jinja2', 'babel', 'icalendar', 'fhir', 'weasyprint') "
        "if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


# -- real plans from the shipped rule files --------------------------------------------------


def real_plans() -> list[tuple[str, str]]:
    return [
        ("se-vgr", "oxazepam 30 mg"),
        ("se-vgr", "oxycodone 40 mg"),
        ("no-helsedir", "diazepam 20 mg"),
        ("uk-ashton", "alprazolam 1.5 mg"),
    ]


@pytest.mark.parametrize(("guideline_id", "med"), real_plans())
@pytest.mark.parametrize("fmt", [f for f in PlanFormat if f is not PlanFormat.pdf])
def test_real_plans_render_in_every_format(guideline_id: str, med: str, fmt: PlanFormat) -> None:
    from taper.dose import parse_medication
    from taper.guideline.loader import load_guideline
    from taper.plan import PlanOptions, make_plan

    try:
        loaded = load_guideline(guideline_id)
        plan = make_plan(
            [parse_medication(med)], loaded, PlanOptions(start=dt.date(2027, 3, 1), specialist=True)
        )
    except TaperError as exc:
        pytest.skip(f"the planner refuses this case: {exc}")
    for lang in LANGUAGES:
        data = render_plan(plan, fmt, lang)
        assert data
        if fmt is PlanFormat.fhir:
            json.loads(data)
