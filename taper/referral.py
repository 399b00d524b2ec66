"""Referral readiness: the region's referral criteria, the attempt, and a summary to paste.

`check_referral` evaluates a rule file's `referral.criteria` for one patient and gathers what a
physician pastes into the referral: the drugs with their equivalents, the documented
discontinuation attempt, the proposed plan's outline and the risk flags. Pure: the caller
passes today's date; `render_text` and `render_json` turn the report into output.

Criterion kinds and how each is decided:
- `attempt-required`: met by a documented attempt (dates, drug, from-dose, to-dose, why it
  stopped); "cannot tell" when the reason is missing; not met without an attempt — the
  attempt comes first, at the treating unit, and the report offers the plan for it.
- `question`: met when answered yes, not met when answered no, "cannot tell" unanswered.
- `exclusion`: not met when answered yes (the unit refers such patients elsewhere), met when
  answered no, "cannot tell" unanswered.
Criteria that share an `any_of` name are alternatives (e.g. two different reasons to refer):
the group is met when one of them is, not met when none can be, open otherwise.
The verdict: not met if any criterion or group is not met; otherwise "cannot tell" if any is
open; otherwise met.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any, Literal

from taper.aftercare import dose_changes
from taper.dose import (
    MedicationInput,
    format_amount,
    parse_amount,
    parse_date,
    parse_medication,
    parse_unit,
)
from taper.equivalence import EquivalenceWarning, Equivalents, equivalents, resolve_drug
from taper.errors import TaperError
from taper.guideline.loader import LoadedGuideline
from taper.guideline.model import Guideline, Lang, Referral, ReferralCriterion
from taper.plan.model import Phase, Plan, PlanWarning

Status = Literal["meets", "does-not-meet", "cannot-tell"]
Answer = Literal["yes", "no"]
Purpose = Literal["attempt", "referral"]

_ANSWER_WORDS: dict[str, Answer] = {
    "yes": "yes",
    "y": "yes",
    "ja": "yes",
    "true": "yes",
    "no": "no",
    "n": "no",
    "nej": "no",
    "nei": "no",
    "false": "no",
}


# --- input --------------------------------------------------------------------------------


@dataclass(frozen=True)
class AttemptText:
    """The attempt as typed: each field one command-line option (None when not given)."""

    start: str | None = None
    end: str | None = None
    dose_from: str | None = None  # "oxazepam 30 mg"
    dose_to: str | None = None  # "20 mg" (or "oxazepam 20 mg", or "0 mg")
    stopped: str | None = None  # why it stopped: "withdrawal symptoms, sleep"

    @property
    def given(self) -> bool:
        return any(
            v is not None
            for v in (self.start, self.end, self.dose_from, self.dose_to, self.stopped)
        )


@dataclass(frozen=True)
class Attempt:
    """A documented discontinuation attempt at the treating unit (dates inclusive)."""

    start: dt.date
    end: dt.date
    drug: str
    drug_name: str
    dose_from: Decimal
    dose_to: Decimal
    unit: str
    stopped: str | None

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


_TO_DOSE = re.compile(
    r"^(?:(?P<drug>.*\S)\s+)?(?P<amount>[-+]?[0-9]*[.,]?[0-9]+)\s*(?P<unit>\S.*)$"
)


def _parse_to_dose(text: str) -> tuple[str | None, Decimal, str]:
    """ "20 mg", "oxazepam 20 mg" or "0 mg" (the attempt may have reached zero)."""
    match = _TO_DOSE.match(" ".join(text.split()))
    if match is None:
        raise TaperError(
            f"--attempt-to {text!r} is not a dose; write the dose reached, e.g. '20 mg'."
        )
    amount = parse_amount(match.group("amount"))
    if amount < 0:
        raise TaperError(
            f"--attempt-to {text!r} is negative; write the dose reached, e.g. '20 mg'."
        )
    return match.group("drug"), amount, parse_unit(match.group("unit"))


def parse_attempt(
    text: AttemptText,
    medications: Sequence[MedicationInput],
    guideline: Guideline,
    today: dt.date,
) -> Attempt | None:
    """The attempt, validated; None when no attempt option was given.

    Refuses (TaperError, one sentence): a missing start, end, from- or to-dose; a date that is
    not YYYY-MM-DD; an end not after the start or after `today`; a to-dose above the from-dose
    or in another unit; a drug that is none of the patient's current medications.
    """
    if not text.given:
        return None
    needed = {
        "--attempt-start": text.start,
        "--attempt-end": text.end,
        "--attempt-from": text.dose_from,
        "--attempt-to": text.dose_to,
    }
    absent = [option for option, value in needed.items() if not (value or "").strip()]
    if absent:
        raise TaperError(
            f"The attempt is incomplete: add {', '.join(absent)} (an attempt needs its start, "
            "end, from-dose and to-dose)."
        )
    start = parse_date(text.start or "", "--attempt-start")
    end = parse_date(text.end or "", "--attempt-end")
    if end <= start:
        raise TaperError(
            f"The attempt ends ({end}) on or before it starts ({start}); check the dates."
        )
    if end > today:
        raise TaperError(
            f"The attempt ends in the future ({end}, today is {today}); give the attempt made "
            "so far."
        )
    before = parse_medication(text.dose_from or "")
    drug = resolve_drug(before.drug_name, guideline)
    to_drug, to_amount, to_unit = _parse_to_dose(text.dose_to or "")
    if to_drug is not None and resolve_drug(to_drug, guideline).id != drug.id:
        raise TaperError(
            f"--attempt-to names {to_drug!r} but the attempt started on {before.drug_name!r}: "
            "give the dose reached of the same drug."
        )
    if to_unit != before.dose.unit:
        raise TaperError(
            f"The attempt's to-dose is in {to_unit} but its from-dose is in {before.dose.unit}; "
            "use the same unit."
        )
    if to_amount > before.dose.amount:
        raise TaperError(
            f"The attempt's to-dose ({format_amount(to_amount)} {to_unit}) is higher than its "
            f"from-dose ({format_amount(before.dose.amount)} {to_unit}); an attempt lowers the "
            "dose."
        )
    current = {resolve_drug(m.drug_name, guideline).id for m in medications}
    if drug.id not in current:
        raise TaperError(
            f"The attempt was with {before.drug_name!r}, which is not among the --med "
            "medications; give the drug the attempt was made with as a --med too."
        )
    stopped = " ".join((text.stopped or "").split()) or None
    label = drug.display.en if drug.display is not None else drug.id
    return Attempt(start, end, drug.id, label, before.dose.amount, to_amount, to_unit, stopped)


def require_referral(guideline: Guideline) -> Referral:
    if guideline.referral is None or not guideline.referral.criteria:
        raise TaperError(
            f"Guideline {guideline.id} has no referral criteria, so there is nothing to check "
            "a referral against."
        )
    return guideline.referral


def parse_answers(texts: Sequence[str], referral: Referral) -> dict[str, Answer]:
    """`--answer ID=yes|no` (also ja/nej/nei), for the rule file's question and exclusion
    criteria; an unknown id, an attempt criterion or two different answers are refused."""
    answerable = [c.id for c in referral.criteria if c.kind != "attempt-required"]
    attempts = {c.id for c in referral.criteria if c.kind == "attempt-required"}
    answers: dict[str, Answer] = {}
    for raw in texts:
        key, sep, value = raw.partition("=")
        key, value = key.strip(), value.strip().lower()
        if not sep or not key:
            raise TaperError(f"--answer {raw!r} is not ID=yes or ID=no.")
        if key in attempts:
            raise TaperError(
                f"Criterion {key!r} is the discontinuation attempt: give it with the "
                "--attempt-* options, not --answer."
            )
        if key not in answerable:
            known = ", ".join(answerable) or "none"
            raise TaperError(
                f"Unknown criterion {key!r} in --answer; this guideline asks: {known}."
            )
        if value not in _ANSWER_WORDS:
            raise TaperError(f"--answer {raw!r}: answer yes or no.")
        answer = _ANSWER_WORDS[value]
        if answers.get(key, answer) != answer:
            raise TaperError(f"Criterion {key!r} is answered both yes and no.")
        answers[key] = answer
    return answers


# --- evaluation ---------------------------------------------------------------------------

MissingCode = Literal["attempt", "attempt-stopped", "answer"]


@dataclass(frozen=True)
class CriterionResult:
    criterion: ReferralCriterion
    status: Status
    answer: Answer | None
    missing: MissingCode | None
    # For alternatives (`any_of`): the status of the whole group, which the verdict uses.
    group_status: Status | None = None


def evaluate_criterion(
    criterion: ReferralCriterion, attempt: Attempt | None, answers: dict[str, Answer]
) -> CriterionResult:
    if criterion.kind == "attempt-required":
        if attempt is None:
            return CriterionResult(criterion, "does-not-meet", None, "attempt")
        if attempt.stopped is None:
            return CriterionResult(criterion, "cannot-tell", None, "attempt-stopped")
        return CriterionResult(criterion, "meets", None, None)
    answer = answers.get(criterion.id)
    if answer is None:
        return CriterionResult(criterion, "cannot-tell", None, "answer")
    met = (answer == "yes") if criterion.kind == "question" else (answer == "no")
    return CriterionResult(criterion, "meets" if met else "does-not-meet", answer, None)


def _any_of(statuses: Sequence[Status]) -> Status:
    """Alternatives: one met is enough; not met only when none can be."""
    if "meets" in statuses:
        return "meets"
    if all(s == "does-not-meet" for s in statuses):
        return "does-not-meet"
    return "cannot-tell"


def _groups(results: Sequence[CriterionResult]) -> dict[str, list[Status]]:
    groups: dict[str, list[Status]] = {}
    for r in results:
        if r.criterion.any_of is not None:
            groups.setdefault(r.criterion.any_of, []).append(r.status)
    return groups


def evaluate_criteria(
    referral: Referral, attempt: Attempt | None, answers: dict[str, Answer]
) -> tuple[CriterionResult, ...]:
    """Every criterion in the rule file's order. Alternatives (`any_of`) carry their group's
    status; once one alternative is met, nothing is missing for the others."""
    results = [evaluate_criterion(c, attempt, answers) for c in referral.criteria]
    groups = {name: _any_of(statuses) for name, statuses in _groups(results).items()}
    out = []
    for r in results:
        group = r.criterion.any_of
        if group is None:
            out.append(r)
            continue
        met = groups[group] == "meets"
        out.append(replace(r, group_status=groups[group], missing=None if met else r.missing))
    return tuple(out)


def overall(results: Sequence[CriterionResult]) -> Status:
    """Not met if any criterion (or group of alternatives) is not met; cannot tell if any is
    open; met otherwise."""
    statuses = [r.status for r in results if r.criterion.any_of is None]
    statuses += [_any_of(group) for group in _groups(results).values()]
    if "does-not-meet" in statuses:
        return "does-not-meet"
    if "cannot-tell" in statuses:
        return "cannot-tell"
    return "meets"


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


def _said(code: str, message: str, guideline: Guideline, lang: Lang) -> str:
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
                    total=f"{_dose(total.equivalent, total.unit, lang)} {total.reference_name}",
                    above=f"{_dose(threshold.above, total.unit, lang)}",
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


# --- words --------------------------------------------------------------------------------

_WORDS: dict[str, dict[Lang, str]] = {
    "title": {"en": "Referral check", "sv": "Remisskontroll", "nb": "Henvisningskontroll"},
    "to": {"en": "Referral to", "sv": "Remiss till", "nb": "Henvisning til"},
    "guideline": {"en": "Guideline", "sv": "Riktlinje", "nb": "Retningslinje"},
    "version": {"en": "version", "sv": "version", "nb": "versjon"},
    "date": {"en": "Date", "sv": "Datum", "nb": "Dato"},
    "verdict": {"en": "Verdict", "sv": "Bedömning", "nb": "Vurdering"},
    "verdict:meets": {
        "en": "MEETS the referral criteria",
        "sv": "UPPFYLLER remisskriterierna",
        "nb": "OPPFYLLER henvisningskriteriene",
    },
    "verdict:does-not-meet": {
        "en": "DOES NOT MEET the referral criteria",
        "sv": "UPPFYLLER INTE remisskriterierna",
        "nb": "OPPFYLLER IKKE henvisningskriteriene",
    },
    "verdict:cannot-tell": {
        "en": "CANNOT TELL yet: information is missing",
        "sv": "KAN INTE AVGÖRAS ännu: uppgifter saknas",
        "nb": "KAN IKKE AVGJØRES ennå: opplysninger mangler",
    },
    "status:meets": {"en": "meets", "sv": "uppfyllt", "nb": "oppfylt"},
    "status:does-not-meet": {"en": "does not meet", "sv": "ej uppfyllt", "nb": "ikke oppfylt"},
    "status:cannot-tell": {"en": "cannot tell", "sv": "kan ej avgöras", "nb": "kan ikke avgjøres"},
    "criteria": {"en": "Criteria", "sv": "Kriterier", "nb": "Kriterier"},
    "answer": {"en": "answer", "sv": "svar", "nb": "svar"},
    "one-of": {"en": "one of", "sv": "ett av", "nb": "ett av"},
    "yes": {"en": "yes", "sv": "ja", "nb": "ja"},
    "no": {"en": "no", "sv": "nej", "nb": "nei"},
    "missing": {"en": "Missing", "sv": "Saknas", "nb": "Mangler"},
    "missing:attempt": {
        "en": "No discontinuation attempt is given. If one was made at the treating unit, give "
        "it with --attempt-start, --attempt-end, --attempt-from, --attempt-to and "
        "--attempt-stopped.",
        "sv": "Inget utsättningsförsök är angivet. Om ett försök har gjorts på den behandlande "
        "enheten, ange det med --attempt-start, --attempt-end, --attempt-from, --attempt-to och "
        "--attempt-stopped.",
        "nb": "Ingen seponeringsforsøk er oppgitt. Hvis et forsøk er gjort ved den behandlende "
        "enheten, oppgi det med --attempt-start, --attempt-end, --attempt-from, --attempt-to og "
        "--attempt-stopped.",
    },
    "missing:attempt-stopped": {
        "en": 'Why the attempt stopped: add --attempt-stopped, e.g. "withdrawal symptoms, sleep".',
        "sv": 'Varför försöket avbröts: lägg till --attempt-stopped, t.ex. "abstinens, sömn".',
        "nb": 'Hvorfor forsøket ble avbrutt: legg til --attempt-stopped, f.eks. "abstinens, søvn".',
    },
    "missing:answer": {
        "en": "Answer with --answer {id}=yes or --answer {id}=no.",
        "sv": "Svara med --answer {id}=yes eller --answer {id}=no.",
        "nb": "Svar med --answer {id}=yes eller --answer {id}=no.",
    },
    "attempt-first": {
        "en": "A discontinuation attempt at the treating unit is required before referral; the "
        "plan below is for that attempt.",
        "sv": "Ett utsättningsförsök på den behandlande enheten krävs före remiss; planen nedan "
        "gäller det försöket.",
        "nb": "Et seponeringsforsøk ved den behandlende enheten kreves før henvisning; planen "
        "nedenfor gjelder det forsøket.",
    },
    "exclusion": {"en": "Exclusion", "sv": "Exklusion", "nb": "Eksklusjon"},
    "class:benzodiazepine": {
        "en": "benzodiazepines/z-drugs",
        "sv": "bensodiazepiner/z-läkemedel",
        "nb": "benzodiazepiner/z-hypnotika",
    },
    "class:opioid": {"en": "opioids", "sv": "opioider", "nb": "opioider"},
    "threshold-detail": {
        "en": "total {total}; threshold {above}",
        "sv": "totalt {total}; gräns {above}",
        "nb": "totalt {total}; grense {above}",
    },
    "summary": {
        "en": "Referral summary (paste into the referral)",
        "sv": "Remissunderlag (klistra in i remissen)",
        "nb": "Henvisningsgrunnlag (lim inn i henvisningen)",
    },
    "medications": {
        "en": "Medications (daily doses)",
        "sv": "Läkemedel (dygnsdoser)",
        "nb": "Legemidler (døgndoser)",
    },
    "equals": {"en": "equals", "sv": "motsvarar", "nb": "tilsvarer"},
    "total": {"en": "Total", "sv": "Totalt", "nb": "Totalt"},
    "incomplete": {
        "en": "incomplete, without",
        "sv": "ofullständigt, utan",
        "nb": "ufullstendig, uten",
    },
    "not-determined": {
        "en": "not determined",
        "sv": "kan inte bestämmas",
        "nb": "kan ikke bestemmes",
    },
    "no-factor": {
        "en": "no factor could be determined",
        "sv": "ingen faktor kunde bestämmas",
        "nb": "ingen faktor kunne bestemmes",
    },
    "source": {"en": "source", "sv": "källa", "nb": "kilde"},
    "unverified": {"en": "not from a source", "sv": "utan källa", "nb": "uten kilde"},
    "attempt": {
        "en": "Discontinuation attempt at the treating unit",
        "sv": "Utsättningsförsök på behandlande enhet",
        "nb": "Seponeringsforsøk ved behandlende enhet",
    },
    "attempt:none": {
        "en": "none documented",
        "sv": "inget dokumenterat",
        "nb": "ingen dokumentert",
    },
    "days": {"en": "days", "sv": "dagar", "nb": "dager"},
    "stopped": {"en": "stopped because", "sv": "avbröts på grund av", "nb": "avbrutt fordi"},
    "stopped:none": {
        "en": "reason not given",
        "sv": "orsak ej angiven",
        "nb": "årsak ikke oppgitt",
    },
    "plan:referral": {
        "en": "Proposed tapering plan",
        "sv": "Föreslagen nedtrappningsplan",
        "nb": "Foreslått nedtrappingsplan",
    },
    "plan:attempt": {
        "en": "Plan for the discontinuation attempt at the treating unit",
        "sv": "Plan för utsättningsförsöket på behandlande enhet",
        "nb": "Plan for seponeringsforsøket ved behandlende enhet",
    },
    "plan:none": {"en": "No plan", "sv": "Ingen plan", "nb": "Ingen plan"},
    "steps": {"en": "steps", "sv": "steg", "nb": "trinn"},
    "step": {"en": "step", "sv": "steg", "nb": "trinn"},
    "rules": {"en": "rules", "sv": "regler", "nb": "regler"},
    "from": {"en": "from", "sv": "från", "nb": "fra"},
    "last-dose": {"en": "Last dose", "sv": "Sista dos", "nb": "Siste dose"},
    "last-dose:none": {
        "en": "the plan does not reach zero",
        "sv": "planen når inte noll",
        "nb": "planen når ikke null",
    },
    "contacts": {
        "en": "{support} support talks; {aftercare} aftercare contacts until {until}",
        "sv": "{support} stödsamtal; {aftercare} eftervårdskontakter till och med {until}",
        "nb": "{support} støttesamtaler; {aftercare} oppfølgingskontakter til og med {until}",
    },
    "contacts:no-aftercare": {
        "en": "{support} support talks; no aftercare contacts",
        "sv": "{support} stödsamtal; inga eftervårdskontakter",
        "nb": "{support} støttesamtaler; ingen oppfølgingskontakter",
    },
    "specialist": {
        "en": "Needs specialist sign-off.",
        "sv": "Kräver godkännande av specialist.",
        "nb": "Krever godkjenning fra spesialist.",
    },
    "plan-warnings": {
        "en": "Plan warnings",
        "sv": "Varningar i planen",
        "nb": "Advarsler i planen",
    },
    "risk": {"en": "Risk flags", "sv": "Riskflaggor", "nb": "Risikoflagg"},
    "none": {"en": "none", "sv": "inga", "nb": "ingen"},
    "phase:mapping": {"en": "mapping", "sv": "kartläggning", "nb": "kartlegging"},
    "phase:stabilisation": {"en": "evening out", "sv": "utjämning", "nb": "stabilisering"},
    "phase:switch": {"en": "switch", "sv": "byte", "nb": "bytte"},
    "phase:taper": {"en": "taper", "sv": "nedtrappning", "nb": "nedtrapping"},
    "phase:aftercare": {"en": "aftercare", "sv": "eftervård", "nb": "ettervern"},
    "severity:info": {"en": "info", "sv": "info", "nb": "info"},
    "severity:caution": {"en": "caution", "sv": "varning", "nb": "advarsel"},
    "severity:high": {"en": "HIGH", "sv": "HÖG", "nb": "HØY"},
}


def word(key: str, lang: Lang) -> str:
    return _WORDS[key][lang]


def missing_text(result: CriterionResult, lang: Lang) -> str | None:
    if result.missing is None:
        return None
    return word(f"missing:{result.missing}", lang).replace("{id}", result.criterion.id)


# --- text ---------------------------------------------------------------------------------


def drug_name(guideline: Guideline, drug_id: str, lang: Lang) -> str:
    """How the region writes the drug's name in `lang` (its id when the file gives none)."""
    drug = next((d for d in guideline.drugs if d.id == drug_id), None)
    if drug is None or drug.display is None:
        return drug_id
    return drug.display.get(lang)


