"""Support contacts during the taper and aftercare contacts after the last dose.

`build_checkpoints` turns a plan's steps and the rule file's `checkpoints` section into dated
checkpoints. It is pure and deterministic: the same steps and rules give the same list, in
date order. What it places, and why:

- **support** talks every `every_days` from the plan start through mapping and stabilisation
  (through the whole taper as well when the rules do not ask for a talk before each change, so
  a taper never runs without support), and `lead_days` before every dose change when
  `before_each_reduction` is set; and at least every `talk_every_days` of a taper rule (Eda
  vårdcentral's weekly call) from the start through the first such days after the stop of a
  drug that rule tapers;
- a **dose-change** checkpoint on every date a drug's daily dose changes: a reduction, a step of
  a switch crossover (the new drug appearing counts too) and the stop (the day after the last
  dose of that drug);
- the **opioid content** (lost tolerance, overdose, naloxone) at the first support talk after
  an opioid stops while another drug is still tapered (or a dedicated talk on the stop date);
- **aftercare** contacts at each offset after the last dose of all drugs, the last one at least
  the region's `minimum` after it;
- an **evaluation** where the rules give one (`checkpoints.evaluation`).

With `avoid_weekends`, contacts avoid the days a clinic is closed: weekends and the public
holidays of the rule file's country (from the maintained `holidays` library, only that
country's module, imported when the first day is checked; the
project's choice: the one flag covers both, since a clinic closed on Saturday is closed on
Good Friday too). A talk that must
precede a change moves back to the open day before (it still precedes the change; a talk never
comes before the plan start, it is held on the first day instead) and every other contact moves
forward to the next open day (aftercare then still ends at least `minimum` after the last
dose). Dose changes avoid the same days (`taper.plan.change_days`, when the plan gets its
dates): a step that would begin on a closed day begins on the next open day, so the contacts
here are placed around the moved changes.

Titles are fixed English key texts (`TITLES` holds their translations for renderers); content
is a list of ids from the rule file's checkpoint `content` catalogue.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from taper.clinic_days import ClinicDays
from taper.guideline.model import Checkpoints, DrugClass, Guideline, Lang
from taper.plan.fast import constructor
from taper.plan.model import Checkpoint, CheckpointKind, Step

# Checkpoints are made from values this module computed (dates, fixed titles, the rule file's
# validated content ids): no validation needed (plans are round-tripped through it in tests).
_checkpoint = constructor(Checkpoint)

TITLE_SUPPORT = "Support talk"
TITLE_SUPPORT_BEFORE_CHANGE = "Support talk before a dose change"
TITLE_DOSE_CHANGE = "Dose change"
TITLE_AFTERCARE = "Aftercare contact"
TITLE_EVALUATION = "Evaluation"

# Translations of the title keys, for renderers and the referral summary.
TITLES: dict[str, dict[Lang, str]] = {
    TITLE_SUPPORT: {"en": TITLE_SUPPORT, "sv": "Stödsamtal", "nb": "Støttesamtale"},
    TITLE_SUPPORT_BEFORE_CHANGE: {
        "en": TITLE_SUPPORT_BEFORE_CHANGE,
        "sv": "Stödsamtal före dosändring",
        "nb": "Støttesamtale før doseendring",
    },
    TITLE_DOSE_CHANGE: {"en": TITLE_DOSE_CHANGE, "sv": "Dosändring", "nb": "Doseendring"},
    TITLE_AFTERCARE: {
        "en": TITLE_AFTERCARE,
        "sv": "Eftervårdskontakt",
        "nb": "Oppfølgingskontakt etter nedtrapping",
    },
    TITLE_EVALUATION: {"en": TITLE_EVALUATION, "sv": "Utvärdering", "nb": "Evaluering"},
}

# Same-day order: the talk comes before the change it prepares.
_KIND_ORDER: dict[CheckpointKind, int] = {
    "support": 0,
    "dose-change": 1,
    "aftercare": 2,
    "evaluation": 3,
}
_PERIOD = re.compile(r"^([1-9][0-9]{0,3})([dwm])$")
_PERIODS: dict[str, tuple[int, str]] = {}  # period text -> (count, unit), parsed once


def checkpoint_title(title: str, lang: Lang) -> str:
    """The title key in `lang` (the key itself if it has no translation)."""
    return TITLES.get(title, {}).get(lang, title)


def add_period(day: dt.date, period: str) -> dt.date:
    """`day` plus a rule-file period: "14d" and "2w" in calendar days, "6m" in calendar months.

    Months keep the day of the month, clamped to the month's end (31 January + 1m = the last
    day of February), so "6m" never lands before six calendar months have passed.
    """
    parsed = _PERIODS.get(period)
    if parsed is None:
        match = _PERIOD.match(period)
        if match is None:
            raise ValueError(f"not a period: {period!r}")
        parsed = int(match.group(1)), match.group(2)
        if len(_PERIODS) < 1024:  # rule files have a handful of periods
            _PERIODS[period] = parsed
    count, unit = parsed
    if unit == "d":
        return day + dt.timedelta(days=count)
    if unit == "w":
        return day + dt.timedelta(weeks=count)
    months = day.year * 12 + (day.month - 1) + count
    year, month = divmod(months, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


@dataclass(frozen=True)
class DoseChange:
    """A day on which one drug's daily dose differs from the day before."""

    date: dt.date
    drug: str
    dose_from: Decimal | None  # None: a cut on the plan's first day from an unstated dose
    dose_to: Decimal
    unit: str


