"""Apply migration SQL to a database statement by statement, as psql does.

Each statement of a file (split by ``migrate.folder.split_statements``, i.e. by
PostgreSQL's own parser) runs on its own in autocommit mode, so a file may hold its own
``BEGIN``/``COMMIT`` or a ``CREATE INDEX CONCURRENTLY``. The first statement that fails
stops the file; the failure names the file, the line where PostgreSQL points (the
statement's first line when it points nowhere) and PostgreSQL's own message.
"""

from __future__ import annotations

from modelsync.migrate.folder import Statement
from modelsync.records import record


@record
class ApplyFailure:
    """A statement PostgreSQL refused: where, and PostgreSQL's own words."""

    shown: str
    line: int
    message: str
    # The SQLSTATE code (``42P01`` undefined table...), for machines.
    sqlstate: str | None = None
    statement: str = ""


def apply_statements(
    connection, statements: tuple[Statement, ...], shown: str
) -> ApplyFailure | None:
    """Run each statement on an autocommit psycopg connection; None when all succeed."""
    import psycopg

    for statement in statements:
        try:
            connection.execute(statement.text)
        except psycopg.Error as exc:
            _recover(connection)
            return _failure(exc, statement, shown)
    _recover(connection)
    return None


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
    first_line = statement.text.splitlines()[0] if statement.text else ""
    return ApplyFailure(shown, line, " ".join(message.split()), diag.sqlstate, first_line)


def _recover(connection) -> None:
    """A file that opened a transaction and failed (or forgot COMMIT) leaves it open; end
    it, so the next file starts clean, as a new psql session would."""
    from psycopg.pq import TransactionStatus

    if connection.info.transaction_status != TransactionStatus.IDLE:
        connection.execute("ROLLBACK")
