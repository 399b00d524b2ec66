"""Medication names as a patient record writes them (clinician review 2026-12: defect 14, R27;
nurse review P8-1): a release word after a generic name ("oxycodone MR", "morphine ER",
"oxikodon depot", "oxycodone IR") and a combination by its generic names and both strengths
("acetaminophen/codeine 300/30 mg 2+2+2"). Named regression tests for every example of the
reviews, then hypothesis properties: release words in any case and spacing around the rule
files' drugs never crash and never name another drug.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from taper.dose import parse_medication
from taper.equivalence import equivalents, resolve_drug, resolve_medication
from taper.errors import TaperError
from taper.guideline.loader import load_guideline
from taper.guideline.model import Product
from taper.names import RELEASE_WORDS, release_name
from taper.plan import PlanOptions, make_plan
from taper.plan.model import Plan

D = Decimal
START = dt.date(2027, 1, 11)


def _plan(gid: str, *texts: str) -> Plan:
    loaded = load_guideline(gid)
    meds = [parse_medication(t, loaded.guideline) for t in texts]
    return make_plan(meds, loaded, PlanOptions(start=START, lang="en"))


def _fixed_brands(plan: Plan) -> set[str]:
    fixed = next(s for s in plan.steps if s.phase == "stabilisation")
    return {t.brand for d in fixed.doses for t in d.tablets}


def _equivalent(gid: str, text: str) -> Decimal | None:
    g = load_guideline(gid).guideline
    return equivalents([parse_medication(text, g)], g).items[0].equivalent


def _one_sentence_exit_2(result) -> None:  # type: ignore[no-untyped-def]
    assert result.code == 2, result.out
    assert "Traceback" not in result.err
    assert result.err.count("\n") == 1, result.err


# --- release words after a generic name --------------------------------------------------


@pytest.mark.parametrize("gid", ["us-cdc-2022", "se-vgr"])
@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("oxycodone MR 20 mg", "oxycodone 20 mg"),  # review defect 14, se-vgr refusal table
        ("morphine ER 30 mg", "morphine 30 mg"),  # review defect 14, us-cdc refusal table
        ("oxycodone ER 30 mg twice a day", "oxycodone 30 mg twice a day"),  # nurse P8-1
        ("oxycodone extended-release 30 mg twice a day", "oxycodone 60 mg"),  # nurse P8-1
        ("oxycodone retard 20 mg", "oxycodone 20 mg"),  # defect 14 ("presumably retard")
        ("oxycodone depot 20 mg", "oxycodone 20 mg"),  # defect 14 ("presumably depot")
        ("morphine MR 30+30 mg", "morphine 60 mg"),
        ("oxikodon depottabletter 20 mg", "oxycodone 20 mg"),
        ("morfin depå 30 mg", "morphine 30 mg"),
        ("oxycodone prolonged-release 20 mg", "oxycodone 20 mg"),
        ("oxycodone IR 5 mg 4 times a day", "oxycodone 20 mg"),
        ("oxycodone snabbverkande 20 mg", "oxycodone 20 mg"),
    ],
)
def test_defect14_release_word_converts_as_the_plain_name(gid: str, text: str, plain: str) -> None:
    """Review defect 14 / nurse P8-1: a release word does not change an oral factor."""
    assert _equivalent(gid, text) == _equivalent(gid, plain)


def test_defect14_convert_shows_the_line_as_written(run_cli) -> None:  # type: ignore[no-untyped-def]
    """Review defect 14: `convert` prints 'oxycodone MR 20 mg', not a rewritten name."""
    result = run_cli("convert", "-g", "se-vgr", "-m", "oxycodone MR 20 mg", "-f", "json")
    assert result.code == 0, result.err
    (item,) = json.loads(result.out)["items"]
    assert item["input"] == "oxycodone MR 20 mg"
    assert item["drug"] == "oxycodone"
    text = run_cli("convert", "-g", "se-vgr", "-m", "oxycodone MR 20 mg").out
    assert "1. oxycodone MR 20 mg" in text


@pytest.mark.parametrize(
    ("gid", "text", "brands"),
    [
        # review defect 14: MR plans on the rule file's modified-release product
        ("us-cdc-2022", "oxycodone MR 20 mg", {"OxyContin"}),
        ("se-vgr", "oxycodone MR 20+20 mg", {"Oxycodone Depot Orion"}),
        ("us-cdc-2022", "morphine ER 30+30 mg", {"Morphine sulfate extended-release tablets"}),
        # nurse P8-1: "oxycodone ER 30 mg twice a day" is the depot product, as OxyContin is
        ("us-cdc-2022", "oxycodone ER 30 mg twice a day", {"OxyContin"}),
        ("se-vgr", "alprazolam depot 2 mg", {"Xanor Depot"}),
        ("se-vgr", "tramadol retard 200 mg", {"Tradolan Retard"}),
        # IR plans on immediate-release products
        ("us-cdc-2022", "oxycodone IR 20 mg", {"Oxycodone hydrochloride tablets"}),
        ("se-vgr", "alprazolam IR 1 mg", {"Xanor"}),
    ],
)
def test_defect14_release_word_picks_the_product_family(
    gid: str, text: str, brands: set[str]
) -> None:
    """Review defect 14: the release form selects the product family, as a brand does."""
    assert _fixed_brands(_plan(gid, text)) == brands


def test_defect14_release_word_takes_the_brand_path() -> None:
    """'oxycodone MR 20 mg' plans exactly as the MR brand 'OxyContin 20 mg' (one path)."""
    by_release = _plan("us-cdc-2022", "oxycodone MR 20 mg")
    by_brand = _plan("us-cdc-2022", "OxyContin 20 mg")
    assert [(s.dose, [(d.time, d.amount) for d in s.doses]) for s in by_release.steps] == [
        (s.dose, [(d.time, d.amount) for d in s.doses]) for s in by_brand.steps
    ]


@pytest.mark.parametrize(
    ("gid", "text", "part"),
    [
        (
            "us-cdc-2022",
            "morphine IR 30 mg",
            "no immediate-release morphine tablets or capsules for 'morphine IR'; its formulary "
            "has morphine as Morphine sulfate extended-release tablets (modified-release",
        ),
        (
            "no-helsedir",
            "oxycodone IR 20 mg",
            "has oxycodone as Reltebon Depot (modified-release, 5, 10, 15, 20, 30, 40, 60, 80 mg)",
        ),
        (
            "no-helsedir",
            "morphine depot 30 mg",
            "no modified-release morphine tablets or capsules",
        ),
    ],
)
def test_defect14_release_the_formulary_lacks_is_refused(  # type: ignore[no-untyped-def]
    run_cli, gid: str, text: str, part: str
) -> None:
    """Review defect 14: no product of the release → one sentence naming what there is."""
    result = run_cli("plan", "-g", gid, "-m", text, "--start", "2027-01-11")
    _one_sentence_exit_2(result)
    assert part in result.err


@pytest.mark.parametrize(
    ("gid", "text", "part"),
    [
        # a brand names its own release: the word after it is not read
        ("se-vgr", "Dolcontin depot 30 mg", "write 'Dolcontin 30 mg', or 'morphine modified"),
        ("us-cdc-2022", "OxyContin ER 20 mg", "OxyContin is a brand of oxycodone"),
        # a typo before the release word: "did you mean" for the name
        ("us-cdc-2022", "oxycodne MR 20 mg", "Unknown drug 'oxycodne'"),
        # patches are no immediate-release form
        ("se-vgr", "fentanyl IR 25 mcg/h", "write 'fentanyl 25 mcg/h' without the release"),
    ],
)
def test_defect14_release_word_refusals(run_cli, gid: str, text: str, part: str) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("plan", "-g", gid, "-m", text, "--start", "2027-01-11")
    _one_sentence_exit_2(result)
    assert part in result.err


def test_defect14_whole_names_with_release_words_stay_brands() -> None:
    """'Xanor Depot' and 'Tradolan Retard' are names of the rule file: never split."""
    g = load_guideline("se-vgr").guideline
    assert release_name("Xanor Depot", g) is None
    assert release_name("Tradolan Retard", g) is None
    assert _fixed_brands(_plan("se-vgr", "Xanor Depot 2 mg")) == {"Xanor Depot"}
    assert _fixed_brands(_plan("se-vgr", "Tradolan Retard 200 mg")) == {"Tradolan Retard"}


def test_defect14_patch_with_a_depot_word_plans_as_the_patch() -> None:
    """Swedish records write patches as "depot": a depot word leaves a patch a patch."""
    assert _fixed_brands(_plan("se-vgr", "fentanyl depot 25 mcg/h")) == {"Fentanyl Sandoz"}


# --- combinations by generic names and strengths ------------------------------------------


@pytest.mark.parametrize(
    ("gid", "text", "product", "codeine", "per_day"),
    [
        # review R27 / defect 14: the US record spelling of the only codeine product
        (
            "us-cdc-2022",
            "acetaminophen/codeine 300/30 mg 2+2+2",
            "Acetaminophen and codeine 300 mg/30 mg tablets",
            "180",
            "1800",
        ),
        (
            "se-vgr",
            "paracetamol/kodein 500/30 mg 2+2+2+2",
            "Citodon (paracetamol 500 mg / kodein 30 mg)",
            "240",
            "4000",
        ),
        # either order of the ingredients
        (
            "se-vgr",
            "codeine/paracetamol 30/500 1+1+1",
            "Citodon (paracetamol 500 mg / kodein 30 mg)",
            "90",
            "1500",
        ),
        (
            "no-helsedir",
            "paracetamol / kodein 400 mg/30 mg 2 tabletter 3 ganger daglig",
            "Paralgin forte (paracetamol 400 mg / kodein 30 mg)",
            "180",
            "2400",
        ),
        (
            "se-vgr",
            "paracetamol/kodein 500/30 mg 180 mg",
            "Citodon (paracetamol 500 mg / kodein 30 mg)",
            "180",
            "3000",
        ),
    ],
)
def test_r27_generic_combination_reads_as_the_product(
    gid: str, text: str, product: str, codeine: str, per_day: str
) -> None:
    """Review R27 / defect 14: 'acetaminophen/codeine 300/30 mg 2+2+2' is the formulary's
    product of those strengths, its other ingredient counted as the brand's would be."""
    g = load_guideline(gid).guideline
    med = parse_medication(text, g)
    assert med.text == " ".join(text.split())
    assert med.drug_name == product
    assert resolve_medication(med, g).id == "codeine"
    result = equivalents([med], g)
    (item,) = result.items
    assert item.amount == D(codeine)
    assert item.ingredients[0].per_day == D(per_day)
    notes = [w.message for w in result.warnings if w.code == "combination-read-as"]
    assert notes == [
        f"{med.text} is read as {product}, the product of rule file {gid} with these "
        f"strengths: {codeine} mg codeine a day."
    ]


