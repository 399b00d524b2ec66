"""`taper schema`: the JSON Schema of an output format."""

from __future__ import annotations

import typer

from taper.errors import TaperError

SCHEMAS = ("plan",)


def schema_text(name: str) -> str:
    """The JSON Schema of output `name`, pretty-printed with sorted keys (stable for diffs)."""
    import json

    if name == "plan":
        from taper.plan.model import Plan

        return json.dumps(
            Plan.model_json_schema(mode="serialization"),
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
