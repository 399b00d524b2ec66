"""Review defects in the printouts and exports (review of the renderers, 2026-01).

Each test is named for what a reader must get; each failed before its fix.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import CliResult

Run = Callable[..., CliResult]
START = ("--start", "2026-01-05")


def plan_out(run_cli: Run, *args: str) -> str:
    result = run_cli("plan", *START, *args)
    assert result.code == 0, result.err
    return result.out


# --- warning params are language-neutral; renderers format them ----------------------------


@pytest.mark.parametrize("lang", ["sv", "nb"])
def test_json_warning_params_are_exact_decimals_in_every_language(run_cli: Run, lang: str) -> None:
    plan = json.loads(
        plan_out(run_cli, "-g", "se-vgr", "-m", "oxazepam 30 mg", "-f", "json", "--lang", lang)
    )
    stop = next(w for w in plan["warnings"] if w["code"] == "stop-from-smallest-dose")
    assert stop["params"]["dose"] == "2.5"
    text = plan_out(run_cli, "-g", "se-vgr", "-m", "oxazepam 30 mg", "--lang", lang)
    assert "2,5 mg" in text


# --- every format carries the whole warning ---------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "held", "switch"),
    [
        # The hold before the forced cut now stops at the rule's longest run at one dose.
        ("en", "held at most 63 days (3 intervals", "offers a switch to diazepam (--switch)"),
        ("sv", "behålls högst 63 dagar (3 intervall", "byta till diazepam (--switch)"),
        ("nb", "63 dager", "(--switch)"),
    ],
)
@pytest.mark.parametrize("fmt", ["text", "markdown", "html", "fhir"])
def test_the_tablet_limited_warning_is_printed_whole(
    run_cli: Run, lang: str, held: str, switch: str, fmt: str
) -> None:
    out = plan_out(run_cli, "-g", "se-vgr", "-m", "oxazepam 30 mg", "-f", fmt, "--lang", lang)
    if fmt == "fhir":
        bundle = json.loads(out)
        notes = " ".join(n["text"] for n in bundle["entry"][0]["resource"]["note"])
        out = notes
    assert held in out
    # Clinician review 8, D4: se-vgr's diazepam 2 mg steps more coarsely than oxazepam's
    # halves, so the warning offers no switch (the printed sheet never names the option).
    assert switch not in out
    assert "--switch" not in out
    hint = {
        "en": "the formulary has no oral solution or smaller strength of oxazepam that would",
        "sv": "ingen oral lösning eller lägre styrka av oxazepam som skulle ge mindre steg",
        "nb": "mindre trinn",
    }[lang]
    assert hint in out


# --- a drug from the patient's own tablets shows its dose per time -----------------------------


@pytest.mark.parametrize(
    ("lang", "shown"), [("en", "0.75 mg, own tablets"), ("sv", "0,75 mg, egna tabletter")]
)
def test_own_tablets_show_the_amount_per_time(run_cli: Run, lang: str, shown: str) -> None:
    out = plan_out(run_cli, "-g", "uk-ashton", "-m", "alprazolam 1.5 mg", "--lang", lang)
    step2 = [line for line in out.splitlines() if line.startswith("2 ")]
    assert step2
    assert shown in step2[0]
    md = plan_out(run_cli, "-g", "uk-ashton", "-m", "alprazolam 1.5 mg", "-f", "markdown")
    assert "Morning: 0.75 mg, own tablets; Evening: 0.75 mg, own tablets" in md


# --- rows without a dose have no ideal and read as stopped -------------------------------------


def test_zero_dose_rows_show_no_ideal_dose(run_cli: Run) -> None:
    out = plan_out(run_cli, "-g", "se-vgr", "-m", "oxazepam 30 mg", "--lang", "sv")
    aftercare = next(line for line in out.splitlines() if "Eftervård" in line and " 0 mg" in line)
    assert aftercare.split(" 0 mg", 1)[1].split()[0] == "–"  # no "2,25 mg" before the time
    md = plan_out(run_cli, "-g", "se-vgr", "-m", "oxazepam 30 mg", "-f", "markdown")
    assert "| 0 mg (idealt" not in md


def test_a_stopped_drug_reads_as_stopped_not_as_a_switch_step(run_cli: Run) -> None:
    out = plan_out(run_cli, "-g", "uk-ashton", "-m", "alprazolam 1.5 mg")
    row = next(line for line in out.splitlines() if "alprazolam  0 mg" in line)
    assert "Stopped" in row
    assert "Switching drug" not in row


# --- --out without --format takes the format from the file name --------------------------------


@pytest.mark.parametrize(
    ("name", "start"),
    [
        ("plan.pdf", b"%PDF-"),
        ("plan.html", b"<!DOCTYPE html>"),
        ("plan.json", b'{\n  "guideline"'),
        ("plan.fhir.json", b'{\n  "resourceType": "Bundle"'),
        ("plan.ics", b"BEGIN:VCALENDAR"),
        ("plan.csv", b"\xef\xbb\xbf"),
        ("plan.md", b"# "),
        ("plan.txt", b"Nedtrappningsplan"),
    ],
)
def test_out_extension_chooses_the_format(
    run_cli: Run, tmp_path: Path, name: str, start: bytes
) -> None:
    if name.endswith(".pdf"):
        pytest.importorskip("weasyprint")
    target = tmp_path / name
    result = run_cli("plan", *START, "-g", "se-vgr", "-m", "oxazepam 30 mg", "--out", str(target))
    assert result.code == 0, result.err
    assert target.read_bytes().startswith(start)


def test_out_extension_and_format_that_disagree_are_refused(run_cli: Run, tmp_path: Path) -> None:
    target = tmp_path / "plan.pdf"
    result = run_cli(
        "plan", *START, "-g", "se-vgr", "-m", "oxazepam 30 mg", "-f", "text", "--out", str(target)
    )
    assert result.code == 2
    assert "does not match" in result.err
    assert len(result.err.strip().splitlines()) == 1
    assert not target.exists()
    fhir = tmp_path / "bundle.json"  # a FHIR bundle is JSON: allowed
    result = run_cli(
        "plan", *START, "-g", "se-vgr", "-m", "oxazepam 30 mg", "-f", "fhir", "--out", str(fhir)
    )
    assert result.code == 0, result.err


# --- CSV numbers: plain digits ------------------------------------------------------------------


@pytest.mark.parametrize(("lang", "delimiter"), [("en", ","), ("sv", ";"), ("nb", ";")])
def test_csv_numbers_have_no_thousands_separator(run_cli: Run, lang: str, delimiter: str) -> None:
    out = plan_out(
        run_cli,
        "-g",
        "se-vgr",
        "-m",
        "tapentadol 1200 mg",
        "--specialist",
        "-f",
        "csv",
        "--lang",
        lang,
    )
    rows = list(csv.reader(io.StringIO(out.lstrip("\ufeff")), delimiter=delimiter))
    daily = {row[5] for row in rows[1:]}
    assert "1200" in daily
    assert not any("\u00a0" in value or "," in value.rstrip("0123456789") for value in daily)


def test_plain_number_keeps_the_decimal_mark() -> None:
    from taper.render.as_csv import plain_number

    assert plain_number(Decimal("1200"), "sv") == "1200"
    assert plain_number(Decimal("1200.50"), "sv") == "1200,5"
    assert plain_number(Decimal("1E+3"), "en") == "1000"
    assert plain_number(Decimal("2.5"), "en") == "2.5"


# --- fentanyl patches: a rate, changed at its label's interval; never "a day", never tablets

PATCH = ("-g", "se-vgr", "-m", "fentanyl patch 50 mcg/h")


def test_fhir_patch_dosage_is_a_rate_without_a_daily_frequency(run_cli: Run) -> None:
    bundle_module = pytest.importorskip("fhir.resources.R4B.bundle")
    out = plan_out(run_cli, *PATCH, "-f", "fhir", "--lang", "en")
    bundle = bundle_module.Bundle.model_validate_json(out)  # a valid R4B bundle
    request = bundle.entry[1].resource
    assert request.dosageInstruction
    for dosage in request.dosageInstruction:
        repeat = dosage.timing.repeat
        assert repeat.frequency is None
        assert repeat.period is None
        assert repeat.periodUnit is None
        rate = dosage.doseAndRate[0]
        assert rate.doseQuantity is None
        assert rate.rateQuantity.code == "ug/h"
        # The label's interval, from the rule file (was "Change the patch as prescribed.")
        assert "a new patch every 72 hours" in dosage.text
    assert "a day" not in bundle.entry[0].resource.description
    assert "fentanyl 50 mcg/h" in bundle.entry[0].resource.description


@pytest.mark.parametrize(
    ("lang", "forbidden", "wanted"),
    [
        ("sv", ["tablett", "Tablett", "mcg/h per dygn"], ["Inga fler plåster", "Plåsterstyrka"]),
        ("nb", ["tablett", "Tablett", "mcg/h per døgn"], ["Ingen flere plaster", "Plasterstyrke"]),
        ("en", ["tablet", "Tablet", "mcg/h a day"], ["No more patches", "Patch strength"]),
    ],
)
@pytest.mark.parametrize("fmt", ["text", "markdown", "html", "csv", "ics"])
def test_patch_plans_speak_of_patches_and_rates(
    run_cli: Run, lang: str, forbidden: list[str], wanted: list[str], fmt: str
) -> None:
    if fmt == "ics":
        pytest.importorskip("icalendar")
    out = plan_out(run_cli, *PATCH, "-f", fmt, "--lang", lang)
    for word in forbidden:
        assert word not in out, word
    if fmt in ("text", "markdown"):
        for word in wanted:
            assert word in out
    if fmt == "html":
        assert wanted[0].lower() in out.lower()
    if fmt == "html":
        # No daily tick boxes for a patch: a box only on the days a new patch goes on.
        assert 'class="no-tick"' not in out
        assert 'class="no-patch"' in out


def test_patch_sheet_says_last_patch(run_cli: Run) -> None:
    out = plan_out(run_cli, *PATCH, "-f", "html", "--lang", "en")
    assert "Last patch" in out
    assert "put on a new patch every 72 hours" in out  # the label's interval
    assert "Take the tablets shown" not in out


# --- ICS: a changed event gets a new UID; the stamp is in the calendar --------------------------


def ics_uids(run_cli: Run, *args: str) -> list[str]:
    icalendar = pytest.importorskip("icalendar")
    cal = icalendar.Calendar.from_ical(plan_out(run_cli, *args, "-f", "ics"))
    return [str(e["uid"]) for e in cal.walk("VEVENT")]


@pytest.mark.parametrize(
    "change",
    [
        ("--pause", "2026-03-02:14"),
        ("--percent", "5"),
        ("--interval", "21"),
    ],
)
def test_ics_uids_change_when_the_plan_changes(run_cli: Run, change: tuple[str, str]) -> None:
    base = ("-g", "se-vgr", "-m", "oxazepam 30 mg")
    before = set(ics_uids(run_cli, *base))
    assert before == set(ics_uids(run_cli, *base))  # the same plan keeps its UIDs
    after = set(ics_uids(run_cli, *base, *change))
    # Every changed event has a new UID (the old one is gone); the unchanged ones, the
    # mapping week's and the fixed doses' before any cut, keep theirs (issue 13).
    assert before - after
    assert after - before
    assert before & after


def test_ics_uids_change_with_the_switch(run_cli: Run) -> None:
    base = ("-g", "se-vgr", "-m", "oxazepam 30 mg")
    assert set(ics_uids(run_cli, *base)) != set(ics_uids(run_cli, *base, "--switch"))


def test_ics_carries_the_stamp(run_cli: Run) -> None:
    icalendar = pytest.importorskip("icalendar")
    cal = icalendar.Calendar.from_ical(
        plan_out(run_cli, "-g", "se-vgr", "-m", "oxazepam 30 mg", "-f", "ics", "--lang", "en")
    )
    sha = json.loads(plan_out(run_cli, "-g", "se-vgr", "-m", "oxazepam 30 mg", "-f", "json"))[
        "guideline"
    ]["sha256"]
    assert sha in str(cal["x-wr-caldesc"])
    assert "taper " in str(cal["x-wr-caldesc"])
    for event in cal.walk("VEVENT"):
        assert sha in str(event["description"])


def test_csv_carries_the_stamp_on_every_row(run_cli: Run) -> None:
    out = plan_out(run_cli, "-g", "se-vgr", "-m", "oxazepam 30 mg", "-f", "csv", "--lang", "en")
    rows = list(csv.reader(io.StringIO(out.lstrip("\ufeff"))))
    assert rows[0][-1] == "Guideline"
    assert all(len(row) == len(rows[0]) for row in rows)
    assert all("sha256" in row[-1] and "version 2026.1" in row[-1] for row in rows[1:])
