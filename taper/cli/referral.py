"""`taper referral`: does this patient meet the region's referral criteria, and what is missing."""

import datetime as dt
from enum import StrEnum

import typer

from taper.cli import console


class ReferralFormat(StrEnum):
    text = "text"
    json = "json"


def referral(
    guideline: str = typer.Option(
        ..., "--guideline", "-g", metavar="ID|PATH", help="Built-in guideline id or a rule file."
    ),
    med: list[str] = typer.Option(
        ...,
        "--med",
        "-m",
        metavar="'DRUG AMOUNT UNIT'",
        help="A current medication as its daily total, e.g. 'oxazepam 30 mg'. Repeatable.",
    ),
    attempt_start: str | None = typer.Option(
        None, "--attempt-start", metavar="DATE", help="First day of the attempt (YYYY-MM-DD)."
    ),
    attempt_end: str | None = typer.Option(
        None, "--attempt-end", metavar="DATE", help="Last day of the attempt (YYYY-MM-DD)."
    ),
    attempt_from: str | None = typer.Option(
        None,
        "--attempt-from",
        metavar="'DRUG AMOUNT UNIT'",
        help="Daily dose when the attempt began, e.g. 'oxazepam 30 mg'.",
    ),
    attempt_to: str | None = typer.Option(
        None,
        "--attempt-to",
        metavar="'AMOUNT UNIT'",
        help="Lowest daily dose the attempt reached, e.g. '20 mg' (0 mg if it reached zero).",
    ),
    attempt_stopped: str | None = typer.Option(
        None,
        "--attempt-stopped",
        metavar="TEXT",
        help="Why the attempt stopped, e.g. 'withdrawal symptoms, sleep'.",
    ),
    answer: list[str] = typer.Option(
        [],
        "--answer",
        metavar="ID=yes|no",
        help="Answer to one of the rule file's questions or exclusions. Repeatable.",
    ),
    start: str | None = typer.Option(
        None, "--start", metavar="DATE", help="Start of the proposed plan (default: --today)."
    ),
    today: str | None = typer.Option(
        None, "--today", metavar="DATE", help="Today's date (default: the system date)."
    ),
    specialist: bool = typer.Option(
        False,
        "--specialist",
        help="A specialist has signed off (substitution drugs, high doses): passed to the plan.",
    ),
    lang: str | None = typer.Option(
        None, "--lang", metavar="sv|nb|en", help="Output language (default: the guideline's)."
    ),
    fmt: ReferralFormat = typer.Option(ReferralFormat.text, "--format", help="Output format."),
) -> None:
    """Check the region's referral criteria and print a referral summary to paste.

    Each criterion is met, not met, or cannot tell yet; the report lists what is missing.
    Without a discontinuation attempt it says one is required first and outlines the plan
    for that attempt.

    Example:

        taper referral -g se-vgr --med "oxazepam 30 mg" --attempt-start 2026-01-10
        --attempt-end 2026-03-01 --attempt-from "oxazepam 30 mg" --attempt-to "20 mg"
        --attempt-stopped "withdrawal symptoms, sleep"
        --answer iatrogent-beroende=yes --answer blandmissbruk-psykiatri=no
    """
    from taper import __version__
    from taper.dose import parse_date, parse_medication, refuse_repeated_lines
    from taper.errors import TaperError
    from taper.guideline.loader import load_guideline
    from taper.guideline.model import Lang
    from taper.referral import AttemptText, check_referral, render_json, render_text

    loaded = load_guideline(guideline)
    chosen: Lang = loaded.guideline.language
    if lang is not None:
        known: dict[str, Lang] = {"sv": "sv", "nb": "nb", "en": "en"}
        if lang not in known:
            raise TaperError(f"Unknown language {lang!r}; choose sv, nb or en.")
        chosen = known[lang]
    day = parse_date(today, "--today") if today is not None else dt.date.today()
    medications = [parse_medication(text, loaded.guideline) for text in med]
    refuse_repeated_lines(medications, "--med")
    report = check_referral(
        medications,
        loaded,
        attempt=AttemptText(attempt_start, attempt_end, attempt_from, attempt_to, attempt_stopped),
        answers=answer,
        today=day,
        start=parse_date(start, "--start") if start is not None else day,
        lang=chosen,
        specialist=specialist,
        tool_version=__version__,
    )
    console.out(render_json(report) if fmt is ReferralFormat.json else render_text(report))
