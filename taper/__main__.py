"""`python -m taper` and the installed `taper` command: one CLI run, then the process ends."""

import gc

from taper.cli import main


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
