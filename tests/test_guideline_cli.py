"""`taper guidelines ...`: every command and error, asserting (exit code, stdout, stderr)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import CliResult

from taper.guideline import registry

Run = Callable[..., CliResult]

CORPUS = Path(__file__).resolve().parent / "corpus"
FULL = CORPUS / "valid" / "full.yaml"
MINIMAL = CORPUS / "valid" / "minimal.yaml"
BAD = CORPUS / "invalid" / "drug-known" / "formulary.yaml"
WARN = CORPUS / "invalid" / "bands-contiguous" / "factor-falls-warning.yaml"
BAD_MSG = (
    "formulary product Durogesic: drug 'fentanil' is not defined in `drugs` (did you mean "
    "'fentanyl'?)"
)


@pytest.fixture
def corpus_builtins(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the valid corpus the built-in guidelines, so `list` output is fixed."""
    files = {p.stem: p for p in sorted((CORPUS / "valid").glob("*.yaml"))}
    monkeypatch.setattr(registry, "builtin_files", lambda: files)


# ---------------------------------------------------------------- validate


def test_validate_valid_file_text(run_cli: Run) -> None:
    r = run_cli("guidelines", "validate", str(MINIMAL))
    assert (r.code, r.out, r.err) == (0, f"{MINIMAL}: valid\n1 file checked: valid.\n", "")


def test_validate_error_text(run_cli: Run) -> None:
    r = run_cli("guidelines", "validate", str(BAD))
    assert r.code == 1
    assert r.err == ""
    assert r.out == (
        f"{BAD}\n  44:11  error    {BAD_MSG}  (drug-known)\n"
        "1 file checked: 1 error in 1 file: not valid.\n"
    )


def test_validate_parsable(run_cli: Run) -> None:
    r = run_cli("guidelines", "validate", "--format", "parsable", str(MINIMAL), str(BAD))
    assert (r.code, r.err) == (1, "")
    assert r.out == f"{BAD}:44:11: [error] {BAD_MSG} (drug-known)\n"


def test_validate_parsable_valid_prints_nothing(run_cli: Run) -> None:
    r = run_cli("guidelines", "validate", "-f", "parsable", str(MINIMAL))
    assert (r.code, r.out, r.err) == (0, "", "")


def test_validate_github(run_cli: Run) -> None:
    r = run_cli("guidelines", "validate", "--format", "github", str(BAD))
    assert (r.code, r.err) == (1, "")
    assert r.out == (f"::error file={BAD},line=44,col=11,title=drug-known::{BAD_MSG}\n")


def test_validate_json(run_cli: Run) -> None:
    r = run_cli("guidelines", "validate", "--format", "json", str(MINIMAL), str(BAD))
    assert (r.code, r.err) == (1, "")
    doc = json.loads(r.out)
    assert doc["valid"] is False
    assert (doc["errors"], doc["warnings"]) == (1, 0)
    ok, bad = doc["files"]
    assert ok["path"] == str(MINIMAL)
    assert ok["valid"] is True
    assert ok["id"] == "minimal"
    assert len(ok["sha256"]) == 64
    assert ok["findings"] == []
    assert bad["valid"] is False
    assert bad["id"] == "formulary"  # schema-valid, so identified; semantic errors remain
    assert bad["findings"] == [
        {"line": 44, "col": 11, "level": "error", "rule": "drug-known", "message": BAD_MSG}
    ]


def test_validate_warnings_only_exits_0(run_cli: Run) -> None:
    r = run_cli("guidelines", "validate", "-f", "parsable", str(WARN))
    assert (r.code, r.err) == (0, "")
    assert r.out == (
        f"{WARN}:37:33: [warning] methadone: the factor falls from 8 to 6 as the dose rises; "
        "check the table (bands-contiguous)\n"
    )
    r = run_cli("guidelines", "validate", str(WARN))
    assert r.code == 0
    assert r.out.endswith("1 file checked: valid, 1 warning.\n")


def test_validate_folder(run_cli: Run) -> None:
    r = run_cli("guidelines", "validate", str(CORPUS / "valid"))
    assert (r.code, r.err) == (0, "")
    assert r.out.endswith("3 files checked: valid.\n")


