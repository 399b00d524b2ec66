"""Exact decimal helpers for doses: tidy amounts, exact fractions shown as decimals, and the
greatest common divisor of a formulary's pieces (a kit's quantum)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction

from taper.errors import TaperError

_IDEAL_PLACES = Decimal("0.001")  # an exact ideal dose, shown

HALF = Decimal("0.5")
QUARTER = Decimal("0.25")
ONE = Decimal(1)


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


def decimal_gcd(values: Sequence[Decimal]) -> Decimal:
    """The largest amount every value is a whole multiple of (a kit's quantum)."""
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
