"""Least rights on a server given by ``--database-url``: the migrations run as a role of
verify's own, so even SQL that ``scope`` could not read (or that got past it) cannot act
beyond verify's databases. Against the session's PostgreSQL 18, in-process where the CLI
adds nothing, and through the CLI for what it decides (MS907).

Also ``apply.Session``: the statement timeout a migration cannot lift, and a migration
that ends its own session.
"""

from __future__ import annotations

import json
import time

import psycopg
import pytest

from modelsync.dburl import parse_database_url
from modelsync.migrate.folder import Statement
from modelsync.verify.apply import Session
from modelsync.verify.scratch import PREFIX, scratch_databases
from tests.conftest import REPO, run_cli
from tests.test_verify_cli import USERS, make_project


def server_url(server, **params):
    return parse_database_url(server.uri).with_params(**params)


def made_by_verify(admin) -> list[str]:
    """The databases and roles on the server named as verify names its own, sorted."""
    pattern = PREFIX.replace("_", r"\_") + "%"
    rows = admin.execute(
        "SELECT datname FROM pg_database WHERE datname LIKE %s "
        "UNION ALL SELECT rolname FROM pg_roles WHERE rolname LIKE %s ORDER BY 1",
        (pattern, pattern),
    ).fetchall()
    return [name for (name,) in rows]


@pytest.fixture
def admin(postgres_server):
    with psycopg.connect(postgres_server.libpq_url("postgres"), autocommit=True) as connection:
        yield connection


def test_a_superuser_url_confines_the_sessions_to_a_role_of_their_own(postgres_server, admin):
    with scratch_databases(server_url(postgres_server), ("a", "b"), confine=True) as scratch:
        assert scratch.confined
        with psycopg.connect(scratch.session("a")) as session:
            user, session_user, rights = session.execute(
                "SELECT current_user, session_user, (SELECT row(rolsuper, rolcreaterole, "
                "rolcreatedb, rolreplication, rolbypassrls) FROM pg_roles "
                "WHERE rolname = current_user)"
            ).fetchone()
            owner = session.execute(
                "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()"
            ).fetchone()[0]
        assert user == session_user == owner and user.startswith(PREFIX)
        assert rights == ("f", "f", "f", "f", "f")
        assert sorted(made_by_verify(admin)) == sorted([user, *(n for n in _names(scratch))])
    assert made_by_verify(admin) == []


def _names(scratch) -> list[str]:
    return [dict(psycopg.conninfo.conninfo_to_dict(c))["dbname"] for _, c in scratch.sessions]


def test_what_gets_past_the_guard_cannot_act_beyond_the_database(
    postgres_server, admin, fresh_database
):
    """The second layer alone: the statements ``scope`` refuses, run as the confined
    role (as run-time SQL would), fail for want of rights, and the server is unchanged."""
    attacks = [
        f"DROP DATABASE {fresh_database} WITH (FORCE)",
        "ALTER SYSTEM SET work_mem = '77MB'",
        "CREATE ROLE modelsync_attack_role SUPERUSER",
        "SET ROLE NONE",  # nothing to return to: the session user is the confined role
        "RESET SESSION AUTHORIZATION",
        "SELECT pg_reload_conf()",
        "COPY (SELECT 1) TO PROGRAM 'touch /tmp/modelsync-attack'",
        "SELECT pg_read_file('/etc/hostname')",
    ]
    with psycopg.connect(postgres_server.libpq_url(fresh_database), autocommit=True) as other:
        pid = other.info.backend_pid
        attacks.append(f"SELECT pg_terminate_backend({pid})")
        with scratch_databases(server_url(postgres_server), ("x",), confine=True) as scratch:
            session = Session(scratch.session("x"), scratch.owner("x"))
            try:
                for number, attack in enumerate(attacks, start=1):
                    failure = session.apply((Statement(attack, number),), "attack.sql")
                    if attack.startswith(("SET ROLE", "RESET SESSION")):
                        assert failure is None  # allowed, and changes nothing:
                        role = session.connection.execute("SELECT current_user").fetchone()
                        assert role[0].startswith(PREFIX)
                    else:
                        assert failure is not None and failure.line == number, attack
                        assert failure.sqlstate == "42501", (attack, failure.message)
            finally:
                session.close()
        assert other.execute("SELECT 1").fetchone() == (1,)
    facts = admin.execute(
        "SELECT (SELECT count(*) FROM pg_database WHERE datname = %s), "
        "(SELECT count(*) FROM pg_roles WHERE rolname = 'modelsync_attack_role'), "
        "(SELECT count(*) FROM pg_file_settings WHERE name = 'work_mem')",
        (fresh_database,),
    ).fetchone()
    assert facts == (1, 0, 0)
    assert made_by_verify(admin) == []