def test_validate_missing_file_exits_2(run_cli: Run) -> None:
    # The readable file is still checked and reported (review S3); the missing one is said.
    r = run_cli("guidelines", "validate", str(MINIMAL), "no/such/file.yaml")
    assert r.code == 2
    assert r.out == (
        f"{MINIMAL}: valid\n1 file checked: valid. 1 path could not be checked (see stderr).\n"
    )
    assert r.err == "taper: Rule file no/such/file.yaml does not exist.\n"


def test_validate_directory_without_rule_files_exits_2(run_cli: Run, tmp_path: Path) -> None:
    r = run_cli("guidelines", "validate", str(tmp_path))
    assert (r.code, r.out) == (2, "")
    assert r.err == f"taper: Folder {tmp_path} holds no .yaml rule files.\n"


def test_validate_unknown_format_exits_2(run_cli: Run) -> None:
    r = run_cli("guidelines", "validate", "--format", "xml", str(MINIMAL))
    assert (r.code, r.out) == (2, "")
    assert r.err == "taper: Unknown format 'xml'; use one of: text, parsable, json, github.\n"


def test_validate_unreadable_bytes_are_findings_not_crashes(run_cli: Run, tmp_path: Path) -> None:
    path = tmp_path / "binary.yaml"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    r = run_cli("guidelines", "validate", "-f", "parsable", str(path))
    assert (r.code, r.err) == (1, "")
    assert r.out == (
        f"{path}:1:1: [error] the file is not valid UTF-8 (byte 0x89 here); save it as UTF-8 "
        "(Latin-1 or Windows-1252 text, e.g. from a word processor, is not accepted) "
        "(yaml-encoding)\n"
    )


def test_validate_broken_on_purpose(run_cli: Run, tmp_path: Path) -> None:
    """The README's promise: break a file and be told exactly where and why."""
    text = FULL.read_text(encoding="utf-8").replace("      percent: 10\n", "      percent: 0\n")
    path = tmp_path / "full.yaml"
    path.write_text(text, encoding="utf-8")
    r = run_cli("guidelines", "validate", "-f", "parsable", str(path))
    assert r.code == 1
    assert r.out == (
        f"{path}:167:16: [error] rule bzd-default: reduction.percent 0 must be more than 0 and "
        "at most 100 (percent-range)\n"
    )


# ---------------------------------------------------------------- list


def test_list_text(run_cli: Run, corpus_builtins: None) -> None:
    r = run_cli("guidelines", "list")
    assert (r.code, r.err) == (0, "")
    valid = CORPUS / "valid"
    assert r.out.splitlines() == [
        "ID              REGION           VERSION  TITLE                              FILE",
        f"full            Testregionen     2024.1   Test guideline with every section  "
        f"{valid / 'full.yaml'}",
        f"minimal         Test             1        Minimal rule file                  "
        f"{valid / 'minimal.yaml'}",
        f"norway-strings  Nordland – Bodø  on       Norsk testfil (ø, æ, å)            "
        f"{valid / 'norway-strings.yaml'}",
    ]


def test_list_json(run_cli: Run, corpus_builtins: None) -> None:
    r = run_cli("guidelines", "list", "--format", "json")
    assert (r.code, r.err) == (0, "")
    rows = json.loads(r.out)
    assert [row["id"] for row in rows] == ["full", "minimal", "norway-strings"]
    assert rows[1] == {
        "id": "minimal",
        "region": "Test",
        "version": "1",
        "title": "Minimal rule file",
        "file": str(CORPUS / "valid" / "minimal.yaml"),
        "valid": True,
    }


def test_list_shows_invalid_builtin(run_cli: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "builtin_files", lambda: {"formulary": BAD})
    r = run_cli("guidelines", "list", "-f", "json")
    assert r.code == 0
    assert json.loads(r.out) == [
        {
            "id": "formulary",
            "region": "Test",
            "version": "1",
            "title": "Test rule file",
            "file": str(BAD),
            "valid": False,
        }
    ]
    r = run_cli("guidelines", "list")
    assert r.out.splitlines()[1] == f"formulary  Test    1        Test rule file [NOT VALID]  {BAD}"
    broken = CORPUS / "invalid" / "schema" / "bad-date.yaml"
    monkeypatch.setattr(registry, "builtin_files", lambda: {"bad-date": broken})
    r = run_cli("guidelines", "list", "-f", "json")
    assert json.loads(r.out)[0] == {
        "id": "bad-date",
        "region": "?",
        "version": "?",
        "title": "?",
        "file": str(broken),
        "valid": False,
    }


