"""A strict YAML reader that remembers where every value was written.

pyyaml's safe loader silently keeps the last of two duplicate keys and reads `NO` (Norway) as
false (YAML 1.1). Rule files are clinical data, so this reader composes the node tree with the C
parser and builds the values itself: YAML 1.2 core-schema scalars only, floats as exact
`Decimal`, duplicate keys and non-standard tags reported, alias expansion bounded, and the
line and column of every key and value kept for error messages.
"""

from __future__ import annotations

import gc
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

import yaml

from taper.guideline.findings import Finding
from taper.guideline.yaml_syntax import (
    INVISIBLE,
    INVISIBLE_RE,
    ZERO_WIDTH,
    invisible_message,
    invisible_near_error,
    position,
    syntax_message,
)

Path = tuple[str | int, ...]

MAX_BYTES = 5_000_000
MAX_NODES = 200_000  # bounds alias expansion ("billion laughs")
# Values written in the file (before aliases): a shipped rule file has about 1,500. Counted
# from the parser's events before anything is built, so a file of 100,000 stray keys is
# refused in a fraction of a second instead of built, schema-checked and listed.
MAX_WRITTEN_NODES = 20_000
# A rule file nests about six levels; libyaml itself stops at 1,000 (PyYAML >= 6.0.4), and
# Python's recursion limit would stop the builder near there. Our own bound answers first,
# at the place, whichever parser is installed.
MAX_DEPTH = 64
# A clinical number (a dose, factor, percent, strength or count of days) needs a few digits
# and no exponent to speak of. Anything beyond these is refused as written, before it becomes
# a Decimal or int: `1e999999999` would make later arithmetic hang, a 5,001-digit integer
# overflows Python's int parser, and neither can be a dose.
MAX_DIGITS = 15
MAX_MAGNITUDE_EXP = 9  # 10**-9 <= |x| < 10**9 (or exactly 0)

_TAG = "tag:yaml.org,2002:"
_STANDARD_SCALAR_TAGS = {_TAG + t for t in ("str", "int", "float", "bool", "null")}
# \Z, not $: `$` also matches before a final newline ("12\n" is not an integer).
_NULL = re.compile(r"^(~|null|Null|NULL|)\Z")
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"^[-+]?[0-9]+\Z")
_INT_OCT = re.compile(r"^0o[0-7]+\Z")
_INT_HEX = re.compile(r"^0x[0-9a-fA-F]+\Z")
_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")
_INF = re.compile(r"^[-+]?\.(inf|Inf|INF)\Z")
_NAN = re.compile(r"^\.(nan|NaN|NAN)\Z")

# A number as written: sign, digits with an optional point, optional exponent.
_NUMBER_PARTS = re.compile(
    r"^[-+]?(?P<int>[0-9]*)(?:\.(?P<frac>[0-9]*))?(?:[eE](?P<exp>[-+]?[0-9]+))?\Z"
)

_PLAIN = "tag:taper,2024:plain"  # an untagged plain scalar, resolved by the YAML 1.2 core schema

try:  # the C parser is much faster; fall back to pure Python where libyaml is missing
    _BaseLoader: type = yaml.CBaseLoader
except AttributeError:  # pragma: no cover
    _BaseLoader = yaml.BaseLoader


class _ComposeLoader(_BaseLoader):  # type: ignore[misc]
    """Composes nodes only; marks untagged plain scalars so `!!str 5` stays a string."""

    def resolve(self, kind: type, value: str, implicit: tuple[bool, bool]) -> str:
        if kind is yaml.ScalarNode and implicit[0]:
            return _PLAIN
        if not self.yaml_path_resolvers:  # the base resolver's answer, without its lookups
            return _DEFAULT_TAGS[kind]
        tag: str = super().resolve(kind, value, implicit)  # pragma: no cover
        return tag


_DEFAULT_TAGS = {
    yaml.ScalarNode: _TAG + "str",
    yaml.SequenceNode: _TAG + "seq",
    yaml.MappingNode: _TAG + "map",
}


