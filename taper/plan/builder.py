"""Building a plan: the TUB phases on one calendar, one drug changing at a time.

The calendar is kept as whole days from the plan start. Each drug has a *track*: its
segments (steps) in order, contiguous from its first day to the end of aftercare. A *period*
is a stretch of days in which one drug (or, in a switch crossover, one drug and the
long-acting drug replacing it) takes a new step while every other drug holds its dose.

Order of events (see README "taper plan"):
1. mapping — every drug for the longest `mapping_days` of the rules involved, doses as taken;
2. stabilisation — every drug at fixed doses at fixed times for the longest
   `stabilisation_days` (the reported dose, rounded down to what tablets can make);
3. switch — for each drug the rules switch, one dose time at a time (evening first),
   `crossover_step_days` per step, at the equivalent dose of the long-acting drug;
4. taper — one drug after the other (the rule file's `taper_order` of classes, then input
   order); the next drug's first cut comes one of its intervals after the previous drug
   stopped; meanwhile the others hold;
5. aftercare — every drug at zero from the day after the last dose for the region's
   minimum aftercare period (longer if a checkpoint falls later).

Everything up to here is in days, so it does not depend on the start date: the builder makes
a `Skeleton`, and `dated` gives it dates (the aftercare end in calendar months, checkpoints
moved off weekends). Patients sharing rule file, medications and options share a skeleton
(`_PLAN_MEMO`; a test compares memoised plans with fresh ones).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from operator import itemgetter
from typing import Literal

from taper import __version__, equivalence, rotation
from taper.aftercare import add_period, build_checkpoints
from taper.dose import MedicationInput, format_amount
from taper.errors import TaperError
from taper.guideline.loader import LoadedGuideline
from taper.guideline.model import Drug, DrugClass, Guideline, Lang, Provenance, TaperRule
from taper.plan import as_written
from taper.plan import substitute
from taper.plan.fast import constructor, copy_with, from_values, trusted
from taper.plan.model import (
    AppliedRule,
    Dispense,
    DoseAtTime,
    DoseTimeName,
    GuidelineStamp,
    MedicationLine,
    Phase,
    Plan,
    PlanWarning,
    Step,
)
from taper.plan.options import Pause, PlanOptions
from taper.plan.rules import Pace, check_rule_choice, pace, select_rule
from taper.plan.tablets import (
    MAX_TABLETS_PER_DOSE,
    FreeKit,
    Kit,
    kit_for,
    oral_solutions,
    smaller_products,
    tidy,
    to_decimal,
)

# Calendar bounds of a plan: earlier or later dates are surely typing errors, and plan dates
# must stay far from the end of Python's calendar (year 9999).
EARLIEST_START = dt.date(1900, 1, 1)
LATEST_END = dt.date(9000, 1, 1)
# Plausibility limits of pieces at one dose time (`MAX_TABLETS_PER_DOSE` and the lower ones
# for patches and sublingual tablets) are project choices kept in taper/plan/tablets.py.

# Beyond this many reductions of one drug a plan is refused rather than printed: it is almost
# surely a wrong dose or a far too slow speed, and no patient can follow it.
MAX_STEPS_PER_DRUG = 400

TIME_ORDER: dict[DoseTimeName, int] = {
    "morning": 0,
    "midday": 1,
    "afternoon": 2,
    "evening": 3,
    "bedtime": 4,
    "patch": 5,
}
_TIMES: dict[int, tuple[DoseTimeName, ...]] = {
    2: ("morning", "evening"),
    3: ("morning", "midday", "evening"),
    4: ("morning", "midday", "afternoon", "evening"),
}
_BEDTIME_GROUPS = {"hypnotic", "z-drug"}
Severity = Literal["info", "caution", "high"]
LANGS: dict[str, Lang] = {"sv": "sv", "nb": "nb", "en": "en"}
LOOSE_NOTE = "as taken now: the formulary's tablets cannot make this dose"

# Plan parts are made from values the planner computed itself: no validation (see fast.py).
_step = constructor(Step)
_stamp = constructor(GuidelineStamp)
_medication_line = constructor(MedicationLine)
_dispense = constructor(Dispense)
_plan = constructor(Plan)
_copy_with = copy_with
_PLACE_ORDER = itemgetter(0, 1, 2)  # start day, drug rank, the drug's own order
_NO_DATE = dt.date(1, 1, 1)  # the dates of a step not yet placed on the calendar


def time_names(count: int, *, bedtime: bool, patch: bool) -> tuple[DoseTimeName, ...]:
    """Names of a day's dose times: one dose is taken at bedtime for hypnotics and z-drugs,
    in the morning otherwise; patches are worn continuously."""
    if patch:
        return ("patch",)
    if count == 1:
        return ("bedtime",) if bedtime else ("morning",)
    return _TIMES[count]


@dataclass(eq=False)
class Seg:
    """One step of one drug, in days from the plan start; `days` None: open (runs on at 0)."""

    phase: Phase
    start: int
    days: int | None
    amount: Decimal
    doses: list[DoseAtTime]
    ideal: Decimal | None = None
    deviation: Decimal | None = None
    pause: bool = False
    note: str | None = None
    tablet_limited: bool = False
    held_for: str | None = None
    replaced_by: str | None = None


@dataclass(eq=False)
class Track:
    """One drug's course through the plan."""

    drug: Drug
    kit: Kit
    rule: TaperRule
    times: tuple[DoseTimeName, ...]
    order: int
    text: str = ""
    reported: Decimal | None = None  # the daily dose as given (None: a switch target)
    segs: list[Seg] = field(default_factory=list)
    quanta: int = 0  # current daily dose in the kit's quanta
    per_time: dict[DoseTimeName, int] = field(default_factory=dict)
    started: bool = False
    done: bool = False
    switch_to: Track | None = None
    sources: list[str] = field(default_factory=list)
    pace: Pace | None = None
    base: Decimal | None = None  # dose the taper starts from
    taper_start: int | None = None
    stop_day: int | None = None
    original: Decimal | None = None  # replan: the original starting dose (mode "start")
    # A dose below anything the tablets make: kept as taken now until the drug's stop.
    loose: Decimal | None = None
    held_days: int = 0  # days added before forced large cuts (see Builder.hold_before_cut)
    # Dose times as the medication list gave them (taper/plan/as_written.py).
    given: as_written.Given = ()

    @property
    def amount(self) -> Decimal:
        if self.loose is not None:
            return self.loose
        return self.kit.amount(self.quanta)

    @property
    def unit(self) -> str:
        return self.kit.unit

    def doses(self) -> list[DoseAtTime]:
        if self.loose is not None:
            return []
        items = list(self.per_time.items())
        if len(items) > 1:
            items.sort(key=lambda kv: TIME_ORDER[kv[0]])
        return self.kit.doses_at(items)

    @property
    def min_used(self) -> int:
        """Dose times every taper dose must keep. A depot (modified-release) opioid that the
        rule gives two or more times a day is never given once a day: such tablets are made
        for 12-hourly use (Norsk legemiddelhåndbok: morphine depot tablets "10–30 mg × 2–3",
        clinical-facts-2 §4.2), and one a day leaves about half the day uncovered. Hypnotics
        (one bedtime dose) and other drugs may drop a dose time near the end."""
        if (
            self.drug.drug_class == "opioid"
            and self.kit.modified_release
            and not self.kit.patch
            and len(self.times) >= 2
        ):
            return 2
        return 1

    def set_split(self, quanta: int) -> None:
        split = self.kit.split(quanta, len(self.times))
        if split is None:  # pragma: no cover - callers pass makeable doses only
            raise ValueError(f"{quanta} quanta of {self.drug.id} cannot be split")
        self.quanta = quanta
        self.per_time = {name: q for name, q in zip(self.times, split.amounts, strict=True) if q}


