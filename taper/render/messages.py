"""The planner's English sentences (step notes, warnings) in the reader's language.

A plan is language-neutral data: its step notes and warning messages are English, and a
warning's `params` hold only some of its values. So that the JSON of a plan stays as it is,
the renderers translate at print time: each kind of sentence the planner writes has an
English pattern here, and a message is translated when it is read, piece by piece, from
beginning to end by the patterns of its kind. A message that does not read completely is
shown as the planner wrote it (tests render a broad set of plans to check that none is).

Values taken from a sentence are shown the reader's way: drug ids become the region's drug
names, doses get the reader's decimal comma ("2,5 mg"), dates are written out.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache

from taper.guideline.model import Guideline
from taper.render.i18n import Texts


def N_(msgid: str) -> str:
    """Mark a msgid for extraction; it is translated where it is shown."""
    return msgid


@dataclass(frozen=True)
class Piece:
    """One sentence (or clause) the planner writes: its English pattern and its msgid."""

    source: str  # the regular expression
    msgid: str

    @property
    def pattern(self) -> re.Pattern[str]:
        # Compiled on first use (cached): compiling all of them costs ~10 ms of every start,
        # and an English sheet, or a plan without notes, needs none.
        return _compile(self.source)


@cache
def _compile(source: str) -> re.Pattern[str]:
    return re.compile(source)


def piece(pattern: str, msgid: str) -> Piece:
    return Piece(pattern, msgid)


_AMOUNT = r"-?\d+(?:\.\d+)?"
_DOSE = rf"{_AMOUNT} [^\s,;:()]+"  # 2.5 mg · 25 mcg/h
_ID = r"[^\s,;:()]+"
_NAMES = rf"{_ID}(?:, {_ID})+"  # drug ids: oxycodone, hydromorphone

# What bounds a cut: the rule, or the reduction the user chose.
_ALLOWED = (
    piece(rf"rule (?P<rule>{_ID})", N_("rule %(rule)s")),
    piece(
        rf"the chosen --percent (?P<percent>{_AMOUNT})",
        N_("the chosen reduction of %(percent)s %%"),
    ),
)
# What would help where the tablets cannot make a smaller step.
_HINT = (
    piece(
        rf"the formulary has no oral solution or smaller strength of (?P<drug>{_ID}) that would "
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
        rf"the formulary's (?P<brand>.+?) (?P<dose>{_DOSE}) \((?P<kind>immediate release|"
        r"modified release)\) would allow smaller steps",
        N_("the formulary's %(brand)s %(dose)s (%(kind)s) would allow smaller steps"),
    ),
    piece(
        rf"the formulary has no smaller (?P<drug>{_ID}) patch that would allow smaller steps",
        N_("the formulary has no smaller %(drug)s patch that would allow smaller steps"),
    ),
    piece(
        rf"measuring (?P<brand>.+?) finer than (?P<measure>{_DOSE}) would allow smaller steps",
        N_("measuring %(brand)s finer than %(measure)s would allow smaller steps"),
    ),
    piece(
        r"giving (?P<brand>.+?) at fewer dose times would allow smaller steps",
        N_("giving %(brand)s at fewer dose times would allow smaller steps"),
    ),
)
# A liquid's measuring device, the products a step changes from and what they are.
_DEVICE = (
    piece(r"an oral syringe", N_("an oral syringe")),
    piece(r"a dropper", N_("a dropper")),
)
_PIECES = (
    piece(r"the depot tablets", N_("the depot tablets")),
    piece(r"the tablets", N_("the tablets")),
    piece(r"the capsules", N_("the capsules")),
)
_LIQUID = (
    rf"(?P<brand>.+?) (?P<concentration>{_DOSE}) \(oral solution, measured with "
    r"(?P<device>an oral syringe|a dropper)\)"
)
# Depot tablets topped up with their oral solution (taper.plan.topup).
_TOPPED_UP = rf"(?P<depot>.+?) \(modified release\) topped up with {_LIQUID}"
_FORMER = (
    piece(
        _TOPPED_UP,
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
_RELEASE = {
    "immediate release": N_("immediate release"),
    "modified release": N_("modified release"),
}
# After a hint that names another product of the formulary.
_FORMULATION = piece(
    r"Changing formulation is a prescriber's decision\.",
    N_("Changing formulation is a prescriber's decision."),
)
_STOP_OR_CHANGE = piece(
    r"Whether to stop from here or change formulation is a prescriber's decision\.",
    N_("Whether to stop from here or change formulation is a prescriber's decision."),
)
_HELD_IN_ALL = piece(
    r"The dose before each such cut is held (?P<days>\d+) days longer in all, so the average "
    r"rate stays within the allowed speed\.",
    N_(
        "The dose before each such cut is held %(days)s days longer in all, so the average "
        "rate stays within the allowed speed."
    ),
)
_HELD_AT_MOST = piece(
    r"The dose before such a cut is held at most (?P<days>\d+) days \((?P<count>\d+) intervals, "
    rf"the longest run at one dose rule (?P<rule>{_ID}) allows\): a longer hold would not make "
    r"the cut smaller, so the cut is larger than the rule's step\.",
    N_(
        "The dose before such a cut is held at most %(days)s days (%(count)s intervals, the "
        "longest run at one dose rule %(rule)s allows): a longer hold would not make the cut "
        "smaller, so the cut is larger than the rule's step."
    ),
)
_SWITCH_OFFER = piece(
    rf"Rule (?P<rule>{_ID}) offers a switch to (?P<target>{_ID}) \(--switch\), which allows "
    r"smaller steps\.",
    N_("Rule %(rule)s offers a switch to %(target)s (--switch), which allows smaller steps."),
)
# An anxiolytic's steep end (clinician review R17): the offered switch is recommended.
_SWITCH_RECOMMENDED = piece(
    rf"Rule (?P<rule>{_ID}) offers a switch to (?P<target>{_ID}) \(--switch\), which allows "
    r"smaller steps: the recommended option here\.",
    N_(
        "Rule %(rule)s offers a switch to %(target)s (--switch), which allows smaller steps: "
        "the recommended option here."
    ),
)
# Why a specialist's sign-off was needed (the threshold reasons are the rule file's own text).
_SIGNOFF_REASONS = (
    piece(
        rf"(?P<drug>{_ID}) is an opioid-substitution drug; its taper belongs with the "
        r"substitution programme",
        N_(
            "%(drug)s is an opioid-substitution drug; its taper belongs with the "
            "substitution programme"
        ),
    ),
    piece(
        rf"rule (?P<rule>{_ID}) requires a specialist", N_("rule %(rule)s requires a specialist")
    ),
)
# The opioid total of a threshold, as the equivalence module writes it.
_TOTAL = (
    piece(
        rf"(?P<dose>{_AMOUNT} [^\s/]+)/day oral (?P<reference>[^;()]+)",
        N_("%(dose)s a day of oral %(reference)s"),
    ),
    piece(
        rf"(?P<dose>{_AMOUNT} [^\s/]+)/day (?P<reference>[^;()]+)",
        N_("%(dose)s a day of %(reference)s"),
    ),
    piece(
        r"not determined: no item could be converted",
        N_("not determined: no item could be converted"),
    ),
)

# Step notes (no code: a note is told by its wording).
NOTES: tuple[Piece, ...] = (
    piece(
        rf"held (?P<days>\d+) more days before the larger cut to (?P<dose>{_DOSE}) \(the "
        r"tablets cannot make a smaller step; the average rate stays within (?P<allowed>[^()]+)\)",
        N_(
            "held %(days)s more days before the larger cut to %(dose)s (the tablets cannot "
            "make a smaller step; the average rate stays within %(allowed)s)"
        ),
    ),
    piece(
        rf"held (?P<days>\d+) more days before the larger cut to (?P<dose>{_DOSE}) \(the "
        r"patches cannot make a smaller step; the average rate stays within (?P<allowed>[^()]+)\)",
        N_(
            "held %(days)s more days before the larger cut to %(dose)s (the patches cannot "
            "make a smaller step; the average rate stays within %(allowed)s)"
        ),
    ),
    piece(
        rf"held (?P<days>\d+) more days before the larger cut to (?P<dose>{_DOSE}) \(the "
        r"tablets cannot make a smaller step; no longer than rule (?P<rule>[^\s()]+) allows at "
        r"one dose, so the cut is larger than its step\)",
        N_(
            "held %(days)s more days before the larger cut to %(dose)s (the tablets cannot "
            "make a smaller step; no longer than rule %(rule)s allows at one dose, so the cut "
            "is larger than its step)"
        ),
    ),
    piece(
        rf"held (?P<days>\d+) more days before the larger cut to (?P<dose>{_DOSE}) \(the "
        r"patches cannot make a smaller step; no longer than rule (?P<rule>[^\s()]+) allows at "
        r"one dose, so the cut is larger than its step\)",
        N_(
            "held %(days)s more days before the larger cut to %(dose)s (the patches cannot "
            "make a smaller step; no longer than rule %(rule)s allows at one dose, so the cut "
            "is larger than its step)"
        ),
    ),
    piece(
        rf"held (?P<days>\d+) more days on (?P<drug>{_ID}) before the first reduction "
        rf"\(stabilisation after the switch: (?P<all>\d+) days in all\)",
        N_(
            "held %(days)s more days on %(drug)s before the first reduction (stabilisation "
            "after the switch: %(all)s days in all)"
        ),
    ),
    piece(
        rf"held one interval after (?P<drug>{_ID}) stopped",
        N_("held one interval after %(drug)s stopped"),
    ),
    piece(
        r"the current dose, held one interval before the next reduction",
        N_("the current dose, held one interval before the next reduction"),
    ),
    piece(
        r"pause \(--pause (?P<date>\d{4}-\d{2}-\d{2}):(?P<days>\d+)\): the dose is held, not "
        r"reduced",
        N_("pause of %(days)s days from %(date)s: the dose is held, not reduced"),
    ),
    piece(
        r"as taken now: the formulary's tablets cannot make this dose",
        N_("as taken now: the formulary's tablets cannot make this dose"),
    ),
    piece(
        rf"held (?P<days>\d+) more days before the larger cut to (?P<dose>{_DOSE}) \(the oral "
        rf"solution, measured in (?P<measure>{_DOSE}), cannot make a smaller step; the average "
        r"rate stays within (?P<allowed>[^()]+)\)",
        N_(
            "held %(days)s more days before the larger cut to %(dose)s (the oral solution, "
            "measured in %(measure)s, cannot make a smaller step; the average rate stays "
            "within %(allowed)s)"
        ),
    ),
    piece(
        rf"from here {_LIQUID} instead of (?P<former>.+?): (?P<pieces>the depot tablets|the "
        r"tablets|the capsules) cannot make the next step",
        N_(
            "from here %(brand)s %(concentration)s (oral solution, measured with %(device)s) "
            "instead of %(former)s: %(pieces)s cannot make the next step"
        ),
    ),
    piece(
        rf"from here {_TOPPED_UP}: the depot tablets cannot make the next step alone; the "
        r"solution gives only the rest of each dose",
        N_(
            "from here %(depot)s (modified release) topped up with %(brand)s %(concentration)s "
            "(oral solution, measured with %(device)s): the depot tablets cannot make the next "
            "step alone; the solution gives only the rest of each dose"
        ),
    ),
    piece(
        r"from here (?P<brand>.+?) \(immediate release\) instead of (?P<old>.+?) \(modified "
        r"release\): the depot tablets cannot make the next step",
        N_(
            "from here %(brand)s (immediate release) instead of %(old)s (modified release): "
            "the depot tablets cannot make the next step"
        ),
    ),
)

# A patch's step notes: the same sentences in a patch's words (its strengths, not tablets);
# read for every reader, English too, since the planner's English says "tablets".
PATCH_NOTES: tuple[Piece, ...] = (
    piece(
        NOTES[0].source,
        N_(
            "held %(days)s more days before the larger cut to %(dose)s (the patch strengths "
            "cannot make a smaller step; the average rate stays within %(allowed)s)"
        ),
    ),
    *NOTES[1:],
)

# Warnings by code (or code prefix, before the colon), each read as a run of pieces.
WARNINGS: dict[str, tuple[Piece, ...]] = {
    "merged-lines": (
        piece(
            rf"(?P<drug>{_ID}) was given on more than one line; the plan uses the daily total "
            rf"(?P<dose>{_DOSE})\.",
            N_("%(drug)s was given on more than one line; the plan uses the daily total %(dose)s."),
        ),
    ),
    "hypnotic-at-bedtime": (
        piece(
            rf"(?P<drug>{_ID}) is a sleeping drug: the plan gives it once a day at bedtime "
            rf"\(rule (?P<rule>{_ID}) says (?P<count>\d+) doses a day for its class\)\.",
            N_(
                "%(drug)s is a sleeping drug: the plan gives it once a day at bedtime (rule "
                "%(rule)s says %(count)s doses a day for its class)."
            ),
        ),
    ),
    "thresholds-unchecked": (
        piece(
            r"The rule file's dose thresholds could not be checked: (?P<error>.+)",
            N_("The rule file's dose thresholds could not be checked: %(error)s"),
        ),
    ),
    "switch-not-needed": (
        piece(
            rf"(?P<drug>{_ID}) is already long-acting; it is not switched\.",
            N_("%(drug)s is already long-acting; it is not switched."),
        ),
    ),
    "not-in-formulary": (
        piece(
            rf"(?P<drug>{_ID}) is not in the formulary of rule file (?P<guideline>{_ID}): until "
            rf"(?P<target>the switch|{_ID}) replaces it, the patient takes the doses shown "
            r"from their own tablets\.",
            N_(
                "%(drug)s is not in the formulary of rule file %(guideline)s: until %(target)s "
                "replaces it, the patient takes the doses shown from their own tablets."
            ),
        ),
    ),
    "replan-base-current": (
        piece(
            rf"Rule (?P<rule>{_ID}) reduces by a share of the starting dose; no original dose of "
            rf"(?P<drug>{_ID}) was given \(--original\), so the current dose (?P<dose>{_DOSE}) "
            r"is the base\.",
            N_(
                "Rule %(rule)s reduces by a share of the starting dose; no original dose of "
                "%(drug)s was given (--original), so the current dose %(dose)s is the base."
            ),
        ),
        piece(
            rf"Rule (?P<rule>{_ID}) slows down below a share of the starting dose; no original "
            rf"dose of (?P<drug>{_ID}) was given \(--original\), so the current dose "
            rf"(?P<dose>{_DOSE}) is the base\.",
            N_(
                "Rule %(rule)s slows down below a share of the starting dose; no original dose "
                "of %(drug)s was given (--original), so the current dose %(dose)s is the base."
            ),
        ),
    ),
    "switch-reduction": (
        piece(
            rf"The switch from (?P<drug>{_ID}) to (?P<target>{_ID}) is (?P<percent>{_AMOUNT}) % "
            r"below the equivalent dose \(incomplete cross-tolerance\), as the rule file says\.",
            N_(
                "The switch from %(drug)s to %(target)s is %(percent)s %% below the equivalent "
                "dose (incomplete cross-tolerance), as the rule file says."
            ),
        ),
    ),
    "below-smallest-dose": (
        piece(
            rf"(?P<dose>{_DOSE}) of (?P<drug>{_ID}) is less than the smallest dose the "
            rf"formulary's tablets make \((?P<smallest>{_DOSE})\); the plan keeps it as taken "
            r"now and stops it at its turn\. An oral solution or a smaller strength would "
            r"allow a gradual stop\.",
            N_(
                "%(dose)s of %(drug)s is less than the smallest dose the formulary's tablets "
                "make (%(smallest)s); the plan keeps it as taken now and stops it at its turn. "
                "An oral solution or a smaller strength would allow a gradual stop."
            ),
        ),
    ),
    "start-dose-rounded": (
        piece(
            rf"(?P<reported>{_DOSE}) of (?P<drug>{_ID}) cannot be made from the formulary's "
            rf"tablets as fixed doses; the plan starts from (?P<made>{_DOSE})\.",
            N_(
                "%(reported)s of %(drug)s cannot be made from the formulary's tablets as fixed "
                "doses; the plan starts from %(made)s."
            ),
        ),
    ),
    "change-moved": (
        piece(
            r"1 dose change falls on a weekend or public holiday and begins on the next working "
            r"day\.",
            N_(
                "1 dose change falls on a weekend or public holiday and begins on the next "
                "working day."
            ),
        ),
        piece(
            r"(?P<count>\d+) dose changes fall on a weekend or public holiday and begin on the "
            r"next working day\.",
            N_(
                "%(count)s dose changes fall on a weekend or public holiday and begin on the next "
                "working day."
            ),
        ),
        piece(
            r"The dose before is taken a day longer than planned\.",
            N_("The dose before is taken a day longer than planned."),
        ),
        piece(
            r"The dose before is taken up to (?P<days>\d+) days longer than planned\.",
            N_("The dose before is taken up to %(days)s days longer than planned."),
        ),
    ),
    "start-dose-cut": (
        piece(
            rf"(?P<reported>{_DOSE}) of (?P<drug>{_ID}) cannot be made from the formulary's "
            rf"products as fixed doses; the nearest dose they make, (?P<made>{_DOSE}), is "
            rf"(?P<percent>{_AMOUNT}) % less, a larger cut than (?P<allowed>[^()]+?) allows in "
            r"one step\.",
            N_(
                "%(reported)s of %(drug)s cannot be made from the formulary's products as fixed "
                "doses; the nearest dose they make, %(made)s, is %(percent)s %% less, a larger "
                "cut than %(allowed)s allows in one step."
            ),
        ),
        piece(
            r"The plan keeps the dose as taken now and makes the cut its first reduction, held "
            r"as any larger cut is; (?P<hint>.+? would allow smaller steps)\.",
            N_(
                "The plan keeps the dose as taken now and makes the cut its first reduction, "
                "held as any larger cut is; %(hint)s."
            ),
        ),
        piece(
            r"The plan keeps the dose as taken now through evening out and makes the cut its "
            r"first reduction, held as any larger cut is; (?P<hint>.+? would allow smaller "
            r"steps)\.",
            N_(
                "The plan keeps the dose as taken now through evening out and makes the cut its "
                "first reduction, held as any larger cut is; %(hint)s."
            ),
        ),
        _FORMULATION,
    ),
    "start-kept-for-switch": (
        piece(
            rf"(?P<reported>{_DOSE}) of (?P<drug>{_ID}) cannot be made from the formulary's "
            r"tablets as fixed doses without a larger cut than (?P<allowed>[^()]+?) allows "
            rf"\(to (?P<made>{_DOSE})\); the plan keeps it as taken now until "
            rf"(?P<target>{_ID}) replaces it\.",
            N_(
                "%(reported)s of %(drug)s cannot be made from the formulary's tablets as fixed "
                "doses without a larger cut than %(allowed)s allows (to %(made)s); the plan "
                "keeps it as taken now until %(target)s replaces it."
            ),
        ),
        piece(
            rf"(?P<reported>{_DOSE}) of (?P<drug>{_ID}) cannot be made from the formulary's "
            r"tablets as fixed doses within one step of (?P<allowed>[^;]+?); the plan keeps it "
            rf"as taken now until the switch from (?P<target>{_ID}) gives it fixed doses\.",
            N_(
                "%(reported)s of %(drug)s cannot be made from the formulary's tablets as fixed "
                "doses within one step of %(allowed)s; the plan keeps it as taken now until the "
                "switch from %(target)s gives it fixed doses."
            ),
        ),
    ),
    "hold-too-long": (
        piece(
            rf"(?P<drug>{_ID}) stays at (?P<dose>{_DOSE}) for (?P<days>\d+) days \(step "
            r"(?P<steps>\d+(?:, \d+)*)\), longer than the (?P<limit>\d+) days \((?P<count>\d+) "
            rf"intervals\) rule (?P<rule>{_ID}) allows at one dose, because the formulary cannot "
            r"make a smaller step; (?P<hint>.+? would allow smaller steps)\.",
            N_(
                "%(drug)s stays at %(dose)s for %(days)s days (step %(steps)s), longer than the "
                "%(limit)s days (%(count)s intervals) rule %(rule)s allows at one dose, because "
                "the formulary cannot make a smaller step; %(hint)s."
            ),
        ),
    ),
    "paracetamol-per-day": (
        piece(
            rf"(?P<drug>{_ID}) as (?P<brand>.+?) gives paracetamol a day by step \(step: "
            r"amount\): (?P<listing>[0-9–, ]+: \d+ mg(?:; [0-9–, ]+: \d+ mg)*)\.",
            N_(
                "%(drug)s as %(brand)s gives paracetamol a day by step (step: amount): %(listing)s."
            ),
        ),
        piece(
            rf"(?P<drug>{_ID}) as (?P<brand>.+?) gives acetaminophen a day by step \(step: "
            r"amount\): (?P<listing>[0-9–, ]+: \d+ mg(?:; [0-9–, ]+: \d+ mg)*)\.",
            N_(
                "%(drug)s as %(brand)s gives acetaminophen a day by step (step: amount): "
                "%(listing)s."
            ),
        ),
        piece(
            r"Doses at least (?P<hours>\d+) hours apart \((?P<brand>.+?): label\)\.",
            N_("Doses at least %(hours)s hours apart (%(brand)s: label)."),
        ),
    ),
    "paracetamol-lower-limits": (
        piece(
            r"The plan gives up to (?P<most>\d+) mg paracetamol a day; paracetamol is at most "
            r"(?P<weight>\d+) mg a day at 40–50 kg body weight and (?P<liver>\d+) mg a day with "
            r"severe liver disease, cirrhosis, chronic malnutrition, chronic alcohol use or "
            r"fasting \(Norwegian Medicines Agency; Felleskatalogen, Paralgin forte\): check the "
            r"patient's weight and liver risk\.",
            N_(
                "The plan gives up to %(most)s mg paracetamol a day; paracetamol is at most "
                "%(weight)s mg a day at 40–50 kg body weight and %(liver)s mg a day with severe "
                "liver disease, cirrhosis, chronic malnutrition, chronic alcohol use or fasting "
                "(Norwegian Medicines Agency; Felleskatalogen, Paralgin forte): check the "
                "patient's weight and liver risk."
            ),
        ),
    ),
    "dose-times-from-label": (
        piece(
            rf"(?P<drug>{_ID}) is given (?P<count>\d+) times a day: (?P<brand>.+?) \(modified "
            r"release\) is given at its label's interval \(rule (?P<rule>[^\s()]+) says "
            r"(?P<wanted>\d+)\)\.",
            N_(
                "%(drug)s is given %(count)s times a day: %(brand)s (modified release) is given "
                "at its label's interval (rule %(rule)s says %(wanted)s)."
            ),
        ),
        piece(
            rf"(?P<drug>{_ID}) is given (?P<count>\d+) times a day: (?P<brand>.+?) allows at "
            r"most (?P<most>\d+) tablets at one time \(rule (?P<rule>[^\s()]+) says "
            r"(?P<wanted>\d+)\)\.",
            N_(
                "%(drug)s is given %(count)s times a day: %(brand)s allows at most %(most)s "
                "tablets at one time (rule %(rule)s says %(wanted)s)."
            ),
        ),
        piece(
            rf"(?P<drug>{_ID}) is given (?P<count>\d+) times a day: (?P<brand>.+?) \(immediate "
            r"release\) is taken so by its label \(rule (?P<rule>[^\s()]+) says "
            r"(?P<wanted>\d+)\)\.",
            N_(
                "%(drug)s is given %(count)s times a day: %(brand)s (immediate release) is taken "
                "so by its label (rule %(rule)s says %(wanted)s)."
            ),
        ),
    ),
    "formulation-change": (
        piece(
            rf"(?P<dose>{_DOSE}) of (?P<drug>{_ID}) is given as (?P<brand>.+?) \(immediate "
            r"release\): it is more than (?P<old>.+?) \(modified release\) allows "
            rf"\((?P<cap>{_DOSE}) a day by its label\)\.",
            N_(
                "%(dose)s of %(drug)s is given as %(brand)s (immediate release): it is more than "
                "%(old)s (modified release) allows (%(cap)s a day by its label)."
            ),
        ),
        piece(
            rf"(?P<dose>{_DOSE}) of (?P<drug>{_ID}) is given as {_LIQUID}: (?P<former>.+?) "
            r"cannot give it (?P<count>\d+) times a day\.",
            N_(
                "%(dose)s of %(drug)s is given as %(brand)s %(concentration)s (oral solution, "
                "measured with %(device)s): %(former)s cannot give it %(count)s times a day."
            ),
        ),
        piece(
            rf"(?P<dose>{_DOSE}) of (?P<drug>{_ID}) is given as (?P<brand>.+?) \(immediate "
            r"release\): (?P<old>.+?) \(modified release\) cannot give it (?P<count>\d+) "
            r"times a day\.",
            N_(
                "%(dose)s of %(drug)s is given as %(brand)s (immediate release): %(old)s "
                "(modified release) cannot give it %(count)s times a day."
            ),
        ),
        piece(
            rf"(?P<reported>{_DOSE}) of (?P<drug>{_ID}) is given as {_LIQUID}: "
            rf"(?P<former>.+?) can make no more than (?P<made>{_DOSE}) of it as fixed doses, a "
            r"larger cut than (?P<allowed>[^()]+?) allows in one step\.",
            N_(
                "%(reported)s of %(drug)s is given as %(brand)s %(concentration)s (oral "
                "solution, measured with %(device)s): %(former)s can make no more than %(made)s "
                "of it as fixed doses, a larger cut than %(allowed)s allows in one step."
            ),
        ),
        piece(
            rf"(?P<reported>{_DOSE}) of (?P<drug>{_ID}) is given as (?P<brand>.+?) "
            r"\((?P<kind>immediate release|modified release)\): (?P<former>.+?) can make no "
            rf"more than (?P<made>{_DOSE}) of it as fixed doses, a larger cut than "
            r"(?P<allowed>[^()]+?) allows in one step\.",
            N_(
                "%(reported)s of %(drug)s is given as %(brand)s (%(kind)s): %(former)s can make "
                "no more than %(made)s of it as fixed doses, a larger cut than %(allowed)s "
                "allows in one step."
            ),
        ),
        piece(
            rf"(?P<reported>{_DOSE}) of (?P<drug>{_ID}) is given as {_LIQUID}: it is less than "
            rf"the smallest dose (?P<former>.+?) makes \((?P<smallest>{_DOSE})\)\.",
            N_(
                "%(reported)s of %(drug)s is given as %(brand)s %(concentration)s (oral "
                "solution, measured with %(device)s): it is less than the smallest dose "
                "%(former)s makes (%(smallest)s)."
            ),
        ),
        piece(
            rf"(?P<reported>{_DOSE}) of (?P<drug>{_ID}) is given as (?P<brand>.+?) "
            r"\((?P<kind>immediate release|modified release)\): it is less than the smallest "
            rf"dose (?P<former>.+?) makes \((?P<smallest>{_DOSE})\)\.",
            N_(
                "%(reported)s of %(drug)s is given as %(brand)s (%(kind)s): it is less than the "
                "smallest dose %(former)s makes (%(smallest)s)."
            ),
        ),
        piece(
            rf"The plan starts from (?P<made>{_DOSE}) on it\.",
            N_("The plan starts from %(made)s on it."),
        ),
    ),
    "tablet-step-kept": (
        piece(
            rf"(?P<count>\d+) step\(s\) of (?P<drug>{_ID}) \(step (?P<steps>\d+(?:, \d+)*)\) cut "
            r"more than (?P<allowed>[^()]+?) allows: the tablets make a step within half of the "
            r"rule's step from its ideal, so the taper stays on them rather than change to "
            r"(?P<brand>.+?) \(an oral solution only for the steps the tablets cannot make\)\.",
            N_(
                "%(count)s step(s) of %(drug)s (step %(steps)s) cut more than %(allowed)s "
                "allows: the tablets make a step within half of the rule's step from its "
                "ideal, so the taper stays on them rather than change to %(brand)s (an oral "
                "solution only for the steps the tablets cannot make)."
            ),
        ),
    ),
    "tablet-step-beyond-rule": (
        piece(
            rf"(?P<count>\d+) step\(s\) of (?P<drug>{_ID}) \(step (?P<steps>\d+(?:, \d+)*)\) cut "
            r"more than the step (?P<allowed>[^()]+?) sets, within the largest step it allows, "
            r"because the formulary's strengths cannot make a dose nearer the rule's at these "
            r"dose times \(step: share of the dose before\): "
            rf"(?P<shares>\d+: {_AMOUNT} %(?:; \d+: {_AMOUNT} %)*)\.",
            N_(
                "%(count)s step(s) of %(drug)s (step %(steps)s) cut more than the step "
                "%(allowed)s sets, within the largest step it allows, because the formulary's "
                "strengths cannot make a dose nearer the rule's at these dose times (step: "
                "share of the dose before): %(shares)s."
            ),
        ),
    ),
    "immediate-release-fewer-times": (
        piece(
            rf"(?P<count>\d+) step\(s\) of (?P<drug>{_ID}) \(step (?P<steps>\d+(?:, \d+)*)\) give "
            r"the immediate-release product at fewer dose times than its regimen's "
            r"(?P<least>\d+) a day, because the dose is too small to share among them: it acts "
            r"for a few hours, so withdrawal can come between doses; whether to go on so is a "
            r"prescriber's decision\.",
            N_(
                "%(count)s step(s) of %(drug)s (step %(steps)s) give the immediate-release "
                "product at fewer dose times than its regimen's %(least)s a day, because the "
                "dose is too small to share among them: it acts for a few hours, so withdrawal "
                "can come between doses; whether to go on so is a prescriber's decision."
            ),
        ),
    ),
    "tablet-limited": (
        piece(
            rf"(?P<count>\d+) step\(s\) of (?P<drug>{_ID}) \(step (?P<steps>\d+(?:, \d+)*)\) cut "
            r"more than (?P<allowed>[^()]+?) allows, because the formulary's strengths cannot "
            r"make a smaller step; (?P<hint>.+? would allow smaller steps)\.",
            N_(
                "%(count)s step(s) of %(drug)s (step %(steps)s) cut more than %(allowed)s "
                "allows, because the formulary's strengths cannot make a smaller step; %(hint)s."
            ),
        ),
        piece(
            rf"(?P<count>\d+) step\(s\) of (?P<drug>{_ID}) \(step (?P<steps>\d+(?:, \d+)*)\) cut "
            r"more than (?P<allowed>[^()]+?) allows, because the formulary's patch strengths "
            r"cannot make a smaller step with at most (?P<most>\d+) patches at once; "
            r"(?P<hint>.+? would allow smaller steps)\.",
            N_(
                "%(count)s step(s) of %(drug)s (step %(steps)s) cut more than %(allowed)s "
                "allows, because the formulary's patch strengths cannot make a smaller step "
                "with at most %(most)s patches at once; %(hint)s."
            ),
        ),
        piece(
            rf"(?P<count>\d+) step\(s\) of (?P<drug>{_ID}) \(step (?P<steps>\d+(?:, \d+)*)\) cut "
            r"more than (?P<allowed>[^()]+?) allows, because the formulary's strengths cannot "
            r"make a smaller step with at most (?P<most>\d+) sublingual tablets at one time; "
            r"(?P<hint>.+? would allow smaller steps)\.",
            N_(
                "%(count)s step(s) of %(drug)s (step %(steps)s) cut more than %(allowed)s "
                "allows, because the formulary's strengths cannot make a smaller step with at "
                "most %(most)s sublingual tablets at one time; %(hint)s."
            ),
        ),
        _FORMULATION,
        _HELD_IN_ALL,
        _HELD_AT_MOST,
        _SWITCH_RECOMMENDED,
        _SWITCH_OFFER,
    ),
    "modified-release-once-a-day": (
        piece(
            rf"(?P<dose>{_DOSE}) of (?P<drug>{_ID}) is less than (?P<brand>.+?) \(modified "
            r"release\) can give as (?P<count>\d+) doses a day, so the plan gives it once a "
            r"day, which can leave part of the day uncovered, and stops it from there; "
            r"(?P<hint>.+? would allow smaller steps)\.",
            N_(
                "%(dose)s of %(drug)s is less than %(brand)s (modified release) can give as "
                "%(count)s doses a day, so the plan gives it once a day, which can leave part "
                "of the day uncovered, and stops it from there; %(hint)s."
            ),
        ),
        _STOP_OR_CHANGE,
    ),
    "stop-from-smallest-dose": (
        piece(
            rf"(?P<drug>{_ID}) stops from (?P<dose>{_DOSE}), the smallest dose the formulary's "
            r"strengths make at this stage; (?P<hint>.+? would allow smaller steps)\.",
            N_(
                "%(drug)s stops from %(dose)s, the smallest dose the formulary's strengths make "
                "at this stage; %(hint)s."
            ),
        ),
        piece(
            rf"(?P<drug>{_ID}) stops from (?P<dose>{_DOSE}), the smallest dose (?P<brand>.+?) "
            r"\(modified release\) can give as (?P<count>\d+) doses a day; it is not given once "
            r"a day, which can leave part of the day uncovered; "
            r"(?P<hint>.+? would allow smaller steps)\.",
            N_(
                "%(drug)s stops from %(dose)s, the smallest dose %(brand)s (modified release) "
                "can give as %(count)s doses a day; it is not given once a day, which can leave "
                "part of the day uncovered; %(hint)s."
            ),
        ),
        _FORMULATION,
        _STOP_OR_CHANGE,
        _HELD_IN_ALL,
        _HELD_AT_MOST,
        _SWITCH_RECOMMENDED,
        _SWITCH_OFFER,
    ),
    "substitution-drug": (  # from the conversion, when no plan is made
        piece(
            rf"(?P<drug>{_ID}) is an opioid-substitution drug: equivalence conversions are "
            r"unreliable for it, and a taper needs specialist sign-off\.",
            N_(
                "%(drug)s is an opioid-substitution drug: equivalence conversions are unreliable "
                "for it, and a taper needs specialist sign-off."
            ),
        ),
    ),
    "as-needed": (
        piece(
            rf"(?P<drug>{_ID}) is taken as needed \(about (?P<percent>{_AMOUNT}) times a week\); "
            r"evening out turns this into fixed doses at fixed times, from the average of "
            rf"(?P<dose>{_DOSE}) a day\.",
            N_(
                "%(drug)s is taken as needed (about %(percent)s times a week); evening out turns "
                "this into fixed doses at fixed times, from the average of %(dose)s a day."
            ),
        ),
    ),
    "strength-looked-up": (
        piece(
            r"(?P<text>.+?) is read as (?P<brand>.+?) tablets of (?P<dose>"
            rf"{_DOSE}) (?P<drug>{_ID}) with (?P<made>{_DOSE}) (?P<ingredient>[a-z]+), the only "
            rf"strength rule file (?P<rule>{_ID}) lists for (?P<product>.+?): (?P<reported>"
            rf"{_DOSE}) a day\.",
            N_(
                "%(text)s is read as %(brand)s tablets of %(dose)s %(drug)s with %(made)s "
                "%(ingredient)s, the only strength rule file %(rule)s lists for %(product)s: "
                "%(reported)s a day."
            ),
        ),
        piece(
            rf"(?P<text>.+?) is read as (?P<brand>.+?) (?P<dose>{_DOSE}) tablets, the only "
            rf"strength rule file (?P<rule>{_ID}) lists for (?P<product>.+?): (?P<reported>"
            rf"{_DOSE}) a day\.",
            N_(
                "%(text)s is read as %(brand)s %(dose)s tablets, the only strength rule file "
                "%(rule)s lists for %(product)s: %(reported)s a day."
            ),
        ),
    ),
    "combination-read-as": (
        piece(
            rf"(?P<text>.+?) is read as (?P<brand>.+?), the product of rule file (?P<rule>{_ID}) "
            rf"with these strengths: (?P<dose>{_DOSE}) (?P<drug>{_ID}) a day\.",
            N_(
                "%(text)s is read as %(brand)s, the product of rule file %(rule)s with these "
                "strengths: %(dose)s %(drug)s a day."
            ),
        ),
    ),
    "combination-product-chosen": (
        piece(
            rf"(?P<drug>{_ID}) as written \((?P<text>.+?)\) is planned on (?P<brand>.+?), which "
            rf"also holds (?P<made>{_DOSE}) (?P<ingredient>[a-z]+) a tablet: (?P<dose>{_DOSE}) "
            r"[a-z]+ a day at the start \(label: at most (?P<reported>"
            rf"{_DOSE}) a day\); prescribe it as this product, and the patient takes no other "
            r"[a-z]+\.",
            N_(
                "%(drug)s as written (%(text)s) is planned on %(brand)s, which also holds "
                "%(made)s %(ingredient)s a tablet: %(dose)s %(ingredient)s a day at the start "
                "(label: at most %(reported)s a day); prescribe it as this product, and the "
                "patient takes no other %(ingredient)s."
            ),
        ),
        piece(
            rf"(?P<drug>{_ID}) as written \((?P<text>.+?)\) is planned on (?P<brand>.+?), which "
            rf"also holds (?P<made>{_DOSE}) (?P<ingredient>[a-z]+) a tablet; prescribe it as this "
            r"product, and the patient takes no other [a-z]+\.",
            N_(
                "%(drug)s as written (%(text)s) is planned on %(brand)s, which also holds "
                "%(made)s %(ingredient)s a tablet; prescribe it as this product, and the patient "
                "takes no other %(ingredient)s."
            ),
        ),
    ),
    "combination-as-written": (
        piece(
            rf"(?P<drug>{_ID}) as written \((?P<text>.+?)\) gives up to (?P<dose>{_DOSE}) "
            rf"(?P<ingredient>[a-z]+) at one dose time and (?P<made>{_DOSE}) a day; the label "
            rf"allows at most (?P<smallest>{_DOSE}) a dose and (?P<reported>{_DOSE}) a day\.",
            N_(
                "%(drug)s as written (%(text)s) gives up to %(dose)s %(ingredient)s at one dose "
                "time and %(made)s a day; the label allows at most %(smallest)s a dose and "
                "%(reported)s a day."
            ),
        ),
        piece(
            rf"(?P<drug>{_ID}) as written \((?P<text>.+?)\) gives (?P<made>{_DOSE}) "
            r"(?P<ingredient>[a-z]+) a day; the label allows at most "
            rf"(?P<smallest>{_DOSE}) a dose and (?P<reported>{_DOSE}) a day\.",
            N_(
                "%(drug)s as written (%(text)s) gives %(made)s %(ingredient)s a day; the label "
                "allows at most %(smallest)s a dose and %(reported)s a day."
            ),
        ),
    ),
    "switch-partial": (
        piece(
            rf"Rule (?P<rule>{_ID}) replaces each dose time of (?P<drug>{_ID}) in up to "
            r"(?P<count>\d+) steps of (?P<days>\d+) days \(partial substitution\)\.",
            N_(
                "Rule %(rule)s replaces each dose time of %(drug)s in up to %(count)s steps of "
                "%(days)s days (partial substitution)."
            ),
        ),
    ),
    "switch-lower-end": (
        piece(
            rf"(?P<drug>{_ID}) is switched at the lower end of the equivalence range: "
            rf"(?P<dose>{_DOSE}) rather than (?P<made>{_DOSE}) of (?P<target>{_ID}) a day\.",
            N_(
                "%(drug)s is switched at the lower end of the equivalence range: %(dose)s "
                "rather than %(made)s of %(target)s a day."
            ),
        ),
    ),
    "switch-capped": (
        piece(
            rf"The equivalence gives (?P<dose>{_DOSE}) of (?P<target>{_ID}) a day for "
            rf"(?P<drug>{_ID}); rule (?P<rule>{_ID}) starts a switch at no more than "
            rf"(?P<made>{_DOSE}) a day, so the cap, not the equivalence, sets the dose\. Watch "
            r"for withdrawal during the switch\.",
            N_(
                "The equivalence gives %(dose)s of %(target)s a day for %(drug)s; rule "
                "%(rule)s starts a switch at no more than %(made)s a day, so the cap, not the "
                "equivalence, sets the dose. Watch for withdrawal during the switch."
            ),
        ),
    ),
    "switch-spread": (
        piece(
            rf"The switch could not share the planned (?P<made>{_DOSE}) of (?P<target>{_ID}) a "
            rf"day for (?P<drug>{_ID}) over the dose times within (?P<most>{_DOSE}) each \(it "
            rf"gives (?P<dose>{_DOSE})\); check the switch doses before the plan is used\.",
            N_(
                "The switch could not share the planned %(made)s of %(target)s a day for "
                "%(drug)s over the dose times within %(most)s each (it gives %(dose)s); check "
                "the switch doses before the plan is used."
            ),
        ),
    ),
    "switch-dose-times": (
        piece(
            rf"(?P<target>{_ID}) is given at (?P<days>\d+) dose times so that no dose is more "
            rf"than (?P<dose>{_DOSE})\.",
            N_("%(target)s is given at %(days)s dose times so that no dose is more than %(dose)s."),
        ),
    ),
    "switch": (
        piece(
            rf"(?P<drug>{_ID}) is replaced by (?P<target>{_ID}) one dose time at a time, from the "
            r"lower end of the equivalence range and within the rule's switch limits\. "
            r"Equivalence tables are approximate; watch for sedation or withdrawal during the "
            r"switch\.",
            N_(
                "%(drug)s is replaced by %(target)s one dose time at a time, from the lower end "
                "of the equivalence range and within the rule's switch limits. Equivalence "
                "tables are approximate; watch for sedation or withdrawal during the switch."
            ),
        ),
    ),
    "switch-advised": (
        piece(
            rf"A switch of (?P<drug>{_ID}) to (?P<target>{_ID}) is the recommended option: "
            rf"source (?P<source>{_ID}) names (?P=drug) for a switch to a "
            rf"long-acting drug, and rule (?P<rule>{_ID}) offers it \(--switch\); the plan does "
            r"not switch without the prescriber's decision\.",
            N_(
                "A switch of %(drug)s to %(target)s is the recommended option: source "
                "%(source)s names %(drug)s for a switch to a long-acting drug, and rule %(rule)s "
                "offers it (--switch); the plan does not switch without the prescriber's "
                "decision."
            ),
        ),
    ),
    "switch-declined": (
        piece(
            rf"Rule (?P<rule>{_ID}) recommends switching (?P<drug>{_ID}) to (?P<target>{_ID}); "
            r"the switch was turned off \(--no-switch\)\.",
            N_(
                "Rule %(rule)s recommends switching %(drug)s to %(target)s; the switch was "
                "turned off (--no-switch)."
            ),
        ),
    ),
    "max-duration-exceeded": (
        piece(
            rf"The taper of (?P<drug>{_ID}) takes (?P<days>\d+) days, longer than the "
            rf"(?P<limit>\d+) days rule (?P<rule>{_ID}) gives as its maximum\.",
            N_(
                "The taper of %(drug)s takes %(days)s days, longer than the %(limit)s days rule "
                "%(rule)s gives as its maximum."
            ),
        ),
        piece(
            rf"(?P<days>\d+) days of it are below (?P<dose>{_DOSE}), at the rule's slower pace "
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
    "several-drugs": (
        piece(
            rf"Tapered one after another \(rule (?P<rule>{_ID})\): (?P<names>{_NAMES}); each "
            r"next one starts one interval after the previous one stopped, and at the latest "
            r"(?P<days>\d+) days after the first cut\.",
            N_(
                "Tapered one after another (rule %(rule)s): %(names)s; each next one starts one "
                "interval after the previous one stopped, and at the latest %(days)s days after "
                "the first cut."
            ),
        ),
    ),
    "several-drugs-wait": (
        piece(
            rf"(?P<drug>{_ID}) waits (?P<days>\d+) days at its full dose before its taper begins, "
            rf"longer than the (?P<limit>\d+) days rule (?P<rule>{_ID}) allows, because another "
            r"drug's dose changes on the same days\.",
            N_(
                "%(drug)s waits %(days)s days at its full dose before its taper begins, longer "
                "than the %(limit)s days rule %(rule)s allows, because another drug's dose changes "
                "on the same days."
            ),
        ),
    ),
    "several-drugs-duration": (
        piece(
            rf"Tapering (?P<names>{_NAMES}) takes (?P<days>\d+) days from the first cut to the "
            rf"last dose, longer than the (?P<limit>\d+) days rule (?P<rule>{_ID}) gives as its "
            rf"maximum, because (?P<drug>{_ID}) alone takes (?P<own>\d+) days at its rule's pace "
            r"and tablets\.",
            N_(
                "Tapering %(names)s takes %(days)s days from the first cut to the last dose, "
                "longer than the %(limit)s days rule %(rule)s gives as its maximum, because "
                "%(drug)s alone takes %(own)s days at its rule's pace and tablets."
            ),
        ),
        piece(
            rf"Tapering (?P<names>{_NAMES}) takes (?P<days>\d+) days from the first cut to the "
            rf"last dose, longer than the (?P<limit>\d+) days rule (?P<rule>{_ID}) gives as its "
            rf"maximum, because (?P<drug>{_ID}) alone takes (?P<own>\d+) days at its rule's pace "
            r"and tablets, after waiting (?P<waited>\d+) days at its full dose\.",
            N_(
                "Tapering %(names)s takes %(days)s days from the first cut to the last dose, "
                "longer than the %(limit)s days rule %(rule)s gives as its maximum, because "
                "%(drug)s alone takes %(own)s days at its rule's pace and tablets, after waiting "
                "%(waited)s days at its full dose."
            ),
        ),
        piece(
            r"Review the plan with the patient: a faster speed the rule allows, or a "
            r"specialist's advice\.",
            N_(
                "Review the plan with the patient: a faster speed the rule allows, or a "
                "specialist's advice."
            ),
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
    "threshold-unknown": (
        piece(
            r"The (?P<class>benzodiazepine/z-drug|opioid) total \((?P<total>[^()]+)\) is "
            rf"incomplete, so threshold (?P<threshold>{_ID}) \(above (?P<above>{_AMOUNT})\) "
            r"cannot be ruled out\.",
            N_(
                "The %(class)s total (%(total)s) is incomplete, so threshold %(threshold)s "
                "(above %(above)s) cannot be ruled out."
            ),
        ),
        piece(
            r"The (?P<class>benzodiazepine/z-drug|opioid) total \((?P<total>[^()]+)\) is "
            rf"incomplete, so threshold (?P<threshold>{_ID}) \((?P<above>{_AMOUNT}) or more\) "
            r"cannot be ruled out\.",
            N_(
                "The %(class)s total (%(total)s) is incomplete, so threshold %(threshold)s "
                "(%(above)s or more) cannot be ruled out."
            ),
        ),
    ),
}
# A warning that a specialist signed off, for one of `_SIGNOFF_REASONS` or a threshold.
_SIGNOFF = "Specialist sign-off given: "
_SIGNED_OFF = N_("Specialist sign-off given: %(reason)s.")
# A threshold's detail after the rule file's own text.
_THRESHOLD_DETAIL = piece(
    rf" \(total (?P<total>[^;()]+); threshold (?P<above>{_AMOUNT})\)\.",
    N_("(total %(total)s; threshold %(above)s)"),
)
# The same for a threshold whose wording is inclusive ("50 MME/day or more").
_THRESHOLD_DETAIL_INCLUSIVE = piece(
    rf" \(total (?P<total>[^;()]+); threshold (?P<above>{_AMOUNT}) or more\)\.",
    N_("(total %(total)s; threshold %(above)s or more)"),
)
_CLASSES = {
    "benzodiazepine/z-drug": N_("benzodiazepine/z-drug"),
    "opioid": N_("opioid"),
}
# Sub-clauses read with their own pieces, by the name of the group that holds them.
_NESTED: dict[str, tuple[Piece, ...]] = {
    "allowed": _ALLOWED,
    "device": _DEVICE,
    "former": _FORMER,
    "pieces": _PIECES,
    "hint": _HINT,
    "reason": _SIGNOFF_REASONS,
    "total": _TOTAL,
}
_DRUGS = frozenset({"drug", "target", "reference"})
_DOSES = frozenset({"dose", "smallest", "reported", "made", "concentration", "measure"})
_NUMBERS = frozenset({"percent", "above"})
_SHARE = re.compile(rf"(\d+): ({_AMOUNT}) %")


class Reader:
    """Translates the planner's sentences for one reader (language, region's drug names)."""

    def __init__(self, t: Texts, guideline: Guideline | None) -> None:
        self.t = t
        self.guideline = guideline
        self.names: dict[str, str] = {}
        self.thresholds: dict[str, tuple[str, str]] = {}  # id → (English text, reader's text)
        if guideline is not None:
            for drug in guideline.drugs:
                if drug.display is not None:
                    self.names[drug.id] = drug.display.get(t.lang)
                    self.names.setdefault(drug.display.en, drug.display.get(t.lang))
            for th in guideline.thresholds:
                self.thresholds[th.id] = (th.message.en, th.message.get(t.lang))
        # The rule file's notes on drugs (warning code "drug-note:DRUG:NOTE"), in its own words.
        self.drug_notes: dict[str, str] = {
            f"drug-note:{drug.id}:{note.id}": note.text.get(t.lang)
            for drug in (guideline.drugs if guideline is not None else [])
            for note in drug.clinician_notes
        }

    def note(self, text: str, *, patch: bool = False) -> str:
        """A step note in the reader's language (English readers get it as written, but a
        patch's note in a patch's words)."""
        if patch:
            return self.read(text, PATCH_NOTES) or text
        if self.t.lang == "en":
            return text
        return self.read(text, NOTES) or text

    def warning(self, code: str, text: str) -> str | None:
        """A warning's message in the reader's language; None when it does not read."""
        if self.t.lang == "en":
            return text
        if text.startswith(_SIGNOFF):
            reason = text[len(_SIGNOFF) : -1] if text.endswith(".") else None
            if reason is None:
                return None
            said = self.read(reason, _SIGNOFF_REASONS) or self.threshold(code, reason + ".")
            if said is None:
                return None
            return self.t._(_SIGNED_OFF, reason=said.rstrip("."))
        if code.startswith("threshold:"):
            return self.threshold(code, text)
        if code.startswith("drug-note:"):
            return self.drug_notes.get(code)
        pieces = WARNINGS.get(code.split(":", 1)[0])
        return None if pieces is None else self.read(text, pieces)

    def threshold(self, code: str, text: str) -> str | None:
        """A threshold warning: the rule file's own text in the reader's language."""
        if not code.startswith("threshold:"):
            return None
        known = self.thresholds.get(code.split(":", 1)[1])
        if known is None or not text.startswith(known[0]):
            return None
        english, own = known
        rest = text[len(english) :]
        if rest in ("", "."):
            return own
        for detail in (_THRESHOLD_DETAIL, _THRESHOLD_DETAIL_INCLUSIVE):
            found = detail.pattern.fullmatch(rest)
            values = None if found is None else self.values(found)
            if values is not None:
                return f"{own.rstrip('.')} {self.t._(detail.msgid, **values)}."
        return None

    def read(self, text: str, pieces: tuple[Piece, ...]) -> str | None:
        """`text` read from start to end as pieces separated by single spaces; None if not."""
        out: list[str] = []
        position = 0
        while position < len(text):
            if out:
                if text[position] != " ":
                    return None
                position += 1
            for candidate in pieces:
                found = candidate.pattern.match(text, position)
                if found is None or found.end() == position:
                    continue
                values = self.values(found)
                if values is None:
                    continue
                out.append(self.t._(candidate.msgid, **values))
                position = found.end()
                break
            else:
                return None
        return " ".join(out) if out else None

    def values(self, found: re.Match[str]) -> dict[str, object] | None:
        """The values of a matched piece, shown the reader's way; None if one does not read."""
        values: dict[str, object] = {}
        for name, raw in found.groupdict().items():
            if raw is None:
                values[name] = ""
                continue
            shown = self.value(name, raw)
            if shown is None:
                return None
            values[name] = shown
        return values

    def value(self, name: str, raw: str) -> str | None:
        t = self.t
        if name in _NESTED:
            return self.read(raw, _NESTED[name])
        if name == "target" and raw == "the switch":
            return t._(N_("the switch"))
        if name in _DRUGS:
            return self.names.get(raw, raw)
        if name == "shares":
            # "7: 12.5 %; 8: 14.3 %": each share the reader's way (12,5 %).
            return _SHARE.sub(lambda m: f"{m[1]}: {t.number(Decimal(m[2]))} %", raw)
        if name == "names":
            return ", ".join(self.names.get(n, n) for n in raw.split(", "))
        if name in _DOSES:
            number, unit = raw.split(" ", 1)
            amount = _decimal(number)
            return None if amount is None else t.amount(amount, unit)
        if name in _NUMBERS:
            amount = _decimal(raw)
            return None if amount is None else t.number(amount)
        if name == "date":
            return t.date(dt.date.fromisoformat(raw))
        if name == "class":
            return t._(_CLASSES[raw])
        if name == "kind":
            return t._(_RELEASE[raw])
        return raw  # ids, counts of days, product names: shown as written


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text)
    except InvalidOperation:
        return None
