"""Clinical invariants of the equivalence engine, as hypothesis properties.

- linear tables (factor, amount/equals) scale exactly linearly, before rounding;
- banded and points tables are monotone in dose;
- a class total is the exact sum of its items;
- converting a total to the reference drug gives the total back, and any linear target
  converts back to the same total;
- rounding happens once and is off by at most half a quantum.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from taper.dose import Dose, MedicationInput
from taper.equivalence import (
    QUANTUM,
    equivalents,
    from_reference,
    quantize,
    to_reference,
    to_target,
)
from taper.guideline.loader import load_guideline
from taper.guideline.model import Band, Conversion, Guideline, TablePoint

FIXTURES = Path(__file__).resolve().parent / "fixtures"
US: Guideline = load_guideline(str(FIXTURES / "conv-bands.yaml")).guideline
NORDIC: Guideline = load_guideline(str(FIXTURES / "conv-points.yaml")).guideline

doses = st.decimals(min_value=Decimal("0.001"), max_value=Decimal(5000), places=3)
factors = st.decimals(min_value=Decimal("0.001"), max_value=Decimal(500), places=3)
multipliers = st.decimals(min_value=Decimal("0.01"), max_value=Decimal(100), places=2)


def conv_factor(factor: Decimal) -> Conversion:
    return Conversion(drug="x", factor=factor)


def conv_amount(amount: Decimal, equals: Decimal) -> Conversion:
    return Conversion(drug="x", amount=amount, equals=equals, range=(amount, amount * 2))


@given(factors, doses, multipliers)
def test_factor_tables_scale_linearly(factor: Decimal, dose: Decimal, k: Decimal) -> None:
    conv = conv_factor(factor)
    base = to_reference(conv, Fraction(dose))
    scaled = to_reference(conv, Fraction(dose) * Fraction(k))
    assert base is not None
    assert scaled == base * Fraction(k)


@given(factors, factors, doses, multipliers)
def test_amount_tables_scale_linearly(
    amount: Decimal, equals: Decimal, dose: Decimal, k: Decimal
) -> None:
    conv = conv_amount(amount, equals)
    base = to_reference(conv, Fraction(dose))
    scaled = to_reference(conv, Fraction(dose) * Fraction(k))
    assert base is not None
    assert scaled == base * Fraction(k)
    assert base == Fraction(dose) * Fraction(equals) / Fraction(amount)


@st.composite
def band_tables(draw: st.DrawFn) -> Conversion:
    """Contiguous bands from 0 with non-decreasing factors (as published: potency rises)."""
    limits = sorted(
        set(
            draw(
                st.lists(
                    st.decimals(min_value=Decimal(1), max_value=Decimal(1000), places=1),
                    min_size=1,
                    max_size=5,
                )
            )
        )
    )
    steps = draw(
        st.lists(
            st.decimals(min_value=Decimal(0), max_value=Decimal(5), places=2),
            min_size=len(limits) + 1,
            max_size=len(limits) + 1,
        )
    )
    factor = draw(st.decimals(min_value=Decimal("0.1"), max_value=Decimal(5), places=2))
    bands = []
    lower = Decimal(0)
    for limit, step in zip([*limits, None], steps, strict=True):
        factor += step
        bands.append(Band(above=lower, up_to=limit, factor=factor))
        lower = limit if limit is not None else lower
    return Conversion(drug="x", bands=bands)


@st.composite
def point_tables(draw: st.DrawFn) -> Conversion:
    """Rows with rising doses and non-decreasing equivalents."""
    dose_list = sorted(
        set(
            draw(
                st.lists(
                    st.decimals(min_value=Decimal("0.1"), max_value=Decimal(1000), places=1),
                    min_size=1,
                    max_size=8,
                )
            )
        )
    )
    steps = draw(
        st.lists(
            st.decimals(min_value=Decimal(0), max_value=Decimal(100), places=1),
            min_size=len(dose_list),
            max_size=len(dose_list),
        )
    )
    equals = Decimal("0.1")
    points = []
    for d, step in zip(dose_list, steps, strict=True):
        equals += step
        points.append(TablePoint(dose=d, equals=equals))
    return Conversion(drug="x", points=points)


@given(band_tables(), doses, doses)
def test_banded_tables_are_monotone_in_dose(conv: Conversion, a: Decimal, b: Decimal) -> None:
    low, high = sorted((a, b))
    eq_low = to_reference(conv, Fraction(low))
    eq_high = to_reference(conv, Fraction(high))
    assert eq_low is not None
    assert eq_high is not None
    assert eq_low <= eq_high


@given(point_tables(), doses, doses)
def test_point_tables_are_monotone_in_dose(conv: Conversion, a: Decimal, b: Decimal) -> None:
    low, high = sorted((a, b))
    eq_low = to_reference(conv, Fraction(low))
    eq_high = to_reference(conv, Fraction(high))
    if eq_high is None:  # above the last row: no factor, never a made-up value
        assert conv.points is not None
        assert high > max(p.dose for p in conv.points)
        return
    assert eq_low is not None
    assert eq_low <= eq_high


@given(point_tables(), st.data())
def test_point_tables_hit_their_rows_exactly(conv: Conversion, data: st.DataObject) -> None:
    assert conv.points is not None
    row = data.draw(st.sampled_from(conv.points))
    assert to_reference(conv, Fraction(row.dose)) == Fraction(row.equals)


@given(doses, doses)
def test_fixture_methadone_bands_and_hydromorphone_rows_are_monotone(
    a: Decimal, b: Decimal
) -> None:
    low, high = sorted((a, b))
    for g, drug in ((US, "methadone"), (NORDIC, "hydromorphone")):
        conv = next(c for c in g.equivalence["opioid"].conversions if c.drug == drug)
        eq_low, eq_high = to_reference(conv, Fraction(low)), to_reference(conv, Fraction(high))
        if eq_high is None:
            continue
        assert eq_low is not None
        assert eq_low <= eq_high


@given(band_tables(), doses)
def test_band_inverse_round_trips(conv: Conversion, dose: Decimal) -> None:
    reference = to_reference(conv, Fraction(dose))
    assert reference is not None
    # rising factors: the bands' value ranges do not overlap, so the inverse is unique
    back = from_reference(conv, reference)
    assert to_reference(conv, back) == reference


def _med(name: str, amount: Decimal, unit: str = "mg") -> MedicationInput:
    route = "transdermal" if unit == "mcg/h" else None
    return MedicationInput(f"{name} {amount} {unit}", name, Dose(amount, unit), route)  # type: ignore[arg-type]


US_DRUGS = ["morphine", "oxycodone", "codeine", "hydromorphone", "methadone", "lorazepam",
            "diazepam", "buprenorphine sublingual"]  # fmt: skip
NORDIC_DRUGS = ["morphine", "oksykodon", "hydromorfon", "Subutex", "oksazepam", "klonazepam",
                "zopiklon", "diazepam"]  # fmt: skip


@st.composite
def med_lists(draw: st.DrawFn, names: list[str]) -> list[MedicationInput]:
    picked = draw(st.lists(st.sampled_from(names), min_size=1, max_size=6))
    meds = []
    for name in picked:
        amount = draw(st.decimals(min_value=Decimal("0.5"), max_value=Decimal(500), places=2))
        word, _, route = name.partition(" ")
        med = _med(word, amount)
        if route:
            med = MedicationInput(med.text, word, med.dose, "sublingual")
        meds.append(med)
    if draw(st.booleans()):
        rate = draw(st.decimals(min_value=Decimal("12"), max_value=Decimal(300), places=1))
        meds.append(_med("fentanyl", rate, "mcg/h"))
    return meds


@given(
    st.one_of(
        med_lists(US_DRUGS).map(lambda m: (US, m)),
        med_lists(NORDIC_DRUGS).map(lambda m: (NORDIC, m)),
    )
)
def test_total_is_the_exact_sum_of_its_items(case: tuple[Guideline, list[MedicationInput]]) -> None:
    g, meds = case
    result = equivalents(meds, g)
    for total in result.totals:
        own = [i for i in result.items if i.drug_class == total.drug_class]
        assert total.exact == sum((i.exact for i in own if i.exact is not None), Fraction(0))
        assert total.equivalent == quantize(total.exact)
        assert total.complete == all(i.exact is not None for i in own)
        if total.range_exact is not None:
            assert total.range_exact[0] <= total.exact <= total.range_exact[1]
    assert len({t.drug_class for t in result.totals}) == len(result.totals)


@given(
    st.one_of(
        med_lists(US_DRUGS).map(lambda m: (US, m)),
        med_lists(NORDIC_DRUGS).map(lambda m: (NORDIC, m)),
    )
)
def test_to_target_reference_gives_the_total_back(
    case: tuple[Guideline, list[MedicationInput]],
) -> None:
    g, meds = case
    result = equivalents(meds, g)
    for total in result.totals:
        if total.exact == 0:
            continue
        table = g.equivalence[total.drug_class]
        # arithmetic, not the methadone refusal (tests/test_rotation.py): a specialist signed
        target = to_target(total, table.reference, g, specialist=True)
        assert target.exact == total.exact
        assert target.dose == total.equivalent


@given(
    med_lists(US_DRUGS),
    st.sampled_from(["oxycodone", "codeine", "fentanyl patch", "hydromorphone"]),
)
def test_linear_targets_convert_back_to_the_total(meds: list[MedicationInput], target: str) -> None:
    total = equivalents(meds, US).total("opioid")
    if total is None or total.exact == 0:
        return
    result = to_target(total, target, US, specialist=True)
    conv = next(
        c
        for c in US.equivalence["opioid"].conversions
        if c.drug == result.drug and c.route == result.route
    )
    assert to_reference(conv, result.exact) == total.exact
    if result.reduced_exact is not None:
        # Only the part converted from other drugs is reduced; what is kept is not.
        kept = result.kept_exact
        assert result.reduced_exact == kept + (result.exact - kept) * Fraction(75, 100)


@given(st.fractions(min_value=0, max_value=10**6))
def test_rounding_is_off_by_at_most_half_a_quantum(value: Fraction) -> None:
    rounded = quantize(value)
    assert abs(Fraction(rounded) - value) <= Fraction(QUANTUM) / 2
    assert rounded.as_tuple().exponent == -2
