"""``modelsync verify`` end to end: the real CLI on projects in tmp_path, against the
session's PostgreSQL 18 (``--database-url``), so no test here starts a server."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import jsonschema
import pytest

from tests.conftest import run_cli

MIGRATIONS = "infra/postgres/migrations"
SARIF_SCHEMA = json.loads(
    (Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8")
)

USERS = """
from typing import Optional

from sqlmodel import Field, SQLModel


class User(SQLModel, table=True):
    __tablename__ = "users"
    id: Optional[int] = Field(default=None, primary_key=True)
    email: str = Field(max_length=255, index=True)
    nickname: Optional[str] = Field(default=None, max_length=50)
"""

# What create_all makes of USERS, written by hand as a re-runnable migration.
CREATE_USERS = """\
CREATE TABLE IF NOT EXISTS users (
    id SERIAL NOT NULL,
    email VARCHAR(255) NOT NULL,
    nickname VARCHAR(50),
    PRIMARY KEY (id)
);
CREATE INDEX IF NOT EXISTS ix_users_email ON users (email);
"""


def make_project(root: Path, models: str, migrations: dict[str, str]) -> Path:
    (root / "backend-core").mkdir(parents=True, exist_ok=True)
    (root / "backend-core" / "models.py").write_text(textwrap.dedent(models), encoding="utf-8")
    folder = root / MIGRATIONS
    folder.mkdir(parents=True, exist_ok=True)
    for name, sql in migrations.items():
        (folder / name).write_text(textwrap.dedent(sql), encoding="utf-8")
    return root


def verify(root: Path, server, *args: str):
    return run_cli("verify", "--root", root, "--database-url", server.uri, *args)


def verify_json(root: Path, server) -> tuple[int, dict]:
    done = verify(root, server, "--format", "json")
    assert done.stdout, done.stderr
    return done.returncode, json.loads(done.stdout)


def scratch_databases(server) -> list[str]:
    listed = server.psql("postgres", "-At", "-c", "SELECT datname FROM pg_database").stdout
    return [name for name in listed.split() if name.startswith("modelsync_verify_")]


def test_a_correct_hand_written_migration_verifies(tmp_path, postgres_server):
    root = make_project(tmp_path, USERS, {"001_create_users.sql": CREATE_USERS})
    done = verify(root, postgres_server)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip().splitlines()[-1] == (
        f"verified: 1 migration(s) in {MIGRATIONS} rebuild the models of "
        "backend-core/models.py in states (a), (b) and (c)"
    )


def test_a_forgotten_migration_is_the_missing_column(tmp_path, postgres_server):
    models = USERS + "    age: Optional[int] = None\n"
    root = make_project(tmp_path, models, {"001_create_users.sql": CREATE_USERS})
    code, document = verify_json(root, postgres_server)
    assert code == 1
    (finding,) = document["findings"]
    assert finding["code"] == "MS913" and finding["kind"] == "column_missing"
    assert (finding["table"], finding["column"]) == ("users", "age")
    assert finding["models"] == {"path": "backend-core/models.py", "line": 12, "value": "integer"}
    # The statement that last touched the table (its index) is where to look; the fix is
    # a new migration.
    assert finding["migration"] == {
        "path": f"{MIGRATIONS}/001_create_users.sql",
        "line": 7,
        "value": None,
    }
    assert "(in state (a), (c))" in finding["message"]
    assert "modelsync migration" in finding["fix"]
    assert document["summary"]["states"] == {"a": "differs", "b": "verified", "c": "differs"}


def test_a_wrong_type_names_both_values_and_the_file(tmp_path, postgres_server):
    wrong = CREATE_USERS.replace("nickname VARCHAR(50)", "nickname VARCHAR(255)")
    root = make_project(tmp_path, USERS, {"001_create_users.sql": wrong})
    done = verify(root, postgres_server)
    assert done.returncode == 1
    assert done.stdout.splitlines()[0] == (
        f"{MIGRATIONS}/001_create_users.sql:1: MS915 [type] users.nickname: type differs: "
        "character varying(50) from create_all, character varying(255) after the migrations "
        "(in state (a), (c)); last touched by 001_create_users.sql "
        "(models: backend-core/models.py:11)"
    )


def test_a_syntax_error_is_reported_before_any_server(tmp_path, postgres_server):
    broken = {"001_create_users.sql": CREATE_USERS, "002_broken.sql": "ALTER TABLE users ADD;\n"}
    root = make_project(tmp_path, USERS, broken)
    code, document = verify_json(root, postgres_server)
    assert code == 1
    (finding,) = document["findings"]
    assert finding["kind"] == "migration-sql"
    assert finding["migration"]["path"] == f"{MIGRATIONS}/002_broken.sql"
    assert finding["migration"]["line"] == 1
    assert "syntax error" in finding["message"]
    assert document["summary"]["server"].startswith("not started")


def test_a_migration_that_fails_on_apply_names_file_line_and_postgres_message(
    tmp_path, postgres_server
):
    failing = (
        "-- add the age\n\nALTER TABLE users\n    ADD COLUMN age INTEGER REFERENCES teams (id);\n"
    )
    root = make_project(
        tmp_path, USERS, {"001_create_users.sql": CREATE_USERS, "002_add_age.sql": failing}
    )
    done = verify(root, postgres_server)
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    # The statement starts on line 3; every state applies 002 and fails there: one finding.
    assert lines[0] == (
        f"{MIGRATIONS}/002_add_age.sql:3: MS901 [migration_failed] fails to apply in state "
        "(a) baseline + migrations and (b) create_all, then migrations and (c) empty database "
        '+ migrations + create_all: relation "teams" does not exist'
    )
    assert sum("MS901" in line for line in lines) == 1


def test_two_files_with_the_same_number(tmp_path, postgres_server):
    migrations = {
        "001_create_users.sql": CREATE_USERS,
        "002_add_age.sql": "ALTER TABLE users ADD COLUMN IF NOT EXISTS age INTEGER;\n",
        "002_add_city.sql": "ALTER TABLE users ADD COLUMN IF NOT EXISTS city TEXT;\n",
    }
    root = make_project(tmp_path, USERS, migrations)
    code, document = verify_json(root, postgres_server)
    assert code == 1
    (finding,) = document["findings"]
    assert finding["kind"] == "migration-number"
    assert "both have number 002" in finding["message"]


def test_a_migration_that_changes_nothing_is_a_warning(tmp_path, postgres_server):
    migrations = {"001_create_users.sql": CREATE_USERS, "002_nothing.sql": "SELECT 1;\n"}
    root = make_project(tmp_path, USERS, migrations)
    code, document = verify_json(root, postgres_server)
    assert code == 0
    (finding,) = document["findings"]
    assert (finding["code"], finding["severity"]) == ("MS903", "warning")
    assert finding["migration"]["path"] == f"{MIGRATIONS}/002_nothing.sql"


def test_database_url_leaves_no_database_behind_and_hides_the_password(tmp_path, postgres_server):
    root = make_project(tmp_path, USERS + "    age: int\n", {"001_create_users.sql": CREATE_USERS})
    before = scratch_databases(postgres_server)
    # The session's server trusts local connections, so any password gets in.
    url = postgres_server.uri.replace("postgres:@", "postgres:Sup3rSecret@")
    done = run_cli("verify", "--root", root, "--database-url", url, "--format", "json")
    assert done.returncode == 1
    assert json.loads(done.stdout)["summary"]["server"].startswith("postgresql://postgres:***@")
    assert "Sup3rSecret" not in done.stdout + done.stderr
    assert scratch_databases(postgres_server) == before == []
    unreachable = "postgresql://admin:Sup3rSecret@/interview_db?host=/nonexistent-socket-dir"
    done = run_cli("verify", "--root", root, "--database-url", unreachable)
    assert done.returncode == 2
    (line,) = done.stderr.splitlines()
    assert line.startswith("modelsync: error: cannot connect to postgresql://admin:***@/")
    assert "Sup3rSecret" not in done.stdout + done.stderr


@pytest.mark.parametrize("output_format", ["github", "sarif"])
def test_other_formats(tmp_path, postgres_server, output_format):
    wrong = CREATE_USERS.replace("nickname VARCHAR(50)", "nickname TEXT")
    root = make_project(tmp_path, USERS, {"001_create_users.sql": wrong})
    done = verify(root, postgres_server, "--format", output_format)
    assert done.returncode == 1
    if output_format == "github":
        assert done.stdout.startswith(f"::error file={MIGRATIONS}/001_create_users.sql,line=1,")
    else:
        document = json.loads(done.stdout)
        jsonschema.Draft4Validator(SARIF_SCHEMA).validate(document)
        (run,) = document["runs"]
        assert [r["ruleId"] for r in run["results"]] == ["MS915"]
        assert "MS901" in {rule["id"] for rule in run["tool"]["driver"]["rules"]}


def test_broken_models_are_bad_input(tmp_path, postgres_server):
    models = USERS + "\nraise RuntimeError('DATABASE_URL is not set')\n"
    root = make_project(tmp_path, models, {"001_create_users.sql": CREATE_USERS})
    done = verify(root, postgres_server)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "modelsync: error: backend-core/models.py:13: building the models with SQLModel "
        "failed: RuntimeError: DATABASE_URL is not set"
    ]
    assert scratch_databases(postgres_server) == []
