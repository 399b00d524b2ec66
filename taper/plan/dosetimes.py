"""Dose times through a taper: the dose at a time of day never rises, a dropped dose time
never returns, and no dose time needs more than two strengths.

A drug's doses of one day are a vector: the quanta at each of its dose times, in the order
of the day. `next_vector` shares a new (lower) daily dose over the dose times so that every
time gets at most what it had before, a time at zero stays at zero, and at least `min_used`
times keep a dose. Among such vectors it takes the most even one (larger shares later in the
day, as `Kit.split` does), so the time dropped first is the earliest in the day: the evening
(or bedtime) dose is kept longest -- the default order in which dose times are dropped.
"""

from __future__ import annotations

from itertools import product

from taper.plan.pieces import mixes_parts
from taper.plan.tablets import Kit

# Beyond this many combinations a vector is searched greedily (one time cut at a time).
_SEARCH_LIMIT = 60_000
# At most this many strengths (products and strengths) at one dose time.
MAX_STRENGTHS_AT_ONCE = 2


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
) -> tuple[int, ...] | None:
    """The most even vector of `daily` quanta within `before` (see module docstring), or
    None if there is none; `drop` ranks the dose times in the order the rule drops them
    (default: the earliest in the day first)."""
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
    best_key: tuple[int, bool, int, bool, int, int, int, int] | None = None
    # Part tablets beside another strength matter only for kits of several strengths.
    several = len({(p.product, p.strength) for p in kit.pieces}) > 1 and kit.liquid is None
    near = min((p.size for p in kit.pieces if p.fraction == 1), default=0)
    mixes: dict[int, bool] = {}
    # The strengths the day before took, where tablets are split (D5): a strength new to the
    # day counts once. Whole tablets (depot ones) keep the most even split.
    halves = several and any(p.fraction != 1 for p in kit.pieces)
    old = frozenset().union(*(_strengths(kit, q) for q in before)) if halves else frozenset()
    if size <= _SEARCH_LIMIT:
        for combo in product(*choices[:-1]):
            rest = daily - sum(combo)
            if rest < 0 or rest > before[-1] or (rest and rest not in possible):
                continue
            vector = (*combo, rest)
            if sum(1 for v in vector if v) < min_used:
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
            key = _evenness(vector, ranks, mixed, new, near, kit.smallest)
            if best_key is None or key < best_key:
                best, best_key = vector, key
        return best
    return _greedy(kit, before, daily, min_used, ranks)


def _greedy(
    kit: Kit, before: tuple[int, ...], daily: int, min_used: int, ranks: tuple[int, ...]
) -> tuple[int, ...] | None:
    """Cut the largest dose time first (of equals, the one the rule drops first) by the
    smallest amount it can give, until the day holds `daily`: the cut is spread as evenly as
    the pieces (an oral syringe's graduations) allow, 13 + 13 + 14 + 14 mg rather than
    9 + 15 + 15 + 15. If that finds nothing, each time gives as much as it can at once."""
    found = _greedy_cut(kit, before, daily, min_used, ranks, even=True)
    if found is None:
        found = _greedy_cut(kit, before, daily, min_used, ranks, even=False)
    return found


def _greedy_cut(
    kit: Kit,
    before: tuple[int, ...],
    daily: int,
    min_used: int,
    ranks: tuple[int, ...],
    *,
    even: bool,
) -> tuple[int, ...] | None:
    vector = list(before)
    excess = sum(vector) - daily
    while excess > 0:
        # A dose the step before took from three strengths (an evened-out start) is cut
        # first, so that every dose of a reduction keeps the two-strengths rule.
        order = sorted(
            range(len(vector)), key=lambda i: (usable(kit, vector[i]), -vector[i], ranks[i])
        )
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
