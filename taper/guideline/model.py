"""The rule-file format: frozen pydantic models, extra keys forbidden.

Every object that holds a clinical number inherits `Provenance`: it names a `source` id
(defined in the file's `sources`) or says why it is `unverified` (a project choice). The
`provenance-required` check enforces that one of the two is present; renderers show
unverified values as such wherever they are used.
"""

# No `from __future__ import annotations` here: pydantic would evaluate every annotation
# string when the classes are made (~1.5 ms of start-up).
import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, Strict, StringConstraints

FORMAT_VERSION: Literal[1] = 1

Lang = Literal["sv", "nb", "en"]
DrugClass = Literal["benzodiazepine", "opioid"]
Route = Literal["oral", "sublingual", "transdermal", "rectal", "intranasal", "buccal"]
DoseUnit = Literal["mg", "mcg/h"]
Severity = Literal["caution", "high"]

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=64)]
# A calendar period after an event: "14d", "2w", "1m", "6m".
Period = Annotated[str, StringConstraints(pattern=r"^[1-9][0-9]{0,3}[dwm]$")]
NonEmpty = Annotated[str, StringConstraints(min_length=1)]
# Only YAML 1.2 booleans (true/false): "yes", "on" or "NO" must never become a flag.
Flag = Annotated[bool, Strict()]


class Frozen(BaseModel):
    # defer_build: validators are built on first validation, not at import. A plan from a
    # built-in rule file never validates one (see `taper.guideline.checked`), which saves
    # ~10 ms of start-up; the models and their JSON schema are the same.
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True, defer_build=True)


class LocalText(Frozen):
    """A patient- or clinician-facing text in each language the tool prints."""

    en: NonEmpty
    sv: NonEmpty | None = None
    nb: NonEmpty | None = None

    def get(self, lang: Lang) -> str:
        text: str | None = getattr(self, lang)
        return text if text is not None else self.en


class Provenance(Frozen):
    source: Slug | None = Field(
        default=None, description="Id of the source (in `sources`) that gives the numbers here."
    )
    # Read as `unverified` in the file; `unverified` below is the English text every report,
    # diff and check reads, `unverified_in` the sheet language's.
    unverified_note: NonEmpty | LocalText | None = Field(
        default=None,
        alias="unverified",
        description="Why no source gives these numbers; shown wherever they are used. One "
        "English text, or one per language (`{en: ..., sv: ..., nb: ...}`, `en` required): a "
        "Swedish or Norwegian clinician page prints its own language's.",
    )

    @property
    def unverified(self) -> str | None:
        """The note in English (the text every language falls back to)."""
        note = self.unverified_note
        return note.en if isinstance(note, LocalText) else note

    def unverified_in(self, lang: Lang) -> str | None:
        """The note in `lang` as the file gives it; None when it gives none in `lang`."""
        note = self.unverified_note
        if lang == "en" or note is None:
            return self.unverified
        return getattr(note, lang) if isinstance(note, LocalText) else None


class Source(Frozen):
    id: Slug
    title: NonEmpty
    url: NonEmpty | None = None
    date: dt.date | None = None
    kind: Literal["primary", "secondary"] = Field(
        default="primary",
        description="`secondary`: a consumer page, mirror, forum or transcription, not the issuer.",
    )
    note: str | None = None


