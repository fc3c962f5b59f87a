"""Reading a file modelsync is given: a regular file only, and only up to a size.

Every file modelsync reads comes through here: the models, the schema state, migrations,
``pyproject.toml`` and the other files a pin is read from, templates, compose files and
cache entries. Any of them may be something else than it claims: a FIFO blocks a reader
for ever, ``/dev/zero`` and ``/dev/urandom`` never end, and a file of a few gigabytes
fills memory, so that a pre-commit hook would hang or be killed. So a file is opened
without blocking, refused unless ``fstat`` of the open descriptor says it is a regular
file (what was checked is what is read: no race with a rename), and read only up to a
limit. Optionally a link is not followed at all (``follow_links=False``, for the cache) or
the file must lie inside a folder once every link is resolved (``within``: the project
root, so that a symlinked file cannot make modelsync read, and quote, a file outside it).

``read_regular`` and ``read_text`` turn every failure into one ``InputError`` about the
path as messages show it; ``text_or_none`` gives None instead, for files only consulted;
``read_bytes`` and ``open_regular`` raise ``OSError`` (``Refused`` for what is not read on
purpose) for callers with their own policy, as the cache has.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from modelsync.errors import InputError

MIB = 1 << 20
# The models, migrations, the schema state and templates. A generated migration for a
# thousand tables is a few megabytes; a file past this is not one a person wrote.
TEXT_LIMIT = 64 * MIB
# pyproject.toml, compose files, requirements and lock files.
CONFIG_LIMIT = 16 * MIB

_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
_CHUNK = 1 << 20


class Refused(OSError):
    """Not read on purpose: not a regular file, too large, or a link where none may be."""


def open_regular(
    path: str | os.PathLike[str], *, dir_fd: int | None = None, follow_links: bool = True
) -> int:
    """A descriptor of ``path`` opened for reading, which ``fstat`` says is a regular file.

    Opening never blocks (a FIFO with no writer opens at once, and is then refused).
    With ``follow_links=False`` a link in the last component is refused, not followed."""
    flags = _OPEN_FLAGS | (0 if follow_links else os.O_NOFOLLOW)
    try:
        fd = os.open(path, flags, dir_fd=dir_fd)
    except OSError as exc:
        if exc.errno == errno.ELOOP and not follow_links:
            raise Refused(errno.ELOOP, "a symbolic link, not followed") from None
        raise
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, "is a directory")
        if not stat.S_ISREG(mode):
            raise Refused(0, "not a regular file (a FIFO, socket or device is not read)")
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_fd(fd: int, limit: int) -> bytes:
    """At most ``limit`` bytes of an open regular file; ``Refused`` if it holds more.

    The size ``fstat`` gives is checked first (nothing is read of a huge file), and the
    read stops one byte past the limit whatever the size said (files in ``/proc`` say 0)."""
    if os.fstat(fd).st_size > limit:
        raise Refused(errno.EFBIG, f"too large (over {describe_size(limit)})")
    chunks: list[bytes] = []
    total = 0
    while chunk := os.read(fd, min(_CHUNK, limit + 1 - total)):
        chunks.append(chunk)
        total += len(chunk)
        if total > limit:
            raise Refused(errno.EFBIG, f"too large (over {describe_size(limit)})")
    return b"".join(chunks)


def read_bytes(
    path: str | os.PathLike[str],
    limit: int,
    *,
    dir_fd: int | None = None,
    follow_links: bool = True,
) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes; ``OSError`` otherwise."""
    fd = open_regular(path, dir_fd=dir_fd, follow_links=follow_links)
    try:
        return read_fd(fd, limit)
    finally:
        os.close(fd)


OUTSIDE_ROOT = (
    "leads outside the project root ({folder}): not read; pass --allow-outside-root on the "
    "command line if that is intended"
)


def read_regular(
    path: Path,
    shown: str,
    limit: int = TEXT_LIMIT,
    *,
    within: Path | None = None,
    outside: str = OUTSIDE_ROOT,
) -> bytes:
    """The bytes of the regular file ``path`` (``shown`` is how messages name it), each
    failure one ``InputError``. With ``within``, the file must resolve inside that folder
    (else the error says ``outside``, with ``{folder}`` filled in)."""
    try:
        if within is not None:
            path = _inside(path, within, shown, outside)
        # The resolved path has no link left in it: one swapped in since is not followed.
        return read_bytes(path, limit, follow_links=within is None)
    except FileNotFoundError:
        raise InputError("file not found", shown) from None
    except IsADirectoryError:
        raise InputError("is a directory, not a file", shown) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", shown) from None
    except ValueError as exc:  # a NUL byte in the path
        raise InputError(f"cannot read: {exc}", shown) from None


def read_text(
    path: Path,
    shown: str,
    limit: int = TEXT_LIMIT,
    *,
    within: Path | None = None,
    outside: str = OUTSIDE_ROOT,
) -> str:
    """``read_regular``, decoded as UTF-8 (a byte-order mark is kept); a byte that is not
    UTF-8 is an ``InputError`` at its line."""
    return decode_utf8(read_regular(path, shown, limit, within=within, outside=outside), shown)


def text_or_none(path: str | os.PathLike[str], limit: int = TEXT_LIMIT) -> str | None:
    """The UTF-8 text of a regular file, or None when it is missing, unreadable, not a
    regular file, too large or not UTF-8: for files that are only consulted (a lock
    file for a pin, a file re-read for its suppression comments)."""
    try:
        return read_bytes(path, limit).decode("utf-8")
    except (OSError, ValueError):  # UnicodeDecodeError is a ValueError; so is a NUL byte
        return None


def decode_utf8(data: bytes, shown: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        utf16 = data.startswith((b"\xff\xfe", b"\xfe\xff"))
        hint = "; the file looks like UTF-16: save it as UTF-8" if utf16 else ""
        raise InputError(f"not UTF-8 (byte 0x{data[exc.start]:02x}){hint}", shown, line) from None


def describe_size(size: int) -> str:
    return f"{size // MIB} MiB" if size >= MIB and size % MIB == 0 else f"{size} bytes"


def _inside(path: Path, folder: Path, shown: str, outside: str) -> Path:
    """The path with every link resolved, refused unless it lies inside ``folder``
    (resolved too). The resolved path is what is opened, so that a link swapped in after
    the check is not followed out."""
    try:
        resolved = path.resolve(strict=True)
        top = folder.resolve()
    except RuntimeError as exc:  # a symlink loop (Python 3.11 and 3.12)
        raise Refused(errno.ELOOP, f"cannot be resolved: {exc}") from None
    if not resolved.is_relative_to(top):
        raise InputError(outside.format(folder=top), shown)
    return resolved
