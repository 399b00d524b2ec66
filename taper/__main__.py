"""`python -m taper` and the installed `taper` command: one CLI run, then the process ends."""

import gc
import signal
import sys
from types import FrameType


def _interrupted_early(signum: int, _frame: FrameType | None) -> None:
    """Ctrl-C or SIGTERM while taper is still starting (importing): one sentence, no
    traceback. Once a command runs, `taper.cli.interrupts` takes over."""
    sys.stderr.write("taper: interrupted.\n")
    raise SystemExit(128 + signum)


for _signal in (signal.SIGINT, signal.SIGTERM):
    signal.signal(_signal, _interrupted_early)

from taper.cli import main  # noqa: E402 - after the handlers: importing takes a while


def run() -> None:
    try:
        main()
    finally:
        # The process ends here. At exit the interpreter runs the cyclic collector over every
        # object still alive (typer, pydantic, the rule file): 30-40 ms spent finding nothing.
        # Frozen objects are out of its reach; teardown, flushing and atexit run as before.
        # Only here, not in `main()`, so in-process callers (tests) keep collecting.
        gc.freeze()


if __name__ == "__main__":
    run()
