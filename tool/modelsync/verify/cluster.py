"""A fresh PostgreSQL data folder for the throwaway server: copied from a cached pristine
cluster, or made by ``initdb`` (and then cached).

``initdb`` is most of a throwaway server's start-up (about a second on an idle machine,
several on a busy CI runner); copying the folder it makes takes a tenth of that. The cache
holds only what ``initdb`` wrote, before any server ran on it, in modelsync's cache folder
(``~/.cache/modelsync/pgdata-*``, see ``cache_folder``), one per PostgreSQL build and
initdb options, with a manifest of every folder and file (each file's size and SHA-256).
It is written once, atomically (a complete copy is renamed into place), and deleting it is
always safe. The server itself still runs in its own temporary folder, always removed.

**A cached cluster is checked every time it is used**, because a server started on it
runs whatever its configuration says and believes whatever its catalog holds (a planted
cluster could hold the models' tables already, or run a command at start-up), and
because verify running as root hands the copy to the server's user. It is used only when:
the cache folder itself is trusted (``modelsync.cache``); the cluster folder and every
folder and file in it belong to this user and are not writable by group or others; it
holds only folders and regular files (a link would be followed by a copy or a ``chown``,
and a tablespace is a link); every file is byte for byte the one in the manifest, and the
tree holds nothing else (a folder holding only ``PG_VERSION``, a ``postmaster.pid``, a
changed ``pg_hba.conf``); and ``postgresql.conf`` and ``postgresql.auto.conf`` set nothing
but the settings initdb writes (no ``archive_command``, ``shared_preload_libraries`` or
``include``: nothing that runs a command or loads code, even if the manifest was
rewritten with them). All of it is checked while copying, file by file through
descriptors opened without following links, so each file is read once. Anything else:
the copy is thrown away, ``initdb`` makes a fresh cluster, and that replaces the cached one.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import stat
import subprocess
import uuid
from pathlib import Path

from modelsync import cache
from modelsync.errors import ModelsyncError

INITDB_OPTIONS = (
    "-U",
    "postgres",
    "--auth=trust",
    "--encoding=UTF8",
    "--locale=C",
    "--no-sync",
    "--no-instructions",
    "--no-data-checksums",
)
# Bump when the cached folder's layout or manifest changes (it is part of the folder name).
FORMAT = "2"
MANIFEST = ".modelsync-manifest"
# The settings PostgreSQL 18's initdb writes into postgresql.conf (postgresql.auto.conf
# holds none): none runs a command, loads a library or includes another file.
INITDB_SETTINGS = frozenset(
    {
        "max_connections",
        "shared_buffers",
        "dynamic_shared_memory_type",
        "max_wal_size",
        "min_wal_size",
        "log_timezone",
        "autovacuum_worker_slots",
        "datestyle",
        "timezone",
        "lc_messages",
        "lc_monetary",
        "lc_numeric",
        "lc_time",
        "default_text_search_config",
    }
)
CONFIG_FILES = ("postgresql.conf", "postgresql.auto.conf")
_SETTING = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_.$-]*)")
_DIRECTORY = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
_CHUNK = 1 << 20


class ClusterError(ModelsyncError):
    """initdb failed."""


class Untrusted(Exception):
    """The cached cluster is not used: why."""


def fresh_cluster(postgres_bin: Path, data: Path, user: str | None) -> None:
    """Make ``data`` (a path that does not exist yet, in a folder of this run's) an
    initialised, never-started data folder owned by ``user``."""
    cached = cache_folder(postgres_bin)
    owner = _owner(user)
    if cached is not None and os.path.lexists(cached):
        try:
            copy_checked(cached, data, owner)
            return
        except (Untrusted, OSError):
            shutil.rmtree(data, ignore_errors=True)  # made again by initdb, and re-cached
            _set_aside(cached)
    _initdb(postgres_bin, data, user)
    if cached is not None:
        _store(data, cached)


def cache_folder(postgres_bin: Path) -> Path | None:
    """Where the pristine cluster of this PostgreSQL build is kept, in modelsync's cache
    (``modelsync.cache``: the same places, switch and rules); None when there is none."""
    base = cache.folder(create=True)
    if base is None:
        return None
    version = _pg_version(postgres_bin)
    key = f"{postgres_bin}|{version}|{INITDB_OPTIONS}|{FORMAT}"
    return base / f"pgdata-{version}-{hashlib.sha256(key.encode()).hexdigest()[:12]}"


def copy_checked(cached: Path, data: Path, owner: tuple[int, int] | None) -> None:
    """Copy the cached cluster to ``data`` (owned by ``owner``), checking it on the way;
    ``Untrusted`` says why it is not used (``data`` is then left for the caller to remove)."""
    top = os.open(cached, _DIRECTORY)
    try:
        _trusted(top, ".")
        expected = _read_manifest(top)
        os.mkdir(data, 0o700)
        found = _copy_tree(top, data, owner)
    finally:
        os.close(top)
    if found != expected:
        missing = sorted(expected.keys() - found.keys())
        extra = sorted(found.keys() - expected.keys())
        changed = sorted(k for k in found.keys() & expected.keys() if found[k] != expected[k])
        first = (missing and f"{missing[0]} is missing") or (extra and f"{extra[0]} is not "
                 "initdb's") or f"{changed[0]} differs from what initdb wrote"  # fmt: skip
        raise Untrusted(f"does not match its manifest: {first}")
    for name in CONFIG_FILES:
        problem = config_problem((data / name).read_text(encoding="utf-8", errors="replace"))
        if problem:
            raise Untrusted(f"{name}: {problem}")


def config_problem(text: str) -> str | None:
    """A setting initdb does not write (so perhaps one that runs a command, loads a library
    or includes a file), or None."""
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        match = _SETTING.match(line)
        name = match.group(1).lower() if match else ""
        if name not in INITDB_SETTINGS:
            return f"line {number} sets {name or line[:40]!r}, which initdb does not"
    return None


def manifest_of(data: Path) -> dict[str, str]:
    """Every folder (``dir``) and file (``<sha256> <size>``) under ``data``, by relative path."""
    top = os.open(data, _DIRECTORY)
    try:
        return _Copy(None, check=False).walk(top, None)
    finally:
        os.close(top)


def _copy_tree(top: int, data: Path, owner: tuple[int, int] | None) -> dict[str, str]:
    target = os.open(data, _DIRECTORY)
    try:
        if owner is not None:
            os.fchown(target, *owner)
        return _Copy(owner, check=True).walk(top, target)
    finally:
        os.close(target)


class _Copy:
    """A walk over a cluster's tree through descriptors (nothing is reached through a
    link), copying it to a target folder if one is given, each entry checked on its way
    when ``check``, the copies given to ``owner``; ``walk`` gives the tree's manifest."""

    def __init__(self, owner: tuple[int, int] | None, check: bool):
        self.owner, self.check = owner, check

    def walk(self, top: int, target: int | None) -> dict[str, str]:
        found: dict[str, str] = {}
        pending: list[tuple[int, int | None, str]] = [(top, target, "")]
        try:
            while pending:
                here, there, prefix = pending.pop()
                try:
                    for entry in sorted(os.scandir(here), key=lambda e: e.name):
                        relative = prefix + entry.name
                        if not prefix and entry.name == MANIFEST:
                            continue
                        mode = entry.stat(follow_symlinks=False).st_mode
                        if stat.S_ISDIR(mode):
                            found[relative] = "dir"
                            pending.append(self._folder(here, there, entry.name, relative))
                        elif stat.S_ISREG(mode):
                            found[relative] = self._file(here, there, entry.name, relative)
                        else:
                            raise Untrusted(
                                f"{relative} is not a folder or a regular file (a link?)"
                            )
                finally:
                    if here != top:
                        os.close(here)
                    if there is not None and there != target:
                        os.close(there)
        finally:
            for here, there, _ in pending:
                os.close(here)
                if there is not None:
                    os.close(there)
        return found

    def _folder(self, here: int, there: int | None, name: str, relative: str):
        """The folder's descriptor, its copy's (made here), and its prefix."""
        child = os.open(name, _DIRECTORY, dir_fd=here)
        copy = None
        try:
            if there is not None:
                if self.check:
                    _trusted(child, relative)
                os.mkdir(name, 0o700, dir_fd=there)
                copy = os.open(name, _DIRECTORY, dir_fd=there)
                if self.owner is not None:
                    os.fchown(copy, *self.owner)
        except BaseException:
            os.close(child)
            raise
        return child, copy, relative + "/"

    def _file(self, here: int, there: int | None, name: str, relative: str) -> str:
        """``<sha256> <size>`` of the file, written to ``there`` as it is read."""
        flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
        source = os.open(name, flags, dir_fd=here)
        try:
            if not stat.S_ISREG(os.fstat(source).st_mode):
                raise Untrusted(f"{relative} is not a regular file")
            copy = None
            if there is not None:
                if self.check:
                    _trusted(source, relative)
                copy = os.open(name, _CREATE, 0o600, dir_fd=there)
            try:
                if copy is not None and self.owner is not None:
                    os.fchown(copy, *self.owner)
                digest, size = hashlib.sha256(), 0
                while chunk := os.read(source, _CHUNK):
                    digest.update(chunk)
                    size += len(chunk)
                    if copy is not None:
                        _write_all(copy, chunk)
            finally:
                if copy is not None:
                    os.close(copy)
        finally:
            os.close(source)
        return f"{digest.hexdigest()} {size}"


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _trusted(fd: int, relative: str) -> None:
    problem = cache.unsafe(os.fstat(fd))
    if problem:
        raise Untrusted(f"{relative}: {problem}")


