"""The rule-file format: frozen pydantic models, extra keys forbidden.

Every object that holds a clinical number inherits `Provenance`: it names a `source` id
(defined in the file's `sources`) or says why it is `unverified` (a project choice). The
`provenance-required` check enforces that one of the two is present; renderers show
unverified values as such wherever they are used.

The building blocks (value types, `Frozen`, `LocalText`, `Provenance`, `Source`) are in
`taper.guideline.model_base`, the formulary's products in `taper.guideline.products`, the
care around a taper (support, aftercare, referral, urgent help) in `taper.guideline.care`;
every rule-file model is imported from this module.
"""

# No `from __future__ import annotations` here: pydantic would evaluate every annotation
# string when the classes are made (~1.5 ms of start-up).
import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from taper.guideline.care import (
    Aftercare,
    Checkpoints,
    ContentItem,
    Driving,
    DrivingLimit,
    Evaluation,
    Referral,
    ReferralCriterion,
    SupportContacts,
    UrgentHelp,
)
from taper.guideline.model_base import (
    FORMAT_VERSION,
    DoseUnit,
    DrugClass,
    Flag,
    Frozen,
    Lang,
    LocalText,
    NonEmpty,
    Period,
    Provenance,
    Route,
    Severity,
    Slug,
    Source,
)
from taper.guideline.products import Ingredient, Liquid, Product, Regimen, Strength

# The base blocks, products and care models are named here too: callers import every
# rule-file model from this one module.
__all__ = [
    "FORMAT_VERSION",
    "Aftercare",
    "Band",
    "Checkpoints",
    "ContentItem",
    "Conversion",
    "CrossTolerance",
    "DoseUnit",
    "Driving",
    "DrivingLimit",
    "Drug",
    "DrugAmount",
    "DrugClass",
    "DrugNote",
    "DrugStopDose",
    "EquivalenceTable",
    "Evaluation",
    "FewerDoseTimes",
    "Flag",
    "Frozen",
    "Guideline",
    "Ingredient",
    "Lang",
    "Liquid",
    "LocalText",
    "MinStep",
    "NonEmpty",
    "PausePolicy",
    "Period",
    "Phases",
    "Product",
    "Provenance",
    "Reduction",
    "Referral",
    "ReferralCriterion",
    "Regimen",
    "Route",
    "SeveralDrugs",
    "Severity",
    "SlowDown",
    "Slug",
    "Source",
    "SourcedInt",
    "StopDose",
    "Strength",
    "SupportContacts",
    "Switch",
    "SwitchAdvice",
    "SwitchLimits",
    "TablePoint",
    "TaperRule",
    "Threshold",
    "UrgentHelp",
]


class DrugNote(Provenance):
    """A note for the prescriber about one drug, printed with the plan's other notes on the
    clinician page (never on the patient's pages), with its `source`."""

    id: Slug = Field(description="The note's id, unique within the drug.")
    when: Literal["taper", "switch-to", "paracetamol"] = Field(
        default="taper",
        description="taper: on every plan that tapers the drug; switch-to: on every plan that "
        "switches a patient to it; paracetamol: on every plan that gives it as a product also "
        "holding paracetamol above the lower daily limits, beside their caution (the "
        "region's own words on them).",
    )
    text: LocalText = Field(description="The note, in the prescriber's words.")


class Drug(Frozen):
    id: Slug
    drug_class: DrugClass = Field(alias="class")
    group: Literal["anxiolytic", "hypnotic", "z-drug", "opioid", "substitution"] | None = None
    atc: list[Annotated[str, StringConstraints(pattern=r"^[A-Z][0-9]{2}[A-Z]{2}[0-9]{2}$")]] = []
    names: list[NonEmpty] = Field(
        default=[], description="Brand names, other spellings (oksazepam), used to recognise input."
    )
    display: LocalText | None = Field(default=None, description="How the region writes the name.")
    long_acting: Flag = False
    substitution: Flag = Field(
        default=False,
        description="Opioid-substitution drug (methadone, buprenorphine): conversions warn and "
        "tapers need specialist sign-off.",
    )
    clinician_notes: list[DrugNote] = Field(
        default=[],
        description="Notes for the prescriber about this drug (withdrawal, risks, starting "
        "doses), each with its source.",
    )


