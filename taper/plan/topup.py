"""Depot tablets topped up with the drug's oral solution (clinician review 2, us-05; R1 #4).

A depot (modified-release) opioid taper whose next step the depot tablets cannot make does
not move the whole regimen to an oral solution: the depot tablets stay the backbone at
their label's interval (formulations.md §0.3: depot tablets are never split), and the oral
solution gives only what they cannot make (§0.2: a liquid opioid at home carries mg/ml
errors; the less of it, the better). At each dose time the patient takes the largest
amount of depot tablets at or below the dose, and the rest as a top-up of the solution,
measured in the syringe's smallest graduation, at the same time of day (project choice:
the top-up is the small part of the dose and the depot tablets cover the 12 hours, so no
extra dose times are added; the hand-over to the solution alone, at its own label's doses a
day, comes when the depot tablets can no longer give any dose at their interval). A
once-daily depot gets no top-up: one immediate-release dose a day would cover only a few hours
of its 24 (formulations.md §2: immediate-release opioids every 4-6 hours).

`TopUpKit` is a kit whose dose at a time is depot tablets + solution; `share` chooses each
step's dose times so that the depot tablets give as much of the day as they can, then the
solution is taken at as few times as it can be, and no dose time rises. A kit made with
`keep` gives some solution every day, in place of at most the depot's smallest tablet, at
as few changed dose times as it can: once a top-up has started, the solution is not stopped
for a step the depot tablets happen to make alone and then started again (clinician review
6, D4: a product, once stopped during a taper, never returns).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import product

from taper.plan.model import TabletCount
from taper.plan.pieces import Piece
from taper.plan.tablets import Kit, Split

# A top-up regimen keeps at most this many dose times (depot tablets are 12- or 24-hourly);
# more would make the search over dose times large for no real regimen.
MAX_TOPUP_TIMES = 3
# At most this many ways to share a day are compared (as `dosetimes._SEARCH_LIMIT`).
MAX_SHARES = 60_000


class TopUpKit(Kit):
    """The depot kit `depot` and the oral solution `liquid` of one drug as one kit: every
    dose time has depot tablets, and the solution tops up the rest (module docstring);
    `keep`: every day's doses include some solution."""

    shares_itself = True

    def __init__(self, depot: Kit, liquid: Kit, keep: bool = False) -> None:
        super().__init__(depot.drug, depot.unit, depot.route, [*depot.products, *liquid.products])
        self.depot = depot
        self.solution = liquid
        self.keep = keep
        self.key = None
        if depot.key is not None and liquid.key is not None:
            kind = "topup-kept" if keep else "topup"
            self.key = (kind, *map(str, depot.key), *map(str, liquid.key))
        # Quanta of this kit in one quantum of each part (whole: this kit's quantum divides
        # both).
        self._depot_step = int(depot.quantum / self.quantum)
        self._liquid_step = int(liquid.quantum / self.quantum)
        self._parts: dict[int, tuple[int, int] | None] = {}
        self._liquid_piece = next(p for p in self.pieces if p.product == len(depot.products))
        self._depot_smallest = depot.smallest * self._depot_step

    # --- one dose time ---------------------------------------------------------------------

    def parts(self, quanta: int) -> tuple[int, int] | None:
        """The dose `quanta` at one time as (depot, solution) quanta of this kit: the most
        the depot tablets give at or below it, with at most two strengths at the time in all
        (depot strengths and the solution); None if no depot tablet fits or the rest cannot be
        measured."""
        if quanta in self._parts:
            return self._parts[quanta]
        found = None
        step = self._depot_step
        for depot_part in range(quanta - quanta % step, 0, -step):
            own = depot_part // step
            if not self.depot.per_time_makeable(own):
                continue
            rest = quanta - depot_part
            kinds = len({(p.product, p.strength) for p in self.depot.pieces_for(own)})
            if rest:
                there = rest // self._liquid_step
                if rest % self._liquid_step or not self.solution.per_time_makeable(there):
                    continue
                kinds += 1
            if kinds <= 2:
                found = (depot_part, rest)
                break
        self._parts[quanta] = found
        return found

    def per_time_makeable(self, quanta: int) -> bool:
        return quanta > 0 and self.parts(quanta) is not None

    def pieces_for(self, quanta: int) -> list[Piece]:
        parts = self.parts(quanta)
        if parts is None:
            raise ValueError(f"{quanta} quanta cannot be made")
        depot_part, rest = parts
        own = [self._own(p) for p in self.depot.pieces_for(depot_part // self._depot_step)]
        return own + [self._liquid_piece] * (rest // self._liquid_piece.size)

    def _own(self, piece: Piece) -> Piece:
        same = (piece.product, piece.strength, piece.fraction)
        return next(p for p in self.pieces if (p.product, p.strength, p.fraction) == same)

    def tablets(self, quanta: int) -> list[TabletCount]:
        parts = self.parts(quanta)
        assert parts is not None
        depot_part, rest = parts
        out = list(self.depot.tablets(depot_part // self._depot_step))
        if rest:
            out += self.solution.tablets(rest // self._liquid_step)
        return out

    def depot_amount(self, vector: Sequence[int]) -> int:
        """The quanta of a day's doses the depot tablets give."""
        total = 0
        for q in vector:
            parts = self.parts(q) if q else (0, 0)
            assert parts is not None
            total += parts[0]
        return total

    # --- a whole day -----------------------------------------------------------------------

    def split(self, daily: int, times: int, min_used: int = 1) -> Split | None:
        if times > MAX_TOPUP_TIMES:
            return None
        if daily == 0:
            return Split((0,) * times)
        key = (daily, times, min_used)
        if key not in self._split_cache:
            found = self.share((daily,) * times, daily)
            self._split_cache[key] = None if found is None else Split(found)
        return self._split_cache[key]

    def share(self, before: tuple[int, ...], daily: int) -> tuple[int, ...] | None:
        """The day's doses of `daily` quanta with no time above `before` and depot tablets at
        every time (their interval kept): the most from the depot tablets, then the solution
        at the fewest times, then the most even, larger shares later in the day. With `keep`,
        a day that would have no solution has some, in place of at most the depot's smallest
        tablet, at the fewest times changed from `before`."""
        found = self._share(before, daily, keep=False)
        if not self.keep or (found is not None and self._topped(found)):
            return found
        return self._share(before, daily, keep=True)

    def _topped(self, vector: tuple[int, ...]) -> int:
        """The dose times of a day that take some solution."""
        return sum(1 for q in vector if q and self.parts(q) != (q, 0))

    def _share(self, before: tuple[int, ...], daily: int, keep: bool) -> tuple[int, ...] | None:
        if len(before) > MAX_TOPUP_TIMES or daily <= 0 or daily > sum(before):
            return None
        choices = [[q for q in range(top, 0, -1) if self.per_time_makeable(q)] for top in before]
        if math.prod(len(c) for c in choices[:-1]) > MAX_SHARES:
            return None  # too many to compare: the plain hand-over follows instead
        best: tuple[int, ...] | None = None
        best_key: tuple[int, int, int, int, int] | None = None
        for combo in product(*choices[:-1]):
            rest = daily - sum(combo)
            if rest <= 0 or rest > before[-1] or not self.per_time_makeable(rest):
                continue
            vector = (*combo, rest)
            topped = self._topped(vector)
            depot = self.depot_amount(vector)
            if keep and (not topped or daily - depot > self._depot_smallest):
                continue
            changed = sum(1 for q, was in zip(vector, before, strict=True) if q != was)
            later = -sum(i * q for i, q in enumerate(vector))
            key = (-depot, topped, changed if keep else 0, max(vector) - min(vector), later)
            if best_key is None or key < best_key:
                best, best_key = vector, key
        return best

    def share_within(
        self, before: tuple[int, ...], daily: int, min_used: int
    ) -> tuple[int, ...] | None:
        return (0,) * len(before) if daily == 0 else self.share(before, daily)
