"""Several drugs of one class (two opioids): which starts, and how long another may wait.

Without a `several_drugs` block in the rule, the builder tapers a patient's drugs one after
another: the next drug's first cut comes one interval after the previous drug stopped, and
meanwhile it waits at its full dose (two opioids under a slow rule: years). With the block
(the first drug's rule decides for its class), the drugs of the class form a group:

- they start in the rule's `first` order (`immediate-release`: tablets and capsules given as
  they are before depot tablets and patches; `as-given`: the order of the medications);
- the next one starts one interval after the previous stopped, as without the block, but no
  drug waits at its full dose longer than `max_wait_days` after the group's first cut: then
  its own taper begins alongside the others. `max_wait_days: 0` tapers them together, each by
  the rule's share of its own dose, so the total oral morphine equivalent falls by that share.

Each drug keeps its own rule, pace and tablets, so every limit of a single-drug taper holds,
and no dose ever rises: the total of the class never rises either. The drugs' steps are laid
on one calendar: a period ends wherever any drug changes, and a drug in the middle of a step
carries it on (the pieces are joined again into one step afterwards).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING

from taper.guideline.model import SeveralDrugs
from taper.plan.holds import longest_run_days
from taper.plan.patches import days_to_change_day, whole_patch_days
from taper.plan.regimen import in_reference

if TYPE_CHECKING:
    from taper.plan.builder import Builder
    from taper.plan.tracks import Seg, Track


def class_groups(tracks: list[Track]) -> list[list[Track]]:
    """The tracks in runs of one drug class whose rules have a strategy (the builder orders
    tracks by class first); a drug whose rule has none (a substitution drug under its
    specialist rule) is a group of its own, tapered one after another as before."""
    groups: list[list[Track]] = []
    for track in tracks:
        last = groups[-1][-1] if groups else None
        if (
            last is not None
            and last.drug.drug_class == track.drug.drug_class
            and last.rule.several_drugs is not None
            and track.rule.several_drugs is not None
        ):
            groups[-1].append(track)
        else:
            groups.append([track])
    return groups


def strategy(group: list[Track]) -> SeveralDrugs | None:
    """The rule's strategy for a group of two or more drugs of one class, or None."""
    if len(group) < 2:
        return None
    return group[0].rule.several_drugs


def _depot(track: Track) -> bool:
    return track.kit.modified_release or track.kit.patch


def ordered(group: list[Track], block: SeveralDrugs) -> list[Track]:
    """The group in the order its tapers start (stable: ties keep the builder's order)."""
    if block.first == "immediate-release":
        return sorted(group, key=_depot)
    return list(group)


class _Course:
    """One drug's taper inside the group: its segments as the builder makes them, the one
    taken but not yet placed, how many days of the current one are left, and the pieces it
    was carried on in (joined again at the end)."""

    def __init__(self, track: Track, steps: Iterator[tuple[Seg, int]], hold: Seg | None) -> None:
        self.track = track
        self.steps = steps
        self.left = 0
        self.seg: Seg | None = None
        self.pending: tuple[Seg, int, bool] | None = None  # segment, days, changes the dose
        self.before: Seg | None = None  # the dose before the taken segment, while not begun
        self.begun: int | None = None  # the day the drug's own taper steps began
        self.hold = hold  # the interval at its dose before its own steps, if any
        self.pieces: set[int] = set()
        self.since = 0  # the day the drug's dose last changed (its run at one dose began)

    def take(self) -> None:
        """Take the drug's next segment (its generator sets the drug's new dose now)."""
        track = self.track
        before, doses = track.amount, track.doses()
        seg, days = next(self.steps)
        self.pending = (seg, days, seg.amount != before)
        if self.seg is None:
            self.before = dataclasses.replace(
                seg,
                days=0,
                amount=before,
                doses=doses,
                note=None,
                ideal=None,
                deviation=None,
                tablet_limited=False,
            )

    def place(self, day: int, active: list[tuple[Track, Seg]], running: list[_Course]) -> None:
        """Put the taken segment into today's period (at the stop the drug leaves `running`)."""
        assert self.pending is not None
        seg, days, changes = self.pending
        self.pending = None
        if changes:
            self.since = day
        if self.begun is None and seg is not self.hold:
            self.begun = day
        active.append((self.track, seg))
        if seg.days is None:
            self.track.stop_day = day  # the day it is placed, if a clash put it off
            running.remove(self)
            return
        self.seg = seg
        self.left = days

    def current_amount(self) -> Decimal:
        """The dose the drug is at in the placed plan (before its pending segment)."""
        current = self.seg if self.seg is not None else self.before
        return self.track.amount if current is None else current.amount

    def carry_on(self, active: list[tuple[Track, Seg]]) -> None:
        """The current segment goes on through today's period (as a piece, joined later)."""
        current = self.seg if self.seg is not None else self.before
        assert current is not None
        piece = dataclasses.replace(current, note=None, pause=False)
        self.pieces.add(id(piece))
        active.append((self.track, piece))