def _amount(value: Decimal, lang: Lang) -> str:
    return format_amount(value, lang)


def _dose(value: Decimal, unit: str, lang: Lang) -> str:
    return f"{_amount(value, lang)} {unit}"


def _span(start: dt.date, end: dt.date | None) -> str:
    return f"{start.isoformat()} – {end.isoformat()}" if end is not None else start.isoformat()


def summary_lines(report: ReferralReport) -> list[str]:
    """The referral summary a physician pastes: drugs, attempt, plan outline, risk flags."""
    lang = report.lang
    lines = [f"{word('medications', lang)}:"]
    for item in report.equivalents.items:
        text = f"- {item.medication.text}"
        if item.equivalent is not None:
            ref = next(
                (
                    t.reference_name
                    for t in report.equivalents.totals
                    if t.drug_class == item.drug_class
                ),
                item.reference,
            )
            text += (
                f" {word('equals', lang)} {_dose(item.equivalent, item.reference_unit, lang)} {ref}"
            )
        else:
            text += f": {word('no-factor', lang)}"
        if item.source is not None:
            text += f" ({word('source', lang)}: {item.source.id})"
        elif item.unverified:
            text += f" ({word('unverified', lang)})"
        lines.append(text)
    for total in report.equivalents.totals:
        amount = (  # a total with no converted item is unknown, never zero
            f"{_dose(total.equivalent, total.unit, lang)} {total.reference_name}"
            if total.determined
            else word("not-determined", lang)
        )
        text = f"- {word('total', lang)} {word(f'class:{total.drug_class}', lang)}: {amount}"
        if total.missing:
            text += f" ({word('incomplete', lang)} {', '.join(total.missing)})"
        lines.append(text)
    lines.append("")
    attempt = report.attempt
    asks = any(r.criterion.kind == "attempt-required" for r in report.results)
    if attempt is None and asks:
        lines.append(f"{word('attempt', lang)}: {word('attempt:none', lang)}.")
        lines.append("")
    elif attempt is not None:
        reason = attempt.stopped or word("stopped:none", lang)
        lines.append(
            f"{word('attempt', lang)}: {_span(attempt.start, attempt.end)} ({attempt.days} "
            f"{word('days', lang)}), {drug_name(report.guideline, attempt.drug, lang)} "
            f"{_dose(attempt.dose_from, attempt.unit, lang)} → "
            f"{_dose(attempt.dose_to, attempt.unit, lang)}; {word('stopped', lang)}: {reason}."
        )
        lines.append("")
    plan = report.plan
    if plan is None:
        lines.append(f"{word('plan:none', lang)}: {report.plan_unavailable}")
    else:
        lines.append(
            f"{word(f'plan:{plan.purpose}', lang)} ({_span(plan.start, plan.end)}, {plan.steps} "
            f"{word('steps', lang)}; {word('rules', lang)}: {', '.join(plan.rule_ids)}):"
        )
        for row in plan.rows:
            doses = _dose(row.dose_first, row.unit, lang)
            if row.dose_last != row.dose_first:
                doses = f"{_amount(row.dose_first, lang)} → {_dose(row.dose_last, row.unit, lang)}"
            count = word("step" if row.steps == 1 else "steps", lang)
            text = (
                f"- {word(f'phase:{row.phase}', lang)} {_span(row.start, row.end)}: "
                f"{drug_name(report.guideline, row.drug, lang)} {doses} ({row.steps} {count})"
            )
            if row.stop is not None:
                text += f"; {_dose(Decimal(0), row.unit, lang)} {word('from', lang)} {row.stop}"
            lines.append(text)
        last = (
            plan.last_dose_date.isoformat()
            if plan.last_dose_date is not None
            else word("last-dose:none", lang)
        )
        lines.append(f"- {word('last-dose', lang)}: {last}")
        if plan.aftercare_until is not None:
            contacts = word("contacts", lang).format(
                support=plan.support_contacts,
                aftercare=plan.aftercare_contacts,
                until=plan.aftercare_until.isoformat(),
            )
        else:
            contacts = word("contacts:no-aftercare", lang).format(support=plan.support_contacts)
        lines.append(f"- {contacts}")
        if plan.specialist_signoff:
            lines.append(f"- {word('specialist', lang)}")
        flagged = {f.code for f in report.risk_flags}
        own = [w for w in plan.warnings if w.code not in flagged]  # shown once, as risk flags
        if own:
            lines.append(f"{word('plan-warnings', lang)}:")
            lines.extend(
                f"- [{word(f'severity:{w.severity}', lang)}] "
                f"{_said(w.code, w.message, report.guideline, lang)}"
                for w in own
            )
    lines.append("")
    if report.risk_flags:
        lines.append(f"{word('risk', lang)}:")
        lines.extend(
            f"- [{word(f'severity:{f.severity}', lang)}] {f.message}" for f in report.risk_flags
        )
    else:
        lines.append(f"{word('risk', lang)}: {word('none', lang)}.")
    lines.append("")
    lines.append(_stamp(report))
    return lines


