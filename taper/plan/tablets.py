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
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction

from taper.errors import TaperError
from taper.guideline.model import DoseUnit, Product, Route
from taper.plan.fast import trusted
from taper.plan.labels import unit_caps
from taper.plan.model import DoseAtTime, DoseTimeName, LiquidMeasure, TabletCount

_INF = 1 << 60
# A piece costs 1024; a piece that is a cut tablet costs one more. Fewest pieces first, then
# fewest cut tablets.
_PIECE = 1024
_CUT = 1
# Products beyond the first make an amount only if the first cannot (scored by tier).
_TIER = 1 << 40
# Largest per-time amount (in quanta) a kit tabulates: far above any plausible dose.
_MAX_QUANTA = 2_000_000
_IDEAL_PLACES = Decimal("0.001")  # an exact ideal dose, shown
# How many candidate splits of a daily dose are compared (keeps high doses fast).
_SPLIT_WINDOW = 64

# Most pieces a patient takes at one dose time. Project choices, not clinical numbers (no
# source in clinical-facts gives one):
# - tablets and capsules: a plausibility limit; more is almost surely a wrong dose or unit.
MAX_TABLETS_PER_DOSE = 20
# - patches worn together: fentanyl patches go up to 100 mcg/h, so four cover 400 mcg/h, far
#   above the doses these tapers start from; ten 12 mcg/h patches stuck on at once (120 mcg/h
#   when 100 + 25 makes about the same) is no regimen a clinic would write or a patient follow.
MAX_PATCHES_AT_ONCE = 4
# - sublingual tablets dissolved together under the tongue: four 8 mg tablets (32 mg) are
#   above any buprenorphine dose; eighteen 0.4 mg tablets at one time cannot be taken.
MAX_SUBLINGUAL_AT_ONCE = 4
# - an oral solution measured with an oral syringe: at most 20 ml at one dose time; drops:
#   at most 40 at one time (plausibility limits, as above: more is almost surely a wrong
#   dose, unit or concentration).
MAX_ML_PER_DOSE = Decimal(20)
MAX_DROPS_PER_DOSE = 40
# Two patch or sublingual doses are "equally close" to the rule's ideal when they differ by
# at most this share of the ideal cut (project choice): among them the one made of the fewest
# pieces is taken (100 + 25 mcg/h rather than 100 + 12 + 12 -- the "12" patch releases 12.5,
# so the two are the same dose in practice), so the taper is never faster than the rule's
# and at most a quarter of a step slower where it saves a patch. Oral tablets keep the dose
# nearest the ideal (halves make their doses fine-grained; a slower pace is not wanted).
TIE_SHARE_OF_CUT = Fraction(1, 4)
# A dose time takes a part tablet beside another strength (1 x 5 mg + 1½ x 2 mg) only when no
# dose of whole tablets or of one strength makes it with at most this many more pieces
# (4 x 2 mg): a patient splits and sorts less (issue 15; project choice).
CLEAN_EXTRA_PIECES = 1

HALF = Decimal("0.5")
QUARTER = Decimal("0.25")
ONE = Decimal(1)


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
        return _PIECE + (_CUT if self.fraction != ONE else 0)


class _Table:
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
            best, pick = _INF, -1
            for index, piece in pieces:
                size = piece.size
                if size <= amount:
                    c = cost[amount - size]
                    if c < _INF:
                        c += piece.cost
                        if c < best:
                            best, pick = c, index
            cost.append(best)
            choice.append(pick)


@dataclass(frozen=True)
class Split:
    """A daily dose shared over the day: amounts in quanta, one per dose time (0 = none)."""

    amounts: tuple[int, ...]


