"""Apply migration SQL to a database statement by statement, as psql does.

Each statement of a file (split by ``migrate.folder.split_statements``, i.e. by
PostgreSQL's own parser) runs on its own in autocommit mode, so a file may hold its own
``BEGIN``/``COMMIT`` or a ``CREATE INDEX CONCURRENTLY``. The first statement that fails
stops the file; the failure names the file, the line where PostgreSQL points (the
statement's first line when it points nowhere) and PostgreSQL's own message.

A ``Session`` is one state's database as the migrations see it:

- every statement is bounded by verify's statement timeout, kept by verify itself (a
  cancel request when it runs out, then ending the backend if the cancel is not heard), so
  a migration's own ``SET statement_timeout = 0`` cannot lift it (``pg_sleep`` and endless
  loops end as a ``timed_out`` failure);
- a statement that ends its own session (``pg_terminate_backend(pg_backend_pid())``) is a
  failure like any other, and the next use connects again (each file of a migrations
  folder gets a session of its own in production too: psql per file);
- the statements ``owner_statements`` names (extensions: ``scope.runs_as_owner``) run as
  the URL's own role on the same database, where the session is confined to verify's.
"""

from __future__ import annotations

import contextlib
import os
import threading

from modelsync.migrate.folder import Statement
from modelsync.records import record

DEFAULT_TIMEOUT = 60.0
# Settings every session starts with, whatever the server's or the role's defaults: how
# the server reads SQL text must be how ``scope`` (pglast) reads it, also after a RESET.
PINNED = "-c standard_conforming_strings=on"
# After a cancel request that was not heard, the backend is ended this much later.
_TERMINATE_AFTER = 10.0


@record
class ApplyFailure:
    """A statement PostgreSQL refused: where, and PostgreSQL's own words."""

    shown: str
    line: int
    message: str
    # The SQLSTATE code (``42P01`` undefined table...), for machines.
    sqlstate: str | None = None
    statement: str = ""
    # It ran longer than verify's statement timeout.
    timed_out: bool = False


class Session:
    """A connection to one scratch database that outlives what a migration does to it."""

    def __init__(
        self,
        conninfo: str,
        owner: str | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        owner_statements: frozenset[Statement] = frozenset(),
    ) -> None:
        self.conninfo = conninfo
        self.owner = owner if owner and owner != conninfo else None
        self.timeout = timeout
        self.owner_statements = owner_statements if self.owner else frozenset()
        self._connections: dict[str, object] = {}

    @property
    def connection(self):
        """The session's connection, connected again if a statement ended it."""
        import psycopg

        from modelsync.verify.server import ServerError

        try:
            return self._connect(self.conninfo)
        except psycopg.Error as exc:
            message = f"cannot connect to a scratch database again: {_reason(exc)}"
            raise ServerError(message) from None

    def _connect(self, conninfo: str):
        import psycopg

        current = self._connections.get(conninfo)
        if current is None or current.closed or current.broken:
            current = psycopg.connect(_pinned(conninfo), autocommit=True)
            self._connections[conninfo] = current
        return current

    def close(self) -> None:
        for connection in self._connections.values():
            connection.close()
        self._connections.clear()

    def prepare_build(self) -> None:
        """Before ``create_all`` runs here as verify's confined role: the ``vector``
        extension it creates first (``build_child``) is made by the owner, as a
        superuser would make it. Where that fails, the build reports why."""
        import psycopg

        if self.owner is None:
            return
        with contextlib.suppress(psycopg.Error):
            self._connect(self.owner).execute("CREATE EXTENSION IF NOT EXISTS vector")

    def apply(self, statements: tuple[Statement, ...], shown: str) -> ApplyFailure | None:
        """Run each statement; None when all succeed."""
        import psycopg

        for statement in statements:
            conninfo = self.owner if statement in self.owner_statements else self.conninfo
            try:
                connection = self._connect(conninfo)
            except psycopg.Error as exc:
                message = f"verify cannot connect to its database again: {_reason(exc)}"
                return ApplyFailure(shown, statement.line, message, None, _first_line(statement))
            watch = _Watch(connection, self.timeout, conninfo)
            try:
                with watch:
                    connection.execute(statement.text)
            except psycopg.Error as exc:
                if watch.fired:
                    return _timed_out(statement, shown, self.timeout)
                if connection.closed or connection.broken:
                    return _ended(exc, statement, shown)
                _recover(connection)
                return _failure(exc, statement, shown)
        for connection in list(self._connections.values()):
            if not (connection.closed or connection.broken):
                _recover(connection)
        return None


