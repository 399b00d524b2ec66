"""taper.equivalence: one test per basis, drug resolution, selection errors, totals, warnings,
`--to` targets and the cross-region comparison. Fixture rule files: tests/fixtures/conv-*.yaml."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from taper.dose import parse_medication
from taper.equivalence import (
    Basis,
    compare,
    convert_item,
    decimal_if_exact,
    equivalents,
    from_reference,
    quantize,
    resolve_drug,
    suggestions,
    to_reference,
    to_target,
)
from taper.errors import TaperError
from taper.guideline.loader import load_guideline
from taper.guideline.model import Band, Conversion, Guideline, TablePoint

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def guideline(name: str) -> Guideline:
    return load_guideline(str(FIXTURES / f"{name}.yaml")).guideline


@pytest.fixture(scope="module")
def us() -> Guideline:
    return guideline("conv-bands")


@pytest.fixture(scope="module")
def nordic() -> Guideline:
    return guideline("conv-points")


def item(text: str, g: Guideline):  # type: ignore[no-untyped-def]
    return convert_item(parse_medication(text), g)


# --- exact numbers -------------------------------------------------------------------------


def test_quantize_rounds_half_up_once() -> None:
    assert quantize(Fraction(25, 3)) == Decimal("8.33")
    assert quantize(Fraction(50, 3)) == Decimal("16.67")
    assert quantize(Fraction(1, 200)) == Decimal("0.01")
    assert quantize(Fraction(1, 201)) == Decimal("0.00")
    assert quantize(Fraction(-1, 200)) == Decimal("-0.01")
    assert quantize(Fraction(180)) == Decimal("180.00")


def test_decimal_if_exact() -> None:
    assert decimal_if_exact(Fraction(1, 4)) == Decimal("0.25")
    assert decimal_if_exact(Fraction(12, 5)) == Decimal("2.4")
    assert decimal_if_exact(Fraction(1, 3)) is None
    big = Fraction(10**40 + 1, 10**3)
    assert decimal_if_exact(big) == Decimal(10**40 + 1).scaleb(-3)


# --- one test per basis --------------------------------------------------------------------


def test_factor_basis(us: Guideline) -> None:
    it = item("oxycodone 20 mg", us)
    assert it.basis == Basis("factor", factor=Decimal("1.5"))
    assert it.exact == 30
    assert it.equivalent == Decimal("30.00")
    assert it.factor == Decimal("1.5")
    assert it.source is not None
    assert it.source.id == "cdc-2022"
    assert it.flags == ()


def test_fentanyl_patch_75_is_180_mme_not_504(us: Guideline) -> None:
    """Regression (CDC calculator predecessor): the factor is per mcg/h, never per 3-day patch."""
    it = item("fentanyl patch 75 mcg/h", us)
    assert it.exact == 180
    assert it.equivalent == Decimal("180.00")
    assert it.equivalent != Decimal(504)
    assert it.route == "transdermal"
    assert it.unit == "mcg/h"
    # written with µ and without the word "patch": the same
    assert item("fentanyl 75 µg/h", us).exact == 180


def test_fentanyl_amount_basis_per_mcg_h(nordic: Guideline) -> None:
    # Helsedirektoratet: 12.5 µg/h = 0.3 mg/day x 100 = 30 mg morphine
    assert item("Durogesic 25 mcg/h", nordic).exact == 60
    assert item("fentanyl 75 mcg/h", nordic).exact == 180


def test_amount_basis_is_exact_and_its_range_inverts(nordic: Guideline) -> None:
    it = item("oksazepam 25 mg", nordic)
    assert it.drug == "oxazepam"
    assert it.exact == Fraction(25 * 5, 15)
    assert it.equivalent == Decimal("8.33")
    assert it.factor is None  # 1/3 does not terminate
    assert it.basis.amount == Decimal(15)
    assert it.basis.equals == Decimal(5)
    # 15–25 mg oxazepam = 5 mg diazepam: more oxazepam per 5 mg → a smaller equivalent
    assert it.range_exact == (Fraction(5), Fraction(25, 3))
    assert it.range == (Decimal("5.00"), Decimal("8.33"))


def test_factor_range(nordic: Guideline) -> None:
    it = item("oxycodone 20 mg", nordic)
    assert it.range == (Decimal("26.00"), Decimal("40.00"))


@pytest.mark.parametrize(
    ("dose", "factor", "mme"),
    [
        ("0.5", "4", "2"),
        ("20", "4", "80"),  # the band's upper limit belongs to it
        ("20.5", "8", "164"),
        ("40", "8", "320"),
        ("41", "10", "410"),
        ("60", "10", "600"),
        ("61", "12", "732"),
        ("200", "12", "2400"),
    ],
)
def test_band_basis_picks_the_band_by_dose(us: Guideline, dose: str, factor: str, mme: str) -> None:
    it = item(f"methadone {dose} mg", us)
    assert it.basis.kind == "band"
    assert it.basis.factor == Decimal(factor)
    assert it.exact == Fraction(Decimal(mme))
    assert "band" in it.flags
    assert "substitution" in it.flags


def test_band_outside_all_bands_has_no_factor() -> None:
    conv = Conversion(
        drug="x", bands=[Band(above=Decimal(10), up_to=Decimal(20), factor=Decimal(2))]
    )
    assert to_reference(conv, Fraction(5)) is None
    assert to_reference(conv, Fraction(21)) is None
    assert to_reference(conv, Fraction(15)) == 30


def test_points_basis_row_interpolated_below_and_above(nordic: Guideline) -> None:
    on_row = item("hydromorphone 4 mg", nordic)
    assert on_row.exact == 30
    assert on_row.basis.position == "row"
    assert on_row.flags == ()

    between = item("hydromorphone 3 mg", nordic)
    # between 2.6 mg = 20 and 4 mg = 30
    assert between.exact == 20 + Fraction(10) * (Fraction(3) - Fraction("2.6")) / (
        4 - Fraction("2.6")
    )
    assert between.basis.position == "interpolated"
    assert "interpolated" in between.flags
    assert between.equivalent == Decimal("22.86")

    below = item("hydromorphone 1 mg", nordic)
    assert below.exact == Fraction(10) / Fraction("1.3")
    assert "below-table" in below.flags

    above = item("hydromorphone 30 mg", nordic)
    assert above.exact is None
    assert above.equivalent is None
    assert "no-factor" in above.flags
    assert above.reason is not None
    assert "above the table's highest row (20 mg)" in above.reason


def test_reference_drug_without_a_row_converts_as_itself(us: Guideline) -> None:
    it = item("Valium 10 mg", us)
    assert it.exact == 10
    it = item("morphine 30 mg", us)
    assert it.exact == 30


def test_same_drug_twice_uses_the_combined_dose_for_bands(us: Guideline) -> None:
    meds = [parse_medication("methadone 20 mg"), parse_medication("methadone 20 mg")]
    result = equivalents(meds, us)
    # 40 mg/day is in the 20–40 band (x8): 320, not 2 x 20 x 4 = 160
    assert [i.exact for i in result.items] == [160, 160]
    assert all("combined-dose" in i.flags for i in result.items)
    total = result.total("opioid")
    assert total is not None
    assert total.exact == 320


def test_linear_lines_of_the_same_drug_simply_add(us: Guideline) -> None:
    meds = [parse_medication("morphine 60 mg"), parse_medication("morphine 20 mg")]
    result = equivalents(meds, us)
    assert [i.exact for i in result.items] == [60, 20]
    assert all("combined-dose" not in i.flags for i in result.items)


# --- no factor -----------------------------------------------------------------------------


def test_buprenorphine_without_factor_is_explicit_with_cdc_reason(us: Guideline) -> None:
    it = item("buprenorphine sublingual 8 mg", us)
    assert it.exact is None
    assert it.equivalent is None
    assert it.flags == ("no-factor", "substitution")
    assert it.reason is not None
    # the rule file's own note replaces the generic "the rule file has no conversion for …"
    assert it.reason.startswith("Buprenorphine products are not included in the CDC")
    assert "partial mu-receptor agonist" in it.reason


def test_only_notes_about_the_drugs_conversion_are_its_reason(us: Guideline) -> None:
    notes = [
        "Buprenorphine and methadone have no taper rule here.",  # no conversion words
        "No buprenorphine product is listed; every product needs a conversion.",  # not first
        "Buprenorphine has no conversion. CDC leaves it out.",
    ]
    g = us.model_copy(update={"notes": notes})
    it = item("buprenorphine sublingual 8 mg", g)
    assert it.reason == "Buprenorphine has no conversion. CDC leaves it out"
    g = us.model_copy(update={"notes": []})
    assert item("buprenorphine sublingual 8 mg", g).reason == (
        "the rule file has no conversion for buprenorphine"
    )


def test_no_factor_makes_the_total_incomplete_never_zero(us: Guideline) -> None:
    meds = [parse_medication("oxycodone 20 mg"), parse_medication("Subutex 8 mg")]
    result = equivalents(meds, us)
    total = result.total("opioid")
    assert total is not None
    assert total.exact == 30
    assert not total.complete
    assert total.missing == ("Subutex 8 mg",)
    codes = [w.code for w in result.warnings]
    assert "no-factor" in codes
    assert "substitution-drug" in codes


# --- names and forms -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "drug"),
    [
        ("oxazepam", "oxazepam"),
        ("OXAZEPAM", "oxazepam"),
        ("oksazepam", "oxazepam"),
        ("Sobril", "oxazepam"),
        ("n05ba04", "oxazepam"),
        ("klonazepam", "clonazepam"),
        ("Rivotril", "clonazepam"),
        ("zopiklon", "zopiclone"),
        ("Subutex", "buprenorphine"),
    ],
)
def test_resolves_names_brands_atc_and_nordic_spellings(
    nordic: Guideline, name: str, drug: str
) -> None:
    assert resolve_drug(name, nordic).id == drug


def test_unknown_drug_did_you_mean(nordic: Guideline) -> None:
    with pytest.raises(TaperError, match=r"Unknown drug 'oxazpam' .*Did you mean oxazepam") as e:
        resolve_drug("oxazpam", nordic)
    # one suggestion per drug: not both oxazepam and oksazepam
    assert "oksazepam" not in str(e.value)
    assert suggestions("qqqqqq", nordic) == []
    with pytest.raises(TaperError) as e:
        resolve_drug("qqqqqq", nordic)
    assert "Did you mean" not in str(e.value)


def test_patch_unit_for_a_tablet_drug(us: Guideline) -> None:
    with pytest.raises(TaperError, match=r"lorazepam has no patch conversion.*oral mg"):
        item("lorazepam 10 mcg/h", us)


def test_mg_for_a_patch_only_drug(us: Guideline) -> None:
    with pytest.raises(TaperError, match=r"converted from patches.*mcg/h"):
        item("fentanyl 25 mg", us)


def test_route_the_table_lacks(nordic: Guideline) -> None:
    with pytest.raises(TaperError, match="no conversion for buprenorphine as transdermal mg"):
        item("buprenorphine patch 5 mg", nordic)


def test_brand_gives_the_route(nordic: Guideline) -> None:
    assert item("Subutex 8 mg", nordic).route == "sublingual"


def test_drug_the_file_lacks_entirely_has_no_factor() -> None:
    g = guideline("conv-points")
    table = g.equivalence["opioid"]
    g2 = g.model_copy(
        update={
            "equivalence": {
                **g.equivalence,
                "opioid": table.model_copy(
                    update={"conversions": [c for c in table.conversions if c.drug != "oxycodone"]}
                ),
            }
        }
    )
    it = item("oxycodone 10 mg", g2)
    assert it.exact is None
    assert it.reason == "the rule file has no conversion for oxycodone"


# --- totals and warnings -------------------------------------------------------------------


def test_one_total_per_class_never_summed(us: Guideline) -> None:
    meds = [parse_medication(t) for t in ("lorazepam 2 mg", "oxycodone 20 mg", "Valium 5 mg")]
    result = equivalents(meds, us)
    assert [t.drug_class for t in result.totals] == ["benzodiazepine", "opioid"]
    benzo, opioid = result.totals
    assert benzo.exact == 25
    assert benzo.reference == "diazepam"
    assert benzo.unit == "mg"
    assert opioid.exact == 30
    assert opioid.reference == "morphine"
    # range: lorazepam 0.5–1 mg = 5 mg → 10–20; diazepam has none → its value at both ends
    assert benzo.range == (Decimal("15.00"), Decimal("25.00"))
    assert opioid.range is None


def test_thresholds_total_above_and_combined(us: Guideline) -> None:
    meds = [parse_medication("oxycodone 40 mg"), parse_medication("lorazepam 1 mg")]
    result = equivalents(meds, us)
    found = {w.code: w.severity for w in result.warnings}
    assert found["threshold:mme-50"] == "caution"  # 60 > 50
    assert "threshold:mme-90" not in found
    assert found["threshold:opioid-with-benzo"] == "high"


def test_threshold_is_strictly_above(us: Guideline) -> None:
    result = equivalents([parse_medication("morphine 50 mg")], us)
    assert "threshold:mme-50" not in {w.code for w in result.warnings}


def test_incomplete_total_under_a_threshold_says_it_cannot_be_ruled_out(us: Guideline) -> None:
    meds = [parse_medication("morphine 20 mg"), parse_medication("buprenorphine sublingual 2 mg")]
    codes = [w.code for w in equivalents(meds, us).warnings]
    assert "threshold-unknown:mme-90" in codes
    assert "threshold:mme-90" not in codes


def test_substitution_warning_once_per_drug(us: Guideline) -> None:
    meds = [parse_medication("methadone 10 mg"), parse_medication("methadone 10 mg")]
    codes = [w.code for w in equivalents(meds, us).warnings]
    assert codes.count("substitution-drug") == 1


def test_empty_list_is_refused(us: Guideline) -> None:
    with pytest.raises(TaperError):
        equivalents([], us)


# --- targets -------------------------------------------------------------------------------


def _total(g: Guideline, *texts: str):  # type: ignore[no-untyped-def]
    result = equivalents([parse_medication(t) for t in texts], g)
    return result.totals[-1]


def test_to_target_reference_returns_the_total(us: Guideline) -> None:
    total = _total(us, "oxycodone 20 mg", "fentanyl patch 25 mcg/h")
    t = to_target(total, "morphine", us)
    assert t.exact == total.exact == 90
    assert t.switch
    assert t.reduction_percent == Decimal(25)
    assert t.reduced_exact == Fraction(135, 2)


def test_to_target_same_drug_is_not_a_switch(us: Guideline) -> None:
    total = _total(us, "oxycodone 20 mg")
    t = to_target(total, "oxycodone", us)
    assert t.exact == 20
    assert not t.switch
    assert t.reduced_dose is None
    assert t.warnings[0].code == "switch-judgement"


def test_to_target_switch_applies_cross_tolerance_reduction(us: Guideline) -> None:
    total = _total(us, "morphine 90 mg")
    t = to_target(total, "oxycodone", us)
    assert t.exact == 60
    assert t.reduced_exact == 45
    assert t.reduced_dose == Decimal("45.00")


def test_to_target_patch(us: Guideline) -> None:
    total = _total(us, "morphine 180 mg")
    t = to_target(total, "fentanyl patch", us)
    assert t.exact == 75
    assert t.unit == "mcg/h"
    assert t.route == "transdermal"
    assert to_target(total, "fentanyl", us).exact == 75


def test_to_target_refusals(us: Guideline, nordic: Guideline) -> None:
    total = _total(us, "morphine 60 mg")
    with pytest.raises(TaperError, match="only under a specialist"):
        to_target(total, "methadone", us)
    with pytest.raises(TaperError, match="classes are never converted"):
        to_target(total, "diazepam", us)
    with pytest.raises(TaperError, match="Unknown drug"):
        to_target(total, "morfine", us)
    with pytest.raises(TaperError, match="only under a specialist"):
        to_target(total, "buprenorphine", us)
    n_total = _total(nordic, "morphine 60 mg")
    with pytest.raises(TaperError, match="only under a specialist"):
        to_target(n_total, "Subutex", nordic)


def test_to_target_through_points_and_bands() -> None:
    points = Conversion(
        drug="h",
        points=[
            TablePoint(dose=Decimal(2), equals=Decimal(10)),
            TablePoint(dose=Decimal(4), equals=Decimal(30)),
        ],
    )
    assert from_reference(points, Fraction(20)) == 3
    assert from_reference(points, Fraction(5)) == 1  # below the first row, from zero
    with pytest.raises(TaperError, match="cannot be inverted"):
        from_reference(points, Fraction(31))
    bands = Conversion(
        drug="m",
        bands=[
            Band(above=Decimal(0), up_to=Decimal(20), factor=Decimal(4)),
            Band(above=Decimal(20), up_to=Decimal(40), factor=Decimal(8)),
        ],
    )
    assert from_reference(bands, Fraction(80)) == 20
    assert from_reference(bands, Fraction(240)) == 30
    with pytest.raises(TaperError, match="cannot be inverted"):
        from_reference(bands, Fraction(100))  # the bands jump from 80 to >160


# --- compare -------------------------------------------------------------------------------


def test_compare_side_by_side_with_spread(us: Guideline, nordic: Guideline) -> None:
    meds = [parse_medication(t) for t in ("hydromorphone 4 mg", "oxazepam 25 mg", "Subutex 8 mg")]
    c = compare(meds, [us, nordic])
    hydro, oxa, bup = c.rows
    assert [cell.item.exact for cell in hydro.cells if cell.item] == [20, 30]
    assert hydro.spread is not None
    assert (hydro.spread.lowest, hydro.spread.highest) == (Decimal("20.00"), Decimal("30.00"))
    assert hydro.spread.ratio == Decimal("1.50")
    assert hydro.spread.lowest_in == ("conv-bands",)
    assert oxa.cells[0].item is None
    assert oxa.cells[0].reason is not None
    assert oxa.cells[0].reason == "'oxazepam' is not in this rule file"
    assert bup.cells[0].item is not None
    assert bup.cells[0].item.exact is None
    assert bup.spread is not None
    assert bup.spread.compared == 1
    opioid = next(t for t in c.totals if t.drug_class == "opioid")
    us_total = dict(opioid.totals)["conv-bands"]
    assert not us_total.complete
    assert opioid.spread is not None
    assert opioid.spread.compared == 1


def test_compare_unknown_everywhere_is_an_error(us: Guideline, nordic: Guideline) -> None:
    with pytest.raises(TaperError, match="in every rule file"):
        compare([parse_medication("oxazpam 10 mg")], [us, nordic])


def test_methadone_and_buprenorphine_always_count_as_substitution_drugs() -> None:
    from taper.equivalence import is_substitution
    from taper.guideline.model import Drug

    assert is_substitution(Drug.model_validate({"id": "methadone", "class": "opioid"}))
    assert is_substitution(
        Drug.model_validate({"id": "subutex-x", "class": "opioid", "atc": ["N07BC01"]})
    )
    assert not is_substitution(Drug.model_validate({"id": "oxycodone", "class": "opioid"}))


def test_unknown_drug_in_a_one_class_file_says_what_it_converts(nordic: Guideline) -> None:
    g = nordic.model_copy(update={"equivalence": {"opioid": nordic.equivalence["opioid"]}})
    with pytest.raises(TaperError, match="it converts opioid doses only"):
        resolve_drug("qqqqqq", g)
