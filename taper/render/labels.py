"""The words the views share: dose times, phases, contacts, severities, warning fallbacks."""

from __future__ import annotations

from taper.plan.model import CheckpointKind, DoseTimeName, Phase


def N_(msgid: str) -> str:
    """Mark a msgid for extraction; it is translated where it is shown."""
    return msgid


DOSE_TIMES: tuple[DoseTimeName, ...] = (
    "morning",
    "midday",
    "afternoon",
    "evening",
    "bedtime",
    "patch",
)
TIME_LABELS: dict[DoseTimeName, str] = {
    "morning": N_("Morning"),
    "midday": N_("Midday"),
    "afternoon": N_("Afternoon"),
    "evening": N_("Evening"),
    "bedtime": N_("Bedtime"),
    "patch": N_("Patch"),  # worn day and night: the dose is a delivery rate
}
PHASE_LABELS: dict[Phase, str] = {
    "mapping": N_("Mapping your intake"),
    "stabilisation": N_("Fixed doses"),
    "switch": N_("Switching drug"),
    "taper": N_("Tapering"),
    "aftercare": N_("Aftercare"),
}
STOPPED = N_("Stopped")  # the phase column of a drug's 0-dose row outside aftercare
KIND_LABELS: dict[CheckpointKind, str] = {
    "support": N_("Support talk"),
    "dose-change": N_("Dose change"),
    "aftercare": N_("Aftercare contact"),
    "evaluation": N_("Evaluation"),
}
SEVERITY_LABELS: dict[str, str] = {
    "info": N_("Note"),
    "caution": N_("Caution"),
    "high": N_("Important"),
}
# Warnings the planner gives, by code, as English templates over the warning's params (and
# %(drug)s, the drug's name): only a fallback, for a plan whose message the reader does not
# read (e.g. a plan saved by an older taper). The planner's message, read whole by
# `messages.Reader`, comes first: these short forms leave out what the message says besides
# (how long a dose is held, what would allow smaller steps, the rule's --switch offer).
WARNING_TEMPLATES: dict[str, str] = {
    "max-duration-exceeded": N_(
        "The taper of %(drug)s takes %(days)s days, longer than the %(limit)s days the rule "
        "gives as its maximum. The speed was not changed; review the plan with the patient."
    ),
    "switch": N_(
        "%(drug)s is replaced by %(target)s one dose time at a time, at the equivalent dose. "
        "Equivalence tables are approximate; watch for sedation or withdrawal during the switch."
    ),
    "switch-declined": N_(
        "The rule recommends switching %(drug)s to %(target)s; the switch was turned off."
    ),
    "tablet-limited": N_(
        "Step %(steps)s of %(drug)s cuts more than the rule allows, because the tablets cannot "
        "make a smaller step."
    ),
    "patch-dispensing": N_(
        "Patch quantities are not counted: they depend on how many days each patch is worn; "
        "prescribe them per step from the schedule."
    ),
}
# Titles the checkpoint builder uses (taper.aftercare); translated here like any msgid.
_KNOWN_TITLES = (
    N_("Support talk"),
    N_("Support talk before a dose change"),
    N_("Dose change"),
    N_("Aftercare contact"),
    N_("Evaluation"),
)