class DrugNote(Provenance):
    """A note for the prescriber about one drug, printed with the plan's other notes on the
    clinician page (never on the patient's pages), with its `source`."""

    id: Slug = Field(description="The note's id, unique within the drug.")
    when: Literal["taper", "switch-to"] = Field(
        default="taper",
        description="taper: on every plan that tapers the drug; switch-to: on every plan that "
        "switches a patient to it.",
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


class Strength(Frozen):
    amount: Decimal
    split: Literal["none", "half", "quarter"] = Field(
        default="none", description="half: single score line; quarter: cross-scored."
    )


class Regimen(Provenance):
    """How a product is taken, from its label: the planner keeps every step within it."""

    interval_hours: int | None = Field(
        default=None,
        description="Dosing interval of a modified-release product or patch (12: twice a "
        "day, 24: once a day, 168: a weekly patch); it is never given fewer times a day.",
    )
    doses_per_day: list[int] = Field(
        default=[],
        description="Times a day the product may be taken (empty: 1 to 4, or as the interval "
        "says).",
    )
    max_units_per_dose: Decimal | None = Field(
        default=None, description="Most tablets (capsules, patches) at one dose time."
    )
    max_units_per_day: Decimal | None = Field(
        default=None, description="Most tablets (capsules, patches) in 24 hours."
    )
    min_hours_between_doses: int | None = Field(
        default=None,
        description="The label's least time between two doses, in hours (Paralgin forte: "
        "at least 6); shown on the plan.",
    )
    max_amount_per_day: Decimal | None = Field(
        default=None,
        description="Most of the drug in 24 hours, in the product's unit, where the label "
        "gives it (Ultram ER: 300 mg); a plan never gives more.",
    )


class Ingredient(Provenance):
    """One active ingredient of a combination product, per tablet, with its label caps."""

    name: Slug = Field(description="The ingredient (e.g. paracetamol).")
    amount: Decimal = Field(description="Milligrams per tablet.")
    max_per_dose: Decimal | None = Field(default=None, description="Most mg at one dose time.")
    max_per_day: Decimal | None = Field(default=None, description="Most mg in 24 hours.")


class Liquid(Provenance):
    """An oral solution or drops: a dose is written as mg, ml (or drops), the concentration
    and the measuring device."""

    mg_per_ml: Decimal = Field(description="Concentration in mg per ml.")
    device: Literal["oral-syringe", "dropper"] = Field(
        description="How a dose is measured: ml with an oral syringe, or drops."
    )
    mg_per_drop: Decimal | None = Field(
        default=None,
        description="The product's own mg per drop (from its label, never derived from the "
        "concentration); needed with a dropper.",
    )
    smallest_ml: Decimal = Field(
        default=Decimal("0.5"),
        description="The oral syringe's graduation: every dose is a whole number of it "
        "(default 0.5 ml, a project choice: a 5-10 ml oral syringe marks at least every 0.5 ml, "
        "so a dose of up to 20 ml is measurable with one).",
    )


class Product(Provenance):
    drug: Slug
    brand: NonEmpty
    names: list[NonEmpty] = Field(
        default=[],
        description="Other names a medication list uses for this product (Tylenol with "
        "codeine #3); each reads as this product, as does the brand without its bracketed "
        "contents (Citodon).",
    )
    form: Literal["tablet", "capsule", "patch", "sublingual-tablet", "oral-solution"] = "tablet"
    route: Route = "oral"
    unit: DoseUnit = "mg"
    modified_release: Flag = Field(default=False, description="Depot/ER: never split.")
    strengths: list[Strength] = Field(min_length=1, description="At least one strength.")
    marketed: Flag = True
    regimen: Regimen | None = Field(
        default=None, description="The label's dosing interval and limits of units."
    )
    ingredients: list[Ingredient] = Field(
        default=[],
        description="A combination product's ingredients per tablet (e.g. paracetamol) with "
        "their caps per dose and per day.",
    )
    liquid: Liquid | None = Field(
        default=None, description="Concentration and measuring device of an oral solution."
    )
    indication: Literal["pain", "dependence"] | None = Field(
        default=None,
        description="`pain`: a pain product of a drug otherwise used for opioid dependence "
        "(buprenorphine patches); it is planned without specialist sign-off.",
    )
    note: str | None = None

    @property
    def release(self) -> Literal["immediate", "modified"]:
        return "modified" if self.modified_release else "immediate"


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


class StopDose(Provenance):
    """The stop dose of a rule, in its reference drug's unit (diazepam or oral morphine mg a
    day), with overrides per drug in the drug's own unit (a patch's smallest strength)."""

    reference_amount: Decimal = Field(description="Daily amount of the class's reference drug.")
    drugs: list[DrugStopDose] = Field(
        default=[], description="Stop doses of single drugs in their own unit."
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
    max_hold_intervals: SourcedInt | None = Field(
        default=None,
        description="The longest run at one dose, in the rule's intervals (default 3, a project "
        "choice); a longer run gets a high warning naming the product that would avoid it.",
    )
    several_drugs: SeveralDrugs | None = Field(
        default=None,
        description="Two or more drugs of this class together (the first drug's rule decides); "
        "without it they are tapered one after another.",
    )


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
    thresholds: list[Threshold] = []
    notes: list[str] = []
