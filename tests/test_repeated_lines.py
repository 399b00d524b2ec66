"""Identical medication lines are refused, never added up (issue 14).

Two identical batch rows or `--med X --med X` planned the double dose with exit 0 and only an
info note. A copied line is far more likely than two identical prescriptions, so the
patient is refused in one sentence (in a batch the others are planned); lines that differ
(two strengths of one drug) are still added up, with the info note.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import CliResult

from taper.dose import parse_medication, repeated_line

ADVICE = "give the day's total once ('oxazepam 30 mg' if both are taken), or remove the copy."


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["oxazepam 15 mg", "oxazepam 15 mg"], (0, 1)),
        (["oxazepam 15 mg", "Oxazepam  15mg"], (0, 1)),
        (["oxazepam 15 mg", "diazepam 5 mg", "oxazepam 15,0 mg"], (0, 2)),
        (["oxazepam 15 mg", "oxazepam 10 mg"], None),
        (["oxazepam 15 mg"], None),
    ],
)
def test_repeated_line_finds_the_copy(lines: list[str], expected: tuple[int, int] | None) -> None:
    assert repeated_line([parse_medication(t) for t in lines]) == expected


@pytest.mark.parametrize("command", ["plan", "convert", "referral"])
def test_a_repeated_med_is_one_sentence(run_cli: object, command: str) -> None:
    args = ["-g", "se-vgr", "-m", "oxazepam 15 mg", "-m", "oxazepam 15 mg"]
    extra = ["--start", "2027-01-04"] if command == "plan" else []
    result: CliResult = run_cli(command, *args, *extra)  # type: ignore[operator]
    assert (result.code, result.out) == (2, "")
    assert result.err == f"taper: --med 'oxazepam 15 mg' is given twice; {ADVICE}\n"


def test_a_repeated_current_line_of_a_replan_is_refused(run_cli: object) -> None:
    result: CliResult = run_cli(  # type: ignore[operator]
        "plan", "-g", "se-vgr", "--current", "oxazepam 15 mg", "--current", "oxazepam 15mg",
        "--on", "2027-01-04",
    )  # fmt: skip
    assert result.code == 2
    assert result.err == (
        f"taper: --current 'oxazepam 15 mg' is given twice as 'oxazepam 15mg'; {ADVICE}\n"
    )


def test_two_different_lines_of_one_drug_are_still_added_up(run_cli: object) -> None:
    result: CliResult = run_cli(  # type: ignore[operator]
        "plan", "-g", "se-vgr", "-m", "oxazepam 15 mg", "-m", "oxazepam 10 mg",
        "--start", "2027-01-04", "--lang", "en", "--format", "json",
    )  # fmt: skip
    assert result.code == 0
    assert '"merged-lines"' in result.out
    assert "oxazepam was given on more than one line; the plan uses the daily total 25 mg" in (
        result.out
    )


def test_a_repeated_batch_row_refuses_that_patient_and_the_batch_goes_on(
    run_cli: object, tmp_path: Path
) -> None:
    src = tmp_path / "patients.csv"
    src.write_text(
        "patient_id,guideline,start,medication\n"
        "A,se-vgr,2027-01-04,oxazepam 15 mg\n"
        "A,se-vgr,2027-01-04,oxazepam 15 mg\n"
        "B,se-vgr,2027-01-04,oxazepam 15 mg\n"
    )
    out = tmp_path / "o"
    result: CliResult = run_cli("batch", str(src), "-o", str(out))  # type: ignore[operator]
    assert result.code == 1
    assert f"{src}:3: this row repeats line 2 ('oxazepam 15 mg'); {ADVICE}\n" in result.err
    assert sorted(p.name for p in out.iterdir()) == ["B.txt", "summary.csv"]
    summary = (out / "summary.csv").read_text(encoding="utf-8-sig").splitlines()
    assert summary[1].startswith("A,2 3,error,")
    assert summary[2].startswith("B,4,ok,B.txt,")