class Kit:
    """The makeable doses of one drug in one unit and route."""

    # A kit that chooses its own dose times through a taper (`share_within`, used by
    # `dosetimes.next_vector`): depot tablets topped up with a solution (`taper.plan.topup`).
    shares_itself = False

    def __init__(
        self, drug: str, unit: DoseUnit, route: Route, products: Sequence[Product]
    ) -> None:
        if not products:
            raise ValueError("a kit needs at least one product")
        self.drug = drug
        self.unit = unit
        self.route = route
        # Identity for caches of results computed from this kit (set by `kit_for`).
        self.key: tuple[str, ...] | None = None
        self.products = tuple(products)
        self.patch = any(p.form == "patch" or p.unit == "mcg/h" for p in products)
        self.sublingual = any(p.form == "sublingual-tablet" for p in products)
        self.modified_release = all(p.modified_release for p in products)
        # An oral solution is a kit of its own (one product): a piece is one graduation of
        # the oral syringe (`smallest_ml`, at the product's mg per ml) or one drop (at the
        # product's own mg per drop), so every dose is a whole number of them.
        self.liquid = products[0].liquid if products[0].form == "oral-solution" else None
        if self.liquid is not None and len(products) > 1:
            raise ValueError("an oral solution is a kit of its own")
        self.max_units = (
            MAX_PATCHES_AT_ONCE
            if self.patch
            else MAX_SUBLINGUAL_AT_ONCE
            if self.sublingual
            else MAX_TABLETS_PER_DOSE
        )
        if self.liquid is not None:
            self.max_units = (
                MAX_DROPS_PER_DOSE
                if self.liquid.device == "dropper"
                else int(MAX_ML_PER_DOSE / self.liquid.smallest_ml)
            )
        label_per_dose, _ = unit_caps(products)
        if label_per_dose is not None and self.liquid is None:
            # The label's most units at one time (two Citodon: 1 g paracetamol).
            self.max_units = max(1, min(self.max_units, label_per_dose))
        # What `max_units` counts, for messages.
        self.pieces_noun = (
            "patches worn at once"
            if self.patch
            else "sublingual tablets taken together"
            if self.sublingual
            else "drops"
            if self.liquid is not None and self.liquid.device == "dropper"
            else f"measures of {self.liquid.smallest_ml} ml"
            if self.liquid is not None
            else "tablets"
        )
        # A cost below this uses at most `max_units` pieces (a cut adds 1, never a piece).
        self._cost_limit = (self.max_units + 1) * _PIECE
        raw: list[tuple[int, str, Decimal, Decimal, bool]] = []
        for index, product in enumerate(products):
            liquid = product.liquid
            if liquid is not None:
                # One graduation of the syringe (mg per ml x ml), or one drop.
                if liquid.device == "dropper":
                    assert liquid.mg_per_drop is not None  # the validator requires it
                    raw.append((index, product.brand, liquid.mg_per_drop, ONE, False))
                else:
                    raw.append((index, product.brand, liquid.mg_per_ml, liquid.smallest_ml, False))
                continue
            whole_only = product.modified_release or product.form in ("patch", "capsule")
            for strength in product.strengths:
                fractions = [ONE]
                if not whole_only and strength.split in ("half", "quarter"):
                    fractions.append(HALF)
                if not whole_only and strength.split == "quarter":
                    fractions.append(QUARTER)
                for fraction in fractions:
                    raw.append(
                        (index, product.brand, strength.amount, fraction, product.modified_release)
                    )
        sizes = [strength * fraction for _, _, strength, fraction, _ in raw]
        self.quantum = _decimal_gcd(sizes)
        # The same as an exact fraction, for the taper's arithmetic (made once, not per step).
        self.quantum_fraction = Fraction(self.quantum)
        self.pieces: tuple[Piece, ...] = tuple(
            Piece(index, brand, strength, fraction, int(strength * fraction / self.quantum), mr)
            for (index, brand, strength, fraction, mr) in raw
        )
        indexed = list(enumerate(self.pieces))
        tiers = [[ip for ip in indexed if ip[1].product == 0]]
        for product_index in range(1, len(products)):
            tiers.append([ip for ip in indexed if ip[1].product == product_index])
        if len(products) > 1:
            tiers.append(indexed)
        self._tables = [_Table(t) for t in tiers]
        self._upto = 0
        self.smallest = min(p.size for p in self.pieces)
        # The most one dose time can hold: `max_units` of the largest piece.
        self.most_per_time = self.max_units * max(p.size for p in self.pieces)
        self._split_cache: dict[tuple[int, int, int], Split | None] = {}
        self._doses_cache: dict[
            tuple[tuple[int, ...], tuple[DoseTimeName, ...]], list[DoseAtTime]
        ] = {}
        self._tablets_cache: dict[int, list[TabletCount]] = {}
        self._pieces_cache: dict[int, list[Piece]] = {}
        self._amounts: dict[int, Decimal] = {}
        self._at_cache: dict[tuple[tuple[DoseTimeName, int], ...], list[DoseAtTime]] = {}

    # --- units ---------------------------------------------------------------------------

    def quanta(self, amount: Decimal) -> int | None:
        """`amount` in quanta, or None if it is not a whole number of quanta."""
        q = amount / self.quantum
        if q != q.to_integral_value():
            return None
        return int(q)

    def amount(self, quanta: int) -> Decimal:
        found = self._amounts.get(quanta)
        if found is None:
            found = tidy(self.quantum * quanta) if quanta else Decimal(0)
            self._amounts[quanta] = found
        return found

    def quanta_floor(self, value: Fraction) -> int:
        return math.floor(value / self.quantum_fraction)

    def quanta_ceil(self, value: Fraction) -> int:
        return math.ceil(value / self.quantum_fraction)

    # --- one dose time -------------------------------------------------------------------

    def _ensure(self, upto: int) -> None:
        if upto <= self._upto:
            return
        if upto > _MAX_QUANTA:
            raise TaperError(
                f"The dose of {self.drug} is too large to make from the formulary's tablets."
            )
        target = min(max(upto, 2 * self._upto, 64), _MAX_QUANTA)
        for table in self._tables:
            table.extend(target)
        self._upto = target

    def _score(self, quanta: int) -> int:
        """Cost of making `quanta` at one dose time (tier first, then pieces); _INF if none
        (or only from more than `max_units` pieces)."""
        limit = self._cost_limit
        for tier, table in enumerate(self._tables):
            c = table.cost[quanta]
            if c < limit:
                return tier * _TIER + c
        return _INF

    def units(self, quanta: int) -> int:
        """Pieces taken at one dose time for `quanta` (which must be makeable)."""
        return (self.score(quanta) % _TIER) // _PIECE

    def day_units(self, daily: int, times: int, min_used: int = 1) -> int:
        """Pieces a day for a makeable daily dose."""
        split = self.split(daily, times, min_used)
        assert split is not None
        return sum(self.units(a) for a in split.amounts if a)

    def score(self, quanta: int) -> int:
        if quanta <= 0:
            return 0 if quanta == 0 else _INF
        self._ensure(quanta)
        return self._score(quanta)

    def per_time_makeable(self, quanta: int) -> bool:
        return self.score(quanta) < _INF

    @property
    def free(self) -> bool:
        """True for a drug taken from the patient's own supply (no formulary product)."""
        return not self.products

    def pieces_for(self, quanta: int) -> list[Piece]:
        """The pieces that make `quanta` at one dose time (fewest, first product first); a
        part tablet beside another strength only when no dose of whole tablets or of one
        strength, with fewer part tablets, is made with at most `CLEAN_EXTRA_PIECES` more
        pieces (4 x 2 mg, not 1 x 5 mg + 1½ x 2 mg)."""
        cached = self._pieces_cache.get(quanta)
        if cached is not None:
            return cached
        self._ensure(quanta)
        for table in self._tables:
            if table.cost[quanta] < self._cost_limit:
                out = []
                rest = quanta
                while rest:
                    piece = self.pieces[table.choice[rest]]
                    out.append(piece)
                    rest -= piece.size
                if mixes_parts(out) and self.liquid is None and not self.patch:
                    budget = min(len(out) + CLEAN_EXTRA_PIECES, self.max_units)
                    clean = _clean_pieces([p for _, p in table.pieces], quanta, budget)
                    if clean is not None and _cuts(clean) < _cuts(out):
                        out = clean  # fewer tablets to split (10 + ½ x 5 mg stays as it is)
                self._pieces_cache[quanta] = out
                return out
        raise ValueError(f"{quanta} quanta cannot be made")  # callers check makeability first

    def _change_hours(self, product: int) -> int | None:
        """A patch's label interval (None for anything else)."""
        regimen = self.products[product].regimen
        if not self.patch or regimen is None:
            return None
        return regimen.interval_hours

    def tablets(self, quanta: int) -> list[TabletCount]:
        """Tablet counts (per brand and strength) for one dose time."""
        cached = self._tablets_cache.get(quanta)
        if cached is not None:
            return cached
        counts: dict[tuple[int, Decimal], Decimal] = {}
        mr: dict[tuple[int, Decimal], bool] = {}
        for piece in self.pieces_for(quanta):
            key = (piece.product, piece.strength)
            counts[key] = counts.get(key, Decimal(0)) + piece.fraction
            mr[key] = piece.modified_release
        out = [
            trusted(
                TabletCount,
                brand=self.products[product].brand,
                strength=tidy(strength),
                unit=self.unit,
                count=tidy(count),
                modified_release=mr[(product, strength)],
                change_hours=self._change_hours(product),
                liquid=self._measure(count),
            )
            for (product, strength), count in sorted(
                counts.items(), key=lambda kv: (kv[0][0], -kv[0][1])
            )
        ]
        self._tablets_cache[quanta] = out
        return out

    def _measure(self, count: Decimal) -> LiquidMeasure | None:
        """How `count` (ml or drops) of the kit's liquid is measured (None: tablets)."""
        liquid = self.liquid
        if liquid is None:
            return None
        dropper = liquid.device == "dropper"
        return trusted(
            LiquidMeasure,
            mg_per_ml=tidy(liquid.mg_per_ml),
            device=liquid.device,
            ml=None if dropper else tidy(count),
            drops=tidy(count) if dropper else None,
            mg_per_drop=tidy(liquid.mg_per_drop) if liquid.mg_per_drop is not None else None,
        )

    # --- a whole day ---------------------------------------------------------------------

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

    def floor_makeable(self, daily: int, times: int) -> int:
        """The largest makeable daily dose at or below `daily` (0 if none)."""
        for candidate in range(daily, 0, -1):
            if self.makeable(candidate, times):
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

    def per_time_nearest(self, value: Fraction) -> int:
        """The makeable amount for one dose time nearest to `value` (at least the smallest).
        A value beyond what one dose time can hold is refused, never made smaller."""
        most = self._within(value, self.most_per_time)
        low = max(self.quanta_floor(value), 0)
        down = next((c for c in range(low, 0, -1) if self.per_time_makeable(c)), 0)
        up = low + 1
        while up <= most and not self.per_time_makeable(up):
            up += 1  # `most` itself is makeable, as in `nearest`
        q = self.quantum_fraction
        if down == 0 or up > most:
            return up if down == 0 else down
        return min((down, up), key=lambda c: (abs(c * q - value), c))

    def _within(self, value: Fraction, most: int) -> int:
        """`most` (quanta), after refusing a `value` above it: more pieces at one time than
        `max_units` would be needed, and a smaller dose must not be given silently."""
        if value > most * self.quantum_fraction:
            shown = to_decimal(value)
            raise TaperError(
                f"{shown} {self.unit} of {self.drug} would need more than {self.max_units} "
                f"{self.pieces_noun} at one dose time (this tool's plausibility limit); "
                "check the doses."
            )
        return most

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
        self.most_per_time = _MAX_QUANTA
        self._cost_limit = _INF
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
        return 0 if quanta == 0 else (_INF if quanta < 0 else _PIECE)

    def tablets(self, quanta: int) -> list[TabletCount]:
        return []

    def pieces_for(self, quanta: int) -> list[Piece]:
        return []


