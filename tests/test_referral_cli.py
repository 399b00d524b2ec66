"""`taper referral` end to end: exit code, stdout and stderr; golden text and JSON.

Regenerate the golden files after an intended change with
`TAPER_UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_referral_cli.py` and review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import CliResult

TESTS = Path(__file__).resolve().parent
VGR = str(TESTS / "fixtures" / "care-vgr.yaml")
NO = str(TESTS / "fixtures" / "care-no.yaml")
GOLDEN = TESTS / "golden"

ATTEMPT = [
    "--attempt-start",
    "2026-01-10",
    "--attempt-end",
    "2026-03-01",
    "--attempt-from",
    "Sobril 30 mg",
    "--attempt-to",
    "20 mg",
    "--attempt-stopped",
    "withdrawal symptoms, sleep",
]
ANSWERS = ["--answer", "prescribed=yes", "--answer", "adult=yes", "--answer", "mixed-use=no"]
BASE = ["referral", "--guideline", VGR, "--today", "2026-04-01"]


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("TAPER_UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"missing golden file {path}; run with TAPER_UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8")


GOLDEN_ARGS = [
    *BASE,
    "--med",
    "oxazepam 30 mg",
    "--med",
    "oxycodone 40 mg",
    *ATTEMPT,
    *ANSWERS,
    "--lang",
    "sv",
]


def test_golden_text(run_cli) -> None:  # type: ignore[no-untyped-def]
    result: CliResult = run_cli(*GOLDEN_ARGS)
    assert (result.code, result.err) == (0, "")
    check_golden("referral-vgr.txt", result.out)


def test_golden_json(run_cli) -> None:  # type: ignore[no-untyped-def]
    result: CliResult = run_cli(*GOLDEN_ARGS, "--format", "json")
    assert (result.code, result.err) == (0, "")
    check_golden("referral-vgr.json", result.out)


def test_json_structure_is_stable(run_cli) -> None:  # type: ignore[no-untyped-def]
    result: CliResult = run_cli(*BASE, "--med", "oxazepam 30 mg", "--format", "json")
    assert (result.code, result.err) == (0, "")
    data = json.loads(result.out)
    assert list(data) == [
        "guideline",
        "tool_version",
        "language",
        "date",
        "referral_unit",
        "verdict",
        "criteria",
        "missing",
        "attempt",
        "medications",
        "totals",
        "plan",
        "plan_unavailable",
        "risk_flags",
        "summary",
    ]
    assert list(data["guideline"]) == ["id", "version", "sha256", "title"]
    assert data["guideline"]["id"] == "care-vgr"
    assert len(data["guideline"]["sha256"]) == 64
    assert data["verdict"] == "does-not-meet"
    assert data["attempt"] is None
    assert [m["code"] for m in data["missing"]] == ["attempt", "answer", "answer", "answer"]
    assert data["language"] == "sv"  # the guideline's language by default
    assert data["medications"][0]["equivalent"] == "10"
    assert data["totals"] == [
        {
            "class": "benzodiazepine",
            "reference": "diazepam",
            "unit": "mg",
            "equivalent": "10",
            "determined": True,
            "complete": True,
            "missing": [],
        }
    ]


def test_without_an_attempt_it_says_one_is_required_first(run_cli) -> None:  # type: ignore[no-untyped-def]
    result: CliResult = run_cli(*BASE, "--med", "oxazepam 30 mg", *ANSWERS, "--lang", "en")
    assert (result.code, result.err) == (0, "")
    assert "Verdict: DOES NOT MEET the referral criteria" in result.out
    assert "  [does not meet] A discontinuation attempt has been made" in result.out
    assert (
        "A discontinuation attempt at the treating unit is required before referral; the plan "
        "below is for that attempt." in result.out
    )
    assert "Discontinuation attempt at the treating unit: none documented." in result.out


def test_missing_reason_cannot_tell(run_cli) -> None:  # type: ignore[no-untyped-def]
    args = [a for a in ATTEMPT if a not in ("--attempt-stopped", "withdrawal symptoms, sleep")]
    result: CliResult = run_cli(*BASE, "--med", "oxazepam 30 mg", *args, *ANSWERS, "--lang", "en")
    assert (result.code, result.err) == (0, "")
    assert "Verdict: CANNOT TELL yet: information is missing" in result.out
    assert "  - attempt: Why the attempt stopped: add --attempt-stopped" in result.out


def test_all_met(run_cli) -> None:  # type: ignore[no-untyped-def]
    result: CliResult = run_cli(
        *BASE, "--med", "oxazepam 30 mg", *ATTEMPT, *ANSWERS, "--lang", "en"
    )
    assert (result.code, result.err) == (0, "")
    assert "Verdict: MEETS the referral criteria" in result.out
    assert "Missing:" not in result.out
    assert "required before referral" not in result.out
    assert "Risk flags: none." in result.out


def test_risk_flags_for_opioid_with_benzodiazepine_and_high_total(run_cli) -> None:  # type: ignore[no-untyped-def]
    result: CliResult = run_cli(
        *BASE, "--med", "oxazepam 30 mg", "--med", "oxycodone 40 mg", "--lang", "en"
    )
    assert result.code == 0
    assert (
        "- [caution] Oral morphine equivalent above 50 mg a day raises the overdose risk. "
        "(total 80 mg morphine; threshold 50 mg)" in result.out
    )
    assert "- [HIGH] An opioid together with a benzodiazepine raises the overdose risk." in (
        result.out
    )


def test_substitution_drug_is_a_risk_flag(run_cli) -> None:  # type: ignore[no-untyped-def]
    result: CliResult = run_cli(
        *BASE, "--med", "buprenorphine sublingual 8 mg", "--lang", "en", "--format", "json"
    )
    assert (result.code, result.err) == (0, "")
    codes = [f["code"] for f in json.loads(result.out)["risk_flags"]]
    assert "substitution-drug" in codes


def test_stamp_names_guideline_version_hash_and_tool(run_cli) -> None:  # type: ignore[no-untyped-def]
    result: CliResult = run_cli(*BASE, "--med", "oxazepam 30 mg", "--lang", "en")
    stamp = [line for line in result.out.splitlines() if line.startswith("Guideline: ")]
    assert len(stamp) == 1
    assert stamp[0].startswith("Guideline: care-vgr version 2026.1-test (sha256 ")
    assert " · taper " in stamp[0]


def test_same_input_same_output(run_cli) -> None:  # type: ignore[no-untyped-def]
    first: CliResult = run_cli(*GOLDEN_ARGS)
    second: CliResult = run_cli(*GOLDEN_ARGS)
    assert first == second


@pytest.mark.parametrize(
    ("args", "err"),
    [
        (
            ["referral", "--guideline", NO, "--med", "oxycodone 10 mg"],
            "taper: Guideline care-no has no referral criteria, so there is nothing to check a "
            "referral against.\n",
        ),
        (
            [*BASE, "--med", "oxazepam 30 mg", "--answer", "adult=maybe"],
            "taper: --answer 'adult=maybe': answer yes or no.\n",
        ),
        (
            [*BASE, "--med", "oxazepam 30 mg", "--attempt-start", "2026-01-10"],
            "taper: The attempt is incomplete: add --attempt-end, --attempt-from, --attempt-to "
            "(an attempt needs its start, end, from-dose and to-dose).\n",
        ),
        (
            [
                *BASE,
                "--med",
                "oxazepam 30 mg",
                *ATTEMPT[:2],
                "--attempt-end",
                "2026-05-01",
                *ATTEMPT[4:],
            ],
            "taper: The attempt ends in the future (2026-05-01, today is 2026-04-01); give the "
            "attempt made so far.\n",
        ),
        (
            [*BASE, "--med", "oxycodone 10 mg", *ATTEMPT],
            "taper: The attempt was with 'Sobril', which is not among the --med medications; "
            "give the drug the attempt was made with as a --med too.\n",
        ),
        (
            [*BASE, "--med", "oxazepam 30 mg", "--lang", "de"],
            "taper: Unknown language 'de'; choose sv, nb or en.\n",
        ),
        (
            ["referral", "--guideline", VGR, "--med", "oxazepam 30 mg", "--today", "1 April"],
            "taper: --today '1 April' is not a date; write it as YYYY-MM-DD.\n",
        ),
        (  # review 2026-11-23: a proposal dated months in the past was accepted
            [*BASE, "--med", "oxazepam 30 mg", "--start", "2025-11-01"],
            "taper: --start 2025-11-01 is before --today 2026-04-01; the proposed plan starts "
            "today or later.\n",
        ),
    ],
)
def test_bad_input_exits_2_with_one_sentence(run_cli, args: list[str], err: str) -> None:  # type: ignore[no-untyped-def]
    result: CliResult = run_cli(*args)
    assert (result.code, result.out, result.err) == (2, "", err)


def test_missing_rule_file(run_cli) -> None:  # type: ignore[no-untyped-def]
    result: CliResult = run_cli(
        "referral", "--guideline", str(TESTS / "fixtures" / "missing.yaml"), "--med", "x 1 mg"
    )
    assert (result.code, result.out) == (2, "")
    assert result.err.startswith("taper: Rule file ")
    assert result.err.endswith("missing.yaml does not exist.\n")


def test_missing_med_is_a_usage_error(run_cli) -> None:  # type: ignore[no-untyped-def]
    result: CliResult = run_cli("referral", "--guideline", VGR)
    assert result.code == 2
    assert result.out == ""
    assert "--med" in result.err


def test_help_has_an_example(run_cli) -> None:  # type: ignore[no-untyped-def]
    result: CliResult = run_cli("referral", "--help")
    assert result.code == 0
    assert "--attempt-stopped" in result.out
    assert "taper referral -g se-vgr" in result.out


# --- the shipped regions ------------------------------------------------------------------


def test_se_vgr_without_attempt_offers_the_plan_for_it(run_cli) -> None:  # type: ignore[no-untyped-def]
    result: CliResult = run_cli(
        "referral",
        "-g",
        "se-vgr",
        "-m",
        "oxazepam 25 mg",
        "--today",
        "2026-04-01",
        "--answer",
        "iatrogent-beroende=ja",
        "--answer",
        "blandmissbruk-psykiatri=nej",
    )
    assert (result.code, result.err) == (0, "")
    assert "Bedömning: UPPFYLLER INTE remisskriterierna" in result.out
    assert "  [ej uppfyllt   ] Ett dokumenterat utsättningsförsök" in result.out
    assert "Plan för utsättningsförsöket på behandlande enhet (2026-04-01" in result.out
    assert "Utsättningsförsök på behandlande enhet: inget dokumenterat." in result.out


def test_se_vgr_with_attempt_meets(run_cli) -> None:  # type: ignore[no-untyped-def]
    result: CliResult = run_cli(
        "referral",
        "-g",
        "se-vgr",
        "-m",
        "oxazepam 25 mg",
        "--today",
        "2026-04-01",
        "--attempt-start",
        "2026-01-12",
        "--attempt-end",
        "2026-03-20",
        "--attempt-from",
        "Sobril 25 mg",
        "--attempt-to",
        "15 mg",
        "--attempt-stopped",
        "sömnbesvär, ångest",
        "--answer",
        "iatrogent-beroende=ja",
        "--answer",
        "blandmissbruk-psykiatri=nej",
        "--format",
        "json",
    )
    assert (result.code, result.err) == (0, "")
    data = json.loads(result.out)
    assert data["verdict"] == "meets"
    assert [c["status"] for c in data["criteria"]] == ["meets"] * 3
    assert data["missing"] == []
    assert data["attempt"]["days"] == 68
    assert data["plan"]["purpose"] == "referral"
    assert data["plan"]["last_dose_date"] is not None


def test_no_helsedir_alternatives_one_is_enough(run_cli) -> None:  # type: ignore[no-untyped-def]
    result: CliResult = run_cli(
        "referral",
        "-g",
        "no-helsedir",
        "-m",
        "oxazepam 25 mg",
        "--today",
        "2026-04-01",
        "--answer",
        "plan-fra-spesialist=ja",
        "--lang",
        "en",
        "--format",
        "json",
    )
    assert (result.code, result.err) == (0, "")
    data = json.loads(result.out)
    assert data["verdict"] == "meets"
    assert [(c["status"], c["group_status"]) for c in data["criteria"]] == [
        ("meets", "meets"),
        ("cannot-tell", "meets"),
    ]
    assert data["missing"] == []
    assert "Discontinuation attempt" not in data["summary"]  # Norway asks for none


def test_regions_without_referral_criteria_exit_2(run_cli) -> None:  # type: ignore[no-untyped-def]
    for gid in ("uk-ashton", "us-cdc-2022"):
        result: CliResult = run_cli("referral", "-g", gid, "-m", "oxycodone 20 mg")
        assert (result.code, result.out) == (2, "")
        assert result.err == (
            f"taper: Guideline {gid} has no referral criteria, so there is nothing to check a "
            "referral against.\n"
        )


def test_an_undetermined_total_is_null_in_json_never_zero(run_cli) -> None:  # type: ignore[no-untyped-def]
    result: CliResult = run_cli(
        "referral",
        "-g",
        "se-vgr",
        "-m",
        "methadone 40 mg",
        "--today",
        "2027-01-04",
        "--format",
        "json",
    )
    assert result.code == 0, result.err
    totals = json.loads(result.out)["totals"]
    assert totals[0]["equivalent"] is None
    assert totals[0]["determined"] is False
