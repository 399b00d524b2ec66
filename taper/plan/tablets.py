"""Tablet-true doses: which daily doses a formulary can make, and from which tablets.

A `Kit` holds the marketed products of one drug in one unit and route (the region's
formulary, in the rule file's order, which is the order of preference). Everything is
computed in integer multiples of a *quantum*: the greatest common divisor of every piece a
patient can take (a whole tablet, a half of a scored tablet, a quarter of a cross-scored one;
modified-release tablets, capsules and patches only whole). Integer arithmetic keeps the
choices exact and fast; amounts leave the kit as `Decimal` again.

Per dose time a kit makes an amount from the fewest pieces, using the first product in the
formulary alone where it can (one box per drug is easier for a patient), then any single
product, then a mix -- never from more pieces than a patient can take at one time
(`max_units`: 20 tablets or capsules, 4 patches, 4 sublingual tablets; project choices). A
daily dose is split over the day's dose times as evenly as the tablets allow, larger shares
later in the day; near the end of a taper a dose time is dropped (the evening dose is kept
longest) when the dose can no longer be shared -- unless the caller asks for at least
`min_used` dose times (12-hourly depot opioids, see `tracks.Track.min_used`). The kits of a
rule file are found in `taper.plan.formulary`.

This module holds the whole day (`Kit`, `Split`); one dose time is `taper.plan.dose_time_kit`,
the pieces and their fewest-pieces tables `taper.plan.pieces`, the exact decimal helpers
`taper.plan.decimals`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from taper.guideline.model import DoseUnit, Product, Route
from taper.plan.dose_time_kit import MAX_QUANTA, MAX_TABLETS_PER_DOSE, DoseTimeKit
from taper.plan.fast import trusted
from taper.plan.model import DoseAtTime, DoseTimeName, TabletCount
from taper.plan.pieces import INF, PIECE_COST, Piece, beyond_depot_spread

# How many candidate splits of a daily dose are compared (keeps high doses fast).
_SPLIT_WINDOW = 64

# Two patch or sublingual doses are "equally close" to the rule's ideal when they differ by
# at most this share of the ideal cut (project choice): among them the one made of the fewest
# pieces is taken (100 + 25 mcg/h rather than 100 + 12 + 12 -- the "12" patch releases 12.5,
# so the two are the same dose in practice), so the taper is never faster than the rule's
# and at most a quarter of a step slower where it saves a patch. Oral tablets keep the dose
# nearest the ideal (halves make their doses fine-grained; a slower pace is not wanted).
TIE_SHARE_OF_CUT = Fraction(1, 4)


@dataclass(frozen=True)
class Split:
    """A daily dose shared over the day: amounts in quanta, one per dose time (0 = none)."""

    amounts: tuple[int, ...]


class Kit(DoseTimeKit):
    """The makeable doses of one drug in one unit and route."""

    # A kit that chooses its own dose times through a taper (`share_within`, used by
    # `dosetimes.next_vector`): depot tablets topped up with a solution (`taper.plan.topup`).
    shares_itself = False

    def __init__(
        self, drug: str, unit: DoseUnit, route: Route, products: Sequence[Product]
    ) -> None:
        super().__init__(drug, unit, route, products)
        self._split_cache: dict[tuple[int, int, int], Split | None] = {}
        self._doses_cache: dict[
            tuple[tuple[int, ...], tuple[DoseTimeName, ...]], list[DoseAtTime]
        ] = {}
        self._at_cache: dict[tuple[tuple[DoseTimeName, int], ...], list[DoseAtTime]] = {}

    # --- a whole day ---------------------------------------------------------------------

    def day_units(self, daily: int, times: int, min_used: int = 1) -> int:
        """Pieces a day for a makeable daily dose."""
        split = self.split(daily, times, min_used)
        assert split is not None
        return sum(self.units(a) for a in split.amounts if a)

    def split(self, daily: int, times: int, min_used: int = 1) -> Split | None:
        """Share `daily` quanta over up to `times` dose times, at least `min_used` of them;
        None if it cannot be made."""
        if daily < 0:
            return None
        if self.patch:
            times = min_used = 1
        key = (daily, times, min_used)
        if key in self._split_cache:
            return self._split_cache[key]
        result: Split | None
        if daily == 0:
            result = Split((0,) * times)
        else:
            self._ensure(daily)
            result = None
            for used in range(min(times, daily // self.smallest), min_used - 1, -1):
                parts = self._split_used(daily, used)
                if parts is not None:
                    result = Split(_place(parts, times))
                    break
        self._split_cache[key] = result
        return result

    def _split_used(self, daily: int, used: int) -> tuple[int, ...] | None:
        """Split into exactly `used` non-zero amounts (ascending), at most two distinct."""
        if used == 1:
            return (daily,) if self.per_time_makeable(daily) else None
        even, rest = divmod(daily, used)
        best: tuple[tuple[int, int, int], tuple[int, ...]] | None = None
        found_within = False
        for highs in range(0, used):
            lows = used - highs
            if highs == 0:
                if rest == 0 and self.per_time_makeable(even):
                    cand = (even,) * used
                    key = (0, self.score(even) * used, 0)
                    if best is None or key < best[0]:
                        best = (key, cand)
                    found_within = True
                continue
            tried = 0
            for low in range(even, 0, -1):
                remainder = daily - lows * low
                if remainder % highs:
                    continue
                high = remainder // highs
                spread = high - low
                within = 2 * spread * used <= daily
                if not within and found_within:
                    break
                tried += 1
                if tried > _SPLIT_WINDOW and found_within:
                    break
                if self.modified_release and not self.patch and beyond_depot_spread((low, high)):
                    break  # a lower `low` only widens the spread
                if not (self.per_time_makeable(low) and self.per_time_makeable(high)):
                    continue
                cand = (low,) * lows + (high,) * highs
                if within:
                    found_within = True
                    key = (0, self.score(low) * lows + self.score(high) * highs, spread)
                else:
                    key = (1, spread, self.score(low) * lows + self.score(high) * highs)
                if best is None or key < best[0]:
                    best = (key, cand)
                if not within:
                    break  # lower `low` only widens the spread
        return None if best is None else best[1]

    def share_within(
        self, before: tuple[int, ...], daily: int, min_used: int
    ) -> tuple[int, ...] | None:
        """The day's doses of `daily` quanta within `before` (kits with `shares_itself`)."""
        raise NotImplementedError

    def makeable(self, daily: int, times: int, min_used: int = 1) -> bool:
        return self.split(daily, times, min_used) is not None

    def floor_makeable(self, daily: int, times: int, min_used: int = 1) -> int:
        """The largest makeable daily dose at or below `daily` (0 if none)."""
        for candidate in range(daily, 0, -1):
            if self.makeable(candidate, times, min_used):
                return candidate
        return 0

    def next_below(
        self,
        current: int,
        ideal: Fraction,
        times: int,
        min_used: int = 1,
    ) -> int:
        """The next taper dose after `current` quanta when the rule's ideal dose is `ideal`.

        The makeable dose nearest the ideal from above (never a bigger cut than the rule's
        when one can be avoided), but a real cut: at least half the ideal cut, so awkward
        near-equal doses (48 mcg/h from four 12 mcg/h patches after 50) are not taken. For
        patches and sublingual tablets, doses within `TIE_SHARE_OF_CUT` of the ideal cut above
        the nearest are equally close: the one made of the fewest pieces a day is taken. If
        no dose lies between, the largest makeable dose below the ideal (0 at the end). Every
        dose uses at least `min_used` dose times.
        """
        lowest, highest = self.step_window(current, ideal)
        for candidate in range(lowest, highest + 1):
            if candidate == 0:
                return 0
            if self.makeable(candidate, times, min_used):
                if not (self.patch or self.sublingual):
                    return candidate
                return self._fewest_units(candidate, current, ideal, highest, times, min_used)
        for candidate in range(min(lowest, current) - 1, 0, -1):
            if self.makeable(candidate, times, min_used):
                return candidate
        return 0

    def step_window(self, current: int, ideal: Fraction) -> tuple[int, int]:
        """The doses (quanta, lowest to highest) `next_below` looks through from the ideal up:
        at least the ideal, at most half-way from it to `current` (a cut of at least half the
        rule's step)."""
        q = self.quantum_fraction
        lowest = max(self.quanta_ceil(ideal), 0)
        highest = min(math.floor((Fraction(current) * q + ideal) / 2 / q), current - 1)
        return lowest, highest

    def _fewest_units(
        self, nearest: int, current: int, ideal: Fraction, highest: int, times: int, min_used: int
    ) -> int:
        """Among the doses equally close to the ideal as `nearest`, the one of fewest pieces
        a day (the nearest of those)."""
        q = self.quantum_fraction
        tie = math.floor((Fraction(current) * q - ideal) * TIE_SHARE_OF_CUT / q)
        last = min(nearest + tie, highest)
        if last <= nearest:
            return nearest
        best, fewest = nearest, self.day_units(nearest, times, min_used)
        for candidate in range(nearest + 1, last + 1):
            if fewest <= 1:
                break
            if self.makeable(candidate, times, min_used):
                units = self.day_units(candidate, times, min_used)
                if units < fewest:
                    best, fewest = candidate, units
        return best

    def nearest(self, value: Fraction, times: int) -> int:
        """The makeable daily dose (more than zero) nearest to `value`; ties: the lower one.
        A value beyond what `times` dose times can hold is refused, never made smaller."""
        most = self._within(value, self.most_per_time * times)
        low = max(self.quanta_floor(value), 0)
        down = next((c for c in range(low, 0, -1) if self.makeable(c, times)), 0)
        up = low + 1
        while up <= most and not self.makeable(up, times):
            up += 1  # `most` itself is makeable: every dose time full of the largest piece
        if down == 0 or up > most:
            return up if down == 0 else down
        q = self.quantum_fraction
        return min((down, up), key=lambda c: (abs(c * q - value), c))

    def doses(self, split: Split, names: tuple[DoseTimeName, ...]) -> list[DoseAtTime]:
        """The dose times of a split, with tablets (times with nothing to take are left out)."""
        key = (split.amounts, names)
        cached = self._doses_cache.get(key)
        if cached is None:
            cached = self.doses_at(list(zip(names, split.amounts, strict=True)))
            self._doses_cache[key] = cached
        return cached

    def doses_at(self, amounts: Sequence[tuple[DoseTimeName, int]]) -> list[DoseAtTime]:
        key = tuple(amounts)
        cached = self._at_cache.get(key)
        if cached is None:
            cached = self._doses_at(key)
            self._at_cache[key] = cached
        return cached

    def _doses_at(self, amounts: Sequence[tuple[DoseTimeName, int]]) -> list[DoseAtTime]:
        return [
            trusted(DoseAtTime, time=name, amount=self.amount(quanta), tablets=self.tablets(quanta))
            for name, quanta in amounts
            if quanta
        ]


