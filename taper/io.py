"""Writing output files: atomically, and never over an existing file unless asked."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from taper.errors import TaperError


def write_atomic(path: Path, data: bytes, *, force: bool = False) -> None:
    """Write `data` to `path` via a temporary file in the same folder and an atomic rename.

    A reader never sees a half-written file, and an interrupted run leaves the old file (or
    nothing) in place. An existing file is replaced only with `force`.
    """
    if path.is_dir():  # first: --force cannot help here
        raise TaperError(f"{path} is a directory; give a file name.")
    if path.exists() and not force:
        raise TaperError(f"{path} already exists; use --force to overwrite it.")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise TaperError(f"Folder {folder} does not exist.")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise TaperError(f"Cannot write to {folder}: {exc.strerror}.") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if not force and path.exists():  # appeared while we were writing
            raise TaperError(f"{path} already exists; use --force to overwrite it.")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