def test_list_empty(run_cli: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "builtin_files", lambda: {})
    r = run_cli("guidelines", "list")
    assert (r.code, r.out, r.err) == (0, "No built-in guidelines.\n", "")
    r = run_cli("guidelines", "list", "--format", "json")
    assert (r.code, r.out, r.err) == (0, "[]\n", "")


def test_list_real_folder_names_every_shipped_file(run_cli: Run) -> None:
    r = run_cli("guidelines", "list", "--format", "json")
    assert (r.code, r.err) == (0, "")
    shipped = sorted(p.stem for p in registry.guidelines_dir().glob("*.yaml"))
    assert sorted(row["id"] for row in json.loads(r.out)) == shipped


def test_list_bad_format(run_cli: Run) -> None:
    r = run_cli("guidelines", "list", "--format", "csv")
    assert (r.code, r.out) == (2, "")
    assert r.err == "taper: Unknown format 'csv'; use one of: text, json.\n"


# ---------------------------------------------------------------- show


def test_show_path(run_cli: Run) -> None:
    r = run_cli("guidelines", "show", str(FULL))
    assert (r.code, r.err) == (0, "")
    lines = r.out.splitlines()
    assert lines[0] == "full — Test guideline with every section"
    assert "  oxazepam: 15 mg per 5 mg diazepam, range 15–25 [range: helsedir-2021] [rjl-2019]" in (
        lines
    )
    assert (
        "  methadone: bands 0–20 mg ×4, 20–40 mg ×8, >40 mg ×10 "
        "[UNVERIFIED: illustrative bands for tests]"
    ) in lines
    assert (
        "    reduction: 10 % of the current dose every 14 days (at most 25 %, at least 7 days "
        "apart) [UNVERIFIED: VGR's own rate is not published]"
    ) in lines
    assert (
        "  aftercare: at least 6m; contacts 2w, 4w, 1m, 3m, 6m after the last dose [vgr-2019]"
        in (lines)
    )
    assert "  - coping: Strategier vid abstinens" in lines  # the file's language (sv)
    assert (
        "    fewer dose times: diazepam below 5 mg at a dose time, the dose time dropped first "
        "cut first [UNVERIFIED: project choice]"
    ) in lines
    assert lines[-1] == "22 of 41 sourced items are marked UNVERIFIED (no source gives them)."
    assert "    support talks: at least every 7 days [UNVERIFIED: project choice]" in lines


def test_show_lang(run_cli: Run) -> None:
    r = run_cli("guidelines", "show", str(FULL), "--lang", "en")
    assert r.code == 0
    assert "  - coping: Coping strategies for withdrawal symptoms" in r.out.splitlines()


def test_show_is_deterministic(run_cli: Run) -> None:
    assert (
        run_cli("guidelines", "show", str(FULL)).out == run_cli("guidelines", "show", str(FULL)).out
    )


def test_show_builtin_id(run_cli: Run, corpus_builtins: None) -> None:
    r = run_cli("guidelines", "show", "minimal")
    assert (r.code, r.err) == (0, "")
    assert r.out.startswith("minimal — Minimal rule file\n")


def test_show_invalid_file_exits_2(run_cli: Run) -> None:
    r = run_cli("guidelines", "show", str(BAD))
    assert (r.code, r.out) == (2, "")
    assert r.err == (
        f"taper: Rule file {BAD} is not valid (1 error(s)); first: {BAD}:44:11: [error] "
        f"{BAD_MSG} (drug-known). Run `taper guidelines validate {BAD}` for all of them.\n"
    )


def test_show_unknown_id_exits_2(run_cli: Run, corpus_builtins: None) -> None:
    r = run_cli("guidelines", "show", "xx-nowhere")
    assert (r.code, r.out) == (2, "")
    assert r.err == (
        "taper: Unknown guideline 'xx-nowhere'; built-in guidelines are: "
        "full, minimal, norway-strings.\n"
    )


def test_show_bad_lang_exits_2(run_cli: Run) -> None:
    r = run_cli("guidelines", "show", str(FULL), "--lang", "de")
    assert (r.code, r.out) == (2, "")
    assert r.err == "taper: Unknown language 'de'; use one of: sv, nb, en.\n"