class Position(NamedTuple):
    """Where a key or value starts (1-based). A tuple: one is made for every node."""

    line: int
    col: int


@dataclass
class YamlDocument:
    path: str
    data: Any
    values: dict[Path, Position] = field(default_factory=dict)
    keys: dict[Path, Position] = field(default_factory=dict)
    # Walks over the model built from this document (see `checks._util.walk`).
    walks: dict[tuple[int, Path], tuple[Any, Any]] = field(
        default_factory=dict, repr=False, compare=False
    )

    def locate(self, path: Path, *, key: bool = False) -> Position:
        """Position of `path`, or of its nearest written ancestor."""
        probe = tuple(path)
        while True:
            if key and probe in self.keys:
                return self.keys[probe]
            if probe in self.values:
                return self.values[probe]
            if not probe:
                return Position(1, 1)
            probe = probe[:-1]


class _Abort(Exception):
    def __init__(self, finding: Finding) -> None:
        self.finding = finding


def _mark(node: yaml.Node) -> Position:
    mark = node.start_mark
    return Position(mark.line + 1, mark.column + 1)


# A plain scalar starting with none of these is text under every rule below.
_NOT_TEXT_STARTS = frozenset("~nNtTfF-+.0123456789")


def _resolve_plain(value: str) -> Any:
    if value and value[0] not in _NOT_TEXT_STARTS:
        return value
    if _NULL.match(value):
        return None
    if value in _BOOL:
        return _BOOL[value]
    if _INT.match(value):
        return int(value)
    if _INT_OCT.match(value):
        return int(value[2:], 8)
    if _INT_HEX.match(value):
        return int(value[2:], 16)
    if _FLOAT.match(value):
        return Decimal(value)
    if _INF.match(value):
        return Decimal("-Infinity") if value.startswith("-") else Decimal("Infinity")
    if _NAN.match(value):
        return Decimal("NaN")
    return value


def number_problem(text: str) -> str | None:
    """Why a scalar written as a number cannot be a clinical number, or None.

    Looks only at the text (digit and exponent counts), so it costs nothing whatever is
    written; a decimal, an integer, a quoted number and hex or octal are all bounded.
    """
    if not text or text[0] not in _NOT_TEXT_STARTS:
        return None
    digits = text[2:] if _INT_HEX.match(text) or _INT_OCT.match(text) else None
    if digits is not None:
        if len(digits.lstrip("0")) > MAX_DIGITS:
            return "has more digits than any clinical number"
        value = int(digits, 16 if text[1] == "x" else 8)
        return _magnitude_problem(len(str(value)) - 1 if value else None)
    match = _NUMBER_PARTS.match(text)
    if match is None or not (match["int"] or match["frac"]):
        return None  # text, or .inf/.nan (positive-number and percent-range report those)
    mantissa = (match["int"] + (match["frac"] or "")).lstrip("0")
    exp_text = match["exp"] or "0"
    if len(exp_text.lstrip("+-").lstrip("0")) > 3:
        return "has an exponent far beyond any clinical number"
    significant = mantissa.rstrip("0")
    if len(significant) > MAX_DIGITS:
        return f"has more than {MAX_DIGITS} significant digits"
    if not mantissa:
        return None  # zero
    # adjusted exponent: where the first significant digit sits
    leading_zeros = len(match["int"] + (match["frac"] or "")) - len(mantissa)
    first = len(match["int"]) - 1 - leading_zeros
    return _magnitude_problem(first + int(exp_text))


def _magnitude_problem(adjusted: int | None) -> str | None:
    if adjusted is None:
        return None
    if adjusted >= MAX_MAGNITUDE_EXP:
        return f"is {10**MAX_MAGNITUDE_EXP:,} or more, beyond any clinical number"
    if adjusted < -MAX_MAGNITUDE_EXP:
        return f"is closer to 0 than 0.{'0' * (MAX_MAGNITUDE_EXP - 1)}1, beyond any clinical number"
    return None


