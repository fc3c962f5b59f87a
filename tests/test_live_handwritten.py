"""``check --database-url`` on databases that no SQLAlchemy built, on the session's PostgreSQL 18.

A database that matches the models reports nothing, whatever tool built it. Each pair in
``tests/live/handwritten`` is a models file and the DDL a team would write by hand for it
(SERIAL spelled out, IDENTITY, ``timestamptz(6)``, quoted names, ``CREATE TYPE``, FKs inline,
table-level and by ALTER TABLE, indexes CONCURRENTLY, a partitioned table, views, Alembic's
version table...): checked against it, only the notes listed here (what only the server
could compare) are reported, and the migration written from it is empty.

Also here: a schema other than public (the migration's statements reach its tables, not
public's namesakes), and a role that cannot use the schema (refused, never false drift).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from modelsync.dburl import parse_database_url
from modelsync.live.run import database_check, database_schema
from modelsync.migrate.sql import migration_sql
from modelsync.schema.load import load_schema
from modelsync.schema.release import rules_for
from tests.pg_server import PSQL

HANDWRITTEN = Path(__file__).parent / "live" / "handwritten"
CASES = sorted(p.stem for p in HANDWRITTEN.glob("*.sql"))
# case -> the notes (table, column) the comparison must write: each an exact comparison
# only the server could make, never a difference.
NOTES = {
    "types_and_sequences": {
        ("items", "ttl"),  # '1 hour' is stored as '01:00:00'::interval
        ("items", "starts"),  # '2020-1-1' is stored as '2020-01-01'::date
        ("tags", "id"),  # nextval of a sequence the column does not own
    },
    "constraints_and_names": set(),
}
# A new schema public has no grants: PUBLIC's USAGE is given back as initdb gives it.
RESET = """
DROP SCHEMA IF EXISTS public, app, hidden CASCADE;
CREATE SCHEMA public;
GRANT USAGE ON SCHEMA public TO PUBLIC;
CREATE EXTENSION vector;
"""


@pytest.fixture(scope="module")
def database(postgres_server):
    name = postgres_server.create_database("handwritten")
    try:
        yield postgres_server.libpq_url(name)
    finally:
        postgres_server.drop_database(name)


def _build(url: str, sql: str) -> None:
    """The DDL as psql runs a file: statement by statement (CREATE INDEX CONCURRENTLY
    cannot run in a transaction)."""
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(RESET)
    command = [str(PSQL), "-X", "-q", "-v", "ON_ERROR_STOP=1", url, "-f", "-"]
    done = subprocess.run(command, input=sql, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def _schema(path: Path):
    return load_schema(path, f"handwritten/{path.name}", rules_for(None))


@pytest.fixture(scope="module")
def handwritten(database):
    """Per case: the findings of check and the migration written from the database."""
    results = {}
    for case in CASES:
        _build(database, (HANDWRITTEN / f"{case}.sql").read_text(encoding="utf-8"))
        models = _schema(HANDWRITTEN / f"{case}.py")
        url = parse_database_url(database)
        checked = database_check(models, url, "public", ())
        source, _ = database_schema(models, url, "public", ())
        results[case] = (checked, migration_sql(source.schema, models))
    return results


@pytest.mark.parametrize("case", CASES)
def test_a_handwritten_database_that_matches_reports_nothing(handwritten, case):
    checked, _ = handwritten[case]
    drift = [f.message for f in checked.findings if f.severity != "note"]
    assert drift == []
    notes = {(f.table, f.column) for f in checked.findings if f.severity == "note"}
    assert notes == NOTES[case], [f.message for f in checked.findings]
    assert all(f.kind == "not_compared" for f in checked.findings)


@pytest.mark.parametrize("case", CASES)
def test_the_migration_from_a_matching_handwritten_database_is_empty(handwritten, case):
    assert handwritten[case][1] == ""


def test_alembics_version_table_is_known_by_its_shape(handwritten):
    # alembic_version, and app_versions (env.py's version_table): left out and counted.
    checked, _ = handwritten["constraints_and_names"]
    assert checked.summary["ignored_tables"] == 2


def test_a_table_shaped_like_alembics_under_another_key_name_is_compared(database):
    _build(database, "CREATE TABLE versions (version_num varchar(32) PRIMARY KEY)")
    models = _schema(HANDWRITTEN / "constraints_and_names.py")
    checked = database_check(models, parse_database_url(database), "public", ())
    assert "table_not_in_models" in {f.kind for f in checked.findings}
    assert checked.summary["ignored_tables"] == 0


# --------------------------------------------------------------------------- another schema

APP_SCHEMA = """
CREATE SCHEMA app;
CREATE TYPE app.role AS ENUM ('CANDIDATE', 'ADMIN');
-- An enum type kept in public, used by app's table.
CREATE TYPE public.level AS ENUM ('LOW', 'HIGH');
CREATE TABLE app.users (id serial PRIMARY KEY, role app.role NOT NULL DEFAULT 'CANDIDATE',
                        email varchar(100) NOT NULL UNIQUE, level public.level, extra int);
