"""Evening out (stabilisation): the fixed dose a plan starts from, never a silent cut (issue 14).

When the formulary's products cannot make the reported dose as fixed doses, `even_out` picks
the fixed dose the plan starts from, in this order:

1. the nearest dose the drug's own products make at or below the reported dose, when the cut
   is within the rule's largest step (`largest_cut`, as the taper's steps are bounded: the
   slow-down below its threshold, the smallest step): as before, with a caution saying what
   the plan starts from (`start-dose-rounded`);
2. another formulation of the drug in the formulary (a depot drug's immediate-release tablets,
   the drug's oral solution) that makes the reported dose exactly, else a dose within the
   step: the plan starts on it, and a caution says why (`formulation-change`);
3. a drug to be switched to the rule's long-acting drug: kept as taken now until the switch
   replaces it, so the switch converts the dose the patient takes, with no cut at all;
4. otherwise the cut becomes the plan's first reduction: the dose is kept as taken now
   through evening out, held before the cut like any cut the tablets force (`holds.py`), and
   the plan carries a high warning for the prescriber (`start-dose-cut`);
5. a cut larger than any taper step may be (the rule-file ceiling, 50 %) is refused in one
   sentence naming what the prescriber would need.

A dose below the smallest the drug's products make is kept as taken now and stopped at its
turn (`below-smallest-dose`), unless another formulation makes a smaller dose (4., 2.).
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from taper.dose import format_amount
from taper.errors import TaperError
from taper.plan.curve import (
    SMALLEST_STEP_ROUNDING,
    TaperStep,
    check_hold,
    slow_start,
    step_aim,
)
from taper.plan.decimals import tidy, to_decimal
from taper.plan.dosetimes import next_vector
from taper.plan.drop_order import drop_ranks
from taper.plan.formulation import FormulationMixin, describe
from taper.plan.holds import capped_hold
from taper.plan.model import DoseTimeName
from taper.plan.patches import whole_patch_days
from taper.plan.regimen import day_cap, formulation_changes, regimen_times
from taper.plan.review import ReviewMixin
from taper.plan.rules import Pace
from taper.plan.step_floors import NO_FLOORS, StepFloors
from taper.plan.tablets import Kit
from taper.plan.tracks import Track, time_names

# The largest cut any taper step may make, in %: the rule-file ceiling of
# `taper.guideline.checks.taper_speed.CEILING`, a project ceiling at CDC 2022's fastest brief
# taper (50 % for 2 days; clinical-facts-2.md §7) (not imported: a plan does not load the
# checks; a test keeps the two equal).
CEILING = Decimal(50)


def largest_cut(
    p: Pace, current: Fraction, base: Fraction, floors: StepFloors = NO_FLOORS
) -> Fraction:
    """The largest cut one step of pace `p` may make from `current`, as `trajectory` bounds
    its steps: the rule's largest share of the current dose, or of the start dose `base`
    (mode "start"), or the slow-down's share below its threshold (the rule's absolute one in
    `floors`, else its share of `base`); never less than the smallest step there, as the
    products may make it (`SMALLEST_STEP_ROUNDING`)."""
    slow_from = floors.slow_from if floors.slow_from is not None else slow_start(p, base)
    allowed = step_aim(p, current, base, slow_from)[1]
    smallest = floors.floor(slow_from is not None and current < slow_from)
    if smallest is not None:
        allowed = max(allowed, smallest * SMALLEST_STEP_ROUNDING)
    return allowed


def percent_less(reported: Decimal, made: Decimal) -> str:
    """How much less `made` is than `reported`, in whole percent (for messages)."""
    share = (reported - made) / reported * 100
    return format_amount(share.quantize(Decimal(1), rounding=ROUND_HALF_UP))


class EveningOutMixin(ReviewMixin, FormulationMixin):
    def even_out(self, track: Track) -> int | None:
        """The fixed daily dose (quanta of `track.kit`, which may change) evening out starts
        from when the products cannot make the reported dose; None when the dose is kept as
        taken now (see the module docstring)."""
        assert track.reported is not None
        kit = track.kit
        times = len(track.times)
        reported = track.reported
        # At the dose times a depot's interval needs (100 mg of MS Contin: 45 + 45 mg, not
        # 100 mg once), else at any (below a depot's smallest dose twice a day: the solution).
        below = kit.quanta_floor(Fraction(reported))
        floor = kit.floor_makeable(below, times, track.min_used) or kit.floor_makeable(below, times)
        shown = f"{format_amount(reported)} {track.unit}"
        sources = [t.drug.id for t in self.tracks if t.switch_to is track]
        if sources and (floor == 0 or not self.within_step(track, kit.amount(floor))):
            self.warn(
                "start-kept-for-switch",
                "caution",
                f"{shown} of {track.drug.id} cannot be made from the formulary's tablets as "
                f"fixed doses within one step of {self.allowed_text(track)}; the plan keeps it "
                f"as taken now until the switch from {sources[0]} gives it fixed doses.",
                track.drug.id,
                target=sources[0],
            )
            track.loose = tidy(reported)
            return None
        if floor == 0:
            other = self.start_elsewhere(track, Decimal(0))
            if other is not None:
                return other
            if track.switch_to is None and self.first_cut_option(track) is not None:
                # Another formulation makes smaller doses, though none within one step:
                # the cut to it is the first reduction, not a stop from the dose taken.
                self.start_with_cut(track)
                return None
            self.warn(
                "below-smallest-dose",
                "caution",
                f"{shown} of {track.drug.id} is less than the smallest dose the "
                f"formulary's tablets make ({format_amount(kit.amount(kit.smallest))} "
                f"{track.unit}); the plan keeps it as taken now and stops it at its turn. "
                "An oral solution or a smaller strength would allow a gradual stop.",
                track.drug.id,
            )
            track.loose = tidy(reported)
            return None
        made = kit.amount(floor)
        if made == reported:
            # Made after all, at the dose times of another product (tramadol 150 mg: three
            # immediate-release 50 mg, the depot cannot give it twice a day; its own Note says
            # so): nothing is rounded (clinician review 14, D1).
            return floor
        if self.within_step(track, made):
            self.warn(
                "start-dose-rounded",
                "caution",
                f"{shown} of {track.drug.id} cannot be made from the formulary's tablets "
                f"as fixed doses; the plan starts from {format_amount(made)} {track.unit}.",
                track.drug.id,
                reported=format_amount(reported),
                made=format_amount(made),
            )
            return floor
        other = self.start_elsewhere(track, made)
        if other is not None:
            return other
        if track.switch_to is not None:
            self.warn(
                "start-kept-for-switch",
                "caution",
                f"{shown} of {track.drug.id} cannot be made from the formulary's tablets as "
                f"fixed doses without a larger cut than {self.allowed_text(track)} allows "
                f"(to {format_amount(made)} {track.unit}); the plan keeps it as taken now "
                f"until {track.switch_to.drug.id} replaces it.",
                track.drug.id,
                target=track.switch_to.drug.id,
            )
            track.loose = tidy(reported)
            return None
        self.start_with_cut(track)
        return None

    def start_with_cut(self, track: Track) -> None:
        """Keep the reported dose as taken now through evening out and make the cut to the
        nearest dose the products make the plan's first reduction, with a high warning."""
        assert track.reported is not None
        reported = track.reported
        shown = f"{format_amount(reported)} {track.unit}"
        first = self.first_cut_quanta(track)
        made = track.kit.amount(first)
        hint = self.hint(track, formulation_note=True)
        through = "" if self.options.replan else " through evening out"  # a replan has none
        self.warn(
            "start-dose-cut",
            "high",
            f"{shown} of {track.drug.id} cannot be made from the formulary's products as "
            f"fixed doses; the nearest dose they make, {format_amount(made)} {track.unit}, "
            f"is {percent_less(reported, made)} % less, a larger cut than "
            f"{self.allowed_text(track)} allows in one step. The plan keeps the dose as taken "
            f"now{through} and makes the cut its first reduction, held as any larger cut is; "
            f"{hint}.",
            track.drug.id,
            reported=format_amount(reported),
            made=format_amount(made),
        )
        track.loose = tidy(reported)
        track.first_cut = first

    def within_step(self, track: Track, made: Decimal) -> bool:
        """Whether starting from `made` cuts the reported dose by no more than one step."""
        assert track.reported is not None
        assert track.pace is not None
        current = Fraction(track.reported)
        base = current if track.original is None else Fraction(track.original)
        floors = NO_FLOORS
        # A chosen --percent bounds every cut; a drug to be switched away is never tapered
        # by its own smallest steps (in its unit through the table, any size), only the share.
        if track.pace.chosen_percent is None and track.switch_to is None:
            floors = self.rule_floors(track)
        return current - Fraction(made) <= largest_cut(track.pace, current, base, floors)

    def first_cut_quanta(self, track: Track) -> int:
        """The largest dose below the reported one, within the ceiling of any step, that the
        drug's products make as a taper step (at every dose time the drug must keep, a depot
        opioid at least twice a day, and at most two strengths a time), on its own kit or,
        where that makes a larger one, another formulation (`track` then uses it). Refused
        when there is none."""
        best = self.first_cut_option(track)
        if best is None:
            kit = track.kit
            assert track.reported is not None
            reported = Fraction(track.reported)
            made = kit.amount(kit.floor_makeable(kit.quanta_floor(reported), len(track.times)))
            if (track.reported - made) * 100 > track.reported * CEILING:
                self.refuse_start(track, made)
            raise TaperError(
                f"{format_amount(track.reported)} {track.unit} of {track.drug.id} cannot be "
                f"made as fixed doses from the formulary of rule file {self.g.id}, and no "
                f"smaller dose within one taper step can be given as {describe(kit)} "
                f"{track.min_used} times a day; the prescriber would need immediate-release "
                f"{track.drug.id} tablets or an oral solution."
            )
        kit, names, quanta = best
        if kit is not track.kit:
            track.kit = kit
            track.times = names
        return quanta

    def first_cut_option(self, track: Track) -> tuple[Kit, tuple[DoseTimeName, ...], int] | None:
        """The kit, dose times and quanta of `first_cut_quanta`'s dose; None when there is
        none."""
        assert track.reported is not None
        reported = Fraction(track.reported)
        options = [(track.kit, track.times, track.min_used)]
        for other, count in self.other_formulations(track):
            options.append((other, time_names(count, bedtime=False, patch=False), 1))
        best: tuple[Kit, tuple[DoseTimeName, ...], int] | None = None
        for kit, names, least in options:
            top = kit.quanta_floor(reported)
            bottom = max(kit.quanta_ceil(reported * (100 - Fraction(CEILING)) / 100), 1)
            found = next(
                (
                    q
                    for q in range(top, bottom - 1, -1)
                    if kit.makeable(q, len(names), least)
                    and self.cut_vector(track, kit, names, q, least) is not None
                ),
                0,
            )
            if found and (best is None or kit.amount(found) > best[0].amount(best[2])):
                best = (kit, names, found)
        return best

    def other_formulations(self, track: Track) -> list[tuple[Kit, int]]:
        """The drug's other formulations (`formulation_changes`) whose label allows the
        reported daily dose, each with its dose times: the track's, or more where the label
        needs them (`regimen_times`)."""
        assert track.reported is not None
        reported = track.reported
        times = len(track.times)
        return [
            (other, max(times, regimen_times(other, times, reported)))
            for other in formulation_changes(self.g, self.loaded.sha256, track.kit)
            if (cap := day_cap(other)) is None or reported <= cap
        ]

    def cut_vector(
        self, track: Track, kit: Kit, names: tuple[DoseTimeName, ...], quanta: int, least: int
    ) -> tuple[int, ...] | None:
        """The doses at each time of a first reduction to `quanta` as any taper step gives
        them (`next_vector`: at most two strengths a time, the rule's drop order); None if
        the kit cannot."""
        most = min(quanta, kit.most_per_time)
        drop = drop_ranks(track.rule, names)
        return next_vector(kit, (most,) * len(names), quanta, least, drop)

    def start_elsewhere(self, track: Track, made: Decimal) -> int | None:
        """Start on another formulation of the drug that makes the reported dose (else a
        dose within one step of it), rather than cutting more than a step: the quanta on the
        new kit, which `track` now uses; None if none does."""
        assert track.reported is not None
        reported = track.reported
        best: tuple[Kit, int, int] | None = None  # kit, dose times, quanta
        for other, count in self.other_formulations(track):
            exact = other.quanta(reported)
            if exact is not None and other.makeable(exact, count):
                best = (other, count, exact)
                break
            floor = other.floor_makeable(other.quanta_floor(Fraction(reported)), count)
            higher = best is None or other.amount(floor) > best[0].amount(best[2])
            if floor and higher and self.within_step(track, other.amount(floor)):
                best = (other, count, floor)
        if best is None:
            return None
        other, count, quanta = best
        shown = f"{format_amount(reported)} {track.unit}"
        start = other.amount(quanta)
        why = (
            f"{describe(track.kit)} can make no more than {format_amount(made)} {track.unit} of "
            f"it as fixed doses, a larger cut than {self.allowed_text(track)} allows in one step"
        )
        if made == 0:
            smallest = track.kit.amount(track.kit.smallest)
            why = (
                f"it is less than the smallest dose {describe(track.kit)} makes "
                f"({format_amount(smallest)} {track.unit})"
            )
        starts = (
            ""
            if start == reported
            else f" The plan starts from {format_amount(start)} {track.unit} on it."
        )
        self.warn(
            "formulation-change",
            "caution",
            f"{shown} of {track.drug.id} is given as {describe(other)}: {why}.{starts}",
            track.drug.id,
        )
        track.kit = other
        if count != len(track.times):
            track.times = time_names(count, bedtime=False, patch=False)
        return quanta

    def refuse_start(self, track: Track, made: Decimal) -> None:
        """Refuse a first cut larger than any taper step may be, naming what would make the
        dose."""
        assert track.reported is not None
        kit = track.kit
        drug = track.drug.id
        if kit.patch:
            need = f"{drug} patches that make {format_amount(track.reported)} {track.unit}"
        elif kit.sublingual:
            need = (
                f"a sublingual {drug} strength that makes {format_amount(track.reported)} "
                f"{track.unit} with at most {kit.max_units} {kit.pieces_noun}"
            )
        elif kit.modified_release:
            need = f"immediate-release {drug} tablets or an oral solution"
        else:
            need = f"a smaller strength or an oral solution of {drug}"
        sw = track.rule.switch
        if sw.policy != "never" and sw.target and sw.target != drug:
            need += f", or a switch to {sw.target} (--switch)"
        raise TaperError(
            f"{format_amount(track.reported)} {track.unit} of {drug} cannot be made as fixed "
            f"doses from the formulary of rule file {self.g.id}: the nearest dose it makes, "
            f"{format_amount(made)} {track.unit}, is {percent_less(track.reported, made)} % "
            f"less, more than any taper step may cut ({format_amount(CEILING)} %); the "
            f"prescriber would need {need}."
        )

    def first_cut(self, track: Track, p: Pace, base: Fraction) -> TaperStep | None:
        """The plan's first reduction when evening out could not make the reported dose
        within one step (`even_out`): from the dose as taken now to the kit's dose, held
        before like any cut the tablets force. Clears the mark; None when there is none."""
        quanta = track.first_cut
        if quanta is None or track.loose is None:
            return None
        track.first_cut = None
        kit: Kit = track.kit
        current = Fraction(track.loose)
        # Bounded as every other step is (`trajectory`, `largest_cut`): the rule's absolute
        # slow-down threshold and its smallest step count here too.
        floors = NO_FLOORS if p.chosen_percent is not None else self.rule_floors(track)
        slow_from = floors.slow_from if floors.slow_from is not None else slow_start(p, base)
        ideal, _, interval = step_aim(p, current, base, slow_from)
        allowed = largest_cut(p, current, base, floors)
        dose = kit.amount(quanta)
        if slow_from is not None and dose < slow_from and p.slow_interval_days is not None:
            interval = p.slow_interval_days
        interval = whole_patch_days(kit, interval)
        wanted = math.ceil((current - Fraction(dose)) / allowed) - 1 if allowed > 0 else 0
        hold = capped_hold(wanted, interval, p, kit)
        check_hold(track.drug.id, hold * interval)
        ideal_dec = to_decimal(max(ideal, Fraction(0)))
        vector = self.cut_vector(track, kit, track.times, quanta, track.min_used)
        assert vector is not None  # `first_cut_quanta` chose a dose it makes
        return TaperStep(
            quanta,
            ideal_dec,
            tidy(dose - ideal_dec),
            True,
            interval,
            hold * interval,
            vector,
            hold < wanted,
        )
