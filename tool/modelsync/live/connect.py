"""One read-only look at a live database: connect, read the catalog, disconnect.

The session is safe for a production database and works for a role that can only read:
- a connect timeout, then ONE transaction ``BEGIN ISOLATION LEVEL REPEATABLE READ READ
  ONLY`` (every query sees the same snapshot; PostgreSQL refuses any write in it);
- a statement timeout and an idle-in-transaction timeout local to that transaction;
- catalog queries only; nothing is created (no extension, no temporary table), and the
  transaction is rolled back, never committed.

Every failure becomes one ``DatabaseError`` line that names the database by its redacted
URL and never holds the password.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from modelsync.dburl import DatabaseUrl, redact
from modelsync.errors import ConfigError, DatabaseError
from modelsync.live.catalog import LiveCatalog

CONNECT_TIMEOUT_SECONDS = 10
STATEMENT_TIMEOUT = "30s"
APPLICATION_NAME = "modelsync"


def read_live_catalog(
    url: DatabaseUrl,
    schema: str,
    ignore: tuple[str, ...] = (),
    modelled: frozenset[str] = frozenset(),
) -> LiveCatalog:
    """The catalog of ``schema`` in the database at ``url`` (tables matching ``ignore``
    left out, and Alembic's version table unless ``modelled`` names it)."""
    from modelsync.live.inspect import extensions, read_schema, schema_exists

    with read_only_session(url) as connection:
        try:
            if not schema_exists(connection, schema):
                raise DatabaseError(f"{url.redacted} has no schema {schema!r} (--db-schema)")
            found = extensions(connection)
            _refuse_unusable_schemas(connection, url, schema)
            _set_search_path(connection, schema, [s for _, _, s in found])
            catalog = read_schema(connection, schema, ignore, modelled)
            version = connection.info.parameter_status("server_version") or ""
        except _driver_error() as exc:
            raise DatabaseError(
                f"cannot read the catalog of {url.redacted}: {message_of(exc, url)}"
            ) from None
    from modelsync.records import replace

    return replace(catalog, server_version=version)


@contextlib.contextmanager
def read_only_session(url: DatabaseUrl) -> Iterator:
    """An open connection inside a read-only REPEATABLE READ transaction with its
    timeouts set; rolled back and closed on the way out."""
    psycopg = _psycopg()
    _refuse_unknown_keywords(url, psycopg)
    try:
        connection = psycopg.connect(
            url.conninfo,
            connect_timeout=CONNECT_TIMEOUT_SECONDS,
            application_name=APPLICATION_NAME,
            # No server-side prepared statements: nothing is left behind in the session.
            prepare_threshold=None,
        )
    except psycopg.Error as exc:
        raise DatabaseError(f"cannot connect to {url.redacted}: {message_of(exc, url)}") from None
    try:
        connection.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        connection.read_only = True
        try:
            for setting, value in (
                ("statement_timeout", STATEMENT_TIMEOUT),
                ("lock_timeout", STATEMENT_TIMEOUT),
                ("idle_in_transaction_session_timeout", "60s"),
            ):
                # set_config(..., true) is SET LOCAL: it ends with the transaction.
                connection.execute("SELECT pg_catalog.set_config(%s, %s, true)", (setting, value))
        except psycopg.Error as exc:
            raise DatabaseError(
                f"cannot start a read-only transaction on {url.redacted}: {message_of(exc, url)}"
            ) from None
        yield connection
    finally:
        with contextlib.suppress(Exception):
            connection.rollback()
        with contextlib.suppress(Exception):
            connection.close()


def _refuse_unknown_keywords(url: DatabaseUrl, psycopg) -> None:
    """libpq's own reading of the connection string (``PQconninfoParse``, no connection):
    ``dburl`` reads any keyword, libpq only those it knows (``?sslmod=require`` is a typo,
    not a failed connection)."""
    from psycopg.conninfo import conninfo_to_dict

    try:
        conninfo_to_dict(url.conninfo)
    except psycopg.ProgrammingError as exc:
        raise ConfigError(f"the database URL is malformed: {message_of(exc, url)}") from None


def _refuse_unusable_schemas(connection, url: DatabaseUrl, schema: str) -> None:
    """A schema the role has no USAGE on is left out of its search path, so PostgreSQL
    names its types and operator classes with the schema (``public.vector(768)``,
    ``public.vector_cosine_ops``) where the models name them bare: every comparison with
    them would be a false difference. Refused, with the grant that fixes it, when the
    inspected schema or one its columns' types or indexes' operator classes live in is
    such a schema (another extension's, unused here, does not matter)."""
    from modelsync.live.inspect import unusable_schemas

    missing = unusable_schemas(connection, schema)
    if missing:
        user = connection.info.user
        names = ", ".join(missing)
        raise DatabaseError(
            f"{url.redacted}: the role {user} has no USAGE on schema {names}, so PostgreSQL "
            f"names its types with the schema and nothing compares exactly "
            f"(GRANT USAGE ON SCHEMA {names} TO {user})"
        )


def _set_search_path(connection, schema: str, extension_schemas: list[str]) -> None:
    """The inspected schema first, then the extensions' schemas: ``format_type`` then
    names a type of any of them (an enum, ``vector``) without its schema."""
    schemas = list(dict.fromkeys([schema, *extension_schemas, "pg_catalog"]))
    path = ", ".join('"' + s.replace('"', '""') + '"' for s in schemas)
    connection.execute("SELECT pg_catalog.set_config('search_path', %s, true)", (path,))


def message_of(exc: Exception, url: DatabaseUrl) -> str:
    """PostgreSQL's (or libpq's) own message, on one line, without any secret."""
    diag = getattr(exc, "diag", None)
    primary = getattr(diag, "message_primary", None) if diag is not None else None
    text = primary or str(exc) or type(exc).__name__
    if type(exc).__name__ == "QueryCanceled":
        text = f"{text} (the statement timeout is {STATEMENT_TIMEOUT})"
    return redact(" ".join(text.split()), url)


def _driver_error() -> type[Exception]:
    return _psycopg().Error


def _psycopg():
    try:
        import psycopg
    except ImportError:
        raise ConfigError(
            "reading a database needs the psycopg driver: pip install 'modelsync[database]'"
        ) from None
    return psycopg