class _Builder:
    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.text = text
        self.doc = YamlDocument(path, None)
        self.findings: list[Finding] = []
        self.nodes = 0
        self.stack: set[int] = set()
        self.built: set[int] = set()  # node ids: one built twice came through an alias
        self.aliased = False

    def finding(self, node: yaml.Node, rule: str, message: str) -> Finding:
        pos = _mark(node)
        return Finding(self.path, pos.line, pos.col, rule, message)

    def build(self, node: yaml.Node, path: Path) -> Any:
        self.nodes += 1
        if id(node) in self.built:
            self.aliased = True
        else:
            self.built.add(id(node))
        if self.nodes > MAX_NODES:
            hint = "; check anchors and aliases" if self.aliased else ""
            raise _Abort(
                self.finding(
                    node,
                    "yaml-too-large",
                    f"the document has too many values (more than {MAX_NODES:,}){hint}",
                )
            )
        if len(path) > MAX_DEPTH:
            message = f"the document is nested more than {MAX_DEPTH} levels deep"
            raise _Abort(self.finding(node, "yaml-too-large", message))
        if path not in self.doc.values:
            self.doc.values[path] = _mark(node)
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node)
        if id(node) in self.stack:
            raise _Abort(self.finding(node, "yaml-recursive-alias", "an alias refers to itself"))
        self.stack.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                self.check_tag(node, _TAG + "seq")
                return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
            if isinstance(node, yaml.MappingNode):
                self.check_tag(node, _TAG + "map")
                return self.mapping(node, path)
        finally:
            self.stack.discard(id(node))
        raise _Abort(self.finding(node, "yaml-syntax", "unsupported YAML node"))  # pragma: no cover

    def invisible(self, node: yaml.ScalarNode, value: str, *, key: bool) -> str:
        """Report invisible characters in a key (any) or an unquoted value (zero-width ones
        anywhere, space-like ones at its edges) at their exact place; return the value without
        them, so the schema does not report the same mistake again."""
        edges = value.strip("".join(INVISIBLE))
        inner = edges if key else "".join(c for c in edges if c not in ZERO_WIDTH)
        if not key and inner == value:
            return value
        begin, end = node.start_mark.index, node.end_mark.index
        blank = "".join(INVISIBLE) + " "
        for match in INVISIBLE_RE.finditer(self.text, begin, end):
            at = match.start()
            edge = not self.text[begin:at].strip(blank) or not self.text[at:end].strip(blank)
            if key or match.group() in ZERO_WIDTH or edge:
                line, col = position(self.text, at)
                message = invisible_message(self.text, at)
                self.findings.append(Finding(self.path, line, col, "yaml-invisible", message))
                break  # one finding per value
        return INVISIBLE_RE.sub("", inner) if key else inner

    def check_tag(self, node: yaml.Node, expected: str) -> None:
        if node.tag != expected:
            raise _Abort(self.finding(node, "yaml-tag", f"tag {node.tag!r} is not allowed"))

    def scalar(self, node: yaml.ScalarNode) -> Any:
        tag, value = node.tag, node.value
        problem = number_problem(value.strip()) if tag != _TAG + "null" else None
        if problem is not None:
            shown = value if len(value) <= 24 else f"{value[:12]}… ({len(value)} characters)"
            message = (
                f"the number {shown} {problem}; a rule file's numbers are at most "
                f"{MAX_DIGITS} digits, between 0.000000001 and 1,000,000,000"
            )
            self.findings.append(self.finding(node, "yaml-number", message))
            return None
        if tag == _PLAIN:
            if INVISIBLE_RE.search(value):
                value = self.invisible(node, value, key=False)
            return _resolve_plain(value)
        if tag not in _STANDARD_SCALAR_TAGS:
            raise _Abort(self.finding(node, "yaml-tag", f"tag {tag!r} is not allowed"))
        if tag == _TAG + "str":
            return value
        resolved = _resolve_plain(value)
        wanted = {
            _TAG + "int": int,
            _TAG + "float": Decimal,
            _TAG + "bool": bool,
            _TAG + "null": type(None),
        }[tag]
        if wanted is Decimal and isinstance(resolved, int):
            return Decimal(resolved)
        if not isinstance(resolved, wanted) or (wanted is int and isinstance(resolved, bool)):
            raise _Abort(self.finding(node, "yaml-tag", f"{value!r} is not a valid {tag}"))
        return resolved

    def mapping(self, node: yaml.MappingNode, path: Path) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise _Abort(self.finding(key_node, "yaml-key", "a key must be a plain name"))
            key = str(key_node.value)
            if INVISIBLE_RE.search(key):
                key = self.invisible(key_node, key, key=True)
            if key in result:
                first = self.doc.keys[(*path, key)]
                self.findings.append(
                    self.finding(
                        key_node,
                        "yaml-duplicate-key",
                        f"key {key!r} is defined twice (first at line {first.line})",
                    )
                )
                continue
            self.doc.keys[(*path, key)] = _mark(key_node)
            result[key] = self.build(value_node, (*path, key))
        return result


