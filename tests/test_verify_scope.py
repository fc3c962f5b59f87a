"""``verify --database-url`` refuses migrations that act beyond their own database.

The unit part reads SQL with ``verify.scope`` (pglast's parse tree, PL/pgSQL bodies
included) and needs no server. The attack part runs the real CLI against the session's
PostgreSQL 18, as a hostile pull request would, and checks that the server is unchanged.
"""

from __future__ import annotations

import json
import textwrap

import psycopg
import pytest

from modelsync.migrate.folder import split_statements
from modelsync.verify.plpgsql import execute_shape, format_shape, split_assignment
from modelsync.verify.scope import reaches, runs_as_owner
from tests.conftest import REPO, run_cli
from tests.test_verify_cli import CREATE_USERS, MIGRATIONS, USERS, make_project

GOLDEN = REPO / "tests" / "golden" / "migration"


def reach_of(sql: str) -> list[tuple[int, str, bool]]:
    statements = split_statements(textwrap.dedent(sql), "m.sql")
    return [(r.line, r.what, r.dynamic) for r in reaches([("m.sql", statements)])]


@pytest.mark.parametrize(
    ("sql", "what"),
    [
        ("DROP DATABASE other WITH (FORCE);", "DROP DATABASE"),
        ("CREATE DATABASE x;", "CREATE DATABASE"),
        ("ALTER DATABASE postgres SET work_mem = '1GB';", "ALTER DATABASE ... SET"),
        ("ALTER SYSTEM SET work_mem = '1GB';", "ALTER SYSTEM"),
        ("ALTER SYSTEM RESET ALL;", "ALTER SYSTEM"),
        ("LOAD 'auto_explain';", "LOAD"),
        ("CHECKPOINT;", "CHECKPOINT"),
        ("CREATE ROLE evil SUPERUSER LOGIN;", "CREATE ROLE"),
        ("CREATE USER evil;", "CREATE ROLE"),
        ("ALTER ROLE postgres PASSWORD 'x';", "ALTER ROLE"),
        ("ALTER ROLE ALL SET work_mem = '1MB';", "ALTER ROLE ... SET"),
        ("DROP ROLE IF EXISTS someone;", "DROP ROLE"),
        ("GRANT pg_read_server_files TO PUBLIC;", "GRANT or REVOKE of a role"),
        ("REASSIGN OWNED BY a TO b;", "REASSIGN OWNED"),
        ("DROP OWNED BY a;", "DROP OWNED"),
        ("CREATE TABLESPACE ts LOCATION '/tmp';", "CREATE TABLESPACE"),
        ("GRANT CONNECT ON DATABASE postgres TO PUBLIC;", "GRANT or REVOKE ON database"),
        ("COMMENT ON DATABASE postgres IS 'x';", "COMMENT ON database"),
        ("ALTER DATABASE postgres OWNER TO x;", "ALTER ... OWNER TO of a database"),
        ("ALTER ROLE a RENAME TO b;", "ALTER ... RENAME of a role"),
        ("CREATE PUBLICATION p FOR ALL TABLES;", "CREATE PUBLICATION"),
        ("DROP PUBLICATION p;", "DROP publication"),
        ("CREATE SUBSCRIPTION s CONNECTION 'host=x' PUBLICATION p;", "CREATE SUBSCRIPTION"),
        ("CREATE SERVER s FOREIGN DATA WRAPPER postgres_fdw;", "CREATE SERVER"),
        ("CREATE USER MAPPING FOR CURRENT_USER SERVER s;", "CREATE USER MAPPING"),
        ("SET ROLE postgres;", "SET or RESET ROLE"),
        ("SET LOCAL ROLE NONE;", "SET or RESET ROLE"),
        ("RESET ROLE;", "SET or RESET ROLE"),
        ("SET SESSION AUTHORIZATION DEFAULT;", "SET or RESET SESSION_AUTHORIZATION"),
        ("SELECT set_config('role', 'postgres', false);", "set_config('role')"),
        (
            "SELECT set_config(current_setting('x'), 'y', false);",
            "set_config() of a setting named at run time",
        ),
        ("SELECT pg_terminate_backend(pid) FROM pg_stat_activity;", "pg_terminate_backend()"),
        ("SELECT pg_catalog.pg_cancel_backend(1);", "pg_cancel_backend()"),
        ("SELECT pg_reload_conf();", "pg_reload_conf()"),
        ("SELECT pg_rotate_logfile();", "pg_rotate_logfile()"),
        ("SELECT pg_read_file('/etc/passwd');", "pg_read_file()"),
        ("SELECT pg_read_binary_file('/etc/passwd');", "pg_read_binary_file()"),
        ("SELECT * FROM pg_ls_dir('/');", "pg_ls_dir()"),
        ("SELECT lo_import('/etc/passwd');", "lo_import()"),
        ("SELECT lo_export(1, '/tmp/x');", "lo_export()"),
        ("SELECT dblink_exec('host=x', 'DROP DATABASE y');", "dblink_exec()"),
        ("COPY (SELECT 1) TO PROGRAM 'touch /tmp/x';", "COPY ... PROGRAM"),
        ("COPY users FROM '/etc/passwd';", "COPY to or from a file"),
        ("COPY users TO '/tmp/users.csv';", "COPY to or from a file"),
        ("UPDATE pg_database SET datallowconn = false;", "pg_database"),
        ("DELETE FROM pg_catalog.pg_authid WHERE rolname = 'x';", "pg_authid"),
        ("LOCK TABLE pg_authid IN ACCESS EXCLUSIVE MODE;", "pg_authid"),
        ("PREPARE TRANSACTION 'x';", "PREPARE TRANSACTION"),
        ("CREATE EXTENSION dblink;", "CREATE EXTENSION dblink"),
        ("CREATE EXTENSION IF NOT EXISTS plpython3u;", "CREATE EXTENSION plpython3u"),
        ("CREATE EXTENSION hstore CASCADE;", "CREATE EXTENSION hstore CASCADE"),
        ("CREATE LANGUAGE plperlu;", "CREATE EXTENSION plperlu"),
        ("CREATE LANGUAGE mine HANDLER mine_handler;", "CREATE LANGUAGE"),
        ("REINDEX SYSTEM;", "REINDEX SYSTEM"),
        # A function is found by its name wherever a name can call it.
        (
            "CREATE OPERATOR ### (PROCEDURE = pg_terminate_backend, RIGHTARG = int);",
            "pg_terminate_backend()",
        ),
        ("CREATE OPERATOR ### (FUNCTION = 'pg_reload_conf', RIGHTARG = int);", "pg_reload_conf()"),
        ("CREATE TABLE t (a bool DEFAULT pg_terminate_backend(1));", "pg_terminate_backend()"),
        ("CREATE VIEW v AS SELECT pg_read_file('/etc/passwd');", "pg_read_file()"),
        (
            "CREATE FUNCTION f() RETURNS bool LANGUAGE internal AS 'pg_reload_conf';",
            "a function in LANGUAGE internal",
        ),
        ("CREATE FUNCTION f() RETURNS int LANGUAGE c AS 'lib', 'sym';", "a function in LANGUAGE c"),
        ("DO LANGUAGE plpython3u $$ import os $$;", "a DO block in LANGUAGE plpython3u"),
    ],
)
def test_a_statement_beyond_the_database_is_found(sql, what):
    assert reach_of(sql) == [(1, what, False)]