@pytest.mark.parametrize(
    ("gid", "text", "part"),
    [
        # strengths the formulary does not have: one sentence with its strengths
        (
            "us-cdc-2022",
            "acetaminophen/codeine 500/30 mg 2+2+2+2",
            "has no product of acetaminophen/codeine 500/30 mg: its combination products of "
            "codeine with acetaminophen are acetaminophen/codeine 300/30 mg",
        ),
        (
            "se-vgr",
            "codeine/paracetamol 30/400 2+2",
            "are codeine/paracetamol 30/500 mg (Citodon)",
        ),
        # review R27's refused spelling: one strength only
        (
            "us-cdc-2022",
            "acetaminophen/codeine 30 mg 2+2+2+2",
            "Give both strengths of 'acetaminophen/codeine' as on the pack",
        ),
        # no tablets: which count?
        (
            "us-cdc-2022",
            "acetaminophen/codeine 300/30 mg",
            "How many tablets of acetaminophen/codeine 300/30 mg",
        ),
        # a combination the formulary has not: never planned as the opioid alone
        (
            "us-cdc-2022",
            "oxycodone/acetaminophen 5/325 mg 1+1+1",
            "lists no combination product of oxycodone",
        ),
        ("us-cdc-2022", "codeine/ibuprofen 30/200 mg 1+1", "no combination of codeine with"),
    ],
)
def test_r27_generic_combination_refusals(run_cli, gid: str, text: str, part: str) -> None:  # type: ignore[no-untyped-def]
    for command in ("convert", "plan"):
        args = ["--start", "2027-01-11"] if command == "plan" else []
        result = run_cli(command, "-g", gid, "-m", text, *args)
        _one_sentence_exit_2(result)
        assert part in result.err


