"""`taper guidelines ...`: list, show, validate, schema and diff for regional rule files.

Thin wrappers: each command calls the library and prints the text `taper.guideline.report` or
`taper.guideline.summary` made. Heavy imports stay inside the functions so `taper --help` is
fast. Exit codes: 0 valid (warnings allowed), 1 findings with errors, 2 unreadable input.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from taper.cli import console
from taper.errors import TaperError

if TYPE_CHECKING:
    from taper.guideline.loader import ValidationResult
    from taper.guideline.model import Lang
    from taper.guideline.report import FindingsFormat

app = typer.Typer(
    help="List, show, validate and compare regional rule files.",
    no_args_is_help=True,
)

_FORMATS = ("text", "parsable", "json", "github")


def _choice(value: str, allowed: tuple[str, ...], option: str) -> str:
    if value not in allowed:
        raise TaperError(f"Unknown {option} {value!r}; use one of: {', '.join(allowed)}.")
    return value


@app.command("list")
def list_(
    format: str = typer.Option("text", "--format", "-f", help="text or json."),
) -> None:
    """List the built-in guidelines: id, region, version, title, file.

    Example: taper guidelines list --format json
    """
    from taper.guideline.loader import validate_file
    from taper.guideline.registry import builtin_files
    from taper.guideline.report import ListedGuideline, ListFormat, format_list

    fmt = ListFormat(_choice(format, ("text", "json"), "format"))
    items = []
    for ident, path in builtin_files().items():
        result = validate_file(path)
        g = result.loaded.guideline if result.loaded else None
        items.append(
            ListedGuideline(
                id=g.id if g else ident,
                region=g.region if g else "?",
                version=g.version if g else "?",
                title=g.title if g else "?",
                file=str(path),
                valid=result.ok,
            )
        )
    console.out(format_list(items, fmt))


@app.command()
def show(
    guideline: str = typer.Argument(..., help="A built-in id (se-vgr) or a path to a rule file."),
    lang: str = typer.Option(
        "", "--lang", help="Language of texts: sv, nb or en (default: the file's language)."
    ),
) -> None:
    """Show a readable summary of a rule file; unverified values are marked UNVERIFIED.

    Example: taper guidelines show se-vgr
    """
    from taper.guideline.loader import load_guideline
    from taper.guideline.summary import summarize

    languages: dict[str, Lang] = {"sv": "sv", "nb": "nb", "en": "en"}
    language = languages[_choice(lang, tuple(languages), "language")] if lang else None
    loaded = load_guideline(guideline)
    console.out(summarize(loaded, language))


def _expand(paths: list[Path]) -> list[Path]:
    """Folders become the rule files in them; built-in ids their files."""
    from taper.guideline.registry import builtin_path

    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted([*path.rglob("*.yaml"), *path.rglob("*.yml")])
            if not found:
                raise TaperError(f"Folder {path} holds no .yaml rule files.")
            files += found
        elif not path.exists() and path.suffix == "" and "/" not in str(path):
            builtin = builtin_path(str(path))
            if builtin is None:
                raise TaperError(f"Rule file {path} does not exist.")
            files.append(builtin)
        else:
            files.append(path)
    return files


@app.command()
def validate(
    paths: list[Path] = typer.Argument(..., help="Rule files or folders (or built-in ids)."),
    format: str = typer.Option(
        "text", "--format", "-f", help="text, parsable (path:line:col), json or github."
    ),
) -> None:
    """Check rule files: YAML, the format, and every semantic rule, with file:line:col.

    Exit 0 when valid (warnings allowed), 1 when there are errors, 2 when a file cannot be read.

    Example: taper guidelines validate guidelines/se-vgr.yaml --format parsable
    """
    from taper.guideline.loader import read_rule_file, validate_bytes
    from taper.guideline.report import FindingsFormat

    fmt = FindingsFormat(_choice(format, _FORMATS, "format"))
    files = _expand(paths)
    contents = [(path, read_rule_file(path)) for path in files]  # all readable, or exit 2
    results = [validate_bytes(raw, str(path)) for path, raw in contents]
    _print_findings(results, fmt)
    if not all(r.ok for r in results):
        raise typer.Exit(1)


def _print_findings(results: list[ValidationResult], fmt: FindingsFormat) -> None:
    from taper.guideline.report import format_findings

    text = format_findings(results, fmt)
    if text:
        console.out(text)


@app.command()
def schema() -> None:
    """Print the JSON Schema of the rule-file format (for editors' completion).

    Regenerate the committed copy with: taper guidelines schema > guidelines/schema.json
    """
    from taper.guideline.reference import schema_text

    console.out(schema_text())


@app.command()
def diff(
    old: str = typer.Argument(..., help="The old version: a built-in id or a path."),
    new: str = typer.Argument(..., help="The new version: a built-in id or a path."),
    format: str = typer.Option("text", "--format", "-f", help="text or json."),
) -> None:
    """Show what changed between two rule files, in clinical terms.

    Example: taper guidelines diff se-vgr drafts/se-vgr.yaml
    """
    from taper.guideline.diff import diff as compute
    from taper.guideline.loader import load_guideline
    from taper.guideline.report import ListFormat, format_diff

    fmt = ListFormat(_choice(format, ("text", "json"), "format"))
    a, b = load_guideline(old), load_guideline(new)
    console.out(format_diff(old, new, compute(a.guideline, b.guideline), fmt))