def test_bodies_and_execute_strings_are_read_at_their_lines():
    sql = """\
        CREATE TABLE users (id int);
        CREATE FUNCTION kill() RETURNS bool LANGUAGE sql AS $$
            SELECT pg_terminate_backend(1)
        $$;
        CREATE FUNCTION configure() RETURNS void LANGUAGE plpgsql AS $body$
        DECLARE
            done bool := true;
        BEGIN
            PERFORM 1;
            EXECUTE 'ALTER SYSTEM SET work_mem = ''1GB''';
        END
        $body$;
        DO $$
        BEGIN
            IF true THEN
                EXECUTE 'DROP DATABASE ' || quote_ident('other') || ' WITH (FORCE)';
            END IF;
        END $$;
        DO $$ BEGIN EXECUTE format('SELECT %s', 'pg_terminate_backend(1)'); END $$;
        DO $$ BEGIN EXECUTE 'DO $i$ BEGIN PERFORM pg_read_file(''/x''); END $i$'; END $$;
        DO $$ DECLARE v text; BEGIN v := lo_import('/etc/passwd'); END $$;
        CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql SET role = 'postgres' AS $$ BEGIN END $$;
        CREATE FUNCTION g() RETURNS bool LANGUAGE sql BEGIN ATOMIC SELECT pg_promote(); END;
        DO $$ DECLARE done bool := pg_reload_conf(); BEGIN END $$;
        """
    assert reach_of(sql) == [
        (3, "pg_terminate_backend()", False),
        (10, "ALTER SYSTEM", False),
        (16, "DROP DATABASE", False),
        (19, "pg_terminate_backend()", False),
        (20, "pg_read_file()", False),
        (21, "lo_import()", False),
        (22, "SET or RESET ROLE", False),
        (23, "pg_promote()", False),
        (24, "pg_reload_conf()", False),
    ]


