"""Clauses that stand inside the planner's sentences, read with pieces of their own."""

from __future__ import annotations

from taper.render.messages.patterns import (
    AMOUNT,
    DOSE,
    ID,
    N_,
    TOPPED_UP,
    piece,
)

# What bounds a cut: the rule, or the reduction the user chose.
ALLOWED = (
    piece(rf"rule (?P<rule>{ID})", N_("rule %(rule)s")),
    piece(
        rf"the chosen --percent (?P<percent>{AMOUNT})",
        N_("the chosen reduction of %(percent)s %%"),
    ),
)
# What would help where the tablets cannot make a smaller step.
HINT = (
    piece(
        rf"the formulary has no oral solution or smaller strength of (?P<drug>{ID}) that would "
        r"allow smaller steps",
        N_(
            "the formulary has no oral solution or smaller strength of %(drug)s that would allow "
            "smaller steps"
        ),
    ),
    piece(
        r"an oral solution \((?P<products>.+?)\) would allow smaller steps",
        N_("an oral solution (%(products)s) would allow smaller steps"),
    ),
    piece(
        rf"the formulary's (?P<brand>.+?) (?P<dose>{DOSE}) \((?P<kind>immediate release|"
        r"modified release)\) would allow smaller steps",
        N_("the formulary's %(brand)s %(dose)s (%(kind)s) would allow smaller steps"),
    ),
    piece(
        rf"the formulary has no smaller (?P<drug>{ID}) patch, and a change to an oral opioid "
        r"\(a prescriber's decision: cross-tolerance between opioids is incomplete\) would "
        r"allow smaller steps",
        N_(
            "the formulary has no smaller %(drug)s patch, and a change to an oral opioid (a "
            "prescriber's decision: cross-tolerance between opioids is incomplete) would allow "
            "smaller steps"
        ),
    ),
    piece(
        rf"measuring (?P<brand>.+?) finer than (?P<measure>{DOSE}) would allow smaller steps",
        N_("measuring %(brand)s finer than %(measure)s would allow smaller steps"),
    ),
    piece(
        r"giving (?P<brand>.+?) at fewer dose times would allow smaller steps",
        N_("giving %(brand)s at fewer dose times would allow smaller steps"),
    ),
)
# A liquid's measuring device, the products a step changes from and what they are.
DEVICE = (
    piece(r"an oral syringe", N_("an oral syringe")),
    piece(r"a dropper", N_("a dropper")),
)
PIECES = (
    piece(r"the depot tablets", N_("the depot tablets")),
    piece(r"the tablets", N_("the tablets")),
    piece(r"the capsules", N_("the capsules")),
)
FORMER = (
    piece(
        TOPPED_UP,
        N_(
            "%(depot)s (modified release) topped up with %(brand)s %(concentration)s (oral "
            "solution, measured with %(device)s)"
        ),
    ),
    piece(
        r"(?P<brand>.+) \((?P<kind>immediate release|modified release)\)",
        N_("%(brand)s (%(kind)s)"),
    ),
)
RELEASE = {
    "immediate release": N_("immediate release"),
    "modified release": N_("modified release"),
}
# After a hint that names another product of the formulary.
FORMULATION = piece(
    r"Changing formulation is a prescriber's decision\.",
    N_("Changing formulation is a prescriber's decision."),
)
STOP_OR_CHANGE = piece(
    r"Whether to stop from here or change formulation is a prescriber's decision\.",
    N_("Whether to stop from here or change formulation is a prescriber's decision."),
)
HELD_IN_ALL = piece(
    r"The dose before each such cut is held (?P<days>\d+) days longer in all, so the average "
    r"rate stays within the allowed speed\.",
    N_(
        "The dose before each such cut is held %(days)s days longer in all, so the average "
        "rate stays within the allowed speed."
    ),
)
HELD_AT_MOST = piece(
    r"The dose before such a cut is held at most (?P<days>\d+) days \((?P<count>\d+) intervals, "
    rf"the longest run at one dose rule (?P<rule>{ID}) allows\): a longer hold would not make "
    r"the cut smaller, so the cut is larger than the rule's step\.",
    N_(
        "The dose before such a cut is held at most %(days)s days (%(count)s intervals, the "
        "longest run at one dose rule %(rule)s allows): a longer hold would not make the cut "
        "smaller, so the cut is larger than the rule's step."
    ),
)
SWITCH_OFFER = piece(
    rf"Rule (?P<rule>{ID}) offers a switch to (?P<target>{ID}) \(--switch\), which allows "
    r"smaller steps\.",
    N_("Rule %(rule)s offers a switch to %(target)s (--switch), which allows smaller steps."),
)
# An anxiolytic's steep end (clinician review R17): the offered switch is recommended.
SWITCH_RECOMMENDED = piece(
    rf"Rule (?P<rule>{ID}) offers a switch to (?P<target>{ID}) \(--switch\), which allows "
    r"smaller steps: the recommended option here\.",
    N_(
        "Rule %(rule)s offers a switch to %(target)s (--switch), which allows smaller steps: "
        "the recommended option here."
    ),
)
# Why a specialist's sign-off was needed (the threshold reasons are the rule file's own text).
SIGNOFF_REASONS = (
    piece(
        rf"(?P<drug>{ID}) is an opioid-substitution drug; its taper belongs with the "
        r"substitution programme",
        N_(
            "%(drug)s is an opioid-substitution drug; its taper belongs with the "
            "substitution programme"
        ),
    ),
    piece(rf"rule (?P<rule>{ID}) requires a specialist", N_("rule %(rule)s requires a specialist")),
)
# The opioid total of a threshold, as the equivalence module writes it.
TOTAL = (
    piece(
        rf"(?P<dose>{AMOUNT} [^\s/]+)/day oral (?P<reference>[^;()]+)",
        N_("%(dose)s a day of oral %(reference)s"),
    ),
    piece(
        rf"(?P<dose>{AMOUNT} [^\s/]+)/day (?P<reference>[^;()]+)",
        N_("%(dose)s a day of %(reference)s"),
    ),
    piece(
        r"not determined: no item could be converted",
        N_("not determined: no item could be converted"),
    ),
)