def _first_step_change(
    step: Step, start: dt.date, reported: Mapping[str, Decimal] | None
) -> DoseChange | None:
    """The change a drug's first step makes, if any.

    A drug introduced after the plan start (a switch crossover) changes from zero. A first
    step on the plan start changes the dose when it differs from the reported daily dose;
    without the reported doses, a first step already in the taper phase is a cut (a rule
    without mapping or stabilisation reduces on day one).
    """
    if step.start > start:
        return DoseChange(step.start, step.drug, Decimal(0), step.dose, step.unit)
    if reported is not None and step.drug in reported:
        before = reported[step.drug]
        if before != step.dose:
            return DoseChange(step.start, step.drug, before, step.dose, step.unit)
        return None
    if step.phase == "taper":
        return DoseChange(step.start, step.drug, None, step.dose, step.unit)
    return None


def dose_changes(
    steps: Iterable[Step],
    start: dt.date,
    last_dose_date: dt.date | None,
    reported: Mapping[str, Decimal] | None = None,
) -> list[DoseChange]:
    """Every dose change in a plan, in date order.

    Per drug (steps sorted by start): a step whose dose differs from the drug's previous step
    is a change on its start date; the first step is a change as `_first_step_change` says
    (`reported`: drug id -> the daily dose the patient takes now, in the step unit). After a
    drug's last step with a dose above zero, the stop is a change on the next day, unless a
    later zero-dose step already marks it, or the plan has no last dose (a plan that does not
    taper to zero).
    """
    by_drug: dict[str, list[Step]] = {}
    for step in steps:
        by_drug.setdefault(step.drug, []).append(step)
    changes: list[DoseChange] = []
    for drug, drug_steps in by_drug.items():
        ordered = sorted(drug_steps, key=lambda s: (s.start, s.index))
        previous: Step | None = None
        for step in ordered:
            if previous is None:
                first = _first_step_change(step, start, reported)
                if first is not None:
                    changes.append(first)
            elif step.dose != previous.dose:
                changes.append(DoseChange(step.start, drug, previous.dose, step.dose, step.unit))
            previous = step
        if (
            previous is not None
            and previous.dose > 0
            and last_dose_date is not None
            and previous.end <= last_dose_date
        ):
            stop = previous.end + dt.timedelta(days=1)
            changes.append(DoseChange(stop, drug, previous.dose, Decimal(0), previous.unit))
    return sorted(changes, key=lambda c: (c.date, c.drug))


def _unique(ids: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(ids))


