"""Referral readiness: attempt input, answers, criteria table tests and the plan outline."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from care_helpers import D, schedule

from taper.dose import parse_medication
from taper.errors import TaperError
from taper.guideline.loader import LoadedGuideline, load_guideline
from taper.guideline.model import Referral, ReferralCriterion
from taper.guideline.registry import builtin_ids
from taper.plan.model import Checkpoint, GuidelineStamp, Plan, PlanWarning
from taper.referral import (
    Answer,
    Attempt,
    AttemptText,
    CriterionResult,
    Status,
    evaluate_criteria,
    evaluate_criterion,
    outline,
    overall,
    parse_answers,
    parse_attempt,
    require_referral,
)

FIXTURES = Path(__file__).resolve().parent / "fixtures"
TODAY = D(2026, 4, 1)


@pytest.fixture(scope="module")
def vgr() -> LoadedGuideline:
    return load_guideline(str(FIXTURES / "care-vgr.yaml"))


def attempt_text(**changes: str | None) -> AttemptText:
    fields: dict[str, str | None] = {
        "start": "2026-01-10",
        "end": "2026-03-01",
        "dose_from": "oxazepam 30 mg",
        "dose_to": "20 mg",
        "stopped": "withdrawal symptoms, sleep",
    }
    fields.update(changes)
    return AttemptText(**fields)


MEDS = [parse_medication("oxazepam 30 mg")]


# --- the attempt --------------------------------------------------------------------------


def test_no_attempt_options_means_no_attempt(vgr: LoadedGuideline) -> None:
    assert parse_attempt(AttemptText(), MEDS, vgr.guideline, TODAY) is None


def test_a_complete_attempt(vgr: LoadedGuideline) -> None:
    got = parse_attempt(attempt_text(dose_from="Sobril 30 mg"), MEDS, vgr.guideline, TODAY)
    assert got == Attempt(
        start=D(2026, 1, 10),
        end=D(2026, 3, 1),
        drug="oxazepam",
        drug_name="oxazepam",
        dose_from=Decimal(30),
        dose_to=Decimal(20),
        unit="mg",
        stopped="withdrawal symptoms, sleep",
    )
    assert got.days == 51


@pytest.mark.parametrize(
    "dose_to", ["20 mg", "20mg", "oxazepam 20 mg", "Sobril 20 mg", "20 mg/dag", "20,0 mg"]
)
def test_to_dose_spellings(vgr: LoadedGuideline, dose_to: str) -> None:
    got = parse_attempt(attempt_text(dose_to=dose_to), MEDS, vgr.guideline, TODAY)
    assert got is not None
    assert got.dose_to == Decimal(20)


def test_an_attempt_may_have_reached_zero(vgr: LoadedGuideline) -> None:
    got = parse_attempt(attempt_text(dose_to="0 mg"), MEDS, vgr.guideline, TODAY)
    assert got is not None
    assert got.dose_to == 0


def test_an_attempt_that_did_not_lower_the_dose_is_still_an_attempt(
    vgr: LoadedGuideline,
) -> None:
    got = parse_attempt(attempt_text(dose_to="30 mg"), MEDS, vgr.guideline, TODAY)
    assert got is not None
    assert got.dose_to == got.dose_from


def test_the_reason_is_optional_at_parse_time(vgr: LoadedGuideline) -> None:
    got = parse_attempt(attempt_text(stopped="   "), MEDS, vgr.guideline, TODAY)
    assert got is not None
    assert got.stopped is None


def test_attempt_ending_today_is_accepted(vgr: LoadedGuideline) -> None:
    got = parse_attempt(attempt_text(end=TODAY.isoformat()), MEDS, vgr.guideline, TODAY)
    assert got is not None


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"end": None}, "The attempt is incomplete: add --attempt-end "),
        (
            {"start": None, "dose_to": None},
            "The attempt is incomplete: add --attempt-start, --attempt-to ",
        ),
        ({"start": "10/01/2026"}, "--attempt-start '10/01/2026' is not a date; write it as"),
        ({"end": "2026-02-30"}, "--attempt-end '2026-02-30' is not a date"),
        ({"end": "2026-01-10"}, "The attempt ends (2026-01-10) on or before it starts"),
        ({"end": "2026-01-01"}, "on or before it starts"),
        ({"end": "2026-04-02"}, "The attempt ends in the future (2026-04-02, today is 2026-04-01)"),
        ({"dose_to": "35 mg"}, "to-dose (35 mg) is higher than its from-dose (30 mg)"),
        ({"dose_to": "-5 mg"}, "--attempt-to '-5 mg' is negative"),
        ({"dose_to": "twenty"}, "--attempt-to 'twenty' is not a dose"),
        ({"dose_to": "20 mcg/h"}, "to-dose is in mcg/h but its from-dose is in mg"),
        ({"dose_to": "20 pills"}, "Unknown unit 'pills'"),
        ({"dose_to": "diazepam 5 mg"}, "--attempt-to names 'diazepam' but the attempt started"),
        ({"dose_from": "diazepam 10 mg", "dose_to": "5 mg"}, "not among the --med medications"),
        ({"dose_from": "oxazapam 30 mg"}, "Unknown drug 'oxazapam'"),
    ],
)
def test_bad_attempts_are_refused_in_one_sentence(
    vgr: LoadedGuideline, changes: dict[str, str | None], message: str
) -> None:
    with pytest.raises(TaperError) as caught:
        parse_attempt(attempt_text(**changes), MEDS, vgr.guideline, TODAY)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


# --- answers ------------------------------------------------------------------------------


def test_answers_accept_yes_no_in_three_languages(vgr: LoadedGuideline) -> None:
    referral = require_referral(vgr.guideline)
    got = parse_answers(["prescribed=yes", "adult = Ja", "mixed-use=nej", "adult=yes"], referral)
    assert got == {"prescribed": "yes", "adult": "yes", "mixed-use": "no"}
    assert parse_answers(["mixed-use=nei"], referral) == {"mixed-use": "no"}


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("prescribed", "--answer 'prescribed' is not ID=yes or ID=no."),
        ("=yes", "--answer '=yes' is not ID=yes or ID=no."),
        (
            "prescibed=yes",
            "Unknown criterion 'prescibed' in --answer; this guideline asks: "
            "prescribed, adult, mixed-use.",
        ),
        ("attempt=yes", "Criterion 'attempt' is the discontinuation attempt"),
        ("adult=maybe", "--answer 'adult=maybe': answer yes or no."),
    ],
)
def test_bad_answers_are_refused(vgr: LoadedGuideline, raw: str, message: str) -> None:
    with pytest.raises(TaperError) as caught:
        parse_answers([raw], require_referral(vgr.guideline))
    assert str(caught.value) == message or message in str(caught.value)


def test_contradicting_answers_are_refused(vgr: LoadedGuideline) -> None:
    with pytest.raises(TaperError, match="answered both yes and no"):
        parse_answers(["adult=yes", "adult=no"], require_referral(vgr.guideline))


def test_no_referral_section_is_one_clear_sentence() -> None:
    loaded = load_guideline(str(FIXTURES / "care-no.yaml"))
    with pytest.raises(TaperError) as caught:
        require_referral(loaded.guideline)
    assert str(caught.value) == (
        "Guideline care-no has no referral criteria, so there is nothing to check a referral "
        "against."
    )


# --- criteria: table tests ----------------------------------------------------------------

ATTEMPT = Attempt(
    D(2026, 1, 10), D(2026, 3, 1), "oxazepam", "oxazepam", Decimal(30), Decimal(20), "mg", "sleep"
)
NO_REASON = Attempt(
    D(2026, 1, 10), D(2026, 3, 1), "oxazepam", "oxazepam", Decimal(30), Decimal(20), "mg", None
)


def criterion(kind: str) -> ReferralCriterion:
    return ReferralCriterion.model_validate(
        {"id": "c", "kind": kind, "text": {"en": "x"}, "unverified": "test"}
    )


@pytest.mark.parametrize(
    ("kind", "attempt", "answer", "status", "missing"),
    [
        ("attempt-required", ATTEMPT, None, "meets", None),
        ("attempt-required", NO_REASON, None, "cannot-tell", "attempt-stopped"),
        ("attempt-required", None, None, "does-not-meet", "attempt"),
        ("question", None, "yes", "meets", None),
        ("question", None, "no", "does-not-meet", None),
        ("question", ATTEMPT, None, "cannot-tell", "answer"),
        ("exclusion", None, "no", "meets", None),
        ("exclusion", None, "yes", "does-not-meet", None),
        ("exclusion", None, None, "cannot-tell", "answer"),
    ],
)
def test_criterion_kinds(
    kind: str,
    attempt: Attempt | None,
    answer: Answer | None,
    status: Status,
    missing: str | None,
) -> None:
    answers: dict[str, Answer] = {"c": answer} if answer else {}
    got = evaluate_criterion(criterion(kind), attempt, answers)
    assert (got.status, got.missing, got.answer) == (status, missing, answer)


@pytest.mark.parametrize(
    ("statuses", "verdict"),
    [
        ([], "meets"),
        (["meets", "meets"], "meets"),
        (["meets", "cannot-tell"], "cannot-tell"),
        (["cannot-tell", "does-not-meet"], "does-not-meet"),
        (["does-not-meet", "meets"], "does-not-meet"),
    ],
)
def test_verdict(statuses: list[Status], verdict: Status) -> None:
    results = [CriterionResult(criterion("question"), s, None, None) for s in statuses]
    assert overall(results) == verdict


# The VGR-like fixture, criterion by criterion: attempt, prescribed, adult, mixed-use.
VGR_TABLE: list[tuple[Attempt | None, dict[str, Answer], list[Status], Status]] = [
    (
        ATTEMPT,
        {"prescribed": "yes", "adult": "yes", "mixed-use": "no"},
        ["meets", "meets", "meets", "meets"],
        "meets",
    ),
    (
        None,
        {"prescribed": "yes", "adult": "yes", "mixed-use": "no"},
        ["does-not-meet", "meets", "meets", "meets"],
        "does-not-meet",
    ),
    (
        ATTEMPT,
        {"prescribed": "yes", "adult": "yes", "mixed-use": "yes"},
        ["meets", "meets", "meets", "does-not-meet"],
        "does-not-meet",
    ),
    (
        ATTEMPT,
        {"prescribed": "no", "adult": "yes", "mixed-use": "no"},
        ["meets", "does-not-meet", "meets", "meets"],
        "does-not-meet",
    ),
    (
        ATTEMPT,
        {"prescribed": "yes", "mixed-use": "no"},
        ["meets", "meets", "cannot-tell", "meets"],
        "cannot-tell",
    ),
    (
        NO_REASON,
        {"prescribed": "yes", "adult": "yes", "mixed-use": "no"},
        ["cannot-tell", "meets", "meets", "meets"],
        "cannot-tell",
    ),
    (None, {}, ["does-not-meet", "cannot-tell", "cannot-tell", "cannot-tell"], "does-not-meet"),
]


@pytest.mark.parametrize(("attempt", "answers", "statuses", "verdict"), VGR_TABLE)
def test_vgr_like_criteria_table(
    vgr: LoadedGuideline,
    attempt: Attempt | None,
    answers: dict[str, Answer],
    statuses: list[Status],
    verdict: Status,
) -> None:
    referral = require_referral(vgr.guideline)
    results = [evaluate_criterion(c, attempt, answers) for c in referral.criteria]
    assert [r.criterion.id for r in results] == ["attempt", "prescribed", "adult", "mixed-use"]
    assert [r.status for r in results] == statuses
    assert overall(results) == verdict


def _builtin_referrals() -> list[tuple[str, Referral]]:
    found = []
    for gid in builtin_ids():
        referral = load_guideline(gid).guideline.referral
        if referral is not None and referral.criteria:
            found.append((gid, referral))
    return found


def test_the_regions_with_referral_criteria() -> None:
    assert [gid for gid, _ in _builtin_referrals()] == ["no-helsedir", "se-vgr"]


@pytest.mark.parametrize(("gid", "referral"), _builtin_referrals())
def test_every_region_met_not_met_and_cannot_tell(gid: str, referral: Referral) -> None:
    """For each shipped region: all satisfied → meets; a required criterion failing alone →
    does not meet (an alternative failing alone does not matter while another is met); each
    required question left open alone → cannot tell."""
    good: dict[str, Answer] = {
        c.id: ("no" if c.kind == "exclusion" else "yes")
        for c in referral.criteria
        if c.kind != "attempt-required"
    }
    bad: dict[str, Answer] = {k: ("yes" if v == "no" else "no") for k, v in good.items()}

    def verdict(attempt: Attempt | None, answers: dict[str, Answer]) -> Status:
        return overall(evaluate_criteria(referral, attempt, answers))

    assert verdict(ATTEMPT, good) == "meets", gid
    assert verdict(ATTEMPT, bad) == "does-not-meet", gid
    for c in referral.criteria:
        if c.kind == "attempt-required":
            assert verdict(None, good) == "does-not-meet"
            assert verdict(NO_REASON, good) == "cannot-tell"
            continue
        alone_bad = verdict(ATTEMPT, {**good, c.id: bad[c.id]})
        alone_open = verdict(ATTEMPT, {k: v for k, v in good.items() if k != c.id})
        if c.any_of is None:
            assert (alone_bad, alone_open) == ("does-not-meet", "cannot-tell"), c.id
        else:
            assert (alone_bad, alone_open) == ("meets", "meets"), c.id


# se-vgr: utsattningsforsok (attempt), iatrogent-beroende (question),
# blandmissbruk-psykiatri (exclusion).
SE_VGR_TABLE: list[tuple[Attempt | None, dict[str, Answer], list[Status], Status]] = [
    (
        ATTEMPT,
        {"iatrogent-beroende": "yes", "blandmissbruk-psykiatri": "no"},
        ["meets", "meets", "meets"],
        "meets",
    ),
    (
        None,
        {"iatrogent-beroende": "yes", "blandmissbruk-psykiatri": "no"},
        ["does-not-meet", "meets", "meets"],
        "does-not-meet",
    ),
    (
        ATTEMPT,
        {"iatrogent-beroende": "no", "blandmissbruk-psykiatri": "no"},
        ["meets", "does-not-meet", "meets"],
        "does-not-meet",
    ),
    (
        ATTEMPT,
        {"iatrogent-beroende": "yes", "blandmissbruk-psykiatri": "yes"},
        ["meets", "meets", "does-not-meet"],
        "does-not-meet",
    ),
    (
        ATTEMPT,
        {"iatrogent-beroende": "yes"},
        ["meets", "meets", "cannot-tell"],
        "cannot-tell",
    ),
    (
        NO_REASON,
        {"iatrogent-beroende": "yes", "blandmissbruk-psykiatri": "no"},
        ["cannot-tell", "meets", "meets"],
        "cannot-tell",
    ),
]


@pytest.mark.parametrize(("attempt", "answers", "statuses", "verdict"), SE_VGR_TABLE)
def test_se_vgr_criteria_table(
    attempt: Attempt | None,
    answers: dict[str, Answer],
    statuses: list[Status],
    verdict: Status,
) -> None:
    referral = require_referral(load_guideline("se-vgr").guideline)
    results = evaluate_criteria(referral, attempt, answers)
    assert [r.criterion.id for r in results] == [
        "utsattningsforsok",
        "iatrogent-beroende",
        "blandmissbruk-psykiatri",
    ]
    assert [r.status for r in results] == statuses
    assert overall(results) == verdict


# no-helsedir: two alternative reasons to refer (any_of), no attempt criterion.
NO_TABLE: list[tuple[dict[str, Answer], Status, list[str | None]]] = [
    ({"plan-fra-spesialist": "yes"}, "meets", [None, None]),
    ({"lar-onsker-nedtrapping": "yes"}, "meets", [None, None]),
    ({"plan-fra-spesialist": "yes", "lar-onsker-nedtrapping": "no"}, "meets", [None, None]),
    ({"plan-fra-spesialist": "no", "lar-onsker-nedtrapping": "no"}, "does-not-meet", [None, None]),
    ({"plan-fra-spesialist": "no"}, "cannot-tell", [None, "answer"]),
    ({}, "cannot-tell", ["answer", "answer"]),
]


@pytest.mark.parametrize(("answers", "verdict", "missing"), NO_TABLE)
def test_no_helsedir_alternatives_table(
    answers: dict[str, Answer], verdict: Status, missing: list[str | None]
) -> None:
    referral = require_referral(load_guideline("no-helsedir").guideline)
    results = evaluate_criteria(referral, None, answers)
    assert [r.criterion.id for r in results] == ["plan-fra-spesialist", "lar-onsker-nedtrapping"]
    assert overall(results) == verdict
    assert [r.missing for r in results] == missing
    assert {r.group_status for r in results} == {verdict}


def test_alternatives_group_status() -> None:
    def crit(cid: str, kind: str, group: str | None) -> ReferralCriterion:
        return ReferralCriterion.model_validate(
            {"id": cid, "kind": kind, "text": {"en": cid}, "any_of": group, "unverified": "t"}
        )

    referral = Referral(
        criteria=[
            crit("a", "attempt-required", "route"),
            crit("b", "question", "route"),
            crit("c", "exclusion", None),
        ],
        unverified_note="t",
    )
    # No attempt, but the other alternative is met: nothing is missing for the attempt.
    results = evaluate_criteria(referral, None, {"b": "yes", "c": "no"})
    assert [(r.status, r.group_status, r.missing) for r in results] == [
        ("does-not-meet", "meets", None),
        ("meets", "meets", None),
        ("meets", None, None),
    ]
    assert overall(results) == "meets"
    results = evaluate_criteria(referral, None, {"b": "no", "c": "no"})
    assert overall(results) == "does-not-meet"
    assert results[0].missing == "attempt"


# --- plan outline -------------------------------------------------------------------------


def test_outline_groups_steps_by_drug_and_phase() -> None:
    monday = D(2026, 4, 6)
    steps = schedule(
        monday,
        "oxazepam",
        [
            ("mapping", 7, 30),
            ("stabilisation", 14, 30),
            ("taper", 14, 25),
            ("taper", 14, 20),
            ("taper", 14, 10),
        ],
    )
    last = steps[-1].end
    plan = Plan(
        guideline=GuidelineStamp(id="g", version="1", sha256="0" * 64, title="t"),
        tool_version="0",
        language="en",
        timezone="Europe/Stockholm",
        start=monday,
        medications=[],
        rule_ids=["bzd-slow"],
        steps=steps,
        checkpoints=[
            Checkpoint(date=monday, kind="support", title="Support talk"),
            Checkpoint(date=last + dt.timedelta(days=14), kind="aftercare", title="x"),
            Checkpoint(date=last + dt.timedelta(days=190), kind="aftercare", title="x"),
        ],
        warnings=[PlanWarning(code="unverified", severity="caution", message="m")],
        dispensing=[],
        last_dose_date=last,
    )
    got = outline(plan, "referral")
    rows = [
        (r.phase, r.start, r.end, str(r.dose_first), str(r.dose_last), r.steps) for r in got.rows
    ]
    assert rows == [
        ("mapping", D(2026, 4, 6), D(2026, 4, 12), "30", "30", 1),
        ("stabilisation", D(2026, 4, 13), D(2026, 4, 26), "30", "30", 1),
        ("taper", D(2026, 4, 27), D(2026, 6, 7), "25", "10", 3),
    ]
    assert (got.steps, got.last_dose_date, got.end) == (5, last, last)
    assert (got.support_contacts, got.aftercare_contacts) == (1, 2)
    assert got.aftercare_until == last + dt.timedelta(days=190)
    assert got.warnings[0].code == "unverified"