def test_execute_of_a_string_with_no_readable_shape_is_refused():
    found = reach_of(
        """\
        DO $$ DECLARE v text := 'DROP DATABASE x'; BEGIN EXECUTE v; END $$;
        DO $$ BEGIN EXECUTE (SELECT 'x'); END $$;
        DO $$ BEGIN EXECUTE 'SELECT 1; ' || 'SEL' || current_user; END $$;
        """
    )
    assert [(line, dynamic) for line, _, dynamic in found] == [(1, False), (2, False), (3, False)]
    assert found[0][1].startswith("EXECUTE v")


def test_execute_built_at_run_time_is_marked_dynamic_not_beyond():
    # What modelsync migration itself writes to rewrite an enum type.
    sql = """\
        DO $$
        DECLARE col record;
        BEGIN
            FOR col IN SELECT a.attrelid::regclass AS tab, quote_ident(a.attname) AS name
                FROM pg_attribute a LOOP
                EXECUTE format('ALTER TABLE %s ALTER COLUMN %s TYPE role USING %s::text::role',
                    col.tab, col.name, col.name);
            END LOOP;
        END $$;
        """
    assert reach_of(sql) == [(6, "EXECUTE of SQL built at run time", True)]


def test_what_modelsync_migration_writes_is_within_the_database():
    files = sorted(GOLDEN.glob("*/expected.sql"))
    assert len(files) > 30
    for path in files:
        statements = split_statements(path.read_text(encoding="utf-8"), path.name)
        beyond = [r for r in reaches([(path.name, statements)]) if not r.dynamic]
        assert beyond == [], path


def test_ordinary_migrations_are_within_the_database():
    sql = """\
        CREATE EXTENSION IF NOT EXISTS vector;
        CREATE TABLE IF NOT EXISTS users (id SERIAL PRIMARY KEY, name TEXT DEFAULT current_user);
        CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_users_name ON users (name);
        GRANT SELECT ON users TO PUBLIC;
        COMMENT ON TABLE users IS 'pg_terminate_backend is only a word here';
        INSERT INTO users (name) VALUES ('pg_read_file');
        SELECT set_config('search_path', 'public', false);
        SET lock_timeout = '10s';
        BEGIN; ALTER TABLE users ADD COLUMN IF NOT EXISTS age int; COMMIT;
        SELECT datname FROM pg_stat_activity;
        DO $$ BEGIN EXECUTE 'ALTER TABLE users ADD COLUMN IF NOT EXISTS city text'; END $$;
        CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN NEW.name := lower(NEW.name); RETURN NEW; END $$;
        """
    assert reach_of(sql) == []


def test_extension_statements_run_as_the_owner_unless_they_cascade():
    def one(sql: str):
        (statement,) = split_statements(sql, "m.sql")
        return runs_as_owner(statement)

    assert one("CREATE EXTENSION IF NOT EXISTS vector;")
    assert one("ALTER EXTENSION vector UPDATE;")
    assert one("DROP EXTENSION IF EXISTS vector;")
    assert not one("CREATE EXTENSION hstore CASCADE;")
    assert not one("CREATE EXTENSION dblink;")
    assert not one("CREATE TABLE t (id int);")