class FreeKit(Kit):
    """A drug the formulary does not list, taken from the patient's own supply until a switch
    replaces it: any amount (to `quantum`) can be given, no tablets are named or dispensed."""

    def __init__(self, drug: str, unit: DoseUnit, route: Route, quantum: Decimal) -> None:
        self.drug = drug
        self.unit = unit
        self.route = route
        self.key = None
        self.products = ()
        self.patch = unit == "mcg/h"
        self.sublingual = False
        self.modified_release = False
        self.liquid = None
        self.max_units = MAX_TABLETS_PER_DOSE
        self.pieces_noun = "tablets"
        self.most_per_time = MAX_QUANTA
        self._cost_limit = INF
        self.quantum = quantum
        self.quantum_fraction = Fraction(quantum)
        self.pieces = ()
        self._tables = []
        self._upto = 0
        self.smallest = 1
        self._split_cache = {}
        self._doses_cache = {}
        self._tablets_cache = {}
        self._at_cache = {}
        self._amounts = {}

    def _ensure(self, upto: int) -> None:
        return

    def score(self, quanta: int) -> int:
        return 0 if quanta == 0 else (INF if quanta < 0 else PIECE_COST)

    def tablets(self, quanta: int) -> list[TabletCount]:
        return []

    def pieces_for(self, quanta: int) -> list[Piece]:
        return []


def _place(parts: tuple[int, ...], times: int) -> tuple[int, ...]:
    """Place ascending amounts on the day's dose times, dropping the earliest-dropped first.

    Times are kept in this order of priority: evening (last), morning (first), then the ones
    in between from the earliest; so 3 times with 2 amounts use morning and evening.
    """
    if len(parts) == times:
        return parts
    keep = _kept_positions(times, len(parts))
    out = [0] * times
    for position, amount in zip(keep, parts, strict=True):
        out[position] = amount
    return tuple(out)


def _kept_positions(times: int, used: int) -> list[int]:
    priority = [times - 1, 0, *range(1, times - 1)]
    return sorted(priority[:used])