class Band(Frozen):
    """A dose band for a dose-dependent factor: `above` < dose <= `up_to`."""

    above: Decimal
    up_to: Decimal | None = None
    factor: Decimal


class TablePoint(Frozen):
    """One row of a published equivalence table: this dose equals that reference amount."""

    dose: Decimal
    equals: Decimal


class Conversion(Provenance):
    """How one drug (by route and unit) converts to the class's reference drug.

    Exactly one basis: `factor` (reference = dose x factor), `amount`/`equals` (this amount of
    the drug equals that amount of the reference), `bands` (factor chosen by the drug's daily
    dose) or `points` (published table rows, interpolated between rows and flagged).
    """

    drug: Slug
    route: Route = "oral"
    unit: DoseUnit = "mg"
    factor: Decimal | None = None
    amount: Decimal | None = None
    equals: Decimal | None = None
    range: tuple[Decimal, Decimal] | None = Field(
        default=None,
        description="Range the sources give for the same quantity as the point value "
        "(factor, or amount).",
    )
    range_sources: list[Slug] = Field(
        default=[], description="Sources of the range where they differ from `source`."
    )
    bands: list[Band] | None = None
    points: list[TablePoint] | None = None
    range_bands: list[Band] | None = Field(
        default=None,
        description="With `factor`: another source's factors by dose band (CDC 2016's methadone "
        "tiers); the range runs from `factor` to the band's factor at the dose.",
    )
    note: str | None = None


class CrossTolerance(Provenance):
    """The reduction for incomplete cross-tolerance when `convert --to` switches to another
    drug of the class: the dose starts `percent` below the equivalent (the most reduced end of
    `range`, where sources give a range)."""

    percent: Decimal = Field(description="Reduction applied, in % of the equivalent dose.")
    range: tuple[Decimal, Decimal] | None = Field(
        default=None, description="Range of reductions the sources give (low, high), in %."
    )


class EquivalenceTable(Provenance):
    reference: Slug = Field(description="Reference drug: diazepam or morphine.")
    reference_route: Route = "oral"
    unit: DoseUnit = "mg"
    conversions: list[Conversion]
    switch_reduction_percent: Decimal | None = Field(
        default=None,
        description="Cross-tolerance reduction when switching to another drug of this class "
        "(sourced by the table; `cross_tolerance` gives one with its own source and range).",
    )
    cross_tolerance: CrossTolerance | None = Field(
        default=None,
        description="Cross-tolerance reduction for `convert --to` with its own provenance and "
        "the range the sources give (used instead of `switch_reduction_percent`).",
    )
    specialist_only_targets: list[Slug] = Field(
        default=[], description="Drugs `convert --to` refuses as switch targets."
    )
    disclaimer: LocalText | None = None


class Phases(Provenance):
    mapping_days: int = Field(description="Recording actual intake before anything changes.")
    stabilisation_days: int = Field(description="Fixed doses at fixed times (utjämning).")


class SwitchLimits(Provenance):
    """Limits on the substitute's dose at a switch (e.g. NHS Scotland: do not start above
    30 mg diazepam a day), and how long the patient stays on it before the first cut."""

    max_daily: Decimal = Field(description="Highest daily dose of the substitute at the start.")
    max_per_dose: Decimal = Field(description="Highest dose at one dose time (label maximum).")
    above_cap: Literal["refuse", "cap"] = Field(
        default="refuse",
        description="An equivalent above `max_daily` always needs --specialist. With it, refuse: "
        "the plan starts at the equivalent; cap: it starts at `max_daily` with a high warning "
        "that the cap, not the equivalence, sets it (an abrupt cut of the load).",
    )
    stabilisation_days: int = Field(
        default=14,
        description="Days on the full substitute dose before the first reduction (default 14, "
        "a project choice; every shipped file sets it).",
    )