def _regular_talk_dates(
    rules: Checkpoints,
    steps: list[Step],
    start: dt.date,
    last_dose_date: dt.date | None,
    open_days: ClinicDays,
) -> list[dt.date]:
    """Regular talks every `every_days` from the plan start, through mapping and stabilisation
    (and through the taper when no talk is tied to each change)."""
    every = rules.support.every_days
    if every is None or every < 1 or not steps:
        return []
    taper_starts = [s.start for s in steps if s.phase == "taper"]
    if rules.support.before_each_reduction and taper_starts:
        end = min(taper_starts)  # exclusive: the pre-change talks take over from here
    elif last_dose_date is not None:
        end = last_dose_date + dt.timedelta(days=1)
    else:
        end = max(s.end for s in steps) + dt.timedelta(days=1)
    dates: list[dt.date] = []
    interval = dt.timedelta(days=every)
    day = start
    while day < end:
        chosen = open_days.later(day)
        if chosen >= end:  # the next open day would fall outside the span: the one before
            chosen = open_days.earlier(day)
        dates.append(chosen)
        day += interval
    return dates


def _gap_talk_dates(
    talks: Iterable[dt.date], max_gap: int, start: dt.date, end: dt.date, open_days: ClinicDays
) -> list[dt.date]:
    """Regular talks so that no stretch from the plan start (the visit that made the plan) to
    `end` (the last dose) goes longer than `max_gap` days without a talk: a hold before a
    larger cut can keep one dose for months, and the patient must not go that long unseen.

    A long stretch gets as few talks as keep every gap within `max_gap`, spaced evenly (a
    fixed rhythm would put the last one a day or two before the talk that ends the stretch).
    A talk that would fall on a closed day is held on the open day before: that only shortens
    the gap behind it, and the rest of the stretch is spaced again from there (should the
    closed days reach back to the talk before, it is held on the next open day instead)."""
    added: list[dt.date] = []
    previous = start
    for day in [*sorted(d for d in talks if start <= d <= end), end]:
        while (day - previous).days > max_gap:
            remaining = (day - previous).days
            parts = -(-remaining // max_gap)  # ceil: the fewest parts of at most max_gap days
            due = previous + dt.timedelta(days=-(-remaining // parts))
            talk = open_days.earlier(due)
            if talk <= previous:
                talk = open_days.later(due)
            added.append(talk)
            previous = talk
        previous = max(previous, day)
    return added


def _support_checkpoints(
    rules: Checkpoints,
    steps: list[Step],
    changes: list[DoseChange],
    start: dt.date,
    last_dose_date: dt.date | None,
    open_days: ClinicDays,
    content: list[str],
    talk_gaps: Mapping[str, int],
) -> list[Checkpoint]:
    support = rules.support
    # date -> the drugs whose change the talk prepares (None: a regular talk)
    talks: dict[dt.date, set[str] | None] = dict.fromkeys(
        _regular_talk_dates(rules, steps, start, last_dose_date, open_days)
    )
    if support.before_each_reduction:
        lead = dt.timedelta(days=max(support.lead_days, 0))
        for change in changes:
            day = open_days.earlier(change.date - lead)  # moving back keeps it before
            # Never before the plan starts: a talk for a change on or just after the first
            # day is held on the first day (the same day still comes before the change), or
            # on the first open day after a closed start when that is still not after it.
            if day < start:
                day = start
                opened = open_days.later(start)
                if opened <= change.date:
                    day = opened
            drugs = talks.get(day)
            if drugs is None:
                talks[day] = {change.drug}
            else:
                drugs.add(change.drug)
    if support.max_gap_days is not None and steps:
        # A plan that does not reach zero: support through its last step before aftercare.
        last_steps = [s.end for s in steps if s.phase != "aftercare"]
        end = last_dose_date or max(last_steps, default=start)
        for day in _gap_talk_dates(talks, support.max_gap_days, start, end, open_days):
            talks.setdefault(day, None)
    for drug, gap in sorted(talk_gaps.items()):
        # A rule's own rhythm while its drug is taken (a weekly call through an opioid-eda
        # taper, though its changes are two weeks apart where the tablets force a hold).
        # It runs on through the first `gap` days after the drug's stop, the days withdrawal
        # comes (clinician review 13, D2: the last weekly talk came before the stop and the
        # first aftercare contact two weeks after it).
        taken = [s.end for s in steps if s.drug == drug and s.dose > 0 and s.phase != "aftercare"]
        if taken:
            end = max(taken) + dt.timedelta(days=gap + 1)
            for day in _gap_talk_dates(talks, gap, start, end, open_days):
                talks.setdefault(day, None)
    return [
        _checkpoint(
            date=day,
            kind="support",
            title=TITLE_SUPPORT if drugs is None else TITLE_SUPPORT_BEFORE_CHANGE,
            content=list(content),
            drug=next(iter(drugs)) if drugs is not None and len(drugs) == 1 else None,
        )
        for day, drugs in talks.items()
    ]


def _aftercare_checkpoints(
    rules: Checkpoints,
    drug_classes: set[DrugClass],
    last_dose_date: dt.date,
    open_days: ClinicDays,
) -> list[Checkpoint]:
    aftercare = rules.aftercare
    dates = [add_period(last_dose_date, offset) for offset in aftercare.offsets]
    minimum = add_period(last_dose_date, aftercare.minimum)
    if not dates or max(dates) < minimum:
        dates.append(minimum)  # the region's minimum period is never cut short
    dates = [open_days.later(day) for day in dates]
    content = list(aftercare.content)
    if "opioid" in drug_classes:
        content += aftercare.opioid_content
    return [
        _checkpoint(
            date=day, kind="aftercare", title=TITLE_AFTERCARE, content=_unique(content), drug=None
        )
        for day in sorted(set(dates))
    ]


def _evaluation_checkpoint(
    rules: Checkpoints, last_dose_date: dt.date, open_days: ClinicDays
) -> list[Checkpoint]:
    if rules.evaluation is None:
        return []
    day = open_days.later(add_period(last_dose_date, rules.evaluation.after))
    content = _unique(rules.evaluation.content)
    return [
        _checkpoint(date=day, kind="evaluation", title=TITLE_EVALUATION, content=content, drug=None)
    ]


def _opioid_stops(
    guideline: Guideline,
    steps: list[Step],
    changes: list[DoseChange],
    last_dose_date: dt.date,
    final: bool = False,
) -> list[DoseChange]:
    """Opioid stops while another drug is still tapered, after which no opioid is taken.

    The final stop is left out (the aftercare contacts that follow it carry the opioid
    content) unless `final`: then only the stops on the day after the last dose are given.
    """
    stops = [
        c
        for c in changes
        if c.dose_to == 0 and (c.date > last_dose_date if final else c.date <= last_dose_date)
    ]
    if not stops:
        return []  # most plans: the one stop is the last dose's (the rule file's drugs unread)
    opioids = {d.id for d in guideline.drugs if d.drug_class == "opioid"}

    def opioid_taken(drug: str, day: dt.date) -> bool:
        return any(
            s.drug in opioids and s.drug != drug and s.dose > 0 and s.start <= day <= s.end
            for s in steps
        )

    return [c for c in stops if c.drug in opioids and not opioid_taken(c.drug, c.date)]


def _with_opioid_content(
    rules: Checkpoints,
    checkpoints: list[Checkpoint],
    stops: list[DoseChange],
    open_days: ClinicDays,
    drug_classes: set[DrugClass],
    dedicated: bool = True,
) -> list[Checkpoint]:
    """The lost-tolerance/overdose content at the first support talk after each opioid stop.

    Tolerance falls within days of the stop, so the talk must not wait for aftercare months
    later: the first support talk on or after the stop (within one regular support interval,
    a week when the rules give none) carries `aftercare.opioid_content`; without such a talk a
    dedicated one is placed on the stop date (the next open day, with `avoid_weekends`),
    unless not `dedicated` (the final stop, whose aftercare contacts carry the content).
    """
    extra = list(rules.aftercare.opioid_content)
    if not extra:
        return checkpoints
    window = dt.timedelta(days=rules.support.every_days or 7)
    result = list(checkpoints)
    for stop in stops:
        due = [
            i
            for i, c in enumerate(result)
            if c.kind == "support" and stop.date <= c.date <= stop.date + window
        ]
        if due:
            i = min(due, key=lambda j: result[j].date)
            talk = result[i]
            result[i] = _checkpoint(
                date=talk.date,
                kind=talk.kind,
                title=talk.title,
                content=_unique([*talk.content, *extra]),
                drug=talk.drug,
            )
            continue
        if not dedicated:
            continue
        day = open_days.later(stop.date)
        content = _unique([*support_content(rules, drug_classes), *extra])
        result.append(
            _checkpoint(
                date=day, kind="support", title=TITLE_SUPPORT, content=content, drug=stop.drug
            )
        )
    return result


def support_content(rules: Checkpoints, drug_classes: set[DrugClass]) -> list[str]:
    """The support talks' topics: the rule file's opioid topics for a plan that tapers only
    opioids (an opioid patient was given the benzodiazepine topics "stress, anxiety, poor
    sleep, tension", clinician review 4, D7), else its topics for every plan, with the opioid
    topics it lacks when the plan also tapers an opioid (clinician review 7: a fentanyl and
    oxazepam plan spoke only of a benzodiazepine's symptoms while the fentanyl was cut)."""
    opioid = rules.support.opioid_content
    if opioid is not None and drug_classes == {"opioid"}:
        return list(opioid)
    content = list(rules.support.content)
    if opioid is not None and "opioid" in drug_classes:
        content += [topic for topic in opioid if topic not in content]
    return content


def build_checkpoints(
    guideline: Guideline,
    steps: list[Step],
    drug_classes: set[DrugClass],
    start: dt.date,
    last_dose_date: dt.date | None,
    reported: Mapping[str, Decimal] | None = None,
    talk_gaps: Mapping[str, int] | None = None,
) -> list[Checkpoint]:
    """Dated checkpoints for a plan, in date order.

    `steps` are the plan's steps (any drugs, any order), `drug_classes` the classes the plan
    tapers (opioid adds the rules' opioid aftercare content), `start` the plan's first day and
    `last_dose_date` the last day any drug is taken (None when the plan does not reach zero:
    then there is no stop, no aftercare and no evaluation). `reported` (drug id -> the daily
    dose taken now) lets a cut on the first day be told from a first step at the same dose.
    `talk_gaps` (drug id -> days) are the rules' own longest stretches without a talk while
    that drug is taken (`talk_every_days`; Eda vårdcentral called every week).
    """
    changes = dose_changes(steps, start, last_dose_date, reported)
    checkpoints = [
        _checkpoint(
            date=c.date, kind="dose-change", title=TITLE_DOSE_CHANGE, content=[], drug=c.drug
        )
        for c in changes
    ]
    rules = guideline.checkpoints
    if rules is not None:
        open_days = ClinicDays(
            rules.avoid_weekends, guideline.country, guideline.holiday_subdivision
        )
        checkpoints += _support_checkpoints(
            rules,
            steps,
            changes,
            start,
            last_dose_date,
            open_days,
            support_content(rules, drug_classes),
            talk_gaps or {},
        )
        if last_dose_date is not None:
            stops = _opioid_stops(guideline, steps, changes, last_dose_date)
            checkpoints = _with_opioid_content(rules, checkpoints, stops, open_days, drug_classes)
            if talk_gaps:  # a talk after the final stop (a rule's rhythm) speaks of it too
                final = _opioid_stops(guideline, steps, changes, last_dose_date, final=True)
                checkpoints = _with_opioid_content(
                    rules, checkpoints, final, open_days, drug_classes, dedicated=False
                )
            checkpoints += _aftercare_checkpoints(rules, drug_classes, last_dose_date, open_days)
            checkpoints += _evaluation_checkpoint(rules, last_dose_date, open_days)
    return sorted(checkpoints, key=lambda c: (c.date, _KIND_ORDER[c.kind], c.drug or "", c.title))