@dataclass(frozen=True)
class TaperStep:
    """One reduction: the new daily dose (quanta), the rule's ideal, and how long it lasts."""

    quanta: int
    ideal: Decimal
    deviation: Decimal
    limited: bool  # the cut is larger than the rule allows (tablet strengths)
    interval: int
    # Extra intervals the dose before a forced large cut is held, so that the average rate
    # stays within the rule (ceil(cut / allowed) intervals in all).
    hold: int = 0


_TRAJECTORIES: dict[tuple[object, ...], tuple[TaperStep, ...]] = {}


def trajectory(
    kit: Kit, times: int, p: Pace, start: int, base: Fraction, drug: str, min_used: int = 1
) -> tuple[TaperStep, ...]:
    """The reductions from `start` quanta to zero under a pace, each dose at `min_used` dose
    times or more (pure; cached, since many patients share a drug, a dose and a rule)."""
    key = (
        kit.key,
        times,
        min_used,
        start,
        base,
        p.mode,
        p.percent,
        p.interval_days,
        p.max_percent,
        p.slow_below,
        p.slow_percent,
        p.slow_interval_days,
        p.slow_rule_percent,
    )
    cached = _TRAJECTORIES.get(key) if kit.key is not None else None
    if cached is not None:
        return cached
    slow_from = None if p.slow_below is None else base * p.slow_below / 100
    out: list[TaperStep] = []
    quanta = start
    while quanta > 0:
        current = Fraction(kit.amount(quanta))
        if slow_from is not None and current < slow_from:
            assert p.slow_percent is not None
            assert p.slow_rule_percent is not None
            assert p.slow_interval_days is not None
            ideal = current * (1 - p.slow_percent / 100)
            allowed = current * p.slow_rule_percent / 100
            interval = p.slow_interval_days
        elif p.mode == "current":
            ideal = current * (1 - p.percent / 100)
            allowed = current * p.max_percent / 100
            interval = p.interval_days
        else:
            # Linear: each step cuts the same share of the start dose (from the dose the
            # tablets actually reached, so rounding never adds up to a faster taper).
            ideal = current - base * p.percent / 100
            allowed = base * p.max_percent / 100
            interval = p.interval_days
        ideal = max(ideal, Fraction(0))
        quanta = kit.next_below(quanta, ideal, times, min_used)
        dose = kit.amount(quanta)
        ideal_dec = to_decimal(ideal)
        cut = current - Fraction(dose)
        limited = cut > allowed
        hold = 0
        if limited and allowed > 0:
            if dose > 0:
                hold = math.ceil(cut / allowed) - 1
            else:
                # A stop is measured against one full step from the start dose: a stop from
                # a small remainder (the usual end of a taper) is not held, one from a large
                # share of the start dose is, as any other forced large cut.
                top = p.max_percent if slow_from is None else max(p.max_percent, p.slow_below or 0)
                share = base * top / 100
                hold = max(0, math.ceil(cut / share) - 1) if share > 0 else 0
        if slow_from is not None and dose < slow_from and p.slow_interval_days is not None:
            # A step whose dose is below the slow-down threshold lasts the slow interval.
            interval = p.slow_interval_days
        previous = out[-1].interval if out else interval
        out.append(
            TaperStep(quanta, ideal_dec, tidy(dose - ideal_dec), limited, interval, hold * previous)
        )
        if len(out) > MAX_STEPS_PER_DRUG:
            raise TaperError(
                f"The taper of {drug} would need more than {MAX_STEPS_PER_DRUG} "
                "steps; check the dose, or choose a faster speed the rules allow."
            )
    result = tuple(out)
    if kit.key is not None:
        if len(_TRAJECTORIES) > 50_000:
            _TRAJECTORIES.clear()
        _TRAJECTORIES[key] = result
    return result


_DRUGS: dict[tuple[str, str, str, str | None], Drug] = {}
_EQUIVALENCE_WARNINGS: dict[tuple[str, ...], tuple[equivalence.EquivalenceWarning, ...]] = {}


def _resolve_drug(loaded: LoadedGuideline, med: MedicationInput) -> Drug:
    """`equivalence.resolve_medication` (the name, and a brand's form against the unit),
    remembered per rule file (batches repeat names)."""
    key = (loaded.sha256, med.drug_name, med.dose.unit, med.route)
    found = _DRUGS.get(key)
    if found is None:
        found = equivalence.resolve_medication(med, loaded.guideline)
        if len(_DRUGS) > 10_000:
            _DRUGS.clear()
        _DRUGS[key] = found
    return found


