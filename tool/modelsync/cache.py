"""modelsync's cache on disk: facts derived from files, each stored with all it came from.

Two kinds of fact are kept: PostgreSQL's verdict on a migration file (``lint.sql_cache``)
and the parsed TOML of ``pyproject.toml`` (``tomlfile``; lock files are read as text).
Both are costly for a different reason than their size: importing pglast, and tomllib
compiling its regular expressions at import, each cost a small project's ``lint`` or
``check`` more than reading everything else. An entry is stored with its whole input (the
*identity*: the file's bytes and whatever else the fact depends on) and used only when that
input is byte for byte the same, so any change computes the fact again; an entry's file
name is only a checksum of the identity. A changed file leaves its old entry behind, as
large as its input: nothing prunes the folder. verify keeps its pristine PostgreSQL
cluster in the same folder (``verify.cluster``).

The cache lives in ``MODELSYNC_CACHE_DIR`` (an absolute path; a relative one is refused,
not written into the project), else ``$XDG_CACHE_HOME/modelsync``, else
``~/.cache/modelsync``; ``MODELSYNC_CACHE=0`` turns it off. It is only ever an
optimisation: a cache that cannot be read or written is ignored.

**What it trusts.** A stored fact is believed (a forged verdict would hide a finding), so
the cache is used only as well-kept tools use theirs (ssh's ``~/.ssh``, pip's and ccache's
caches): the folder is made ``0700``, and it, each kind's folder and each entry must
belong to the user modelsync runs as and must not be writable by group or others; entries
are opened without following links (``O_NOFOLLOW``) and checked on the open descriptor
(a regular file, bounded: ``files``). Anything else is not used, and the first such
problem of a run is told once (``take_notices``, printed by the CLI) instead of failing the
command. Whoever can write as that user (or restores the folder from a CI cache a pull
request could fill) can forge what the cache says: share it only among runs that trust
each other. No hashlib here: OpenSSL's start-up under it would cost more than the cache
saves.
"""

from __future__ import annotations

import contextlib
import os
import stat
import zlib
from pathlib import Path

from modelsync import files

# The largest payload read back (a parsed pyproject.toml's repr; a verdict is one line).
PAYLOAD_LIMIT = files.TEXT_LIMIT
_DIRECTORY = os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_CLOEXEC", 0)
# The first reason the cache (or an entry) was not used in this run, for the CLI to tell.
_NOTICES: list[str] = []


def cache_dir() -> Path | None:
    """Where the cache is configured to be (None: turned off, or nowhere to put it). Not
    checked: ``folder`` gives it only when it is safe to use."""
    if os.environ.get("MODELSYNC_CACHE", "1") in ("0", "false", "no", "off"):
        return None
    explicit = os.environ.get("MODELSYNC_CACHE_DIR")
    if explicit:
        if not os.path.isabs(explicit):
            # Relative to wherever a hook happens to run: inside the project, where a pull
            # request could have put the folder. Refused, like a relative XDG value.
            notice(f"MODELSYNC_CACHE_DIR={explicit!r} is not an absolute path: no cache used")
            return None
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):  # the XDG rule: a relative value is ignored
        home = os.path.expanduser("~")
        if not os.path.isabs(home) or home == os.sep:
            return None  # no home folder to speak of (HOME unset or empty): no cache
        base = os.path.join(home, ".cache")
    return Path(base) / "modelsync"


def folder(create: bool = False) -> Path | None:
    """The cache folder when it is safe to use (made ``0700`` with its missing parents
    when ``create``), else None."""
    fd = _open_folder(create)
    if fd is None:
        return None
    os.close(fd)
    return cache_dir()


def unsafe(info: os.stat_result) -> str | None:
    """Why a file or folder of the cache must not be trusted, or None: it belongs to
    another user, or group or others may write to it."""
    if info.st_uid != os.geteuid():
        return f"it belongs to uid {info.st_uid}, not to uid {os.geteuid()} running modelsync"
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return f"group or others may write to it (mode {stat.S_IMODE(info.st_mode):04o})"
    return None


def notice(message: str) -> None:
    if not _NOTICES:
        _NOTICES.append(message)


