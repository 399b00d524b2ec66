"""`taper convert` and `taper compare`: thin wrappers over `taper.equivalence`.

Heavy imports (pydantic models, the loader, the renderers) happen inside the commands so that
`taper --help` stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from taper.cli import console
from taper.errors import TaperError

if TYPE_CHECKING:
    from taper.dose import MedicationInput
    from taper.guideline.model import Guideline

FORMATS = ("text", "json")

_MED_HELP = (
    'A medication as "DRUG AMOUNT UNIT", AMOUNT the daily total (mg) or the patch rate '
    '(mcg/h); repeat for each drug. E.g. "oxazepam 25 mg", "Sobril 0,5 mg", '
    '"fentanyl patch 25 mcg/h", "buprenorphine sublingual 8 mg".'
)


# Help texts: one line per paragraph (the help formatter keeps line breaks as written).
CONVERT_HELP = "\n\n".join(
    [
        "Convert doses to diazepam and oral morphine equivalents under one rule file.",
        "Each medication gets its class, the factor or dose band used, the equivalent, the "
        "range the sources give and the source; then one total per class (classes are never "
        "added together), the rule file's warnings and disclaimer, and a stamp line (rule "
        "file id, version, sha256, taper version). A drug the table has no factor for is "
        "reported as such and its class total is marked incomplete, never counted as zero.",
        "Example:",
        '  taper convert -g us-cdc-2022 --med "fentanyl patch 75 mcg/h" '
        '--med "oxycodone 20 mg" --to morphine',
    ]
)
COMPARE_HELP = "\n\n".join(
    [
        "Compare the same medications under every installed rule file, side by side.",
        "For each medication and each class total: each region's equivalent, a dash with the "
        "reason where a region has no factor or does not know the drug, and the spread across "
        "regions (lowest, highest, highest/lowest) so that disagreements stand out. An "
        "incomplete total is shown as a lower bound (>=).",
        "Example:",
        '  taper compare --med "oxazepam 30 mg" --med "oxycodone 40 mg"',
    ]
)


def _formats(value: str) -> str:
    if value not in FORMATS:
        raise TaperError(f"Unknown format {value!r}: use {' or '.join(FORMATS)}.")
    return value


def _medications(
    meds: list[str] | None, guideline: Guideline | None = None
) -> list[MedicationInput]:
    """The --med lines; with one rule file, brands may be written in tablets without their
    strength ("Citodon 2+2+2") when it lists only one (taper.brand_lines)."""
    from taper.dose import parse_medication, refuse_repeated_lines

    if not meds:
        raise TaperError(
            'No medication given: add --med "DRUG AMOUNT UNIT", e.g. --med "oxazepam 25 mg".'
        )
    medications = [parse_medication(text, guideline) for text in meds]
    refuse_repeated_lines(medications, "--med")
    return medications


def convert(
    guideline: str | None = typer.Option(
        None,
        "--guideline",
        "-g",
        metavar="ID|PATH",
        help="Rule file: a built-in id (e.g. se-vgr) or a path.",
    ),
    med: list[str] | None = typer.Option(
        None, "--med", "-m", metavar='"DRUG AMOUNT UNIT"', help=_MED_HELP
    ),
    to: str | None = typer.Option(
        None,
        "--to",
        metavar="DRUG",
        help="Express the class total as a daily dose of this drug (e.g. oxycodone, "
        '"fentanyl patch"), with the rule file\'s cross-tolerance reduction for a switch.',
    ),
    fmt: str = typer.Option(
        "text", "--format", "-f", metavar="text|json", help="Output format: text or json."
    ),
    specialist: bool = typer.Option(
        False,
        "--specialist",
        help="A specialist approved the switch: needed with --to when methadone is converted "
        "to another opioid.",
    ),
) -> None:
    from taper import __version__
    from taper.equivalence import equivalents, resolve_drug, to_target
    from taper.guideline.loader import load_guideline
    from taper.render.conversion import convert_json, convert_text

    fmt = _formats(fmt)
    if not guideline:
        raise TaperError("No rule file given: add --guideline ID or --guideline PATH.")
    loaded = load_guideline(guideline)
    medications = _medications(med, loaded.guideline)
    result = equivalents(medications, loaded.guideline)
    target = None
    if to is not None:
        from taper.dose import parse_drug
        from taper.equivalence import CLASS_ARTICLE, CLASS_LABEL

        name, _ = parse_drug(to)
        drug = resolve_drug(name, loaded.guideline)
        total = result.total(drug.drug_class)
        if total is None:
            present = " and ".join(CLASS_LABEL[t.drug_class] for t in result.totals)
            raise TaperError(
                f"--to {to} needs {CLASS_ARTICLE[drug.drug_class]} "
                f"{CLASS_LABEL[drug.drug_class]} total, but the medications "
                f"are {present}: classes are never converted into each other."
            )
        target = to_target(total, to, loaded.guideline, specialist=specialist)
    render = convert_json if fmt == "json" else convert_text
    console.out(render(loaded, result, target, __version__))


def compare(
    med: list[str] | None = typer.Option(
        None, "--med", "-m", metavar='"DRUG AMOUNT UNIT"', help=_MED_HELP
    ),
    guideline: list[str] | None = typer.Option(
        None,
        "--guideline",
        "-g",
        metavar="ID|PATH",
        help="Rule files to compare (ids or paths; repeatable). Default: every installed one.",
    ),
    fmt: str = typer.Option(
        "text", "--format", "-f", metavar="text|json", help="Output format: text or json."
    ),
) -> None:
    from taper import __version__
    from taper.equivalence import compare as compare_rules
    from taper.guideline.loader import load_guideline
    from taper.guideline.registry import builtin_ids
    from taper.render.conversion import compare_json, compare_text

    fmt = _formats(fmt)
    refs = list(dict.fromkeys(guideline or builtin_ids()))
    if not refs:
        raise TaperError("No rule files are installed: give --guideline PATH.")
    loaded = [load_guideline(ref) for ref in refs]
    medications = _medications(med)
    comparison = compare_rules(medications, [one.guideline for one in loaded])
    render = compare_json if fmt == "json" else compare_text
    console.out(render(loaded, comparison, __version__))


convert.__doc__ = CONVERT_HELP
compare.__doc__ = COMPARE_HELP
