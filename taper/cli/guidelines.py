"""`taper guidelines ...` (placeholder until the guidelines commands land)."""

import typer

app = typer.Typer(help="List, show, validate and compare regional rule files.", no_args_is_help=True)
