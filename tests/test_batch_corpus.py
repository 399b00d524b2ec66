"""Every batch CSV in tests/corpus/csv/ against its expectation: adding a case is adding a file.

Each `NAME.csv` has a sidecar `NAME.expect`, one `key: value` a line (`#` starts a comment):

    exit: 1                      the exit code (required)
    stderr: :3: the row has      a fragment stderr must contain (repeatable)
    stdout: Planned 2 of 2       a fragment stdout must contain (repeatable)
    files: P1.json summary.csv   exactly the files left in the output folder
    summary: '=SUM(A1:A9)        a fragment the summary CSV must contain (repeatable)

The cases run with stand-ins for the planner and the guideline loader (guidelines `test-se`
and `test-no`; see batch_helpers.py) and `--format json`, so they test the batch machinery
alone. Whatever the case, stderr never holds a traceback or an "internal error".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest
from batch_helpers import fake_batch_fixture  # noqa: F401  (fixture)

CORPUS = Path(__file__).parent / "corpus" / "csv"


@dataclass
class Expect:
    exit: int
    stderr: list[str] = field(default_factory=list)
    stdout: list[str] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)
    files: list[str] | None = None


def read_expect(path: Path) -> Expect:
    values: dict[str, list[str]] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition(":")
        assert sep, f"{path.name}: {raw!r} is not 'key: value'"
        assert key in {"exit", "stderr", "stdout", "files", "summary"}, f"{path.name}: {key}"
        values.setdefault(key, []).append(value.strip() if key != "stderr" else value[1:])
    assert "exit" in values, f"{path.name} has no 'exit:' line"
    return Expect(
        exit=int(values["exit"][0]),
        stderr=values.get("stderr", []),
        stdout=values.get("stdout", []),
        summary=values.get("summary", []),
        files=values["files"][0].split() if "files" in values else None,
    )


CASES = sorted(CORPUS.glob("*.csv"))


def test_every_case_has_an_expectation() -> None:
    assert CASES
    for case in CASES:
        assert case.with_suffix(".expect").is_file(), f"{case.name} has no .expect file"
    for expect in CORPUS.glob("*.expect"):
        assert expect.with_suffix(".csv").is_file(), f"{expect.name} has no .csv file"


@pytest.mark.usefixtures("fake_batch")
@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_corpus_case(run_cli, tmp_path: Path, case: Path) -> None:  # type: ignore[no-untyped-def]
    expect = read_expect(case.with_suffix(".expect"))
    out = tmp_path / "out"
    result = run_cli("batch", str(case), "--out-dir", str(out), "--format", "json")
    assert result.code == expect.exit, result.err
    assert "Traceback" not in result.err
    assert "internal error" not in result.err
    for fragment in expect.stderr:
        assert fragment in result.err
    for fragment in expect.stdout:
        assert fragment in result.out
    if expect.exit == 2:
        assert result.err.startswith("taper: ")
        assert result.err.count("\n") == 1
        assert not out.exists()
    else:
        assert result.err.count("\n") == len(result.err.splitlines())  # every line complete
    if expect.files is not None:
        assert sorted(p.name for p in out.iterdir()) == sorted(expect.files)
    if expect.summary:
        summary = (out / "summary.csv").read_text(encoding="utf-8-sig")
        for fragment in expect.summary:
            assert fragment in summary