def _stamp(report: ReferralReport) -> str:
    g, lang = report.guideline, report.lang
    return (
        f"{word('guideline', lang)}: {g.id} {word('version', lang)} {g.version} "
        f"(sha256 {report.sha256}) · taper {report.tool_version}"
    )


def render_text(report: ReferralReport) -> str:
    lang, g = report.lang, report.guideline
    referral = require_referral(g)
    lines = [f"{word('title', lang)}: {g.title}"]
    if referral.unit:
        lines.append(f"{word('to', lang)}: {referral.unit}")
    lines.append(f"{word('date', lang)}: {report.today.isoformat()}")
    lines.append("")
    lines.append(f"{word('verdict', lang)}: {word(f'verdict:{report.verdict}', lang)}")
    lines.append("")
    lines.append(f"{word('criteria', lang)}:")
    width = max(len(word(f"status:{s}", lang)) for s in ("meets", "does-not-meet", "cannot-tell"))
    for result in report.results:
        status = word(f"status:{result.status}", lang).ljust(width)
        prefix = f"{word('exclusion', lang)}: " if result.criterion.kind == "exclusion" else ""
        text = f"  [{status}] {prefix}{result.criterion.text.get(lang)} ({result.criterion.id}"
        if result.answer is not None:
            text += f"; {word('answer', lang)}: {word(result.answer, lang)}"
        if result.criterion.any_of is not None:
            others = [
                r.criterion.id
                for r in report.results
                if r.criterion.any_of == result.criterion.any_of
            ]
            text += f"; {word('one-of', lang)}: {' / '.join(others)}"
        lines.append(text + ")")
    open_items = [(r.criterion.id, missing_text(r, lang)) for r in report.results if r.missing]
    if open_items:
        lines.append("")
        lines.append(f"{word('missing', lang)}:")
        lines.extend(f"  - {cid}: {text}" for cid, text in open_items)
    if any(r.missing == "attempt" for r in report.results):
        lines.append("")
        lines.append(word("attempt-first", lang))
    lines.append("")
    lines.append(f"{word('summary', lang)}:")
    lines.append("-" * 72)
    lines.extend(summary_lines(report))
    lines.append("-" * 72)
    return "\n".join(lines) + "\n"


