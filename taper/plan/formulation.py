"""Regimens and formulations during a taper: label limits, the depot-to-immediate-release
tail, and the stop dose.

- `fit_regimen`: a drug's dose times follow its products' labels (a 12-hourly depot tablet
  twice a day, never once; a combination tablet at most as many a dose as its label allows,
  so 180 mg codeine as Citodon is 3 doses of 2, not 2 doses of 3);
- `check_day_cap`: a daily dose beyond a label's units or amount a day moves to the
  immediate-release tablets where their label allows it, else is refused;
- `start_formulation`: a depot dose the depot tablets cannot give at their interval starts on
  the immediate-release tablets of the same drug;
- `taper_plan`: the reductions of one drug, changing from depot to immediate-release tablets
  (on a step that cuts the dose, its reason on it) where the depot tablets cannot make the
  rule's next step (a hold before a larger cut is no substitute for it);
- `check_stop`: the last step to zero starts from the rule's stop dose or below, or the
  plan is refused naming the product the prescriber would need.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from fractions import Fraction

from taper.dose import format_amount
from taper.errors import TaperError
from taper.plan.curve import TaperStep, trajectory
from taper.plan.decimals import to_decimal
from taper.plan.dosetimes import usable
from taper.plan.drop_order import clock_drop_ranks, drop_ranks
from taper.plan.labels import formulation, interval_doses, unit_caps
from taper.plan.model import DoseTimeName
from taper.plan.regimen import (
    day_cap,
    fewer_than_label,
    formulation_changes,
    immediate_kit,
    label_counts,
    labelled_times,
    regimen_times,
    spread_by_label,
    stop_too_high,
)
from taper.plan.rules import Pace
from taper.plan.state import BuilderBase
from taper.plan.step_floors import NO_FLOORS, StepFloors, step_floors
from taper.plan.stop_end import EndedBy, fewer_than_regimen, stop_here, stops_instead_of_tail
from taper.plan.tablets import Kit
from taper.plan.topup import TopUpKit
from taper.plan.tracks import BEDTIME_GROUPS, Track, time_names

# A tablet step whose dose lies within this share of the rule's step from its ideal is one
# the tablets can make: the taper stays on them rather than change to an oral solution for it
# (liquids only for the steps tablets cannot make; project choice: tramadol 400 -> 350 mg on
# 50 mg tablets, where the rule's 10 % gives 360 mg, is such a step).
TABLET_STEP_TOLERANCE = Fraction(1, 2)


@dataclass(frozen=True)
class KitStep:
    """One reduction of a drug and the kit (products) it is made from; `change`: the reason
    this step starts on another formulation (the step also cuts the dose); `kept`: a tablet
    step larger than the rule's, within `TABLET_STEP_TOLERANCE`, kept on the tablets instead
    of an oral solution; `ended`: this stop replaces the tail it names."""

    step: TaperStep
    kit: Kit
    times: int
    change: str | None = None
    kept: bool = False
    # A stop at the rule's stop dose instead of this tail (`taper.plan.stop_end`).
    ended: EndedBy | None = None


def _brands(kit: Kit) -> str:
    return " / ".join(dict.fromkeys(p.brand for p in kit.products))


def describe(kit: Kit) -> str:
    """The kit's products as a prescriber reads them: brand and release, or a liquid's
    brand, concentration and measuring device."""
    if isinstance(kit, TopUpKit):
        return f"{describe(kit.depot)} topped up with {describe(kit.solution)}"
    liquid = kit.liquid
    if liquid is not None:
        device = "a dropper" if liquid.device == "dropper" else "an oral syringe"
        return (
            f"{_brands(kit)} {format_amount(liquid.mg_per_ml)} mg/ml (oral solution, "
            f"measured with {device})"
        )
    release = "modified release" if kit.modified_release else "immediate release"
    return f"{_brands(kit)} ({release})"


def _kind(kit: Kit) -> str:
    """What the kit is made of, for "... cannot make this step"."""
    if kit.modified_release or isinstance(kit, TopUpKit):
        return "the depot tablets"
    if all(p.form == "capsule" for p in kit.products):
        return "the capsules"
    return "the tablets"


def _change_note(old: Kit, new: Kit) -> str:
    """The note on the first step on `new` products instead of `old` ones."""
    return (
        f"from here {describe(new)} instead of {describe(old)}: "
        f"{_kind(old)} cannot make the next step"
    )


def within_tolerance(kit: Kit, current: int, step: TaperStep) -> bool:
    """Whether a cut from `current` quanta to the step's dose lies within
    `TABLET_STEP_TOLERANCE` of the rule's step from its ideal (never a stop)."""
    if not step.quanta:
        return False
    before = Fraction(kit.amount(current))
    wanted = before - Fraction(step.ideal)
    made = before - Fraction(kit.amount(step.quanta))
    return wanted > 0 and made <= wanted * (1 + TABLET_STEP_TOLERANCE)