def test_r27_generic_combination_plans_on_the_product() -> None:
    """Review R27: the plan of 'acetaminophen/codeine 300/30 mg 2+2+2' is the product's plan,
    with the line's reading and the acetaminophen by step on the clinician page."""
    plan = _plan("us-cdc-2022", "acetaminophen/codeine 300/30 mg 2+2+2")
    assert _fixed_brands(plan) == {"Acetaminophen and codeine 300 mg/30 mg tablets"}
    codes = {w.code for w in plan.warnings}
    assert {"combination-read-as", "combination-as-written", "paracetamol-per-day"} <= codes
    assert "combination-product-chosen" not in codes  # the line named the product


def test_r27_bare_codeine_says_it_is_planned_on_acetaminophen_codeine() -> None:
    """Review R27: 'codeine 30 mg 2+2+2+2' under us-cdc-2022 is dispensed as acetaminophen/
    codeine 300/30; the clinician page says so, with the acetaminophen a day at the start and
    the acetaminophen by step."""
    plan = _plan("us-cdc-2022", "codeine 30 mg 2+2+2+2")
    said = {w.code: w for w in plan.warnings}
    chosen = said["combination-product-chosen"]
    assert chosen.severity == "caution"
    assert chosen.message == (
        "codeine as written (codeine 30 mg 2+2+2+2) is planned on Acetaminophen and codeine "
        "300 mg/30 mg tablets, which also holds 300 mg acetaminophen a tablet: 2400 mg "
        "acetaminophen a day at the start (label: at most 4000 mg a day); prescribe it as this "
        "product, and the patient takes no other acetaminophen."
    )
    by_step = said["paracetamol-per-day"].message
    assert "gives acetaminophen a day by step" in by_step
    assert "2–3: 2400 mg" in by_step


