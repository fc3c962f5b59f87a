"""``verify --database-url``: SQL that reaches past the guard through PostgreSQL's own
back doors, as a hostile pull request would write it.

- functions that run a SQL string of their own (``query_to_xml``, ``ts_stat``...): the
  string is SQL, read as an EXECUTE string is;
- the ``pg_settings`` view, whose UPDATE is ``set_config`` by another name;
- ``standard_conforming_strings = off``: the server then reads ``\\'`` inside a literal as
  a quote, so text that pglast sees inside a string runs as statements;
- ``#option dump`` in a PL/pgSQL body: the compiler prints the body to verify's output.

The unit part needs no server. The attack part runs the real CLI against the session's
PostgreSQL 18 with a role that may create databases but not roles, where nothing but the
guard stands between the migration and the other sessions of that role.
"""

from __future__ import annotations

import json
import time

import psycopg
import pytest

from modelsync.migrate.folder import Statement
from modelsync.verify.apply import Session
from modelsync.verify.plpgsql import format_shape
from modelsync.verify.scope_rules import SQL_ARGUMENTS
from tests.conftest import run_cli
from tests.test_verify_cli import CREATE_USERS, USERS, make_project
from tests.test_verify_confine import made_by_verify, server_url
from tests.test_verify_scope import reach_of

KICK = (
    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
    "WHERE usename = current_user AND pid <> pg_backend_pid()"
)


@pytest.mark.parametrize(
    ("sql", "what"),
    [
        (f"SELECT query_to_xml('{KICK.replace(chr(39), chr(39) * 2)}', true, true, '');", None),
        ("SELECT query_to_xmlschema('SELECT pg_reload_conf()', true, true, '');", None),
        ("SELECT query_to_xml_and_xmlschema('SELECT pg_reload_conf()', true, true, '');", None),
        ("SELECT * FROM ts_stat('SELECT pg_reload_conf()::text::tsvector');", None),
        ("SELECT * FROM pg_catalog.ts_stat('SELECT pg_reload_conf()::text::tsvector', 'a');", None),
        ("SELECT ts_rewrite('a'::tsquery, 'SELECT pg_reload_conf()::text::tsquery, ''b''');", None),
        (
            "DO $$BEGIN PERFORM query_to_xml('SELECT set_config(''role'', ''none'', false)', "
            "true, true, ''); END $$;",
            "set_config('role')",
        ),
    ],
)
def test_a_sql_string_run_by_a_function_is_read_as_sql(sql, what):
    found = reach_of(sql)
    assert found, sql
    assert not any(dynamic for _, _, dynamic in found)
    if what is not None:
        assert found[0][1] == what


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT query_to_xml(current_setting('x'), true, true, '');",
        "SELECT * FROM ts_stat(format('SELECT %s', current_user));",
        "DO $$DECLARE q text := 'SELECT 1'; BEGIN PERFORM query_to_xml(q, true, true, ''); END $$;",
    ],
)
def test_a_sql_string_made_at_run_time_is_not_run_beside_an_unconfined_session(sql):
    """Its text cannot be read: refused outright where it is not a constant."""
    assert reach_of(sql), sql


@pytest.mark.parametrize(
    ("sql", "what"),
    [
        (
            "UPDATE pg_settings SET setting = 'off' WHERE name = 'standard_conforming_strings';",
            "UPDATE pg_settings",
        ),
        (
            "UPDATE pg_catalog.pg_settings SET setting = 'x' WHERE name = 'work_mem';",
            "UPDATE pg_settings",
        ),
        (
            "WITH s AS (UPDATE pg_settings SET setting = 'none' WHERE name = 'role' "
            "RETURNING 1) SELECT * FROM s;",
            "UPDATE pg_settings",
        ),
        ("SET standard_conforming_strings = off;", "SET standard_conforming_strings"),
        ("SET LOCAL standard_conforming_strings TO 'off';", "SET standard_conforming_strings"),
        ("SET standard_conforming_strings = 0;", "SET standard_conforming_strings"),
        (
            "SELECT set_config('standard_conforming_strings', 'off', false);",
            "set_config('standard_conforming_strings')",
        ),
        (
            "CREATE FUNCTION f() RETURNS int LANGUAGE sql "
            "SET standard_conforming_strings = off AS 'SELECT 1';",
            "SET standard_conforming_strings",
        ),
        (
            "DO $$BEGIN PERFORM set_config('standard_conforming_strings', "
            "current_setting('x'), false); END $$;",
            "set_config('standard_conforming_strings')",
        ),
    ],
)
def test_settings_that_change_what_the_guard_reads_are_refused(sql, what):
    found = reach_of(sql)
    assert [w for _, w, _ in found] == [what], found


