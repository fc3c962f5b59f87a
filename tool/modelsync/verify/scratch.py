"""verify's own databases on a server, and the least rights the migrations run with there.

``scratch_databases(server, roles, confine=...)`` creates one database per role
(``modelsync_verify_<run>_<role>``), yields a ``Scratch``, and drops exactly those
databases afterwards, whatever happens. It never drops, alters or connects to any other
database than the URL's and its own.

On a server given by ``--database-url`` (``confine=True``) the migrations must not run
with the URL's rights, which are often a superuser's. So, where the URL's role may create
roles (a superuser, or ``CREATEROLE``), verify makes a role of its own for the run,
``modelsync_verify_<run>``: no superuser, no ``CREATEDB``, no ``CREATEROLE``, no
replication, a random password that expires within a day (sent as a SCRAM verifier, never
in clear). It owns the scratch databases, and the migrations and ``create_all`` log in as
it: such a session cannot take any other role back (``SET ROLE`` and ``SET SESSION
AUTHORIZATION`` have nothing to return to), so not even SQL built at run time can act
with the URL's rights. ``Scratch.confined`` says this worked. Where the server refuses
that login (``pg_hba.conf``), the sessions log in as the URL's role with the new role set
(``-c role=...``), which a statement could undo; where no role can be made, they run as
the URL's role. In both cases ``confined`` is False and verify refuses SQL it cannot read
first (``scope``). Extensions (pgvector's ``CREATE EXTENSION`` needs a superuser) are made
by the URL's own role on the same database: ``Scratch.owners``.

Each database and role is marked (``leftovers``) and the run holds an advisory lock for
its whole life, so that a later run can drop what a killed one left behind, and nothing
else.
"""

from __future__ import annotations

import contextlib
import datetime
import secrets
import uuid
from collections.abc import Iterator

from modelsync.dburl import DatabaseUrl, redact
from modelsync.records import record
from modelsync.verify import leftovers
from modelsync.verify.server import ServerError, signals_held

PREFIX = "modelsync_verify_"
CONNECT_TIMEOUT = 10


@record
class Scratch:
    """verify's databases on a server, by role (``expected``, ``a``, ``b``, ``c``):
    ``sessions`` are what the migrations and ``create_all`` connect with, ``owners`` the
    URL's own role on the same databases (for extensions); ``confined``: the sessions log
    in as a role of verify's own, whose rights are all that SQL read only at run time
    gets; ``login`` says how they connect, for the summary."""

    sessions: tuple[tuple[str, str], ...]
    owners: tuple[tuple[str, str], ...]
    confined: bool
    login: str

    def session(self, role: str) -> str:
        return dict(self.sessions)[role]

    def owner(self, role: str) -> str:
        return dict(self.owners)[role]


@contextlib.contextmanager
def scratch_databases(
    server: DatabaseUrl, roles: tuple[str, ...], *, confine: bool = False
) -> Iterator[Scratch]:
    """Create the databases (and, with ``confine``, the run's role) on ``server``; yield
    how to reach them; drop them afterwards, whatever happens."""
    run = uuid.uuid4().hex[:10]
    names = {role: f"{PREFIX}{run}_{role}" for role in roles}
    created: list[str] = []
    with _admin(server) as keeper:
        marker = leftovers.Marker(run, _one(keeper, "SELECT current_database()"))
        login = None
        try:
            if confine:
                keeper.execute("SELECT pg_advisory_lock(%s, %s)", marker.lock)
                leftovers.drop_stale(keeper, PREFIX)
                login = _make_role(keeper, f"{PREFIX}{run}", marker)
            _create_all(server, names, login, marker if confine else None, created)
            yield _scratch(server, names, login, confine)
        finally:
            with signals_held():
                _drop(server, keeper, created, login)


def _one(connection, query: str, *args):
    return connection.execute(query, args or None).fetchone()[0]


def _create_all(server, names, login, marker, created: list[str]) -> None:
    """The databases side by side (one connection each): PostgreSQL makes three in about
    the time of two. Leaving the pool waits for every CREATE in flight, so ``created`` is
    complete before the drop, even after a Ctrl-C."""
    from concurrent.futures import ThreadPoolExecutor

    owner = login.role if login is not None else None
    with ThreadPoolExecutor(max_workers=max(1, len(names))) as pool:
        futures = [
            pool.submit(_create, server, name, owner, marker, created) for name in names.values()
        ]
        for future in futures:
            future.result()


def _create(server: DatabaseUrl, name: str, owner: str | None, marker, created: list) -> None:
    import psycopg
    from psycopg import sql

    statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
    if owner is not None:
        statement += sql.SQL(" OWNER {}").format(sql.Identifier(owner))
    with _admin(server) as admin:
        try:
            admin.execute(statement)
            created.append(name)
            if marker is not None:
                leftovers.mark(admin, "DATABASE", name, marker)
        except psycopg.Error as exc:
            raise ServerError(
                f"cannot create a scratch database on {server.redacted}: {pg_message(exc, server)}"
            ) from None


