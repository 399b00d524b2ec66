"""Evaluating a rule file's referral criteria (see the package docstring for the kinds)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

from taper.guideline.model import Referral, ReferralCriterion
from taper.referral.attempt import Answer, Attempt, Status

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
