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

from taper.referral.attempt import (
    Answer,
    Attempt,
    AttemptText,
    Purpose,
    Status,
    parse_answers,
    parse_attempt,
    require_referral,
)
from taper.referral.criteria import (
    CriterionResult,
    evaluate_criteria,
    evaluate_criterion,
    overall,
)
from taper.referral.render import render_json, render_text
from taper.referral.report import OutlineRow, PlanOutline, ReferralReport, check_referral, outline

__all__ = [
    "Answer",
    "Attempt",
    "AttemptText",
    "CriterionResult",
    "OutlineRow",
    "PlanOutline",
    "Purpose",
    "ReferralReport",
    "Status",
    "check_referral",
    "evaluate_criteria",
    "evaluate_criterion",
    "outline",
    "overall",
    "parse_answers",
    "parse_attempt",
    "render_json",
    "render_text",
    "require_referral",
]