def test_a_createrole_url_confines_too_and_a_plain_one_cannot(postgres_server, admin):
    suffix = str(time.monotonic_ns())
    maker, plain = f"maker_{suffix}", f"plain_{suffix}"
    admin.execute(f"CREATE ROLE {maker} LOGIN CREATEDB CREATEROLE")
    admin.execute(f"CREATE ROLE {plain} LOGIN CREATEDB")
    try:
        with scratch_databases(
            server_url(postgres_server, user=maker), ("x",), confine=True
        ) as scratch:
            assert scratch.confined
            with psycopg.connect(scratch.session("x")) as session:
                assert session.execute("SELECT current_user").fetchone()[0].startswith(PREFIX)
        with scratch_databases(
            server_url(postgres_server, user=plain), ("x",), confine=True
        ) as scratch:
            assert not scratch.confined
            assert scratch.login == "as the URL's role (it cannot create roles)"
        assert made_by_verify(admin) == []
    finally:
        admin.execute(f"DROP ROLE IF EXISTS {maker}")
        admin.execute(f"DROP ROLE IF EXISTS {plain}")


ENUM_REWRITE = (REPO / "tests/golden/migration/enum_labels_reordered/expected.sql").read_text()


def test_sql_built_at_run_time_needs_a_confined_session(tmp_path, postgres_server, admin):
    plain = f"plain_{time.monotonic_ns()}"
    admin.execute(f"CREATE ROLE {plain} LOGIN CREATEDB")
    try:
        root = make_project(tmp_path, USERS, {"001_rewrite.sql": ENUM_REWRITE})
        url = server_url(postgres_server, user=plain).conninfo
        done = run_cli("verify", "--root", root, "--database-url", url, "--format", "json")
    finally:
        admin.execute(f"DROP ROLE IF EXISTS {plain}")
    assert done.returncode == 1, done.stdout + done.stderr
    document = json.loads(done.stdout)
    (finding,) = document["findings"]
    first_execute = next(
        number
        for number, line in enumerate(ENUM_REWRITE.splitlines(), start=1)
        if line.strip().startswith("EXECUTE")
    )
    assert finding["code"] == "MS907" and finding["migration"]["line"] == first_execute
    assert document["summary"]["sessions"] == "as the URL's role (it cannot create roles)"
    assert document["summary"]["states"] == {}
    assert made_by_verify(admin) == []


# ---------------------------------------------------------------- apply.Session


def test_the_statement_timeout_cannot_be_lifted_by_the_migration(postgres_server, fresh_database):
    session = Session(postgres_server.libpq_url(fresh_database), timeout=0.5)
    try:
        start = time.monotonic()
        failure = session.apply(
            (
                Statement("SET statement_timeout = 0", 1),
                Statement("DO $$ BEGIN LOOP PERFORM pg_sleep(0.01); END LOOP; END $$", 2),
            ),
            "slow.sql",
        )
        assert time.monotonic() - start < 8
        assert failure.timed_out and failure.line == 2
        assert failure.message.startswith("did not finish within 0.5 s")
        # The session is usable again, for the next file.
        assert session.apply((Statement("CREATE TABLE t (id int)", 1),), "next.sql") is None
    finally:
        session.close()


def test_a_migration_that_ends_its_session_is_a_failure_not_a_crash(
    postgres_server, fresh_database
):
    session = Session(postgres_server.libpq_url(fresh_database))
    try:
        failure = session.apply(
            (
                Statement("CREATE TABLE t (id int)", 1),
                Statement("SELECT pg_terminate_backend(pg_backend_pid())", 3),
            ),
            "kill.sql",
        )
        assert (failure.line, failure.shown) == (3, "kill.sql")
        assert failure.message.startswith("ends verify's database session (")
        assert session.apply((Statement("INSERT INTO t VALUES (1)", 1),), "next.sql") is None
        assert session.connection.execute("SELECT count(*) FROM t").fetchone() == (1,)
    finally:
        session.close()


def test_the_configured_timeout_ends_a_sleeping_migration(tmp_path, postgres_server):
    migrations = {"001_wait.sql": "SET statement_timeout = 0;\n\nSELECT pg_sleep(60);\n"}
    config = "[tool.modelsync]\nverify_statement_timeout = 1\n"
    root = make_project(tmp_path, USERS, migrations)
    (root / "pyproject.toml").write_text(config, encoding="utf-8")
    start = time.monotonic()
    done = run_cli(
        "verify", "--root", root, "--database-url", postgres_server.uri, "--format", "json"
    )
    assert time.monotonic() - start < 50
    assert done.returncode == 1, done.stdout + done.stderr
    (finding,) = json.loads(done.stdout)["findings"]
    assert (finding["code"], finding["kind"], finding["migration"]["line"]) == (
        "MS908",
        "migration_timeout",
        3,
    )
    assert "did not finish within 1 s" in finding["message"]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "0",
            "[tool.modelsync] verify_statement_timeout must be a number of seconds above 0 and at most 86400",
        ),
        (
            "nan",
            "[tool.modelsync] verify_statement_timeout must be a number of seconds above 0 and at most 86400",
        ),
        ('"60"', "[tool.modelsync] verify_statement_timeout has the wrong type"),
    ],
)
def test_a_bad_timeout_is_bad_input_at_its_line(tmp_path, value, message):
    root = make_project(tmp_path, USERS, {})
    (root / "pyproject.toml").write_text(
        f"[tool.modelsync]\n\nverify_statement_timeout = {value}\n", encoding="utf-8"
    )
    done = run_cli("verify", "--root", root)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [f"modelsync: error: pyproject.toml:3: {message}"]