def _course(builder: Builder, track: Track, hold: Seg | None) -> Iterator[tuple[Seg, int]]:
    if hold is not None:
        yield hold, hold.days or 0
    yield from builder.taper_steps(track)


def _days(seg: Seg | None) -> int:
    return 0 if seg is None or seg.days is None else seg.days


def _reference(builder: Builder, track: Track, amount: Decimal) -> Fraction | None:
    """`amount` of the track's drug in the class's reference (oral morphine mg a day)."""
    return in_reference(builder.g, track.drug, track.kit.unit, track.kit.route, amount)


def room(course: _Course, day: int) -> int:
    """Days the drug may still stay at its dose within the rule's longest run at one dose."""
    pace = course.track.pace
    if pace is None:
        return 0
    return course.since + longest_run_days(pace, course.track.kit) - day


class _GroupPace:
    """The group's total against the rule's pace (clinician review 8: us-cdc-2022 oxycodone
    and hydromorphone, each at 10 % a month of its own dose, took the total down 21 % in a
    month where a stop of one fell beside the other's cut). A drug's change is put off while
    it and the other drugs' changes of the last interval together cut more of the total than
    the rule's largest share allows; a change alone is never put off (its own limits hold),
    so the taper always goes on, only slower."""

    def __init__(self, builder: Builder, order: list[Track]) -> None:
        self.builder = builder
        pace = order[0].pace
        self.interval = 0 if pace is None else pace.interval_days
        self.share = Fraction(0) if pace is None else Fraction(pace.max_percent) / 100
        self.mode = None if pace is None else pace.mode
        amounts = [_reference(builder, t, t.amount) for t in order]
        self.start = None if None in amounts else sum(a for a in amounts if a is not None)
        self.cuts: list[tuple[int, Track, Fraction]] = []  # day, drug, cut of the total

    def wait(self, course: _Course, running: list[_Course], day: int) -> int:
        """Days to put off `course`'s pending change (0: it goes today)."""
        if self.start is None or self.interval <= 0 or course.pending is None:
            return 0
        track = course.track
        before = _reference(self.builder, track, course.current_amount())
        after = _reference(self.builder, track, course.pending[0].amount)
        if before is None or after is None or after >= before:
            return 0
        recent = [c for c in self.cuts if c[0] > day - self.interval and c[1] is not track]
        if not recent:
            return 0
        totals = [_reference(self.builder, c.track, c.current_amount()) for c in running]
        if None in totals:
            return 0
        cut_before = sum(c[2] for c in self.cuts if c[0] > day - self.interval)
        total = sum(t for t in totals if t is not None) + cut_before  # at the window's start
        base = total if self.mode == "current" else self.start
        if cut_before + before - after <= base * self.share:
            return 0
        # Never past the rule's longest run at one dose (`taper.plan.holds`): a change that
        # cannot wait so long goes, and the group's total falls faster for that interval.
        return max(0, min(recent[0][0] + self.interval - day, room(course, day)))

    def record(self, track: Track, day: int, before: Decimal, after: Decimal) -> None:
        """A placed change of a drug, for the window of the next ones."""
        was = _reference(self.builder, track, before)
        now = _reference(self.builder, track, after)
        if was is not None and now is not None and now < was:
            self.cuts.append((day, track, was - now))


