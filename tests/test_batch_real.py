"""`taper batch` with the shipped rule files and the real planner, end to end."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from taper.guideline.loader import load_guideline

LIST = (
    "patient_id;guideline;start;medication\r\n"
    "P001;se-vgr;2026-01-05;oxazepam 30 mg\r\n"
    "P002;se-vgr;2026-01-05;zopiklon 7,5 mg\r\n"
    "P002;se-vgr;2026-01-05;oxazepam 10 mg\r\n"
    "P003;no-helsedir;2026-02-02;oxazepam 30 mg\r\n"
    "P004;se-vgr;2026-01-05;metadon 60 mg\r\n"
    "P005;se-vgr;2026-01-05;nosuchdrug 5 mg\r\n"
)


@pytest.fixture
def batch_dir(run_cli, tmp_path: Path) -> tuple[Path, str]:  # type: ignore[no-untyped-def]
    src = tmp_path / "list.csv"
    src.write_bytes(b"\xef\xbb\xbf" + LIST.encode())
    out = tmp_path / "out"
    result = run_cli("batch", str(src), "--out-dir", str(out), "--format", "json")
    assert result.code == 1, result.err
    return out, result.err


def summary(out: Path) -> list[dict[str, str]]:
    text = (out / "summary.csv").read_bytes().decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))


def test_plans_and_summary_agree(batch_dir: tuple[Path, str]) -> None:
    out, _ = batch_dir
    rows = {r["patient_id"]: r for r in summary(out)}
    assert [r["status"] for r in rows.values()] == ["ok", "ok", "ok", "error", "error"]
    sha = load_guideline("se-vgr").sha256
    for patient in ("P001", "P002", "P003"):
        row = rows[patient]
        plan = json.loads((out / row["file"]).read_text(encoding="utf-8"))
        assert plan["guideline"]["id"] == row["guideline"]
        assert plan["guideline"]["sha256"] == row["guideline_sha256"]
        assert plan["last_dose_date"] == row["last_dose"]
        assert int(row["warnings"]) == len(plan["warnings"])
        assert row["benzodiazepine_reference"].startswith("diazepam")
    assert rows["P001"]["guideline_sha256"] == sha
    assert [m["drug"] for m in json.loads((out / "P002.json").read_text())["medications"]] == [
        "zopiclone",
        "oxazepam",
    ]


def test_refused_patients_are_reported_by_line(batch_dir: tuple[Path, str]) -> None:
    out, err = batch_dir
    lines = err.splitlines()
    assert lines[0].startswith(f"{out.parent}/list.csv:6: This plan needs specialist sign-off")
    assert lines[0].endswith("(taper batch has no --specialist: plan this patient alone.)")
    assert lines[1].startswith(f"{out.parent}/list.csv:7: ")
    assert "nosuchdrug" in lines[1]
    assert lines[2] == f"taper: 2 patient(s) not planned; see {out}/summary.csv."


def test_a_batch_plan_is_byte_identical_to_taper_plan(  # type: ignore[no-untyped-def]
    run_cli, batch_dir: tuple[Path, str]
) -> None:
    out, _ = batch_dir
    single = run_cli(
        "plan", "-g", "se-vgr", "--med", "oxazepam 30 mg", "--start", "2026-01-05",
        "--format", "json",
    )  # fmt: skip
    assert single.code == 0, single.err
    assert (out / "P001.json").read_text(encoding="utf-8") == single.out


@pytest.mark.parametrize("lang", [None, "en"])
@pytest.mark.parametrize("fmt", ["text", "markdown", "html", "csv", "ics", "fhir"])
def test_every_format_of_a_batch_is_byte_identical_to_taper_plan(  # type: ignore[no-untyped-def]
    run_cli, tmp_path: Path, fmt: str, lang: str | None
) -> None:
    # The batch hands the renderer the guideline it loaded (and keeps memoised dates and
    # numbers from one patient to the next); the file must not differ from a lone `taper plan`.
    src = tmp_path / "list.csv"
    src.write_text(
        "patient_id,guideline,start,medication\n"
        "A,se-vgr,2026-01-05,oxazepam 30 mg\n"
        "B,no-helsedir,2026-03-02,diazepam 20 mg\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    language = ["--lang", lang] if lang else []
    result = run_cli("batch", str(src), "--out-dir", str(out), "--format", fmt, *language)
    assert result.code == 0, result.err
    suffix = {"text": ".txt", "markdown": ".md", "html": ".html", "csv": ".csv", "ics": ".ics"}
    for patient, guideline, start, med in [
        ("A", "se-vgr", "2026-01-05", "oxazepam 30 mg"),
        ("B", "no-helsedir", "2026-03-02", "diazepam 20 mg"),
    ]:
        single = tmp_path / f"{patient}-single"
        made = run_cli(
            "plan", "-g", guideline, "--med", med, "--start", start, "--format", fmt,
            *language, "--out", str(single), "--patient-id", patient,
        )  # fmt: skip
        assert made.code == 0, made.err
        batch_file = out / (patient + suffix.get(fmt, ".fhir.json"))
        assert batch_file.read_bytes() == single.read_bytes()
