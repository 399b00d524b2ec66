"""The referral report as text to paste, and as JSON."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from taper.dose import (
    format_amount,
)
from taper.referral.attempt import require_referral
from taper.referral.report import ReferralReport, said_in
from taper.referral.words import amount_text, dose_text, drug_name, missing_text, span_text, word


# --- text ---------------------------------------------------------------------------------
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
            equivalent = dose_text(item.equivalent, item.reference_unit, lang)
            text += f" {word('equals', lang)} {equivalent} {ref}"
        else:
            text += f": {word('no-factor', lang)}"
        if item.source is not None:
            text += f" ({word('source', lang)}: {item.source.id})"
        elif item.unverified:
            text += f" ({word('unverified', lang)})"
        lines.append(text)
    for total in report.equivalents.totals:
        amount = (  # a total with no converted item is unknown, never zero
            f"{dose_text(total.equivalent, total.unit, lang)} {total.reference_name}"
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
            f"{word('attempt', lang)}: {span_text(attempt.start, attempt.end)} ({attempt.days} "
            f"{word('days', lang)}), {drug_name(report.guideline, attempt.drug, lang)} "
            f"{dose_text(attempt.dose_from, attempt.unit, lang)} → "
            f"{dose_text(attempt.dose_to, attempt.unit, lang)}; {word('stopped', lang)}: {reason}."
        )
        lines.append("")
    plan = report.plan
    if plan is None:
        lines.append(f"{word('plan:none', lang)}: {report.plan_unavailable}")
    else:
        lines.append(
            f"{word(f'plan:{plan.purpose}', lang)} "
            f"({span_text(plan.start, plan.end)}, {plan.steps} "
            f"{word('steps', lang)}; {word('rules', lang)}: {', '.join(plan.rule_ids)}):"
        )
        for row in plan.rows:
            doses = dose_text(row.dose_first, row.unit, lang)
            if row.dose_last != row.dose_first:
                last = dose_text(row.dose_last, row.unit, lang)
                doses = f"{amount_text(row.dose_first, lang)} → {last}"
            count = word("step" if row.steps == 1 else "steps", lang)
            text = (
                f"- {word(f'phase:{row.phase}', lang)} {span_text(row.start, row.end)}: "
                f"{drug_name(report.guideline, row.drug, lang)} {doses} ({row.steps} {count})"
            )
            if row.stop is not None:
                text += f"; {dose_text(Decimal(0), row.unit, lang)} {word('from', lang)} {row.stop}"
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
                f"{said_in(w.code, w.message, report.guideline, lang)}"
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
