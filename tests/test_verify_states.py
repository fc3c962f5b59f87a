"""verify's three states on real chains: migrations written by ``modelsync migration``,
and a baseline from git (``--baseline-ref``). Against the session's server."""

from __future__ import annotations

import json
import subprocess
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from modelsync.cli import main
from tests.conftest import run_cli

MIGRATIONS = "infra/postgres/migrations"
HEAD = """
import enum
from typing import Optional

from sqlmodel import Field, SQLModel


class Role(str, enum.Enum):
    ADMIN = "ADMIN"
    USER = "USER"
"""
USERS = """

class User(SQLModel, table=True):
    __tablename__ = "users"
    id: Optional[int] = Field(default=None, primary_key=True)
    email: str = Field(max_length=255, index=True)
"""
COMPANIES = """

class Company(SQLModel, table=True):
    __tablename__ = "companies"
    id: str = Field(primary_key=True, max_length=20)
    name: str = Field(unique=True, max_length=100)
"""
# Five model changes, each followed by `modelsync migration`.
STEPS = [
    ("create_users", HEAD + USERS),
    ("add_companies", HEAD + USERS + COMPANIES),
    (
        "user_company_and_role",
        HEAD
        + USERS
        + '    company_id: Optional[str] = Field(default=None, foreign_key="companies.id", '
        'max_length=20, ondelete="CASCADE")\n' + "    role: Role = Role.USER\n" + COMPANIES,
    ),
    ("company_website", None),
    ("longer_email", None),
]


def write_models(root: Path, text: str) -> None:
    path = root / "backend-core" / "models.py"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")


def generate_migration(root: Path, name: str) -> None:
    # In-process: the real command, without a Python start-up and SQLAlchemy import per file.
    result = CliRunner().invoke(main, ["migration", name, "--root", str(root)])
    assert result.exit_code == 0, result.output


def test_five_generated_migrations_verify_clean(tmp_path, postgres_server):
    models = ""
    for name, text in STEPS:
        if name == "company_website":
            text = models.replace(
                "    name: str = Field(unique=True, max_length=100)\n",
                "    name: str = Field(unique=True, max_length=100)\n"
                "    website: Optional[str] = Field(default=None, max_length=255)\n",
            )
        elif name == "longer_email":
            text = models.replace("max_length=255, index=True", "max_length=320, index=True")
        assert text != models
        models = text
        write_models(tmp_path, models)
        generate_migration(tmp_path, name)
    files = sorted(p.name for p in (tmp_path / MIGRATIONS).glob("*.sql"))
    assert files == [f"{n:03d}_{name}.sql" for n, (name, _) in enumerate(STEPS, start=1)]
    done = run_cli(
        "verify", "--root", tmp_path, "--database-url", postgres_server.uri, "--format", "json"
    )
    document = json.loads(done.stdout)
    assert done.returncode == 0, done.stdout
    assert document["findings"] == []
    assert document["summary"]["states"] == {"a": "verified", "b": "verified", "c": "verified"}
    assert document["summary"]["migration_files"] == 5


def git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        check=True,
        capture_output=True,
    )


def test_an_unguarded_alter_is_correct_on_the_baseline_but_fails_on_an_empty_database(
    tmp_path, postgres_server
):
    # The team's database predates the migrations folder: the models at the first commit.
    write_models(tmp_path, HEAD + USERS)
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-qm", "models before migrations")
    write_models(tmp_path, HEAD + USERS + "    age: Optional[int] = None\n")
    folder = tmp_path / MIGRATIONS
    folder.mkdir(parents=True)
    # Guarded against create_all having run (b), not against the table being absent (c).
    (folder / "001_add_age.sql").write_text(
        "ALTER TABLE users ADD COLUMN IF NOT EXISTS age INTEGER;\n", encoding="utf-8"
    )
    done = run_cli(
        "verify",
        "--root",
        tmp_path,
        "--database-url",
        postgres_server.uri,
        "--baseline-ref",
        "HEAD",
        "--format",
        "json",
    )
    document = json.loads(done.stdout)
    assert done.returncode == 1, done.stdout + done.stderr
    assert document["summary"]["states"] == {"a": "verified", "b": "verified", "c": "failed"}
    assert document["summary"]["baseline"] == "HEAD:backend-core/models.py"
    (finding,) = document["findings"]
    assert finding["code"] == "MS901"
    assert finding["migration"]["path"] == f"{MIGRATIONS}/001_add_age.sql"
    assert finding["migration"]["line"] == 1
    assert finding["message"] == (
        "fails to apply in state (c) empty database + migrations + create_all: "
        'relation "users" does not exist'
    )


