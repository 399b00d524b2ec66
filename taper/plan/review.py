"""Reviewing a built plan: warnings on its steps (forced large cuts, stops, duration), what
the formulary has instead (`hint`), dispensing quantities, provenance and applied rules.
"""

from __future__ import annotations

import itertools
import math
from decimal import Decimal
from fractions import Fraction
from typing import Literal

from taper.dose import format_amount
from taper.plan import substitute
from taper.plan.calendar import Placed
from taper.plan.curve import slow_start
from taper.plan.cut_lists import CutListsMixin, agree, steps_of
from taper.plan.decimals import to_decimal
from taper.plan.fast import constructor, copy_with, trusted
from taper.plan.formulary import kit_for, oral_solutions, smaller_products
from taper.plan.holds import (
    DEFAULT_HOLD_INTERVALS,
    hold_intervals,
    longest_run_days,
    stops_without_hold,
)
from taper.plan.labels import least_regimen_times
from taper.plan.model import (
    AppliedRule,
    Dispense,
    DoseAtTime,
    GuidelineStamp,
    MedicationLine,
    Plan,
    Step,
)
from taper.plan.patches import patches_put_on
from taper.plan.regimen import in_reference, stop_too_high
from taper.plan.step_floors import NO_FLOORS, StepFloors, step_floors
from taper.plan.tablets import Kit
from taper.plan.tracks import BEDTIME_GROUPS, Seg, Track

_Daily = tuple[str, Decimal, Decimal, Literal["ml", "drops"] | None]
_PER_DAY: dict[int, tuple[list[DoseAtTime], list[_Daily]]] = {}


def daily_counts(doses: list[DoseAtTime]) -> list[_Daily]:
    """Tablets (ml, drops) a day of each brand and strength (dose lists are shared, so
    remember them)."""
    found = _PER_DAY.get(id(doses))
    if found is not None and found[0] is doses:
        return found[1]
    counts: dict[tuple[str, Decimal, Literal["ml", "drops"] | None], Decimal] = {}
    for dose in doses:
        for tab in dose.tablets:
            measure: Literal["ml", "drops"] | None = None
            if tab.liquid is not None:
                measure = "drops" if tab.liquid.device == "dropper" else "ml"
            key = (tab.brand, tab.strength, measure)
            counts[key] = counts.get(key, Decimal(0)) + tab.count
    result = [(b, strength, count, measure) for (b, strength, measure), count in counts.items()]
    if len(_PER_DAY) > 50_000:
        _PER_DAY.clear()
    _PER_DAY[id(doses)] = (doses, result)  # keeps `doses` alive, so its id stays its own
    return result


_step = constructor(Step)
_stamp = constructor(GuidelineStamp)
_medication_line = constructor(MedicationLine)
_dispense = constructor(Dispense)
_plan = constructor(Plan)
_copy_with = copy_with

__all__ = ["DEFAULT_HOLD_INTERVALS", "ReviewMixin"]