def test_show_every_shipped_guideline(run_cli: Run) -> None:
    for path in sorted(registry.guidelines_dir().glob("*.yaml")):
        r = run_cli("guidelines", "show", path.stem)
        assert (r.code, r.err) == (0, ""), path
        assert r.out.startswith(f"{path.stem} — ")


# ---------------------------------------------------------------- schema


def test_schema_prints_committed_file(run_cli: Run) -> None:
    r = run_cli("guidelines", "schema")
    assert (r.code, r.err) == (0, "")
    committed = (registry.guidelines_dir() / "schema.json").read_text(encoding="utf-8")
    assert r.out == committed, "regenerate: taper guidelines schema > guidelines/schema.json"
    doc = json.loads(r.out)
    assert doc["title"] == "taper rule file"
    assert "class" in doc["$defs"]["Drug"]["properties"]


# ---------------------------------------------------------------- diff


def _edited(tmp_path: Path, *edits: tuple[str, str]) -> Path:
    text = FULL.read_text(encoding="utf-8")
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = tmp_path / "full.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_diff_text(run_cli: Run, tmp_path: Path) -> None:
    new = _edited(
        tmp_path,
        ('version: "2024.1"', 'version: "2024.2"'),
        (
            "        amount: 15\n        equals: 5\n        range: [15, 25]\n"
            "        source: rjl-2019",
            "        amount: 20\n        equals: 5\n        range: [15, 25]\n"
            "        source: helsedir-2021",
        ),
        ("      percent: 10\n      max_percent: 25", "      percent: 15\n      max_percent: 25"),
        ("offsets: [2w, 4w, 1m, 3m, 6m]", "offsets: [2w, 1m, 3m, 6m, 9m]"),
        ("{amount: 10, split: quarter}, {amount: 25}]", "{amount: 10, split: quarter}]"),
    )
    r = run_cli("guidelines", "diff", str(FULL), str(new))
    assert (r.code, r.err) == (0, "")
    assert r.out == (
        f"Changes from {FULL} to {new}:\n"
        "\n"
        "Identity\n"
        "  version: 2024.1→2024.2\n"
        "\n"
        "Equivalents\n"
        "  oxazepam: 15→20 mg per 5 mg diazepam (source rjl-2019→helsedir-2021)\n"
        "\n"
        "Formulary\n"
        "  oxazepam Sobril: strength 25 mg removed\n"
        "\n"
        "Taper rules\n"
        "  rule bzd-default: reduction.percent 10→15\n"
        "\n"
        "Checkpoints\n"
        "  aftercare: offsets 2w, 4w, 1m, 3m, 6m → 2w, 1m, 3m, 6m, 9m\n"
    )


def test_diff_json(run_cli: Run, tmp_path: Path) -> None:
    new = _edited(
        tmp_path,
        ("      percent: 10\n      max_percent: 25", "      percent: 15\n      max_percent: 25"),
    )
    r = run_cli("guidelines", "diff", str(FULL), str(new), "--format", "json")
    assert (r.code, r.err) == (0, "")
    assert json.loads(r.out) == {
        "old": str(FULL),
        "new": str(new),
        "changes": [
            {
                "section": "taper_rules",
                "subject": "rule bzd-default",
                "kind": "changed",
                "field": "reduction.percent",
                "old": "10",
                "new": "15",
                "message": "rule bzd-default: reduction.percent 10→15",
            }
        ],
    }


def test_diff_same_file(run_cli: Run) -> None:
    r = run_cli("guidelines", "diff", str(FULL), str(FULL))
    assert (r.code, r.out, r.err) == (0, f"No changes between {FULL} and {FULL}.\n", "")


def test_diff_invalid_new_exits_2(run_cli: Run) -> None:
    r = run_cli("guidelines", "diff", str(FULL), str(BAD))
    assert (r.code, r.out) == (2, "")
    assert r.err.startswith(f"taper: Rule file {BAD} is not valid (1 error(s));")
    assert r.err.count("\n") == 1


def test_diff_missing_exits_2(run_cli: Run) -> None:
    r = run_cli("guidelines", "diff", str(FULL), "drafts/none.yaml")
    assert (r.code, r.out, r.err) == (2, "", "taper: Rule file drafts/none.yaml does not exist.\n")


def test_help_lists_commands(run_cli: Run) -> None:
    r = run_cli("guidelines", "--help")
    assert r.code == 0
    for command in ("list", "show", "validate", "schema", "diff"):
        assert command in r.out
