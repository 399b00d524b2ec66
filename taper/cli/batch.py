"""`taper batch` (placeholder)."""

from taper.errors import TaperError


def batch() -> None:
    """Plan for a clinic's list of patients."""
    raise TaperError("batch is not available yet.")
