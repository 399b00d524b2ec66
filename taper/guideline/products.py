"""The rule file's formulary: marketed products, their strengths, label regimens,
ingredients and oral solutions (part of `taper.guideline.model`)."""

# No `from __future__ import annotations` here: pydantic would evaluate every annotation
# string when the classes are made (~1.5 ms of start-up).
from decimal import Decimal
from typing import Literal

from pydantic import Field

from taper.guideline.model_base import DoseUnit, Flag, Frozen, NonEmpty, Provenance, Route, Slug


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