class SwitchAdvice(Provenance):
    """Drugs the rule's sources name for a switch where the rule only offers it (PrescQIPP:
    short-acting potent benzodiazepines): a plan that does not switch one recommends the
    switch on the clinician page; the default stays the rule's."""

    drugs: list[Slug] = Field(description="Drugs the source names for a switch.")


class Switch(Provenance):
    policy: Literal["never", "optional", "recommended"]
    target: Slug | None = None
    applies_to_short_acting_only: Flag = True
    doses_per_day: int = 2
    crossover_step_days: int = Field(
        default=7, description="Days per crossover step (one dose time replaced per step)."
    )
    parts_per_dose_time: int = Field(
        default=1,
        description="Crossover steps per dose time (1 to 4): 1 replaces a dose time's whole "
        "dose in one step; 2 replaces about half of it (in whole tablets of the old drug) and "
        "the rest a step later (partial substitution), each step held `crossover_step_days`. "
        "Ashton's schedules substitute stepwise, but their text was not found "
        "(formulations.md §4), so no shipped rule file uses more than 1.",
    )
    long_acting_switched: list[Slug] = Field(
        default=[],
        description="Long-acting drugs this rule switches all the same (Ashton: clonazepam).",
    )
    limits: SwitchLimits | None = Field(
        default=None, description="Cap, per-dose maximum and stabilisation of the substitute."
    )
    advised: SwitchAdvice | None = Field(
        default=None,
        description="Drugs a source names for the switch: recommended on the clinician page "
        "when the plan does not switch them (the default is unchanged).",
    )


class DrugAmount(Provenance):
    drug: Slug = Field(description="The drug this amount is for.")
    amount: Decimal = Field(description="The amount a day, in the drug's own unit.")
    unit: DoseUnit = Field(default="mg", description="mg (a day) or mcg/h (a patch).")


class MinStep(Provenance):
    """The smallest step of a pace, in the reference drug's unit (diazepam or oral morphine mg
    a day), with overrides per drug in the drug's own unit."""

    reference_amount: Decimal = Field(description="Daily amount of the class's reference drug.")
    drugs: list[DrugAmount] = Field(
        default=[], description="Smallest steps of single drugs in their own unit."
    )


class Reduction(Provenance):
    mode: Literal["current", "start"] = Field(
        description="current: share of the current dose (exponential, hyperbolic-like); "
        "start: share of the starting dose (linear)."
    )
    percent: Decimal
    max_percent: Decimal | None = Field(
        default=None, description="Fastest reduction the rules allow (defaults to `percent`)."
    )
    interval_days: int
    min_interval_days: int | None = Field(
        default=None, description="Shortest interval the rules allow (defaults to interval)."
    )
    min_step: MinStep | None = Field(
        default=None,
        description="The smallest step the source uses: a percent cut smaller than this is made "
        "this large (the last step to zero may be smaller), and a cut the products force up to "
        "half a step beyond it is within the rule (not held). Ignored with --percent.",
    )


class SlowDown(Provenance):
    below_percent_of_start: Decimal | None = Field(
        default=None,
        description="Slow down once the dose falls below this share of the starting dose.",
    )
    below_reference_amount: Decimal | None = Field(
        default=None,
        description="Slow down once the dose falls below this daily amount of the class's "
        "reference drug (5 mg diazepam), whatever the starting dose; instead of "
        "`below_percent_of_start`.",
    )
    percent: Decimal = Field(description="Reduction, as a share of the current dose.")
    interval_days: int
    min_step: MinStep | None = Field(
        default=None,
        description="The smallest step of the slow-down (defaults to the reduction's).",
    )


class PausePolicy(Provenance):
    allowed: Flag = True
    max_days: int | None = None


class SourcedInt(Provenance):
    value: int


