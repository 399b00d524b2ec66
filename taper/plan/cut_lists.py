"""The clinician page's lists of cuts larger than a rule's step, each with why it is allowed:
within the largest step the rule allows (`tablet-step-beyond-rule`), by the rule's smallest
step (`step-floor-above-share`), or a tablet step kept rather than an oral solution
(`tablet-step-kept`); and the options of a stop within the rule's stop dose (an earlier one,
or the one the rule chose instead of a tail: `stop-instead-of-tail`)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from taper.dose import format_amount
from taper.plan.decimals import to_decimal
from taper.plan.formulary import oral_solutions
from taper.plan.regimen import stop_too_high
from taper.plan.state import BuilderBase
from taper.plan.tracks import Seg, Track


def steps_of(count: int, drug: str, numbers: str) -> str:
    """ "1 step of oxazepam (step 11)" or "3 steps of oxazepam (steps 4, 6, 8)": a real plural,
    never "step(s)" (nurse review 8); a sentence after it makes its verb agree (`agree`)."""
    if count == 1:
        return f"1 step of {drug} (step {numbers})"
    return f"{count} steps of {drug} (steps {numbers})"


def agree(count: int, verb: str) -> str:
    """A present-tense verb after `steps_of`: "gives" after one step, "give" after more."""
    return verb + "s" if count == 1 else verb


class CutListsMixin(BuilderBase):
    def allowed_text(self, track: Track) -> str:
        """What bounds a cut: the user's --percent when given, otherwise the rule."""
        chosen = track.pace.chosen_percent if track.pace is not None else None
        if chosen is not None:
            return f"the chosen --percent {format_amount(to_decimal(chosen))}"
        return f"rule {track.rule.id}"

    def dose_before(self, track: Track, seg: Seg) -> Decimal:
        position = track.segs.index(seg)
        if position == 0:
            # A stop on the plan's first day (no mapping or evening out): from the dose taken.
            return track.reported if track.reported is not None else Decimal(0)
        return track.segs[position - 1].amount

    def shares(self, track: Track, segs: list[Seg], index_of: dict[int, int]) -> str:
        """Each step's cut as a share of the dose before it: "3: 16.7 %; 4: 20 %"."""
        out = []
        for seg in segs:
            before = Fraction(self.dose_before(track, seg))
            share = (before - Fraction(seg.amount)) * 100 / before
            shown = format_amount(to_decimal(Fraction(round(share * 10), 10)))
            out.append(f"{index_of[id(seg)]}: {shown} %")
        return "; ".join(out)

    def warn_beyond_step(self, track: Track, index_of: dict[int, int]) -> None:
        """Cuts larger than the rule's step but within the largest it allows, with their share
        of the dose before (clinician review 2: se-01's 12.5-25 % cuts against a 10 % rule
        were shown nowhere)."""
        beyond = [s for s in track.segs if s.beyond_step and id(s) in index_of]
        if not beyond:
            return
        numbers = ", ".join(str(index_of[id(s)]) for s in beyond)
        shares = self.shares(track, beyond, index_of)
        self.warn(
            "tablet-step-beyond-rule",
            "info",
            f"{steps_of(len(beyond), track.drug.id, numbers)} cut more than the step "
            f"{self.allowed_text(track)} sets, within the largest step it allows, because the "
            "formulary's strengths cannot make a dose nearer the rule's at these dose times "
            f"(step: share of the dose before): {shares}.",
            track.drug.id,
            steps=numbers,
        )

    def warn_above_share(self, track: Track, index_of: dict[int, int]) -> None:
        """Cuts larger than the rule's share of the dose because of its smallest step (within
        the rule), with their share, and an earlier stop where the rule's stop dose allows it
        (clinician review 4, D10: us-cdc's monthly 2.5 mg steps of 17-50 % were unlisted while
        se-vgr's larger cuts were listed)."""
        above = [s for s in track.segs if s.above_share and id(s) in index_of]
        if not above:
            return
        numbers = ", ".join(str(index_of[id(s)]) for s in above)
        shares = self.shares(track, above, index_of)
        text = (
            f"{steps_of(len(above), track.drug.id, numbers)} cut a larger share of "
            f"the dose than {self.allowed_text(track)} sets, because of the smallest step it "
            f"sets (step: share of the dose before): {shares}. Slowing or pausing "
            "the taper there is a prescriber's decision."
        )
        text += self.earlier_stop(track, above, index_of)
        self.warn("step-floor-above-share", "info", text, track.drug.id, steps=numbers)

    def earlier_stop(self, track: Track, segs: list[Seg], index_of: dict[int, int]) -> str:
        """The option of an earlier stop from the first of these steps within the rule's stop
        dose, as a sentence to append, or "". An opioid only (clinician reviews 4 and 5 ask it
        for us-cdc's oxycodone tails and once-a-day hydromorphone); a benzodiazepine's end goes
        more slowly (NICE CKS, formulations.md §5)."""
        if track.drug.drug_class != "opioid" or track.rule.stop_dose is None:
            return ""
        kit = track.kit
        stop_at = next(
            (
                s
                for s in segs
                if stop_too_high(self.g, track.rule, track.drug, kit.unit, kit.route, s.amount)
                is None
            ),
            None,
        )
        last = [s for s in track.segs if s.phase == "taper" and s.amount > 0]
        if stop_at is None or stop_at is last[-1]:
            # The plan stops from there already: the last dose step is no earlier stop
            # (clinician review 13, D7: "an earlier stop from 2 mg (step 23)" at step 23).
            return ""
        return (
            f" So is an earlier stop from {format_amount(stop_at.amount)} {track.unit} "
            f"(step {index_of[id(stop_at)]}), within the stop dose of rule {track.rule.id}."
        )

    def warn_kept(self, track: Track, kept: list[Seg], index_of: dict[int, int]) -> None:
        """Tablet cuts a little larger than the rule's, kept rather than changing to an oral
        solution for them (formulation.py `TABLET_STEP_TOLERANCE`): said, never silent."""
        if not kept:
            return
        numbers = ", ".join(str(index_of[id(s)]) for s in kept)
        solutions = " / ".join(oral_solutions(self.g, track.drug.id))
        self.warn(
            "tablet-step-kept",
            "caution",
            f"{steps_of(len(kept), track.drug.id, numbers)} cut more than "
            f"{self.allowed_text(track)} allows: the tablets make a step within half of the "
            f"rule's step from its ideal, so the taper stays on them rather than change to "
            f"{solutions} (an oral solution only for the steps the tablets cannot make).",
            track.drug.id,
            steps=numbers,
        )

    def warn_stop_instead_of_tail(self, track: Track, index_of: dict[int, int]) -> None:
        """The stop at the rule's stop dose that replaced a tail (`taper.plan.stop_end`),
        said on the clinician page: it is the rule file's choice, not the products' limit."""
        stop = track.rule.stop_dose
        doses = [s for s in track.segs if s.phase == "taper" and s.amount > 0 and id(s) in index_of]
        if track.ended is None or stop is None or not doses:
            return
        self.used(f"rule {track.rule.id} stop_dose", stop)
        self.used(f"rule {track.rule.id} stop_dose stop_instead_of_tail", stop.stop_instead_of_tail)
        rather = (
            "change to another formulation"
            if track.ended == "formulation"
            else "give the immediate-release product at fewer dose times than its regimen"
        )
        last = doses[-1]
        self.warn(
            "stop-instead-of-tail",
            "info",
            f"{track.drug.id} stops from {format_amount(last.amount)} {track.unit} (step "
            f"{index_of[id(last)]}), within the stop dose of rule {track.rule.id}, rather than "
            f"{rather} below it.",
            track.drug.id,
            dose=format_amount(last.amount),
        )
