"""Periods, holds and pauses: how one drug's new step is placed while the others hold."""

from __future__ import annotations

from taper.errors import TaperError
from taper.plan.options import Pause
from taper.plan.patches import change_days, days_to_change_day, whole_pause_days
from taper.plan.state import BuilderBase
from taper.plan.tracks import Seg, Track


class PeriodsMixin(BuilderBase):
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

    def wait_for_patch_change(self, track: Track) -> None:
        """Before a patch's taper begins: every drug holds until the patch's next change day
        (`days_to_change_day`), so that its dose changes only with a new patch. Another drug's
        switch or taper, or a replan's first steps, can end in the middle of a patch."""
        # Again after a --pause that falls in those days and moves the day off the cycle.
        while wait := days_to_change_day(track, self.day):
            last = track.segs[-1]
            seg = Seg("stabilisation", 0, wait, track.amount, track.doses(), held_for=last.held_for)
            self.period([(track, seg)], wait, track.drug.id)
            if (
                track.segs[-1] is seg
                and last.phase == "stabilisation"
                and not last.pause
                and last.days is not None
                and last.start + last.days == seg.start
                and (last.amount, last.doses) == (seg.amount, seg.doses)
            ):
                last.days += wait  # the same fixed dose, a few days longer
                track.segs.pop()

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
        whole = False  # a pause on it was lengthened to whole patches
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
            days = self.whole_patch_pause(pause, active, policy.max_days, rule.id)
            held += days
            whole = whole or days != pause.days
            if policy.max_days is not None and held > policy.max_days:
                raise TaperError(
                    f"--pause {pause.on.isoformat()}:{pause.days} holds the same step again: "
                    f"{held} pause days on one step{' (in whole patches)' if whole else ''} is "
                    f"more than rule {rule.id} allows (at most {policy.max_days} days per step)."
                )
            pause_start = self.day
            for track, seg in active:
                if seg.days is None:
                    continue
                # The dose of the segment the pause follows: a drug of a group carrying its
                # dose on has already taken its next (track.amount is that one's), and one
                # whose next is its stop is done but still takes this dose (hypothesis: a
                # put-off patch stop left a day without a step).
                track.segs.append(
                    Seg(
                        seg.phase,
                        pause_start,
                        days,
                        seg.amount,
                        seg.doses,
                        pause=True,
                        note=f"pause (--pause {pause.on.isoformat()}:{days}): the dose "
                        "is held, not reduced",
                        held_for=seg.held_for,
                    )
                )
            active_ids = {id(t) for t, _ in active}
            for track in self.living():
                if id(track) not in active_ids:
                    self.hold(track, pause_start, days, held_for)
            self.day += days

    def worn_patches(self, active: list[tuple[Track, Seg]]) -> dict[str, int]:
        """The patches worn through a pause that begins today: drug id -> days per patch."""
        active_ids = {id(t) for t, _ in active}
        wearing = [(t, seg.amount, seg.doses) for t, seg in active if seg.days is not None]
        wearing += [(t, t.amount, t.doses()) for t in self.living() if id(t) not in active_ids]
        out: dict[str, int] = {}
        for track, amount, doses in wearing:
            every = change_days(track.kit)
            patch = any(t.change_hours for d in doses for t in d.tablets)
            if every is not None and amount > 0 and patch:
                out.setdefault(track.drug.id, every)
        return out

    def whole_patch_pause(
        self, pause: Pause, active: list[tuple[Track, Seg]], most: int | None, rule: str
    ) -> int:
        """The pause's days, lengthened to whole patches of every patch worn through it so
        that later patch changes stay on their change days (README: a prescriber changes a
        patch on its day). Said in a warning; refused where the rule's maximum is too short."""
        worn = self.worn_patches(active)
        days, every = whole_pause_days(list(worn.values()), pause.days)
        if days == pause.days:
            return days
        on = pause.on.isoformat()
        drugs = " and ".join(worn)
        if most is not None and days > most:
            fits = list(range(every, most + 1, every))[-2:]
            give = (
                f"give {' or '.join(str(d) for d in fits)} days"
                if fits
                else f"no pause of whole patches fits within {most} days"
            )
            raise TaperError(
                f"--pause {on}:{pause.days}: a pause in a {drugs} patch plan must last whole "
                f"patches, a multiple of {every} days, and rule {rule} allows at most {most} "
                f"days: {give}."
            )
        self.warn(
            "pause-whole-patches",
            "caution",
            f"The pause from {on} was lengthened from {pause.days} to {days} days (a multiple "
            f"of {every} days) so that the {', '.join(worn)} patches are changed on their "
            "days.",
            next(iter(worn)),
            on=on,
            asked=str(pause.days),
            days=str(days),
        )
        return days