def _equivalence_warnings(
    loaded: LoadedGuideline, medications: list[MedicationInput]
) -> tuple[equivalence.EquivalenceWarning, ...]:
    """The threshold and substitution warnings of `convert` for these medications (cached)."""
    key = (loaded.sha256, *(m.text for m in medications))
    found = _EQUIVALENCE_WARNINGS.get(key)
    if found is None:
        found = equivalence.equivalents(medications, loaded.guideline).warnings
        if len(_EQUIVALENCE_WARNINGS) > 10_000:
            _EQUIVALENCE_WARNINGS.clear()
        _EQUIVALENCE_WARNINGS[key] = found
    return found


_PER_DAY: dict[int, tuple[list[DoseAtTime], list[tuple[str, Decimal, Decimal]]]] = {}


def _per_day(doses: list[DoseAtTime]) -> list[tuple[str, Decimal, Decimal]]:
    """Tablets a day of each brand and strength (dose lists are shared, so remember them)."""
    found = _PER_DAY.get(id(doses))
    if found is not None and found[0] is doses:
        return found[1]
    counts: dict[tuple[str, Decimal], Decimal] = {}
    for dose in doses:
        for tab in dose.tablets:
            key = (tab.brand, tab.strength)
            counts[key] = counts.get(key, Decimal(0)) + tab.count
    result = [(brand, strength, count) for (brand, strength), count in counts.items()]
    if len(_PER_DAY) > 50_000:
        _PER_DAY.clear()
    _PER_DAY[id(doses)] = (doses, result)  # keeps `doses` alive, so its id stays its own
    return result


