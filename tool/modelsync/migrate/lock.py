"""A lock on the migrations folder for the whole of ``migration``'s read, number and write.

Two ``modelsync migration`` runs at once (two terminals, an editor's task and a hook) would
both read the same files and state, both take the next free number and both write
``002_*.sql``. So ``migration`` holds an exclusive ``flock`` on the folder itself from
before it lists the files until both new files are in place; the second run waits, then
reads what the first wrote. The lock is on the folder's own descriptor: no lock file is
left in the folder (which git and docker's entrypoint would see), and the kernel releases
it when the process ends, however it ends.
"""

from __future__ import annotations

import contextlib
import errno
import os
import time
from collections.abc import Iterator
from pathlib import Path

from modelsync.errors import InputError

# How long a run waits for another to finish writing before it gives up.
WAIT_SECONDS = 60.0
_POLL_SECONDS = 0.05
# A file system that cannot lock (some network file systems refuse flock on a folder):
# the run goes on unlocked, as every run did before locking.
_CANNOT_LOCK = {errno.ENOLCK, errno.EBADF, errno.EINVAL, errno.EOPNOTSUPP, errno.ENOTSUP}


@contextlib.contextmanager
def folder_lock(folder: Path, shown: str, wait: float = WAIT_SECONDS) -> Iterator[None]:
    """Hold the folder's lock for the ``with`` block, creating the folder (and its missing
    parents) first; those it created are removed again if they are still empty at the end
    (a run that wrote nothing leaves no empty folder behind)."""
    created = _make_folders(folder, shown)
    try:
        fd = _locked(folder, shown, wait)
        try:
            yield
        finally:
            if fd is not None:
                os.close(fd)  # releases the lock
    finally:
        for made in created:  # the deepest first
            with contextlib.suppress(OSError):
                made.rmdir()


def _make_folders(folder: Path, shown: str) -> list[Path]:
    missing = []
    here = folder
    while not here.exists() and here != here.parent:
        missing.append(here)
        here = here.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create the folder: {exc.strerror or exc}", shown) from None
    return missing


def _locked(folder: Path, shown: str, wait: float) -> int | None:
    """A descriptor of the folder holding its exclusive lock (None where the file system
    cannot lock). If the folder was replaced while this run waited, the new one is locked."""
    try:
        import fcntl
    except ImportError:  # not a POSIX system
        return None
    deadline = time.monotonic() + wait
    while True:
        try:
            # Again on every round: another run may have removed the (empty) folder it made.
            folder.mkdir(parents=True, exist_ok=True)
            fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        except OSError as exc:
            raise InputError(f"cannot open the folder: {exc.strerror or exc}", shown) from None
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise InputError(
                            f"another `modelsync migration` has been writing to this folder for "
                            f"{wait:.0f} s (it holds the folder's lock); try again when it is done",
                            shown,
                        ) from None
                    time.sleep(_POLL_SECONDS)
        except OSError as exc:
            os.close(fd)
            if exc.errno in _CANNOT_LOCK:
                return None
            raise InputError(f"cannot lock the folder: {exc.strerror or exc}", shown) from None
        except BaseException:
            os.close(fd)
            raise
        if _same_folder(fd, folder):
            return fd
        os.close(fd)  # removed (or renamed) while waiting: lock what is there now


def _same_folder(fd: int, folder: Path) -> bool:
    try:
        now = os.stat(folder)
    except OSError:
        return False
    held = os.fstat(fd)
    return (held.st_dev, held.st_ino) == (now.st_dev, now.st_ino)
