"""What a killed verify leaves behind, marked so that the next run removes it, and only it.

A ``kill -9`` gives verify no chance to clean up. On Linux its children die with it
(``die_with_parent``: the build child and the throwaway server get a signal when verify
dies), but two things stay:

- the throwaway server's temporary folder (a copy of a cluster, ~40 MB). Each holds an
  ``owner`` file written by the verify that made it (its pid and the time that process
  started). The next verify removes a folder of the temporary directory only when it is
  named ``modelsync-verify-*``, is a real folder, its ``owner`` file is a regular file
  owned by the current user and names a process that no longer runs, and no server runs
  in it any more (its ``postmaster.pid``).
- on a server given by ``--database-url``, the scratch databases and the run's role. Each
  carries a ``COMMENT`` naming its run, and the run holds a session advisory lock, keyed
  by its run, from before the first is made until after the last is dropped; PostgreSQL
  releases it when the session ends, so also when verify is killed. The next verify
  connected to the same database drops a ``modelsync_verify_*`` database or role only
  when its comment is such a marker, the run's lock is free, and (for a database) no
  session is connected to it. Anything else, including databases of a run still alive on
  another machine, is left alone.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import stat
import sys
from pathlib import Path

from modelsync.records import record

MARKER_PREFIX = "modelsync verify scratch "
# The advisory lock's first key: "msvy", so that it cannot be mistaken for a lock of the
# project's own (a two-key lock never equals a one-key one).
LOCK_CLASS = 0x6D737679
FOLDER_PREFIX = "modelsync-verify-"
OWNER_FILE = "owner"


@record
class Marker:
    """Who made a database or role: the run and the database whose session holds its
    lock."""

    run: str
    database: str

    @property
    def lock(self) -> tuple[int, int]:
        return LOCK_CLASS, int(self.run[:8], 16) - 2**31

    @property
    def text(self) -> str:
        return MARKER_PREFIX + json.dumps({"run": self.run, "database": self.database})


def read_marker(comment: str | None) -> Marker | None:
    if not comment or not comment.startswith(MARKER_PREFIX):
        return None
    try:
        data = json.loads(comment[len(MARKER_PREFIX) :])
        run, database = data["run"], data["database"]
    except (ValueError, KeyError, TypeError):
        return None
    if not isinstance(run, str) or len(run) < 8 or not isinstance(database, str):
        return None
    if any(char not in "0123456789abcdef" for char in run):
        return None
    return Marker(run, database)


def mark(connection, kind: str, name: str, marker: Marker) -> None:
    """``COMMENT ON DATABASE|ROLE name IS marker``."""
    from psycopg import sql

    connection.execute(
        sql.SQL("COMMENT ON {} {} IS {}").format(
            sql.SQL(kind), sql.Identifier(name), sql.Literal(marker.text)
        )
    )


# ---------------------------------------------------------------- on a server


def drop_stale(connection, prefix: str) -> tuple[str, ...]:
    """Drop the databases, then the roles, that an earlier run left on this server and
    that are marked, unlocked and unused (see the module's docstring); what it dropped."""
    import psycopg

    here = connection.execute("SELECT current_database()").fetchone()[0]
    pattern = prefix.replace("_", r"\_") + "%"
    dropped = []
    for kind, query in (
        (
            "DATABASE",
            "SELECT datname, shobj_description(oid, 'pg_database') FROM pg_database "
            "WHERE datname LIKE %s ORDER BY 1",
        ),
        (
            "ROLE",
            "SELECT rolname, shobj_description(oid, 'pg_authid') FROM pg_roles "
            "WHERE rolname LIKE %s ORDER BY 1",
        ),
    ):
        for name, comment in connection.execute(query, (pattern,)).fetchall():
            marker = read_marker(comment)
            if (
                marker is None
                or marker.database != here
                or not name.startswith(prefix + marker.run)
            ):
                continue
            with contextlib.suppress(psycopg.Error):
                if _stale(connection, kind, name, marker):
                    _drop(connection, kind, name)
                    dropped.append(name)
    return tuple(dropped)


def _stale(connection, kind: str, name: str, marker: Marker) -> bool:
    taken = connection.execute("SELECT pg_try_advisory_lock(%s, %s)", marker.lock).fetchone()[0]
    if not taken:
        return False  # the run that made it is alive
    connection.execute("SELECT pg_advisory_unlock(%s, %s)", marker.lock)
    if kind == "DATABASE":
        users = connection.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s", (name,)
        ).fetchone()[0]
        return users == 0
    return True


