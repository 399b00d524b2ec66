"""The shipped rule files (guidelines/*.yaml) against their published tables.

Three layers:
1. published values: rows of each region's source table (clinical-facts.md, with the source
   named per row) must come out of the shipped file exactly, or — where the source gives a
   range — inside the range the file reports;
2. invariants over every conversion of every shipped file: patch factors are per mcg/h (the
   75 mcg/h = 504 MME bug cannot recur), banded and points tables are monotone, converting
   a total to the reference drug gives it back;
3. a snapshot of every factor (tests/golden/convert-factors-<id>.txt), so any change to a
   shipped number is a visible diff (TAPER_UPDATE_GOLDEN=1 regenerates it).

Rows for a drug a file does not list are skipped, not failed: the rule-file tests own
coverage; these tests own correctness of what is there.
"""

from __future__ import annotations

import itertools
import os
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from taper.dose import format_amount, parse_medication
from taper.equivalence import (
    compute,
    convert_item,
    equivalents,
    resolve_drug,
    to_reference,
    to_target,
)
from taper.errors import TaperError
from taper.guideline.loader import load_guideline
from taper.guideline.model import Conversion, Guideline
from taper.guideline.registry import builtin_ids
from taper.render.conversion import basis_text

GOLDEN = Path(__file__).resolve().parent / "golden"

SHIPPED = builtin_ids()

# (rule file, medication, expected reference amount, how): "exact" — the file must give the
# published value; "within" — the source gives a range and the value must lie in the range
# the file reports for that dose.
PUBLISHED: list[tuple[str, str, str, str]] = [
    # CDC 2022 MME table (MMWR 71(3) p. 42; clinical-facts §6.1): mg/day x factor
    ("us-cdc-2022", "codeine 100 mg", "15", "exact"),
    ("us-cdc-2022", "fentanyl patch 75 mcg/h", "180", "exact"),  # never 504
    ("us-cdc-2022", "fentanyl patch 25 mcg/h", "60", "exact"),
    ("us-cdc-2022", "hydrocodone 10 mg", "10", "exact"),
    ("us-cdc-2022", "hydromorphone 10 mg", "50", "exact"),
    ("us-cdc-2022", "morphine 30 mg", "30", "exact"),
    ("us-cdc-2022", "oxycodone 20 mg", "30", "exact"),
    ("us-cdc-2022", "oxymorphone 10 mg", "30", "exact"),
    ("us-cdc-2022", "tapentadol 100 mg", "40", "exact"),
    ("us-cdc-2022", "tramadol 100 mg", "20", "exact"),
    # Helsedirektoratet, Konvertering av opioiddoser (clinical-facts §4.2): ratio column
    ("no-helsedir", "morphine 30 mg", "30", "exact"),
    ("no-helsedir", "codeine 300 mg", "30", "exact"),
    ("no-helsedir", "tramadol 200 mg", "30", "exact"),
    ("no-helsedir", "oxycodone 20 mg", "30", "exact"),
    ("no-helsedir", "ketobemidone 30 mg", "30", "exact"),
    ("no-helsedir", "hydromorphone 6 mg", "30", "exact"),
    ("no-helsedir", "tapentadol 150 mg", "30", "exact"),
    ("no-helsedir", "fentanyl patch 12.5 mcg/h", "30", "exact"),
    ("no-helsedir", "fentanyl patch 75 mcg/h", "180", "exact"),
    ("no-helsedir", "buprenorphine sublingual 0.625 mg", "30", "exact"),
    ("no-helsedir", "buprenorphine patch 10 mcg/h", "22.2", "exact"),  # 0.24 mg/day x 92.5
    # Helsedirektoratet, Ekvipotenser for benzodiazepiner (§4.1): amount range ≡ 5 mg diazepam
    ("no-helsedir", "diazepam 5 mg", "5", "exact"),
    ("no-helsedir", "nitrazepam 5 mg", "5", "exact"),
    ("no-helsedir", "oxazepam 15 mg", "5", "within"),
    ("no-helsedir", "oxazepam 25 mg", "5", "within"),
    ("no-helsedir", "zopiclone 3.75 mg", "5", "within"),
    ("no-helsedir", "zopiclone 5 mg", "5", "within"),
    ("no-helsedir", "zolpidem 5 mg", "5", "within"),
    ("no-helsedir", "zolpidem 10 mg", "5", "within"),
    ("no-helsedir", "alprazolam 0.25 mg", "5", "within"),
    ("no-helsedir", "alprazolam 0.5 mg", "5", "within"),
    ("no-helsedir", "clonazepam 0.25 mg", "5", "within"),
    ("no-helsedir", "clonazepam 0.5 mg", "5", "within"),
    # Region Jönköping, dose equivalent to 5 mg diazepam (§2.2)
    ("se-vgr", "diazepam 5 mg", "5", "exact"),
    ("se-vgr", "alprazolam 0.5 mg", "5", "exact"),
    ("se-vgr", "clonazepam 0.25 mg", "5", "exact"),
    ("se-vgr", "lorazepam 1 mg", "5", "exact"),
    ("se-vgr", "nitrazepam 2.5 mg", "5", "exact"),
    ("se-vgr", "oxazepam 15 mg", "5", "exact"),
    # Region Uppsala opioid table (§3.2), rows for 30 and 60 mg oral morphine
    ("se-vgr", "morphine 30 mg", "30", "exact"),
    ("se-vgr", "oxycodone 15 mg", "30", "exact"),
    ("se-vgr", "oxycodone 30 mg", "60", "exact"),
    ("se-vgr", "buprenorphine sublingual 0.6 mg", "30", "exact"),
    ("se-vgr", "fentanyl patch 25 mcg/h", "60", "exact"),
    # Ashton (≈ 10 mg diazepam; §5.1)
    ("uk-ashton", "diazepam 10 mg", "10", "exact"),
    ("uk-ashton", "alprazolam 0.5 mg", "10", "exact"),
    ("uk-ashton", "chlordiazepoxide 25 mg", "10", "exact"),
    ("uk-ashton", "clonazepam 0.5 mg", "10", "exact"),
    ("uk-ashton", "lorazepam 1 mg", "10", "exact"),
    ("uk-ashton", "oxazepam 20 mg", "10", "exact"),
    ("uk-ashton", "temazepam 20 mg", "10", "exact"),
    # UK-style opioid values (§6.3): fentanyl 25 ≈ 60, 75 ≈ 180 mg/day
    ("uk-ashton", "fentanyl patch 25 mcg/h", "60", "exact"),
    ("uk-ashton", "fentanyl patch 75 mcg/h", "180", "exact"),
    # NHS Scotland, opioid conversion tables (Scottish Palliative Care Guidelines)
    ("uk-ashton", "codeine 240 mg", "24", "exact"),
    ("uk-ashton", "dihydrocodeine 240 mg", "24", "exact"),
    ("uk-ashton", "tramadol 400 mg", "40", "exact"),
    ("uk-ashton", "oxycodone 5 mg", "10", "exact"),
    ("uk-ashton", "buprenorphine patch 5 mcg/h", "12", "exact"),
    # Opioids Aware's oxycodone 1.5 (secondary) lies in the range the file reports
    ("uk-ashton", "oxycodone 20 mg", "30", "within"),
]