def test_the_shape_of_an_execute_string():
    assert execute_shape("'SELECT 1'") == ("SELECT 1", False)
    assert execute_shape("'ALTER TABLE ' || quote_ident(t) || ' ADD c int'") == (
        "ALTER TABLE x ADD c int",
        True,
    )
    assert execute_shape("format('UPDATE %I SET a = %L', 'users', v)") == (
        "UPDATE \"users\" SET a = 'x'",
        True,
    )
    assert execute_shape("v") is None
    assert execute_shape("upper(v)") is None
    assert format_shape("%2$s %1$s %%", ()) == ("x x %", True)
    assert split_assignment("arr[f(1)] = 2") == ("arr[f(1)] ", " 2")
    assert split_assignment("v := a = b") == ("v ", " a = b")


# ---------------------------------------------------------------- attacks on a real server

ATTACKS = {
    "001_create_users.sql": CREATE_USERS,
    "002_drop_other.sql": "-- tidy up\nDROP DATABASE IF EXISTS {victim} WITH (FORCE);\n",
    "003_configure.sql": "ALTER SYSTEM SET work_mem = '1GB';\nSELECT pg_reload_conf();\n",
    "004_role.sql": "SELECT 1;\n\nCREATE ROLE {role} LOGIN SUPERUSER PASSWORD 'x';\n",
    "005_kick.sql": (
        "DO $$\nBEGIN\n    PERFORM pg_terminate_backend(pid)\n"
        "    FROM pg_stat_activity WHERE pid <> pg_backend_pid();\nEND $$;\n"
    ),
}


def server_facts(admin, victim: str, role: str) -> dict:
    def one(query: str, *args):
        return admin.execute(query, args or None).fetchone()[0]

    return {
        "victim": one("SELECT count(*) FROM pg_database WHERE datname = %s", victim),
        "role": one("SELECT count(*) FROM pg_roles WHERE rolname = %s", role),
        "file_settings": one(
            "SELECT coalesce(string_agg(name || '=' || setting, ','), '') FROM pg_file_settings"
        ),
        "work_mem": one("SELECT setting FROM pg_settings WHERE name = 'work_mem'"),
        "scratch": one(
            "SELECT count(*) FROM pg_database WHERE datname LIKE %s", "modelsync\\_verify\\_%"
        ),
    }


def test_the_four_attacks_are_refused_and_the_server_is_unchanged(
    tmp_path, postgres_server, fresh_database
):
    role = f"evil_{fresh_database}"
    migrations = {
        name: sql.format(victim=fresh_database, role=role) for name, sql in ATTACKS.items()
    }
    root = make_project(tmp_path, USERS, migrations)
    with psycopg.connect(postgres_server.libpq_url(fresh_database), autocommit=True) as other:
        admin = psycopg.connect(postgres_server.libpq_url("postgres"), autocommit=True)
        with admin:
            before = server_facts(admin, fresh_database, role)
            done = run_cli(
                "verify", "--root", root, "--database-url", postgres_server.uri, "--format", "json"
            )
            after = server_facts(admin, fresh_database, role)
        assert other.execute("SELECT 1").fetchone() == (1,)  # the other session is alive
    assert done.returncode == 1, done.stdout + done.stderr
    document = json.loads(done.stdout)
    places = [
        (f["code"], f["migration"]["path"].rsplit("/", 1)[1], f["migration"]["line"])
        for f in document["findings"]
    ]
    assert places == [
        ("MS906", "002_drop_other.sql", 2),
        ("MS906", "003_configure.sql", 1),
        ("MS906", "003_configure.sql", 2),
        ("MS906", "004_role.sql", 3),
        ("MS906", "005_kick.sql", 3),
    ]
    assert document["summary"]["server"].startswith("not used")
    assert after == before and before["victim"] == 1 and before["role"] == 0


def test_the_refusal_comes_before_the_server_is_reached(tmp_path):
    root = make_project(tmp_path, USERS, {"001_x.sql": "DROP DATABASE interview_db;\n"})
    unreachable = "postgresql://admin:1234@/interview_db?host=/nonexistent-socket-dir"
    done = run_cli("verify", "--root", root, "--database-url", unreachable)
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stdout.splitlines()[0] == (
        f"{MIGRATIONS}/001_x.sql:1: MS906 [outside_database] DROP DATABASE acts on databases, "
        "and verify's own are made and dropped by verify alone: verify --database-url does "
        "not run it, nor anything else"
    )