def _drop(connection, kind: str, name: str) -> None:
    from psycopg import sql

    # Without FORCE: a session that connected meanwhile makes it fail, and it stays.
    connection.execute(sql.SQL("DROP {} {}").format(sql.SQL(kind), sql.Identifier(name)))


# ---------------------------------------------------------------- temporary folders


def claim_folder(folder: Path) -> None:
    """Write the ``owner`` file of a new temporary folder: this process and its start."""
    path = folder / OWNER_FILE
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(f"{os.getpid()} {_started(os.getpid())}\n")


def remove_stale_folders(temp: Path, keep_uids: frozenset[int] = frozenset()) -> tuple[Path, ...]:
    """Remove the folders of killed verifies from ``temp`` (see the module's docstring).
    ``keep_uids`` are other owners a folder may have (under root, the server's user)."""
    removed = []
    try:
        entries = list(os.scandir(temp))
    except OSError:
        return ()
    for entry in entries:
        if not entry.name.startswith(FOLDER_PREFIX):
            continue
        folder = Path(entry.path)
        with contextlib.suppress(OSError):
            if _stale_folder(folder, {os.geteuid(), *keep_uids}):
                shutil.rmtree(folder)
                removed.append(folder)
    return tuple(removed)


def _stale_folder(folder: Path, owners: set[int]) -> bool:
    info = os.lstat(folder)
    if not stat.S_ISDIR(info.st_mode) or info.st_uid not in owners:
        return False
    owner_file = folder / OWNER_FILE
    owner_info = os.lstat(owner_file)
    if not stat.S_ISREG(owner_info.st_mode) or owner_info.st_uid != os.geteuid():
        return False
    descriptor = os.open(owner_file, os.O_RDONLY | os.O_NOFOLLOW)
    with os.fdopen(descriptor, encoding="ascii", errors="replace") as handle:
        words = handle.read(200).split()
    if len(words) != 2 or not words[0].isdigit():
        return False
    pid, started = int(words[0]), words[1]
    if _alive(pid, started):
        return False
    return not _server_running(folder / "data" / "postmaster.pid")


def _alive(pid: int, started: str) -> bool:
    """Whether that process still runs (the same one: a reused pid started later)."""
    if pid <= 0:
        return True  # not a pid this code wrote: leave the folder alone
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        pass  # it exists, owned by someone else
    return _started(pid) == started


def _server_running(pid_file: Path) -> bool:
    try:
        first = pid_file.read_text(encoding="ascii", errors="replace").split("\n", 1)[0]
    except OSError:
        return False
    if not first.strip().isdigit():
        return False
    try:
        os.kill(int(first), 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _started(pid: int) -> str:
    """When the process started, in clock ticks since boot (Linux's /proc); "-" where
    that cannot be read (then a live pid counts as the same process)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            text = handle.read()
    except OSError:
        return "-"
    # The command name (field 2) may hold spaces and parentheses: fields count from the
    # last ')'. Field 22 is the start time.
    fields = text[text.rfind(")") + 2 :].split()
    return fields[19] if len(fields) > 19 else "-"


# ---------------------------------------------------------------- children


def die_with_parent(sig: int = signal.SIGKILL):
    """A pre-exec hook that asks Linux (PR_SET_PDEATHSIG) to send the child ``sig`` when
    verify dies, even by SIGKILL; None elsewhere. libc is loaded here, in the parent:
    after a switch to another user the child may not be able to read Python's own files.
    A parent that died before the hook ran is caught by comparing the parent's pid."""
    if sys.platform != "linux":
        return None
    import ctypes

    prctl = ctypes.CDLL(None, use_errno=True).prctl
    parent = os.getpid()

    def hook() -> None:
        prctl(1, int(sig), 0, 0, 0)  # 1 = PR_SET_PDEATHSIG
        if os.getppid() != parent:
            os.kill(os.getpid(), sig)

    return hook