class DrugStopDose(Provenance):
    drug: Slug = Field(description="The drug this stop dose is for.")
    amount: Decimal = Field(description="Its stop dose a day, in its own unit.")
    unit: DoseUnit = Field(default="mg", description="mg (a day) or mcg/h (a patch).")


class StopInsteadOfTail(Provenance):
    """An opioid rule's choice to end the taper at its stop dose rather than go on below it
    with a new product or fewer dose times (its provenance says why)."""


class StopDose(Provenance):
    """The stop dose of a rule, in its reference drug's unit (diazepam or oral morphine mg a
    day), with overrides per drug in the drug's own unit (a patch's smallest strength)."""

    reference_amount: Decimal = Field(description="Daily amount of the class's reference drug.")
    drugs: list[DrugStopDose] = Field(
        default=[], description="Stop doses of single drugs in their own unit."
    )
    stop_instead_of_tail: StopInsteadOfTail | None = Field(
        default=None,
        description="Opioid rules only. Set: from a dose at or below the stop dose, the taper "
        "stops (after one interval at that dose) where its next step would start a new product "
        "(immediate-release tablets or an oral solution after depot tablets, or a top-up) or "
        "give an immediate-release product at fewer dose times than its regimen. Unset: the "
        "taper goes on below the stop dose as the products allow.",
    )


class SeveralDrugs(Provenance):
    """How two or more drugs of the rule's class are tapered when a patient takes them together
    (two opioids): which starts, and how long any other may wait at its full dose."""

    first: Literal["as-given", "immediate-release"] = Field(
        default="as-given",
        description="Which drug's taper starts first: the order the medications were given, or "
        "immediate-release products before modified-release ones (depot tablets, patches).",
    )
    max_wait_days: int = Field(
        ge=0,
        description="No drug of the class waits at its full dose longer than this after the "
        "class's taper starts: at the latest then its own taper begins alongside. 0 tapers them "
        "together, each cut by the rule's share of its own dose (a proportional cut of the total "
        "oral morphine equivalent).",
    )


class FewerDoseTimes(Provenance):
    """A long-acting drug whose dose times fall away as its dose falls: below `below` at one
    dose time, a step takes its cut from the dose time the rule drops first (down to zero over
    the steps) rather than sharing it evenly over the day; above it the cut is shared as
    before. The daily doses are the same; only how a day's dose is shared changes, and no dose
    time rises or returns. A short-acting drug, not named here, keeps its even sharing."""

    drug: Slug = Field(description="The drug (the rule's own, or its switch target).")
    below: Decimal = Field(description="The dose at one dose time below which it applies.")
    unit: Literal["mg"] = Field(default="mg", description="The unit of `below` (mg).")


class TalkInterval(Provenance):
    """The longest a patient on this rule goes without a support talk (days)."""

    value: int = Field(ge=1, le=365, description="Days (1-365).")


