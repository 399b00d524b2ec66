"""`taper plan` and `taper schema plan` on the command line: (exit code, stdout, stderr)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from taper.cli.schema import schema_text

ROOT = Path(__file__).resolve().parent.parent
SE = str(ROOT / "tests" / "fixtures" / "plan-se.yaml")
SCHEMA = ROOT / "docs" / "schema" / "plan.schema.json"
BASE = ("plan", "--guideline", SE, "--start", "2025-01-06")


def test_plan_json_states_guideline_and_tool(run_cli: Any) -> None:
    result = run_cli(*BASE, "--med", "oxazepam 25 mg", "--format", "json")
    assert (result.code, result.err) == (0, "")
    data = json.loads(result.out)
    assert data["guideline"]["id"] == "plan-se"
    assert len(data["guideline"]["sha256"]) == 64
    assert data["tool_version"]
    # slow-down from the first step below it; forced large cuts held longer before (at most
    # the rule's longest run at one dose); the changes on Easter Monday 2025 (21 April) and
    # later begin a day later, on the working day after (change_days)
    assert data["last_dose_date"] == "2025-08-11"
    assert data["steps"][-1]["dose"] == "0"
    assert data["steps"][1]["doses"][0]["tablets"][0] == {
        "brand": "Sobril",
        "strength": "10",
        "unit": "mg",
        "count": "1",
        "modified_release": False,
        "change_hours": None,  # a patch's interval; none for tablets
    }


def test_plan_output_is_byte_identical_on_rerun(run_cli: Any) -> None:
    args = (*BASE, "--med", "oxazepam 25 mg", "-m", "oxycodone 60 mg", "--format", "json")
    assert run_cli(*args).out == run_cli(*args).out


def test_plan_options_reach_the_planner(run_cli: Any) -> None:
    result = run_cli(
        *BASE,
        "-m",
        "oxazepam 25 mg",
        "--percent",
        "5",
        "--interval",
        "21",
        "--pause",
        "2025-02-10:14",
        "--format",
        "json",
    )
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["applied_rules"][0]["percent"] == "5"
    assert data["applied_rules"][0]["interval_days"] == 21
    assert any(step["pause"] for step in data["steps"])


def test_replan_from_the_current_dose(run_cli: Any) -> None:
    result = run_cli(
        "plan", "-g", SE, "--current", "oxazepam 15 mg", "--on", "2025-06-02", "-f", "json"
    )
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["replan"] is True
    assert data["start"] == "2025-06-02"
    assert data["steps"][0]["phase"] == "taper"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("-m", "oxazepam 25 mg", "--start", "2025-13-01"), "is not a date"),
        (("-m", "oxazepam 25 mg", "--start", "2025-01-06", "--pause", "soon"), "is not DATE:DAYS"),
        (("-m", "oxazepan 25 mg", "--start", "2025-01-06"), "Did you mean"),
        (("-m", "oxazepam 25 mg", "--start", "2025-01-06", "--percent", "50"), "faster than"),
        (("-m", "oxazepam 25 mg", "--start", "2025-01-06", "--interval", "3"), "shorter than"),
        (("-m", "oxazepam 25 mg", "--start", "2025-01-06", "--interval", "two"), "not a number"),
        (
            (
                "-m",
                "oxazepam 25 mg",
            ),
            "--start",
        ),
        (
            (
                "--start",
                "2025-01-06",
            ),
            "No medication",
        ),
        (("-m", "oxazepam 25 mg", "--current", "oxazepam 15 mg", "--on", "2025-01-06"), "not both"),
        (
            (
                "--current",
                "oxazepam 15 mg",
            ),
            "needs --on",
        ),
        (("-m", "oxazepam 25 mg", "--start", "2025-01-06", "--on", "2025-01-06"), "replan"),
        (("-m", "oxazepam 25 mg", "--start", "2025-01-06", "-f", "docx"), "Unknown format"),
        (("-m", "oxazepam 25 mg", "--start", "2025-01-06", "--lang", "de"), "Unknown language"),
        (("-m", "oxazepam 25 mg", "--start", "2025-01-06", "-f", "pdf"), "--out FILE"),
        (("-m", "methadone 30 mg", "--start", "2025-01-06"), "needs specialist sign-off"),
        (("-m", "oxazepam -5 mg", "--start", "2025-01-06"), "oxazepam"),
    ],
)
def test_bad_input_is_one_sentence_and_exit_2(
    run_cli: Any, args: tuple[str, ...], message: str
) -> None:
    result = run_cli("plan", "-g", SE, *args)
    assert result.code == 2
    assert result.out == ""
    assert message in result.err
    assert result.err.startswith("taper: ")
    assert result.err.count("\n") == 1


def test_unknown_guideline_is_refused(run_cli: Any) -> None:
    result = run_cli("plan", "-g", "atlantis", "-m", "oxazepam 25 mg", "--start", "2025-01-06")
    assert (result.code, result.out) == (2, "")
    assert "Unknown guideline 'atlantis'" in result.err


def test_out_writes_a_file_and_refuses_to_overwrite(run_cli: Any, tmp_path: Path) -> None:
    target = tmp_path / "plan.json"
    args = (*BASE, "-m", "oxazepam 25 mg", "-f", "json", "--out", str(target))
    first = run_cli(*args)
    assert (first.code, first.out, first.err) == (0, "", "")
    assert json.loads(target.read_text())["guideline"]["id"] == "plan-se"
    again = run_cli(*args)
    assert again.code == 2
    assert "already exists" in again.err
    forced = run_cli(*args, "--force")
    assert forced.code == 0


def test_help_has_an_example(run_cli: Any) -> None:
    result = run_cli("plan", "--help")
    assert result.code == 0
    assert 'taper plan --guideline se-vgr --med "oxazepam 25 mg"' in result.out


def test_schema_plan_is_committed_and_current(run_cli: Any) -> None:
    result = run_cli("schema", "plan")
    assert (result.code, result.err) == (0, "")
    assert result.out == schema_text("plan") + "\n"
    assert SCHEMA.read_text(encoding="utf-8") == result.out, (
        "docs/schema/plan.schema.json is out of date: run `taper schema plan > "
        "docs/schema/plan.schema.json`"
    )
    assert json.loads(result.out)["title"] == "Plan"


def test_schema_unknown_name_is_refused(run_cli: Any) -> None:
    result = run_cli("schema", "nope")
    assert (result.code, result.out) == (2, "")
    assert "Unknown schema 'nope'" in result.err
