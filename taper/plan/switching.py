"""Switches to the long-acting drug: which drugs switch, and the crossover one dose time at a
time (evening first) from the lower end of the equivalence range, within the rule's switch
limits (taper/plan/substitute.py).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction

from taper import equivalence
from taper.dose import format_amount
from taper.errors import TaperError
from taper.guideline.model import Guideline
from taper.plan import substitute
from taper.plan.decimals import tidy, to_decimal
from taper.plan.formulary import kit_for
from taper.plan.model import (
    DoseTimeName,
)
from taper.plan.periods import PeriodsMixin
from taper.plan.spread import spread
from taper.plan.tracks import BEDTIME_GROUPS, TIME_ORDER, Seg, Track, time_names


class SwitchingMixin(PeriodsMixin):
    # --- switch decisions ------------------------------------------------------------------

    def decide_switches(self) -> None:
        wanted = self.options.switch
        allowed_any = False
        for track in list(self.tracks):
            sw = track.rule.switch
            if sw.policy == "never" or sw.target is None:
                continue
            allowed_any = True
            if not substitute.switches(track.drug, track.rule):
                if wanted:
                    self.warn(
                        "switch-not-needed",
                        "info",
                        f"{track.drug.id} is already long-acting; it is not switched.",
                        track.drug.id,
                    )
                continue
            if self.options.replan:
                do_switch = wanted is True
            elif sw.policy == "recommended":
                do_switch = wanted is not False
                if wanted is False:
                    self.warn(
                        "switch-declined",
                        "caution",
                        f"Rule {track.rule.id} recommends switching {track.drug.id} to "
                        f"{sw.target}; the switch was turned off (--no-switch).",
                        track.drug.id,
                        target=sw.target,
                    )
            else:
                do_switch = wanted is True
            if do_switch:
                self.used(f"rule {track.rule.id} switch", sw)
                track.switch_to = self.target_track(track, sw.target)
            elif wanted is None and not self.options.replan:
                self.advise_switch(track)
        for track in self.tracks:
            if track.reported is None and all(
                next(t for t in self.tracks if t.drug.id == src).drug.group in BEDTIME_GROUPS
                for src in track.sources
            ):
                # Replacing sleeping drugs only: the long-acting drug is taken at bedtime too.
                track.times = ("bedtime",)
        for track in self.tracks:
            if track.kit.free and track.switch_to is None:
                how = f" ({track.kit.route})" if track.kit.route != "oral" else ""
                sw = track.rule.switch
                switchable = substitute.switches(track.drug, track.rule)
                # Only advise --switch when it would help and was not already given.
                hint = (
                    f"; the rules would switch it to {sw.target} (--switch)"
                    if switchable and self.options.switch is not True
                    else ""
                )
                raise TaperError(
                    f"The formulary of rule file {self.g.id} has no marketed tablets or patches "
                    f"of {track.drug.id} in {track.unit}{how}"
                    f"{not_marketed(self.g, track.drug.id)}, so no tablet-true plan can be "
                    f"made{hint}."
                )
            if track.kit.free:
                self.warn(
                    "not-in-formulary",
                    "caution",
                    f"{track.drug.id} is not in the formulary of rule file {self.g.id}: until "
                    f"{track.switch_to.drug.id if track.switch_to else 'the switch'} replaces it, "
                    "the patient takes the doses shown from their own tablets.",
                    track.drug.id,
                )
        if wanted and not allowed_any:
            rules = ", ".join(dict.fromkeys(t.rule.id for t in self.tracks))
            raise TaperError(f"--switch: the rules of this plan ({rules}) allow no switch.")

    def advise_switch(self, track: Track) -> None:
        """Clinician review R07/R08: where the rule only offers the switch but its source names
        the drug for one (PrescQIPP: alprazolam, lorazepam), the clinician page says the switch
        is the recommended option. The plan itself stays unswitched: the prescriber decides."""
        sw = track.rule.switch
        advice = sw.advised
        if advice is None or sw.target is None or track.drug.id not in advice.drugs:
            return
        self.used(f"rule {track.rule.id} switch advice", advice)
        named = f"source {advice.source}" if advice.source else "the rule file"
        self.warn(
            "switch-advised",
            "caution",
            f"A switch of {track.drug.id} to {sw.target} is the recommended option: {named} "
            f"names {track.drug.id} for a switch to a long-acting drug, and rule "
            f"{track.rule.id} offers it (--switch); the plan does not switch without the "
            "prescriber's decision.",
            track.drug.id,
            target=sw.target,
        )

    def target_track(self, source: Track, target_id: str) -> Track:
        for track in self.tracks:
            if track.drug.id == target_id and track.unit == "mg":
                track.sources.append(source.drug.id)
                return track
        drug = next((d for d in self.g.drugs if d.id == target_id), None)
        kit = None if drug is None else kit_for(self.g, self.loaded.sha256, target_id, "mg", None)
        if drug is None or kit is None or kit.patch:
            raise TaperError(
                f"Rule {source.rule.id} switches to {target_id}, but the formulary of "
                f"{self.g.id} has no marketed tablets of it."
            )
        count = source.rule.switch.doses_per_day
        if not 1 <= count <= 4:
            raise TaperError(
                f"Rule {source.rule.id} switches to {count} doses a day; plans support 1 to 4."
            )
        bedtime = source.drug.group in BEDTIME_GROUPS and count == 1
        track = Track(
            drug=drug,
            kit=kit,
            rule=source.rule,
            times=time_names(count, bedtime=bedtime, patch=False),
            order=source.order,
            sources=[source.drug.id],
        )
        track.pace = source.pace
        self.tracks.append(track)
        return track

    def order_tracks(self) -> None:
        rank = {cls: i for i, cls in enumerate(self.g.taper_order)}
        self.tracks.sort(
            key=lambda t: (rank.get(t.drug.drug_class, len(rank)), t.order, t.reported is None)
        )

    def crossovers(self) -> None:
        sources = [t for t in self.tracks if t.switch_to is not None and not t.done]
        last_source = sources[-1] if sources else None
        for source in sources:
            target = source.switch_to
            assert target is not None
            self.crossover(source, target, final=source is last_source)

    def crossover(self, source: Track, target: Track, *, final: bool) -> None:
        conv_from = equivalence.select_conversion(
            source.drug, source.kit.route, source.kit.unit, self.g
        )
        conv_to = equivalence.select_conversion(
            target.drug, target.kit.route, target.kit.unit, self.g
        )
        if conv_from is None or conv_to is None:
            missing = source.drug.id if conv_from is None else target.drug.id
            raise TaperError(
                f"Cannot switch {source.drug.id} to {target.drug.id}: rule file {self.g.id} has "
                f"no equivalence for {missing}."
            )
        self.used(f"equivalence {source.drug.id}", conv_from)
        self.used(f"equivalence {target.drug.id}", conv_to)
        table = self.g.equivalence[source.drug.drug_class]
        total = Fraction(source.amount)
        keep = Fraction(1)
        if table.switch_reduction_percent:
            keep = 1 - Fraction(table.switch_reduction_percent) / 100
            self.warn(
                "switch-reduction",
                "caution",
                f"The switch from {source.drug.id} to {target.drug.id} is "
                f"{format_amount(table.switch_reduction_percent)} % below the equivalent dose "
                "(incomplete cross-tolerance), as the rule file says.",
                source.drug.id,
            )
        ideal = Fraction(target.amount) if target.started else Fraction(0)
        if target.loose is not None:
            # The drug switched into was kept as taken now (taper/plan/evening.py): its fixed
            # doses start with the switch, at the dose nearest to what it was.
            kept, target.loose, target.first_cut = target.loose, None, None
            target.set_split(target.kit.nearest(Fraction(kept), len(target.times)))
        # How much of the target, at how many dose times (taper/plan/substitute.py).
        sw = source.rule.switch
        sub = substitute.substitute(
            source=source.drug,
            target=target.drug,
            conv_from=conv_from,
            conv_to=conv_to,
            amount=total,
            keep=keep,
            already=ideal,
            sw=sw,
            rule_id=source.rule.id,
            specialist=self.options.specialist,
        )
        reference = sub.reference_low
        self.switch_notes(source, target, sub)
        if sub.times > len(target.times):
            target.times = time_names(sub.times, bedtime=False, patch=False)
        per_dose = None if sw.limits is None else Fraction(sw.limits.max_per_dose)
        # Exact substitute per dose time from this crossover, over what the times held before
        # (an earlier switched drug); what one time cannot hold goes to the others (spread.py).
        base_quanta = dict(target.per_time)
        base = {t: Fraction(target.kit.amount(q)) for t, q in base_quanta.items()}
        wanted: dict[DoseTimeName, Fraction] = {}
        # Evening first: one dose time per crossover step. A dose the tablets could not make
        # (taken as now) is replaced in one step.
        order = sorted(source.per_time, key=lambda n: -TIME_ORDER[n])
        portions: list[tuple[DoseTimeName | None, Decimal]] = (
            [(name, source.kit.amount(source.per_time[name])) for name in order]
            if source.loose is None
            else [(None, source.loose)]
        )
        days = source.rule.switch.crossover_step_days
        if days < 1:
            raise TaperError(f"Rule {source.rule.id} has a crossover step of {days} days.")
        target.started = True
        # Partial substitution (`parts_per_dose_time`): a dose time is replaced in parts of
        # whole tablets of the old drug, the larger part first, each held a crossover step.
        parts = sw.parts_per_dose_time
        wholes = {name: source.per_time[name] for name, _ in portions if name is not None}
        split = {name: pieces(q, parts, source.kit.per_time_makeable) for name, q in wholes.items()}
        steps: list[tuple[DoseTimeName | None, Decimal, int]] = []  # time, portion, moved
        for name, portion in portions:
            moved = 0
            for piece in [0] if name is None else split[name]:
                moved += piece
                steps.append((name, portion, moved))
        if parts > 1 and any(len(p) > 1 for p in split.values()):
            self.warn(
                "switch-partial",
                "info",
                f"Rule {source.rule.id} replaces each dose time of {source.drug.id} in up to "
                f"{parts} steps of {days} days (partial substitution).",
                source.drug.id,
            )
        replaced: dict[DoseTimeName, Fraction] = {}  # exact substitute for each time so far
        for index, (name, portion, moved) in enumerate(steps):
            if name is None:
                share = reference * Fraction(portion) / total
                ideal += (
                    equivalence.from_reference(conv_to, share, target.drug.id) * keep * sub.scale
                )
                source.loose = None
                target.set_split(target.kit.nearest(ideal, len(target.times)))
            else:
                share = reference * Fraction(source.kit.amount(moved)) / total
                exact = (
                    equivalence.from_reference(conv_to, share, target.drug.id) * keep * sub.scale
                )
                # This step moves what the time's part adds to the parts before it.
                step_exact = exact - replaced.get(name, Fraction(0))
                replaced[name] = exact
                ideal += step_exact
                if moved == wholes[name]:
                    source.per_time.pop(name)
                else:
                    source.per_time[name] = wholes[name] - moved
                times = sorted(set(target.times) | set(wanted), key=lambda n: -TIME_ORDER[n])
                spread(
                    wanted,
                    name,
                    step_exact,
                    per_dose=per_dose,
                    base=base,
                    free=[t for t in times if t != name and t not in source.per_time],
                    pending=[t for t in order if t != name and t in source.per_time],
                )
                for time, amount in wanted.items():
                    placed = target.kit.per_time_nearest(amount)
                    target.per_time[time] = base_quanta.get(time, 0) + placed
                    if not target.kit.per_time_makeable(target.per_time[time]):
                        # Several drugs switched into one: their doses at this time add up.
                        at_once = target.kit.amount(target.per_time[time])
                        raise TaperError(
                            f"The switch would give {format_amount(at_once)} {target.unit} of "
                            f"{target.drug.id} at one dose time, more than "
                            f"{target.kit.max_units} {target.kit.pieces_noun} (this tool's "
                            "plausibility limit); check the doses."
                        )
                target.quanta = sum(target.per_time.values())
                last = index == len(steps) - 1
                if last and final:
                    # Each dose time was rounded to tablets on its own; the day's total is the
                    # makeable dose nearest the planned one (Stesolid 2 mg: 3 + 3 mg made
                    # 2 + 2, a third short), shared over the substitute's dose times.
                    count = len(target.times)
                    quanta = target.kit.nearest(ideal, count)
                    if set(target.per_time) != set(target.times) or quanta != target.quanta:
                        target.set_split(quanta)
            source.quanta = sum(source.per_time.values())
            s_seg = Seg("switch", 0, days, source.amount, source.doses())
            if source.quanta == 0:
                s_seg.days = None
                s_seg.replaced_by = target.drug.id
                source.done = True
                source.stop_day = self.day
            t_seg = Seg(
                "switch",
                0,
                days,
                target.amount,
                target.doses(),
                ideal=to_decimal(ideal),
                deviation=tidy(target.amount - to_decimal(ideal)),
            )
            self.period([(source, s_seg), (target, t_seg)], days, source.drug.id)
        if final:
            self.check_spread(source, target, ideal, per_dose)
        if final and sw.limits is not None and sw.limits.stabilisation_days > days:
            # On the full substitute dose until it is at steady state, before the first cut.
            extra = sw.limits.stabilisation_days - days
            note = (
                f"held {extra} more days on {target.drug.id} before the first reduction "
                f"(stabilisation after the switch: {sw.limits.stabilisation_days} days in all)"
            )
            seg = Seg("switch", 0, extra, target.amount, target.doses(), note=note)
            self.period([(target, seg)], extra, target.drug.id)
        # "the lower end" only where the rule's table gives a range (clinician review 6: a
        # point equivalence, Ashton's lorazepam 1 mg = diazepam 10 mg, was called the low end).
        where = (
            "from the lower end of the equivalence range"
            if sub.reference_low < sub.reference_point
            else "at the rule's equivalence"
        )
        self.warn(
            "switch",
            "info",
            f"{source.drug.id} is replaced by {target.drug.id} one dose time at a time, {where} "
            "and within the rule's switch limits. "
            "Equivalence tables are approximate; watch for sedation or withdrawal during the "
            "switch.",
            source.drug.id,
            target=target.drug.id,
        )

    def check_spread(
        self, source: Track, target: Track, ideal: Fraction, per_dose: Fraction | None
    ) -> None:
        """After the crossover: the substitute is never silently short of the planned dose, and
        no dose time is above the per-dose maximum (clinician review R19/R20)."""
        if per_dose is None:
            return
        most = max((target.kit.amount(q) for q in target.per_time.values()), default=Decimal(0))
        planned = target.kit.nearest(ideal, len(target.times))
        if most <= per_dose and target.quanta >= planned:
            return
        self.warn(
            "switch-spread",
            "high",
            f"The switch could not share the planned {format_amount(to_decimal(ideal))} "
            f"{target.unit} of {target.drug.id} a day for {source.drug.id} over the dose times "
            f"within {format_amount(to_decimal(per_dose))} {target.unit} each (it gives "
            f"{format_amount(target.amount)} {target.unit}); check the switch doses before the "
            "plan is used.",
            source.drug.id,
            target=target.drug.id,
        )

    def switch_notes(self, source: Track, target: Track, sub: substitute.Substitute) -> None:
        """Say how the substitute dose was chosen: the range's lower end, the cap, the times."""
        sw = source.rule.switch
        if sw.limits is not None:
            self.used(f"rule {source.rule.id} switch limits", sw.limits)
        if sub.reference_low < sub.reference_point:
            self.warn(
                "switch-lower-end",
                "info",
                f"{source.drug.id} is switched at the lower end of the equivalence range: "
                f"{format_amount(to_decimal(sub.reference_low))} {target.unit} rather than "
                f"{format_amount(to_decimal(sub.reference_point))} {target.unit} of "
                f"{self.g.equivalence[source.drug.drug_class].reference} a day.",
                source.drug.id,
            )
        if sub.capped and sw.limits is not None:
            self.warn(
                "switch-capped",
                "high",
                f"The equivalence gives {format_amount(to_decimal(sub.equivalent))} "
                f"{target.unit} of {target.drug.id} a day for {source.drug.id}; rule "
                f"{source.rule.id} starts a switch at no more than "
                f"{format_amount(sw.limits.max_daily)} {target.unit} a day, so the cap, not "
                "the equivalence, sets the dose. Watch for withdrawal during the switch.",
                source.drug.id,
                target=target.drug.id,
            )
        if sw.limits is not None and sub.times > sw.doses_per_day:
            self.warn(
                "switch-dose-times",
                "info",
                f"{target.drug.id} is given at {sub.times} dose times so that no dose is more "
                f"than {format_amount(sw.limits.max_per_dose)} {target.unit}.",
                target.drug.id,
            )


def pieces(quanta: int, parts: int, makeable: Callable[[int], bool]) -> list[int]:
    """A dose time's quanta in at most `parts` pieces, the larger first (8, 2 → 4, 4), each
    leaving a dose the old drug's tablets make; one piece when none can be left."""
    left: list[int] = []
    previous = quanta
    for k in range(1, parts):
        aim = quanta - -(-quanta * k // parts)  # what is left after k parts, larger first
        found = [r for r in range(1, previous) if makeable(r)]
        if not found:
            break
        rest = min(found, key=lambda r: (abs(r - aim), r))
        left.append(rest)
        previous = rest
    points = [quanta, *left, 0]
    return [a - b for a, b in itertools.pairwise(points)]


def not_marketed(guideline: Guideline, drug: str) -> str:
    """Why the formulary lists a drug only as products that are not marketed (the products'
    own notes), as a clause of a refusal; empty when it lists none."""
    found = [p for p in guideline.formulary if p.drug == drug and not p.marketed]
    if not found:
        return ""
    said = "; ".join(
        f"{p.brand} is not marketed here: {p.note.rstrip('.')}"
        if p.note
        else f"{p.brand} is not marketed here"
        for p in found
    )
    return f" ({said})"
