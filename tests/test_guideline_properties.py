"""Property tests for rule files: dump → load round-trips, and broken input never crashes.

Invariants:
- a valid rule file, dumped back to YAML in any style, loads to an equal `Guideline`;
- any number written in a file is read as exactly that Decimal;
- a value, key or byte changed at random is either still valid or reported as findings with
  positions inside the file and known rule ids; the validator never raises;
- whenever the changed data is not a valid `Guideline`, at least one error is reported.
"""

from __future__ import annotations

import copy
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from taper.guideline.checks import PARSE_RULES, REGISTRY
from taper.guideline.loader import ValidationResult, validate_bytes
from taper.guideline.model import Guideline

HERE = Path(__file__).resolve().parent
VALID = sorted((HERE / "corpus" / "valid").glob("*.yaml"))
SHIPPED = sorted((HERE.parent / "guidelines").glob("*.yaml"))
FILES = VALID + SHIPPED
RULES = set(REGISTRY) | set(PARSE_RULES)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def load(path: Path) -> Guideline:
    result = validate_bytes(path.read_bytes(), str(path))
    assert result.loaded is not None
    return result.loaded.guideline


LOADED = {path: load(path) for path in FILES}


class _DecimalDumper(yaml.SafeDumper):
    """Writes Decimals as plain YAML numbers, the way an editor would."""


def _decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:float", f"{value:f}")


_DecimalDumper.add_representer(Decimal, _decimal)


def check_result(result: ValidationResult, raw: bytes) -> None:
    # YAML also breaks lines at CR, NEL, LS and PS; splitlines() counts all of those
    lines = len(raw.decode("utf-8", "replace").splitlines()) + 2
    for f in result.findings:
        assert f.rule in RULES, f
        assert f.level in ("error", "warning")
        assert 1 <= f.line <= lines, f
        assert f.col >= 1, f
        assert f.message
    if result.loaded is None:
        assert any(f.level == "error" for f in result.findings)


@SETTINGS
@given(
    path=st.sampled_from(FILES),
    flow=st.sampled_from([False, True, None]),
    sort_keys=st.booleans(),
    width=st.integers(min_value=20, max_value=200),
    unicode=st.just(True),  # pyyaml's emitter mis-escapes line breaks after \uXXXX escapes
    indent=st.integers(min_value=2, max_value=6),
    as_numbers=st.booleans(),
)
def test_dump_then_load_round_trips(
    path: Path,
    flow: bool | None,
    sort_keys: bool,
    width: int,
    unicode: bool,
    indent: int,
    as_numbers: bool,
) -> None:
    guideline = LOADED[path]
    if as_numbers:
        data = guideline.model_dump(mode="python", by_alias=True, exclude_defaults=True)
        data = _plain(data)
        text = yaml.dump(
            data,
            Dumper=_DecimalDumper,
            default_flow_style=flow,
            sort_keys=sort_keys,
            width=width,
            allow_unicode=unicode,
            indent=indent,
        )
    else:
        data = guideline.model_dump(mode="json", by_alias=True, exclude_defaults=True)
        text = yaml.safe_dump(
            data,
            default_flow_style=flow,
            sort_keys=sort_keys,
            width=width,
            allow_unicode=unicode,
            indent=indent,
        )
    result = validate_bytes(text.encode(), f"{guideline.id}.yaml")
    assert [f.parsable() for f in result.findings if f.level == "error"] == []
    assert result.loaded is not None
    assert result.loaded.guideline == guideline