def _read_manifest(top: int) -> dict[str, str]:
    from modelsync.files import read_fd

    try:
        fd = os.open(
            MANIFEST, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=top
        )
    except FileNotFoundError:
        raise Untrusted("has no manifest") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise Untrusted("its manifest is not a regular file")
        _trusted(fd, MANIFEST)
        text = read_fd(fd, 1 << 20).decode("utf-8", "replace")
    finally:
        os.close(fd)
    manifest = {}
    for line in text.splitlines():
        value, _, relative = line.rpartition("\t")
        manifest[relative] = value
    return manifest


def _manifest_text(manifest: dict[str, str]) -> str:
    return "".join(f"{value}\t{relative}\n" for relative, value in sorted(manifest.items()))


def _owner(user: str | None) -> tuple[int, int] | None:
    if user is None:
        return None
    import pwd  # running as root: the server's user must own every file

    entry = pwd.getpwnam(user)
    return entry.pw_uid, entry.pw_gid


def _pg_version(postgres_bin: Path) -> str:
    share = postgres_bin.parent / "share"
    for candidate in (share / "postgresql" / "postgres.bki", share / "postgres.bki"):
        if candidate.exists():
            # The catalog's bootstrap file changes with every build that changes initdb.
            return hashlib.sha256(candidate.read_bytes()).hexdigest()[:12]
    return "unknown"


