"""A fresh PostgreSQL data folder for the throwaway server: copied from a cached pristine
cluster, or made by ``initdb`` (and then cached).

``initdb`` is most of a throwaway server's start-up (about a second on an idle machine,
several on a busy CI runner); copying the folder it makes takes a tenth of that. The cache
holds only what ``initdb`` wrote, before any server ran on it, in modelsync's cache folder
(``~/.cache/modelsync/pgdata-*``, see ``cache_folder``), one per PostgreSQL build and
initdb options. It is written once, atomically (a complete copy is renamed into
place), and deleting it is always safe. The server itself still runs in its own
temporary folder, which is always removed.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import subprocess
import uuid
from pathlib import Path

from modelsync.cache import cache_dir
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


class ClusterError(ModelsyncError):
    """initdb failed."""


def fresh_cluster(postgres_bin: Path, data: Path, user: str | None) -> None:
    """Make ``data`` an initialised, never-started data folder owned by ``user``."""
    cached = cache_folder(postgres_bin)
    if cached is not None and (cached / "PG_VERSION").is_file():
        try:
            _copy(cached, data, user)
            return
        except OSError:
            shutil.rmtree(data, ignore_errors=True)  # fall back to initdb
    _initdb(postgres_bin, data, user)
    if cached is not None:
        _store(data, cached)


def cache_folder(postgres_bin: Path) -> Path | None:
    """Where the pristine cluster of this PostgreSQL build is kept, in modelsync's cache
    (``modelsync.cache``: the same places and the same switch); None when caching is off."""
    base = cache_dir()
    if base is None:
        return None
    version = _pg_version(postgres_bin)
    key = hashlib.sha256(f"{postgres_bin}|{version}|{INITDB_OPTIONS}".encode()).hexdigest()
    return base / f"pgdata-{version}-{key[:12]}"


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


def _copy(source: Path, data: Path, user: str | None) -> None:
    shutil.copytree(source, data, symlinks=True)
    if user is not None:  # running as root: the server's user must own every file
        import pwd

        entry = pwd.getpwnam(user)
        for folder, _, files in os.walk(data):
            os.chown(folder, entry.pw_uid, entry.pw_gid)
            for name in files:
                os.chown(os.path.join(folder, name), entry.pw_uid, entry.pw_gid)
    data.chmod(0o700)


def _store(data: Path, cached: Path) -> None:
    """Copy a fresh cluster into the cache: a complete copy under a unique name, then one
    rename, so a concurrent verify sees either no cache or a whole one."""
    partial = cached.with_name(f"{cached.name}.{uuid.uuid4().hex[:8]}.partial")
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(data, partial, symlinks=True)
        os.rename(partial, cached)
    except OSError:
        pass  # a read-only home, or another verify stored it first: no cache, no harm
    finally:
        with contextlib.suppress(OSError):
            shutil.rmtree(partial)
