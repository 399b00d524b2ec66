"""Writing output files: atomically, and never over an existing file unless asked.

A file is first written in full under a temporary name in the same folder, then published in
one step: without `--force` by a hard link, which the operating system refuses if the name
exists (so of two runs writing the same name at once exactly one wins, and a symbolic link at
the name, even a dangling or looping one, counts as existing); with `--force` by a rename over
it. `--force` replaces only a regular file or a symbolic link, never a device, named pipe or
socket (`--out /dev/null --force` as root would otherwise replace /dev/null). The temporary
file is removed on every failure and on an interrupt (see `taper.cli.interrupts`).

Every failure is one sentence naming the file and the cause: a full disk, a name too long,
no permission, a read-only file system.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO, TypeVar

from taper.errors import TaperError

T = TypeVar("T")

# What an OSError means, said for a clinician (strerror is terse and platform-worded).
_CAUSES = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.ENAMETOOLONG: "the file name is too long",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EROFS: "the file system is read-only",
    errno.EFBIG: "the file is too large for the file system",
    errno.EIO: "an input/output error on the disk",
}
# link() refusals that mean "this file system has no hard links", not "the name exists"
_NO_LINKS = {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK}
_REPLACEABLE = (stat.S_ISREG, stat.S_ISLNK)


def cause(exc: OSError) -> str:
    """An OSError's cause in a few words: "the disk is full"."""
    if exc.errno in _CAUSES:
        return _CAUSES[exc.errno]
    return (exc.strerror or type(exc).__name__).rstrip(".").lower()


class WriteFailed(TaperError):
    """A file could not be written; `errno` says why (ENOSPC: the disk is full)."""

    def __init__(self, message: str, errno_: int | None) -> None:
        super().__init__(message)
        self.errno = errno_

    @property
    def disk_full(self) -> bool:
        return self.errno in (errno.ENOSPC, errno.EDQUOT)


def cannot_write(path: Path, exc: OSError) -> WriteFailed:
    return WriteFailed(f"Cannot write {path}: {cause(exc)}.", exc.errno)


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a device"


def file_kind(path: Path) -> str | None:
    """ "folder", "file" or "other" for what `path` names (following links), None if nothing
    is there or it cannot be looked at (a name too long, a loop): the writer then says why."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return None
    if stat.S_ISDIR(mode):
        return "folder"
    return "file" if stat.S_ISREG(mode) else "other"


def refuse_existing(path: Path, *, force: bool, what: str = "") -> None:
    """Refuse a target `--force` may not replace, and any existing one without `--force`.

    Looks at the name itself (lstat): a symbolic link is a file that exists, wherever (or
    whether) it points. `what` says what --force would replace ("the summary and the plans").
    """
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    except OSError as exc:  # a file where a folder should be (ENOTDIR), a name too long
        raise cannot_write(path, exc) from None
    if stat.S_ISDIR(mode):
        raise TaperError(f"{path} is a directory; give a file name.")
    if not any(test(mode) for test in _REPLACEABLE):
        raise TaperError(f"{path} is {_kind(mode)}; taper writes only regular files there.")
    if not force:
        link = " (a symbolic link)" if stat.S_ISLNK(mode) else ""
        raise TaperError(f"{path}{link} already exists; use --force to overwrite {what or 'it'}.")


@contextlib.contextmanager
def signals_deferred() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back while a file is published and recorded: an interrupt
    lands before or after, never between creating a temporary file and knowing its name, or
    between publishing a plan and counting it (Unix; elsewhere a no-op)."""
    mask = getattr(signal, "pthread_sigmask", None)
    if mask is None:  # pragma: no cover - Windows
        yield
        return
    previous = mask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield
    finally:
        mask(signal.SIG_SETMASK, previous)  # a held signal is delivered here


def write_atomic(path: Path, data: bytes, *, force: bool = False, durable: bool = True) -> None:
    """Write `data` to `path` in full, then publish it in one step (see the module).

    `durable`: flush the file to disk before it is published (a batch flushes once at the
    end instead). Raises TaperError, one sentence naming the file.
    """
    with signals_deferred():
        _write_atomic(path, lambda handle: handle.write(data), force=force, durable=durable)


def write_atomic_stream(path: Path, fill: Callable[[BinaryIO], T], *, force: bool = False) -> T:
    """`write_atomic` for output made while it is written (`batch --format jsonl`): `fill`
    writes to a temporary file beside `path`, which is published whole, as every other
    output, or removed. Interrupts are held back only while it is published."""
    return _write_atomic(path, fill, force=force, durable=True)


def _write_atomic(path: Path, fill: Callable[[BinaryIO], T], *, force: bool, durable: bool) -> T:
    refuse_existing(path, force=force)
    folder = path.parent if str(path.parent) else Path(".")
    try:
        if not stat.S_ISDIR(os.stat(folder).st_mode):
            raise TaperError(f"{folder} is not a folder.")
    except FileNotFoundError:
        raise TaperError(f"Folder {folder} does not exist.") from None
    except OSError as exc:
        raise cannot_write(path, exc) from None
    tmp: str | None = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name[:100]}.", suffix=".tmp", dir=folder)
        with os.fdopen(fd, "wb") as handle:
            result = fill(handle)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        with signals_deferred():
            _publish(tmp, path, force=force)
        return result
    except OSError as exc:
        raise cannot_write(path, exc) from None
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def _publish(tmp: str, path: Path, *, force: bool) -> None:
    if force:
        refuse_existing(path, force=True)  # again: a FIFO may have appeared meanwhile
        os.replace(tmp, path)
        return
    try:
        os.link(tmp, path, follow_symlinks=False)
        return
    except FileExistsError:
        refuse_existing(path, force=False)  # says what is there
        raise TaperError(f"{path} already exists; use --force to overwrite it.") from None
    except OSError as exc:
        if exc.errno not in _NO_LINKS:
            raise
    # No hard links here (some network and FAT file systems): reserve the name by creating
    # it exclusively, then rename the full file over the reservation.
    try:
        reserved = os.open(
            path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        )
    except FileExistsError:
        raise TaperError(f"{path} already exists; use --force to overwrite it.") from None
    os.close(reserved)
    os.replace(tmp, path)
