"""Load rule files: strict YAML → schema (pydantic) → semantic checks, all as findings."""

from __future__ import annotations

import errno
import hashlib
import os
import stat
import typing
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from pydantic import BaseModel, ValidationError

from taper.errors import TaperError
from taper.guideline.model import Guideline

if TYPE_CHECKING:  # findings, PyYAML and the reader are imported only when a file is parsed
    from taper.guideline.findings import Finding
    from taper.guideline.yamlstrict import YamlDocument


@dataclass(frozen=True)
class LoadedGuideline:
    """A valid guideline with what every output must state about it."""

    guideline: Guideline
    path: str
    sha256: str

    @property
    def stamp(self) -> dict[str, str]:
        g = self.guideline
        return {"id": g.id, "version": g.version, "sha256": self.sha256}


@dataclass(frozen=True)
class ValidationResult:
    path: str
    findings: tuple[Finding, ...]
    loaded: LoadedGuideline | None

    @property
    def ok(self) -> bool:
        return not any(f.level == "error" for f in self.findings)


def _loc_text(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "top level"


_PERIOD_PATTERN = r"^[1-9][0-9]{0,3}[dwm]$"
_PATTERN_HINTS = {
    r"^[a-z0-9][a-z0-9-]*$": "must be an id in lower case: letters a–z, digits and hyphens",
    r"^[1-9][0-9]{0,3}[dwm]$": "must be a period like 14d, 2w or 6m (days, weeks, months)",
    r"^[A-Z]{2}$": "must be a two-letter country code in capitals, like SE or NO",
    r"^[A-Z][0-9]{2}[A-Z]{2}[0-9]{2}$": "must be an ATC code like N05BA01",
}


def _plain(err: Any, pattern: str | None = None) -> str:
    """pydantic's message, said the way an editor would fix it. `pattern`: the text pattern
    of the field, if it has one (a number where a period is wanted needs its unit)."""
    kind: str = err["type"]
    ctx = err.get("ctx") or {}
    value = err.get("input")
    if kind in ("bool_type", "bool_parsing"):
        return (
            f"must be true or false, not {value!r} (yes/no/on/off are text in YAML 1.2)"
            if isinstance(value, str)
            else f"must be true or false, not {value!r}"
        )
    if kind == "string_pattern_mismatch":
        hint = _PATTERN_HINTS.get(str(ctx.get("pattern")), f"must match {ctx.get('pattern')}")
        return f"{hint}, not {value!r}"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return f"must be a mapping of keys (key: value), not {_kind(value)}"
    if kind in ("decimal_type", "decimal_parsing", "int_type", "int_parsing", "float_type"):
        whole = kind.startswith("int")
        return f"must be {'a whole number' if whole else 'a number'}, not {_kind(value)}"
    if kind == "int_from_float":
        return f"must be a whole number, not {_kind(value)}"
    period = kind == "string_type" and pattern == _PERIOD_PATTERN
    if period and isinstance(value, int | Decimal) and not isinstance(value, bool):
        return f"must be a period such as 6m, 26w or 180d (months, weeks, days), not {value}"
    if kind == "string_type" and isinstance(value, int | Decimal | bool):
        # a number or true/false written where text is wanted: quoting keeps it as written
        shown = str(value).lower() if isinstance(value, bool) else str(value)
        return f'must be text, not {shown}; quote it: "{shown}"'
    if kind == "string_type":
        return f"must be text, not {_kind(value)}"
    if kind == "list_type":
        return f"must be a list (- item, or [a, b]), not {_kind(value)}"
    is_tuple = "tuple" in str(err["msg"]).lower()
    if kind == "tuple_type" or (kind in ("too_short", "too_long") and is_tuple):
        return "must be a pair of numbers [low, high]"
    msg = str(err["msg"])
    msg = msg[0].lower() + msg[1:] if msg else msg
    msg = msg.replace("input should be", "should be").replace("Input should be", "should be")
    if isinstance(value, str | int) or value is None:
        shown = repr(value) if not isinstance(value, int) else str(value)
        if shown not in msg:
            msg += f", not {shown}" if value is not None else ", not empty"
    return msg


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "empty"
    return repr(value) if isinstance(value, str) else str(value)


def _pattern_in(annotation: Any) -> str | None:
    """The StringConstraints pattern inside an annotation such as `list[Period] | None`."""
    for meta in getattr(annotation, "__metadata__", ()):
        pattern = getattr(meta, "pattern", None)
        if isinstance(pattern, str):
            return pattern
    for arg in typing.get_args(annotation):
        found = _pattern_in(arg)
        if found is not None:
            return found
    return None


def _pattern_at(loc: tuple[Any, ...]) -> str | None:
    """The text pattern of the field at `loc` (a period, an id...), if it has one."""
    model: type[BaseModel] | None = Guideline
    annotation: Any = None
    for part in loc:
        if isinstance(part, int) or part in ("benzodiazepine", "opioid"):
            continue  # list index or equivalence table key
        if model is None:
            return None
        fields = {info.alias or name: info for name, info in model.model_fields.items()}
        info = fields.get(str(part))
        if info is None:
            return None
        annotation = info.annotation
        metadata = [m for m in info.metadata if isinstance(getattr(m, "pattern", None), str)]
        if metadata:
            return str(metadata[0].pattern)
        model = _model_in(annotation)
    return _pattern_in(annotation) if annotation is not None else None


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The model class inside an annotation such as `list[Drug] | None`."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _keys_at(loc: tuple[Any, ...]) -> list[str]:
    """The keys the format allows at a location (for "did you mean" hints)."""
    model: type[BaseModel] | None = Guideline
    annotation: Any = Guideline
    for part in loc:
        if model is None:
            return []
        if isinstance(part, int) or part in ("benzodiazepine", "opioid"):
            continue  # list index or equivalence table key: same model
        fields = {info.alias or name: info for name, info in model.model_fields.items()}
        info = fields.get(str(part))
        if info is None:
            return []
        annotation = info.annotation
        model = _model_in(annotation)
    if model is None:
        return []
    return [info.alias or name for name, info in model.model_fields.items()]


def _real_loc(loc: tuple[Any, ...], data: Any, kind: str) -> tuple[Any, ...]:
    """pydantic's error location without its union/function markers ("function-after[...]").

    A part is kept when it names a key or index that exists in the data at that point (a
    missing or unknown key is kept as the last part), so keys that look like markers survive.
    """
    real: list[Any] = []
    node = data
    for index, part in enumerate(loc):
        last = index == len(loc) - 1
        in_dict = isinstance(node, dict) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if in_dict or in_list:
            real.append(part)
            node = node[part]
        elif last and kind in ("missing", "extra_forbidden"):
            real.append(part)
    return tuple(real)


# A file with thousands of wrong keys is not a rule file with typos: the first hundred say so,
# and listing (with a "did you mean") 100,000 of them took 10 s.
MAX_SCHEMA_FINDINGS = 100


def _schema_findings(exc: ValidationError, doc: YamlDocument) -> list[Finding]:
    import difflib

    from taper.guideline.findings import Finding

    findings: dict[tuple[int, int, str], Finding] = {}
    errors = exc.errors(include_url=False)
    for number, err in enumerate(errors):
        if len(findings) >= MAX_SCHEMA_FINDINGS:
            pos = doc.locate(_real_loc(tuple(err["loc"]), doc.data, err["type"]), key=True)
            rest = len(errors) - number
            message = (
                f"{rest:,} more schema error(s) like the ones above are not listed; fix those "
                "first (is this a rule file?)"
            )
            findings[(pos.line, pos.col, message)] = Finding(
                doc.path, pos.line, pos.col, "schema", message
            )
            break
        loc = _real_loc(tuple(err["loc"]), doc.data, err["type"])
        kind = err["type"]
        if kind == "missing" and loc and isinstance(loc[-1], int):
            pos = doc.locate(loc[:-1])
            message = f"{_loc_text(loc[:-1])}: must be a pair of numbers [low, high]"
        elif kind == "missing":
            pos = doc.locate(loc[:-1])
            message = f"{_loc_text(loc[:-1])}: required key '{loc[-1]}' is missing"
        elif kind == "extra_forbidden":
            pos = doc.locate(loc, key=True)
            if loc[-1] == "<<":
                message = (
                    f"{_loc_text(loc)}: merge keys (<<) are not supported (YAML 1.2); write the "
                    "keys out"
                )
            else:
                message = f"{_loc_text(loc)}: unknown key '{loc[-1]}'"
                close = difflib.get_close_matches(str(loc[-1]), _keys_at(loc[:-1]), n=1)
                message += f" (did you mean '{close[0]}'?)" if close else " (check its spelling)"
        else:
            pos = doc.locate(loc, key="[key]" in err["loc"])  # a bad key, not its value
            message = f"{_loc_text(loc)}: {_plain(err, _pattern_at(loc))}"
        finding = Finding(doc.path, pos.line, pos.col, "schema", message)
        findings.setdefault((pos.line, pos.col, message), finding)
    return list(findings.values())


def validate_bytes(raw: bytes, path: str) -> ValidationResult:
    """Validate one rule file's content: syntax, schema and semantic checks."""
    from taper.guideline.checks import run_checks
    from taper.guideline.yamlstrict import parse_yaml

    doc, findings = parse_yaml(raw, path)
    if doc is None:
        return ValidationResult(path, tuple(sorted(findings)), None)
    try:
        guideline = Guideline.model_validate(doc.data)
    except ValidationError as exc:
        return ValidationResult(path, tuple(sorted([*findings, *_schema_findings(exc, doc)])), None)
    findings.extend(run_checks(guideline, doc))
    loaded = LoadedGuideline(guideline, path, hashlib.sha256(raw).hexdigest())
    return ValidationResult(path, tuple(sorted(findings)), loaded)


# One byte more than `yamlstrict.MAX_BYTES`: a larger file is cut here, still gets the size
# finding, and is never read whole into memory (a test keeps the two in step).
RULE_FILE_READ_LIMIT = 5_000_001


class NotARegularFile(Exception):
    """The path is a folder, FIFO, device or socket: nothing to read, or a read that hangs."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


def _kind_of(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a device"


def read_regular_file(path: Path, limit: int | None = None) -> bytes:
    """The bytes of a regular file (at most `limit`), never blocking on a FIFO or device.

    Opened non-blocking and checked on the open descriptor, so a named pipe with no writer
    cannot hang the run and the check cannot race a rename. Raises NotARegularFile or OSError.
    """
    with open_regular_file(path) as handle:
        return handle.read() if limit is None else handle.read(limit)


def open_regular_file(path: Path) -> BinaryIO:
    """A regular file opened for reading, never blocking on a FIFO or device (see
    `read_regular_file`). Raises NotARegularFile or OSError."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    handle = os.fdopen(fd, "rb")
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        handle.close()
        raise NotARegularFile(_kind_of(mode))
    return handle


def read_rule_file(path: Path, shown: str | None = None) -> bytes:
    """The bytes of a rule file, or a one-sentence TaperError naming it as the user wrote it."""
    name = shown if shown is not None else str(path)
    try:
        return read_regular_file(path, RULE_FILE_READ_LIMIT)
    except FileNotFoundError:
        raise TaperError(f"Rule file {name} does not exist.") from None
    except IsADirectoryError:
        raise TaperError(f"{name} is a directory, not a rule file.") from None
    except NotARegularFile as exc:
        if exc.kind == "a folder":
            raise TaperError(f"{name} is a directory, not a rule file.") from None
        raise TaperError(
            f"{name} is {exc.kind}, not a rule file; save the rules as a file."
        ) from None
    except PermissionError:
        raise TaperError(f"Rule file {name} cannot be read (permission denied).") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise TaperError(f"Rule file {name} is a symbolic link that loops.") from None
        raise TaperError(f"Cannot read rule file {name}: {exc.strerror}.") from None


def validate_file(path: Path) -> ValidationResult:
    return validate_bytes(read_rule_file(path), str(path))


@cache
def _load_path(resolved: Path, shown: str, builtin: bool = False) -> LoadedGuideline:
    raw = read_rule_file(resolved, shown)
    if builtin:  # a shipped file, unchanged since it passed every check: no need to redo them
        from taper.guideline.checked import load_checked

        sha256 = hashlib.sha256(raw).hexdigest()
        checked = load_checked(resolved, sha256)
        if checked is not None:
            return LoadedGuideline(checked, shown, sha256)
    result = validate_bytes(raw, shown)
    errors = [f for f in result.findings if f.level == "error"]
    if result.loaded is None or errors:
        first = errors[0] if errors else result.findings[0]
        raise TaperError(
            f"Rule file {shown} is not valid ({len(errors)} error(s)); first: "
            f"{first.parsable()}. Run `taper guidelines validate {shown}` for all of them."
        )
    return result.loaded


def _what_is(path: Path) -> str | None:
    from taper.io import file_kind

    return file_kind(path)


def looks_like_path(ref: str) -> bool:
    """A path, not a built-in id: has a slash, or a .yaml/.yml ending."""
    separators = [sep for sep in (os.sep, os.altsep, "/") if sep]
    return ref.endswith((".yaml", ".yml")) or any(sep in ref for sep in separators)


def _resolved(path: Path) -> Path:
    """The real path (the cache key); a symlink loop stays as given, for the reader to name."""
    try:
        return path.resolve()
    except (RuntimeError, OSError):  # RuntimeError: a loop, before Python 3.13
        return path.absolute()


def builtin_for(ref: str) -> Path | None:
    """The built-in rule file a bare id names; None for a path or an unknown id.

    A folder named like a built-in id cannot shadow it (a folder is never a rule file); a
    file named exactly like one is refused as ambiguous rather than silently chosen.
    """
    from taper.guideline.registry import builtin_path

    builtin = None if looks_like_path(ref) else builtin_path(ref)
    if builtin is not None:
        local = Path(ref)
        if _what_is(local) in ("file", "other"):
            raise TaperError(
                f"{ref!r} is both a built-in guideline and a file in this folder; write "
                f"./{ref} for the file, or move it away to use the built-in."
            )
    return builtin


def load_guideline(ref: str) -> LoadedGuideline:
    """Load a built-in guideline by id, or a draft rule file by path.

    A path is anything with a slash or a .yaml/.yml ending; a bare word is a built-in id, or
    else a file of that name here (see `builtin_for`).
    """
    if builtin_for(ref) is not None:
        return load_builtin(ref)
    # "" would be the working folder; it is an unknown id instead
    if looks_like_path(ref) or (ref and _what_is(Path(ref)) is not None):
        return _load_path(_resolved(Path(ref)), ref)
    return load_builtin(ref)  # says which built-in ids there are


def load_builtin(guideline_id: str) -> LoadedGuideline:
    """A built-in guideline by id, never a file in the working directory; the shipped file's
    checked snapshot is used when its bytes match."""
    from taper.guideline.registry import builtin_ids, builtin_path

    path = builtin_path(guideline_id)
    if path is None:
        known = ", ".join(builtin_ids()) or "none"
        raise TaperError(f"Unknown guideline {guideline_id!r}; built-in guidelines are: {known}.")
    return _load_path(path, guideline_id, builtin=True)
