"""Load rule files: strict YAML → schema (pydantic) → semantic checks, all as findings."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from taper.errors import TaperError
from taper.guideline.findings import Finding
from taper.guideline.model import Guideline
from taper.guideline.yamlstrict import YamlDocument, parse_yaml


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
    return out or "(top)"


def _schema_findings(exc: ValidationError, doc: YamlDocument) -> list[Finding]:
    findings = []
    for err in exc.errors(include_url=False):
        # pydantic adds union/function markers to the location; keep only real path parts
        loc = tuple(p for p in err["loc"] if isinstance(p, int) or "[" not in str(p))
        kind = err["type"]
        if kind == "missing":
            pos = doc.locate(loc[:-1])
            message = f"{_loc_text(loc)}: required key '{loc[-1]}' is missing"
        elif kind == "extra_forbidden":
            pos = doc.locate(loc, key=True)
            message = f"{_loc_text(loc)}: unknown key '{loc[-1]}' (check its spelling)"
        else:
            pos = doc.locate(loc)
            message = f"{_loc_text(loc)}: {err['msg']}"
        findings.append(Finding(doc.path, pos.line, pos.col, "schema", message))
    return findings


def validate_bytes(raw: bytes, path: str) -> ValidationResult:
    """Validate one rule file's content: syntax, schema and semantic checks."""
    from taper.guideline.checks import run_checks

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


def read_rule_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise TaperError(f"Rule file {path} does not exist.") from None
    except IsADirectoryError:
        raise TaperError(f"{path} is a directory, not a rule file.") from None
    except OSError as exc:
        raise TaperError(f"Cannot read rule file {path}: {exc.strerror}.") from None


def validate_file(path: Path) -> ValidationResult:
    return validate_bytes(read_rule_file(path), str(path))


@cache
def _load_path(resolved: Path, shown: str) -> LoadedGuideline:
    result = validate_bytes(read_rule_file(resolved), shown)
    errors = [f for f in result.findings if f.level == "error"]
    if result.loaded is None or errors:
        first = errors[0] if errors else result.findings[0]
        raise TaperError(
            f"Rule file {shown} is not valid ({len(errors)} error(s)); first: "
            f"{first.parsable()}. Run `taper guidelines validate {shown}` for all of them."
        )
    return result.loaded


def load_guideline(ref: str) -> LoadedGuideline:
    """Load a built-in guideline by id, or a draft rule file by path."""
    from taper.guideline.registry import builtin_path, builtin_ids

    candidate = Path(ref)
    if ref.endswith((".yaml", ".yml")) or candidate.exists() or "/" in ref:
        return _load_path(candidate.resolve(), ref)
    path = builtin_path(ref)
    if path is None:
        known = ", ".join(builtin_ids())
        raise TaperError(f"Unknown guideline {ref!r}; built-in guidelines are: {known}.")
    return _load_path(path, f"{ref}")