def taper_group(builder: Builder, group: list[Track], previous: Track | None) -> Track:
    """Taper a group of drugs of one class by the rule's strategy; the last drug to stop.

    Only one drug's dose changes on a day (as in every plan): when two changes fall on the
    same day, a drug's first cut goes first, then the earlier drug in the order; the other
    keeps its dose one more day (a patch: until its next patch-change day)."""
    block = strategy(group)
    assert block is not None
    order = ordered(group, block)
    rule = order[0].rule
    builder.used(f"rule {rule.id} several_drugs", block)
    names = ", ".join(t.drug.id for t in order)
    builder.warn(
        "several-drugs",
        "info",
        f"Tapered in turn (rule {rule.id}): {names}; each next one starts one interval "
        f"after the previous one stopped, or at the latest {block.max_wait_days} days after "
        "the first cut, and is then tapered alongside; a dose change waits while the drugs "
        "together would cut more of their total in one interval than the rule allows.",
        names=names,
        wait=str(block.max_wait_days),
    )
    first = order[0]
    hold = builder.begin_taper(first, previous)
    # The group's first cut: no other drug waits at its full dose longer than this after it.
    first_cut = builder.day + _days(hold)
    deadline = first_cut + block.max_wait_days
    pace = _GroupPace(builder, order)
    running: list[_Course] = [_Course(first, _course(builder, first, hold), hold)]
    courses = list(running)
    waiting = order[1:]
    while running or waiting:
        # A waiting drug starts when the one before it has stopped (after one interval at
        # its dose), or at the deadline (at once); a patch on its next change day.
        to_change_day = 0
        while waiting and (builder.day >= deadline or courses[-1].track.done):
            to_change_day = days_to_change_day(waiting[0], builder.day)
            if to_change_day and not running:
                builder.wait_for_patch_change(waiting[0])  # nothing else changes meanwhile
                continue
            if to_change_day:
                break
            track = waiting.pop(0)
            late = builder.day >= deadline
            hold = builder.begin_taper(
                track,
                None if late else courses[-1].track,
                most_days=max(0, deadline - builder.day),
            )
            course = _Course(track, _course(builder, track, hold), hold)
            running.append(course)
            courses.append(course)
        for course in running:
            if course.left == 0 and course.pending is None:
                course.take()
        due = [c for c in running if c.left == 0]
        changes = [c for c in due if c.pending is not None and c.pending[2]]
        # A drug's own first cut keeps the rule's wait (`max_wait_days`); a later change
        # waits while the group's total would fall faster than the rule.
        waits = {id(c): pace.wait(c, running, builder.day) for c in changes if c.begun}
        ready = [c for c in changes if not waits.get(id(c))]
        # Of two changes due on one day, one at the end of its longest run goes first.
        goes = min(
            ready,
            key=lambda c: (room(c, builder.day) > 0, c.begun is not None, courses.index(c)),
            default=None,
        )
        active: list[tuple[Track, Seg]] = []
        for course in list(running):
            if course in due and (course is goes or course not in changes):
                if course is goes and course.pending is not None:
                    amount = course.current_amount()
                    pace.record(course.track, builder.day, amount, course.pending[0].amount)
                course.place(builder.day, active, running)
            else:
                course.carry_on(active)
                if course in due:
                    # Put off one day (or until the group's pace allows it); a patch's dose
                    # changes only with a new patch, so a patch is put off until its next
                    # change day.
                    days = max(1, waits.get(id(course), 0))
                    course.left = whole_patch_days(course.track.kit, days)
        spans = [c.left for c in running]
        if waiting and deadline > builder.day:
            spans.append(deadline - builder.day)
        if to_change_day:
            spans.append(to_change_day)
        span = min(spans) if spans else 0
        for _, seg in active:
            if seg.days is not None:
                seg.days = span
        assert active  # every running drug places a segment or carries one on
        builder.period(active, span, active[0][0].drug.id)
        for course in running:
            course.left -= span
    for course in courses:
        _join(course.track, course.pieces)
    _check_waits(builder, courses, first_cut, block.max_wait_days, rule.id)
    _check_group_duration(builder, order, first_cut, rule.id, rule.max_duration_days.value)
    return max(order, key=lambda t: (t.stop_day or 0, -order.index(t)))


def _check_waits(
    builder: Builder, courses: list[_Course], first_cut: int, most: int, rule_id: str
) -> None:
    """A drug whose own taper began later than the rule allows (a clash of three first cuts
    on one day): a high warning, never a silent longer wait."""
    for course in courses:
        if course.begun is None:
            continue
        waited = course.begun - first_cut
        # A patch waits for its next patch change (builder.begin_taper, `taper_group`).
        track = course.track
        allowed = max(
            whole_patch_days(track.kit, most),
            most + days_to_change_day(track, first_cut + most),
        )
        if waited > allowed:
            builder.warn(
                "several-drugs-wait",
                "high",
                f"{track.drug.id} waits {waited} days at its full dose before its taper "
                f"begins, longer than the {most} days rule {rule_id} allows, because another "
                "drug's dose changes on the same days.",
                track.drug.id,
                days=str(waited),
                limit=str(most),
            )


def _join(track: Track, pieces: set[int]) -> None:
    """Join each carried-on piece to the step before it (same dose, right after it)."""
    if not pieces:
        return
    joined: list[Seg] = []
    for seg in track.segs:
        before = joined[-1] if joined else None
        if (
            id(seg) in pieces
            and before is not None
            and before.days is not None
            and seg.days is not None
            and before.start + before.days == seg.start
            and before.amount == seg.amount
            and not before.pause
        ):
            before.days += seg.days
            continue
        joined.append(seg)
    track.segs[:] = joined


def _check_group_duration(
    builder: Builder, order: list[Track], first_cut: int, rule_id: str, limit: int
) -> None:
    """Over the rule's maximum duration: a high warning saying why."""
    stops = [t.stop_day for t in order if t.stop_day is not None]
    if not stops:
        return
    length = max(stops) - first_cut
    if length <= limit:
        return
    last = max(order, key=lambda t: t.stop_day or 0)
    own = (last.stop_day or 0) - (last.taper_start or 0)
    waited = (last.taper_start or 0) - first_cut
    why = f"{last.drug.id} alone takes {own} days at its rule's pace and tablets"
    if waited > 0:
        why += f", after waiting {waited} days at its full dose"
    names = ", ".join(t.drug.id for t in order)
    builder.warn(
        "several-drugs-duration",
        "high",
        f"Tapering {names} takes {length} days from the first cut to the last dose, longer "
        f"than the {limit} days rule {rule_id} gives as its maximum, because {why}. Review the "
        "plan with the patient: a faster speed the rule allows, or a specialist's advice.",
        names=names,
        days=str(length),
        limit=str(limit),
    )