class TaperRule(Frozen):
    """How one drug class (or group, or drug) is tapered. The first matching rule in the file
    is the default; `taper plan --rule ID` chooses another that matches."""

    id: Slug
    title: NonEmpty
    drug_class: DrugClass = Field(alias="class")
    groups: list[str] = Field(default=[], description="Drug groups this rule is limited to.")
    drugs: list[Slug] = Field(default=[], description="Drugs this rule is limited to.")
    doses_per_day: int = 2
    phases: Phases
    switch: Switch
    reduction: Reduction
    slow_down: SlowDown | None = None
    pause: PausePolicy
    max_duration_days: SourcedInt
    specialist_required: Flag = False
    stop_dose: StopDose | None = Field(
        default=None,
        description="The small daily dose from which a drug may be stopped; the last step to "
        "zero starts from it or below.",
    )
    drop_order: list[Literal["morning", "midday", "afternoon", "evening", "bedtime"]] = Field(
        default=[],
        description="The order in which dose times are dropped near the end of a taper (first "
        "named, first dropped; the times it does not name after them, those between the first "
        "and the last of the day first, the last kept longest); default: the earliest in the "
        "day first, so the evening or bedtime dose is kept longest.",
    )
    fewer_dose_times: list[FewerDoseTimes] = Field(
        default=[],
        description="Long-acting drugs this rule tapers (its own or its switch target) whose "
        "dose times fall away one at a time as the dose falls: below an amount at one dose time, "
        "the step's cut is taken from the dose time dropped first (`drop_order`) rather than "
        "shared evenly, so the day ends on one dose, the one kept longest. Default: none (every "
        "drug's cut is shared evenly over its dose times).",
    )
    max_hold_intervals: SourcedInt | None = Field(
        default=None,
        description="The longest run at one dose, in the rule's intervals (default 3, a project "
        "choice); a longer run gets a high warning naming the product that would avoid it.",
    )
    talk_every_days: TalkInterval | None = Field(
        default=None,
        description="Support talks at least this often (`value`, in days) from the plan start "
        "to the last dose of a drug this rule tapers (Eda vårdcentral: a weekly nurse call); "
        "the rule file's `checkpoints.support.max_gap_days` holds for the rest of the plan.",
    )
    several_drugs: SeveralDrugs | None = Field(
        default=None,
        description="Two or more drugs of this class together (the first drug's rule decides); "
        "without it they are tapered one after another.",
    )


class Threshold(Provenance):
    id: Slug
    drug_class: DrugClass = Field(alias="class")
    kind: Literal["total-above", "combined-with", "drug-above"] = Field(
        description="total-above: a class total compared with `above`; combined-with: the "
        "class taken together with `with_class`; drug-above: one drug's daily dose (`drug`, "
        "in its own mg) compared with `above`."
    )
    above: Decimal | None = None
    drug: Slug | None = Field(default=None, description="The drug of a `drug-above` threshold.")
    operator: Literal[">", ">="] = Field(
        default=">",
        description='How a total is compared with `above`: ">" (above, over) or ">=" '
        '("or more", at least), as the message words it.',
    )
    conversions_only: Flag = Field(
        default=False,
        description="Advice about starting or raising a dose: shown by convert, never on a "
        "taper plan.",
    )
    with_class: DrugClass | None = None
    severity: Severity = "caution"
    message: LocalText


class Guideline(Frozen):
    format: Literal[1] = FORMAT_VERSION
    id: Slug
    region: NonEmpty
    country: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
    holiday_subdivision: Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{1,3}$")] | None = (
        Field(
            default=None,
            description="The part of the country whose public holidays the clinic keeps, as "
            "the `holidays` library codes it (GB: ENG, NIR, SCT, WLS); without it, only the "
            "holidays of the whole country (the UK's miss Easter Monday and the August bank "
            "holiday).",
        )
    )
    title: NonEmpty
    version: NonEmpty
    effective: dt.date
    language: Lang
    timezone: NonEmpty = "Europe/Stockholm"
    sources: list[Source]
    drugs: list[Drug]
    equivalence: dict[DrugClass, EquivalenceTable]
    formulary: list[Product] = []
    taper_order: list[DrugClass] = Field(default=["opioid", "benzodiazepine"])
    taper_rules: list[TaperRule] = []
    not_covered: dict[DrugClass, NonEmpty] = Field(
        default={},
        description="Why the file has no taper rule for a class whose drugs it names (no "
        "sourced factor or rate); quoted when a plan for such a drug is refused.",
    )
    checkpoints: Checkpoints | None = None
    referral: Referral | None = None
    urgent_help: list[UrgentHelp] = Field(
        default=[],
        description="The region's numbers for urgent help, most urgent first: printed on page 1 "
        "of the patient's sheet.",
    )
    driving: Driving | None = Field(
        default=None,
        description="The health requirement for a driving licence under regular use of "
        "benzodiazepines and z-drugs (daily amounts per drug); the patient's sheet says until "
        "which day the plan's doses do not meet it.",
    )
    thresholds: list[Threshold] = []
    notes: list[str] = []
