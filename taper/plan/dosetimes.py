"""Dose times through a taper: the dose at a time of day never rises, a dropped dose time
never returns, and no dose time needs more than two strengths.

A drug's doses of one day are a vector: the quanta at each of its dose times, in the order
of the day. `next_vector` shares a new (lower) daily dose over the dose times so that every
time gets at most what it had before, a time at zero stays at zero, and at least `min_used`
times keep a dose. Among such vectors it takes the most even one (larger shares later in the
day, as `Kit.split` does), so the time dropped first is the earliest in the day: the evening
(or bedtime) dose is kept longest -- the default order in which dose times are dropped.

A long-acting drug the rule names in `fewer_dose_times` (diazepam) sheds its dose times as
its dose falls (`tail`): below the rule's amount at one dose time, the step's cut comes from
the dose time dropped first, down to zero over the steps, rather than shared evenly, so the
day ends on one dose (clinician review 8, issue 15: diazepam 0.2 + 0.2 + 0.4 mg of a
suspension three times a day). Above that amount the cut is shared as before. The daily dose
is the same; a dose time only falls (never merges into another: that would raise it).
"""

from __future__ import annotations

from fractions import Fraction
from itertools import product

from taper.guideline.model import TaperRule
from taper.plan.pieces import MAX_STRENGTHS_AT_ONCE, beyond_depot_spread, mixes_parts
from taper.plan.tablets import Kit

# Beyond this many combinations a vector is searched greedily (one time cut at a time).
_SEARCH_LIMIT = 60_000


def strengths_at(kit: Kit, quanta: int) -> int:
    """How many different strengths one dose time of `quanta` takes."""
    if quanta <= 0 or kit.free:
        return 0
    return len({(piece.product, piece.strength) for piece in kit.pieces_for(quanta)})


def usable(kit: Kit, quanta: int) -> bool:
    """A dose at one time the kit makes from at most two strengths."""
    return quanta == 0 or (
        kit.per_time_makeable(quanta) and strengths_at(kit, quanta) <= MAX_STRENGTHS_AT_ONCE
    )


def mixes_parts_at(kit: Kit, vector: tuple[int, ...]) -> bool:
    """Whether a dose time of `vector` takes a part tablet beside another strength (tablets
    only: a solution's measures and a depot's top-up are no part tablets)."""
    if kit.liquid is not None or kit.patch or kit.shares_itself or kit.free:
        return False
    return any(q > 0 and mixes_parts(kit.pieces_for(q)) for q in vector)


def fits(kit: Kit, before: tuple[int, ...], after: tuple[int, ...]) -> bool:
    """`after` keeps every rule against `before`: no time rises, no dropped time returns,
    each time made from at most two strengths."""
    return all(a <= b for a, b in zip(after, before, strict=True)) and all(
        usable(kit, a) for a in after
    )


def tail_quanta(rule: TaperRule, drug: str, kit: Kit) -> int | None:
    """The rule's `fewer_dose_times` amount for `drug` in quanta of `kit` (a dose time of fewer
    quanta is below it); None when the drug's cut is shared evenly over its dose times."""
    for entry in rule.fewer_dose_times:
        if entry.drug == drug:
            return kit.quanta_ceil(Fraction(entry.below))
    return None


def _kept_first(
    vector: tuple[int, ...], kept_order: tuple[int, ...], tail: int | None
) -> tuple[int, ...]:
    """With a `tail`: each dose time's dose up to the tail amount, negated, the time kept
    longest first (`kept_order`) -- smallest for the vector whose cut falls on the times
    dropped first (a later time is lowered below the tail only when every earlier one is at
    zero, as far as the pieces allow). Doses above the tail count alike, so their excess is
    still shared evenly. () without one."""
    if tail is None:
        return ()
    return tuple(-min(vector[i], tail) for i in kept_order)


def lopsided(kit: Kit, vector: tuple[int, ...]) -> bool:
    """A depot tablet day whose largest dose is more than `DEPOT_SPREAD` times its smallest."""
    return kit.modified_release and not kit.patch and beyond_depot_spread(vector)


def _evenness(
    vector: tuple[int, ...], drop: tuple[int, ...], mixed: int, new: int, near: int, fine: int
) -> tuple[int, bool, int, bool, int, int, int, int]:
    """Sort key: as many dose times kept as possible (a time is dropped only when the dose
    can no longer be shared, as `Kit.split` does); then, among splits whose spread is at
    most `near` (the smallest whole tablet), the fewest dose times that mix a part tablet
    with another strength (`mixed`: 7.5 + 8 + 9 mg of diazepam rather than 8 + 8 + 8.5, where
    8.5 mg is 1½ x 5 mg + ½ x 2 mg); then, among splits whose spread is at most `fine` (the
    smallest piece), the fewest strengths the day before did not take (`new`: 2 + 3 + 3 mg of
    2 mg tablets after 3 + 3 + 3, not ½ x 5 mg twice and back to 2 mg tablets the step after;
    clinician review 4, D5); then the smallest
    spread, then the times the rule drops first (`drop`: each time's rank, lower dropped
    first), then larger shares later in the day."""
    used = [v for v in vector if v]
    spread = max(used) - min(used) if used else 0
    dropped = sum(rank for rank, v in zip(drop, vector, strict=True) if not v)
    later = -sum(i * v for i, v in enumerate(vector))
    return -len(used), spread > near, mixed, spread > fine, new, spread, dropped, later


