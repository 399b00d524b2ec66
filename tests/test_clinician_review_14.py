"""Clinician review 14 (helper-notes/clinician-review-14.md), D3: a `--pause` on a step that
is already held too long removed the high `hold-too-long` warning, the only place that names
a change to an oral opioid, though the hold grew longer still (se-vgr fentanyl 25 mcg/h: 45
days at one dose without the pause, 54 with it). A pause is the prescriber's and is not a
hold the formulary forces, but the days at the dose besides it still count."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from conftest import CliResult

from taper.dose import parse_medication
from taper.guideline.loader import load_guideline
from taper.plan import PlanOptions, make_plan
from taper.plan.options import Pause

Run = Callable[..., CliResult]


def test_review14_d3_a_pause_does_not_hide_a_hold_too_long() -> None:
    start = dt.date(2026, 1, 5)
    medications = [parse_medication("fentanyl 25 mcg/h")]
    without = make_plan(medications, load_guideline("se-vgr"), PlanOptions(start=start))
    paused = make_plan(
        medications,
        load_guideline("se-vgr"),
        PlanOptions(start=start, pauses=(Pause(on=dt.date(2026, 2, 1), days=7),)),
    )
    for made in (without, paused):
        holds = [w for w in made.warnings if w.code == "hold-too-long"]
        assert len(holds) == 1
        assert holds[0].severity == "high"
        assert "a change to an oral opioid" in holds[0].message
    assert "for 45 days" in next(w.message for w in without.warnings if w.code == "hold-too-long")
    assert "for 54 days" in next(w.message for w in paused.warnings if w.code == "hold-too-long")


def _tramadol(dose: str) -> list[str]:
    made = make_plan(
        [parse_medication(f"tramadol {dose}")],
        load_guideline("se-vgr"),
        PlanOptions(start=dt.date(2026, 1, 5)),
    )
    return [w.message for w in made.warnings] + [s.note or "" for s in made.steps]


def test_review14_d1_a_dose_made_at_another_product_s_times_is_not_said_to_be_rounded() -> None:
    """se-vgr tramadol 150 mg is three Tramadol Hexal 50 mg (the depot cannot give it twice a
    day, as its own Note says); a Caution said 150 mg 'cannot be made ... the plan starts from
    150 mg'."""
    said = _tramadol("150 mg")
    assert not [m for m in said if "cannot be made from the formulary's tablets" in m]
    assert any("is given as Tramadol Hexal (immediate release)" in m for m in said)


def test_review14_d2_the_hold_before_a_stop_says_it_is_the_stop_dose_s_interval() -> None:
    """se-vgr tramadol 100 mg starts at the stop dose: one interval there, then the stop. The
    step said 'held 7 more days before the larger cut to 0 mg (the tablets cannot make a smaller
    step; the average rate stays within rule opioid-eda)', which the stop does not."""
    said = _tramadol("100 mg")
    assert (
        "held 7 more days before the stop (one interval at a dose within the stop dose of rule "
        "opioid-eda)"
    ) in said
    assert not [m for m in said if "larger cut to 0 mg" in m]


def _fentanyl_and_alprazolam_text(lang: str) -> str:
    from taper.render import PlanFormat, render_plan

    made = make_plan(
        [parse_medication("fentanyl 12 mcg/h"), parse_medication("alprazolam 0.5 mg")],
        load_guideline("no-helsedir"),
        PlanOptions(start=dt.date(2026, 1, 5), switch=True),
    )
    return render_plan(made, PlanFormat.text, lang).decode()


def test_review14_d5_a_link_stands_under_its_own_item() -> None:
    """The aftercare talks add the opioid items after 'Self-help groups'; selvhjelp.no was
    printed after the last of them, under the naloxone item."""
    lines = _fentanyl_and_alprazolam_text("en").splitlines()
    links = [i for i, line in enumerate(lines) if line.strip() == "https://www.selvhjelp.no"]
    assert links
    assert all("Self-help groups" in lines[i - 1] for i in links)


def test_a_patch_step_s_hold_before_the_stop_reads_in_norwegian() -> None:
    """The patch notes reuse the tablet notes after the first; a note put first broke them
    (an internal error on every nb/sv patch plan with a hold before its stop)."""
    text = _fentanyl_and_alprazolam_text("nb")
    assert "dosen beholdes 15 dager ekstra før seponeringen" in text


def test_one_drug_in_two_forms_is_refused_in_one_sentence(run_cli: Run) -> None:
    """A buprenorphine patch beside sublingual buprenorphine was planned under one name, and
    the plan's clinical checks mixed the patch's mcg/h with the tablets' mg (a sweep after the
    fentanyl fix). Two forms of one drug are now refused: exit 2, one sentence."""
    result = run_cli(
        "plan", "-g", "se-vgr", "-m", "buprenorphine 10 mcg/h", "-m", "buprenorphine 8 mg",
        "--start", "2026-01-05", "--specialist",
    )  # fmt: skip
    assert result.code == 2
    assert result.out == ""
    assert result.err == (
        "taper: buprenorphine is listed in two forms (transdermal, in mcg/h, and sublingual, "
        "in mg); a plan tapers one form of a drug: plan the one the patient is to keep, once a "
        "specialist has converted the other into it.\n"
    )
