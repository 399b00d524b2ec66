"""The care around a taper in a rule file: support talks, aftercare, evaluation,
referral criteria and urgent-help numbers (part of `taper.guideline.model`)."""

# No `from __future__ import annotations` here: pydantic would evaluate every annotation
# string when the classes are made (~1.5 ms of start-up).
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from taper.guideline.model_base import Flag, Frozen, LocalText, NonEmpty, Period, Provenance, Slug


class SupportContacts(Provenance):
    before_each_reduction: Flag = True
    lead_days: int = Field(default=1, description="Days before a dose change the talk is held.")
    every_days: int | None = Field(
        default=None, description="Regular talks during mapping and stabilisation."
    )
    max_gap_days: int | None = Field(
        default=None,
        ge=7,
        description=(
            "The longest a patient goes without a support talk from the plan start to the "
            "last dose: where dose changes are further apart (a hold before a larger cut, a "
            "slow phase), regular talks fill the gap."
        ),
    )
    content: list[Slug] = []
    opioid_content: list[Slug] | None = Field(
        default=None,
        description="The talks' topics for a plan that tapers only opioids (default: "
        "`content`, which may speak of a benzodiazepine's symptoms).",
    )


class Aftercare(Provenance):
    minimum: Period = Field(description="Minimum aftercare period after the last dose.")
    offsets: list[Period]
    content: list[Slug] = []
    opioid_content: list[Slug] = Field(
        default=[], description="Added after an opioid taper (lost tolerance, naloxone)."
    )


class Evaluation(Provenance):
    """A planned evaluation of the result once the patient has been drug-free for a while
    (e.g. trappned.no: be drug-free for at least 6 weeks before judging)."""

    after: Period = Field(description="How long after the last dose the evaluation is held.")
    content: list[Slug] = []


class ContentItem(Frozen):
    id: Slug
    text: LocalText
    link: str | None = None
    source: Slug | None = None


class Checkpoints(Frozen):
    support: SupportContacts
    aftercare: Aftercare
    evaluation: Evaluation | None = None
    avoid_weekends: Flag = True
    content: list[ContentItem] = []


class ReferralCriterion(Provenance):
    id: Slug
    kind: Literal["attempt-required", "question", "exclusion"]
    text: LocalText
    any_of: Slug | None = Field(
        default=None,
        description="Criteria with the same `any_of` name are alternatives: one of them met "
        "is enough (e.g. two different reasons to refer).",
    )


class Referral(Provenance):
    unit: NonEmpty | None = None
    criteria: list[ReferralCriterion] = []


class DrivingLimit(Provenance):
    drug: Slug = Field(description="A benzodiazepine or z-drug of the file's `drugs`.")
    max_daily: Decimal = Field(gt=0, description="The most mg a day that meets the requirement.")
    hours_before: int | None = Field(
        default=None, ge=1, description="Taken at least this many hours before driving."
    )


class Driving(Provenance):
    """The health requirement for a driving licence (the lowest group, cars) under regular use
    of benzodiazepines and z-drugs: a listed drug up to its daily amount meets it, any other
    does not, and two such drugs taken on one day halve each amount. The patient's sheet says
    until which day the plan's doses do not meet it (Norway: førerkortforskriften vedlegg 1
    § 36 via rusinfo.no and helsenorge.no)."""

    limits: list[DrivingLimit] = Field(
        min_length=1, description="The drugs that meet the requirement, each up to its amount."
    )
    days_after_change: int | None = Field(
        default=None,
        ge=1,
        description="Days that must pass after a change of dose before the amount applies.",
    )


class UrgentHelp(Provenance):
    """A number the patient calls when it is urgent, printed on page 1 of the patient's sheet
    under the clinic's own contact (the `urgent-help` check: a source with a `url`, or
    `unverified`, and the label in the file's language)."""

    number: Annotated[str, StringConstraints(pattern=r"^[0-9]{2,6}( [0-9]{2,6})?$")] = Field(
        description='The number as the patient dials it, digits with at most one space ("112", '
        '"116 117").'
    )
    label: LocalText = Field(
        description='When to call it, in the patient\'s words ("If life is in danger").'
    )
