"""`taper plan` (placeholder)."""

from taper.errors import TaperError


def plan() -> None:
    """Make a TUB-model tapering plan."""
    raise TaperError("plan is not available yet.")