def _plain(value: Any) -> Any:
    """model_dump(mode="python") with dates and tuples made YAML-safe, Decimals kept."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


MINIMAL = (HERE / "corpus" / "valid" / "minimal.yaml").read_text(encoding="utf-8")


@SETTINGS
@given(
    value=st.decimals(
        min_value=Decimal("0.0001"), max_value=Decimal("100000"), places=4, allow_nan=False
    )
)
def test_numbers_are_read_exactly(value: Decimal) -> None:
    text = MINIMAL.replace("        factor: 1\n", f"        factor: {value}\n")
    result = validate_bytes(text.encode(), "minimal.yaml")
    assert result.loaded is not None
    factor = result.loaded.guideline.equivalence["benzodiazepine"].conversions[0].factor
    assert isinstance(factor, Decimal)
    assert factor == value


# ---------------------------------------------------------------- broken input

_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.decimals(allow_nan=False, allow_infinity=False, places=3),
    st.text(max_size=20),
    st.sampled_from(["yes", "no", "NO", "on", "off", "", "-1", "0", "1e999", "2024-13-45", "?"]),
)
_VALUES = st.one_of(
    _SCALARS,
    st.lists(_SCALARS, max_size=3),
    st.dictionaries(st.text(min_size=1, max_size=8), _SCALARS, max_size=3),
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            out += _paths(value, (*prefix, index))
    return out


class _QuotingDumper(yaml.SafeDumper):
    """Every string double-quoted. PyYAML plain-writes strings that are numbers only in YAML 1.2
    (e.g. "0E0"), which taper's YAML 1.2 reader then rightly reads as numbers; quoted, a string
    stays the string the test put in the tree."""


_QuotingDumper.add_representer(
    str, lambda dumper, text: dumper.represent_scalar("tag:yaml.org,2002:str", text, style='"')
)


def _json_safe(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_safe(v) for v in value]
    return value


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_changes_are_reported_never_raised(data: st.DataObject) -> None:
    path = data.draw(st.sampled_from(FILES), label="file")
    tree = LOADED[path].model_dump(mode="json", by_alias=True, exclude_defaults=True)
    tree = copy.deepcopy(tree)
    target = data.draw(st.sampled_from(_paths(tree)[1:]), label="path")
    parent: Any = tree
    for part in target[:-1]:
        parent = parent[part]
    action = data.draw(st.sampled_from(["replace", "delete", "add-key"]), label="action")
    if action == "replace":
        parent[target[-1]] = _json_safe(data.draw(_VALUES, label="value"))
    elif action == "delete":
        del parent[target[-1]]
    else:
        node = parent[target[-1]]
        if isinstance(node, dict):
            node[data.draw(st.text(min_size=1, max_size=10), label="key")] = _json_safe(
                data.draw(_SCALARS, label="value")
            )
    raw = yaml.dump(tree, Dumper=_QuotingDumper, allow_unicode=True).encode()
    result = validate_bytes(raw, "changed.yaml")
    check_result(result, raw)
    try:
        Guideline.model_validate(tree)
    except ValidationError:
        assert not result.ok, "an invalid value was not reported"


@settings(max_examples=300, deadline=None)
@given(raw=st.binary(max_size=2000))
def test_random_bytes_never_raise(raw: bytes) -> None:
    result = validate_bytes(raw, "bytes.yaml")
    check_result(result, raw)
    assert not result.ok or result.loaded is not None


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    path=st.sampled_from(FILES),
    where=st.floats(min_value=0, max_value=1),
    junk=st.text(min_size=1, max_size=12),
    cut=st.integers(min_value=0, max_value=12),
)
def test_random_edits_to_text_never_raise(path: Path, where: float, junk: str, cut: int) -> None:
    text = path.read_text(encoding="utf-8")
    at = int(len(text) * where)
    raw = (text[:at] + junk + text[at + cut :]).encode("utf-8", "surrogatepass")
    result = validate_bytes(raw, str(path))
    check_result(result, raw)


def test_regression_key_that_looks_like_a_pydantic_marker() -> None:
    """Shrunk from test_random_edits_to_text_never_raise: '0[' typed before a comment."""
    text = (HERE / "corpus" / "valid" / "full.yaml").read_text(encoding="utf-8")
    raw = ("0[" + text).encode()
    result = validate_bytes(raw, "full.yaml")
    check_result(result, raw)
    assert [(f.rule, f.line, f.col) for f in result.findings] == [("schema", 1, 1)]


def test_regression_0E0_is_a_number_in_yaml_1_2_and_a_string_when_quoted() -> None:
    """Found by the property above: PyYAML (YAML 1.1) writes the string "0E0" unquoted, and
    taper's YAML 1.2 reader reads that as the number 0. The test now quotes its strings; the
    reader keeps the YAML 1.2 reading."""
    from taper.guideline.yamlstrict import parse_yaml

    plain, _ = parse_yaml(b"mapping_days: 0E0\n", "plain.yaml")
    quoted, _ = parse_yaml(yaml.dump({"mapping_days": "0E0"}, Dumper=_QuotingDumper).encode(), "q")
    assert plain is not None
    assert quoted is not None
    assert plain.data["mapping_days"] == 0
    assert not isinstance(plain.data["mapping_days"], str)
    assert quoted.data == {"mapping_days": "0E0"}