class Builder:
    def __init__(
        self, medications: list[MedicationInput], loaded: LoadedGuideline, options: PlanOptions
    ) -> None:
        if not medications:
            raise TaperError('No medication given: add --med "DRUG AMOUNT UNIT".')
        self.loaded = loaded
        self.g: Guideline = loaded.guideline
        self.options = options
        self.medications = medications
        self.day = 0
        self.tracks: list[Track] = []
        self.warnings: list[PlanWarning] = []
        self.unverified: dict[str, None] = {}
        self.pending: list[tuple[int, Pause]] = sorted(
            ((p.on - options.start).days, p) for p in options.pauses
        )
        for offset, pause in self.pending:
            if offset < 0:
                raise TaperError(f"--pause {pause.on.isoformat()} is before the plan starts.")
            if pause.days < 1:
                raise TaperError(f"--pause {pause.on.isoformat()}: give at least 1 day.")
        check_start(options)
        lang = options.lang or self.g.language
        if lang not in LANGS:
            raise TaperError(f"Unknown language {lang!r}: use sv, nb or en.")
        self.lang: Lang = LANGS[lang]

    # --- warnings and provenance ---------------------------------------------------------

    def warn(
        self,
        code: str,
        severity: Severity,
        message: str,
        drug: str | None = None,
        **params: str,
    ) -> None:
        self.warnings.append(
            trusted(
                PlanWarning,
                code=code,
                severity=severity,
                message=message,
                drug=drug,
                params=dict(params),
            )
        )

    def used(self, what: str, item: Provenance | None) -> None:
        if item is not None and item.unverified:
            self.unverified[f"{what}: {item.unverified}"] = None

    # --- input ---------------------------------------------------------------------------

    def resolve(self) -> None:
        merged: dict[tuple[str, str, str], Track] = {}
        drugs = [_resolve_drug(self.loaded, m) for m in self.medications]
        check_rule_choice(self.g, drugs, self.options.rule)
        for order, (med, drug) in enumerate(zip(self.medications, drugs, strict=True)):
            kit = kit_for(
                self.g,
                self.loaded.sha256,
                drug.id,
                med.dose.unit,
                med.route,
                med.drug_name,
                prefer_modified=drug.drug_class == "opioid",
            )
            if kit is None:
                # Not in the formulary: usable only until a switch replaces it (checked once
                # the switches are decided), from the patient's own tablets.
                places = med.dose.amount.normalize().as_tuple().exponent
                quantum = Decimal(1).scaleb(min(-2, places if isinstance(places, int) else 0))
                route = med.route or ("transdermal" if med.dose.unit == "mcg/h" else "oral")
                kit = FreeKit(drug.id, med.dose.unit, route, quantum)
            key = (drug.id, kit.unit, kit.route)
            if key in merged:
                track = merged[key]
                assert track.reported is not None
                track.reported += med.dose.amount
                track.text += f"; {med.text}"
                track.given = ()  # two lines of one drug: their times are not known apart
                self.warn(
                    "merged-lines",
                    "info",
                    f"{drug.id} was given on more than one line; the plan uses the daily total "
                    f"{format_amount(track.reported)} {kit.unit}.",
                    drug.id,
                )
                continue
            rule = select_rule(self.g, drug, self.options.rule)
            bedtime = drug.group in _BEDTIME_GROUPS
            count = rule.doses_per_day
            if bedtime and count != 1 and not kit.patch:
                # A sleeping pill is taken once, at bedtime, whatever a class-wide rule says.
                self.warn(
                    "hypnotic-at-bedtime",
                    "info",
                    f"{drug.id} is a sleeping drug: the plan gives it once a day at bedtime "
                    f"(rule {rule.id} says {count} doses a day for its class).",
                    drug.id,
                )
                count = 1
            track = Track(
                drug=drug,
                kit=kit,
                rule=rule,
                times=time_names(count, bedtime=bedtime, patch=kit.patch),
                order=order,
                text=med.text,
                reported=med.dose.amount,
                started=True,
                given=as_written.given_times(med.times),
            )
            track.pace = pace(rule, self.options)
            if med.as_needed and med.uses_per_week is not None:
                self.warn(
                    "as-needed",
                    "caution",
                    f"{drug.id} is taken as needed (about {format_amount(med.uses_per_week)} "
                    "times a week); evening out turns this into fixed doses at fixed times, "
                    f"from the average of {format_amount(med.dose.amount)} {kit.unit} a day.",
                    drug.id,
                )
            merged[key] = track
            self.tracks.append(track)
        if self.options.originals and not self.options.replan:
            raise TaperError("--original belongs to a replan (with --current and --on).")
        for original in self.options.originals:
            drug = _resolve_drug(self.loaded, original)
            found = [t for t in self.tracks if t.drug.id == drug.id]
            if not found:
                raise TaperError(
                    f"--original names {drug.id}, which is not among the current medications."
                )
            if found[0].unit != original.dose.unit:
                raise TaperError(
                    f"--original {original.text!r} is in {original.dose.unit}; the current dose "
                    f"of {drug.id} is in {found[0].unit}."
                )
            found[0].original = original.dose.amount

    # --- safety ----------------------------------------------------------------------------

    def check_safety(self) -> None:
        reasons: list[tuple[str, str]] = []
        for track in self.tracks:
            if equivalence.is_substitution(track.drug):
                reasons.append(
                    (
                        "substitution-drug",
                        f"{track.drug.id} is an opioid-substitution drug; its taper belongs "
                        "with the substitution programme",
                    )
                )
        for rule in dict.fromkeys(t.rule.id for t in self.tracks):
            tr = next(t for t in self.tracks if t.rule.id == rule)
            if tr.rule.specialist_required:
                reasons.append(("specialist-rule", f"rule {rule} requires a specialist"))
        try:
            found = _equivalence_warnings(self.loaded, self.medications)
        except TaperError as exc:
            found = ()
            self.warn(
                "thresholds-unchecked",
                "caution",
                f"The rule file's dose thresholds could not be checked: {exc}",
            )
        kinds = {f"threshold:{th.id}": th.kind for th in self.g.thresholds}
        # Advice about starting or raising a dose belongs to conversions, not taper plans.
        found = tuple(w for w in found if rotation.plan_warning(self.g, w.code))
        for item in found:
            # A total above a "high" threshold needs a specialist; a high-risk combination
            # (opioid with a benzodiazepine) is a warning on the plan.
            if kinds.get(item.code) == "total-above" and item.severity == "high":
                reasons.append((item.code, item.message.rstrip(".")))
            elif item.code.startswith(("threshold:", "threshold-unknown:")):
                self.warn(item.code, item.severity, item.message)
        for th in self.g.thresholds:
            if any(code == f"threshold:{th.id}" for code, _ in reasons) or any(
                w.code == f"threshold:{th.id}" for w in self.warnings
            ):
                self.used(f"threshold {th.id}", th)
        if reasons and not self.options.specialist:
            why = "; ".join(text for _, text in reasons)
            raise TaperError(
                f"This plan needs specialist sign-off: {why}. Add --specialist once a "
                "specialist has approved it."
            )
        for code, text in reasons:
            self.warn(code, "high", f"Specialist sign-off given: {text}.")

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
        for track in self.tracks:
            if track.reported is None and all(
                next(t for t in self.tracks if t.drug.id == src).drug.group in _BEDTIME_GROUPS
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
                    f"of {track.drug.id} in {track.unit}{how}, so no tablet-true plan can be "
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
        bedtime = source.drug.group in _BEDTIME_GROUPS and count == 1
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

    # --- periods, holds and pauses ---------------------------------------------------------

    def living(self) -> list[Track]:
        return [t for t in self.tracks if t.started and not t.done]

    def hold(self, track: Track, start: int, days: int, held_for: str | None) -> None:
        last = track.segs[-1] if track.segs else None
        if (
            last is not None
            and last.phase == "stabilisation"
            and last.held_for == held_for
            and last.days is not None
            and last.start + last.days == start
            and not last.pause
        ):
            last.days += days
            return
        track.segs.append(
            Seg("stabilisation", start, days, track.amount, track.doses(), held_for=held_for)
        )

    def period(self, active: list[tuple[Track, Seg]], days: int, held_for: str) -> None:
        """Place new segments of the active drugs at today; the others hold; apply pauses."""
        start = self.day
        for track, seg in active:
            seg.start = start
            track.segs.append(seg)
        if all(seg.days is None for _, seg in active):
            return
        self.day += days
        if len(self.tracks) > len(active):  # the others hold (a lone drug is always active)
            active_tracks = {id(t) for t, _ in active}
            for track in self.living():
                if id(track) not in active_tracks:
                    self.hold(track, start, days, held_for)
        if self.pending:
            self.apply_pauses(start, active, held_for)

    def apply_pauses(self, start: int, active: list[tuple[Track, Seg]], held_for: str) -> None:
        held = 0  # pause days on this step so far: the rule's maximum is per step
        while self.pending and self.pending[0][0] < self.day:
            offset, pause = self.pending[0]
            if offset < start:
                raise TaperError(
                    f"--pause {pause.on.isoformat()} falls before the taper (in mapping or "
                    "stabilisation); a pause holds a step of the taper."
                )
            self.pending.pop(0)
            rule = active[0][0].rule
            policy = rule.pause
            self.used(f"rule {rule.id} pause", policy)
            if not policy.allowed:
                raise TaperError(
                    f"Rule {rule.id} does not allow pauses (--pause {pause.on.isoformat()})."
                )
            if policy.max_days is not None and pause.days > policy.max_days:
                raise TaperError(
                    f"--pause {pause.on.isoformat()}:{pause.days} is longer than rule {rule.id} "
                    f"allows (at most {policy.max_days} days)."
                )
            held += pause.days
            if policy.max_days is not None and held > policy.max_days:
                raise TaperError(
                    f"--pause {pause.on.isoformat()}:{pause.days} holds the same step again: "
                    f"{held} pause days on one step is more than rule {rule.id} allows (at "
                    f"most {policy.max_days} days per step)."
                )
            pause_start = self.day
            for track, seg in active:
                if seg.days is None or track.done:
                    continue
                track.segs.append(
                    Seg(
                        seg.phase,
                        pause_start,
                        pause.days,
                        track.amount,
                        track.doses(),
                        pause=True,
                        note=f"pause (--pause {pause.on.isoformat()}:{pause.days}): the dose "
                        "is held, not reduced",
                        held_for=seg.held_for,
                    )
                )
            active_ids = {id(t) for t, _ in active}
            for track in self.living():
                if id(track) not in active_ids:
                    self.hold(track, pause_start, pause.days, held_for)
            self.day += pause.days

    # --- phases ----------------------------------------------------------------------------

    def mapping_and_stabilisation(self) -> None:
        replan = self.options.replan
        mapping = 0 if replan else max(t.rule.phases.mapping_days for t in self.tracks)
        stabilise = 0 if replan else max(t.rule.phases.stabilisation_days for t in self.tracks)
        if mapping < 0 or stabilise < 0:
            raise TaperError("The rules give a negative mapping or stabilisation length.")
        inputs = [t for t in self.tracks if t.reported is not None]
        if not replan:
            for track in inputs:
                self.used(f"rule {track.rule.id} phases", track.rule.phases)
        for track in inputs:
            assert track.reported is not None
            if mapping:
                doses = as_written.as_taken(track.given)  # the times as written, if given
                track.segs.append(Seg("mapping", 0, mapping, tidy(track.reported), doses))
            self.stabilise(track)
            if stabilise:
                seg = Seg("stabilisation", mapping, stabilise, track.amount, track.doses())
                if track.amount != track.reported:
                    seg.ideal = tidy(track.reported)
                    seg.deviation = tidy(track.amount - track.reported)
                track.segs.append(seg)
        if self.pending and self.pending[0][0] < mapping + stabilise:
            when = self.pending[0][1].on.isoformat()
            raise TaperError(
                f"--pause {when} falls before the taper (in mapping or stabilisation); a pause "
                "holds a step of the taper."
            )
        self.day = mapping + stabilise

    def stabilise(self, track: Track) -> None:
        assert track.reported is not None
        kit = track.kit
        exact = kit.quanta(track.reported)
        times = len(track.times)
        self.check_units(track)
        quanta = exact if exact is not None and kit.makeable(exact, times) else None
        if quanta is None:
            quanta = kit.floor_makeable(kit.quanta_floor(Fraction(track.reported)), times)
            reported = f"{format_amount(track.reported)} {track.unit}"
            if quanta == 0:
                self.warn(
                    "below-smallest-dose",
                    "caution",
                    f"{reported} of {track.drug.id} is less than the smallest dose the "
                    f"formulary's tablets make ({format_amount(kit.amount(kit.smallest))} "
                    f"{track.unit}); the plan keeps it as taken now and stops it at its turn. "
                    "An oral solution or a smaller strength would allow a gradual stop.",
                    track.drug.id,
                )
                track.loose = tidy(track.reported)
                return
            made = f"{format_amount(kit.amount(quanta))} {track.unit}"
            self.warn(
                "start-dose-rounded",
                "caution",
                f"{reported} of {track.drug.id} cannot be made from the formulary's tablets "
                f"as fixed doses; the plan starts from {made}.",
                track.drug.id,
                reported=format_amount(track.reported),
                made=format_amount(kit.amount(quanta)),
            )
        written = (
            as_written.split_as_written(kit, track.given, quanta)
            if quanta and track.given and exact == quanta
            else None
        )
        if written is not None:
            # Evening out starts from the dose times as written.
            track.times = tuple(written)
            track.quanta, track.per_time = quanta, written
        elif quanta:
            track.set_split(quanta)
            if len(track.per_time) < track.min_used:
                self.warn_once_a_day(track)

    def check_units(self, track: Track) -> None:
        """Refuse a dose that needs more pieces at one dose time than a patient can take (a
        project plausibility limit, `Kit.max_units`): almost surely a wrong dose or unit."""
        assert track.reported is not None
        kit = track.kit
        if kit.free or not kit.pieces:
            return
        largest = max(piece.strength * piece.fraction for piece in kit.pieces)
        times = 1 if kit.patch else len(track.times)
        if track.reported <= largest * kit.max_units * times:
            return
        per = "" if kit.patch else " a day"
        when = "" if kit.patch else " at one dose time"
        raise TaperError(
            f"{format_amount(track.reported)} {track.unit} of {track.drug.id}{per} would need "
            f"more than {kit.max_units} {kit.pieces_noun}{when} (this tool's plausibility limit); "
            "check the dose and unit."
        )

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

    def hint(self, track: Track, *, formulation_note: bool = False) -> str:
        """What the formulary has that would allow smaller steps than the plan's products
        (`formulation_note`: say that changing to another formulation is a prescriber's
        decision, when that is what the hint names)."""
        solutions = oral_solutions(self.g, track.drug.id)
        if solutions:
            return f"an oral solution ({', '.join(solutions)}) would allow smaller steps"
        others = smaller_products(self.g, track.kit)
        if others:
            product, piece = others[0]
            kind = "modified release" if product.modified_release else "immediate release"
            note = ". Changing formulation is a prescriber's decision" if formulation_note else ""
            return (
                f"the formulary's {product.brand} {format_amount(piece)} {track.unit} ({kind}) "
                f"would allow smaller steps{note}"
            )
        if track.kit.patch:
            return "a smaller patch strength would allow smaller steps"
        return "an oral solution or a smaller strength would allow smaller steps"

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
        # How much of the target, at how many dose times (taper/plan/switch.py).
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
        clamped = False
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
        for position, (name, portion) in enumerate(portions):
            share = reference * Fraction(portion) / total
            exact = equivalence.from_reference(conv_to, share, target.drug.id) * keep * sub.scale
            ideal += exact
            if name is None:
                source.loose = None
                target.set_split(target.kit.nearest(ideal, len(target.times)))
            else:
                source.per_time.pop(name)
                if per_dose is not None and exact > per_dose:
                    exact, clamped = per_dose, True  # the rest comes at the other times
                placed = target.kit.per_time_nearest(exact)
                target.per_time[name] = target.per_time.get(name, 0) + placed
                if not target.kit.per_time_makeable(target.per_time[name]):
                    # Several drugs switched into one: their doses at this time add up.
                    at_once = target.kit.amount(target.per_time[name])
                    raise TaperError(
                        f"The switch would give {format_amount(at_once)} {target.unit} of "
                        f"{target.drug.id} at one dose time, more than "
                        f"{target.kit.max_units} {target.kit.pieces_noun} (this tool's "
                        "plausibility limit); check the doses."
                    )
                target.quanta = sum(target.per_time.values())
                last = position == len(portions) - 1
                if last and final and set(target.per_time) != set(target.times):
                    count = len(target.times)
                    quanta = target.quanta
                    if clamped or not target.kit.makeable(quanta, count):
                        quanta = target.kit.nearest(ideal, count)
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
        if final and sw.limits is not None and sw.limits.stabilisation_days > days:
            # On the full substitute dose until it is at steady state, before the first cut.
            extra = sw.limits.stabilisation_days - days
            note = (
                f"held {extra} more days on {target.drug.id} before the first reduction "
                f"(stabilisation after the switch: {sw.limits.stabilisation_days} days in all)"
            )
            seg = Seg("switch", 0, extra, target.amount, target.doses(), note=note)
            self.period([(target, seg)], extra, target.drug.id)
        self.warn(
            "switch",
            "info",
            f"{source.drug.id} is replaced by {target.drug.id} one dose time at a time at the "
            "equivalent dose of the rule file's table. Equivalence tables are approximate; "
            "watch for sedation or withdrawal during the switch.",
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

    def tapers(self) -> None:
        previous: Track | None = None
        for track in self.tracks:
            if track.done:
                continue
            assert track.pace is not None
            self.used(f"rule {track.rule.id} reduction", track.rule.reduction)
            if track.rule.slow_down is not None:
                self.used(f"rule {track.rule.id} slow_down", track.rule.slow_down)
            self.used(f"rule {track.rule.id} max_duration_days", track.rule.max_duration_days)
            track.taper_start = self.day
            if previous is not None or self.options.replan:
                # One interval at the current dose before the first cut: after the previous
                # drug stopped, or from the day of a replan.
                why = (
                    f"held one interval after {previous.drug.id} stopped"
                    if previous is not None
                    else "the current dose, held one interval before the next reduction"
                )
                seg = Seg(
                    "taper", 0, track.pace.interval_days, track.amount, track.doses(), note=why
                )
                self.period([(track, seg)], track.pace.interval_days, track.drug.id)
            self.taper(track)
            previous = track

    def taper(self, track: Track) -> None:
        p = track.pace
        assert p is not None
        kit = track.kit
        times = len(track.times)
        current = Fraction(track.amount)
        base = current
        if track.original is not None:
            base = Fraction(track.original)
        elif self.options.replan and (p.mode == "start" or p.slow_below is not None):
            what = "reduces by a share" if p.mode == "start" else "slows down below a share"
            self.warn(
                "replan-base-current",
                "caution",
                f"Rule {track.rule.id} {what} of the starting dose; no original dose of "
                f"{track.drug.id} was given (--original), so the current dose "
                f"{format_amount(track.amount)} {track.unit} is the base.",
                track.drug.id,
            )
        track.base = to_decimal(base)
        if track.loose is not None:
            track.loose = None
            seg = Seg("taper", 0, None, Decimal(0), [], ideal=Decimal(0), tablet_limited=True)
            track.done = True
            track.stop_day = self.day
            self.period([(track, seg)], 0, track.drug.id)
            return
        steps = trajectory(kit, times, p, track.quanta, base, track.drug.id, track.min_used)
        for step in steps:
            if step.hold:
                self.hold_before_cut(track, step)
            if step.quanta:
                track.set_split(step.quanta)
            else:
                track.quanta = 0
                track.per_time = {}
            seg = Seg(
                "taper",
                0,
                step.interval if step.quanta else None,
                track.amount,
                track.doses(),
                ideal=step.ideal,
                deviation=step.deviation,
                tablet_limited=step.limited,
            )
            if not step.quanta:
                track.done = True
                track.stop_day = self.day
            self.period([(track, seg)], step.interval, track.drug.id)

    def hold_before_cut(self, track: Track, step: TaperStep) -> None:
        """Hold the current dose longer before a cut the tablets force beyond the allowed
        share, so that the average rate stays within the rule (stated on the step)."""
        after = format_amount(track.kit.amount(step.quanta))
        pieces = "patches" if track.kit.patch else "tablets"
        note = (
            f"held {step.hold} more days before the larger cut to {after} {track.unit} "
            f"(the {pieces} cannot make a smaller step; the average rate stays within "
            f"{self.allowed_text(track)})"
        )
        seg = Seg("taper", 0, step.hold, track.amount, track.doses(), note=note)
        self.period([(track, seg)], step.hold, track.drug.id)
        track.held_days += step.hold

    # --- finishing -------------------------------------------------------------------------

    def last_dose_offset(self) -> int:
        return max((t.stop_day if t.stop_day is not None else 0) for t in self.tracks) - 1

    def skeleton(self) -> Skeleton:
        """Everything of the plan that does not depend on its start date (see `dated`)."""
        if self.pending:
            when = self.pending[0][1].on.isoformat()
            raise TaperError(
                f"--pause {when} is not within the taper (it falls after the last dose)."
            )
        last = self.last_dose_offset()
        aftercare_start = last + 1
        cp = self.g.checkpoints
        minimum = None
        if cp is not None and last >= 0:
            minimum = cp.aftercare.minimum
            self.used("checkpoints aftercare", cp.aftercare)
        for track in self.tracks:
            self.close(track, aftercare_start)
        placed, seg_index = self.place()
        self.step_warnings(seg_index)
        dispensing = self.dispensing(placed)
        self.formulary_provenance()
        g = self.g
        return Skeleton(
            guideline=g,
            stamp=_stamp(id=g.id, version=g.version, sha256=self.loaded.sha256, title=g.title),
            language=self.lang,
            placed=tuple(placed),
            last=last,
            aftercare_minimum=minimum,
            classes=frozenset(t.drug.drug_class for t in self.tracks),
            reported={t.drug.id: t.reported for t in self.tracks if t.reported is not None},
            medications=tuple(
                _medication_line(
                    text=t.text,
                    drug=t.drug.id,
                    amount=tidy(t.reported),
                    unit=t.unit,
                    route=t.kit.route,
                )
                for t in sorted(self.tracks, key=lambda t: t.order)
                if t.reported is not None
            ),
            rule_ids=tuple(dict.fromkeys(t.rule.id for t in self.tracks)),
            warnings=tuple(self.warnings),
            dispensing=tuple(dispensing),
            unverified=tuple(self.unverified),
            specialist=self.options.specialist,
            applied_rules=tuple(self.applied(t) for t in self.tracks if t.base is not None),
            replan=self.options.replan,
            tablets_problem=tablets_per_dose_problem(placed),
        )

    def close(self, track: Track, aftercare_start: int) -> None:
        """End a drug's open zero step at the last dose of the plan, then add aftercare (its
        length, in calendar terms, is set when the plan gets its dates)."""
        stop = track.segs[-1]
        assert stop.days is None
        assert stop.amount == 0
        aftercare = Seg("aftercare", aftercare_start, None, Decimal(0), [])
        if stop.start >= aftercare_start:
            # The drug stops on the first day of aftercare: the stop is the aftercare step.
            track.segs.pop()
            aftercare.ideal = stop.ideal
            aftercare.deviation = stop.deviation
            aftercare.tablet_limited = stop.tablet_limited
            aftercare.start = stop.start
        else:
            stop.days = aftercare_start - stop.start
        track.segs.append(aftercare)

    def place(self) -> tuple[list[Placed], dict[int, int]]:
        """Every segment in plan order (by start day, then drug, then the drug's order), as a
        step without dates; and each segment's step number."""
        rank = {id(t): i for i, t in enumerate(self.tracks)}
        order = [
            (seg.start, rank[id(t)], n, t, seg) for t in self.tracks for n, seg in enumerate(t.segs)
        ]
        order.sort(key=_PLACE_ORDER)
        placed: list[Placed] = []
        index_of: dict[int, int] = {}
        for index, (_, _, _, track, seg) in enumerate(order, start=1):
            index_of[id(seg)] = index
            if seg.amount > 0 and not seg.doses and seg.phase != "mapping":
                seg.note = LOOSE_NOTE
            step = _step(
                index=index,
                phase=seg.phase,
                start=_NO_DATE,
                end=_NO_DATE,
                drug=track.drug.id,
                dose=seg.amount,
                unit=track.unit,
                doses=seg.doses,
                ideal=seg.ideal,
                pause=seg.pause,
                note=seg.note,
                deviation=seg.deviation,
                tablet_limited=seg.tablet_limited,
                held_for=seg.held_for,
                replaced_by=seg.replaced_by,
            )
            if seg.days is None:
                assert seg.phase == "aftercare"
                placed.append(Placed(step, seg.start, None))
            else:
                placed.append(Placed(step, seg.start, seg.days))
        return placed, index_of

    def step_warnings(self, index_of: dict[int, int]) -> None:
        for track in self.tracks:
            limited = [s for s in track.segs if s.tablet_limited]
            cuts = [s for s in limited if s.amount > 0]
            stops = [s for s in limited if s.amount == 0]
            if not cuts and not stops:
                self.check_duration(track)
                continue
            hint = self.hint(track, formulation_note=True)
            held = (
                f" The dose before each such cut is held {track.held_days} days longer in "
                "all, so the average rate stays within the allowed speed."
                if track.held_days
                else ""
            )
            if (
                track.rule.switch.policy == "optional"
                and substitute.switches(track.drug, track.rule)
                and track.switch_to is None
                and not track.sources
            ):
                held += (
                    f" Rule {track.rule.id} offers a switch to {track.rule.switch.target} "
                    "(--switch), which allows smaller steps."
                )
            kit = track.kit
            if kit.patch:
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
                    f"{len(cuts)} step(s) of {track.drug.id} (step {numbers}) cut more than "
                    f"{self.allowed_text(track)} allows, because {why}; {hint}.{held}",
                    track.drug.id,
                    steps=numbers,
                )
            if stops:
                before = self.dose_before(track, stops[0])
                large = self.large_stop(track, before)
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
            self.check_duration(track)

    def large_stop(self, track: Track, before: Decimal) -> bool:
        """A stop larger than one full step from the start dose (or the slow-down share)."""
        p = track.pace
        if p is None or track.base is None:
            return False
        top = p.max_percent if p.slow_below is None else max(p.max_percent, p.slow_below)
        return Fraction(before) > Fraction(track.base) * top / 100

    def allowed_text(self, track: Track) -> str:
        """What bounds a cut: the user's --percent when given, otherwise the rule."""
        chosen = track.pace.chosen_percent if track.pace is not None else None
        if chosen is not None:
            return f"the chosen --percent {format_amount(to_decimal(chosen))}"
        return f"rule {track.rule.id}"

    def dose_before(self, track: Track, seg: Seg) -> Decimal:
        position = track.segs.index(seg)
        return track.segs[position - 1].amount if position else Decimal(0)

    def check_duration(self, track: Track) -> None:
        if track.taper_start is None or track.stop_day is None or track.pace is None:
            return
        limit = track.rule.max_duration_days.value
        length = track.stop_day - track.taper_start
        if length > limit:
            self.warn(
                "max-duration-exceeded",
                "caution",
                f"The taper of {track.drug.id} takes {length} days, longer than the {limit} "
                f"days rule {track.rule.id} gives as its maximum. The speed was not changed; "
                "review the plan with the patient.",
                track.drug.id,
                days=str(length),
                limit=str(limit),
            )

    def dispensing(self, placed: list[Placed]) -> list[Dispense]:
        out: list[Dispense] = []
        patches = False
        for item in placed:
            step = item.step
            if not step.doses or step.dose == 0:
                continue
            if step.unit == "mcg/h":
                patches = True
                continue
            assert item.days is not None  # only aftercare runs to a calendar end, at zero
            days = item.days
            for brand, strength, count in _per_day(step.doses):
                out.append(
                    _dispense(
                        step=step.index,
                        drug=step.drug,
                        brand=brand,
                        strength=strength,
                        unit=step.unit,
                        tablets=Decimal(math.ceil(count * days)),
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

    def applied(self, track: Track) -> AppliedRule:
        p = track.pace
        assert p is not None
        assert track.base is not None
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
            doses_per_day=len(track.times),
            base=track.base,
            unit=track.unit,
            switched_from=list(track.sources),
        )


@dataclass(frozen=True, slots=True)
class Placed:
    """A step without dates: its first day and length in days from the plan start (`days`
    None: aftercare, which lasts until a calendar date)."""

    step: Step  # with placeholder dates; never part of a plan (copies with dates are)
    offset: int
    days: int | None


@dataclass(frozen=True, eq=False)
class Skeleton:
    """A plan without its dates: what the planner works out in days from the start.

    Nothing here depends on the start date, so patients with the same rule file, medications
    and options share one (see `_PLAN_MEMO`). Read-only: `dated` copies what it puts in a
    plan, so no plan can change another plan or this skeleton.
    """

    guideline: Guideline
    stamp: GuidelineStamp
    language: Lang
    placed: tuple[Placed, ...]
    last: int  # the last dose day (days from the start); -1: no dose is taken
    aftercare_minimum: str | None  # the rule file's minimum aftercare period (None: 1 day)
    classes: frozenset[DrugClass]
    reported: dict[str, Decimal]  # drug id -> the daily dose taken now (read-only)
    medications: tuple[MedicationLine, ...]
    rule_ids: tuple[str, ...]
    warnings: tuple[PlanWarning, ...]
    dispensing: tuple[Dispense, ...]
    unverified: tuple[str, ...]
    specialist: bool
    applied_rules: tuple[AppliedRule, ...]
    replan: bool
    tablets_problem: str | None  # a dose needing implausibly many tablets (refused)


def dated(skeleton: Skeleton, start: dt.date) -> Plan:
    """The plan of a skeleton starting on `start`: step dates, the aftercare end (calendar
    months) and the checkpoints (weekends) are worked out here. Raises OverflowError past
    the end of the calendar."""
    last = skeleton.last
    last_date = start + dt.timedelta(days=last) if last >= 0 else None
    if skeleton.aftercare_minimum is not None and last_date is not None:
        aftercare_end = add_period(last_date, skeleton.aftercare_minimum)
    else:
        aftercare_end = start + dt.timedelta(days=last + 1)
    steps: list[Step] = []
    for item in skeleton.placed:
        first = start + dt.timedelta(days=item.offset)
        end = aftercare_end if item.days is None else first + dt.timedelta(days=item.days - 1)
        steps.append(from_values(Step, {**item.step.__dict__, "start": first, "end": end}))
    checkpoints = build_checkpoints(
        skeleton.guideline, steps, set(skeleton.classes), start, last_date, skeleton.reported
    )
    if checkpoints:
        # Aftercare lasts at least until the last checkpoint.
        latest = max(c.date for c in checkpoints)
        steps = [
            _copy_with(s, end=latest) if s.phase == "aftercare" and s.end < latest else s
            for s in steps
        ]
    return _plan(
        guideline=skeleton.stamp,
        tool_version=__version__,
        language=skeleton.language,
        timezone=skeleton.guideline.timezone,
        start=start,
        medications=list(skeleton.medications),
        rule_ids=list(skeleton.rule_ids),
        steps=steps,
        checkpoints=checkpoints,
        warnings=[_copy_with(w, params=dict(w.params)) for w in skeleton.warnings],
        dispensing=list(skeleton.dispensing),
        last_dose_date=last_date,
        unverified=list(skeleton.unverified),
        specialist_signoff=skeleton.specialist,
        applied_rules=[
            _copy_with(a, switched_from=list(a.switched_from)) for a in skeleton.applied_rules
        ],
        replan=skeleton.replan,
    )


def make_skeleton(
    medications: list[MedicationInput], loaded: LoadedGuideline, options: PlanOptions
) -> Skeleton:
    builder = Builder(medications, loaded, options)
    builder.resolve()
    builder.check_safety()
    builder.decide_switches()
    builder.order_tracks()
    builder.mapping_and_stabilisation()
    builder.crossovers()
    builder.tapers()
    return builder.skeleton()


# Skeletons of recent plans, by rule file, medications and every option but the start date.
# Many patients of a clinic list share a drug, a dose and the options and differ only in the
# start. Only plans without pauses (absolute dates) are remembered; a rule file is known by
# its sha256, as the kit and drug caches know it. Bounded: the oldest entry goes first.
_PLAN_MEMO: dict[tuple[object, ...], Skeleton] = {}
PLAN_MEMO_SIZE = 2048


def memo_key(
    medications: list[MedicationInput], loaded: LoadedGuideline, options: PlanOptions
) -> tuple[object, ...] | None:
    """What a plan's skeleton depends on; None when it cannot be shared (pauses)."""
    if options.pauses:
        return None
    return (
        loaded.sha256,
        tuple(medications),
        options.lang,
        options.switch,
        options.percent,
        options.interval_days,
        options.specialist,
        options.rule,
        options.replan,
        options.originals,
    )


def check_start(options: PlanOptions) -> None:
    """The first day within the dates plans support (a replan starts on its --on day)."""
    if not EARLIEST_START <= options.start < LATEST_END:
        flag = "--on" if options.replan else "--start"
        raise TaperError(
            f"{flag} {options.start.isoformat()} is outside the dates plans support "
            f"(from {EARLIEST_START.year} until before {LATEST_END.year})."
        )


def build_plan(
    medications: list[MedicationInput], loaded: LoadedGuideline, options: PlanOptions
) -> Plan:
    key = memo_key(medications, loaded, options)
    skeleton = _PLAN_MEMO.get(key) if key is not None else None
    if skeleton is None:
        skeleton = make_skeleton(medications, loaded, options)
        if key is not None:
            if len(_PLAN_MEMO) >= PLAN_MEMO_SIZE:
                del _PLAN_MEMO[next(iter(_PLAN_MEMO))]
            _PLAN_MEMO[key] = skeleton
    else:
        check_start(options)
    try:
        plan = dated(skeleton, options.start)
    except OverflowError:
        plan = None
    if plan is None or plan.steps[-1].end >= LATEST_END:
        raise TaperError(
            f"A plan starting {options.start.isoformat()} would run past the year "
            f"{LATEST_END.year}; give a nearer --start date."
        )
    if skeleton.tablets_problem is not None:
        raise TaperError(skeleton.tablets_problem)
    return plan


def tablets_per_dose_problem(placed: list[Placed]) -> str | None:
    """Doses that need implausibly many tablets at one time (a project limit): the refusal."""
    seen: set[int] = set()  # steps share dose lists: check each list once
    for item in placed:
        step = item.step
        if id(step.doses) in seen:
            continue
        seen.add(id(step.doses))
        for dose in step.doses:
            count = sum((t.count for t in dose.tablets), Decimal(0))
            if count > MAX_TABLETS_PER_DOSE:
                return (
                    f"{format_amount(step.dose)} {step.unit} of {step.drug} a day needs "
                    f"{format_amount(count)} tablets at one dose time, more than this tool's "
                    f"plausibility limit of {MAX_TABLETS_PER_DOSE}; check the dose and unit."
                )
    return None
