"""`taper guidelines ...`: list, show, validate, schema and diff for regional rule files.

Thin wrappers: each command calls the library and prints the text `taper.guideline.report` or
`taper.guideline.summary` made. Heavy imports stay inside the functions so `taper --help` is
fast. Exit codes: 0 valid (warnings allowed), 1 findings with errors, 2 unreadable input.
"""

from __future__ import annotations

import os
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


FOLDER_FILES_MAX = 1000  # more rule files than this in one folder is the wrong folder


def _folder_rule_files(folder: Path, shown: str) -> list[Path]:
    """The .yaml/.yml files directly in `folder`, sorted; hidden files (editor locks such as
    .#se-vgr.yaml) are skipped. Not recursive: `validate /` must not read the whole disk."""
    found: list[Path] = []
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.name.startswith(".") or not entry.name.endswith((".yaml", ".yml")):
                    continue
                found.append(folder / entry.name)
                if len(found) > FOLDER_FILES_MAX:
                    raise TaperError(
                        f"Folder {shown} holds more than {FOLDER_FILES_MAX} .yaml files; "
                        "name the rule files to check."
                    )
    except PermissionError:
        raise TaperError(f"Folder {shown} cannot be read (permission denied).") from None
    except OSError as exc:
        raise TaperError(f"Cannot read folder {shown}: {exc.strerror}.") from None
    if not found:
        raise TaperError(f"Folder {shown} holds no .yaml rule files.")
    return sorted(found)


def _expand(ref: str) -> list[Path]:
    """A folder becomes the rule files in it; a built-in id its file (chosen over a local
    file or folder as `load_guideline` chooses); a TaperError names an argument that is none."""
    from taper.guideline.loader import builtin_for
    from taper.io import file_kind

    if not ref:
        raise TaperError("An empty argument is not a rule file, folder or built-in id.")
    builtin = builtin_for(ref)
    if builtin is not None:
        return [builtin]
    if file_kind(Path(ref)) == "folder":
        return _folder_rule_files(Path(ref), ref)
    return [Path(ref)]


@app.command()
def validate(
    paths: list[str] = typer.Argument(
        ..., help="Rule files, folders (their .yaml files, not subfolders) or built-in ids."
    ),
    format: str = typer.Option(
        "text", "--format", "-f", help="text, parsable (path:line:col), json or github."
    ),
) -> None:
    """Check rule files: YAML, the format, and every semantic rule, with file:line:col.

    Every file that can be read is checked and reported; each path that cannot (missing,
    unreadable, a folder without rule files) gets one sentence, all on one stderr line.
    Exit 2 when a path could not be used, else 1 when there are errors, else 0 (warnings
    allowed).

    Example: taper guidelines validate guidelines/se-vgr.yaml --format parsable
    """
    from taper.guideline.loader import read_rule_file, validate_bytes
    from taper.guideline.report import FindingsFormat

    fmt = FindingsFormat(_choice(format, _FORMATS, "format"))
    results: list[ValidationResult] = []
    unusable: list[str] = []  # one sentence per path that cannot be used, in argument order
    for ref in paths:
        try:
            files = _expand(ref)
        except TaperError as exc:
            unusable.append(str(exc))
            continue
        for path in files:
            try:
                raw = read_rule_file(path)
            except TaperError as exc:
                unusable.append(str(exc))
                continue
            results.append(validate_bytes(raw, str(path)))
    unusable = list(dict.fromkeys(unusable))  # a path named twice is said once
    if results:
        _print_findings(results, fmt, len(unusable))
    if unusable:
        # One sentence per path, on one line: the exit-2 contract is one line on stderr.
        console.err("taper: " + " ".join(unusable))
        raise typer.Exit(2)
    if not all(r.ok for r in results):
        raise typer.Exit(1)


def _print_findings(
    results: list[ValidationResult], fmt: FindingsFormat, unusable: int = 0
) -> None:
    from taper.guideline.report import format_findings

    text = format_findings(results, fmt, unusable)
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