def _strengths(kit: Kit, quanta: int) -> frozenset[tuple[int, object]]:
    """The products and strengths one dose time of `quanta` takes."""
    if quanta <= 0:
        return frozenset()
    return frozenset((piece.product, piece.strength) for piece in kit.pieces_for(quanta))


def next_vector(
    kit: Kit,
    before: tuple[int, ...],
    daily: int,
    min_used: int = 1,
    drop: tuple[int, ...] | None = None,
    tail: int | None = None,
) -> tuple[int, ...] | None:
    """The most even vector of `daily` quanta within `before` (see module docstring), or
    None if there is none; `drop` ranks the dose times in the order the rule drops them
    (default: the earliest in the day first); below `tail` quanta at a dose time (a
    long-acting drug's `fewer_dose_times`) the cut falls on the time dropped first."""
    if kit.shares_itself:
        return kit.share_within(before, daily, min_used)
    ranks = drop if drop is not None else tuple(range(len(before)))
    if daily == 0:
        return (0,) * len(before)
    if daily > sum(before):
        return None
    # The doses one time can take, largest first: each checked once for all the times.
    doses = [q for q in range(max(before, default=0), 0, -1) if usable(kit, q)]
    possible = set(doses)
    choices = [[*(q for q in doses if q <= top), 0] for top in before]
    size = 1
    for values in choices:
        size *= len(values)
    best: tuple[int, ...] | None = None
    best_key: tuple[tuple[int, ...], int, bool, int, bool, int, int, int, int] | None = None
    # Part tablets beside another strength matter only for kits of several strengths.
    several = len({(p.product, p.strength) for p in kit.pieces}) > 1 and kit.liquid is None
    near = min((p.size for p in kit.pieces if p.fraction == 1), default=0)
    mixes: dict[int, bool] = {}
    # The strengths the day before took, where tablets are split (D5): a strength new to the
    # day counts once. Whole tablets (depot ones) keep the most even split.
    halves = several and any(p.fraction != 1 for p in kit.pieces)
    old = frozenset().union(*(_strengths(kit, q) for q in before)) if halves else frozenset()
    # The dose times from the one kept longest to the one dropped first (a tail's order).
    kept_order = tuple(sorted(range(len(before)), key=lambda i: -ranks[i]))
    if size <= _SEARCH_LIMIT:
        for combo in product(*choices[:-1]):
            rest = daily - sum(combo)
            if rest < 0 or rest > before[-1] or (rest and rest not in possible):
                continue
            vector = (*combo, rest)
            if sum(1 for v in vector if v) < min_used or lopsided(kit, vector):
                continue
            mixed = new = 0
            if several:
                for v in vector:
                    if v not in mixes:
                        # A dose time of v takes a part tablet beside another strength.
                        mixes[v] = v > 0 and mixes_parts(kit.pieces_for(v))
                    mixed += mixes[v]
                if halves:
                    new = len(frozenset().union(*(_strengths(kit, v) for v in vector)) - old)
            key = (
                _kept_first(vector, kept_order, tail),
                *_evenness(vector, ranks, mixed, new, near, kit.smallest),
            )
            if best_key is None or key < best_key:
                best, best_key = vector, key
        return best
    return _greedy(kit, before, daily, min_used, ranks, tail)


def _greedy(
    kit: Kit,
    before: tuple[int, ...],
    daily: int,
    min_used: int,
    ranks: tuple[int, ...],
    tail: int | None = None,
) -> tuple[int, ...] | None:
    """Cut the largest dose time first (of equals, the one the rule drops first) by the
    smallest amount it can give, until the day holds `daily`: the cut is spread as evenly as
    the pieces (an oral syringe's graduations) allow, 13 + 13 + 14 + 14 mg rather than
    9 + 15 + 15 + 15. With a `tail`, the doses above it are cut so first, then the time the
    rule drops first. If that finds nothing, each time gives as much as it can at once."""
    found = _greedy_cut(kit, before, daily, min_used, ranks, tail, even=True)
    if found is None:
        found = _greedy_cut(kit, before, daily, min_used, ranks, tail, even=False)
    return found


def _greedy_cut(
    kit: Kit,
    before: tuple[int, ...],
    daily: int,
    min_used: int,
    ranks: tuple[int, ...],
    tail: int | None,
    *,
    even: bool,
) -> tuple[int, ...] | None:
    vector = list(before)
    excess = sum(vector) - daily
    while excess > 0:
        # A dose the step before took from three strengths (an evened-out start) is cut
        # first, so that every dose of a reduction keeps the two-strengths rule; with a tail,
        # the doses above it (largest first), then the one the rule drops first.
        order = sorted(range(len(vector)), key=lambda i: _cut_order(kit, vector[i], ranks[i], tail))
        for index in order:
            current = vector[index]
            if not current:
                continue
            floor = max(current - excess, 0)
            kept = sum(1 for v in vector if v)
            # Evenly: the largest dose below the current one; else the smallest.
            candidates = range(current - 1, floor - 1, -1) if even else range(floor, current)
            target = next(
                (q for q in candidates if usable(kit, q) and (q or kept > min_used)),
                None,
            )
            if target is not None:
                vector[index] = target
                excess -= current - target
                break
        else:
            return None
    if excess or not all(usable(kit, v) for v in vector):
        return None
    return tuple(vector)


def _cut_order(kit: Kit, dose: int, rank: int, tail: int | None) -> tuple[bool, bool, int, int]:
    """Which dose time `_greedy_cut` cuts first: one no two strengths make, then the largest
    (of equals, the one dropped first); with a tail, at or below it the one dropped first."""
    below = tail is not None and dose <= tail
    return usable(kit, dose), below, rank if below else -dose, rank