def _cuts(pieces: Sequence[Piece]) -> int:
    return sum(1 for p in pieces if p.fraction != ONE)


def mixes_parts(pieces: Sequence[Piece]) -> bool:
    """A part tablet (half or quarter) beside another strength at one dose time."""
    kinds = {(p.product, p.strength) for p in pieces}
    return len(kinds) > 1 and any(p.fraction != ONE for p in pieces)


def _clean_pieces(pieces: Sequence[Piece], quanta: int, budget: int) -> list[Piece] | None:
    """The fewest pieces (at most `budget`) that make `quanta` from one strength (its part
    tablets too) or from whole tablets of two strengths; None if there are none."""
    best: tuple[tuple[int, int, int], list[Piece]] | None = None

    def offer(found: list[Piece], rank: int) -> None:
        nonlocal best
        key = (len(found), _cuts(found), rank)
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


def to_decimal(value: Fraction) -> Decimal:
    """An exact amount (an ideal dose, a share) as a decimal to 0.001, for plans and messages."""
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return tidy(exact.quantize(_IDEAL_PLACES, rounding=ROUND_HALF_EVEN))


def tidy(value: Decimal) -> Decimal:
    """A Decimal without trailing zeros and without an exponent (100, not 1E+2)."""
    normal = value.normalize()
    exponent = normal.as_tuple().exponent
    if isinstance(exponent, int) and exponent > 0:
        return normal.quantize(ONE)
    return normal


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


def _decimal_gcd(values: Sequence[Decimal]) -> Decimal:
    places = 0
    for value in values:
        exponent = value.normalize().as_tuple().exponent
        if isinstance(exponent, int):
            places = max(places, -exponent)
    scale = 10**places
    ints = [int(value * scale) for value in values]
    g = 0
    for i in ints:
        g = math.gcd(g, i)
    if g == 0:
        raise TaperError("The formulary has a strength of zero.")
    return tidy(Decimal(g) / scale)
