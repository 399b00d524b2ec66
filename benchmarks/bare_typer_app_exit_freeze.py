"""The bare typer app with taper's exit step (`gc.freeze()` before the interpreter ends).

`taper/__main__.py` freezes the garbage collector when a run ends, which spares the final
collection over every live object (30-40 ms). This baseline gives the bare app the same, so the
benchmarks can also show what taper adds like for like, not only against the plain bare app.
"""

import gc
import runpy
from pathlib import Path

if __name__ == "__main__":
    try:
        runpy.run_path(str(Path(__file__).with_name("bare_typer_app.py")), run_name="__main__")
    finally:
        gc.freeze()
