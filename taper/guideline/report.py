"""Text for the `taper guidelines` commands: findings, the list, and diffs. Pure functions.

Findings come as data from the loader; this module turns them into the four report formats
(`text`, `parsable`, `json`, `github`). The CLI only writes the returned string.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, assert_never

from taper.guideline.findings import Finding
from taper.guideline.loader import ValidationResult

if TYPE_CHECKING:  # json and diff are loaded by the formats that use them (start-up)
    from taper.guideline.diff import Change


class FindingsFormat(StrEnum):
    text = "text"
    parsable = "parsable"
    json = "json"
    github = "github"


class ListFormat(StrEnum):
    text = "text"
    json = "json"


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def summary_line(results: Sequence[ValidationResult], unusable: int = 0) -> str:
    """ "2 files checked: valid.", "... valid, 1 warning.", "... 3 errors in 1 file: not valid.",
    then " 1 path could not be checked (see stderr)." when some could not be read."""
    errors = sum(f.level == "error" for r in results for f in r.findings)
    warnings = sum(f.level == "warning" for r in results for f in r.findings)
    head = f"{_count(len(results), 'file')} checked: "
    tail = f" {_count(unusable, 'path')} could not be checked (see stderr)." if unusable else ""
    if not errors:
        verdict = "valid." if not warnings else f"valid, {_count(warnings, 'warning')}."
        return head + verdict + tail
    bad = sum(not r.ok for r in results)
    counts = _count(errors, "error") + (f", {_count(warnings, 'warning')}" if warnings else "")
    return head + f"{counts} in {_count(bad, 'file')}: not valid." + tail


def _text(results: Sequence[ValidationResult], unusable: int) -> str:
    lines: list[str] = []
    for result in results:
        if not result.findings:
            lines.append(f"{result.path}: valid")
            continue
        lines.append(result.path)
        width = max(len(f"{f.line}:{f.col}") for f in result.findings)
        for f in result.findings:
            where = f"{f.line}:{f.col}".ljust(width)
            lines.append(f"  {where}  {f.level:<7}  {f.message}  ({f.rule})")
        lines.append("")
    if lines and lines[-1] == "":
        lines.pop()
    lines.append(summary_line(results, unusable))
    return "\n".join(lines) + "\n"


def _github_escape(text: str, *, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def _github(finding: Finding) -> str:
    props = ",".join(
        [
            f"file={_github_escape(finding.path, prop=True)}",
            f"line={finding.line}",
            f"col={finding.col}",
            f"title={_github_escape(finding.rule, prop=True)}",
        ]
    )
    return f"::{finding.level} {props}::{_github_escape(finding.message)}"


def _json(results: Sequence[ValidationResult], unusable: int) -> str:
    files = []
    for r in results:
        files.append(
            {
                "path": r.path,
                "valid": r.ok,
                "id": r.loaded.guideline.id if r.loaded else None,
                "version": r.loaded.guideline.version if r.loaded else None,
                "sha256": r.loaded.sha256 if r.loaded else None,
                "findings": [
                    {
                        "line": f.line,
                        "col": f.col,
                        "level": f.level,
                        "rule": f.rule,
                        "message": f.message,
                    }
                    for f in r.findings
                ],
            }
        )
    doc: dict[str, object] = {
        "valid": all(r.ok for r in results) and not unusable,
        "errors": sum(f.level == "error" for r in results for f in r.findings),
        "warnings": sum(f.level == "warning" for r in results for f in r.findings),
        "files": files,
    }
    if unusable:  # paths that could not be read; their sentences are on stderr
        doc["unusable"] = unusable
    import json

    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def format_findings(
    results: Sequence[ValidationResult], fmt: FindingsFormat, unusable: int = 0
) -> str:
    """The whole report for `taper guidelines validate`, ending in a newline (or empty).

    `unusable`: how many more paths could not be read (the CLI says which on stderr); the text
    summary and the JSON (`unusable`, and `valid` false) count them."""
    findings = [f for r in results for f in r.findings]
    if fmt is FindingsFormat.text:
        return _text(results, unusable)
    if fmt is FindingsFormat.parsable:
        return "".join(f.parsable() + "\n" for f in findings)
    if fmt is FindingsFormat.json:
        return _json(results, unusable)
    if fmt is FindingsFormat.github:
        return "".join(_github(f) + "\n" for f in findings)
    assert_never(fmt)


@dataclass(frozen=True)
class ListedGuideline:
    id: str
    region: str
    version: str
    title: str
    file: str
    valid: bool


def format_list(items: Sequence[ListedGuideline], fmt: ListFormat) -> str:
    if fmt is ListFormat.json:
        rows = [
            {
                "id": i.id,
                "region": i.region,
                "version": i.version,
                "title": i.title,
                "file": i.file,
                "valid": i.valid,
            }
            for i in items
        ]
        import json

        return json.dumps(rows, indent=2, ensure_ascii=False) + "\n"
    if fmt is ListFormat.text:
        if not items:
            return "No built-in guidelines.\n"
        header = ("ID", "REGION", "VERSION", "TITLE", "FILE")
        rows_t = [header] + [
            (i.id, i.region, i.version, i.title + ("" if i.valid else " [NOT VALID]"), i.file)
            for i in items
        ]
        widths = [max(len(r[c]) for r in rows_t) for c in range(4)]
        lines = ["  ".join(r[c].ljust(widths[c]) for c in range(4)) + "  " + r[4] for r in rows_t]
        return "\n".join(lines) + "\n"
    assert_never(fmt)


def format_diff(old: str, new: str, changes: Sequence[Change], fmt: ListFormat) -> str:
    if fmt is ListFormat.json:
        doc = {"old": old, "new": new, "changes": [c.as_dict() for c in changes]}
        import json

        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    if fmt is ListFormat.text:
        if not changes:
            return f"No changes between {old} and {new}.\n"
        lines = [f"Changes from {old} to {new}:"]
        section = None
        for change in changes:
            top = change.section.split(".")[0]
            if top != section:
                section = top
                lines.append("")
                lines.append(_SECTION_TITLES.get(top, top))
            lines.append(f"  {change.message}")
        return "\n".join(lines) + "\n"
    assert_never(fmt)


_SECTION_TITLES = {
    "identity": "Identity",
    "sources": "Sources",
    "drugs": "Drugs",
    "equivalence": "Equivalents",
    "formulary": "Formulary",
    "taper_rules": "Taper rules",
    "checkpoints": "Checkpoints",
    "referral": "Referral",
    "thresholds": "Thresholds",
    "notes": "Notes",
}
