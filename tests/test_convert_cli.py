"""`taper convert` and `taper compare` end to end: (exit code, stdout, stderr), golden files.

Regenerate the golden files after an intended output change with
    TAPER_UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_convert_cli.py
and review the diff: it is what a physician will see.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from taper import __version__
from taper.guideline.registry import builtin_ids

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures"
GOLDEN = HERE / "golden"
US = str(FIXTURES / "conv-bands.yaml")
NORDIC = str(FIXTURES / "conv-points.yaml")

US_MEDS = [
    "fentanyl patch 75 mcg/h",
    "methadone 30 mg",
    "buprenorphine sublingual 8 mg",
    "Ativan 2 mg",
    "oxycodone 20mg",
]
NORDIC_MEDS = [
    "oksazepam 25 mg",
    "klonazepam 0,5 mg",
    "zopiklon 7,5 mg",
    "hydromorfon 3 mg",
    "Durogesic 25 µg/h",
    "Subutex 8 mg",
]
COMPARE_MEDS = [
    "oxazepam 25 mg",
    "lorazepam 1 mg",
    "oxycodone 20 mg",
    "hydromorphone 4 mg",
    "fentanyl patch 25 mcg/h",
    "buprenorphine sublingual 8 mg",
]

Run = Callable[..., "object"]


def meds(items: list[str]) -> list[str]:
    out: list[str] = []
    for text in items:
        out += ["--med", text]
    return out


def golden(name: str, text: str) -> None:
    path = GOLDEN / name
    text = text.replace(f"taper {__version__}", "taper VERSION")
    text = text.replace(f'"tool_version": "{__version__}"', '"tool_version": "VERSION"')
    if os.environ.get("TAPER_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"missing golden file {path}; run with TAPER_UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8")


CASES = {
    # methadone converted to another opioid: only with a specialist (issue 12)
    "convert-us.txt": ["convert", "-g", US, *meds(US_MEDS), "--to", "oxycodone", "--specialist"],
    "convert-us.json": [
        "convert",
        "-g",
        US,
        *meds(US_MEDS),
        "--to",
        "oxycodone",
        "--specialist",
        "-f",
        "json",
    ],
    "convert-nordic.txt": ["convert", "-g", NORDIC, *meds(NORDIC_MEDS), "--to", "morphine"],
    "convert-nordic.json": ["convert", "-g", NORDIC, *meds(NORDIC_MEDS), "--format", "json"],
    "convert-compare.txt": ["compare", "-g", US, "-g", NORDIC, *meds(COMPARE_MEDS)],
    "convert-compare.json": [
        "compare",
        "-g",
        US,
        "-g",
        NORDIC,
        *meds(COMPARE_MEDS),
        "--format",
        "json",
    ],
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden_output(run_cli, name: str) -> None:  # type: ignore[no-untyped-def]
    result = run_cli(*CASES[name])
    assert (result.code, result.err) == (0, "")
    golden(name, result.out)
    again = run_cli(*CASES[name])
    assert again.out == result.out  # byte-identical on a second run
    if name.endswith(".json"):
        data = json.loads(result.out)
        assert result.out == json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def test_fentanyl_75_mcg_h_is_180_mme_end_to_end(run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("convert", "-g", US, "--med", "fentanyl patch 75 mcg/h", "-f", "json")
    assert result.code == 0
    data = json.loads(result.out)
    (item,) = data["items"]
    assert item["equivalent"] == "180"
    assert item["factor"] == "2.4"
    assert data["totals"] == [
        {
            "class": "opioid",
            "complete": True,
            "equivalent": "180",
            "missing": [],
            "range": None,
            "reference": "morphine",
            "reference_route": "oral",
            "unit": "mg",
        }
    ]


def test_json_has_the_documented_fields(run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli(
        "convert", "-g", US, *meds(US_MEDS), "--to", "morphine", "--specialist", "-f", "json"
    )
    data = json.loads(result.out)
    assert set(data["guideline"]) >= {"id", "version", "sha256"}
    assert data["tool_version"] == __version__
    for item in data["items"]:
        assert set(item) >= {
            "drug",
            "input",
            "amount",
            "unit",
            "route",
            "class",
            "basis",
            "factor",
            "equivalent",
            "range",
            "source",
            "flags",
        }
    assert {t["class"] for t in data["totals"]} == {"benzodiazepine", "opioid"}
    opioid = next(t for t in data["totals"] if t["class"] == "opioid")
    assert opioid["complete"] is False
    assert opioid["equivalent"] == "450"
    assert data["target"]["dose"] == "450"
    assert all(set(w) == {"code", "severity", "message"} for w in data["warnings"])


def test_text_has_stamp_and_disclaimer(run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("convert", "-g", US, "--med", "oxycodone 10 mg")
    assert result.code == 0
    last = result.out.rstrip("\n").splitlines()[-1]
    assert last.startswith("Rule file conv-bands version 2026.1-test sha256 ")
    assert last.endswith(f"; taper {__version__}")
    assert "do not use it to convert one opioid to another" in result.out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["convert", "--med", "oxazepam 10 mg"], "No rule file given"),
        (["convert", "-g", US], "No medication given"),
        (["convert", "-g", US, "--med", ""], "Empty medication"),
        (["convert", "-g", "nowhere-2031", "--med", "x 1 mg"], "Unknown guideline 'nowhere-2031'"),
        (["convert", "-g", US, "--med", "oxazpam 10 mg"], "'oxazpam' in rule file conv-bands.\n"),
        (["convert", "-g", NORDIC, "--med", "oxazpam 10 mg"], "Did you mean oxazepam"),
        (["convert", "-g", US, "--med", "lorazepam -1 mg"], "more than zero"),
        (["convert", "-g", US, "--med", "lorazepam 0 mg"], "more than zero"),
        (["convert", "-g", US, "--med", "lorazepam 20000 mg"], "implausibly high"),
        (["convert", "-g", US, "--med", "lorazepam 1,500 mg"], "ambiguous"),
        (["convert", "-g", US, "--med", "lorazepam 2 mcg/h"], "no patch conversion"),
        (["convert", "-g", US, "--med", "fentanyl 75 mg"], "converted from patches"),
        (["convert", "-g", US, "--med", "fentanyl 75 mcg"], "has no rate"),
        (["convert", "-g", US, "--med", "lorazepam 2 g"], "Unknown unit 'g'"),
        (["convert", "-g", US, "--med", "lorazepam 2 mg", "-f", "xml"], "Unknown format"),
        (["convert", "-g", US, "--med", "morphine 60 mg", "--to", "methadone"], "specialist"),
        (["convert", "-g", US, "--med", "morphine 60 mg", "--to", "diazepam"], "benzodiazepine"),
        (["convert", "-g", US, "--med", "Ativan 1 mg", "--to", "morphine"], "never converted"),
        (["compare", "-g", US], "No medication given"),
        (["compare", "-g", US, "-g", NORDIC, "--med", "oxazpam 1 mg"], "in every rule file"),
        (["compare", "-g", US, "--med", "x 1 mg", "-f", "csv"], "Unknown format"),
    ],
)
def test_bad_input_one_sentence_exit_2(run_cli, args: list[str], message: str) -> None:  # type: ignore[no-untyped-def]
    result = run_cli(*args)
    assert result.code == 2
    assert result.out == ""
    assert result.err.startswith("taper: ")
    assert result.err.count("\n") == 1
    assert message in result.err


def test_missing_rule_file_path(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("convert", "-g", str(tmp_path / "none.yaml"), "--med", "x 1 mg")
    assert result.code == 2
    assert result.out == ""
    assert "does not exist" in result.err


@pytest.mark.parametrize("command", ["convert", "compare"])
def test_help_has_an_example(run_cli, command: str) -> None:  # type: ignore[no-untyped-def]
    result = run_cli(command, "--help")
    assert result.code == 0
    assert "Example" in result.out
    assert f"taper {command} " in result.out


def test_compare_defaults_to_every_installed_rule_file(run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("compare", "--med", "morphine 30 mg", "--format", "json")
    if not builtin_ids():
        assert result.code == 2
        assert "No rule files are installed" in result.err
        return
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert [g["id"] for g in data["guidelines"]] == builtin_ids()
