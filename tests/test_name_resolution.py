"""Drug names: brands fix the form, look-alikes, names from other rule files (review 2026-11-23).

Regression tests for the reviewer's findings S1 (a patch brand in mg read as sublingual tablets,
25x), S2 (did-you-mean across drugs and classes; uk-ashton calling diazepam unknown) and S3
(compare gave a brand and its generic different totals).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from taper.dose import Dose, MedicationInput, Unit, parse_medication
from taper.equivalence import compare, equivalents, resolve_drug, suggestions
from taper.errors import TaperError
from taper.guideline.loader import load_builtin
from taper.guideline.model import Guideline
from taper.guideline.registry import builtin_ids
from taper.names import brand_form_problem, edit_distance


def g(gid: str) -> Guideline:
    return load_builtin(gid).guideline


def refused(text: str, gid: str) -> str:
    with pytest.raises(TaperError) as info:
        equivalents([parse_medication(text)], g(gid))
    message = str(info.value)
    assert len(message.splitlines()) == 1
    return message


# --- S1: a brand fixes the form ------------------------------------------------------------


@pytest.mark.parametrize("gid", ["se-vgr", "no-helsedir"])
def test_review_norspan_in_mg_is_not_read_as_sublingual(gid: str) -> None:
    # Norspan is a formulary patch (issue 15: pain patches), so its form is known.
    assert refused("Norspan 10 mg", gid) == (
        f"Norspan is a patch (transdermal) in rule file {gid}; give its delivery rate in "
        "mcg/h, e.g. 'Norspan 10 mcg/h'."
    )


@pytest.mark.parametrize("gid", ["se-vgr", "no-helsedir"])
def test_review_subutex_in_mcg_per_hour_is_not_read_as_a_patch(gid: str) -> None:
    assert refused("Subutex 8 mcg/h", gid) == (
        f"Subutex is a sublingual tablet (sublingual) in rule file {gid}; give its daily total "
        "in mg, e.g. 'Subutex 8 mg'."
    )


def test_review_patch_brand_in_mg_is_refused() -> None:
    assert refused("Durogesic 4 mg", "no-helsedir") == (
        "Durogesic is a patch (transdermal) in rule file no-helsedir; give its delivery rate in "
        "mcg/h, e.g. 'Durogesic 12 mcg/h'."
    )
    assert "'Duragesic 25 mcg/h'" in refused("Duragesic 25 mg", "us-cdc-2022")


@pytest.mark.parametrize(
    ("text", "route", "equivalent"),
    [
        ("buprenorphine 0.4 mg", "sublingual", Decimal(20)),  # generic: the unit decides
        ("buprenorfin 0.4 mg", "sublingual", Decimal(20)),  # a spelling, not a brand
        ("Subutex 0.4 mg", "sublingual", Decimal(20)),
        ("Norspan 10 mcg/h", "transdermal", Decimal(20)),  # mcg/h is only ever a patch
        ("Norspan patch 10 mcg/h", "transdermal", Decimal(20)),
        ("buprenorphine 10 mcg/h", "transdermal", Decimal(20)),
    ],
)
def test_review_forms_that_stay_accepted(text: str, route: str, equivalent: Decimal) -> None:
    item = equivalents([parse_medication(text)], g("se-vgr")).items[0]
    assert (item.route, item.equivalent) == (route, equivalent)


def _other_unit(unit: Unit) -> Unit:
    return "mg" if unit == "mcg/h" else "mcg/h"


@pytest.mark.parametrize("gid", builtin_ids())
def test_review_no_formulary_brand_is_read_in_another_unit(gid: str) -> None:
    """Every brand of every shipped formulary: the other unit family is refused, never read
    as another form of the drug."""
    rules = g(gid)
    for product in rules.formulary:
        units = {p.unit for p in rules.formulary if p.brand == product.brand}
        if len(units) != 1:
            continue
        unit = _other_unit(product.unit)
        med = MedicationInput(
            f"{product.brand} 10 {unit}", product.brand, Dose(Decimal(10), unit), None
        )
        drug = resolve_drug(product.brand, rules)
        assert brand_form_problem(med, drug, rules) is not None, (gid, product.brand)
        with pytest.raises(TaperError):
            equivalents([med], rules)


def test_review_every_command_refuses_norspan_in_mg(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    expected = "Norspan is a patch (transdermal)"
    runs = [
        ("convert", "-g", "se-vgr", "-m", "Norspan 10 mg"),
        ("compare", "-m", "Norspan 10 mg"),
        ("referral", "-g", "se-vgr", "-m", "Norspan 10 mg"),
        (
            "plan", "-g", "se-vgr", "-m", "Norspan 10 mg", "--specialist",
            "--start", "2027-01-04", "--lang", "en",
        ),
    ]  # fmt: skip
    for args in runs:
        result = run_cli(*args)
        assert result.code == 2, args
        assert expected in result.err, args
    rows = tmp_path / "patients.csv"
    rows.write_text(
        "patient_id,guideline,start,medication\nP1,se-vgr,2027-01-04,Norspan 10 mg\n",
        encoding="utf-8",
    )
    result = run_cli("batch", str(rows), "--out-dir", str(tmp_path / "out"))
    assert result.code == 1
    assert expected in (tmp_path / "out" / "summary.csv").read_text(encoding="utf-8")


def test_review_plan_refuses_subutex_as_a_patch(run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli(
        "plan", "-g", "se-vgr", "-m", "Subutex 8 mcg/h", "--specialist", "--start", "2027-01-04"
    )
    assert result.code == 2
    assert "Subutex is a sublingual tablet" in result.err


# --- S2: did you mean ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("gid", "typed", "expected"),
    [
        ("se-vgr", "diazepan", ["diazepam"]),
        ("se-vgr", "oxazpam", ["oxazepam"]),
        ("se-vgr", "zopiclon", ["zopiclone"]),
        ("se-vgr", "oxycodon", ["oxycodone"]),
        ("se-vgr", "alprazolan", ["alprazolam"]),  # not Tradolan (tramadol), not triazolam
        ("se-vgr", "temazepan", []),  # not nitrazepam, not Temesta (lorazepam)
        ("se-vgr", "lorazepan", ["lorazepam"]),  # not klonazepam
        ("se-vgr", "nitrazepan", ["nitrazepam"]),  # not flunitrazepam
        ("se-vgr", "Temsta", ["Temesta (lorazepam)"]),  # a brand with its generic name
        ("se-vgr", "Imovan", ["Imovane (zopiclone)"]),
        ("se-vgr", "orazepam", ["lorazepam", "oxazepam"]),  # as close to both: both, named
        ("uk-ashton", "temazepan", ["temazepam"]),
        ("no-helsedir", "Xanax", []),  # not Oxapax (oxazepam) or Xanor
    ],
)
def test_review_suggestions_only_close_names_with_generic(
    gid: str, typed: str, expected: list[str]
) -> None:
    assert suggestions(typed, g(gid)) == expected


def test_review_single_slip_typos_find_their_drug() -> None:
    """The measurement behind the cutoff, on a slice: every name of 5+ letters in the shipped
    files with one letter left out or two swapped is offered its own drug."""
    for gid in builtin_ids():
        rules = g(gid)
        for drug in rules.drugs:
            for name in [drug.id, *drug.names]:
                word = name.casefold()
                if len(word) < 5 or " " in word:
                    continue
                for i in range(0, len(word) - 1, 2):
                    for typo in (
                        word[:i] + word[i + 1 :],
                        word[:i] + word[i + 1] + word[i] + word[i + 2 :],
                    ):
                        if typo == word or resolve_ok(typo, rules):
                            continue
                        offered = suggestions(typo, rules, n=10)
                        assert any(drug.id in s.split(" (")[-1] or s == drug.id for s in offered), (
                            gid,
                            typo,
                            offered,
                        )


def resolve_ok(name: str, rules: Guideline) -> bool:
    try:
        resolve_drug(name, rules)
    except TaperError:
        return False
    return True


def test_edit_distance_counts_slips() -> None:
    assert edit_distance("oxazepam", "oxazepam") == 0
    assert edit_distance("oxazpam", "oxazepam") == 1
    assert edit_distance("oxazepma", "oxazepam") == 1  # a swap is one slip
    assert edit_distance("temazepan", "nitrazepam") > 2


@pytest.mark.parametrize(
    ("gid", "text", "message"),
    [
        (
            "se-vgr",
            "Ativan 1 mg",
            "'Ativan' is not a name in rule file se-vgr (brand names are regional); it is "
            "lorazepam in no-helsedir, uk-ashton and us-cdc-2022 — write 'lorazepam 1 mg'.",
        ),
        (
            "no-helsedir",
            "Xanax 1 mg",
            "'Xanax' is not a name in rule file no-helsedir (brand names are regional); it is "
            "alprazolam in uk-ashton and us-cdc-2022 — write 'alprazolam 1 mg'.",
        ),
        (
            "uk-ashton",
            "Stesolid 10 mg",
            "'Stesolid' is not a name in rule file uk-ashton (brand names are regional); it is "
            "diazepam in no-helsedir and se-vgr — write 'diazepam 10 mg'.",
        ),
        (
            "se-vgr",
            "Librium 10 mg",
            "'Librium' is not a name in rule file se-vgr (brand names are regional); it is "
            "chlordiazepoxide in uk-ashton, which rule file se-vgr does not list.",
        ),
        (
            "uk-ashton",
            "qqqq 1 mg",
            # uk-ashton converts opioids too since issue 15 item 9 (its Opioids Aware rule)
            "Unknown drug 'qqqq' in rule file uk-ashton.",
        ),
        ("se-vgr", "temazepan 20 mg", "Unknown drug 'temazepan' in rule file se-vgr."),
    ],
)
def test_review_names_from_other_rule_files(gid: str, text: str, message: str) -> None:
    assert refused(text, gid) == message


# --- S3: compare reads a brand as its generic where another compared file knows it ---------


def test_review_compare_brand_and_generic_agree() -> None:
    files = [g(gid) for gid in builtin_ids()]
    brand = compare([parse_medication("Xanor 1 mg")], files)
    generic = compare([parse_medication("alprazolam 1 mg")], files)
    for b, a in zip(brand.rows[0].cells, generic.rows[0].cells, strict=True):
        assert (b.guideline_id, b.reason) == (a.guideline_id, a.reason)
        assert (b.item and b.item.equivalent) == (a.item and a.item.equivalent)
    notes = {c.guideline_id: c.note for c in brand.rows[0].cells}
    assert notes["uk-ashton"] == "'Xanor' read as alprazolam, as in no-helsedir and se-vgr"
    assert notes["se-vgr"] is None
    assert [t.equivalent for _, t in brand.totals[0].totals] == [
        t.equivalent for _, t in generic.totals[0].totals
    ]


def test_review_compare_text_says_how_a_cell_was_read(run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("compare", "-m", "Xanor 1 mg")
    assert result.code == 0
    assert "uk-ashton: 'Xanor' read as alprazolam, as in no-helsedir and se-vgr" in result.out


def test_review_compare_name_known_only_outside_the_compared_files(run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("compare", "-g", "uk-ashton", "-g", "us-cdc-2022", "-m", "Stesolid 10 mg")
    assert result.code == 2
    assert result.err == (
        "taper: 'Stesolid' is not a name in the rule files compared (brand names are regional); "
        "it is diazepam in no-helsedir and se-vgr: write the generic name, e.g. "
        "'diazepam 10 mg'.\n"
    )