CREATE INDEX ix_users_role ON app.users (role);
CREATE TABLE app.legacy (id int);
-- public's namesakes, which the migration of schema app must not touch.
CREATE TABLE public.users (id serial PRIMARY KEY, extra int);
CREATE TABLE public.legacy (id int);
"""
# The enums of the models below (SQLAlchemy stores their names: CANDIDATE, LOW).
ENUMS = """
import enum
from typing import Optional
from sqlalchemy import Column, Enum
from sqlmodel import Field, SQLModel


class Role(str, enum.Enum):
    CANDIDATE = "candidate"
    ADMIN = "admin"


class Level(str, enum.Enum):
    LOW = "low"
    HIGH = "high"
"""
APP_MODELS = (
    ENUMS
    + """

class User(SQLModel, table=True):
    __tablename__ = "users"
    id: Optional[int] = Field(default=None, primary_key=True)
    role: Role = Field(default=Role.CANDIDATE, index=True, sa_column_kwargs={"server_default": "CANDIDATE"})
    email: str = Field(max_length=100, unique=True)
    level: Optional[Level] = None
"""
)


def _cli(root: Path, *args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "modelsync", *args, "--root", str(root)]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, env=os.environ)


def _project(root: Path) -> Path:
    (root / "models.py").write_text(APP_MODELS, encoding="utf-8")
    (root / "pyproject.toml").write_text(
        '[tool.modelsync]\nsource = "models.py"\ntarget = "models.py"\nmigrations = "m"\n',
        encoding="utf-8",
    )
    return root


def test_a_migration_from_another_schema_changes_that_schema_only(database, tmp_path):
    _build(database, APP_SCHEMA)
    root = _project(tmp_path)
    written = _cli(root, "migration", "--stdout", "--allow-destructive", "--from-database",
                   database, "--db-schema", "app")  # fmt: skip
    assert written.returncode == 0, written.stderr
    assert 'SET search_path TO "app", "public";' in written.stdout
    assert "DROP COLUMN IF EXISTS extra" in written.stdout
    command = [str(PSQL), "-X", "-q", "-v", "ON_ERROR_STOP=1", database, "-c", written.stdout]
    applied = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert applied.returncode == 0, applied.stderr
    checked = _cli(root, "check", "--database-url", database, "--db-schema", "app")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    with psycopg.connect(database) as connection:
        left = connection.execute(
            "SELECT count(*) FROM information_schema.columns"
            " WHERE table_schema = 'public' AND table_name = 'users' AND column_name = 'extra'"
        ).fetchone()[0]
        legacy = connection.execute("SELECT to_regclass('public.legacy')").fetchone()[0]
    assert left == 1 and legacy is not None


# An extension in a schema nobody may use, which the tables do not need.
HIDDEN = """
CREATE SCHEMA hidden;
CREATE EXTENSION hstore SCHEMA hidden;
REVOKE ALL ON SCHEMA hidden FROM PUBLIC;
"""


def test_a_role_without_usage_on_the_schema_is_refused_not_given_false_drift(database, tmp_path):
    _build(database, APP_SCHEMA + HIDDEN)
    root = _project(tmp_path)
    role, secret = f"no_usage_{os.getpid()}", "S3cret-no-usage"
    host = database.split("?host=")[1]
    name = database.split("?")[0].rsplit("/", 1)[1]
    with psycopg.connect(database, autocommit=True) as connection:
        connection.execute(f"CREATE ROLE {role} LOGIN PASSWORD '{secret}'")
    try:
        url = f"postgresql://{role}:{secret}@/{name}?host={host}"
        refused = _cli(root, "check", "--database-url", url, "--db-schema", "app")
        with psycopg.connect(database, autocommit=True) as connection:
            connection.execute(f"GRANT USAGE ON SCHEMA app TO {role}")
        granted = _cli(root, "check", "--database-url", url, "--db-schema", "app")
    finally:
        with psycopg.connect(database, autocommit=True) as connection:
            connection.execute(f"DROP OWNED BY {role}")
            connection.execute(f"DROP ROLE {role}")
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert refused.stderr.count("\n") == 1 and "no USAGE on schema app" in refused.stderr
    assert f"GRANT USAGE ON SCHEMA app TO {role}" in refused.stderr
    assert secret not in refused.stdout + refused.stderr
    # With USAGE, the role sees the schema as its owner does: the drift is real drift.
    assert granted.returncode == 1, granted.stderr
    assert "[column_extra] column users.extra" in granted.stdout, granted.stdout
    assert "public.role" not in granted.stdout and "app.role" not in granted.stdout


# --------------------------------------------------------------------------- unresolved types

ENUM_SQL = """
CREATE TYPE role AS ENUM ('candidate', 'admin');
CREATE TYPE level AS ENUM ('low', 'high');
CREATE TABLE users (id serial PRIMARY KEY, role role NOT NULL, level level);
"""
ENUM_MODELS = (
    ENUMS
    + """

