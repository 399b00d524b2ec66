"""Ctrl-C (SIGINT) and SIGTERM: end the run with one sentence and the shell's exit code.

Both signals raise `Interrupted` at once, so every `finally` runs (temporary files are
removed, see `taper.io`) and nothing half-written is published. Python may swallow an
exception raised inside a destructor or a C callback (a JSON serializer's default hook):
it prints "Exception ignored in ..." and goes on. So the signal is also remembered, and
`check()` raises it again at the next safe point (between patients, before the summary,
at the end of the command); the swallowed one is not printed.

The exit code is 128 + the signal's number: 130 for SIGINT, 143 for SIGTERM.
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupted(BaseException):
    """The run was interrupted by `signum`; `detail` says what was written, if anything."""

    def __init__(self, signum: int, detail: str = "") -> None:
        super().__init__(signum)
        self.signum = signum
        self.detail = detail

    @property
    def exit_code(self) -> int:
        return 128 + self.signum

    def sentence(self) -> str:
        return f"taper: interrupted; {self.detail}." if self.detail else "taper: interrupted."


_received: list[int] = []


def _handler(signum: int, _frame: FrameType | None) -> None:
    _received.append(signum)
    raise Interrupted(signum)


def check() -> None:
    """Raise `Interrupted` if a signal came in whose exception Python swallowed."""
    if _received:
        raise Interrupted(_received[0])


def _unraisable(hook: Any) -> Any:
    def quiet(unraisable: Any) -> None:
        if isinstance(unraisable.exc_value, Interrupted | KeyboardInterrupt):
            return  # remembered in _received; check() raises it where it can be handled
        hook(unraisable)

    return quiet


@contextmanager
def handled() -> Iterator[None]:
    """Install the handlers for one CLI run (main thread only), and restore them after."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.getsignal(sig) for sig in _SIGNALS}
    previous_hook = sys.unraisablehook
    _received.clear()
    for sig in _SIGNALS:
        signal.signal(sig, _handler)
    sys.unraisablehook = _unraisable(previous_hook)
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
        sys.unraisablehook = previous_hook
