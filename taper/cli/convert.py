"""`taper convert` and `taper compare` (placeholder)."""

from taper.errors import TaperError


def convert() -> None:
    """Convert doses to diazepam / oral morphine equivalents."""
    raise TaperError("convert is not available yet.")


def compare() -> None:
    """Compare equivalents across regions."""
    raise TaperError("compare is not available yet.")
