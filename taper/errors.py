"""Errors a user can cause. The CLI turns each into one sentence on stderr and exit code 2."""


class TaperError(Exception):
    """Bad input: unknown drug, bad dose, unreadable file, a request the rules cannot meet."""
