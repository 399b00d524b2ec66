"""Warnings on switches, several drugs and thresholds."""

from __future__ import annotations

from taper.render.messages.patterns import AMOUNT, DOSE, ID, N_, NAMES, Piece, piece

SWITCH_WARNINGS: dict[str, tuple[Piece, ...]] = {
    "thresholds-unchecked": (
        piece(
            r"The rule file's dose thresholds could not be checked: (?P<error>.+)",
            N_("The rule file's dose thresholds could not be checked: %(error)s"),
        ),
    ),
    "switch-not-needed": (
        piece(
            rf"(?P<drug>{ID}) is already long-acting; it is not switched\.",
            N_("%(drug)s is already long-acting; it is not switched."),
        ),
    ),
    "switch-reduction": (
        piece(
            rf"The switch from (?P<drug>{ID}) to (?P<target>{ID}) is (?P<percent>{AMOUNT}) % "
            r"below the equivalent dose \(incomplete cross-tolerance\), as the rule file says\.",
            N_(
                "The switch from %(drug)s to %(target)s is %(percent)s %% below the equivalent "
                "dose (incomplete cross-tolerance), as the rule file says."
            ),
        ),
    ),
    "start-kept-for-switch": (
        piece(
            rf"(?P<reported>{DOSE}) of (?P<drug>{ID}) cannot be made from the formulary's "
            r"tablets as fixed doses without a larger cut than (?P<allowed>[^()]+?) allows "
            rf"\(to (?P<made>{DOSE})\); the plan keeps it as taken now until "
            rf"(?P<target>{ID}) replaces it\.",
            N_(
                "%(reported)s of %(drug)s cannot be made from the formulary's tablets as fixed "
                "doses without a larger cut than %(allowed)s allows (to %(made)s); the plan "
                "keeps it as taken now until %(target)s replaces it."
            ),
        ),
        piece(
            rf"(?P<reported>{DOSE}) of (?P<drug>{ID}) cannot be made from the formulary's "
            r"tablets as fixed doses within one step of (?P<allowed>[^;]+?); the plan keeps it "
            rf"as taken now until the switch from (?P<target>{ID}) gives it fixed doses\.",
            N_(
                "%(reported)s of %(drug)s cannot be made from the formulary's tablets as fixed "
                "doses within one step of %(allowed)s; the plan keeps it as taken now until the "
                "switch from %(target)s gives it fixed doses."
            ),
        ),
    ),
    "switch-partial": (
        piece(
            rf"Rule (?P<rule>{ID}) replaces each dose time of (?P<drug>{ID}) in up to "
            r"(?P<count>\d+) steps of (?P<days>\d+) days \(partial substitution\)\.",
            N_(
                "Rule %(rule)s replaces each dose time of %(drug)s in up to %(count)s steps of "
                "%(days)s days (partial substitution)."
            ),
        ),
    ),
    "switch-lower-end": (
        piece(
            rf"(?P<drug>{ID}) is switched at the lower end of the equivalence range: "
            rf"(?P<dose>{DOSE}) rather than (?P<made>{DOSE}) of (?P<target>{ID}) a day\.",
            N_(
                "%(drug)s is switched at the lower end of the equivalence range: %(dose)s "
                "rather than %(made)s of %(target)s a day."
            ),
        ),
    ),
    "switch-capped": (
        piece(
            rf"The equivalence gives (?P<dose>{DOSE}) of (?P<target>{ID}) a day for "
            rf"(?P<drug>{ID}); rule (?P<rule>{ID}) starts a switch at no more than "
            rf"(?P<made>{DOSE}) a day, so the cap, not the equivalence, sets the dose\. Watch "
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
            rf"The switch could not share the planned (?P<made>{DOSE}) of (?P<target>{ID}) a "
            rf"day for (?P<drug>{ID}) over the dose times within (?P<most>{DOSE}) each \(it "
            rf"gives (?P<dose>{DOSE})\); check the switch doses before the plan is used\.",
            N_(
                "The switch could not share the planned %(made)s of %(target)s a day for "
                "%(drug)s over the dose times within %(most)s each (it gives %(dose)s); check "
                "the switch doses before the plan is used."
            ),
        ),
    ),
    "switch-dose-times": (
        piece(
            rf"(?P<target>{ID}) is given at (?P<days>\d+) dose times so that no dose is more "
            rf"than (?P<dose>{DOSE})\.",
            N_("%(target)s is given at %(days)s dose times so that no dose is more than %(dose)s."),
        ),
    ),
    "switch": (
        piece(
            rf"(?P<drug>{ID}) is replaced by (?P<target>{ID}) one dose time at a time, from the "
            r"lower end of the equivalence range and within the rule's switch limits\. "
            r"Equivalence tables are approximate; watch for sedation or withdrawal during the "
            r"switch\.",
            N_(
                "%(drug)s is replaced by %(target)s one dose time at a time, from the lower end "
                "of the equivalence range and within the rule's switch limits. Equivalence "
                "tables are approximate; watch for sedation or withdrawal during the switch."
            ),
        ),
        piece(
            rf"(?P<drug>{ID}) is replaced by (?P<target>{ID}) one dose time at a time, at the "
            r"rule's equivalence and within the rule's switch limits\. Equivalence tables are "
            r"approximate; watch for sedation or withdrawal during the switch\.",
            N_(
                "%(drug)s is replaced by %(target)s one dose time at a time, at the rule's "
                "equivalence and within the rule's switch limits. Equivalence tables are "
                "approximate; watch for sedation or withdrawal during the switch."
            ),
        ),
    ),
    "switch-advised": (
        piece(
            rf"A switch of (?P<drug>{ID}) to (?P<target>{ID}) is the recommended option: "
            rf"source (?P<source>{ID}) names (?P=drug) for a switch to a "
            rf"long-acting drug, and rule (?P<rule>{ID}) offers it \(--switch\); the plan does "
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
            rf"Rule (?P<rule>{ID}) recommends switching (?P<drug>{ID}) to (?P<target>{ID}); "
            r"the switch was turned off \(--no-switch\)\.",
            N_(
                "Rule %(rule)s recommends switching %(drug)s to %(target)s; the switch was "
                "turned off (--no-switch)."
            ),
        ),
    ),
    "several-drugs": (
        piece(
            rf"Tapered in turn \(rule (?P<rule>{ID})\): (?P<names>{NAMES}); each next one starts "
            r"one interval after the previous one stopped, or at the latest (?P<days>\d+) days "
            r"after the first cut, and is then tapered alongside; a dose change waits while the "
            r"drugs together would cut more of their total in one interval than the rule "
            r"allows\.",
            N_(
                "Tapered in turn (rule %(rule)s): %(names)s; each next one starts one interval "
                "after the previous one stopped, or at the latest %(days)s days after the first "
                "cut, and is then tapered alongside; a dose change waits while the drugs "
                "together would cut more of their total in one interval than the rule allows."
            ),
        ),
    ),
    "several-drugs-wait": (
        piece(
            rf"(?P<drug>{ID}) waits (?P<days>\d+) days at its full dose before its taper begins, "
            rf"longer than the (?P<limit>\d+) days rule (?P<rule>{ID}) allows, because another "
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
            rf"Tapering (?P<names>{NAMES}) takes (?P<days>\d+) days from the first cut to the "
            rf"last dose, longer than the (?P<limit>\d+) days rule (?P<rule>{ID}) gives as its "
            rf"maximum, because (?P<drug>{ID}) alone takes (?P<own>\d+) days at its rule's pace "
            r"and tablets\.",
            N_(
                "Tapering %(names)s takes %(days)s days from the first cut to the last dose, "
                "longer than the %(limit)s days rule %(rule)s gives as its maximum, because "
                "%(drug)s alone takes %(own)s days at its rule's pace and tablets."
            ),
        ),
        piece(
            rf"Tapering (?P<names>{NAMES}) takes (?P<days>\d+) days from the first cut to the "
            rf"last dose, longer than the (?P<limit>\d+) days rule (?P<rule>{ID}) gives as its "
            rf"maximum, because (?P<drug>{ID}) alone takes (?P<own>\d+) days at its rule's pace "
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
    "threshold-unknown": (
        piece(
            r"The (?P<class>benzodiazepine/z-drug|opioid) total \((?P<total>[^()]+)\) is "
            rf"incomplete, so threshold (?P<threshold>{ID}) \(above (?P<above>{AMOUNT})\) "
            r"cannot be ruled out\.",
            N_(
                "The %(class)s total (%(total)s) is incomplete, so threshold %(threshold)s "
                "(above %(above)s) cannot be ruled out."
            ),
        ),
        piece(
            r"The (?P<class>benzodiazepine/z-drug|opioid) total \((?P<total>[^()]+)\) is "
            rf"incomplete, so threshold (?P<threshold>{ID}) \((?P<above>{AMOUNT}) or more\) "
            r"cannot be ruled out\.",
            N_(
                "The %(class)s total (%(total)s) is incomplete, so threshold %(threshold)s "
                "(%(above)s or more) cannot be ruled out."
            ),
        ),
    ),
}
