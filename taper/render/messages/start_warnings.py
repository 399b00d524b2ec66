"""Warnings on what was read and where the plan starts: lines, products, the start dose."""

from __future__ import annotations

from taper.render.messages.clauses import FORMULATION
from taper.render.messages.patterns import AMOUNT, DOSE, ID, N_, NP_, Piece, piece

# A drug's dose times from its label: "oxazepam is given once a day: ... (rule R says 2)."
_GIVEN = rf"(?P<drug>{ID}) is given (?P<count>once|\d+)(?: times?)? a day: "
_SAYS = r"\(rule (?P<rule>[^\s()]+) says (?P<wanted>\d+)\)\."

START_WARNINGS: dict[str, tuple[Piece, ...]] = {
    "merged-lines": (
        piece(
            rf"(?P<drug>{ID}) was given on more than one line; the plan uses the daily total "
            rf"(?P<dose>{DOSE})\.",
            N_("%(drug)s was given on more than one line; the plan uses the daily total %(dose)s."),
        ),
    ),
    "hypnotic-at-bedtime": (
        piece(
            rf"(?P<drug>{ID}) is a sleeping drug: the plan gives it once a day at bedtime "
            rf"\(rule (?P<rule>{ID}) says (?P<count>\d+) doses a day for its class\)\.",
            N_(
                "%(drug)s is a sleeping drug: the plan gives it once a day at bedtime (rule "
                "%(rule)s says %(count)s doses a day for its class)."
            ),
        ),
    ),
    "not-in-formulary": (
        piece(
            rf"(?P<drug>{ID}) is not in the formulary of rule file (?P<guideline>{ID}): until "
            rf"(?P<target>the switch|{ID}) replaces it, the patient takes the doses shown "
            r"from their own tablets\.",
            N_(
                "%(drug)s is not in the formulary of rule file %(guideline)s: until %(target)s "
                "replaces it, the patient takes the doses shown from their own tablets."
            ),
        ),
    ),
    "replan-base-current": (
        piece(
            rf"Rule (?P<rule>{ID}) reduces by a share of the starting dose; no original dose of "
            rf"(?P<drug>{ID}) was given \(--original\), so the current dose (?P<dose>{DOSE}) "
            r"is the base\.",
            N_(
                "Rule %(rule)s reduces by a share of the starting dose; no original dose of "
                "%(drug)s was given (--original), so the current dose %(dose)s is the base."
            ),
        ),
        piece(
            rf"Rule (?P<rule>{ID}) slows down below a share of the starting dose; no original "
            rf"dose of (?P<drug>{ID}) was given \(--original\), so the current dose "
            rf"(?P<dose>{DOSE}) is the base\.",
            N_(
                "Rule %(rule)s slows down below a share of the starting dose; no original dose "
                "of %(drug)s was given (--original), so the current dose %(dose)s is the base."
            ),
        ),
    ),
    "below-smallest-dose": (
        piece(
            rf"(?P<dose>{DOSE}) of (?P<drug>{ID}) is less than the smallest dose the "
            rf"formulary's tablets make \((?P<smallest>{DOSE})\); the plan keeps it as taken "
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
            rf"(?P<reported>{DOSE}) of (?P<drug>{ID}) cannot be made from the formulary's "
            rf"tablets as fixed doses; the plan starts from (?P<made>{DOSE})\.",
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
            rf"(?P<reported>{DOSE}) of (?P<drug>{ID}) cannot be made from the formulary's "
            rf"products as fixed doses; the nearest dose they make, (?P<made>{DOSE}), is "
            rf"(?P<percent>{AMOUNT}) % less, a larger cut than (?P<allowed>[^()]+?) allows in "
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
        FORMULATION,
    ),
    "paracetamol-per-day": (
        piece(
            rf"(?P<drug>{ID}) as (?P<brand>.+?) gives paracetamol a day by step \(step: "
            r"amount\): (?P<listing>[0-9–, ]+: \d+ mg(?:; [0-9–, ]+: \d+ mg)*)\.",
            N_(
                "%(drug)s as %(brand)s gives paracetamol a day by step (step: amount): %(listing)s."
            ),
        ),
        piece(
            rf"(?P<drug>{ID}) as (?P<brand>.+?) gives acetaminophen a day by step \(step: "
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
        piece(
            r"These are Norwegian figures: the project's sources give none for this region\.",
            N_("These are Norwegian figures: the project's sources give none for this region."),
        ),
        piece(
            r"These are Norwegian figures, for comparison: the note on paracetamol gives this "
            r"region's own guidance\.",
            N_(
                "These are Norwegian figures, for comparison: the note on paracetamol gives this "
                "region's own guidance."
            ),
        ),
    ),
    # "is given once a day" since clinician review 13 (D4); "1 times" in plans saved before.
    "dose-times-from-label": (
        piece(
            rf"{_GIVEN}(?P<brand>.+?) \(modified release\) is given at its label's interval "
            rf"{_SAYS}",
            NP_(
                "%(drug)s is given once a day: %(brand)s (modified release) is given at its "
                "label's interval (rule %(rule)s says %(wanted)s).",
                "%(drug)s is given %(count)s times a day: %(brand)s (modified release) is given "
                "at its label's interval (rule %(rule)s says %(wanted)s).",
            ),
        ),
        piece(
            rf"{_GIVEN}(?P<brand>.+?) allows at most (?P<most>\d+) tablets at one time {_SAYS}",
            NP_(
                "%(drug)s is given once a day: %(brand)s allows at most %(most)s tablets at one "
                "time (rule %(rule)s says %(wanted)s).",
                "%(drug)s is given %(count)s times a day: %(brand)s allows at most %(most)s "
                "tablets at one time (rule %(rule)s says %(wanted)s).",
            ),
        ),
        piece(
            rf"{_GIVEN}(?P<brand>.+?) \(immediate release\) is taken so by its label {_SAYS}",
            NP_(
                "%(drug)s is given once a day: %(brand)s (immediate release) is taken so by its "
                "label (rule %(rule)s says %(wanted)s).",
                "%(drug)s is given %(count)s times a day: %(brand)s (immediate release) is taken "
                "so by its label (rule %(rule)s says %(wanted)s).",
            ),
        ),
        piece(
            rf"{_GIVEN}the formulary's strengths of (?P<brand>.+?) \(immediate release\) cannot "
            rf"share (?P<dose>{DOSE}) among more dose times, though its label gives "
            rf"(?P<labelled>\d+(?:–\d+)?) times a day {_SAYS}",
            NP_(
                "%(drug)s is given once a day: the formulary's strengths of %(brand)s "
                "(immediate release) cannot share %(dose)s among more dose times, though its "
                "label gives %(labelled)s times a day (rule %(rule)s says %(wanted)s).",
                "%(drug)s is given %(count)s times a day: the formulary's strengths of "
                "%(brand)s (immediate release) cannot share %(dose)s among more dose times, "
                "though its label gives %(labelled)s times a day (rule %(rule)s says "
                "%(wanted)s).",
            ),
        ),
        piece(
            rf"Rule (?P<rule>{ID}) offers a switch to (?P<target>{ID}) \(--switch\)\.",
            N_("Rule %(rule)s offers a switch to %(target)s (--switch)."),
        ),
    ),
    "substitution-drug": (  # from the conversion, when no plan is made
        piece(
            rf"(?P<drug>{ID}) is an opioid-substitution drug: equivalence conversions are "
            r"unreliable for it, and a taper needs specialist sign-off\.",
            N_(
                "%(drug)s is an opioid-substitution drug: equivalence conversions are unreliable "
                "for it, and a taper needs specialist sign-off."
            ),
        ),
    ),
    "as-needed": (
        piece(
            rf"(?P<drug>{ID}) is taken as needed \(about (?P<percent>{AMOUNT}) times a week\); "
            r"evening out turns this into fixed doses at fixed times, from the average of "
            rf"(?P<dose>{DOSE}) a day\.",
            N_(
                "%(drug)s is taken as needed (about %(percent)s times a week); evening out turns "
                "this into fixed doses at fixed times, from the average of %(dose)s a day."
            ),
        ),
    ),
    "strength-looked-up": (
        piece(
            r"(?P<text>.+?) is read as (?P<brand>.+?) tablets of (?P<dose>"
            rf"{DOSE}) (?P<drug>{ID}) with (?P<made>{DOSE}) (?P<ingredient>[a-z]+), the only "
            rf"strength rule file (?P<rule>{ID}) lists for (?P<product>.+?): (?P<reported>"
            rf"{DOSE}) a day\.",
            N_(
                "%(text)s is read as %(brand)s tablets of %(dose)s %(drug)s with %(made)s "
                "%(ingredient)s, the only strength rule file %(rule)s lists for %(product)s: "
                "%(reported)s a day."
            ),
        ),
        piece(
            rf"(?P<text>.+?) is read as (?P<brand>.+?) (?P<dose>{DOSE}) tablets, the only "
            rf"strength rule file (?P<rule>{ID}) lists for (?P<product>.+?): (?P<reported>"
            rf"{DOSE}) a day\.",
            N_(
                "%(text)s is read as %(brand)s %(dose)s tablets, the only strength rule file "
                "%(rule)s lists for %(product)s: %(reported)s a day."
            ),
        ),
    ),
    "combination-read-as": (
        piece(
            rf"(?P<text>.+?) is read as (?P<brand>.+?), the product of rule file (?P<rule>{ID}) "
            rf"with these strengths: (?P<dose>{DOSE}) (?P<drug>{ID}) a day\.",
            N_(
                "%(text)s is read as %(brand)s, the product of rule file %(rule)s with these "
                "strengths: %(dose)s %(drug)s a day."
            ),
        ),
    ),
    "combination-product-chosen": (
        piece(
            rf"(?P<drug>{ID}) as written \((?P<text>.+?)\) is planned on (?P<brand>.+?), which "
            rf"also holds (?P<made>{DOSE}) (?P<ingredient>[a-z]+) a tablet: (?P<dose>{DOSE}) "
            r"[a-z]+ a day at the start \(label: at most (?P<reported>"
            rf"{DOSE}) a day\); prescribe it as this product, and the patient takes no other "
            r"[a-z]+\.",
            N_(
                "%(drug)s as written (%(text)s) is planned on %(brand)s, which also holds "
                "%(made)s %(ingredient)s a tablet: %(dose)s %(ingredient)s a day at the start "
                "(label: at most %(reported)s a day); prescribe it as this product, and the "
                "patient takes no other %(ingredient)s."
            ),
        ),
        piece(
            rf"(?P<drug>{ID}) as written \((?P<text>.+?)\) is planned on (?P<brand>.+?), which "
            rf"also holds (?P<made>{DOSE}) (?P<ingredient>[a-z]+) a tablet; prescribe it as this "
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
            rf"(?P<drug>{ID}) as written \((?P<text>.+?)\) gives up to (?P<dose>{DOSE}) "
            rf"(?P<ingredient>[a-z]+) at one dose time and (?P<made>{DOSE}) a day; the label "
            rf"allows at most (?P<smallest>{DOSE}) a dose and (?P<reported>{DOSE}) a day\.",
            N_(
                "%(drug)s as written (%(text)s) gives up to %(dose)s %(ingredient)s at one dose "
                "time and %(made)s a day; the label allows at most %(smallest)s a dose and "
                "%(reported)s a day."
            ),
        ),
        piece(
            rf"(?P<drug>{ID}) as written \((?P<text>.+?)\) gives (?P<made>{DOSE}) "
            r"(?P<ingredient>[a-z]+) a day; the label allows at most "
            rf"(?P<smallest>{DOSE}) a dose and (?P<reported>{DOSE}) a day\.",
            N_(
                "%(drug)s as written (%(text)s) gives %(made)s %(ingredient)s a day; the label "
                "allows at most %(smallest)s a dose and %(reported)s a day."
            ),
        ),
    ),
}
