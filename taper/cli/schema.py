"""`taper schema` (placeholder)."""

from taper.errors import TaperError


def schema() -> None:
    """Print the JSON Schema of an output format."""
    raise TaperError("schema is not available yet.")
