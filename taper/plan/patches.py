"""Patches are worn whole for their label's interval (fentanyl 72 hours, buprenorphine pain
patches 7 days; `regimen.interval_hours` in the rule file).

- `change_days`: the days one patch is worn (None when the interval is not whole days or the
  rule file gives none);
- `whole_patch_days`: a step's length rounded up to whole patches, so that no strength
  changes in the middle of a patch (fentanyl: steps of 7 or 14 days become 9 or 15). Rounding
  up only ever slows a taper (project choice, documented in README);
- `patches_for`: how many patches a step of some days needs, for dispensing;
- `days_to_change_day`: how far a day is from a drug's next patch-change day, counted from
  the first day the plan has the patch worn (`first_worn`; the patient's pages count from
  there too, `taper.render.sheet_patches`);
- `whole_pause_days`: a `--pause` lengthened to whole patches (with a warning, README).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from taper.plan.tablets import Kit

if TYPE_CHECKING:
    from taper.plan.tracks import Track


def change_hours(kit: Kit) -> int | None:
    """The shortest label interval of the kit's patches, in hours (None: not a patch kit, or
    no interval)."""
    if not kit.patch:
        return None
    hours = [
        p.regimen.interval_hours
        for p in kit.products
        if p.regimen is not None and p.regimen.interval_hours
    ]
    return min(hours) if hours else None


def change_days(kit: Kit) -> int | None:
    hours = change_hours(kit)
    if hours is None or hours % 24:
        return None
    return hours // 24


def whole_patch_days(kit: Kit, days: int) -> int:
    """`days` rounded up to a whole number of patch changes."""
    every = change_days(kit)
    if every is None or days <= 0:
        return days
    return -(-days // every) * every


def patches_for(days: int, hours: int) -> int:
    """Patches of one kind worn for `days` when each is changed every `hours`."""
    return math.ceil(days * 24 / hours)


def patches_put_on(first: int, offset: int, days: int, hours: int) -> int:
    """Patches put on in the `days` from `offset` (days from the plan start) when the first
    went on on day `first` and each is changed every `hours`: a step that begins in the middle
    of a patch (another drug's change split the row) wears that patch on and needs one fewer
    than `patches_for` counts (clinician review 14, D4: 16 fentanyl patches dispensed, 15
    worn). A cycle not of whole days is counted as `patches_for` does."""
    if hours % 24 or offset < first:
        return patches_for(days, hours)
    every = hours // 24
    before = -(-(offset - first) // every)  # changes on days first .. offset - 1
    through = -(-(offset + days - first) // every)  # changes on days first .. offset + days - 1
    return through - before


def days_to_change_day(track: Track, day: int) -> int:
    """Days from `day` (from the plan start) to the track's next patch-change day: 0 on a
    change day, for a drug not worn as patches on a whole-day cycle, or before its first
    patch. The cycle starts on the first day a patch of the plan is worn (the first fixed-dose
    day, or a replan's first day) and runs on, whatever the other drugs do meanwhile."""
    every = change_days(track.kit)
    worn = first_worn(track)
    if every is None or worn is None:
        return 0
    return -(day - worn) % every


def first_worn(track: Track) -> int | None:
    """The first day (from the plan start) the plan has the track's patch worn; None when
    it has none yet (or the drug is not a patch)."""
    return next(
        (
            seg.start
            for seg in track.segs
            if seg.phase != "mapping"
            and seg.amount > 0
            and any(t.change_hours for d in seg.doses for t in d.tablets)
        ),
        None,
    )


def whole_pause_days(worn: list[int], days: int) -> tuple[int, int]:
    """A pause of `days` lengthened to a whole number of patches of every patch worn through
    it (`worn`: their days per patch), so that the patches' later changes stay on their
    change days; and the days it is a multiple of (1 without a patch)."""
    every = math.lcm(*worn) if worn else 1
    return -(-days // every) * every, every
