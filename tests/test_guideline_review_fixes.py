"""Review findings on the validator (S1, S3), pinned on edited copies of the shipped rule files.

Each test edits a copy of a file in guidelines/ the way the reviewer did and asserts the
finding, its level and its exact line:col (the corpus under tests/corpus/invalid/ holds the
same cases on small files).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import CliResult

from taper.guideline.loader import validate_bytes
from taper.guideline.yamlstrict import parse_yaml

Run = Callable[..., CliResult]

GUIDELINES = Path(__file__).resolve().parent.parent / "guidelines"
SHIPPED = sorted(GUIDELINES.glob("*.yaml"))
NEW_RULES = {"taper-speed", "split-consistent", "aftercare-tub", "yaml-invisible"}


def shipped(name: str) -> str:
    return (GUIDELINES / name).read_text(encoding="utf-8")


def edit(text: str, old: str, new: str, *, after: str = "") -> str:
    """`text` with the first `old` after `after` replaced by `new` (exactly one must exist)."""
    start = text.index(after) if after else 0
    at = text.index(old, start)
    return text[:at] + new + text[at + len(old) :]


def place(text: str, needle: str, offset: int = 0, *, after: str = "") -> tuple[int, int]:
    """1-based line:col of `needle` (plus `offset`) in `text`, after `after`."""
    index = text.index(needle, text.index(after) if after else 0) + offset
    line_start = text.rfind("\n", 0, index) + 1
    return text.count("\n", 0, index) + 1, index - line_start + 1


def findings(text: str, name: str = "se-vgr.yaml") -> list[tuple[str, str, int, int, str]]:
    result = validate_bytes(text.encode("utf-8"), name)
    return [(f.rule, f.level, f.line, f.col, f.message) for f in result.findings]


def write(tmp_path: Path, text: str, name: str = "se-vgr.yaml") -> Path:
    folder = tmp_path / "drafts"
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


RULE = "id: bzd-angestdampande"
REDUCTION = "      percent: 10\n      max_percent: 25\n"


# ------------------------------------------------------------ S1: abrupt stop, too fast


def test_s1_reduction_of_100_percent_is_an_abrupt_stop_error() -> None:
    text = edit(
        shipped("se-vgr.yaml"),
        REDUCTION,
        "      percent: 100\n      max_percent: 100\n",
        after=RULE,
    )
    got = [f for f in findings(text) if f[0] == "taper-speed"]
    percent = place(text, "percent: 100", 9, after=RULE)
    maximum = place(text, "max_percent: 100", 13, after=RULE)
    assert [(f[1], f[2], f[3]) for f in got] == [("error", *percent), ("error", *maximum)]
    assert got[0][4].startswith(
        "rule bzd-angestdampande: reduction.percent 100 stops the drug in one step: an abrupt "
        "stop, not a taper (NICE NG215"
    )


def test_s1_plan_from_a_rule_that_stops_at_once_is_refused(run_cli: Run, tmp_path: Path) -> None:
    text = edit(shipped("se-vgr.yaml"), REDUCTION, "      percent: 100\n", after=RULE)
    path = write(tmp_path, text)
    r = run_cli("plan", "-g", str(path), "-m", "oxazepam 30 mg", "--start", "2027-01-04")
    assert (r.code, r.out) == (2, "")
    assert "(taper-speed)" in r.err
    assert "reduction.percent 100 stops the drug in one step" in r.err


def test_s1_forty_percent_a_step_is_a_warning_and_still_valid(run_cli: Run, tmp_path: Path) -> None:
    text = edit(
        shipped("se-vgr.yaml"), REDUCTION, "      percent: 10\n      max_percent: 40\n", after=RULE
    )
    path = write(tmp_path, text)
    r = run_cli("guidelines", "validate", "-f", "parsable", str(path))
    line, col = place(text, "max_percent: 40", 13, after=RULE)
    assert (r.code, r.err) == (0, "")
    assert r.out == (
        f"{path}:{line}:{col}: [warning] rule bzd-angestdampande: reduction.max_percent 40 % per "
        "step is faster than the long-term tapers in the sources allow (trappned.no 20–25 % per "
        "step is the fastest cited; only brief tapers after short use go faster, CDC 2022) "
        "(taper-speed)\n"
    )


def test_i14_sixty_percent_a_step_is_an_error(run_cli: Run, tmp_path: Path) -> None:
    """Issue 14: above the 50 % ceiling a step is an error, not a warning (99 % took
    oxycodone 60 → 20 mg → stop under a file that validated)."""
    text = edit(
        shipped("se-vgr.yaml"), REDUCTION, "      percent: 10\n      max_percent: 60\n", after=RULE
    )
    path = write(tmp_path, text)
    r = run_cli("guidelines", "validate", "-f", "parsable", str(path))
    line, col = place(text, "max_percent: 60", 13, after=RULE)
    assert r.code == 1
    assert (
        f"{path}:{line}:{col}: [error] rule bzd-angestdampande: reduction.max_percent 60 % is"
        in r.out
    )
    assert "(taper-speed)" in r.out


def test_s1_twenty_five_percent_is_not_flagged() -> None:
    text = shipped("se-vgr.yaml")
    assert "max_percent: 25" in text
    assert [f for f in findings(text) if f[0] == "taper-speed"] == []


def test_s1_slow_down_of_100_percent_is_an_error() -> None:
    text = edit(
        shipped("us-cdc-2022.yaml"),
        "    slow_down:\n      below_percent_of_start: 30\n      percent: 10\n",
        "    slow_down:\n      below_percent_of_start: 10\n      percent: 100\n",
    )
    got = [f for f in findings(text, "us-cdc-2022.yaml") if f[0] == "taper-speed"]
    line, col = place(text, "percent: 100", 9)
    assert [(f[1], f[2], f[3]) for f in got] == [("error", line, col)]
    assert "slow_down.percent 100 stops the drug in one step" in got[0][4]


def test_s1_switch_reduction_50_is_not_a_taper_step_but_100_is_an_error() -> None:
    text = shipped("se-vgr.yaml")
    assert "switch_reduction_percent: 50" in text  # Region Uppsala: start at about 50 %
    edited = edit(text, "switch_reduction_percent: 50", "switch_reduction_percent: 100")
    got = [f for f in findings(edited) if f[0] == "taper-speed"]
    line, col = place(edited, "switch_reduction_percent: 100", 26)
    assert [(f[1], f[2], f[3]) for f in got] == [("error", line, col)]
    assert "leaves no dose of the drug switched to" in got[0][4]


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_shipped_files_raise_none_of_the_new_findings(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert [f for f in findings(text, path.name) if f[0] in NEW_RULES] == []


# ------------------------------------------------------------ S3: one missing path


def test_s3_a_missing_path_does_not_hide_the_other_files_findings(
    run_cli: Run, tmp_path: Path
) -> None:
    text = edit(shipped("se-vgr.yaml"), "group: anxiolytic", "group:\u00a0anxiolytic")
    path = write(tmp_path, text, "e_typo.yaml")
    missing = str(tmp_path / "nope.yaml")
    line, col = place(text, "\u00a0")
    sentence = f"taper: Rule file {missing} does not exist.\n"
    for fmt in ("text", "parsable", "json", "github"):
        r = run_cli("guidelines", "validate", str(path), missing, "--format", fmt)
        assert (r.code, r.err) == (2, sentence), fmt
        if fmt == "json":
            doc = json.loads(r.out)
            assert (doc["valid"], doc["unusable"]) == (False, 1)
            found = doc["files"][0]["findings"][0]
            assert (found["line"], found["col"], found["rule"]) == (line, col, "yaml-invisible")
        else:
            assert f"{line}" in r.out, fmt
            assert "yaml-invisible" in r.out, fmt
    r = run_cli("guidelines", "validate", str(path), missing)
    assert r.out.endswith(
        "1 file checked: 1 error in 1 file: not valid. 1 path could not be checked (see stderr).\n"
    )


def test_s3_each_unusable_path_gets_its_sentence_in_argument_order(
    run_cli: Run, tmp_path: Path
) -> None:
    ok = write(tmp_path, shipped("se-vgr.yaml"))
    empty = tmp_path / "empty"
    empty.mkdir()
    r = run_cli("guidelines", "validate", "no/a.yaml", str(ok), str(empty), "no/a.yaml")
    assert r.code == 2
    assert (
        r.out == f"{ok}: valid\n1 file checked: valid. 2 paths could not be checked (see stderr).\n"
    )
    assert r.err == (
        f"taper: Rule file no/a.yaml does not exist. Folder {empty} holds no .yaml rule files.\n"
    )


def test_s3_only_unusable_paths_print_no_report(run_cli: Run) -> None:
    r = run_cli("guidelines", "validate", "no/a.yaml", "-f", "json")
    assert (r.code, r.out, r.err) == (2, "", "taper: Rule file no/a.yaml does not exist.\n")


# ------------------------------------------------------------ S3: contradictions


def test_s3_split_half_on_a_patch_is_an_error() -> None:
    text = edit(
        shipped("se-vgr.yaml"),
        "{amount: 12}, {amount: 25}",
        "{amount: 12, split: half}, {amount: 25}",
    )
    got = [f for f in findings(text) if f[0] == "split-consistent"]
    line, col = place(text, "{amount: 12, split: half}", 20)
    assert [(f[1], f[2], f[3]) for f in got] == [("error", line, col)]
    assert got[0][4] == (
        "fentanyl Fentanyl Sandoz 12 mcg/h: a patch is used whole, never split (split: half); "
        "remove the split"
    )


def test_s3_same_strength_twice_with_different_splits_is_an_error() -> None:
    old = "strengths: [{amount: 5, split: half}, {amount: 10, split: half}, {amount: 15}]"
    new = "strengths: [{amount: 5, split: half}, {amount: 5}, {amount: 10, split: half}]"
    text = edit(shipped("se-vgr.yaml"), old, new)
    got = [f for f in findings(text) if f[0] == "split-consistent"]
    first = place(text, new, 12)
    line, col = place(text, new, new.index("{amount: 5}") + 9)
    assert [(f[1], f[2], f[3]) for f in got] == [("error", line, col)]
    assert got[0][4] == (
        f"oxazepam Sobril 5 mg is listed twice with different split rules (split: half at "
        f"{first[0]}:{first[1]}, split: none here): is it scored or not? Keep one"
    )


def test_s3_three_months_aftercare_in_the_tub_file_is_a_warning() -> None:
    text = edit(shipped("se-vgr.yaml"), "    minimum: 6m\n", "    minimum: 3m\n")
    text = edit(text, "offsets: [2w, 1m, 3m, 6m]", "offsets: [2w, 1m, 3m]")
    got = [f for f in findings(text) if f[0] == "aftercare-tub"]
    line, col = place(text, "minimum: 3m", 9)
    assert [(f[1], f[2], f[3]) for f in got] == [("warning", line, col)]


@pytest.mark.parametrize("name", ["no-helsedir.yaml", "uk-ashton.yaml", "us-cdc-2022.yaml"])
def test_s3_three_months_aftercare_outside_the_tub_model_is_not_flagged(name: str) -> None:
    text = shipped(name)
    assert "    minimum: 3m\n" in text  # their sources give no six months
    assert [f for f in findings(text, name) if f[0] == "aftercare-tub"] == []


def test_s3_tub_file_with_26_weeks_is_six_months() -> None:
    text = edit(shipped("se-vgr.yaml"), "    minimum: 6m\n", "    minimum: 26w\n")
    assert [f for f in findings(text) if f[0] == "aftercare-tub"] == []


# ------------------------------------------------------------ S3: YAML messages


def test_s3_non_breaking_space_after_a_key_is_named_at_its_place() -> None:
    text = edit(shipped("se-vgr.yaml"), "group: anxiolytic", "group:\u00a0anxiolytic")
    line, col = place(text, "\u00a0")
    assert findings(text) == [
        (
            "yaml-invisible",
            "error",
            line,
            col,
            "a non-breaking space (U+00A0) after 'group:', invisible in most editors (often "
            "pasted from Word or a web page); delete it and type an ordinary space if one is "
            "needed",
        )
    ]


@pytest.mark.parametrize(
    ("old", "new", "needle", "what"),
    [
        ("group: anxiolytic", "group: anxiolytic\u00a0", "\u00a0", "a non-breaking space"),
        ("group: anxiolytic", "group: anxio\u200blytic", "\u200b", "a zero-width space"),
        ("    group: anxiolytic", "\ufeff    group: anxiolytic", "\ufeff", "a byte-order mark"),
        ("    group: anxiolytic", "  \u00a0 group: anxiolytic", "\u00a0", "a non-breaking space"),
        ("    group: anxiolytic", "    group\u200b: anxiolytic", "\u200b", "a zero-width space"),
    ],
)
def test_s3_invisible_characters_are_named_at_their_exact_place(
    old: str, new: str, needle: str, what: str
) -> None:
    text = edit(shipped("se-vgr.yaml"), old, new)
    got = [f for f in findings(text) if f[1] == "error"]
    assert [(f[0], f[2], f[3]) for f in got] == [("yaml-invisible", *place(text, needle))]
    assert got[0][4].startswith(what)


def test_s3_non_breaking_space_between_words_of_a_value_is_typography() -> None:
    doc, found = parse_yaml("note: 6\u00a0months of aftercare\n".encode(), "t.yaml")
    assert found == []
    assert doc is not None
    assert doc.data == {"note": "6\u00a0months of aftercare"}


@pytest.mark.parametrize("tail", ["notes: [", "notes: [one,\n", "notes: [one, two\n", "x: {a: 1\n"])
def test_s3_bracket_left_open_at_the_end_names_where_it_opened(tail: str) -> None:
    body = shipped("se-vgr.yaml")
    text = body + tail
    bracket = tail[tail.index(":") + 2]
    line, col = body.count("\n") + 1, tail.index(":") + 3
    closer = "]" if bracket == "[" else "}"
    assert findings(text) == [
        (
            "yaml-syntax",
            "error",
            line,
            col,
            f"the '{bracket}' opened at {line}:{col} is never closed; add '{closer}' after its "
            "last item",
        )
    ]


def test_s3_aftercare_minimum_as_a_bare_number_says_how_to_write_a_period() -> None:
    text = edit(shipped("se-vgr.yaml"), "    minimum: 6m\n", "    minimum: 180\n")
    line, col = place(text, "minimum: 180", 9)
    assert findings(text) == [
        (
            "schema",
            "error",
            line,
            col,
            "checkpoints.aftercare.minimum: must be a period such as 6m, 26w or 180d (months, "
            "weeks, days), not 180",
        )
    ]


def test_s3_version_as_a_number_says_quote_it() -> None:
    text = edit(shipped("se-vgr.yaml"), 'version: "2026.1"', "version: 2026.10")
    line, col = place(text, "version: 2026.10", 9)
    assert findings(text) == [
        ("schema", "error", line, col, 'version: must be text, not 2026.10; quote it: "2026.10"')
    ]


def test_s3_factor_with_amount_says_a_conversion_takes_one_or_the_other() -> None:
    old = "      - drug: oxazepam\n        amount: 15\n        equals: 5\n"
    new = "      - drug: oxazepam\n        factor: 2\n        amount: 10\n"
    text = edit(shipped("se-vgr.yaml"), old, new)
    line, col = place(text, new, new.index("amount"))
    assert [f for f in findings(text) if f[1] == "error"] == [
        (
            "conversion-basis",
            "error",
            line,
            col,
            "oxazepam: gives `factor` and `amount` (without `equals`); a conversion takes either "
            "`factor` or `amount` + `equals` (or `bands`, or `points`): keep `factor` alone, or "
            "write `amount` with `equals` instead",
        )
    ]