def take_notices() -> tuple[str, ...]:
    """What kept the cache from being used in this run (at most one line), forgotten once
    taken: the CLI tells it once, at the end of the command."""
    taken = tuple(_NOTICES)
    _NOTICES.clear()
    return taken


def identity(*parts: bytes) -> bytes:
    """The parts framed by their lengths, so that no two lists of parts run together."""
    return b"".join(len(part).to_bytes(8, "big") + part for part in parts)


def load(kind: str, key: bytes) -> bytes | None:
    """The payload stored for exactly this identity, or None."""
    with _kind_folder(kind, create=False) as kind_fd:
        if kind_fd is None:
            return None
        name = entry_name(key)
        head = len(key).to_bytes(8, "big") + key
        try:
            fd = files.open_regular(name, dir_fd=kind_fd, follow_links=False)
        except FileNotFoundError:
            return None
        except OSError as exc:  # a link, a FIFO, a device, a folder
            notice(f"the cache entry {cache_dir()}/{kind}/{name} is not used: {exc.strerror}")
            return None
        try:
            problem = unsafe(os.fstat(fd))
            if problem:
                notice(f"the cache entry {cache_dir()}/{kind}/{name} is not used: {problem}")
                return None
            stored = files.read_fd(fd, len(head) + PAYLOAD_LIMIT)
        except OSError:
            return None
        finally:
            os.close(fd)
    return stored[len(head) :] if stored.startswith(head) else None


def store(kind: str, key: bytes, payload: bytes) -> None:
    with _kind_folder(kind, create=True) as kind_fd:
        if kind_fd is None:
            return
        name = entry_name(key)
        # A new file of a random name, created exclusively and without following a link:
        # nothing planted at a guessable name can redirect the write, and two processes
        # (say pid 1 in two containers) never write the same file. Renamed into place whole.
        temporary = f".{name}.{os.urandom(8).hex()}.tmp"
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
        try:
            descriptor = os.open(temporary, flags, 0o600, dir_fd=kind_fd)
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(len(key).to_bytes(8, "big") + key + payload)
            os.replace(temporary, name, src_dir_fd=kind_fd, dst_dir_fd=kind_fd)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(temporary, dir_fd=kind_fd)


def entry_name(key: bytes) -> str:
    return f"{zlib.crc32(key):08x}-{len(key)}"


@contextlib.contextmanager
def _kind_folder(kind: str, create: bool):
    """A descriptor of the safe folder of one kind of entry (None when there is none)."""
    top = _open_folder(create)
    if top is None:
        yield None
        return
    try:
        fd = _open_safe(kind, top, create, f"{cache_dir()}/{kind}")
        try:
            yield fd
        finally:
            if fd is not None:
                os.close(fd)
    finally:
        os.close(top)


def _open_folder(create: bool) -> int | None:
    path = cache_dir()
    if path is None:
        return None
    if create:
        _make_private(path)
    try:
        # The folder itself may be reached through a link (a home on another disk): what
        # counts is who owns what it leads to, checked on the open descriptor.
        fd = os.open(path, _DIRECTORY)
    except OSError:
        return None
    return _checked(fd, str(path))


def _open_safe(name: str, parent: int, create: bool, shown: str) -> int | None:
    if create:
        with contextlib.suppress(OSError):
            os.mkdir(name, 0o700, dir_fd=parent)
    try:
        fd = os.open(name, _DIRECTORY | os.O_NOFOLLOW, dir_fd=parent)
    except OSError:
        return None
    return _checked(fd, shown)


def _checked(fd: int, shown: str) -> int | None:
    problem = unsafe(os.fstat(fd))
    if problem is None:
        return fd
    os.close(fd)
    notice(f"the cache folder {shown} is not used: {problem}")
    return None


def _make_private(path: Path) -> None:
    """Make the folder and its missing parents, each ``0700`` (``os.makedirs`` gives the
    parents the default mode)."""
    missing = []
    while not os.path.lexists(path) and path != path.parent:
        missing.append(path)
        path = path.parent
    for folder_path in reversed(missing):
        with contextlib.suppress(OSError):
            os.mkdir(folder_path, 0o700)