def test_r27_a_brand_line_gets_no_chosen_product_caution() -> None:
    """The caution is for a generic name only: a brand line names its product itself."""
    plan = _plan("se-vgr", "Citodon 2+2+2")
    assert "combination-product-chosen" not in {w.code for w in plan.warnings}


@pytest.mark.parametrize("lang", ["sv", "nb"])
def test_r27_new_sentences_are_translated(run_cli, lang: str) -> None:  # type: ignore[no-untyped-def]
    result = run_cli(
        "plan", "-g", "us-cdc-2022", "-m", "codeine 30 mg 2+2+2+2", "--start", "2027-01-11",
        "--lang", lang,
    )  # fmt: skip
    assert result.code == 0, result.err
    assert "is planned on" not in result.out
    assert "gives acetaminophen a day" not in result.out
    read_as = run_cli(
        "plan", "-g", "us-cdc-2022", "-m", "acetaminophen/codeine 300/30 mg 2+2+2",
        "--start", "2027-01-11", "--lang", lang,
    )  # fmt: skip
    assert read_as.code == 0, read_as.err
    assert "the product of rule file" not in read_as.out


# --- properties ------------------------------------------------------------------------------

_GIDS = ["se-vgr", "no-helsedir", "uk-ashton", "us-cdc-2022"]


def _generic_names(gid: str) -> list[tuple[str, str]]:
    g = load_guideline(gid).guideline
    out = []
    for drug in g.drugs:
        out.append((drug.id, drug.id))
        if drug.display is not None:
            out.append((drug.display.en, drug.id))
    return out


_CASES = [(gid, name, drug) for gid in _GIDS for name, drug in _generic_names(gid)]


def _case(word: str, pattern: list[bool]) -> str:
    cycle = pattern * len(word)
    return "".join(
        c.upper() if up else c.lower() for c, up in zip(word, cycle[: len(word)], strict=True)
    )


@settings(max_examples=300, deadline=None)
@given(
    case=st.sampled_from(_CASES),
    word=st.sampled_from(sorted(RELEASE_WORDS)),
    upper=st.lists(st.booleans(), min_size=1, max_size=4),
    gap=st.sampled_from([" ", "  ", "-", " \t"]),
    amount=st.sampled_from(["10 mg", "5+5 mg", "20 mg twice a day", "25 mcg/h"]),
)
def test_release_words_never_crash_and_never_name_another_drug(
    case: tuple[str, str, str], word: str, upper: list[bool], gap: str, amount: str
) -> None:
    """Any release word, in any case, after any generic name, however spaced: the line is
    read as that drug or refused in one sentence (TaperError) — never another drug."""
    gid, name, drug = case
    g = load_guideline(gid).guideline
    written = _case(word, upper).replace(" ", gap)
    try:
        med = parse_medication(f"{name}{gap if gap != '-' else ' '}{written} {amount}", g)
        found = resolve_drug(med.drug_name, g)
    except TaperError:
        return
    assert found.id == drug


