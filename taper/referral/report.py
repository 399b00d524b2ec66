"""The referral report: the criteria's verdict, the attempt, the equivalents, the plan outline
and the risk flags, gathered for one patient."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from taper.aftercare import dose_changes
from taper.dose import (
    MedicationInput,
)
from taper.equivalence import EquivalenceWarning, Equivalents, equivalents
from taper.errors import TaperError
from taper.guideline.loader import LoadedGuideline
from taper.guideline.model import Guideline, Lang
from taper.plan.model import Phase, Plan, PlanWarning
from taper.referral.attempt import (
    Attempt,
    AttemptText,
    Purpose,
    Status,
    parse_answers,
    parse_attempt,
    require_referral,
)
from taper.referral.criteria import CriterionResult, evaluate_criteria, overall
from taper.referral.words import dose_text, word

# --- plan outline -------------------------------------------------------------------------


@dataclass(frozen=True)
class OutlineRow:
    """Consecutive dosed steps of one drug in one phase; `stop` is the first day without the
    drug when this row ends its last dose."""

    phase: Phase
    drug: str
    start: dt.date
    end: dt.date
    dose_first: Decimal
    dose_last: Decimal
    unit: str
    steps: int
    stop: dt.date | None = None


@dataclass(frozen=True)
class PlanOutline:
    purpose: Purpose
    start: dt.date
    end: dt.date | None
    last_dose_date: dt.date | None
    steps: int
    rows: tuple[OutlineRow, ...]
    support_contacts: int
    aftercare_contacts: int
    aftercare_until: dt.date | None
    rule_ids: tuple[str, ...]
    specialist_signoff: bool
    warnings: tuple[PlanWarning, ...]


def outline(plan: Plan, purpose: Purpose) -> PlanOutline:
    """The plan in a few lines: one row per drug and phase (zero-dose days left out: a row's
    `stop` says when the drug ends), the number of steps, the last dose and the contacts."""
    rows: list[OutlineRow] = []
    for step in sorted(plan.steps, key=lambda s: (s.start, s.drug, s.index)):
        if step.dose <= 0:
            continue
        same = [
            i
            for i, r in enumerate(rows)
            if r.drug == step.drug
            and r.phase == step.phase
            and r.end + dt.timedelta(days=1) == step.start
        ]
        if same:
            row = rows[same[-1]]
            rows[same[-1]] = replace(row, end=step.end, dose_last=step.dose, steps=row.steps + 1)
        else:
            rows.append(
                OutlineRow(
                    step.phase, step.drug, step.start, step.end, step.dose, step.dose, step.unit, 1
                )
            )
    stops = {
        (change.drug, change.date)
        for change in dose_changes(plan.steps, plan.start, plan.last_dose_date)
        if change.dose_to == 0
    }
    rows = [
        replace(row, stop=row.end + dt.timedelta(days=1))
        if (row.drug, row.end + dt.timedelta(days=1)) in stops
        else row
        for row in rows
    ]
    aftercare = [c.date for c in plan.checkpoints if c.kind == "aftercare"]
    return PlanOutline(
        purpose=purpose,
        start=plan.start,
        end=max((s.end for s in plan.steps), default=None),
        last_dose_date=plan.last_dose_date,
        steps=len(plan.steps),
        rows=tuple(rows),
        support_contacts=sum(1 for c in plan.checkpoints if c.kind == "support"),
        aftercare_contacts=len(aftercare),
        aftercare_until=max(aftercare, default=None),
        rule_ids=tuple(plan.rule_ids),
        specialist_signoff=plan.specialist_signoff,
        warnings=tuple(plan.warnings),
    )


# --- the report ---------------------------------------------------------------------------


# A risk flag is a conversion warning whose text is in the report's language.
RiskFlag = EquivalenceWarning


@dataclass(frozen=True)
class ReferralReport:
    guideline: Guideline
    sha256: str
    tool_version: str
    lang: Lang
    today: dt.date
    results: tuple[CriterionResult, ...]
    verdict: Status
    attempt: Attempt | None
    equivalents: Equivalents
    plan: PlanOutline | None
    plan_unavailable: str | None
    risk_flags: tuple[RiskFlag, ...]


def said_in(code: str, message: str, guideline: Guideline, lang: Lang) -> str:
    """A planner's or conversion's English sentence in the report's language, read by the same
    patterns as the printed plan; as written when it does not read."""
    if lang == "en":
        return message
    from taper.render.i18n import texts
    from taper.render.messages import Reader

    return Reader(texts(lang), guideline).warning(code, message) or message


def _risk_flags(eq: Equivalents, guideline: Guideline, lang: Lang) -> tuple[RiskFlag, ...]:
    """The conversion's warnings (thresholds, substitution drugs, missing factors), with the
    rule file's own threshold text in the report's language."""
    thresholds = {f"threshold:{t.id}": t for t in guideline.thresholds}
    flags = []
    for warning in eq.warnings:
        message = warning.message
        threshold = thresholds.get(warning.code)
        if threshold is not None:
            message = threshold.message.get(lang)
            total = eq.total(threshold.drug_class)
            if (
                threshold.kind == "total-above"
                and threshold.above is not None
                and total
                and total.determined
            ):
                detail = word("threshold-detail", lang).format(
                    total=f"{dose_text(total.equivalent, total.unit, lang)} {total.reference_name}",
                    above=f"{dose_text(threshold.above, total.unit, lang)}",
                )
                message = f"{message} ({detail})"
        flags.append(RiskFlag(warning.code, warning.severity, message))
    return tuple(flags)


def check_referral(
    medications: Sequence[MedicationInput],
    loaded: LoadedGuideline,
    *,
    attempt: AttemptText,
    answers: Sequence[str],
    today: dt.date,
    start: dt.date,
    lang: Lang,
    tool_version: str,
    specialist: bool = False,
) -> ReferralReport:
    """Evaluate the referral criteria and gather the referral summary (see the module doc)."""
    from taper.plan import PlanOptions, make_plan

    guideline = loaded.guideline
    referral = require_referral(guideline)
    if not medications:
        raise TaperError("No medication given: add --med, e.g. --med 'oxazepam 30 mg'.")
    if start < today:  # a typo'd year or month would otherwise date a proposal in the past
        raise TaperError(
            f"--start {start.isoformat()} is before --today {today.isoformat()}; the proposed "
            "plan starts today or later."
        )
    eq = equivalents(list(medications), guideline)
    documented = parse_attempt(attempt, medications, guideline, today)
    given = parse_answers(answers, referral)
    results = evaluate_criteria(referral, documented, given)
    purpose: Purpose = "attempt" if any(r.missing == "attempt" for r in results) else "referral"
    plan: PlanOutline | None = None
    unavailable: str | None = None
    try:
        made = make_plan(
            list(medications), loaded, PlanOptions(start=start, lang=lang, specialist=specialist)
        )
        plan = outline(made, purpose)
    except TaperError as exc:  # the referral check stands on its own; say why there is no plan
        unavailable = str(exc)
    return ReferralReport(
        guideline=guideline,
        sha256=loaded.sha256,
        tool_version=tool_version,
        lang=lang,
        today=today,
        results=results,
        verdict=overall(results),
        attempt=documented,
        equivalents=eq,
        plan=plan,
        plan_unavailable=unavailable,
        risk_flags=_risk_flags(eq, guideline, lang),
    )