def _pinned(conninfo: str) -> str:
    """``conninfo`` with ``PINNED`` added to its ``options`` (a ``-c role=...`` kept, and
    the environment's ``PGOPTIONS`` where the conninfo has none)."""
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    params = conninfo_to_dict(conninfo)
    # Options set here replace PGOPTIONS, which libpq reads only where none are given.
    given = params["options"] if "options" in params else os.environ.get("PGOPTIONS", "")
    params["options"] = f"{given or ''} {PINNED}".strip()
    return make_conninfo(**params)


def apply_statements(session: Session, statements: tuple[Statement, ...], shown: str):
    """``session.apply``: the statements in order; None when all succeed."""
    return session.apply(statements, shown)


class _Watch:
    """While a statement runs: a cancel request when the timeout runs out, and the
    backend ended if the statement still runs ``_TERMINATE_AFTER`` later."""

    def __init__(self, connection, timeout: float, conninfo: str) -> None:
        self.connection = connection
        self.timeout = timeout
        self.conninfo = conninfo
        self.pid = connection.info.backend_pid
        self.fired = False
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> _Watch:
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._done.set()
        self._thread.join()

    def _run(self) -> None:
        import psycopg

        if self._done.wait(self.timeout):
            return
        self.fired = True
        try:
            if hasattr(self.connection, "cancel_safe"):  # psycopg 3.2+
                self.connection.cancel_safe(timeout=_TERMINATE_AFTER)
            else:
                self.connection.cancel()
        except psycopg.Error:
            pass
        if self._done.wait(_TERMINATE_AFTER):
            return
        try:
            with psycopg.connect(self.conninfo, autocommit=True, connect_timeout=10) as other:
                other.execute("SELECT pg_terminate_backend(%s)", (self.pid,))
        except psycopg.Error:
            pass


def _timed_out(statement: Statement, shown: str, timeout: float) -> ApplyFailure:
    message = (
        f"did not finish within {timeout:g} s, verify's statement timeout "
        "(--statement-timeout, or verify_statement_timeout in [tool.modelsync])"
    )
    return ApplyFailure(shown, statement.line, message, "57014", _first_line(statement), True)


def _ended(exc, statement: Statement, shown: str) -> ApplyFailure:
    message = f"ends verify's database session ({_reason(exc)})"
    diag = getattr(exc, "diag", None)
    sqlstate = diag.sqlstate if diag is not None else None
    return ApplyFailure(shown, statement.line, message, sqlstate, _first_line(statement))


def _reason(exc) -> str:
    """PostgreSQL's or libpq's message, one line (a connection string's secrets are never
    in it: libpq does not repeat a password)."""
    diag = getattr(exc, "diag", None)
    reason = (diag.message_primary if diag is not None else None) or str(exc)
    return " ".join(reason.split()) or "the connection was closed"


def _failure(exc, statement: Statement, shown: str) -> ApplyFailure:
    diag = exc.diag
    message = diag.message_primary or str(exc).strip().splitlines()[0]
    if diag.message_hint:
        message += f" (hint: {diag.message_hint})"
    line = statement.line
    position = diag.statement_position
    if position and position.isdigit():
        # PostgreSQL counts characters of the statement from 1; split_statements gives
        # the text from the statement's first non-blank character.
        line += statement.text[: int(position) - 1].count("\n")
    message = " ".join(message.split())
    return ApplyFailure(shown, line, message, diag.sqlstate, _first_line(statement))


def _first_line(statement: Statement) -> str:
    return statement.text.splitlines()[0] if statement.text else ""


def _recover(connection) -> None:
    """A file that opened a transaction and failed (or forgot COMMIT) leaves it open; end
    it, so the next file starts clean, as a new psql session would."""
    import psycopg
    from psycopg.pq import TransactionStatus

    if connection.info.transaction_status != TransactionStatus.IDLE:
        # A connection that died meanwhile is connected again at its next use.
        with contextlib.suppress(psycopg.OperationalError):
            connection.execute("ROLLBACK")
