"""The corpus: valid files must pass, each invalid file must fail with its stated rule and place.

`tests/corpus/invalid/<rule-id>/<case>.yaml` starts with `# expect: <rule-id> <line>:<col>`
(or just `<line>`); more `# expect:` lines may follow. Adding a case is adding a file.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from taper.guideline.checks import PARSE_RULES, REGISTRY
from taper.guideline.loader import validate_bytes, validate_file

CORPUS = Path(__file__).resolve().parent / "corpus"
VALID = sorted((CORPUS / "valid").glob("*.y*ml"))
INVALID = sorted((CORPUS / "invalid").glob("*/*.y*ml"))
SHIPPED = sorted((Path(__file__).resolve().parent.parent / "guidelines").glob("*.yaml"))


def _ids(paths: list[Path]) -> list[str]:
    return [f"{p.parent.name}/{p.stem}" for p in paths]


def expectations(raw: bytes) -> list[tuple[str, int, int | None]]:
    found = []
    for line in raw.split(b"\n"):
        text = line.decode("latin-1").strip()
        if not text.startswith("# expect:"):
            break
        rule, where = text.removeprefix("# expect:").split()
        line_no, _, col = where.partition(":")
        found.append((rule, int(line_no), int(col) if col else None))
    return found


@pytest.mark.parametrize("path", VALID, ids=_ids(VALID))
def test_valid_corpus_file_has_no_findings(path: Path) -> None:
    result = validate_file(path)
    assert [f.parsable() for f in result.findings] == []
    assert result.ok
    assert result.loaded is not None


@pytest.mark.parametrize("path", INVALID, ids=_ids(INVALID))
def test_invalid_corpus_file_fails_with_its_rule_at_its_place(path: Path) -> None:
    raw = path.read_bytes()
    expected = expectations(raw)
    assert expected, f"{path} must start with '# expect: <rule-id> <line>:<col>'"
    result = validate_bytes(raw, str(path))
    shown = [f.parsable() for f in result.findings]
    for rule, line, col in expected:
        assert rule == path.parent.name, "a case lives in the folder of the rule it expects"
        assert any(
            f.rule == rule and f.line == line and (col is None or f.col == col)
            for f in result.findings
        ), f"expected {rule} at {line}:{col}, got {shown}"
    stray = [f.parsable() for f in result.findings if f.level == "error" and f.rule != rule]
    assert stray == [], "a case should break one rule only"


def test_every_rule_has_an_invalid_case() -> None:
    covered = {p.parent.name for p in INVALID}
    assert set(REGISTRY) | set(PARSE_RULES) <= covered
    assert covered <= set(REGISTRY) | set(PARSE_RULES), "a folder is named after an unknown rule"


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_shipped_guideline_validates(path: Path) -> None:
    result = validate_file(path)
    errors = [f.parsable() for f in result.findings if f.level == "error"]
    assert errors == []


def test_shipped_guidelines_folder() -> None:
    if not SHIPPED:
        pytest.skip("guidelines/ holds no rule files yet")
    for path in SHIPPED:
        first_lines = path.read_text(encoding="utf-8").splitlines()[:3]
        assert any("yaml-language-server: $schema=" in line for line in first_lines), (
            f"{path.name} should start with a yaml-language-server modeline for completion"
        )