def _guideline(gid: str) -> Guideline:
    if gid not in SHIPPED:
        pytest.skip(f"rule file {gid} is not shipped (yet)")
    return load_guideline(gid).guideline


@pytest.mark.parametrize(("gid", "text", "expected", "how"), PUBLISHED)
def test_published_values(gid: str, text: str, expected: str, how: str) -> None:
    g = _guideline(gid)
    med = parse_medication(text)
    try:
        resolve_drug(med.drug_name, g)
    except TaperError:
        pytest.skip(f"{gid} does not list {med.drug_name}")
    try:
        item = convert_item(med, g)
    except TaperError as exc:  # the file lists the drug but not this form
        pytest.skip(f"{gid}: {exc}")
    want = Fraction(Decimal(expected))
    if item.exact is None and item.drug_class in g.not_covered:
        # The file names the drug only to refuse it, saying why it has no sourced factor.
        assert item.reason is not None
        return
    assert item.exact is not None, f"{gid}: no factor for {text}: {item.reason}"
    if how == "exact":
        assert item.exact == want, f"{gid}: {text} gives {item.equivalent}, published {expected}"
    else:
        low, high = item.range_exact or (item.exact, item.exact)
        assert low <= want <= high, (
            f"{gid}: {text} gives {item.equivalent} (range {item.range}); the source's range "
            f"covers {expected}"
        )


def test_cdc_buprenorphine_has_no_factor() -> None:
    g = _guideline("us-cdc-2022")
    try:
        resolve_drug("buprenorphine", g)
    except TaperError:
        pytest.skip("us-cdc-2022 does not list buprenorphine")
    # CDC 2022 leaves buprenorphine out of the MME table (partial agonist, ceiling effect)
    table = g.equivalence["opioid"]
    assert not [c for c in table.conversions if c.drug == "buprenorphine"]
    meds = [parse_medication("buprenorphine 8 mg"), parse_medication("morphine 30 mg")]
    result = equivalents(meds, g)
    bup = result.items[0]
    assert bup.exact is None
    assert bup.reason
    total = result.total("opioid")
    assert total is not None
    assert not total.complete


# --- invariants over every shipped conversion ----------------------------------------------