class ReviewMixin(CutListsMixin):
    def warn_once_a_day(self, track: Track) -> None:
        """A depot opioid dose too small for each of its dose times: given once a day (as
        taken), visibly, with what the formulary has instead (a prescriber's choice)."""
        kit = track.kit
        brand = kit.products[0].brand
        hint = self.hint(track)
        self.warn(
            "modified-release-once-a-day",
            "high",
            f"{format_amount(track.amount)} {track.unit} of {track.drug.id} is less than "
            f"{brand} (modified release) can give as {track.min_used} doses a day, so the plan "
            "gives it once a day, which can leave part of the day uncovered, and stops it from "
            f"there; {hint}. Whether to stop from here or change formulation is a "
            "prescriber's decision.",
            track.drug.id,
            dose=format_amount(track.amount),
            product=brand,
        )

    def hint(self, track: Track, *, formulation_note: bool = False, kit: Kit | None = None) -> str:
        """What the formulary has that would allow smaller steps than the plan's products
        (`kit`: than these; `formulation_note`: say that changing to another formulation is a
        prescriber's decision, when that is what the hint names)."""
        kit = track.kit if kit is None else kit
        liquid = kit.liquid
        if liquid is not None:
            brand = kit.products[0].brand
            if self.measure_limits(track):
                return (
                    f"measuring {brand} finer than "
                    f"{format_amount(liquid.smallest_ml)} ml would allow smaller steps"
                )
            # Clinician review R24/R25: a cut larger than one measure was not forced by the
            # measure but by a whole dose time dropped at once.
            return f"giving {brand} at fewer dose times would allow smaller steps"
        solutions = oral_solutions(self.g, track.drug.id)
        if solutions:
            return f"an oral solution ({', '.join(solutions)}) would allow smaller steps"
        others = smaller_products(self.g, kit)
        if others:
            product, piece = others[0]
            kind = "modified release" if product.modified_release else "immediate release"
            note = ". Changing formulation is a prescriber's decision" if formulation_note else ""
            return (
                f"the formulary's {product.brand} {format_amount(piece)} {track.unit} ({kind}) "
                f"would allow smaller steps{note}"
            )
        # Clinician review 3: name what is missing rather than suggest a product that is not
        # in the formulary.
        if track.kit.patch:
            # Clinician review 6, D1: name what would avoid a long hold on a patch; no rule
            # file plans a change of opioid (cross-tolerance is incomplete).
            return (
                f"the formulary has no smaller {track.drug.id} patch, and a change to an oral "
                "opioid (a prescriber's decision: cross-tolerance between opioids is "
                "incomplete) would allow smaller steps"
            )
        return (
            f"the formulary has no oral solution or smaller strength of {track.drug.id} "
            "that would allow smaller steps"
        )

    def switch_allows_smaller(self, track: Track) -> bool:
        """Whether the rule's switch target's smallest piece is a smaller step than the
        track's, both in the class's reference drug (clinician review 8: se-vgr oxazepam was
        told a switch to diazepam allows smaller steps, while its 2 mg tablets, the
        equivalent of 6 mg oxazepam, step more coarsely than oxazepam's 2.5 mg halves)."""
        target = track.rule.switch.target
        if target is None:
            return True
        kit = kit_for(self.g, self.loaded.sha256, target, "mg", None)
        drug = next((d for d in self.g.drugs if d.id == target), None)
        if kit is None or drug is None:
            return True
        own = in_reference(
            self.g,
            track.drug,
            track.kit.unit,
            track.kit.route,
            track.kit.amount(track.kit.smallest),
        )
        theirs = in_reference(self.g, drug, kit.unit, kit.route, kit.amount(kit.smallest))
        return own is None or theirs is None or theirs < own

    @staticmethod
    def measure_limits(track: Track) -> bool:
        """Whether each cut of an oral solution larger than the rule allows is one measure
        (`smallest_ml`) of it, so that only a finer measure would make it smaller."""
        measure = track.kit.amount(1)
        cuts = [
            before.amount - seg.amount
            for before, seg in itertools.pairwise(track.segs)
            if seg.tablet_limited and not seg.kept_tablets and _on_solution(before)
        ]
        return all(cut <= measure for cut in cuts)

    def step_warnings(self, index_of: dict[int, int]) -> None:
        for track in self.tracks:
            self.warn_beyond_step(track, index_of)
            self.warn_above_share(track, index_of)
            self.warn_fewer_times(track, index_of)
            self.warn_stop_instead_of_tail(track, index_of)
            limited = [s for s in track.segs if s.tablet_limited]
            self.warn_kept(track, [s for s in limited if s.kept_tablets], index_of)
            limited = [s for s in limited if not s.kept_tablets]
            cuts = [s for s in limited if s.amount > 0]
            stops = [s for s in limited if s.amount == 0]
            if not cuts and not stops:
                self.check_holds(track, index_of)
                self.check_duration(track)
                continue
            hint = self.hint(track, formulation_note=True)
            held = (
                f" The dose before each such cut is held {track.held_days} days longer in "
                "all, so the average rate stays within the allowed speed."
                if track.held_days and not track.capped_cuts
                else ""
            )
            if track.capped_cuts and track.pace is not None:
                longest = longest_run_days(track.pace, track.kit)
                held = (
                    f" The dose before such a cut is held at most {longest} "
                    f"days ({hold_intervals(track.pace)} intervals, the longest run at one dose "
                    f"rule {track.rule.id} allows): a longer hold would not make the cut "
                    "smaller, so the cut is larger than the rule's step."
                )
            if (
                track.rule.switch.policy == "optional"
                and substitute.switches(track.drug, track.rule)
                and track.switch_to is None
                and not track.sources
                and self.switch_allows_smaller(track)
            ):
                # Clinician review R17: an anxiolytic's steep end makes the switch the
                # recommended option; a sleeping drug's switch stays a mere offer.
                recommended = (
                    ": the recommended option here"
                    if track.drug.group not in BEDTIME_GROUPS
                    else ""
                )
                held += (
                    f" Rule {track.rule.id} offers a switch to {track.rule.switch.target} "
                    f"(--switch), which allows smaller steps{recommended}."
                )
            kit = track.kit
            if kit.patch and kit.max_units == 1:
                why = "the formulary's patch strengths cannot make a smaller step with one patch"
            elif kit.patch:
                why = (
                    "the formulary's patch strengths cannot make a smaller step with at most "
                    f"{kit.max_units} patches at once"
                )
            elif kit.sublingual:
                why = (
                    "the formulary's strengths cannot make a smaller step with at most "
                    f"{kit.max_units} sublingual tablets at one time"
                )
            else:
                why = "the formulary's strengths cannot make a smaller step"
            if cuts:
                numbers = ", ".join(str(index_of[id(s)]) for s in cuts)
                self.warn(
                    "tablet-limited",
                    "high",
                    f"{steps_of(len(cuts), track.drug.id, numbers)} cut more than "
                    f"{self.allowed_text(track)} allows, because {why}; {hint}.{held}",
                    track.drug.id,
                    steps=numbers,
                )
            if stops:
                before = self.dose_before(track, stops[0])
                # A patch or an opioid stopped from the rule's stop dose stops as the rule
                # allows (clinician review 7: "Important" for a stop from fentanyl 12 mcg/h;
                # review 9, D7); a reported rate no patch makes, stopped at once, stays high.
                made = kit.quanta(before)
                large = self.large_stop(track, before) and not (
                    stops_without_hold(kit, track.drug.drug_class)
                    and made is not None
                    and kit.makeable(made, len(track.times), track.min_used)
                    and track.rule.stop_dose is not None
                    and stop_too_high(self.g, track.rule, track.drug, kit.unit, kit.route, before)
                    is None
                )
                smallest = "the smallest dose the formulary's strengths make at this stage"
                once = (
                    track.min_used > 1
                    and not any(
                        w.code == "modified-release-once-a-day" and w.drug == track.drug.id
                        for w in self.warnings
                    )
                    and (held_at := kit.quanta(before)) is not None
                    and kit.makeable(held_at, len(track.times), track.min_used)
                )
                if once:
                    # The dose before the stop is the depot product's own, given at every
                    # dose time; lower doses exist only once a day, and it is not given so.
                    smallest = (
                        f"the smallest dose {kit.products[0].brand} (modified release) can give "
                        f"as {track.min_used} doses a day; it is not given once a day, which "
                        "can leave part of the day uncovered"
                    )
                    hint = self.hint(track) + (
                        ". Whether to stop from here or change formulation is a prescriber's "
                        "decision"
                    )
                self.warn(
                    "stop-from-smallest-dose",
                    "high" if large or once else "info",
                    f"{track.drug.id} stops from {format_amount(before)} {track.unit}, "
                    f"{smallest}; {hint}.{held if large and not cuts else ''}",
                    track.drug.id,
                    dose=format_amount(before),
                )
            self.check_holds(track, index_of)
            self.check_duration(track)

    def warn_fewer_times(self, track: Track, index_of: dict[int, int]) -> None:
        """Steps that give an immediate-release opioid at fewer dose times than its regimen
        (us-06 hydromorphone 2 mg once a day for 91 days, se-09 oxycodone 5 mg once a day;
        clinician reviews 3 and 4): such a product acts for a few hours (formulations.md §2:
        every 4-6 hours), so the prescriber sees it on the clinician page. Its regimen is
        `regimen_times_at_least`, the same for a combination product (clinician review 6, D6:
        co-codamol once a day had none)."""
        if track.drug.drug_class != "opioid":
            return
        fewer: list[Seg] = []
        least = 0
        first: dict[str, int] = {}  # the dose times of each product's first step
        for seg in track.segs:
            if seg.phase in ("stabilisation", "switch", "taper") and seg.amount > 0:
                for brand in {x.brand for d in seg.doses for x in d.tablets}:
                    first.setdefault(brand, len(seg.doses))
        previous: Seg | None = None
        for seg in track.segs:
            if seg.phase != "taper" or seg.amount == 0 or id(seg) not in index_of:
                continue
            # A step that holds the dose before it is no new dose to list (nurse review 7:
            # "21 May" named beside the 21 Apr dose it held).
            held = previous is not None and previous.amount == seg.amount
            previous = seg
            if held and fewer and fewer[-1].amount == seg.amount:
                continue
            pieces = [x for d in seg.doses for x in d.tablets]
            if any(x.modified_release for x in pieces):
                continue  # a solution topping up depot tablets is no regimen of its own
            products = [p for p in self.g.formulary if p.drug == track.drug.id]
            wanted = least_regimen_times(
                products, {x.brand for x in pieces}, lambda brand: first.get(brand, 0)
            )
            if wanted is not None and len(seg.doses) < wanted:
                fewer.append(seg)
                least = max(least, wanted)
        if not fewer:
            return
        numbers = ", ".join(str(index_of[id(s)]) for s in fewer)
        self.warn(
            "immediate-release-fewer-times",
            "caution",
            f"{steps_of(len(fewer), track.drug.id, numbers)} {agree(len(fewer), 'give')} the "
            f"immediate-release product fewer than {least} times a day, "
            "because the dose is too small to share among them: it acts for a few hours, so "
            "withdrawal can come between doses; whether to go on so is a prescriber's "
            "decision." + self.earlier_stop(track, fewer, index_of),
            track.drug.id,
            steps=numbers,
        )

    def large_stop(self, track: Track, before: Decimal) -> bool:
        """A stop larger than one full step from the start dose (or the slow-down share)."""
        p = track.pace
        if p is None or track.base is None:
            return False
        top = p.max_percent if p.slow_below is None else max(p.max_percent, p.slow_below)
        return Fraction(before) > Fraction(track.base) * top / 100

    def check_holds(self, track: Track, index_of: dict[int, int]) -> None:
        """A hold is the last resort: a run at one dose longer than the rule's limit (three
        intervals by default) gets a high warning naming what would avoid it."""
        p = track.pace
        if p is None or track.taper_start is None:
            return
        setting = track.rule.max_hold_intervals
        intervals = hold_intervals(p)
        limit = longest_run_days(p, track.kit)
        runs: list[tuple[int, Decimal, list[Seg]]] = []
        for seg in track.segs:
            if seg.phase != "taper" or seg.days is None or seg.amount == 0:
                continue
            last = runs[-1] if runs else None
            if (
                last is not None
                and last[1] == seg.amount
                and last[2][-1].start + (last[2][-1].days or 0) == seg.start
            ):
                runs[-1] = (last[0] + seg.days, last[1], [*last[2], seg])
            else:
                runs.append((seg.days, seg.amount, [seg]))
        # A prescriber's pause is not a hold the formulary forces, but it does not hide one:
        # the days at the dose besides the pause still count (clinician review 14, D3: a
        # pause on a 45-day fentanyl hold removed its warning).
        long = [run for run in runs if sum(s.days or 0 for s in run[2] if not s.pause) > limit]
        if not long:
            return
        if setting is not None:
            self.used(f"rule {track.rule.id} max_hold_intervals", setting)
        # Each long run is named (clinician review 7: only the longest was, while a patch
        # taper holds each strength for months).
        for days, amount, segs in long:
            steps = ", ".join(str(index_of[id(s)]) for s in segs if id(s) in index_of)
            self.warn(
                "hold-too-long",
                "high",
                f"{track.drug.id} stays at {format_amount(amount)} {track.unit} for {days} "
                f"days (step {steps}), longer than the {limit} days ({intervals} intervals) "
                f"rule {track.rule.id} allows at one dose, because the formulary cannot make "
                f"a smaller step; {self.hint(track)}.",
                track.drug.id,
                dose=format_amount(amount),
                days=str(days),
                limit=str(limit),
            )

    def check_duration(self, track: Track) -> None:
        """Over the rule's maximum duration: a high warning with the reason (issue 15 item 7;
        clinician review 2, se-10's 245 days against 180 got only a Caution)."""
        if track.taper_start is None or track.stop_day is None or track.pace is None:
            return
        limit = track.rule.max_duration_days.value
        length = track.stop_day - track.taper_start
        if length <= limit:
            return
        reasons = " ".join(self.duration_reasons(track))
        self.warn(
            "max-duration-exceeded",
            "high",
            f"The taper of {track.drug.id} takes {length} days, longer than the {limit} "
            f"days rule {track.rule.id} gives as its maximum. {reasons} The speed was not "
            "changed: a faster speed or an earlier stop is the prescriber's decision; review "
            "the plan with the patient.",
            track.drug.id,
            days=str(length),
            limit=str(limit),
        )

    def duration_reasons(self, track: Track) -> list[str]:
        """Why a taper takes as long as it does: the days at the rule's slower end pace, the
        holds before cuts the products force, pauses; else the rule's own pace."""
        p = track.pace
        assert p is not None
        slow_from = self.rule_floors(track).slow_from
        if slow_from is None and track.base is not None:
            slow_from = slow_start(p, Fraction(track.base))
        tapering = [
            s
            for s in track.segs
            if s.phase == "taper" and s.days is not None and s.amount > 0 and not s.pause
        ]
        out = []
        if slow_from is not None:
            slow = sum(s.days or 0 for s in tapering if Fraction(s.amount) < slow_from)
            if slow:
                out.append(
                    f"{slow} days of it are below {format_amount(to_decimal(slow_from))} "
                    f"{track.unit}, at the rule's slower pace for the end."
                )
        if track.held_days:
            out.append(
                f"Holds before the cuts the formulary's products force add {track.held_days} days."
            )
        paused = sum(s.days or 0 for s in track.segs if s.pause)
        if paused:
            out.append(f"Pauses add {paused} days.")
        if not out:
            out.append("The rule's own pace takes this long from this dose.")
        return out

    def dispensing(self, placed: list[Placed]) -> list[Dispense]:
        out: list[Dispense] = []
        patches = False
        # drug -> the day its first patch goes on (its change days count from it)
        first_patch: dict[str, int] = {}
        for item in placed:
            if item.step.unit == "mcg/h" and item.step.phase != "mapping" and item.step.dose > 0:
                drug = item.step.drug
                first_patch[drug] = min(first_patch.get(drug, item.offset), item.offset)
        for item in placed:
            step = item.step
            if not step.doses or step.dose == 0:
                continue
            assert item.days is not None  # only aftercare runs to a calendar end, at zero
            days = item.days
            if step.unit == "mcg/h":
                first = first_patch.get(step.drug, item.offset)
                counted = self.patches_to_dispense(step, first, item.offset, days)
                if counted is None:
                    patches = True
                else:
                    out.extend(counted)
                continue
            for brand, strength, count, measure in daily_counts(step.doses):
                out.append(
                    _dispense(
                        step=step.index,
                        drug=step.drug,
                        brand=brand,
                        strength=strength,
                        unit=step.unit,
                        tablets=Decimal(math.ceil(count * days)),
                        measure=measure,
                    )
                )
        if patches:
            self.warn(
                "patch-dispensing",
                "info",
                "Patch quantities are not counted: they depend on how many days each patch is "
                "worn; prescribe them per step from the schedule.",
            )
        return out

    def patches_to_dispense(
        self, step: Step, first: int, offset: int, days: int
    ) -> list[Dispense] | None:
        """Patches a step needs: each worn for its label's interval, so a step of `days` from
        day `offset` needs a patch on each change day in it, counted from the first patch on
        day `first` (None: a patch without an interval)."""
        out: list[Dispense] = []
        for brand, strength, count, _ in daily_counts(step.doses):
            product = next(
                (p for p in self.g.formulary if p.drug == step.drug and p.brand == brand), None
            )
            hours = (
                None
                if product is None or product.regimen is None
                else product.regimen.interval_hours
            )
            if not hours:
                return None
            out.append(
                _dispense(
                    step=step.index,
                    drug=step.drug,
                    brand=brand,
                    strength=strength,
                    unit=step.unit,
                    tablets=Decimal(patches_put_on(first, offset, days, hours)) * count,
                    measure=None,
                )
            )
        return out

    def formulary_provenance(self) -> None:
        brands: set[tuple[str, str]] = set()
        for t in self.tracks:
            # Steps share dose lists (holds, kit caches): look at each list once.
            lists = {id(s.doses): s.doses for s in t.segs}
            brands.update(
                (t.drug.id, tab.brand) for ds in lists.values() for d in ds for tab in d.tablets
            )
        for product in self.g.formulary:
            if (product.drug, product.brand) in brands:
                self.used(f"formulary {product.brand}", product)

    def rule_floors(self, track: Track) -> StepFloors:
        """The rule's smallest steps and absolute slow-down threshold in the unit and route of
        the drug's kit (nothing noted as used: `FormulationMixin.floors` notes them)."""
        kit = track.kit
        return step_floors(self.g, self.loaded.sha256, track.rule, track.drug, kit.unit, kit.route)

    def applied(self, track: Track) -> AppliedRule:
        p = track.pace
        assert p is not None
        assert track.base is not None
        floors = self.rule_floors(track)
        if p.chosen_percent is not None:
            floors = NO_FLOORS  # the chosen speed bounds every cut (taper.plan.curve)
        return trusted(
            AppliedRule,
            rule=track.rule.id,
            title=track.rule.title,
            drug=track.drug.id,
            mode=p.mode,
            percent=to_decimal(p.percent),
            interval_days=p.interval_days,
            slow_below_percent_of_start=None if p.slow_below is None else to_decimal(p.slow_below),
            slow_percent=None if p.slow_percent is None else to_decimal(p.slow_percent),
            slow_interval_days=p.slow_interval_days,
            min_step=_decimal(floors.min_step),
            slow_min_step=_decimal(floors.slow_min_step),
            slow_below_amount=_decimal(floors.slow_from),
            doses_per_day=len(track.times),
            base=track.base,
            unit=track.unit,
            switched_from=list(track.sources),
        )


def _decimal(value: Fraction | None) -> Decimal | None:
    return None if value is None else to_decimal(value)


def _on_solution(seg: Seg) -> bool:
    return any(t.liquid for d in seg.doses for t in d.tablets)