def _same_doses(kit: Kit, other: Kit, vector: tuple[int, ...]) -> tuple[int, ...] | None:
    """The dose at each time of `vector` (quanta of `kit`) in quanta of `other`, when it
    gives every one of them exactly: the new products start from the same doses, so no dose
    time rises at the change (None otherwise)."""
    if not vector:
        return None
    out = []
    for q in vector:
        there = other.quanta(kit.amount(q)) if q else 0
        if there is None or (there and not other.per_time_makeable(there)):
            return None
        out.append(there)
    return tuple(out)


def _formulations(item: KitStep) -> frozenset[str]:
    """The formulations (`labels.formulation`) a step's doses are made of."""
    kit, step = item.kit, item.step
    vector = step.per_time
    if not vector and step.quanta:
        split = kit.split(step.quanta, item.times)
        vector = () if split is None else split.amounts
    brands = {t.brand for q in vector if q for t in kit.tablets(q)}
    return frozenset(formulation(p) for p in kit.products if p.brand in brands)


def _topped(kit: TopUpKit, item: KitStep) -> bool:
    """Whether a step on depot tablets topped up with a solution gives any solution."""
    return any(kit.parts(q) != (q, 0) for q in item.step.per_time if q)


def restarts(steps: Sequence[KitStep]) -> bool:
    """Whether a formulation stops in `steps` and is taken again later (clinician review 6,
    D4: a product, once stopped during a drug's taper, never returns)."""
    stopped: set[str] = set()
    before: frozenset[str] = frozenset()
    for item in steps:
        if not item.step.quanta:
            continue
        now = _formulations(item)
        if now & stopped:
            return True
        stopped |= before - now
        before = now
    return False


# Stop doses in a kit's quanta, by rule file, rule, drug, kit and start (many patients share
# them; the search converts a dose to the reference drug a dozen times).
_STOP_QUANTA: dict[tuple[object, ...], int] = {}


