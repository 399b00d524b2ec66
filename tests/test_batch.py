"""`taper batch`: reading the CSV, grouping patients, safe file names, files and summary."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from batch_helpers import LoaderCounter, fake_batch_fixture  # noqa: F401  (fixture)

from taper.batch import (
    SUMMARY_COLUMNS,
    group_patients,
    parse_start_date,
    read_batch,
    safe_file_stem,
)
from taper.errors import TaperError

HEADER = "patient_id,guideline,start,medication\n"


def batch_of(text: str) -> bytes:
    return text.encode("utf-8")


def read_summary(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # a BOM, so spreadsheets read UTF-8
    text = raw.decode("utf-8-sig")
    delimiter = ";" if text.split("\r\n", 1)[0].count(";") else ","
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter))


# --- reading -----------------------------------------------------------------------------


def test_comma_file_is_read() -> None:
    parsed = read_batch(batch_of(HEADER + "P1,test-se,2026-01-05,oxazepam 30 mg\n"), "f.csv")
    assert parsed.delimiter == ","
    assert [(r.line, r.patient_id, r.medication) for r in parsed.rows] == [
        (2, "P1", "oxazepam 30 mg")
    ]
    assert parsed.errors == ()


def test_semicolon_file_with_bom_crlf_and_decimal_comma() -> None:
    raw = "\ufeffpatient_id;guideline;start;medication\r\nP1;test-se;2026-01-05;Sobril 7,5 mg\r\n"
    parsed = read_batch(raw.encode("utf-8"), "f.csv")
    assert parsed.delimiter == ";"
    assert parsed.rows[0].medication == "Sobril 7,5 mg"


def test_header_is_case_insensitive_in_any_order() -> None:
    raw = " Medication ,START,Guideline,Patient_ID\noxazepam 30 mg,2026-01-05,test-se,P1\n"
    row = read_batch(batch_of(raw), "f.csv").rows[0]
    assert (row.patient_id, row.guideline, row.start) == ("P1", "test-se", "2026-01-05")


def test_blank_rows_are_skipped_and_lines_count_from_the_header() -> None:
    raw = HEADER + "\n,,,\nP1,test-se,2026-01-05,oxazepam 30 mg\n\n"
    assert [r.line for r in read_batch(batch_of(raw), "f.csv").rows] == [4]


def test_quoted_newline_keeps_the_start_line() -> None:
    raw = HEADER + 'P1,test-se,2026-01-05,"oxazepam\n30 mg"\nP2,test-se,2026-01-05,x 1 mg\n'
    assert [r.line for r in read_batch(batch_of(raw), "f.csv").rows] == [2, 4]


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        (b"", "is empty"),
        (b"  \n\n", "is empty"),
        (HEADER.encode(), "has a header but no rows"),
        (b"id,drug\n1,x\n", "no valid header"),
        (b"patient_id\tguideline\tstart\tmedication\n", "tab-separated"),
        (b"patient_id,guideline,start\n", "missing: medication"),
        (b"patient_id,guideline,start,medication,name\n", "unknown column(s) 'name'"),
        (b"patient_id,guideline,start,medication,Guideline\n", "twice"),
        ("patient_id,guideline,start,medication\nS\xf6der,x,y,z\n".encode("latin-1"), "UTF-8"),
        (HEADER.encode("utf-16"), "UTF-16"),
        (HEADER.encode("utf-16-le"), "NUL"),
        ((HEADER + 'P1,test-se,2026-01-05,"oxazepam 30 mg\nP2,a,b,c\n').encode(), "never closed"),
    ],
)
def test_unusable_files_are_refused_with_one_sentence(raw: bytes, fragment: str) -> None:
    with pytest.raises(TaperError, match=None) as info:
        read_batch(raw, "f.csv")
    message = str(info.value)
    assert fragment in message
    assert "\n" not in message
    assert message.startswith("f.csv")


def test_unclosed_quote_names_its_line() -> None:
    raw = HEADER + "P1,test-se,2026-01-05,x 1 mg\n" + 'P2,test-se,"2026-01-05,x 1 mg\n'
    with pytest.raises(TaperError, match=r"^f\.csv:3: a quote opened here is never closed"):
        read_batch(batch_of(raw), "f.csv")


def test_unquoted_decimal_comma_is_a_row_error_with_a_hint() -> None:
    raw = HEADER + "P1,test-se,2026-01-05,oxazepam 7,5 mg\n"
    parsed = read_batch(batch_of(raw), "f.csv")
    assert parsed.rows == ()
    (error,) = parsed.errors
    assert error.line == 2
    assert error.patient_id == "P1"
    assert "needs quotes" in error.message


def test_row_the_csv_reader_refuses_keeps_its_patient() -> None:
    raw = HEADER + 'P1,test-se,2026-01-05,"oxazepam" 30 mg\n'
    (error,) = read_batch(batch_of(raw), "f.csv").errors
    assert (error.line, error.patient_id) == (2, "P1")
    assert "cannot be read as CSV" in error.message


@pytest.mark.parametrize(
    ("cells", "fragment"),
    [
        ("P1,,2026-01-05,x 1 mg", "guideline is empty"),
        ("P1,test-se,,x 1 mg", "start date is empty"),
        ("P1,test-se,2026-01-05,", "medication is empty"),
        ("P1,test-se,2026-01-05," + "x" * 300, "longer than 200"),
        ("P1," + "g" * 100 + ",2026-01-05,x 1 mg", "longer than 64"),
        ("P1,test-se,2026-01-05-01-01-01,x 1 mg", "not a date"),
    ],
)
def test_bad_cells_are_row_errors(cells: str, fragment: str) -> None:
    (error,) = read_batch(batch_of(HEADER + cells + "\n"), "f.csv").errors
    assert fragment in error.message


# --- patient ids and file names ------------------------------------------------------------


@pytest.mark.parametrize(
    ("patient_id", "stem"),
    [
        ("P001", "P001"),
        ("19121212-1212", "19121212-1212"),
        ("Söderström 1", "Söderström_1"),
        ("a:b*c?", "a_b_c_"),
        (".hidden", "_hidden"),
        ("trailing.", "trailing_"),
        ("CON", "_CON"),
        ("nul.txt", "_nul.txt"),
        ("=1+1", "_1_1"),
        ("O\u0308", "Ö"),  # decomposed input gives the composed (NFC) name
    ],
)
def test_safe_file_stem(patient_id: str, stem: str) -> None:
    assert safe_file_stem(patient_id) == stem


@pytest.mark.parametrize(
    ("patient_id", "fragment"),
    [
        ("", "empty"),
        ("a/b", "path separator"),
        ("a\\b", "path separator"),
        ("..", "'..'"),
        ("x..y", "'..'"),
        ("a\x00b", "control or invisible"),
        ("a\x1b[31mb", "control or invisible"),
        ("a\u200bb", "control or invisible"),
        ("\ufeffP1", "control or invisible"),
        ("a\u2028b", "control or invisible"),
        ("p" * 65, "longer than 64"),
    ],
)
def test_unsafe_patient_ids_are_refused(patient_id: str, fragment: str) -> None:
    with pytest.raises(TaperError, match=None) as info:
        safe_file_stem(patient_id)
    assert fragment in str(info.value)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("2026-02-30", "not a calendar date"),
        ("05/01/2026", "YYYY-MM-DD"),
        ("20260105", "YYYY-MM-DD"),
        ("2026-W01-1", "YYYY-MM-DD"),
        ("9999-12-31", "implausible"),
        ("0001-01-01", "implausible"),
    ],
)
def test_start_dates_are_iso_and_plausible(text: str, fragment: str) -> None:
    with pytest.raises(TaperError, match=None) as info:
        parse_start_date(text)
    assert fragment in str(info.value)


# --- grouping --------------------------------------------------------------------------------


def jobs_of(body: str) -> list[tuple[str, tuple[int, ...], list[str]]]:
    jobs = group_patients(read_batch(batch_of(HEADER + body), "f.csv"))
    return [(j.patient_id, j.lines, [e.message for e in j.errors]) for j in jobs]


def test_rows_of_a_patient_are_grouped_in_order_of_first_appearance() -> None:
    body = (
        "P2,test-se,2026-01-05,oxazepam 30 mg\n"
        "P1,test-se,2026-01-05,zopiclone 7.5 mg\n"
        "P2,test-se,2026-01-05,zopiclone 5 mg\n"
    )
    jobs = group_patients(read_batch(batch_of(HEADER + body), "f.csv"))
    assert [(j.patient_id, j.lines) for j in jobs] == [("P2", (2, 4)), ("P1", (3,))]
    assert [m.drug_name for m in jobs[0].medications] == ["oxazepam", "zopiclone"]
    assert all(not j.errors for j in jobs)


def test_conflicting_guideline_or_start_fails_the_patient() -> None:
    body = (
        "P1,test-se,2026-01-05,oxazepam 30 mg\n"
        "P1,test-no,2026-01-05,zopiclone 5 mg\n"
        "P2,test-se,2026-01-05,oxazepam 30 mg\n"
        "P2,test-se,2026-01-06,zopiclone 5 mg\n"
    )
    (p1, p2) = jobs_of(body)
    assert "guideline 'test-no' differs from 'test-se' in line 2" in p1[2][0]
    assert "start date '2026-01-06' differs" in p2[2][0]


def test_one_bad_medication_fails_the_whole_patient() -> None:
    body = "P1,test-se,2026-01-05,oxazepam 30 mg\nP1,test-se,2026-01-05,zopiclone\n"
    ((_, lines, errors),) = jobs_of(body)
    assert lines == (2, 3)
    assert len(errors) == 1
    assert "No dose" in errors[0]


def test_row_without_patient_id_fails_the_patient_above() -> None:
    body = (
        "P1,test-se,2026-01-05,oxazepam 30 mg\n"
        ",test-se,2026-01-05,zopiclone 5 mg\n"
        "P2,test-se,2026-01-05,oxazepam 30 mg\n"
    )
    p1, orphan, p2 = jobs_of(body)
    assert "line 3 has no patient id" in p1[2][0]
    assert orphan == ("", (3,), ["the patient id is empty."])
    assert p2[2] == []


@pytest.mark.parametrize(("first", "second"), [("P1", "p1"), ("a b", "a_b"), ("a:b", "a?b")])
def test_ids_that_collide_as_file_names_fail_the_later_patient(first: str, second: str) -> None:
    body = f"{first},test-se,2026-01-05,oxazepam 30 mg\n{second},test-se,2026-01-05,x 1 mg\n"
    (one, two) = jobs_of(body)
    assert one[2] == []
    assert "as the patient in line 2 does" in two[2][0]


# --- the command -----------------------------------------------------------------------------


def write(tmp_path: Path, text: str, name: str = "list.csv") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.mark.usefixtures("fake_batch")
def test_batch_writes_one_plan_per_patient_and_a_summary(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    src = write(
        tmp_path,
        HEADER
        + "P1,test-se,2026-01-05,oxazepam 30 mg\n"
        + "P2,test-se,2026-01-05,alprazolam 1 mg\n"
        + "P2,test-se,2026-01-05,zopiclone 7.5 mg\n",
    )
    out = tmp_path / "out"
    result = run_cli("batch", src, "--out-dir", str(out), "--format", "json")
    assert result.code == 0, result.err
    assert result.err == ""
    assert result.out == f"Planned 2 of 2 patient(s) into {out}; summary: {out}/summary.csv.\n"
    assert sorted(p.name for p in out.iterdir()) == ["P1.json", "P2.json", "summary.csv"]
    assert b'"start": "2026-01-05"' in (out / "P1.json").read_bytes()
    rows = read_summary(out / "summary.csv")
    assert list(rows[0]) == list(SUMMARY_COLUMNS)
    assert rows[0] | {"guideline_sha256": ""} == {
        "patient_id": "P1",
        "lines": "2",
        "status": "ok",
        "file": "P1.json",
        "guideline": "test-se",
        "guideline_version": "2026.1",
        "guideline_sha256": "",
        "start": "2026-01-05",
        "last_dose": "2026-02-03",
        "plan_days": "30",
        "benzodiazepine_total": "15",
        "benzodiazepine_reference": "diazepam mg",
        "opioid_total": "",
        "opioid_reference": "",
        "warnings": "0",
        "warning_codes": "",
        "error": "",
    }
    assert (rows[1]["lines"], rows[1]["plan_days"], rows[1]["warning_codes"]) == (
        "3 4",
        "60",
        "short-acting",
    )
    assert rows[1]["benzodiazepine_total"] == "4.25"


@pytest.mark.usefixtures("fake_batch")
def test_semicolon_input_gives_a_semicolon_summary_with_decimal_commas(  # type: ignore[no-untyped-def]
    run_cli, tmp_path: Path
) -> None:
    src = write(
        tmp_path, "patient_id;guideline;start;medication\nP1;test-se;2026-01-05;alprazolam 1,5 mg\n"
    )
    result = run_cli("batch", src, "--out-dir", str(tmp_path / "o"), "--format", "json")
    assert result.code == 0
    text = (tmp_path / "o" / "summary.csv").read_bytes().decode("utf-8-sig")
    assert text.startswith("patient_id;lines;status;")
    assert read_summary(tmp_path / "o" / "summary.csv")[0]["benzodiazepine_total"] == "0,75"


@pytest.mark.usefixtures("fake_batch")
def test_bad_rows_are_reported_and_the_batch_goes_on(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    src = write(
        tmp_path,
        HEADER
        + "P1,test-se,2026-01-05,oxazepam 30 mg\n"
        + "P2,test-se,2026-01-05,oxazepam -5 mg\n"
        + "P3,nowhere,2026-01-05,oxazepam 30 mg\n"
        + "P4,test-se,2026-01-05,unknowndrug 5 mg\n"
        + "../etc,test-se,2026-01-05,oxazepam 30 mg\n"
        + "P5,test-se,2026-01-05,oxazepam 10 mg\n",
    )
    out = tmp_path / "out"
    result = run_cli("batch", src, "--out-dir", str(out), "--format", "json")
    assert result.code == 1
    lines = result.err.splitlines()
    assert lines[0] == f"{src}:3: The dose of oxazepam must be more than zero (got -5 mg)."
    assert lines[1] == f"{src}:4: unknown guideline 'nowhere'; built-in guidelines are: test-se."
    assert lines[2] == f"{src}:5: Unknown drug 'unknowndrug' in this guideline."
    assert lines[3] == f"{src}:6: the patient id contains a path separator ('/' or '\\')."
    assert lines[4] == f"taper: 4 patient(s) not planned; see {out}/summary.csv."
    assert len(lines) == 5
    assert sorted(p.name for p in out.iterdir()) == ["P1.json", "P5.json", "summary.csv"]
    rows = read_summary(out / "summary.csv")
    assert [r["status"] for r in rows] == ["ok", "error", "error", "error", "error", "ok"]
    assert rows[2]["error"].startswith("line 4: unknown guideline")
    assert rows[4]["patient_id"] == "../etc"
    assert "Planned 2 of 6" in result.out


@pytest.mark.usefixtures("fake_batch")
def test_each_guideline_is_loaded_once(  # type: ignore[no-untyped-def]
    run_cli, tmp_path: Path, fake_batch: LoaderCounter
) -> None:
    body = "".join(f"P{i},test-se,2026-01-05,oxazepam 30 mg\n" for i in range(60))
    body += "".join(f"Q{i},nowhere,2026-01-05,oxazepam 30 mg\n" for i in range(3))
    src = write(tmp_path, HEADER + body)
    result = run_cli("batch", src, "--out-dir", str(tmp_path / "o"), "--format", "json")
    assert result.code == 1
    assert fake_batch.calls == ["test-se", "nowhere"]


@pytest.mark.usefixtures("fake_batch")
def test_internal_error_in_one_patient_does_not_stop_the_batch_nor_leak_data(  # type: ignore[no-untyped-def]
    run_cli, tmp_path: Path
) -> None:
    src = write(
        tmp_path,
        HEADER
        + "SECRET-PATIENT,test-se,2026-01-05,crashdrug 5 mg\n"
        + "P2,test-se,2026-01-05,oxazepam 30 mg\n",
    )
    result = run_cli("batch", src, "--out-dir", str(tmp_path / "o"), "--format", "json")
    assert result.code == 1
    assert "internal error (RuntimeError) while planning this patient" in result.err
    assert "SECRET" not in result.err
    assert "SECRET" not in result.out
    assert "Traceback" not in result.err
    assert (tmp_path / "o" / "P2.json").exists()


@pytest.mark.usefixtures("fake_batch")
def test_existing_files_are_never_overwritten_without_force(  # type: ignore[no-untyped-def]
    run_cli, tmp_path: Path
) -> None:
    src = write(tmp_path, HEADER + "P1,test-se,2026-01-05,oxazepam 30 mg\n")
    out = tmp_path / "out"
    out.mkdir()
    (out / "P1.json").write_bytes(b"old plan")
    result = run_cli("batch", src, "--out-dir", str(out), "--format", "json")
    assert result.code == 1
    assert f"{out}/P1.json already exists; use --force to overwrite it." in result.err
    assert (out / "P1.json").read_bytes() == b"old plan"
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == []  # no temp files left

    again = run_cli("batch", src, "--out-dir", str(out), "--format", "json")
    assert again.code == 2
    assert again.err == (
        f"taper: {out}/summary.csv already exists; use --force to overwrite the summary "
        "and the plans.\n"
    )

    forced = run_cli("batch", src, "--out-dir", str(out), "--format", "json", "--force")
    assert forced.code == 0
    assert (out / "P1.json").read_bytes().startswith(b"{")


@pytest.mark.usefixtures("fake_batch")
def test_reruns_are_byte_identical(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    src = write(tmp_path, HEADER + "P1,test-se,2026-01-05,oxazepam 30 mg\nP2,x,y,z\n")
    first, second = tmp_path / "a", tmp_path / "b"
    assert run_cli("batch", src, "--out-dir", str(first), "--format", "json").code == 1
    assert run_cli("batch", src, "--out-dir", str(second), "--format", "json").code == 1
    for name in ("P1.json", "summary.csv"):
        assert (first / name).read_bytes() == (second / name).read_bytes()


@pytest.mark.usefixtures("fake_batch")
def test_summary_cells_cannot_run_as_formulas(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    src = write(tmp_path, HEADER + "=HYPERLINK(1),test-se,2026-01-05,=cmd 5 mg\n")
    result = run_cli("batch", src, "--out-dir", str(tmp_path / "o"), "--format", "json")
    assert result.code == 0
    (row,) = read_summary(tmp_path / "o" / "summary.csv")
    assert row["patient_id"] == "'=HYPERLINK(1)"
    assert row["file"] == "_HYPERLINK_1_.json"


@pytest.mark.usefixtures("fake_batch")
def test_plan_named_like_the_summary_is_refused(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    src = write(tmp_path, HEADER + "Summary,test-se,2026-01-05,oxazepam 30 mg\n")
    result = run_cli("batch", src, "--out-dir", str(tmp_path / "o"), "--format", "csv")
    assert result.code == 1
    assert "is the summary's" in result.err


@pytest.mark.usefixtures("fake_batch")
def test_stdin_is_read_with_a_dash(  # type: ignore[no-untyped-def]
    run_cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw = (HEADER + "P1,test-se,2026-01-05,oxazepam 30 mg\n").encode()

    class FakeStdin:
        buffer = io.BytesIO(raw)

    monkeypatch.setattr("sys.stdin", FakeStdin())
    result = run_cli("batch", "-", "--out-dir", str(tmp_path / "o"), "--format", "json")
    assert result.code == 0, result.err


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["missing.csv", "--out-dir", "o"], "Batch file missing.csv does not exist."),
        (["{tmp}", "--out-dir", "o"], "is a folder, not a batch file."),
        (["{src}", "--out-dir", "{tmp}/no/such"], "/no does not exist."),
        (["{src}", "--out-dir", "{src}"], "exists and is not a folder."),
        (["{src}", "--out-dir", "o", "--lang", "de"], "Unknown language 'de'"),
    ],
)
@pytest.mark.usefixtures("fake_batch")
def test_unusable_arguments_exit_2(  # type: ignore[no-untyped-def]
    run_cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], fragment: str
) -> None:
    monkeypatch.chdir(tmp_path)
    src = write(tmp_path, HEADER + "P1,test-se,2026-01-05,oxazepam 30 mg\n")
    argv = [a.format(tmp=tmp_path, src=src) for a in args]
    result = run_cli("batch", *argv)
    assert result.code == 2
    assert result.err.startswith("taper: ")
    assert fragment in result.err
    assert result.err.count("\n") == 1
    assert not (tmp_path / "o").exists()


@pytest.mark.usefixtures("fake_batch")
def test_a_format_that_cannot_be_made_stops_the_batch_with_one_message(  # type: ignore[no-untyped-def]
    run_cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_pdf(*args: object, **kwargs: object) -> bytes:
        raise TaperError("PDF output needs WeasyPrint: pip install 'taper[pdf]'.")

    monkeypatch.setattr("taper.render.render_plan", no_pdf)
    body = "".join(f"P{i},test-se,2026-01-05,oxazepam 30 mg\n" for i in range(5))
    src = write(tmp_path, HEADER + body)
    result = run_cli("batch", src, "--out-dir", str(tmp_path / "o"), "--format", "pdf")
    assert result.code == 2
    assert result.err == (
        "taper: PDF output needs WeasyPrint: pip install 'taper[pdf]'. Nothing was planned.\n"
    )
    assert list((tmp_path / "o").iterdir()) == []


def test_a_file_without_header_does_not_echo_its_cells() -> None:
    with pytest.raises(TaperError, match=None) as info:
        read_batch(batch_of("19121212-1212,se-vgr,2026-01-05,oxazepam 30 mg\n"), "f.csv")
    assert "1212" not in str(info.value)
    assert "Line 1 names none of them." in str(info.value)


def test_batch_formats_are_the_plan_formats() -> None:
    from taper.cli.batch import FORMATS
    from taper.render import PlanFormat

    assert tuple(f.value for f in PlanFormat) == FORMATS


@pytest.mark.usefixtures("fake_batch")
def test_unknown_format_is_refused(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    src = write(tmp_path, HEADER + "P1,test-se,2026-01-05,oxazepam 30 mg\n")
    result = run_cli("batch", src, "--out-dir", str(tmp_path / "o"), "--format", "docx")
    assert result.code == 2
    assert result.err == (
        "taper: Unknown format 'docx'; use one of text, markdown, html, pdf, csv, json, ics, "
        "fhir, jsonl.\n"
    )


@pytest.mark.usefixtures("fake_batch")
def test_an_unwritable_folder_is_a_clear_error(  # type: ignore[no-untyped-def]
    run_cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> tuple[int, str]:
        raise PermissionError(13, "Permission denied")

    src = write(tmp_path, HEADER + "P1,test-se,2026-01-05,oxazepam 30 mg\n")
    monkeypatch.setattr("taper.io.tempfile.mkstemp", refuse)
    result = run_cli("batch", src, "--out-dir", str(tmp_path / "o"), "--format", "json")
    assert "internal error" not in result.err
    assert f"{src}:2: Cannot write {tmp_path / 'o' / 'P1.json'}: permission denied." in result.err
    assert result.code == 2  # the summary cannot be written either
    assert result.err.splitlines()[-1] == (
        f"taper: Cannot write {tmp_path / 'o' / 'summary.csv'}: permission denied; 0 of 1 plans "
        "written, no summary."
    )