@record
class _Login:
    """The run's own role and its password (never shown)."""

    role: str
    password: str = ""


def _make_role(keeper, role: str, marker) -> _Login | None:
    """The run's role, where the URL's role may make one (None where it may not)."""
    import psycopg
    from psycopg import sql

    rights = keeper.execute(
        "SELECT rolsuper, rolcreaterole FROM pg_roles WHERE rolname = current_user"
    ).fetchone()
    if rights is None or not (rights[0] or rights[1]):
        return None
    password = secrets.token_urlsafe(32)
    verifier = keeper.pgconn.encrypt_password(
        password.encode(), role.encode(), b"scram-sha-256"
    ).decode()
    expires = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=1)
    try:
        keeper.execute(
            sql.SQL(
                "CREATE ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION "
                "NOBYPASSRLS NOINHERIT PASSWORD {} VALID UNTIL {}"
            ).format(sql.Identifier(role), sql.Literal(verifier), sql.Literal(expires.isoformat()))
        )
    except psycopg.Error:
        return None
    try:
        leftovers.mark(keeper, "ROLE", role, marker)
        if not rights[0]:
            # PostgreSQL 16+: a CREATEROLE role administers the roles it makes, but must
            # be granted one to own its databases and drop them.
            keeper.execute(
                sql.SQL("GRANT {} TO CURRENT_USER WITH INHERIT TRUE, SET TRUE").format(
                    sql.Identifier(role)
                )
            )
    except psycopg.Error:
        with contextlib.suppress(psycopg.Error):
            keeper.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))
        return None
    return _Login(role, password)


def _scratch(server: DatabaseUrl, names, login: _Login | None, confine: bool) -> Scratch:
    owners = tuple((r, server.with_params(dbname=n).conninfo) for r, n in names.items())
    if login is None:
        how = "as the URL's role (it cannot create roles)" if confine else "as its superuser"
        return Scratch(owners, owners, False, how)
    first = next(iter(names.values()))
    as_role = server.with_params(user=login.role, password=login.password, passfile=None)
    if _can_log_in(as_role.with_params(dbname=first)):
        sessions = tuple((r, as_role.with_params(dbname=n).conninfo) for r, n in names.items())
        return Scratch(sessions, owners, True, f"as {login.role} (its own role, no superuser)")
    options = f"{server.get('options') or ''} -c role={login.role}".strip()
    set_role = server.with_params(options=options)
    sessions = tuple((r, set_role.with_params(dbname=n).conninfo) for r, n in names.items())
    how = f"as the URL's role with role {login.role} set (the server refused its login)"
    return Scratch(sessions, owners, False, how)


def _can_log_in(url: DatabaseUrl) -> bool:
    import psycopg

    try:
        psycopg.connect(url.conninfo, connect_timeout=CONNECT_TIMEOUT).close()
    except psycopg.Error:
        return False
    return True


def _drop(server: DatabaseUrl, keeper, names: list[str], login: _Login | None) -> None:
    """Drop the databases (their sessions ended), then the role; the keeper's end
    releases the run's lock."""
    if not names and login is None:
        return
    import psycopg
    from psycopg import sql

    statements = [
        sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        for name in names
    ]
    if login is not None:
        statements.append(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(login.role)))
    try:
        try:
            for statement in statements:
                keeper.execute(statement)
        except psycopg.OperationalError:
            if not (keeper.closed or keeper.broken):
                raise
            with _admin(server) as admin:  # a migration ended the keeper's session
                for statement in statements:
                    admin.execute(statement)
    except psycopg.Error as exc:
        left = ", ".join([*names, *([login.role] if login else [])])
        raise ServerError(
            f"could not drop the scratch databases and role {left} on {server.redacted} "
            f"(the next verify drops them): {pg_message(exc, server)}"
        ) from None


@contextlib.contextmanager
def _admin(server: DatabaseUrl):
    import psycopg

    try:
        connection = psycopg.connect(
            server.conninfo, autocommit=True, connect_timeout=CONNECT_TIMEOUT
        )
    except psycopg.Error as exc:
        message = pg_message(exc, server)
        raise ServerError(f"cannot connect to {server.redacted}: {message}") from None
    with connection:
        yield connection


def pg_message(exc: Exception, url: DatabaseUrl) -> str:
    """PostgreSQL's (or libpq's) own message, one line, with no secret in it."""
    diag = getattr(exc, "diag", None)
    message = (diag.message_primary if diag is not None else None) or str(exc)
    return redact(" ".join(message.split()), url)