class FormulationMixin(BuilderBase):
    def fit_regimen(self, track: Track) -> None:
        """Dose times within the products' labels (see module docstring)."""
        assert track.reported is not None
        kit = track.kit
        count = regimen_times(kit, len(track.times), track.reported)
        if count == len(track.times):
            return
        bedtime = track.drug.group in BEDTIME_GROUPS and count == 1
        track.times = time_names(count, bedtime=bedtime, patch=kit.patch)
        drug, after = track.drug.id, ""
        if kit.modified_release:
            why = f"{_brands(kit)} (modified release) is given at its label's interval"
        elif fewer_than_label(kit, count):
            # Not "taken so by its label" (Sobril's 3-4 a day; clinician review 13, D4).
            labelled = "–".join(dict.fromkeys(map(str, label_counts(kit))))
            why = (
                f"the formulary's strengths of {_brands(kit)} (immediate release) cannot share "
                f"{format_amount(track.reported)} {track.unit} among more dose times, though "
                f"its label gives {labelled} times a day"
            )
            if (sw := track.rule.switch).policy != "never" and sw.target not in (None, drug):
                after = f" Rule {track.rule.id} offers a switch to {sw.target} (--switch)."
        elif labelled_times(kit) and (
            unit_caps(kit.products)[0] is None or spread_by_label(kit, count, track.reported)
        ):
            why = f"{_brands(kit)} (immediate release) is taken so by its label"
        else:
            why = f"{_brands(kit)} allows at most {kit.max_units} tablets at one time"
        self.warn(
            "dose-times-from-label",
            "info",
            f"{drug} is given {'once' if count == 1 else f'{count} times'} a day: {why} (rule "
            f"{track.rule.id} says {track.rule.doses_per_day}).{after}",
            drug,
            count=str(count),
        )

    def check_day_cap(self, track: Track) -> None:
        """A daily dose beyond a label's maximum a day: given on the drug's immediate-release
        tablets where their label allows it (a visible formulation change), else refused."""
        assert track.reported is not None
        cap = day_cap(track.kit)
        if cap is None or track.reported <= cap:
            return
        kit = track.kit
        other = immediate_kit(self.g, self.loaded.sha256, kit) if kit.modified_release else None
        if other is not None:
            other_cap = day_cap(other)
            there = other.quanta(track.reported)
            if (other_cap is None or track.reported <= other_cap) and there is not None:
                self.warn(
                    "formulation-change",
                    "info",
                    f"{format_amount(track.reported)} {track.unit} of {track.drug.id} is given "
                    f"as {_brands(other)} (immediate release): it is more than {_brands(kit)} "
                    f"(modified release) allows ({format_amount(cap)} {track.unit} a day by its "
                    "label).",
                    track.drug.id,
                )
                track.kit = other
                self.fit_regimen(track)
                return
        need = (
            f", or the prescriber would need immediate-release {track.drug.id} tablets, which "
            f"the formulary of rule file {self.g.id} does not have"
            if kit.modified_release and other is None
            else ""
        )
        raise TaperError(
            f"{format_amount(track.reported)} {track.unit} of {track.drug.id} a day is more "
            f"than {_brands(kit)} allows ({format_amount(cap)} {track.unit} a day by its "
            f"label); check the dose{need}."
        )

    def start_formulation(self, track: Track, quanta: int) -> bool:
        """Move a depot dose its tablets cannot give at their interval to the drug's
        immediate-release tablets, else its oral solution (True when it did)."""
        kit = track.kit
        if not kit.modified_release or kit.patch or kit.split(quanta, len(track.times)) is None:
            return False
        split = kit.split(quanta, len(track.times))
        if split is not None and sum(1 for q in split.amounts if q) >= track.min_used:
            return False
        amount = kit.amount(quanta)
        for other in formulation_changes(self.g, self.loaded.sha256, kit):
            there = other.quanta(amount)
            # At the other product's own doses a day (an oral solution four times a day).
            count = max(len(track.times), regimen_times(other, len(track.times), amount))
            if there is None or not other.makeable(there, count):
                continue
            self.warn(
                "formulation-change",
                "info",
                f"{format_amount(amount)} {track.unit} of {track.drug.id} is given as "
                f"{describe(other)}: {describe(kit)} cannot give it {track.min_used} times "
                "a day.",
                track.drug.id,
            )
            track.kit = other
            count = regimen_times(other, len(track.times), amount)
            if count > len(track.times):
                # Immediate-release tablets at their label's doses a day (formulations.md §2).
                track.times = time_names(count, bedtime=False, patch=False)
            track.set_split(there)
            return True
        return False

    def refuse_below_interval(self, track: Track) -> None:
        """A depot dose its tablets can give only fewer times a day than their label's
        interval, with no immediate-release tablets to give it instead: refused."""
        kit = track.kit
        if interval_doses(kit.products) is None:
            return  # no label interval in the rule file: the warning says it instead
        raise TaperError(
            f"{format_amount(track.amount)} {track.unit} of {track.drug.id} a day cannot be given "
            f"as {_brands(kit)} (modified release) {track.min_used} times a day, as its label "
            f"says; the prescriber would need immediate-release {track.drug.id} tablets or an "
            "oral solution."
        )

    def taper_plan(self, track: Track, p: Pace, base: Fraction) -> list[KitStep]:
        """The reductions of `track` from its current dose; where the kit's next step would
        cut more than the rule allows, the taper changes to another formulation that makes it
        better (a depot kit's immediate-release tablets, the drug's oral solution)."""
        vector = tuple(track.per_time.get(name, 0) for name in track.times)
        return self.steps_on(
            track, p, base, track.kit, track.times, track.quanta, track.min_used, vector
        )

    def steps_on(
        self,
        track: Track,
        p: Pace,
        base: Fraction,
        kit: Kit,
        names: tuple[DoseTimeName, ...],
        start: int,
        min_used: int,
        vector: tuple[int, ...],
    ) -> list[KitStep]:
        """The reductions on `kit` from `start` quanta (shared as `vector` over `names`),
        handing over to another formulation at the first step it makes better. An oral
        solution's taper goes on below the smallest dose of the tablets it replaced, in the
        rule's pace, to the dose the rule lets it stop from (clinician review R24/R25: a hold
        before a stop from there is no substitute for the steps the solution makes)."""
        times = len(names)
        stop = self.stop_quanta(track, kit, start)
        drop = clock_drop_ranks(kit, names)
        if drop is None:
            drop = drop_ranks(track.rule, names)
        # A chosen --percent is the prescriber's speed: no smallest step makes its cuts larger.
        floors = NO_FLOORS if p.chosen_percent is not None else self.floors(track, kit)
        steps = trajectory(
            kit, times, p, start, base, track.drug.id, min_used, vector, stop, drop, floors
        )
        others = formulation_changes(self.g, self.loaded.sha256, kit)
        early = stop is not None and stops_instead_of_tail(track.rule)
        first = sum(1 for q in vector if q)
        out: list[KitStep] = []
        current = start

        def ended(step: TaperStep, why: EndedBy) -> list[KitStep]:
            # One interval at the stop dose, then the stop (held one more where the plan
            # starts there, as `curve.trajectory` holds its own stop).
            hold = step.interval if not out and start == track.quanta else 0
            return [*out, KitStep(stop_here(step, hold), kit, times, ended=why)]

        for step in steps:
            at_stop = early and stop is not None and current <= stop
            kept = False
            if step.limited or step.mixed:
                near = step.limited and within_tolerance(kit, current, step)
                for other in others:
                    if not step.limited and other.liquid is None:
                        continue  # part tablets of two strengths: only a solution is cleaner
                    if near and other.liquid is not None:
                        kept = True  # liquids only for the steps the tablets cannot make
                        continue
                    tail = self.hand_over(track, p, base, kit, other, current, step, times, vector)
                    if tail is not None and restarts(tail):
                        # The other products would stop one of theirs and start it again
                        # lower down (se-vgr oxycodone 235 mg at 5 %: Oxycodone G.L. tablets
                        # at 20 mg, capsules at 15, then half G.L. tablets at 10): not from
                        # this dose; a later step may hand over (clinician review 6, D4).
                        tail = None
                    if tail and tail[0].ended is not None and (step.quanta or not at_stop):
                        tail = None  # the other products would only stop at once
                    if tail and at_stop:
                        # The rule stops from here rather than start another product.
                        return ended(step, "formulation")
                    if tail and tail[0].kit.liquid is not None and kit.modified_release:
                        # A hand-over that lands on the oral solution (at once, or through
                        # immediate-release tablets that cannot make the step either): the
                        # depot tablets stay the backbone and the solution only tops them up
                        # while they give part of the dose (taper.plan.topup).
                        topped = self.top_up(
                            track, p, base, kit, tail[0].kit, current, step, names, vector, tail
                        )
                        if topped is not None:
                            return out + topped
                    if tail is not None:
                        # Another product makes the step the depot tablets could make only
                        # after a hold: a hold is no substitute for it (clinician reviews 6
                        # and 8: us-cdc OxyContin 60 mg was held 60 days at each 5 mg cut
                        # where halved 5 mg immediate-release tablets cut 2.5 mg a month).
                        return out + tail
            if at_stop and fewer_than_regimen(kit, step, times, first):
                return ended(step, "fewer-times")
            if kept:
                # The tablets make this step: no hold before it (a hold is no substitute for
                # the liquid's step), its larger cut named in a warning (`kept_steps`).
                step = replace(step, hold=0, capped=False)
            out.append(KitStep(step, kit, times, kept=kept))
            current = step.quanta
            if step.per_time:
                vector = step.per_time
        return out

    def top_up(
        self,
        track: Track,
        p: Pace,
        base: Fraction,
        kit: Kit,
        liquid: Kit,
        current: int,
        step: TaperStep,
        names: tuple[DoseTimeName, ...],
        vector: tuple[int, ...],
        plain: list[KitStep],
    ) -> list[KitStep] | None:
        """The rest of the taper on the depot kit `kit` topped up with the oral solution
        `liquid` (taper.plan.topup), from the dose `current` given as `vector`, when the
        depot tablets still give part of the next step (None otherwise: the plain hand-over
        to the solution follows).

        The solution, once started, is taken at every step until the hand-over to it alone
        (`unbroken`); a top-up that would make only one step before the solution alone takes
        over is not started: the plain hand-over `plain` comes at once, one product change,
        not two in a fortnight (clinician review 6, D4: Oramorph on, off, on)."""
        if len(names) < 2:
            # A once-daily depot (US tramadol ER): a top-up of immediate-release solution once
            # a day would cover a few hours of the 24; the plain hand-over follows instead.
            return None
        both = TopUpKit(kit, liquid)
        start = both.quanta(kit.amount(current))
        own = [both.quanta(kit.amount(q)) for q in vector]
        if start is None or not vector or any(q is None for q in own):
            return None
        mapped = tuple(q or 0 for q in own)
        if both.share(mapped, start) != mapped:
            return None
        tail = self.steps_on(track, p, base, both, names, start, len(names), mapped)
        if not tail or tail[0].kit is not both:
            return None  # the depot tablets give no part of the next step
        first = tail[0]
        if first.step.limited and both.amount(first.step.quanta) <= kit.amount(step.quanta):
            return None
        if restarts(tail):
            found = self.unbroken(track, p, base, both, names, start, mapped, tail)
            if found is None:
                return plain
            tail = found
        topped = [s for s in tail if isinstance(s.kit, TopUpKit) and s.step.quanta]
        if len(topped) == 1 and topped[0] is not tail[-1] and tail[1].step.quanta:
            return plain  # one topped-up step, then the solution alone
        change = (
            f"from here {describe(tail[0].kit)}: {_kind(kit)} cannot make the next step alone; "
            "the solution gives only the rest of each dose"
        )
        return [replace(tail[0], change=change), *tail[1:]]

    def unbroken(
        self,
        track: Track,
        p: Pace,
        base: Fraction,
        both: TopUpKit,
        names: tuple[DoseTimeName, ...],
        start: int,
        mapped: tuple[int, ...],
        tail: list[KitStep],
    ) -> list[KitStep] | None:
        """A top-up taper `tail` whose solution stops at a dose the depot tablets make alone
        and starts again later, made unbroken (None: no way found). The top-up goes on with
        some solution every day where that keeps every daily dose of the taper (us-cdc-2022
        MS Contin 60 mg: 45 mg as 15 mg + 2 ml and 15 mg + 5.5 ml, not 15 and 30 mg with the
        solution again at 41 mg); else the solution alone takes over on that cut (uk-ashton
        MST 30 mg: at 15 mg, not MST 5 + 10 mg with Oramorph again at 12 mg: MST 5 + 5 mg at
        10 mg leaves no room for a top-up, so keeping it would have changed the doses)."""
        gap = next((i for i, s in enumerate(tail) if s.kit is both and not _topped(both, s)), None)
        if not gap:
            return None
        kept_kit = TopUpKit(both.depot, both.solution, keep=True)
        kept = self.steps_on(track, p, base, kept_kit, names, start, len(names), mapped)
        doses = [s.kit.amount(s.step.quanta) for s in kept]
        same = doses == [s.kit.amount(s.step.quanta) for s in tail]
        if kept and kept[0].kit is kept_kit and same and not restarts(kept):
            return kept
        before = tail[gap - 1]
        rest = self.hand_over(
            track,
            p,
            base,
            both,
            both.solution,
            before.step.quanta,
            tail[gap].step,
            len(names),
            before.step.per_time,
        )
        if rest is None or restarts([*tail[:gap], *rest]):
            return None
        return [*tail[:gap], *rest]

    def hand_over(
        self,
        track: Track,
        p: Pace,
        base: Fraction,
        kit: Kit,
        other: Kit,
        current: int,
        step: TaperStep,
        times: int,
        vector: tuple[int, ...] = (),
    ) -> list[KitStep] | None:
        """The rest of the taper on the kit `other` (another formulation), from the dose
        `current` of `kit` (given as `vector` at its dose times), when it makes the step
        better than `kit` (None otherwise)."""
        amount = kit.amount(current)
        start = other.quanta(amount)
        if start is None:
            return None
        new_times = max(times, regimen_times(other, track.rule.doses_per_day, amount))
        amounts = _same_doses(kit, other, vector) if new_times == times else None
        if amounts is None:
            split = other.split(start, new_times)
            amounts = None if split is None else split.amounts
        # The first dose on the new products keeps the two-strengths-a-time rule the later
        # steps keep; if it cannot, the hand-over waits for a smaller dose.
        if amounts is None or not all(usable(other, a) for a in amounts):
            return None
        names = time_names(new_times, bedtime=False, patch=False)
        tail = self.steps_on(track, p, base, other, names, start, 1, amounts)
        if not tail:
            return None
        first = tail[0]
        if first.step.limited and first.kit.amount(first.step.quanta) <= kit.amount(step.quanta):
            return None  # the other formulation does no better here
        # The change comes on the step that cuts the dose, its reason on it (clinician review
        # 4, D3: a week at an unchanged dose on the new product only lengthened the taper and
        # added a pickup); where `other` changes again at once, the note names the product
        # the patient actually moves to.
        return [replace(first, change=_change_note(kit, first.kit)), *tail[1:]]

    def floors(self, track: Track, kit: Kit) -> StepFloors:
        """The rule's smallest steps and absolute slow-down threshold in the kit's unit."""
        rule = track.rule
        found = step_floors(self.g, self.loaded.sha256, rule, track.drug, kit.unit, kit.route)
        for where, step in (
            ("reduction", rule.reduction.min_step if found.min_step is not None else None),
            ("slow_down", rule.slow_down.min_step if rule.slow_down is not None else None),
        ):
            if step is None:
                continue
            own = [d for d in step.drugs if d.drug == track.drug.id and d.unit == kit.unit]
            self.used(f"rule {rule.id} {where} min_step", own[0] if own else step)
        return found

    def stop_quanta(self, track: Track, kit: Kit, upto: int) -> int | None:
        """The largest daily dose (quanta of `kit`, at most `upto`) the rule lets the drug
        stop from; None when the rule gives no stop dose for it (conversions are monotone, so
        a binary search finds it)."""
        if track.rule.stop_dose is None:
            return None
        key = (self.loaded.sha256, track.rule.id, track.drug.id, kit.key, upto)
        if kit.key is not None and key in _STOP_QUANTA:
            return _STOP_QUANTA[key]
        found = self._stop_quanta(track, kit, upto)
        if kit.key is not None:
            if len(_STOP_QUANTA) > 10_000:
                _STOP_QUANTA.clear()
            _STOP_QUANTA[key] = found
        return found

    def _stop_quanta(self, track: Track, kit: Kit, upto: int) -> int:
        def ok(q: int) -> bool:
            dose = kit.amount(q)
            return stop_too_high(self.g, track.rule, track.drug, kit.unit, kit.route, dose) is None

        if ok(upto):
            return upto
        low, high = 0, upto  # ok(low), not ok(high)
        while high - low > 1:
            middle = (low + high) // 2
            if ok(middle):
                low = middle
            else:
                high = middle
        return low

    def check_stop(self, track: Track, before: Fraction) -> None:
        """Refuse a plan whose last step to zero starts above the rule's stop dose."""
        limit = stop_too_high(
            self.g, track.rule, track.drug, track.kit.unit, track.kit.route, to_decimal(before)
        )
        if limit is None:
            return
        self.used(f"rule {track.rule.id} stop_dose", track.rule.stop_dose)
        kit = track.kit
        if kit.patch:
            need = f"a {track.drug.id} patch smaller than the formulary's smallest"
        elif kit.modified_release:
            need = f"immediate-release {track.drug.id} tablets or an oral solution"
        else:
            need = f"a smaller strength or an oral solution of {track.drug.id}"
        sw = track.rule.switch
        if sw.policy != "never" and sw.target and sw.target != track.drug.id:
            need += f", or a switch to {sw.target} (--switch)"
        dose = format_amount(to_decimal(before))
        raise TaperError(
            f"The formulary of rule file {self.g.id} cannot take {track.drug.id} below "
            f"{dose} {track.unit} a day, and rule {track.rule.id} stops a drug only from "
            f"{limit} or less; the prescriber would need {need}."
        )
