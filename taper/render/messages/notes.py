"""The step notes the planner writes (no code: a note is told by its wording)."""

from __future__ import annotations

from taper.render.messages.patterns import DOSE, ID, LIQUID, N_, TOPPED_UP, Piece, piece

# Step notes (no code: a note is told by its wording).
NOTES: tuple[Piece, ...] = (
    piece(
        rf"held (?P<days>\d+) more days before the larger cut to (?P<dose>{DOSE}) \(the "
        r"tablets cannot make a smaller step; the average rate stays within (?P<allowed>[^()]+)\)",
        N_(
            "held %(days)s more days before the larger cut to %(dose)s (the tablets cannot "
            "make a smaller step; the average rate stays within %(allowed)s)"
        ),
    ),
    piece(
        rf"held (?P<days>\d+) more days before the larger cut to (?P<dose>{DOSE}) \(the "
        r"patches cannot make a smaller step; the average rate stays within (?P<allowed>[^()]+)\)",
        N_(
            "held %(days)s more days before the larger cut to %(dose)s (the patches cannot "
            "make a smaller step; the average rate stays within %(allowed)s)"
        ),
    ),
    piece(
        rf"held (?P<days>\d+) more days before the larger cut to (?P<dose>{DOSE}) \(the "
        r"tablets cannot make a smaller step; no longer than rule (?P<rule>[^\s()]+) allows at "
        r"one dose, so the cut is larger than its step\)",
        N_(
            "held %(days)s more days before the larger cut to %(dose)s (the tablets cannot "
            "make a smaller step; no longer than rule %(rule)s allows at one dose, so the cut "
            "is larger than its step)"
        ),
    ),
    piece(
        rf"held (?P<days>\d+) more days on (?P<drug>{ID}) before the first reduction "
        rf"\(stabilisation after the switch: (?P<all>\d+) days in all\)",
        N_(
            "held %(days)s more days on %(drug)s before the first reduction (stabilisation "
            "after the switch: %(all)s days in all)"
        ),
    ),
    piece(
        rf"held one interval after (?P<drug>{ID}) stopped",
        N_("held one interval after %(drug)s stopped"),
    ),
    piece(
        r"the current dose, held one interval before the next reduction",
        N_("the current dose, held one interval before the next reduction"),
    ),
    piece(
        r"pause \(--pause (?P<date>\d{4}-\d{2}-\d{2}):(?P<days>\d+)\): the dose is held, not "
        r"reduced",
        N_("pause of %(days)s days from %(date)s: the dose is held, not reduced"),
    ),
    piece(
        r"as taken now: the formulary's tablets cannot make this dose",
        N_("as taken now: the formulary's tablets cannot make this dose"),
    ),
    piece(
        rf"held (?P<days>\d+) more days before the larger cut to (?P<dose>{DOSE}) \(the oral "
        rf"solution, measured in (?P<measure>{DOSE}), cannot make a smaller step; the average "
        r"rate stays within (?P<allowed>[^()]+)\)",
        N_(
            "held %(days)s more days before the larger cut to %(dose)s (the oral solution, "
            "measured in %(measure)s, cannot make a smaller step; the average rate stays "
            "within %(allowed)s)"
        ),
    ),
    piece(
        rf"from here {LIQUID} instead of (?P<former>.+?): (?P<pieces>the depot tablets|the "
        r"tablets|the capsules) cannot make the next step",
        N_(
            "from here %(brand)s %(concentration)s (oral solution, measured with %(device)s) "
            "instead of %(former)s: %(pieces)s cannot make the next step"
        ),
    ),
    piece(
        rf"from here {TOPPED_UP}: the depot tablets cannot make the next step alone; the "
        r"solution gives only the rest of each dose",
        N_(
            "from here %(depot)s (modified release) topped up with %(brand)s %(concentration)s "
            "(oral solution, measured with %(device)s): the depot tablets cannot make the next "
            "step alone; the solution gives only the rest of each dose"
        ),
    ),
    piece(
        r"from here (?P<brand>.+?) \(immediate release\) instead of (?P<old>.+?) \(modified "
        r"release\): the depot tablets cannot make the next step",
        N_(
            "from here %(brand)s (immediate release) instead of %(old)s (modified release): "
            "the depot tablets cannot make the next step"
        ),
    ),
    piece(
        r"held (?P<days>\d+) more days before the stop \(one interval at a dose within the stop "
        r"dose of rule (?P<rule>[^\s()]+)\)",
        N_(
            "held %(days)s more days before the stop (one interval at a dose within the stop "
            "dose of rule %(rule)s)"
        ),
    ),
)

# A patch's step notes: the same sentences in a patch's words (its strengths, not tablets);
# read for every reader, English too, since the planner's English says "tablets".
PATCH_NOTES: tuple[Piece, ...] = (
    piece(
        NOTES[0].source,
        N_(
            "held %(days)s more days before the larger cut to %(dose)s (the patch strengths "
            "cannot make a smaller step; the average rate stays within %(allowed)s)"
        ),
    ),
    *NOTES[1:],
)