def test_every_release_word_after_every_generic_name_resolves_to_it() -> None:
    """The sweep behind the property: no pair is refused or read as another drug."""
    for gid, name, drug in _CASES:
        g = load_guideline(gid).guideline
        for word in RELEASE_WORDS:
            med = parse_medication(f"{name} {word.upper()} 10 mg", g)
            assert resolve_drug(med.drug_name, g).id == drug, (gid, name, word)


def test_r27_batch_rows_read_generic_combinations_and_release_words(run_cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A batch reads the record spellings as `plan` does, the daily total of a combination
    too ('paracetamol/kodein 500/30 mg 180 mg' would read without the rule file as a drug
    named 'paracetamol/kodein 500/30 mg')."""
    rows = tmp_path / "list.csv"
    rows.write_text(
        "patient_id;guideline;start;medication\n"
        "P1;se-vgr;2027-01-04;paracetamol/kodein 500/30 mg 180 mg\n"
        "P2;us-cdc-2022;2027-01-04;oxycodone ER 30 mg twice a day\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = run_cli("batch", str(rows), "--out-dir", str(out), "--format", "json")
    assert result.code == 0, result.err
    first = json.loads((out / "P1.json").read_text(encoding="utf-8"))
    assert any(w["code"] == "combination-read-as" for w in first["warnings"])
    second = json.loads((out / "P2.json").read_text(encoding="utf-8"))
    assert "OxyContin" in json.dumps(second["steps"])


def test_defect14_compare_reads_release_words(run_cli) -> None:  # type: ignore[no-untyped-def]
    """`compare` reads 'oxycodone MR 20 mg' in every rule file that converts oxycodone."""
    result = run_cli("compare", "-m", "oxycodone MR 20 mg", "-f", "json")
    assert result.code == 0, result.err
    assert result.out.count('"drug": "oxycodone"') >= 3


_OPIOIDS_AND_BENZOS = [
    (gid, drug.id)
    for gid in ("se-vgr", "us-cdc-2022", "no-helsedir")
    for drug in load_guideline(gid).guideline.drugs
]


def _first_product(gid: str, drug: str, modified: bool) -> Product | None:
    """The product a release word plans on first: the formulary's first marketed tablet or
    capsule of the drug in that release (what `candidate_products` picks)."""
    g = load_guideline(gid).guideline
    return next(
        (
            p
            for p in g.formulary
            if p.drug == drug
            and p.unit == "mg"
            and p.marketed
            and p.form != "oral-solution"
            and p.modified_release == modified
        ),
        None,
    )


def _steps(plan: Plan) -> list[tuple[Decimal, list[tuple[str, Decimal, object]]]]:
    return [(s.dose, [(d.time, d.amount, d.tablets) for d in s.doses]) for s in plan.steps]


@settings(max_examples=40, deadline=None)
@given(
    case=st.sampled_from(_OPIOIDS_AND_BENZOS),
    word=st.sampled_from(sorted(RELEASE_WORDS)),
    amount=st.sampled_from(["10 mg", "20+20 mg", "5 mg 4 times a day"]),
)
def test_release_words_plan_as_the_brand_of_that_release(
    case: tuple[str, str], word: str, amount: str
) -> None:
    """A plan from a release-worded line is the plan of the formulary's first product of that
    release written as its brand (one path for both), or one sentence (TaperError) exactly
    when the formulary has no such product; never a crash, never another drug."""
    gid, drug = case
    modified = RELEASE_WORDS[word] == "modified"
    product = _first_product(gid, drug, modified)
    try:
        plan = _plan(gid, f"{drug} {word} {amount}")
    except TaperError:
        plan = None
    if plan is None:
        if product is not None:  # the product exists: the brand is refused as well
            with pytest.raises(TaperError):
                _plan(gid, f"{product.brand} {amount}")
        return
    assert product is not None
    assert {s.drug for s in plan.steps} == {drug}
    try:
        by_brand = _plan(gid, f"{product.brand} {amount}")
    except TaperError:
        return  # the brand's name does not read as a line ("... tablets 10 mg")
    assert _steps(plan) == _steps(by_brand)
