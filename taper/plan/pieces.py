"""The pieces a patient takes at one dose time: a whole tablet or a part of one, and the
fewest pieces that make an amount.

Amounts are integers in a kit's quantum (see `taper.plan.dose_time_kit`). A piece costs
`PIECE_COST`, and a cut tablet one more: fewest pieces first, then fewest cut tablets.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

from taper.plan.decimals import ONE

# A day's doses: whole quanta (a kit) or amounts (a plan's steps).
N = TypeVar("N", int, Decimal)

INF = 1 << 60  # the cost of an amount no pieces make
# A piece costs 1024; a piece that is a cut tablet costs one more. Fewest pieces first, then
# fewest cut tablets.
PIECE_COST = 1024
CUT_COST = 1
# A dose time takes a part tablet beside another strength (1 x 5 mg + 1½ x 2 mg) only when no
# dose of whole tablets or of one strength makes it with at most this many more pieces
# (4 x 2 mg): a patient splits and sorts less (issue 15; project choice).
CLEAN_EXTRA_PIECES = 1


@dataclass(frozen=True)
class Piece:
    """One thing a patient takes: a whole tablet or a part of one."""

    product: int  # index into Kit.products (preference order)
    brand: str
    strength: Decimal
    fraction: Decimal  # 1, 0.5 or 0.25
    size: int  # in quanta
    modified_release: bool

    @property
    def cost(self) -> int:
        return PIECE_COST + (CUT_COST if self.fraction != ONE else 0)


class PieceTable:
    """Unbounded fewest-pieces table over a subset of pieces (one tier)."""

    def __init__(self, pieces: Sequence[tuple[int, Piece]]) -> None:
        # Largest pieces first, whole before cut: ties keep the first found, so the readable
        # combination (one 15 mg tablet rather than 10 + 5) wins.
        self.pieces = sorted(pieces, key=lambda ip: (-ip[1].size, ip[1].fraction != ONE, ip[0]))
        self.cost: list[int] = [0]
        self.choice: list[int] = [-1]

    def extend(self, upto: int) -> None:
        cost, choice, pieces = self.cost, self.choice, self.pieces
        for amount in range(len(cost), upto + 1):
            best, pick = INF, -1
            for index, piece in pieces:
                size = piece.size
                if size <= amount:
                    c = cost[amount - size]
                    if c < INF:
                        c += piece.cost
                        if c < best:
                            best, pick = c, index
            cost.append(best)
            choice.append(pick)


# At most this many strengths (products and strengths) at one dose time.
MAX_STRENGTHS_AT_ONCE = 2
# A depot's doses of one day within this factor of each other (project choice: a 12-hourly
# depot at 5 mg in the morning and 50 mg at night leaves the day uncovered; clinician review
# 9, D1).
DEPOT_SPREAD = 2


def beyond_depot_spread(amounts: Iterable[N]) -> bool:
    """Whether the largest of a day's doses (zeros left out) is more than `DEPOT_SPREAD`
    times the smallest."""
    used = [a for a in amounts if a]
    return bool(used) and max(used) > DEPOT_SPREAD * min(used)


def strengths(pieces: Sequence[Piece]) -> int:
    """How many different strengths (products and strengths) `pieces` take."""
    return len({(p.product, p.strength) for p in pieces})


def cut_count(pieces: Sequence[Piece]) -> int:
    """How many of `pieces` are part tablets."""
    return sum(1 for p in pieces if p.fraction != ONE)


def mixes_parts(pieces: Sequence[Piece]) -> bool:
    """A part tablet (half or quarter) beside another strength at one dose time."""
    kinds = {(p.product, p.strength) for p in pieces}
    return len(kinds) > 1 and any(p.fraction != ONE for p in pieces)


def clean_pieces(pieces: Sequence[Piece], quanta: int, budget: int) -> list[Piece] | None:
    """The fewest pieces (at most `budget`) that make `quanta` from one strength (its part
    tablets too) or from whole tablets of two strengths; None if there are none."""
    best: tuple[tuple[int, int, int], list[Piece]] | None = None

    def offer(found: list[Piece], rank: int) -> None:
        nonlocal best
        key = (len(found), cut_count(found), rank)
        if len(found) <= budget and (best is None or key < best[0]):
            best = (key, found)

    kinds: dict[tuple[int, Decimal], list[Piece]] = {}
    for piece in pieces:
        kinds.setdefault((piece.product, piece.strength), []).append(piece)
    wholes = [next(p for p in group if p.fraction == ONE) for group in kinds.values()]
    for rank, group in enumerate(kinds.values()):
        # One strength: whole tablets and at most one part (two halves make a whole).
        ordered = sorted(group, key=lambda p: -p.size)
        whole = ordered[0]
        count, rest = divmod(quanta, whole.size)
        found = [whole] * count
        if rest:
            part = next((p for p in ordered[1:] if p.size == rest), None)
            if part is None:
                continue
            found.append(part)
        offer(found, rank)
    for i, first in enumerate(wholes):
        for second in wholes[i + 1 :]:
            for a in range(1, quanta // first.size + 1):
                rest = quanta - a * first.size
                if rest > 0 and rest % second.size == 0:
                    offer([first] * a + [second] * (rest // second.size), len(kinds) + i)
    return None if best is None else best[1]