# --- json ---------------------------------------------------------------------------------


def _num(value: Decimal | None) -> str | None:
    return None if value is None else format_amount(value)


def _date(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def report_data(report: ReferralReport) -> dict[str, Any]:
    """The report as plain data with a stable structure (every key always present; exact
    decimals as strings; dates as YYYY-MM-DD)."""
    g, lang = report.guideline, report.lang
    referral = require_referral(g)
    eq = report.equivalents
    attempt = report.attempt
    plan = report.plan
    return {
        "guideline": {
            "id": g.id,
            "version": g.version,
            "sha256": report.sha256,
            "title": g.title,
        },
        "tool_version": report.tool_version,
        "language": lang,
        "date": report.today.isoformat(),
        "referral_unit": referral.unit,
        "verdict": report.verdict,
        "criteria": [
            {
                "id": r.criterion.id,
                "kind": r.criterion.kind,
                "status": r.status,
                "text": r.criterion.text.get(lang),
                "answer": r.answer,
                "any_of": r.criterion.any_of,
                "group_status": r.group_status,
                "missing": missing_text(r, lang),
                "source": r.criterion.source,
                "unverified": r.criterion.unverified,
            }
            for r in report.results
        ],
        "missing": [
            {"criterion": r.criterion.id, "code": r.missing, "text": missing_text(r, lang)}
            for r in report.results
            if r.missing is not None
        ],
        "attempt": None
        if attempt is None
        else {
            "start": attempt.start.isoformat(),
            "end": attempt.end.isoformat(),
            "days": attempt.days,
            "drug": attempt.drug,
            "from": {"amount": _num(attempt.dose_from), "unit": attempt.unit},
            "to": {"amount": _num(attempt.dose_to), "unit": attempt.unit},
            "stopped": attempt.stopped,
        },
        "medications": [
            {
                "text": i.medication.text,
                "drug": i.drug,
                "class": i.drug_class,
                "amount": _num(i.amount),
                "unit": i.unit,
                "equivalent": _num(i.equivalent),
                "reference": i.reference,
                "reference_unit": i.reference_unit,
                "source": None if i.source is None else i.source.id,
                "unverified": i.unverified,
                "flags": list(i.flags),
            }
            for i in eq.items
        ],
        "totals": [
            {
                "class": t.drug_class,
                "reference": t.reference,
                "unit": t.unit,
                "equivalent": _num(t.equivalent) if t.determined else None,
                "determined": t.determined,
                "complete": t.complete,
                "missing": list(t.missing),
            }
            for t in eq.totals
        ],
        "plan": None
        if plan is None
        else {
            "purpose": plan.purpose,
            "start": plan.start.isoformat(),
            "end": _date(plan.end),
            "last_dose_date": _date(plan.last_dose_date),
            "steps": plan.steps,
            "rule_ids": list(plan.rule_ids),
            "phases": [
                {
                    "phase": r.phase,
                    "drug": r.drug,
                    "start": r.start.isoformat(),
                    "end": r.end.isoformat(),
                    "dose_first": _num(r.dose_first),
                    "dose_last": _num(r.dose_last),
                    "unit": r.unit,
                    "steps": r.steps,
                }
                for r in plan.rows
            ],
            "support_contacts": plan.support_contacts,
            "aftercare_contacts": plan.aftercare_contacts,
            "aftercare_until": _date(plan.aftercare_until),
            "specialist_signoff": plan.specialist_signoff,
            "warnings": [
                {"code": w.code, "severity": w.severity, "message": w.message}
                for w in plan.warnings
            ],
        },
        "plan_unavailable": report.plan_unavailable,
        "risk_flags": [
            {"code": f.code, "severity": f.severity, "message": f.message}
            for f in report.risk_flags
        ],
        "summary": "\n".join(summary_lines(report)) + "\n",
    }


def render_json(report: ReferralReport) -> str:
    return json.dumps(report_data(report), indent=2, ensure_ascii=False) + "\n"
