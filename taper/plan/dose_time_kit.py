"""A formulary's pieces and the amounts one dose time can take from them.

`DoseTimeKit` is the part of a `taper.plan.tablets.Kit` that knows one dose time: the pieces
of the formulary's products (whole tablets, halves of scored ones, quarters of cross-scored
ones, one syringe graduation or drop of a solution), the kit's quantum (their greatest common
divisor), and the fewest pieces that make an amount, never more than a patient can take at one
time (`max_units`). `Kit` adds the whole day: sharing a daily dose over dose times and
choosing the next taper dose.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

from taper.errors import TaperError
from taper.guideline.model import DoseUnit, Product, Route
from taper.plan.decimals import HALF, ONE, QUARTER, decimal_gcd, tidy, to_decimal
from taper.plan.fast import trusted
from taper.plan.labels import unit_caps
from taper.plan.model import LiquidMeasure, TabletCount
from taper.plan.pieces import (
    CLEAN_EXTRA_PIECES,
    INF,
    MAX_STRENGTHS_AT_ONCE,
    PIECE_COST,
    Piece,
    PieceTable,
    clean_pieces,
    cut_count,
    mixes_parts,
    strengths,
)

# Products beyond the first make an amount only if the first cannot (scored by tier).
TIER = 1 << 40
# Largest per-time amount (in quanta) a kit tabulates: far above any plausible dose.
MAX_QUANTA = 2_000_000

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


class DoseTimeKit:
    """The pieces of one drug's products in one unit and route, and what one dose time can
    be made of."""

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
        self._cost_limit = (self.max_units + 1) * PIECE_COST
        raw: list[tuple[int, str, Decimal, Decimal, bool]] = []
        # A strength one product's tablets may be split at: another product's unscored tablet
        # of it is left out, so whole and part tablets come from one pack (clinician review 8:
        # zolpidem 5 mg went Zolpidem Sandoz (halves), Stilnoct, Zolpidem Sandoz again).
        scored = {
            (index, strength.amount)
            for index, product in enumerate(products)
            if product.liquid is None
            and not (product.modified_release or product.form in ("patch", "capsule"))
            for strength in product.strengths
            if strength.split in ("half", "quarter")
        }
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
                if (
                    not whole_only
                    and strength.split not in ("half", "quarter")
                    and any(a == strength.amount and i != index for i, a in scored)
                ):
                    continue
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
        self.quantum = decimal_gcd(sizes)
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
        self._tables = [PieceTable(t) for t in tiers]
        self._upto = 0
        self.smallest = min(p.size for p in self.pieces)
        # The most one dose time can hold: `max_units` of the largest piece.
        self.most_per_time = self.max_units * max(p.size for p in self.pieces)
        self._tablets_cache: dict[int, list[TabletCount]] = {}
        self._pieces_cache: dict[int, list[Piece]] = {}
        self._amounts: dict[int, Decimal] = {}

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
        if upto > MAX_QUANTA:
            raise TaperError(
                f"The dose of {self.drug} is too large to make from the formulary's tablets."
            )
        target = min(max(upto, 2 * self._upto, 64), MAX_QUANTA)
        for table in self._tables:
            table.extend(target)
        self._upto = target

    def _score(self, quanta: int) -> int:
        """Cost of making `quanta` at one dose time (tier first, then pieces); INF if none
        (or only from more than `max_units` pieces)."""
        limit = self._cost_limit
        for tier, table in enumerate(self._tables):
            c = table.cost[quanta]
            if c < limit:
                return tier * TIER + c
        return INF

    def units(self, quanta: int) -> int:
        """Pieces taken at one dose time for `quanta` (which must be makeable)."""
        return (self.score(quanta) % TIER) // PIECE_COST

    def score(self, quanta: int) -> int:
        if quanta <= 0:
            return 0 if quanta == 0 else INF
        self._ensure(quanta)
        return self._score(quanta)

    def per_time_makeable(self, quanta: int) -> bool:
        return self.score(quanta) < INF

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
                    clean = clean_pieces([p for _, p in table.pieces], quanta, budget)
                    if clean is not None and cut_count(clean) < cut_count(out):
                        out = clean  # fewer tablets to split (10 + ½ x 5 mg stays as it is)
                if strengths(out) > MAX_STRENGTHS_AT_ONCE and self.liquid is None:
                    # Two strengths with a few more pieces where they make it (45 mg of
                    # Dolcontin as 30 + 3 x 5 mg, not 30 + 10 + 5: a dose time takes at most
                    # two strengths, so three left 45 mg out and a 12-hourly depot went
                    # 5 mg + 50 mg; clinician review 9, D1).
                    budget = min(len(out) + CLEAN_EXTRA_PIECES, self.max_units)
                    two = clean_pieces([p for _, p in table.pieces], quanta, budget)
                    if two is not None:
                        out = two
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
