"""`taper referral` (placeholder)."""

from taper.errors import TaperError


def referral() -> None:
    """Check the region's referral criteria."""
    raise TaperError("referral is not available yet.")
