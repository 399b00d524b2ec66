"""The plan JSON Schema (`taper schema plan`): a dialect and an id, exact decimal strings and
units from an enum; every golden plan validates, and a wrong dose or unit does not. Read by two
independent validators: jsonschema, and pydantic's own model."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from taper.cli.schema import DECIMAL_PATTERN, SCHEMA_DIALECT, plan_schema
from taper.plan.model import Plan

GOLDEN = Path(__file__).resolve().parent / "golden"
PLANS = sorted(GOLDEN.glob("plan-*.json")) + sorted(GOLDEN.glob("render/*/plan.json"))


def validator() -> Draft202012Validator:
    schema = plan_schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def test_the_schema_names_its_dialect_and_itself() -> None:
    schema = plan_schema()
    assert schema["$schema"] == SCHEMA_DIALECT
    assert str(schema["$id"]).startswith("urn:taper:schema:plan:")


@pytest.mark.parametrize("path", PLANS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_golden_plan_passes_both_validators(path: Path) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    errors = [e.message for e in validator().iter_errors(data)]
    assert errors == []
    Plan.model_validate(data)  # the second, independent reader


def _first_step(data: dict[str, Any]) -> dict[str, Any]:
    step: dict[str, Any] = data["steps"][0]
    return step


@pytest.mark.parametrize(
    ("field", "value"),
    [("dose", "twenty-seven"), ("dose", "1e3"), ("dose", "2,5"), ("unit", "kg")],
)
def test_a_dose_in_words_or_a_unit_outside_the_enum_is_refused(field: str, value: str) -> None:
    data = json.loads(PLANS[0].read_text(encoding="utf-8"))
    _first_step(data)[field] = value
    assert list(validator().iter_errors(data)), f"{field}={value!r} passed the schema"


@pytest.mark.parametrize("text", ["0", "2.5", "-0.25", "120"])
def test_the_decimal_pattern_takes_the_plan_s_numbers(text: str) -> None:
    import re

    assert re.fullmatch(DECIMAL_PATTERN, text)