def _initdb(postgres_bin: Path, data: Path, user: str | None) -> None:
    command = [str(postgres_bin / "initdb"), "-D", str(data), *INITDB_OPTIONS]
    try:
        done = subprocess.run(command, capture_output=True, text=True, user=user, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ClusterError(f"cannot start the throwaway PostgreSQL: initdb: {exc}") from None
    if done.returncode != 0:
        lines = [line.strip() for line in done.stderr.splitlines() if line.strip()]
        reason = lines[-1] if lines else f"exit {done.returncode}"
        raise ClusterError(f"cannot start the throwaway PostgreSQL: initdb failed: {reason}")


def _store(data: Path, cached: Path) -> None:
    """Copy a fresh cluster into the cache with its manifest: a complete copy under a
    unique name, then one rename, so a concurrent verify sees either no cache or a whole
    one. A cluster whose configuration would not pass the check is not cached."""
    if any(config_problem((data / name).read_text(encoding="utf-8")) for name in CONFIG_FILES):
        return  # an initdb writing new settings: better no cache than one never used
    partial = cached.with_name(f"{cached.name}.{uuid.uuid4().hex[:8]}.partial")
    try:
        os.mkdir(partial, 0o700)
        manifest = _copy_tree_as_mine(data, partial)
        descriptor = os.open(partial / MANIFEST, _CREATE, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(_manifest_text(manifest))
        os.rename(partial, cached)
    except OSError:
        pass  # a read-only home, or another verify stored it first: no cache, no harm
    finally:
        with contextlib.suppress(OSError):
            shutil.rmtree(partial)


def _copy_tree_as_mine(data: Path, partial: Path) -> dict[str, str]:
    """The fresh cluster (owned by the server's user when running as root) copied into
    ``partial`` as this user's, 0700/0600; its manifest."""
    top = os.open(data, _DIRECTORY)
    try:
        target = os.open(partial, _DIRECTORY)
        try:
            # Under root the fresh cluster is the server user's: not checked (this run
            # just made it), only its copy made this user's.
            return _Copy(None, check=False).walk(top, target)
        finally:
            os.close(target)
    finally:
        os.close(top)


def _set_aside(cached: Path) -> None:
    """Move an untrusted cached cluster out of the way (and remove what can be removed),
    so that the fresh one can take its name."""
    aside = cached.with_name(f"{cached.name}.{uuid.uuid4().hex[:8]}.stale")
    try:
        os.rename(cached, aside)
    except OSError:
        return
    shutil.rmtree(aside, ignore_errors=True)
