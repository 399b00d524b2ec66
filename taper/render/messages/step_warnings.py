"""Warnings on the steps the products can make: holds, formulation changes, tablets, the end."""

from __future__ import annotations

from taper.render.messages.clauses import (
    FORMULATION,
    HELD_AT_MOST,
    HELD_IN_ALL,
    STOP_OR_CHANGE,
    SWITCH_OFFER,
    SWITCH_RECOMMENDED,
)
from taper.render.messages.patterns import (
    AMOUNT,
    DOSE,
    ID,
    LIQUID,
    N_,
    NP_,
    STEPS_OF,
    Piece,
    piece,
)

# The prescriber's option of an earlier stop, said after the cuts or doses it concerns.
EARLIER_STOP = piece(
    rf"So is an earlier stop from (?P<dose>{DOSE}) \(step (?P<step>\d+)\), within the "
    rf"stop dose of rule (?P<rule>{ID})\.",
    N_(
        "So is an earlier stop from %(dose)s (step %(step)s), within the stop dose of rule "
        "%(rule)s."
    ),
)

STEP_WARNINGS: dict[str, tuple[Piece, ...]] = {
    "hold-too-long": (
        piece(
            rf"(?P<drug>{ID}) stays at (?P<dose>{DOSE}) for (?P<days>\d+) days \(step "
            r"(?P<steps>\d+(?:, \d+)*)\), longer than the (?P<limit>\d+) days \((?P<count>\d+) "
            rf"intervals\) rule (?P<rule>{ID}) allows at one dose, because the formulary cannot "
            r"make a smaller step; (?P<hint>.+? would allow smaller steps)\.",
            N_(
                "%(drug)s stays at %(dose)s for %(days)s days (step %(steps)s), longer than the "
                "%(limit)s days (%(count)s intervals) rule %(rule)s allows at one dose, because "
                "the formulary cannot make a smaller step; %(hint)s."
            ),
        ),
    ),
    "formulation-change": (
        piece(
            rf"(?P<dose>{DOSE}) of (?P<drug>{ID}) is given as (?P<brand>.+?) \(immediate "
            r"release\): it is more than (?P<old>.+?) \(modified release\) allows "
            rf"\((?P<cap>{DOSE}) a day by its label\)\.",
            N_(
                "%(dose)s of %(drug)s is given as %(brand)s (immediate release): it is more than "
                "%(old)s (modified release) allows (%(cap)s a day by its label)."
            ),
        ),
        piece(
            rf"(?P<dose>{DOSE}) of (?P<drug>{ID}) is given as {LIQUID}: (?P<former>.+?) "
            r"cannot give it (?P<count>\d+) times a day\.",
            N_(
                "%(dose)s of %(drug)s is given as %(brand)s %(concentration)s (oral solution, "
                "measured with %(device)s): %(former)s cannot give it %(count)s times a day."
            ),
        ),
        piece(
            rf"(?P<dose>{DOSE}) of (?P<drug>{ID}) is given as (?P<brand>.+?) \(immediate "
            r"release\): (?P<old>.+?) \(modified release\) cannot give it (?P<count>\d+) "
            r"times a day\.",
            N_(
                "%(dose)s of %(drug)s is given as %(brand)s (immediate release): %(old)s "
                "(modified release) cannot give it %(count)s times a day."
            ),
        ),
        piece(
            rf"(?P<reported>{DOSE}) of (?P<drug>{ID}) is given as {LIQUID}: "
            rf"(?P<former>.+?) can make no more than (?P<made>{DOSE}) of it as fixed doses, a "
            r"larger cut than (?P<allowed>[^()]+?) allows in one step\.",
            N_(
                "%(reported)s of %(drug)s is given as %(brand)s %(concentration)s (oral "
                "solution, measured with %(device)s): %(former)s can make no more than %(made)s "
                "of it as fixed doses, a larger cut than %(allowed)s allows in one step."
            ),
        ),
        piece(
            rf"(?P<reported>{DOSE}) of (?P<drug>{ID}) is given as (?P<brand>.+?) "
            r"\((?P<kind>immediate release|modified release)\): (?P<former>.+?) can make no "
            rf"more than (?P<made>{DOSE}) of it as fixed doses, a larger cut than "
            r"(?P<allowed>[^()]+?) allows in one step\.",
            N_(
                "%(reported)s of %(drug)s is given as %(brand)s (%(kind)s): %(former)s can make "
                "no more than %(made)s of it as fixed doses, a larger cut than %(allowed)s "
                "allows in one step."
            ),
        ),
        piece(
            rf"(?P<reported>{DOSE}) of (?P<drug>{ID}) is given as {LIQUID}: it is less than "
            rf"the smallest dose (?P<former>.+?) makes \((?P<smallest>{DOSE})\)\.",
            N_(
                "%(reported)s of %(drug)s is given as %(brand)s %(concentration)s (oral "
                "solution, measured with %(device)s): it is less than the smallest dose "
                "%(former)s makes (%(smallest)s)."
            ),
        ),
        piece(
            rf"(?P<reported>{DOSE}) of (?P<drug>{ID}) is given as (?P<brand>.+?) "
            r"\((?P<kind>immediate release|modified release)\): it is less than the smallest "
            rf"dose (?P<former>.+?) makes \((?P<smallest>{DOSE})\)\.",
            N_(
                "%(reported)s of %(drug)s is given as %(brand)s (%(kind)s): it is less than the "
                "smallest dose %(former)s makes (%(smallest)s)."
            ),
        ),
        piece(
            rf"The plan starts from (?P<made>{DOSE}) on it\.",
            N_("The plan starts from %(made)s on it."),
        ),
    ),
    "tablet-step-kept": (
        piece(
            STEPS_OF + r" cut "
            r"more than (?P<allowed>[^()]+?) allows: the tablets make a step within half of the "
            r"rule's step from its ideal, so the taper stays on them rather than change to "
            r"(?P<brand>.+?) \(an oral solution only for the steps the tablets cannot make\)\.",
            NP_(
                "%(count)s step of %(drug)s (step %(steps)s) cut more than %(allowed)s allows: "
                "the tablets make a step within half of the rule's step from its ideal, so the "
                "taper stays on them rather than change to %(brand)s (an oral solution only "
                "for the steps the tablets cannot make).",
                "%(count)s steps of %(drug)s (steps %(steps)s) cut more than %(allowed)s "
                "allows: the tablets make a step within half of the rule's step from its "
                "ideal, so the taper stays on them rather than change to %(brand)s (an oral "
                "solution only for the steps the tablets cannot make).",
            ),
        ),
    ),
    "step-floor-above-share": (
        piece(
            STEPS_OF + r" cut "
            r"a larger share of the dose than (?P<allowed>[^()]+?) sets, because of the smallest "
            r"step it sets \(step: share of the dose before\): "
            rf"(?P<shares>\d+: {AMOUNT} %(?:; \d+: {AMOUNT} %)*)\.",
            NP_(
                "%(count)s step of %(drug)s (step %(steps)s) cut a larger share of the dose "
                "than %(allowed)s sets, because of the smallest step it sets (step: share of "
                "the dose before): %(shares)s.",
                "%(count)s steps of %(drug)s (steps %(steps)s) cut a larger share of the dose "
                "than %(allowed)s sets, because of the smallest step it sets (step: share of "
                "the dose before): %(shares)s.",
            ),
        ),
        piece(
            r"Slowing or pausing the taper there is a prescriber's decision\.",
            N_("Slowing or pausing the taper there is a prescriber's decision."),
        ),
        EARLIER_STOP,
    ),
    "tablet-step-beyond-rule": (
        piece(
            STEPS_OF + r" cut "
            r"more than the step (?P<allowed>[^()]+?) sets, within the largest step it allows, "
            r"because the formulary's strengths cannot make a dose nearer the rule's at these "
            r"dose times \(step: share of the dose before\): "
            rf"(?P<shares>\d+: {AMOUNT} %(?:; \d+: {AMOUNT} %)*)\.",
            NP_(
                "%(count)s step of %(drug)s (step %(steps)s) cut more than the step "
                "%(allowed)s sets, within the largest step it allows, because the formulary's "
                "strengths cannot make a dose nearer the rule's at these dose times (step: "
                "share of the dose before): %(shares)s.",
                "%(count)s steps of %(drug)s (steps %(steps)s) cut more than the step "
                "%(allowed)s sets, within the largest step it allows, because the formulary's "
                "strengths cannot make a dose nearer the rule's at these dose times (step: "
                "share of the dose before): %(shares)s.",
            ),
        ),
    ),
    "immediate-release-fewer-times": (
        piece(
            STEPS_OF + r" gives? "
            r"the immediate-release product fewer than (?P<least>\d+) times a day, because "
            r"the dose is too small to share among them: it acts "
            r"for a few hours, so withdrawal can come between doses; whether to go on so is a "
            r"prescriber's decision\.",
            NP_(
                "%(count)s step of %(drug)s (step %(steps)s) gives the immediate-release "
                "product fewer than %(least)s times a day, because the "
                "dose is too small to share among them: it acts for a few hours, so withdrawal "
                "can come between doses; whether to go on so is a prescriber's decision.",
                "%(count)s steps of %(drug)s (steps %(steps)s) give the immediate-release "
                "product fewer than %(least)s times a day, because the "
                "dose is too small to share among them: it acts for a few hours, so withdrawal "
                "can come between doses; whether to go on so is a prescriber's decision.",
            ),
        ),
        EARLIER_STOP,
    ),
    "tablet-limited": (
        piece(
            STEPS_OF + r" cut "
            r"more than (?P<allowed>[^()]+?) allows, because the formulary's strengths cannot "
            r"make a smaller step; (?P<hint>.+? would allow smaller steps)\.",
            NP_(
                "%(count)s step of %(drug)s (step %(steps)s) cut more than %(allowed)s allows, "
                "because the formulary's strengths cannot make a smaller step; %(hint)s.",
                "%(count)s steps of %(drug)s (steps %(steps)s) cut more than %(allowed)s "
                "allows, because the formulary's strengths cannot make a smaller step; "
                "%(hint)s.",
            ),
        ),
        piece(
            STEPS_OF + r" cut "
            r"more than (?P<allowed>[^()]+?) allows, because the formulary's patch strengths "
            r"cannot make a smaller step with at most (?P<most>\d+) patches at once; "
            r"(?P<hint>.+? would allow smaller steps)\.",
            NP_(
                "%(count)s step of %(drug)s (step %(steps)s) cut more than %(allowed)s allows, "
                "because the formulary's patch strengths cannot make a smaller step with at "
                "most %(most)s patches at once; %(hint)s.",
                "%(count)s steps of %(drug)s (steps %(steps)s) cut more than %(allowed)s "
                "allows, because the formulary's patch strengths cannot make a smaller step "
                "with at most %(most)s patches at once; %(hint)s.",
            ),
        ),
        piece(
            STEPS_OF + r" cut "
            r"more than (?P<allowed>[^()]+?) allows, because the formulary's patch strengths "
            r"cannot make a smaller step with one patch; (?P<hint>.+? would allow smaller steps)\.",
            NP_(
                "%(count)s step of %(drug)s (step %(steps)s) cut more than %(allowed)s allows, "
                "because the formulary's patch strengths cannot make a smaller step with one "
                "patch; %(hint)s.",
                "%(count)s steps of %(drug)s (steps %(steps)s) cut more than %(allowed)s "
                "allows, because the formulary's patch strengths cannot make a smaller step "
                "with one patch; %(hint)s.",
            ),
        ),
        piece(
            STEPS_OF + r" cut "
            r"more than (?P<allowed>[^()]+?) allows, because the formulary's strengths cannot "
            r"make a smaller step with at most (?P<most>\d+) sublingual tablets at one time; "
            r"(?P<hint>.+? would allow smaller steps)\.",
            NP_(
                "%(count)s step of %(drug)s (step %(steps)s) cut more than %(allowed)s allows, "
                "because the formulary's strengths cannot make a smaller step with at most "
                "%(most)s sublingual tablets at one time; %(hint)s.",
                "%(count)s steps of %(drug)s (steps %(steps)s) cut more than %(allowed)s "
                "allows, because the formulary's strengths cannot make a smaller step with at "
                "most %(most)s sublingual tablets at one time; %(hint)s.",
            ),
        ),
        FORMULATION,
        HELD_IN_ALL,
        HELD_AT_MOST,
        SWITCH_RECOMMENDED,
        SWITCH_OFFER,
    ),
    "modified-release-once-a-day": (
        piece(
            rf"(?P<dose>{DOSE}) of (?P<drug>{ID}) is less than (?P<brand>.+?) \(modified "
            r"release\) can give as (?P<count>\d+) doses a day, so the plan gives it once a "
            r"day, which can leave part of the day uncovered, and stops it from there; "
            r"(?P<hint>.+? would allow smaller steps)\.",
            N_(
                "%(dose)s of %(drug)s is less than %(brand)s (modified release) can give as "
                "%(count)s doses a day, so the plan gives it once a day, which can leave part "
                "of the day uncovered, and stops it from there; %(hint)s."
            ),
        ),
        STOP_OR_CHANGE,
    ),
    "stop-instead-of-tail": (
        piece(
            rf"(?P<drug>{ID}) stops from (?P<dose>{DOSE}) \(step (?P<step>\d+)\), within the "
            rf"stop dose of rule (?P<rule>{ID}), rather than change to another formulation "
            r"below it\.",
            N_(
                "%(drug)s stops from %(dose)s (step %(step)s), within the stop dose of rule "
                "%(rule)s, rather than change to another formulation below it."
            ),
        ),
        piece(
            rf"(?P<drug>{ID}) stops from (?P<dose>{DOSE}) \(step (?P<step>\d+)\), within the "
            rf"stop dose of rule (?P<rule>{ID}), rather than give the immediate-release product "
            r"at fewer dose times than its regimen below it\.",
            N_(
                "%(drug)s stops from %(dose)s (step %(step)s), within the stop dose of rule "
                "%(rule)s, rather than give the immediate-release product at fewer dose times "
                "than its regimen below it."
            ),
        ),
    ),
    "stop-from-smallest-dose": (
        piece(
            rf"(?P<drug>{ID}) stops from (?P<dose>{DOSE}), the smallest dose the formulary's "
            r"strengths make at this stage; (?P<hint>.+? would allow smaller steps)\.",
            N_(
                "%(drug)s stops from %(dose)s, the smallest dose the formulary's strengths make "
                "at this stage; %(hint)s."
            ),
        ),
        piece(
            rf"(?P<drug>{ID}) stops from (?P<dose>{DOSE}), the smallest dose (?P<brand>.+?) "
            r"\(modified release\) can give as (?P<count>\d+) doses a day; it is not given once "
            r"a day, which can leave part of the day uncovered; "
            r"(?P<hint>.+? would allow smaller steps)\.",
            N_(
                "%(drug)s stops from %(dose)s, the smallest dose %(brand)s (modified release) "
                "can give as %(count)s doses a day; it is not given once a day, which can leave "
                "part of the day uncovered; %(hint)s."
            ),
        ),
        FORMULATION,
        STOP_OR_CHANGE,
        HELD_IN_ALL,
        HELD_AT_MOST,
        SWITCH_RECOMMENDED,
        SWITCH_OFFER,
    ),
    "pause-whole-patches": (
        piece(
            r"The pause from (?P<date>\d{4}-\d{2}-\d{2}) was lengthened from (?P<asked>\d+) to "
            r"(?P<days>\d+) days \(a multiple of (?P<every>\d+) days\) so that the "
            rf"(?P<names>{ID}(?:, {ID})*) patches are changed on their days\.",
            N_(
                "The pause from %(date)s was lengthened from %(asked)s to %(days)s days (a "
                "multiple of %(every)s days) so that the %(names)s patches are changed on "
                "their days."
            ),
        ),
    ),
    "max-duration-exceeded": (
        piece(
            rf"The taper of (?P<drug>{ID}) takes (?P<days>\d+) days, longer than the "
            rf"(?P<limit>\d+) days rule (?P<rule>{ID}) gives as its maximum\.",
            N_(
                "The taper of %(drug)s takes %(days)s days, longer than the %(limit)s days rule "
                "%(rule)s gives as its maximum."
            ),
        ),
        piece(
            rf"(?P<days>\d+) days of it are below (?P<dose>{DOSE}), at the rule's slower pace "
            r"for the end\.",
            N_("%(days)s days of it are below %(dose)s, at the rule's slower pace for the end."),
        ),
        piece(
            r"Holds before the cuts the formulary's products force add (?P<days>\d+) days\.",
            N_("Holds before the cuts the formulary's products force add %(days)s days."),
        ),
        piece(r"Pauses add (?P<days>\d+) days\.", N_("Pauses add %(days)s days.")),
        piece(
            r"The rule's own pace takes this long from this dose\.",
            N_("The rule's own pace takes this long from this dose."),
        ),
        piece(
            r"The speed was not changed: a faster speed or an earlier stop is the prescriber's "
            r"decision; review the plan with the patient\.",
            N_(
                "The speed was not changed: a faster speed or an earlier stop is the "
                "prescriber's decision; review the plan with the patient."
            ),
        ),
        # Plans saved by an older taper (a Caution without the reason).
        piece(
            r"The speed was not changed; review the plan with the patient\.",
            N_("The speed was not changed; review the plan with the patient."),
        ),
    ),
    "patch-dispensing": (
        piece(
            r"Patch quantities are not counted: they depend on how many days each patch is "
            r"worn; prescribe them per step from the schedule\.",
            N_(
                "Patch quantities are not counted: they depend on how many days each patch is "
                "worn; prescribe them per step from the schedule."
            ),
        ),
    ),
}