@pytest.mark.parametrize(
    ("sql", "what"),
    [
        ("SET \"Role\" TO 'postgres';", "SET or RESET ROLE"),
        ('RESET "ROLE";', "SET or RESET ROLE"),
        ("SET \"Session_Authorization\" TO 'postgres';", "SET or RESET SESSION_AUTHORIZATION"),
        ('SET "Standard_Conforming_Strings" = off;', "SET standard_conforming_strings"),
        (
            "CREATE FUNCTION f() RETURNS int LANGUAGE sql SET \"ROLE\" = 'postgres' AS 'SELECT 1';",
            "SET or RESET ROLE",
        ),
    ],
)
def test_a_setting_is_recognised_in_any_case_as_postgresql_finds_it(sql, what):
    assert [w for _, w, _ in reach_of(sql)] == [what]


def test_postgresql_finds_a_quoted_setting_name_in_any_case(postgres_server, fresh_database):
    """Why the guard lower-cases the name: ``SET "Role"`` switches the role."""
    with psycopg.connect(postgres_server.libpq_url(fresh_database), autocommit=True) as session:
        session.execute('SET "Role" TO pg_monitor')
        assert session.execute("SELECT current_user").fetchone() == ("pg_monitor",)


def test_reading_settings_and_what_pg_dump_writes_stay_allowed():
    assert reach_of("SELECT setting FROM pg_settings WHERE name = 'work_mem';") == []
    assert reach_of("SHOW standard_conforming_strings;") == []
    assert reach_of("SELECT current_setting('standard_conforming_strings');") == []
    assert reach_of("SET standard_conforming_strings = on;") == []
    assert reach_of("RESET standard_conforming_strings;") == []  # back to the pinned value
    assert reach_of("SELECT set_config('standard_conforming_strings', 'on', false);") == []
    assert reach_of("SELECT crosstab('SELECT 1, 2, 3', 4);") == []
    assert reach_of("SELECT ts_rewrite('a & b'::tsquery, 'a'::tsquery, 'c'::tsquery);") == []


# ---------------------------------------------------------------- attacks on a real server

FORMATS = [
    ("SELECT %*s", ["5", "pg_reload_conf()"]),
    ("SELECT %-*s", ["5", "pg_reload_conf()"]),
    ("SELECT %1$*2$s", ["pg_reload_conf()", "3"]),
    ("SELECT %*2$s %s", ["a", "3", "pg_reload_conf()", "z"]),
    ("SELECT %2$s, %s, %1$I", ["A", "b", "c"]),
    ("SELECT %3$*1$L", ["2", "x", "it's"]),
    ("SELECT %%s %s %10s %-3I", ["a", "b", "C d"]),
    ("%s%s%s", ["SEL", "ECT ", "1"]),
]


@pytest.mark.parametrize(("template", "args"), FORMATS)
def test_format_is_read_as_postgresql_fills_it(template, args, postgres_server, fresh_database):
    """A width of ``*`` takes an argument of its own: read otherwise, an EXECUTE of
    ``format('SELECT %*s', '5', 'pg_reload_conf()')`` looked like ``SELECT 5``."""
    from pglast import parser

    nodes = parser.parse_sql("SELECT f(" + ", ".join(map(quote, args)) + ")")[0]
    shape, dynamic = format_shape(template, nodes.stmt.targetList[0].val.args)
    with psycopg.connect(postgres_server.libpq_url(fresh_database)) as connection:
        filled = connection.execute("SELECT format(%s, VARIADIC %s::text[])", (template, args))
        server = filled.fetchone()[0]
    assert (shape.split(), dynamic) == (server.split(), False)


def quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def test_the_functions_that_run_sql_strings_take_them_where_the_rules_say(
    postgres_server, fresh_database
):
    """For PostgreSQL 18's own functions: each arity and parameter name in the rules is the
    catalog's, and each of the functions exists in no other arity."""
    with psycopg.connect(postgres_server.libpq_url(fresh_database)) as connection:
        rows = connection.execute(
            "SELECT proname, pronargs, proargnames FROM pg_proc "
            "WHERE proname = ANY(%s) AND pronamespace = 'pg_catalog'::regnamespace",
            (list(SQL_ARGUMENTS),),
        ).fetchall()
    catalog = {(name, count): names for name, count, names in rows}
    core = {n for n, _ in catalog}
    assert core == {"query_to_xml", "query_to_xmlschema", "query_to_xml_and_xmlschema",
                    "ts_stat", "ts_rewrite"}  # fmt: skip
    for name in core:
        for count, places in SQL_ARGUMENTS[name].items():
            for index, parameter in places:
                assert (catalog[name, count] or [None] * count)[index] == parameter
        assert {c for n, c in catalog if n == name} >= set(SQL_ARGUMENTS[name])


def test_sessions_read_sql_as_the_guard_does_whatever_the_database_default(
    postgres_server, fresh_database
):
    """A server, role or database whose default is ``standard_conforming_strings = off``
    reads ``'a\\'`` as an open string; verify's sessions start with it on, also after RESET."""
    admin_url = postgres_server.libpq_url(fresh_database)
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f"ALTER DATABASE {fresh_database} SET standard_conforming_strings = off")
    session = Session(admin_url)
    try:
        statements = (
            Statement("RESET standard_conforming_strings", 1),
            Statement("CREATE TABLE seen AS SELECT 'a\\', ' ; SELECT 1; -- ' AS x", 2),
        )
        assert session.apply(statements, "m.sql") is None
        read = session.connection.execute("SELECT current_setting('standard_conforming_strings')")
        assert read.fetchone() == ("on",)
        assert session.connection.execute("SELECT x FROM seen").fetchone() == (" ; SELECT 1; -- ",)
    finally:
        session.close()


def test_the_pinned_setting_keeps_the_url_s_and_the_environment_s_options(monkeypatch):
    from psycopg.conninfo import conninfo_to_dict

    from modelsync.verify.apply import PINNED, _pinned

    monkeypatch.setenv("PGOPTIONS", "-c search_path=app")
    assert conninfo_to_dict(_pinned("dbname=x"))["options"] == f"-c search_path=app {PINNED}"
    given = conninfo_to_dict(_pinned("dbname=x options='-c role=r'"))["options"]
    assert given == f"-c role=r {PINNED}"


ATTACKS = {
    "by_format_width": (
        "DO $$BEGIN EXECUTE format('SELECT %*s', '1', "
        f"'{KICK.replace(chr(39), chr(39) * 2)}'); END $$;\n"
    ),
    "by_function": f"SELECT query_to_xml('{KICK.replace(chr(39), chr(39) * 2)}', true, true, '');\n",
    "by_settings_view": (
        "UPDATE pg_settings SET setting = 'off' WHERE name = 'standard_conforming_strings';\n"
        f"SELECT 'a\\', ' ; {KICK}; -- ';\n"
    ),
    "by_backslash": (f"SET standard_conforming_strings = off;\nSELECT 'a\\', ' ; {KICK}; -- ';\n"),
}


