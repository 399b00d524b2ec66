"""`taper schema`: the JSON Schema of an output format."""

from __future__ import annotations

import typer

from taper.errors import TaperError

SCHEMAS = ("plan",)
SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
# Where the schema names itself: stable for a tool version, so a validator can cache it.
PLAN_SCHEMA_ID = "urn:taper:schema:plan:{version}"
# A dose, strength or count as the plan writes it: an exact decimal string ("2.5", "0.25").
DECIMAL_PATTERN = r"^-?(0|[1-9][0-9]*)(\.[0-9]+)?$"


def plan_schema() -> dict[str, object]:
    """The plan's JSON Schema: the model's own, with a dialect and an id, every decimal string
    constrained to a number pattern and every `unit` to the units a plan can carry."""
    from typing import get_args

    from pydantic.json_schema import GenerateJsonSchema

    import taper
    from taper.guideline.model import DoseUnit
    from taper.plan.model import Plan

    class PlanSchema(GenerateJsonSchema):
        def decimal_schema(self, schema: object) -> dict[str, object]:
            return {"type": "string", "pattern": DECIMAL_PATTERN}

    body = Plan.model_json_schema(mode="serialization", schema_generator=PlanSchema)
    units = list(get_args(DoseUnit))

    def constrain_units(node: object) -> None:
        if isinstance(node, dict):
            properties = node.get("properties")
            if isinstance(properties, dict):
                unit = properties.get("unit")
                if isinstance(unit, dict) and unit.get("type") == "string":
                    unit["enum"] = units
            for value in node.values():
                constrain_units(value)
        elif isinstance(node, list):
            for value in node:
                constrain_units(value)

    constrain_units(body)
    return {
        "$schema": SCHEMA_DIALECT,
        "$id": PLAN_SCHEMA_ID.format(version=taper.__version__),
        **body,
    }


def schema_text(name: str) -> str:
    """The JSON Schema of output `name`, pretty-printed with sorted keys (stable for diffs)."""
    import json

    if name == "plan":
        return json.dumps(
            plan_schema(),
            indent=2,
            sort_keys=True,
            ensure_ascii=False,
        )
    raise TaperError(f"Unknown schema {name!r}: use one of {', '.join(SCHEMAS)}.")


def schema(
    name: str = typer.Argument(..., help=f"Which output: {', '.join(SCHEMAS)}."),
) -> None:
    """Print the JSON Schema of an output format.

    \b
    Example:
      taper schema plan > plan.schema.json
    """
    from taper.cli import console

    console.out(schema_text(name) + "\n")