def _decode(raw: bytes, path: str) -> tuple[str | None, list[Finding]]:
    if len(raw) > MAX_BYTES:
        message = f"the file is larger than {MAX_BYTES // 1_000_000} MB"
        return None, [Finding(path, 1, 1, "yaml-too-large", message)]
    if raw.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        message = "the file is saved as UTF-32; save it as UTF-8"
        return None, [Finding(path, 1, 1, "yaml-encoding", message)]
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        message = "the file is saved as UTF-16; save it as UTF-8"
        return None, [Finding(path, 1, 1, "yaml-encoding", message)]
    try:
        return raw.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        line_start = raw.rfind(b"\n", 0, exc.start) + 1
        line = raw.count(b"\n", 0, exc.start) + 1
        col = len(raw[line_start : exc.start].decode("utf-8", "replace")) + 1
        byte = raw[exc.start]
        message = (
            f"the file is not valid UTF-8 (byte 0x{byte:02x} here); save it as UTF-8 "
            "(Latin-1 or Windows-1252 text, e.g. from a word processor, is not accepted)"
        )
        return None, [Finding(path, line, col, "yaml-encoding", message)]


def _unclosed_flow(text: str) -> tuple[str, int, int] | None:
    """The innermost '[' or '{' still open when the scanner reached the end of the file,
    as (bracket, line, column), or None (closed, or the scanner stopped earlier)."""
    open_: list[tuple[str, int, int]] = []
    loader = _ComposeLoader(text)
    try:
        while True:
            token = loader.get_token()
            if token is None or isinstance(token, yaml.StreamEndToken):
                break
            if isinstance(token, yaml.FlowSequenceStartToken | yaml.FlowMappingStartToken):
                bracket = "[" if isinstance(token, yaml.FlowSequenceStartToken) else "{"
                open_.append((bracket, token.start_mark.line + 1, token.start_mark.column + 1))
            elif isinstance(token, yaml.FlowSequenceEndToken | yaml.FlowMappingEndToken) and open_:
                open_.pop()
    except yaml.YAMLError:
        return None
    finally:
        loader.dispose()
    return open_[-1] if open_ else None


def _syntax_finding(exc: yaml.MarkedYAMLError, text: str, path: str) -> Finding:
    """One finding for a syntax error, at the place to fix: an invisible character near it,
    the bracket left open at the end of the file, or where libyaml stopped."""
    invisible = invisible_near_error(exc, text)
    if invisible is not None:
        line, col = position(text, invisible)
        return Finding(path, line, col, "yaml-invisible", invisible_message(text, invisible))
    mark = exc.problem_mark or exc.context_mark
    if "maximum nesting depth" in str(exc.problem):  # libyaml's own bound (PyYAML >= 6.0.4)
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        return Finding(path, line, col, "yaml-too-large", "the document is nested too deeply")
    at_end = mark is not None and not text[mark.index :].strip()
    flow = "flow" in f"{exc.context} {exc.problem}" or "expected ',' or" in str(exc.problem)
    if at_end and flow and (opened := _unclosed_flow(text)) is not None:
        bracket, line, col = opened
        closer = "]" if bracket == "[" else "}"
        message = (
            f"the '{bracket}' opened at {line}:{col} is never closed; add '{closer}' after its "
            "last item"
        )
        return Finding(path, line, col, "yaml-syntax", message)
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    return Finding(path, line, col, "yaml-syntax", syntax_message(exc, text))


