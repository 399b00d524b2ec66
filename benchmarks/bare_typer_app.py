"""The baseline for start-up benchmarks: the smallest typer app with one command.

`taper` start-up is compared with this in the same interpreter, so the ratio shows what
taper itself adds on top of Python + typer.
"""

import typer

app = typer.Typer(add_completion=False)


@app.callback()
def _root() -> None:
    """A bare typer app."""


@app.command()
def hello(name: str = "world") -> None:
    """Say hello."""
    typer.echo(f"hello {name}")


if __name__ == "__main__":
    app()