def test_the_schema_state_baseline_starts_states_a_and_b(tmp_path, postgres_server):
    write_models(tmp_path, HEAD + USERS)
    result = CliRunner().invoke(main, ["migration", "--baseline", "--root", str(tmp_path)])
    assert result.exit_code == 0, result.output
    write_models(tmp_path, HEAD + USERS + "    age: Optional[int] = None\n")
    generate_migration(tmp_path, "add_age")
    # A data-only file on top, guarded for an empty database: it changes nothing in the
    # schema of state (a), which is worth a warning.
    (tmp_path / MIGRATIONS / "002_touch_users.sql").write_text(
        "DO $$ BEGIN IF to_regclass('users') IS NOT NULL THEN "
        "UPDATE users SET age = 0 WHERE age IS NULL; END IF; END $$;\n",
        encoding="utf-8",
    )
    done = run_cli(
        "verify", "--root", tmp_path, "--database-url", postgres_server.uri, "--format", "json"
    )
    document = json.loads(done.stdout)
    assert done.returncode == 0, done.stdout + done.stderr
    assert document["summary"]["baseline"] == f"{MIGRATIONS}/schema_state.json (baseline)"
    assert document["summary"]["states"] == {"a": "verified", "b": "verified", "c": "verified"}
    assert [(f["code"], f["migration"]["path"]) for f in document["findings"]] == [
        ("MS903", f"{MIGRATIONS}/002_touch_users.sql")
    ]


# A new table's index and column comment, on columns a later model drops: the app of the
# latest models starting before the migrations (state (b)) has made the table without them.
NOTES = """
from typing import Optional

from sqlmodel import Field, SQLModel


class Note(SQLModel, table=True):
    __tablename__ = "notes"
    id: Optional[int] = Field(default=None, primary_key=True)
    body: str
"""
NOTES_FIRST = NOTES + (
    "    slug: str = Field(index=True, max_length=40)\n"
    '    title: str = Field(sa_column_kwargs={"comment": "shown in lists"})\n'
)


def assert_chain_verifies(root: Path, server, steps) -> None:
    """Each (name, models) written and followed by ``migration NAME --allow-destructive``
    (drops live, as a team that reviewed them would have them); then verify finds nothing."""
    for name, text in steps:
        write_models(root, text)
        result = CliRunner().invoke(
            main, ["migration", name, "--allow-destructive", "--root", str(root)]
        )
        assert result.exit_code == 0, result.output
    done = run_cli("verify", "--root", root, "--database-url", server.uri, "--format", "json")
    document = json.loads(done.stdout)
    assert document["findings"] == [], done.stdout
    assert document["summary"]["states"] == {"a": "verified", "b": "verified", "c": "verified"}


def test_a_new_tables_index_on_a_column_dropped_later_verifies_in_every_state(
    tmp_path, postgres_server
):
    steps = (("create_notes", NOTES_FIRST), ("drop_slug_and_title", NOTES))
    assert_chain_verifies(tmp_path, postgres_server, steps)


@pytest.mark.skip(
    reason="not yet: a statement on an existing table's column (type, NOT NULL, default, "
    "comment, index, unique, foreign key) runs where create_all of later models made the "
    "table without that column and fails in state (b); it needs a column guard per statement"
)
def test_a_change_to_a_column_dropped_later_verifies_in_every_state(tmp_path, postgres_server):
    first = NOTES + (
        "    slug: Optional[str] = Field(default=None, max_length=20)\n"
        "    rank: Optional[int] = None\n"
    )
    changed = NOTES + (
        "    slug: Optional[str] = Field(default=None, max_length=40, index=True)\n"
        "    rank: int = Field(default=0, unique=True)\n"
    )
    steps = (("create_notes", first), ("change_slug_rank", changed), ("drop", NOTES))
    assert_chain_verifies(tmp_path, postgres_server, steps)
