"""The strict YAML reader: YAML 1.2 scalars, exact decimals, positions, and refusals."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
import yaml

from taper.guideline import yamlstrict
from taper.guideline.yamlstrict import Position, parse_yaml


def data(text: str) -> Any:
    doc, findings = parse_yaml(text.encode(), "t.yaml")
    assert findings == []
    assert doc is not None
    return doc.data


def problems(raw: bytes | str) -> list[tuple[str, int, int, str]]:
    if isinstance(raw, str):
        raw = raw.encode()
    _, findings = parse_yaml(raw, "t.yaml")
    return [(f.rule, f.line, f.col, f.message) for f in findings]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("NO", "NO"),
        ("no", "no"),
        ("yes", "yes"),
        ("Yes", "Yes"),
        ("on", "on"),
        ("off", "off"),
        ("y", "y"),
        ("true", True),
        ("True", True),
        ("FALSE", False),
        ("~", None),
        ("null", None),
        ("", None),
        ("12", 12),
        ("-3", -3),
        ("0o17", 15),
        ("0x1F", 31),
        ("0.1", Decimal("0.1")),
        ("2.50", Decimal("2.50")),
        ("1e3", Decimal("1e3")),
        ("3.", Decimal("3")),
        ("012", 12),
        ("2024-01-01", "2024-01-01"),
        ("1:30", "1:30"),
        ("'12'", "12"),
        ('"true"', "true"),
        ("!!str 12", "12"),
        ("!!str true", "true"),
        ("!!int '7'", 7),
        ("!!float 1", Decimal(1)),
        ("!!bool true", True),
        ("!!null ''", None),
    ],
)
def test_scalars_follow_yaml_1_2_core_schema(text: str, value: object) -> None:
    got = data(f"key: {text}\n")["key"]
    assert got == value
    assert type(got) is type(value)


def test_decimals_are_exact() -> None:
    assert data("a: 0.1\nb: 0.2\n") == {"a": Decimal("0.1"), "b": Decimal("0.2")}
    assert data("a: 0.1\n")["a"] + Decimal("0.2") == Decimal("0.3")


def test_infinity_and_nan_become_decimals() -> None:
    got = data("a: .inf\nb: -.Inf\nc: .nan\n")
    assert got["a"] == Decimal("Infinity")
    assert got["b"] == Decimal("-Infinity")
    assert got["c"].is_nan()


def test_positions_of_keys_and_values() -> None:
    doc, _ = parse_yaml(b"id: x\nlist:\n  - a: 1\n    b: [2, 3]\n", "t.yaml")
    assert doc is not None
    assert doc.keys[("id",)] == Position(1, 1)
    assert doc.values[("id",)] == Position(1, 5)
    assert doc.values[("list", 0, "b", 1)] == Position(4, 12)
    assert doc.keys[("list", 0, "b")] == Position(4, 5)
    assert doc.locate(("list", 0, "b", 7)) == Position(4, 8)  # nearest written ancestor
    assert doc.locate(("list", 0, "c"), key=True) == Position(3, 5)
    assert doc.locate(("nowhere", 3)) == Position(1, 1)


def test_columns_count_characters_not_bytes() -> None:
    doc, _ = parse_yaml("å: ø\nb: [æ, x]\n".encode(), "t.yaml")
    assert doc is not None
    assert doc.values[("å",)] == Position(1, 4)
    assert doc.values[("b", 1)] == Position(2, 8)


def test_anchors_and_aliases_are_expanded() -> None:
    assert data("a: &x {k: 1}\nb: *x\n") == {"a": {"k": 1}, "b": {"k": 1}}


def test_bom_is_accepted() -> None:
    doc, findings = parse_yaml("\ufeffa: 1\n".encode(), "t.yaml")
    assert findings == []
    assert doc is not None
    assert doc.data == {"a": 1}


def test_duplicate_keys_are_reported_and_first_kept() -> None:
    doc, findings = parse_yaml(b"a: 1\nb:\n  c: 2\n  c: 3\n", "t.yaml")
    assert [(f.rule, f.line, f.col, f.message) for f in findings] == [
        ("yaml-duplicate-key", 4, 3, "key 'c' is defined twice (first at line 3)")
    ]
    assert doc is not None
    assert doc.data == {"a": 1, "b": {"c": 2}}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: !!python/object:os.system x\n", ("yaml-tag", 1, 4)),
        ("a: !!python/name:os.system\n", ("yaml-tag", 1, 4)),
        ("a: !include x.yaml\n", ("yaml-tag", 1, 4)),
        ("a: !!set {x}\n", ("yaml-tag", 1, 4)),
        ("a: !!omap [x: 1]\n", ("yaml-tag", 1, 4)),
        ("a: !!timestamp 2024-01-01\n", ("yaml-tag", 1, 4)),
        ("a: !!int x\n", ("yaml-tag", 1, 4)),
        ("a: !!bool yes\n", ("yaml-tag", 1, 4)),
        ("? [x]\n: 1\n", ("yaml-key", 1, 3)),
        ("a: &x [*x]\n", ("yaml-recursive-alias", 1, 4)),
        ("- 1\n- 2\n", ("yaml-not-mapping", 1, 1)),
        ("text\n", ("yaml-not-mapping", 1, 1)),
        ("", ("yaml-empty", 1, 1)),
        ("# only a comment\n", ("yaml-empty", 1, 1)),
        ("a: 1\n---\nb: 2\n", ("yaml-syntax", 2, 1)),
        ("a:\n\tb: 1\n", ("yaml-syntax", 2, 1)),
        ("a: *undefined\n", ("yaml-syntax", 1, 4)),
        ("a: 1\n\x07\n", ("yaml-syntax", 2, 1)),
    ],
)
def test_refusals(text: str, expected: tuple[str, int, int]) -> None:
    found = problems(text)
    assert [f[:3] for f in found] == [expected]


def test_messages_are_plain() -> None:
    assert problems('a: "open\nb: 1\n')[0][3] == (
        "a quoted value is never closed (it starts at line 1, column 4)"
    )
    assert problems("a:\n\tb: 1\n")[0][3] == "a tab character; YAML is indented with spaces only"
    assert problems("a: 1\n\x07\n")[0][3] == (
        "the file contains a control character (#x07) that YAML does not allow; remove it"
    )
    assert "is a quote on line 1 left open?" in problems('a: "x\nb: "1"\n')[0][3]


def test_encoding_problems() -> None:
    assert problems("a: Jönköping\n".encode("latin-1"))[0][:3] == ("yaml-encoding", 1, 5)
    assert problems("a: å\nb: Bodø\n".encode("cp1252"))[0][:3] == ("yaml-encoding", 1, 4)
    assert problems("a: 1\n".encode("utf-16"))[0][:2] == ("yaml-encoding", 1)
    assert problems(b"a: 1\nb: \x00\n")[0][:3] == ("yaml-encoding", 2, 4)


def test_alias_bomb_is_bounded() -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for prev, name in zip("abcdefg", "bcdefgh", strict=True):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]")
    found = problems("\n".join(lines) + "\n")
    assert [f[0] for f in found] == ["yaml-too-large"]


def test_deep_nesting_is_bounded_where_libyaml_stops_it() -> None:
    # 5,000 levels: libyaml's scanner (PyYAML >= 6.0.4) or, without it, our bound answers.
    found = problems("a: " + "[" * 5000 + "]" * 5000 + "\n")
    assert [f[0] for f in found] == ["yaml-too-large"]
    assert found[0][1] == 1


def test_deep_nesting_is_bounded_by_our_own_limit_with_its_place() -> None:
    # Deeper than MAX_DEPTH, far below libyaml's 1,000: our bound, at the first node too deep.
    depth = yamlstrict.MAX_DEPTH + 5
    found = problems("a:\n  b: " + "[" * depth + "]" * depth + "\n")
    assert [f[0] for f in found] == ["yaml-too-large"]
    assert found[0][1:3] == (2, 6 + yamlstrict.MAX_DEPTH - 1)
    assert "nested more than 64 levels" in found[0][3]


def test_libyaml_nesting_error_is_reported_as_too_large() -> None:
    exc = yaml.MarkedYAMLError(
        context="while increasing flow level",
        problem="exceeded maximum nesting depth",
        problem_mark=yaml.Mark("f", 1002, 0, 1002, "", 0),
    )
    finding = yamlstrict._syntax_finding(exc, "a: " + "[" * 1000, "f.yaml")
    assert (finding.rule, finding.line, finding.col) == ("yaml-too-large", 1, 1003)


def test_size_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yamlstrict, "MAX_BYTES", 100)
    assert problems(b"a: " + b"x" * 200)[0][:3] == ("yaml-too-large", 1, 1)