class User(SQLModel, table=True):
    __tablename__ = "users"
    id: Optional[int] = Field(default=None, primary_key=True)
    role: Role
    level: Optional[Level] = Field(
        default=None,
        sa_column=Column(Enum(Level, values_callable=lambda e: [m.value for m in e])),
    )
"""
)


def test_an_enum_the_models_reading_cannot_resolve_is_a_note_and_labels_still_count(
    database, tmp_path
):
    _build(database, ENUM_SQL)
    path = tmp_path / "models.py"
    path.write_text(ENUM_MODELS, encoding="utf-8")
    checked = database_check(_schema(path), parse_database_url(database), "public", ())
    found = sorted((f.kind, f.column or "") for f in checked.findings)
    # SQLAlchemy stores Role's names (CANDIDATE): the database's labels are real drift.
    # Level's labels come from values_callable: not compared, neither the type nor the
    # enum type behind it (no "enum type level is not in the models").
    assert found == [("enum_labels", ""), ("not_compared", "level")]


# --------------------------------------------------------------------------- naming_convention

CONVENTION_MODELS = """
from typing import Optional
from sqlalchemy import CheckConstraint
from sqlmodel import Field, SQLModel

SQLModel.metadata.naming_convention = {
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Team(SQLModel, table=True):
    __tablename__ = "teams"
    __table_args__ = (CheckConstraint("length(name) > 0", name="name_nonempty"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
"""
# What create_all (or Alembic) makes of it under that convention.
CONVENTION_SQL = """
CREATE TABLE teams (
    id SERIAL CONSTRAINT pk_teams PRIMARY KEY,
    name VARCHAR NOT NULL CONSTRAINT uq_teams_name UNIQUE,
    CONSTRAINT ck_teams_name_nonempty CHECK (length(name) > 0)
);
"""


def test_names_under_a_naming_convention_the_models_reading_skips_are_notes(database, tmp_path):
    _build(database, CONVENTION_SQL)
    path = tmp_path / "models.py"
    path.write_text(CONVENTION_MODELS, encoding="utf-8")
    models = _schema(path)
    url = parse_database_url(database)
    checked = database_check(models, url, "public", ())
    assert {(f.kind, f.severity) for f in checked.findings} == {("not_compared", "note")}
    assert len(checked.findings) == 2  # the unique and the check constraint's names
    source, _ = database_schema(models, url, "public", ())
    assert migration_sql(source.schema, models) == ""
