"""`taper plan`: a TUB-model tapering plan (thin wrapper over `taper.plan.make_plan`)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import typer

from taper.errors import TaperError

# The plan formats, spelled out so `taper --help` need not import the renderers (and with
# them pydantic and the plan model); a test checks this matches taper.render.PlanFormat.
# `taper batch` uses these too.
FORMATS = ("text", "markdown", "html", "pdf", "csv", "json", "ics", "fhir")
LANGS = ("sv", "nb", "en")
_PAUSE = re.compile(r"^(?P<date>\d{4}-\d{2}-\d{2}):(?P<days>\d{1,4})$")


def parse_pause(text: str) -> tuple[dt.date, int]:
    from taper.dose import parse_date  # lazy: keeps `taper --help` light

    match = _PAUSE.match(text.strip())
    if match is None:
        raise TaperError(f"--pause {text!r} is not DATE:DAYS; write e.g. --pause 2025-03-01:14.")
    return parse_date(match.group("date"), "--pause"), int(match.group("days"))


def check_patient_id(text: str | None) -> str | None:
    """A --patient-id as given, or one sentence on what makes it unusable."""
    if text is None:
        return None
    if not text.strip() or any(not c.isprintable() for c in text) or len(text) > 64:
        raise TaperError("--patient-id must be 1 to 64 printable characters.")
    return text


def parse_days(text: str, option: str) -> int:
    if not re.fullmatch(r"\s*\d{1,4}\s*", text):
        raise TaperError(f"{option} {text!r} is not a number of days (write e.g. 14).")
    return int(text)


def plan(
    guideline: str = typer.Option(
        ...,
        "--guideline",
        "-g",
        metavar="ID|PATH",
        help="Rule file: a built-in id (se-vgr) or a path to a draft.",
    ),
    med: list[str] = typer.Option(
        [],
        "--med",
        "-m",
        metavar="MED",
        help='A medication as "DRUG AMOUNT UNIT" (daily total); repeatable.',
    ),
    start: str | None = typer.Option(
        None, "--start", metavar="DATE", help="First day of the plan, YYYY-MM-DD."
    ),
    percent: str | None = typer.Option(
        None,
        "--percent",
        metavar="PERCENT",
        help="Reduction per step in %; at most what the rule allows.",
    ),
    interval: str | None = typer.Option(
        None, "--interval", metavar="DAYS", help="Days per step; at least what the rule allows."
    ),
    switch: bool | None = typer.Option(
        None,
        "--switch/--no-switch",
        help="Switch to the rule's long-acting drug, or not (default: as the rule says).",
        show_default=False,
    ),
    pause: list[str] = typer.Option(
        [],
        "--pause",
        metavar="DATE:DAYS",
        help="DATE:DAYS: hold the step current on DATE DAYS longer; repeatable.",
    ),
    rule: str | None = typer.Option(
        None, "--rule", metavar="ID", help="Use another taper rule that matches."
    ),
    specialist: bool = typer.Option(
        False, "--specialist", help="A specialist has signed off (substitution drugs, high doses)."
    ),
    current: list[str] = typer.Option(
        [],
        "--current",
        metavar="MED",
        help='Replan: the current daily dose "DRUG AMOUNT UNIT"; repeatable.',
    ),
    on: str | None = typer.Option(
        None, "--on", metavar="DATE", help="Replan: the date of the current dose."
    ),
    original: list[str] = typer.Option(
        [],
        "--original",
        metavar="MED",
        help='Replan: the original starting dose "DRUG AMOUNT UNIT".',
    ),
    fmt: str | None = typer.Option(
        None,
        "--format",
        "-f",
        metavar="FORMAT",
        help=f"One of: {', '.join(FORMATS)} (default: from the --out file's extension, else text).",
    ),
    lang: str | None = typer.Option(
        None, "--lang", metavar="LANG", help="sv, nb or en (default: the rule file's language)."
    ),
    out: Path | None = typer.Option(
        None, "--out", "-o", metavar="FILE", help="Write to FILE instead of stdout (-: stdout)."
    ),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing --out file."),
    patient_id: str | None = typer.Option(
        None,
        "--patient-id",
        metavar="ID",
        help="The clinic's id of the patient: put into calendar UIDs and FHIR ids (and the "
        "FHIR subject), so two patients' plans never share one.",
    ),
    diary: bool = typer.Option(
        False,
        "--diary",
        help="Print the intake diary for the mapping week instead of the plan "
        "(--format html or pdf).",
    ),
    calendar_from: str | None = typer.Option(
        None,
        "--calendar-from",
        metavar="DATE",
        help="Print only the sheet's tick calendar, 13 weeks from the week holding DATE "
        "(YYYY-MM-DD): the next pages of a long plan (--format html or pdf).",
    ),
) -> None:
    """Make a TUB-model tapering plan: mapping, stabilisation, taper in real tablets, aftercare.

    \b
    Example:
      taper plan --guideline se-vgr --med "oxazepam 25 mg" --start 2025-03-03
      taper plan -g uk-ashton -m "alprazolam 1.5 mg" --start 2025-03-03 --format json
    Replan from the dose a patient actually takes now (no mapping, no stabilisation):
      taper plan -g se-vgr --current "oxazepam 15 mg" --on 2025-06-02
    Intake diary for the mapping week, to print:
      taper plan -g se-vgr -m "oxazepam 25 mg" --start 2025-03-03 --diary -f html -o diary.html
    The tick calendar's next pages, from the week holding a date:
      taper plan -g se-vgr -m "oxazepam 25 mg" --start 2025-03-03 --calendar-from 2025-06-02 \\
        -f pdf -o calendar.pdf
    """
    from taper.cli import console
    from taper.dose import parse_amount, parse_date, parse_medication, refuse_repeated_lines
    from taper.guideline.loader import load_guideline
    from taper.io import file_kind, write_atomic
    from taper.plan import Pause, PlanOptions, make_plan
    from taper.render import DiaryFormat, PlanFormat, render_diary, render_plan

    if out is not None and str(out) == "-":  # stdout, as for batch
        out = None
    if fmt is not None and fmt not in FORMATS:
        raise TaperError(f"Unknown format {fmt!r}: use one of {', '.join(FORMATS)}.")
    fmt = format_for(fmt, out)
    if diary and fmt not in ("html", "pdf"):
        raise TaperError("The intake diary is a printable sheet: use --format html or pdf.")
    ticks_from = None
    if calendar_from is not None:
        if diary:
            raise TaperError(
                "--calendar-from prints the sheet's tick calendar, not the intake diary: "
                "drop one of them."
            )
        if fmt not in ("html", "pdf"):
            raise TaperError(
                "--calendar-from prints the sheet's tick calendar: use --format html or pdf."
            )
        ticks_from = parse_date(calendar_from, "--calendar-from")
    if lang is not None and lang not in LANGS:
        raise TaperError(f"Unknown language {lang!r}: use sv, nb or en.")
    if out is not None and file_kind(out) == "folder":  # before the plan and before --force
        raise TaperError(f"--out {out} is a folder; give a file name in it.")
    if fmt == "pdf" and out is None:
        raise TaperError("PDF output is binary: write it to a file with --out FILE.")
    replan = bool(current)
    if replan:
        if med:
            raise TaperError("Give either --med (a new plan) or --current (a replan), not both.")
        if on is None:
            raise TaperError("A replan needs --on DATE: the date of the current dose.")
        if start is not None:
            raise TaperError("A replan starts --on the date of the current dose; drop --start.")
        first = parse_date(on, "--on")
        texts = current
    else:
        if on is not None or original:
            raise TaperError("--on and --original belong to a replan: give --current too.")
        if not med:
            raise TaperError('No medication given: add --med "DRUG AMOUNT UNIT".')
        if start is None:
            raise TaperError("Give the first day of the plan: --start YYYY-MM-DD.")
        first = parse_date(start, "--start")
        texts = med
    loaded = load_guideline(guideline)
    medications = [parse_medication(text, loaded.guideline) for text in texts]
    refuse_repeated_lines(medications, "--current" if replan else "--med")
    originals = tuple(parse_medication(text, loaded.guideline) for text in original)
    refuse_repeated_lines(originals, "--original")
    pauses = tuple(Pause(*parse_pause(text)) for text in pause)
    options = PlanOptions(
        start=first,
        lang=lang,
        switch=switch,
        percent=None if percent is None else parse_amount(percent),
        interval_days=None if interval is None else parse_days(interval, "--interval"),
        pauses=pauses,
        specialist=specialist,
        rule=rule,
        replan=replan,
        originals=originals,
    )
    made = make_plan(medications, loaded, options)
    if diary:
        data = render_diary(made, made.language, DiaryFormat(fmt), guideline=loaded.guideline)
    else:
        data = render_plan(
            made,
            PlanFormat(fmt),
            made.language,
            guideline=loaded.guideline,
            patient_id=check_patient_id(patient_id),
            calendar_from=ticks_from,
        )
    if out is not None:
        write_atomic(out, data, force=force)
        return
    console.out(data.decode("utf-8"))


# What an --out file's name says about its format (the longest ending that matches wins).
OUT_EXTENSIONS: tuple[tuple[str, str], ...] = (
    (".fhir.json", "fhir"),
    (".pdf", "pdf"),
    (".html", "html"),
    (".htm", "html"),
    (".md", "markdown"),
    (".csv", "csv"),
    (".json", "json"),
    (".ics", "ics"),
    (".txt", "text"),
)


def format_from_name(out: Path) -> str | None:
    """The format an --out file's extension names; None for an extension not listed."""
    name = out.name.lower()
    return next((fmt for ending, fmt in OUT_EXTENSIONS if name.endswith(ending)), None)


def format_for(fmt: str | None, out: Path | None) -> str:
    """--format if given, else the --out extension's format, else text; refuses a mismatch
    (a FHIR bundle is JSON, so --format fhir may write to a plain .json file)."""
    named = None if out is None else format_from_name(out)
    if fmt is None:
        return named or "text"
    if named is not None and named != fmt and (fmt, named) != ("fhir", "json"):
        raise TaperError(
            f"--format {fmt} does not match the file name {out.name if out else ''} "
            f"(a {named} file): give a matching --format or file name."
        )
    return fmt