def parse_yaml(raw: bytes, path: str) -> tuple[YamlDocument | None, list[Finding]]:
    """Parse one YAML document strictly. Returns the document (None if unusable) and findings."""
    text, findings = _decode(raw, path)
    if text is None:
        return None, findings
    if "\x00" in text:
        line, col = position(text, text.index("\x00"))
        message = "the file contains NUL characters; it is not a text file"
        return None, [Finding(path, line, col, "yaml-encoding", message)]
    # Parsing makes tens of thousands of small objects and frees them by reference counting;
    # the cyclic collector, run every few hundred of them, finds nothing to free meanwhile
    # (a recursive alias is collected once it runs again). Pausing it saves ~15 % of a parse.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _parse(text, path)
    finally:
        if enabled:
            gc.enable()


def _rough_node_bound(text: str) -> int:
    """More than the number of values written (each needs a line, a comma or a bracket),
    counted without parsing: only a file above the bound is counted exactly."""
    separators = text.count("\n") + text.count(",") + text.count("- ")
    return 2 * separators + text.count("[") + text.count("{") + 2


def _too_many_written(text: str, path: str) -> Finding | None:
    """yaml-too-large at the first value beyond MAX_WRITTEN_NODES, counted from events."""
    if _rough_node_bound(text) <= MAX_WRITTEN_NODES:
        return None
    loader = _ComposeLoader(text)
    count = 0
    try:
        while (event := loader.get_event()) is not None:
            if isinstance(event, yaml.ScalarEvent | yaml.CollectionStartEvent):
                count += 1
                if count > MAX_WRITTEN_NODES:
                    mark = event.start_mark
                    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
                    message = (
                        f"the file has more than {MAX_WRITTEN_NODES:,} values (a rule file has "
                        "a few thousand); is this a rule file?"
                    )
                    return Finding(path, line, col, "yaml-too-large", message)
    except yaml.YAMLError:
        return None  # the composer below reports the syntax error with its place
    finally:
        loader.dispose()
    return None


def _parse(text: str, path: str) -> tuple[YamlDocument | None, list[Finding]]:
    too_many = _too_many_written(text, path)
    if too_many is not None:
        return None, [too_many]
    loader = _ComposeLoader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        return None, [_syntax_finding(exc, text, path)]
    except yaml.reader.ReaderError as exc:
        line, col = position(text, exc.position)
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        message = (
            f"the file contains a control character (#x{code:02x}) that YAML does not allow; "
            "remove it"
        )
        return None, [Finding(path, line, col, "yaml-syntax", message)]
    except yaml.YAMLError as exc:  # pragma: no cover - other errors carry no position
        return None, [Finding(path, 1, 1, "yaml-syntax", str(exc).splitlines()[0])]
    finally:
        loader.dispose()
    if node is None:
        return None, [Finding(path, 1, 1, "yaml-empty", "the file is empty")]
    builder = _Builder(path, text)
    try:
        data = builder.build(node, ())
    except _Abort as abort:
        return None, [abort.finding]
    except RecursionError:
        return None, [Finding(path, 1, 1, "yaml-too-large", "the document is nested too deeply")]
    builder.doc.data = data
    if any(f.rule == "yaml-number" for f in builder.findings):
        return None, builder.findings  # nothing may compute with a number it cannot hold
    if not isinstance(data, dict):
        pos = _mark(node)
        builder.findings.append(
            Finding(
                path,
                pos.line,
                pos.col,
                "yaml-not-mapping",
                "a rule file must be a mapping of keys (id:, sources:, ...) at the top",
            )
        )
        return None, builder.findings
    return builder.doc, builder.findings