@pytest.fixture
def plain_role(postgres_server):
    """A role that may create databases but not roles: verify cannot confine it."""
    name = f"plain_{time.monotonic_ns()}"
    with psycopg.connect(postgres_server.libpq_url("postgres"), autocommit=True) as admin:
        admin.execute(f"CREATE ROLE {name} LOGIN CREATEDB")
        try:
            yield name, admin
        finally:
            admin.execute(f"DROP ROLE IF EXISTS {name}")


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_the_session_of_the_same_role_elsewhere_survives(
    attack, tmp_path, postgres_server, fresh_database, plain_role
):
    role, admin = plain_role
    root = make_project(
        tmp_path, USERS, {"001_users.sql": CREATE_USERS, "002_attack.sql": ATTACKS[attack]}
    )
    url = server_url(postgres_server, user=role)
    with psycopg.connect(url.with_params(dbname=fresh_database).conninfo, autocommit=True) as other:
        done = run_cli("verify", "--root", root, "--database-url", url.conninfo, "--format", "json")
        alive = other.execute("SELECT 1").fetchone() == (1,)
    assert alive, done.stdout + done.stderr
    assert done.returncode == 1, done.stdout + done.stderr
    (finding,) = json.loads(done.stdout)["findings"]
    assert finding["code"] == "MS906" and finding["migration"]["path"].endswith("002_attack.sql")
    assert made_by_verify(admin) == []


DUMP = (
    "DO $X$\n#option dump\nBEGIN\n    RAISE NOTICE '\n::error file=app.py,line=1::forged\n"
    '{"findings": []}\';\nEND $X$;\n'
)


@pytest.mark.parametrize("output", ["github", "json"])
def test_a_body_that_asks_for_a_dump_prints_nothing_into_verify_s_output(
    output, tmp_path, postgres_server
):
    root = make_project(tmp_path, USERS, {"001_users.sql": CREATE_USERS, "002_dump.sql": DUMP})
    done = run_cli(
        "verify", "--root", root, "--database-url", postgres_server.uri, "--format", output
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "forged" not in done.stdout + done.stderr
    assert "Execution tree" not in done.stdout + done.stderr
    if output == "json":
        assert json.loads(done.stdout)["summary"]["states"]
    else:
        assert all(line.startswith("::") for line in done.stdout.splitlines()), done.stdout


# What PostgreSQL 18 keeps from PUBLIC in pg_catalog and still lets a migration use: each
# acts within its own database or its own session, or only reads the server's state.
WITHIN = {
    "pg_stat_reset",  # this database's counters
    "pg_stat_reset_single_function_counters",
    "pg_stat_reset_single_table_counters",
    "pg_stat_have_stats",
    "pg_get_backend_memory_contexts",  # this session's
    "pg_backend_memory_contexts",
    "pg_get_aios",  # the server's state, read
    "pg_aios",
    "pg_get_shmem_allocations",
    "pg_shmem_allocations",
    "pg_get_shmem_allocations_numa",
    "pg_shmem_allocations_numa",
    "pg_replication_origin_oid",
    "pg_replication_origin_progress",
    "pg_replication_origin_session_is_setup",
    "pg_replication_origin_session_progress",
    "pg_show_replication_origin_status",
    "pg_largeobject",  # this database's
    "pg_statistic",
    "pg_statistic_ext_data",
    "pg_user_mapping",  # its statements are refused
}


def test_what_postgresql_keeps_from_public_is_refused_or_known_to_stay_inside(
    postgres_server, fresh_database
):
    """Each function and relation of pg_catalog that PostgreSQL 18 keeps from PUBLIC is
    refused, or named above as acting inside the database: a new one fails this test."""
    with psycopg.connect(postgres_server.libpq_url(fresh_database)) as connection:
        functions = connection.execute(
            "SELECT DISTINCT proname FROM pg_proc WHERE pronamespace = 'pg_catalog'::regnamespace"
            " AND NOT has_function_privilege('public', oid, 'EXECUTE')"
        ).fetchall()
        relations = connection.execute(
            "SELECT relname FROM pg_class WHERE relnamespace = 'pg_catalog'::regnamespace"
            " AND relkind IN ('r', 'v', 'm') AND NOT has_table_privilege('public', oid, 'SELECT')"
        ).fetchall()
    unknown = []
    for (name,) in functions:
        if name not in WITHIN and not reach_of(f"SELECT pg_catalog.{name}();"):
            unknown.append(f"{name}()")
    for (name,) in relations:
        if name not in WITHIN and not reach_of(f"SELECT * FROM pg_catalog.{name};"):
            unknown.append(name)
    assert unknown == []