def _conversions() -> list[tuple[str, Conversion]]:
    out: list[tuple[str, Conversion]] = []
    for gid in SHIPPED:
        g = load_guideline(gid).guideline
        for table in g.equivalence.values():
            out.extend((gid, conv) for conv in table.conversions)
    return out


CONVERSIONS = _conversions()
GRID = [Fraction(n, 4) for n in range(1, 4 * 400)]  # 0.25 … 399.75


def _label(case: tuple[str, Conversion]) -> str:
    gid, conv = case
    return f"{gid}:{conv.drug}:{conv.route}:{conv.unit}"


@pytest.mark.skipif(not CONVERSIONS, reason="no rule files shipped yet")
@pytest.mark.parametrize("case", CONVERSIONS, ids=[_label(c) for c in CONVERSIONS])
def test_every_conversion_is_monotone_and_patches_are_per_mcg_h(
    case: tuple[str, Conversion],
) -> None:
    gid, conv = case
    values = [(d, to_reference(conv, d)) for d in GRID]
    known = [(d, v) for d, v in values if v is not None]
    assert known, f"{gid}: {conv.drug} converts no dose between 0.25 and 400"
    for (d0, v0), (d1, v1) in itertools.pairwise(known):
        assert v0 <= v1, f"{gid}: {conv.drug} {d0} → {v0} but {d1} → {v1}"
    assert all(v > 0 for _, v in known)
    if conv.unit == "mcg/h":
        # opioid patches deliver 1–4 mg oral morphine per day per mcg/h (CDC fentanyl 2.4);
        # a per-patch (x3) or per-mg/day (x1000) factor falls far outside
        per_rate = to_reference(conv, Fraction(25))
        assert per_rate is not None
        assert Fraction(1) <= per_rate / 25 <= Fraction(4), (
            f"{gid}: {conv.drug} patch gives {per_rate / 25} mg/day per mcg/h"
        )


@pytest.mark.skipif(not SHIPPED, reason="no rule files shipped yet")
@pytest.mark.parametrize("gid", SHIPPED)
def test_reference_round_trip_in_every_shipped_file(gid: str) -> None:
    g = load_guideline(gid).guideline
    for table in g.equivalence.values():
        ref = resolve_drug(table.reference, g)
        med = parse_medication(f"{ref.id} {table.reference_route} 17.5 {table.unit}")
        result = equivalents([med], g)
        total = result.total(ref.drug_class)
        assert total is not None
        assert total.exact == Fraction(35, 2)
        assert to_target(total, table.reference, g).exact == total.exact


# --- factor snapshot -----------------------------------------------------------------------


def factor_snapshot(gid: str) -> str:
    loaded = load_guideline(gid)
    g = loaded.guideline
    lines = [f"# every conversion of {gid} version {g.version}"]
    for drug_class, table in sorted(g.equivalence.items()):
        lines.append(f"{drug_class}: reference {table.reference} ({table.reference_route})")
        if table.switch_reduction_percent is not None:
            lines.append(f"  switch reduction {format_amount(table.switch_reduction_percent)} %")
        if table.specialist_only_targets:
            lines.append(f"  specialist-only targets {', '.join(table.specialist_only_targets)}")
        for conv in table.conversions:
            head = f"  {conv.drug} {conv.route} {conv.unit}: "
            if conv.bands:
                parts = [
                    f">{format_amount(b.above)}"
                    + ("" if b.up_to is None else f"–{format_amount(b.up_to)}")
                    + f" x{format_amount(b.factor)}"
                    for b in conv.bands
                ]
                body = "bands " + ", ".join(parts)
            elif conv.points:
                body = "rows " + ", ".join(
                    f"{format_amount(p.dose)}={format_amount(p.equals)}" for p in conv.points
                )
            else:
                body = basis_text(compute(conv, Fraction(1)).basis, conv.unit, table.reference)
            if conv.range is not None:
                body += f"; range {format_amount(conv.range[0])}–{format_amount(conv.range[1])}"
            body += f"; source {conv.source or table.source or '-'}"
            if conv.unverified:
                body += "; UNVERIFIED"
            lines.append(head + body)
    return "\n".join(lines) + "\n"


@pytest.mark.skipif(not SHIPPED, reason="no rule files shipped yet")
@pytest.mark.parametrize("gid", SHIPPED)
def test_factor_snapshot(gid: str) -> None:
    text = factor_snapshot(gid)
    path = GOLDEN / f"convert-factors-{gid}.txt"
    if os.environ.get("TAPER_UPDATE_GOLDEN") == "1":
        path.write_text(text, encoding="utf-8")
    if not path.exists():
        pytest.skip(f"no factor snapshot for {gid} yet; run with TAPER_UPDATE_GOLDEN=1")
    assert text == path.read_text(encoding="utf-8")
