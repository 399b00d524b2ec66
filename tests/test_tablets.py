"""The tablet engine: which doses a formulary makes, from which pieces, shared over the day."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from taper.errors import TaperError
from taper.guideline.model import Product, Strength
from taper.plan.decimals import tidy
from taper.plan.tablets import Kit


def product(brand: str, *strengths: tuple[str, str], **extra: object) -> Product:
    return Product.model_validate(
        {
            "drug": "x",
            "brand": brand,
            "strengths": [{"amount": Decimal(a), "split": s} for a, s in strengths],
            "unverified": "test",
            **extra,
        }
    )


def sobril() -> Product:
    return product("Sobril", ("5", "half"), ("10", "half"), ("15", "none"))


def kit(*products: Product, unit: str = "mg") -> Kit:
    return Kit("x", unit, "oral", list(products))  # type: ignore[arg-type]


def made(k: Kit, amount: str) -> list[tuple[str, str, str]]:
    quanta = k.quanta(Decimal(amount))
    assert quanta is not None
    return [(t.brand, str(t.strength), str(t.count)) for t in k.tablets(quanta)]


def test_quantum_is_the_smallest_common_piece() -> None:
    assert kit(sobril()).quantum == Decimal("2.5")
    assert kit(product("D", ("2", "quarter"), ("5", "none"))).quantum == Decimal("0.5")
    assert kit(product("F", ("12", "none"), ("25", "none")), unit="mcg/h").quantum == 1


def test_fewest_pieces_and_whole_tablets_first() -> None:
    k = kit(sobril())
    assert made(k, "15") == [("Sobril", "15", "1")]  # one 15 mg, not 10 + 5
    assert made(k, "5") == [("Sobril", "5", "1")]  # a whole 5 mg, not half a 10 mg
    assert made(k, "12.5") == [("Sobril", "10", "1"), ("Sobril", "5", "0.5")]
    assert made(k, "2.5") == [("Sobril", "5", "0.5")]


def test_modified_release_and_patches_are_never_split() -> None:
    depot = kit(product("Depot", ("10", "half"), modified_release=True))
    assert depot.quantum == 10
    assert depot.quanta(Decimal(5)) is None  # half a depot tablet is not a dose
    patch = kit(product("P", ("12", "half"), form="patch", unit="mcg/h"), unit="mcg/h")
    assert patch.quantum == 12
    assert patch.patch


def test_first_product_is_preferred_then_others_then_a_mix() -> None:
    oxascand = product("Oxascand", ("5", "none"), ("10", "none"), ("25", "none"))
    k = kit(sobril(), oxascand)
    assert made(k, "25") == [("Sobril", "15", "1"), ("Sobril", "10", "1")]  # one box
    only_second = kit(product("A", ("10", "none")), product("B", ("7", "none")))
    assert made(only_second, "7") == [("B", "7", "1")]
    assert made(only_second, "17") == [("A", "10", "1"), ("B", "7", "1")]


def test_split_is_even_with_the_larger_share_later() -> None:
    k = kit(sobril())
    split = k.split(k.quanta(Decimal(30)) or 0, 3)
    assert split is not None
    assert [k.amount(a) for a in split.amounts] == [10, 10, 10]
    split = k.split(k.quanta(Decimal(25)) or 0, 2)
    assert split is not None
    assert [k.amount(a) for a in split.amounts] == [10, 15]  # 2 tablets, not 4 halves


def test_a_dose_time_is_dropped_when_the_dose_cannot_be_shared() -> None:
    k = kit(sobril())
    split = k.split(1, 2)  # 2.5 mg: half a tablet, in the evening
    assert split is not None
    assert split.amounts == (0, 1)
    split3 = k.split(2, 3)  # 5 mg over three times: morning and evening
    assert split3 is not None
    assert split3.amounts == (1, 0, 1)


def test_next_below_takes_the_nearest_dose_not_below_the_ideal() -> None:
    k = kit(sobril())
    current = k.quanta(Decimal(25)) or 0
    assert k.amount(k.next_below(current, Fraction(45, 2), 2)) == Decimal("22.5")
    # 20.25 cannot be made above the ideal and below 22.5: the next smaller dose, 20
    current = k.quanta(Decimal("22.5")) or 0
    assert k.amount(k.next_below(current, Fraction(81, 4), 2)) == 20
    # from the smallest dose, the next step is zero
    assert k.next_below(1, Fraction(9, 4) / Fraction(5, 2), 2) == 0


def test_next_below_never_takes_a_trivial_cut() -> None:
    fentanyl = kit(
        product(
            "F", *[(a, "none") for a in ("12", "25", "50", "75", "100")], form="patch", unit="mcg/h"
        ),
        unit="mcg/h",
    )
    # 48 (four 12 mcg/h patches) lies between the ideal 45 and 50, but is only a 2 mcg/h cut
    assert fentanyl.next_below(50, Fraction(45), 1) == 37


def test_floor_and_nearest() -> None:
    k = kit(sobril())
    assert k.amount(k.floor_makeable(k.quanta_floor(Fraction(24)), 2)) == Decimal("22.5")
    assert k.amount(k.nearest(Fraction(26), 2)) == 25
    assert k.amount(k.nearest(Fraction(1), 2)) == Decimal("2.5")  # never zero


def test_tidy_writes_plain_numbers() -> None:
    assert str(tidy(Decimal("100.00"))) == "100"
    assert str(tidy(Decimal("2.50"))) == "2.5"


@settings(max_examples=200, deadline=None)
@given(
    strengths=st.lists(
        st.tuples(
            st.decimals(min_value=Decimal("0.25"), max_value=Decimal(80), places=2),
            st.sampled_from(["none", "half", "quarter"]),
        ),
        min_size=1,
        max_size=4,
        unique_by=lambda t: t[0],
    ),
    daily=st.integers(min_value=0, max_value=400),
    times=st.integers(min_value=1, max_value=4),
)
def test_every_split_is_made_of_real_pieces(
    strengths: list[tuple[Decimal, str]], daily: int, times: int
) -> None:
    k = kit(product("P", *[(str(a), s) for a, s in strengths]))
    split = k.split(daily, times)
    if split is None:
        return
    assert sum(split.amounts) == daily
    assert len(split.amounts) == times
    nonzero = [a for a in split.amounts if a]
    assert nonzero == sorted(nonzero)  # the larger share later in the day
    for amount in nonzero:
        tablets = k.tablets(amount)
        assert sum(t.strength * t.count for t in tablets) == k.amount(amount)
        for t in tablets:
            split_rule = next(s for a, s in strengths if a == t.strength)
            parts = {"none": Decimal(1), "half": Decimal("0.5"), "quarter": Decimal("0.25")}
            part = parts[split_rule]
            assert (t.count / part) == (t.count / part).to_integral_value()


@pytest.mark.parametrize("amount", ["2.5", "5", "7.5", "40", "137.5"])
def test_per_time_amounts_of_a_scored_lattice_are_all_makeable(amount: str) -> None:
    k = kit(sobril())
    quanta = k.quanta(Decimal(amount))
    assert quanta is not None
    assert k.per_time_makeable(quanta)


def test_strength_model_used_here_is_the_rule_file_model() -> None:
    assert Strength(amount=Decimal(5), split="half").split == "half"


def test_nearest_refuses_a_dose_beyond_one_time_instead_of_searching_forever() -> None:
    """Review 2026-11-23: with at most 20 tablets at one time, the search for the next larger
    makeable dose no longer ended (every multiple of the smallest piece used to be makeable):
    a crossover to diazepam at 200.5 mg took 40 s, then refused with "too large". A value
    above what the pieces can hold is refused in one sentence; it is never made smaller."""
    k = kit(product("D", ("10", "none"), ("2", "half")))
    assert k.per_time_nearest(Fraction(200)) == k.quanta(Decimal(200))  # 20 × 10 mg
    assert k.nearest(Fraction(400), 2) == k.quanta(Decimal(400))
    with pytest.raises(TaperError, match="more than 20 tablets at one dose time"):
        k.per_time_nearest(Fraction(401, 2))
    with pytest.raises(TaperError, match="more than 20 tablets at one dose time"):
        k.nearest(Fraction(401), 2)
    # Just below the most one time can hold: the nearest makeable dose, as always.
    assert k.per_time_nearest(Fraction(399, 2)) in {k.quanta(Decimal(n)) for n in ("199", "200")}
