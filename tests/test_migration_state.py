"""The schema state (``schema_state.json``): exact round trip, stable text, real git merges."""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from modelsync.drift.pending import pending_findings
from modelsync.errors import InputError
from modelsync.migrate.folder import migration_files
from modelsync.migrate.state import (
    STATE_FILE,
    SchemaState,
    advanced_state,
    baseline_state,
    files_after_baseline,
    parse_state,
    read_state,
    schema_from_json,
    schema_to_json,
    state_text,
    stored_schema,
    write_state,
)
from modelsync.records import replace
from modelsync.schema.ir import Schema
from modelsync.schema.load import load_schema
from modelsync.schema.release import rules_for
from tests.conftest import schema_of

CORPUS = sorted((Path(__file__).parent / "corpus").glob("*.py"))
RULES = rules_for(None)

MODELS = """
    from typing import Optional
    from sqlmodel import Field, SQLModel

    class Company(SQLModel, table=True):
        __tablename__ = "companies"
        id: str = Field(primary_key=True, max_length=20)
        name: str

    class User(SQLModel, table=True):
        __tablename__ = "users"
        id: Optional[int] = Field(default=None, primary_key=True)
        email: str = Field(unique=True, index=True)
        company_id: str = Field(foreign_key="companies.id", ondelete="CASCADE")
"""


def corpus_schema(path: Path) -> Schema:
    return load_schema(path, f"tests/corpus/{path.name}", RULES)


@pytest.mark.parametrize("path", CORPUS, ids=[p.name for p in CORPUS])
def test_round_trip_is_exact_over_the_corpus(path: Path) -> None:
    schema = corpus_schema(path)
    state = SchemaState(schema, "004_add_things.sql", schema, "002_start.sql")
    text = state_text(state)
    back = parse_state(text, STATE_FILE)
    assert back.schema == stored_schema(schema)
    assert back.baseline == stored_schema(schema)
    assert (back.head, back.baseline_after) == ("004_add_things.sql", "002_start.sql")
    # Every DDL-relevant attribute survives, table by table and column by column.
    for table in schema.tables:
        kept = back.schema.table(table.name)
        assert kept == table
        assert kept.class_name == table.class_name
        assert [c.attribute for c in kept.columns] == [c.attribute for c in table.columns]
        assert [i.from_column for i in kept.indexes] == [i.from_column for i in table.indexes]
    assert state_text(back) == text
    assert schema_from_json(json.loads(json.dumps(schema_to_json(schema)))) == back.schema


def test_the_corpus_exercises_every_stored_record() -> None:
    """The round trip above is only meaningful if the corpus has each kind of record."""
    schemas = [corpus_schema(p) for p in CORPUS]
    tables = [t for s in schemas for t in s.tables]
    columns = [c for t in tables for c in t.columns]
    indexes = [i for t in tables for i in t.indexes]
    assert any(t.unique_constraints for t in tables)
    assert any(t.check_constraints for t in tables)
    assert any(i.with_ and i.ops and i.using for i in indexes)
    assert any(i.where for i in indexes)
    assert any(s.enums for s in schemas)
    assert any(c.comment for c in columns)
    assert any(c.identity and c.identity.options for c in columns)
    assert any(c.computed for c in columns)
    assert any(e.expression for i in indexes for e in i.elements)
    assert any(e.order and e.nulls for i in indexes for e in i.elements)
    assert any(c.attribute != c.name for c in columns)


def test_text_is_sorted_stable_and_ignores_source_lines() -> None:
    schema = schema_of(MODELS)
    text = state_text(SchemaState(schema, None, None, None))
    assert text.endswith("}\n") and not text.endswith("\n\n")
    # Other line numbers (the classes moved down) are not a schema change.
    assert state_text(SchemaState(schema_of("\n\n\n" + MODELS), None, None, None)) == text
    reordered = replace(schema, tables=tuple(reversed(schema.tables)))
    assert state_text(SchemaState(reordered, None, None, None)) == text
    document = json.loads(text)
    assert [t["name"] for t in document["schema"]["tables"]] == ["companies", "users"]
    assert list(document) == ["modelsync_schema_state", "head", "baseline_after", "schema"]
    assert document["head"] is None


def test_one_line_per_column() -> None:
    schema = schema_of(MODELS)
    text = state_text(SchemaState(schema, None, None, None))
    column_lines = [line for line in text.splitlines() if '"type": ' in line]
    assert len(column_lines) == sum(len(t.columns) for t in schema.tables)
    email = next(line for line in column_lines if '"email"' in line)
    assert json.loads(email.strip().rstrip(",")) == {
        "name": "email",
        "type": "VARCHAR",
        "nullable": False,
        "unique": True,
        "index": True,
    }


def test_read_and_write_in_a_folder(tmp_path: Path) -> None:
    folder = tmp_path / "infra" / "postgres" / "migrations"
    assert read_state(folder, "infra/postgres/migrations") is None
    state = SchemaState(stored_schema(schema_of(MODELS)), "001_init.sql", None, None)
    path = write_state(folder, state)
    assert path == folder / STATE_FILE
    assert [p.name for p in folder.iterdir()] == [STATE_FILE]  # no temporary left behind
    assert read_state(folder, "infra/postgres/migrations") == state


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ('{\n  "modelsync_schema_state": 1,\n  "head": nope\n}\n', 3, "not valid JSON"),
        ('{"modelsync_schema_state": 9}\n', 1, "modelsync_schema_state"),
        ("[]\n", 1, "not a schema state"),
    ],
)
def test_broken_files_are_input_errors_with_a_line(text: str, line: int, words: str) -> None:
    with pytest.raises(InputError) as raised:
        parse_state(text, "m/schema_state.json")
    assert (raised.value.path, raised.value.line) == ("m/schema_state.json", line)
    assert words in raised.value.message


def test_a_bad_table_names_its_line() -> None:
    text = state_text(SchemaState(schema_of(MODELS), None, None, None))
    broken = text.replace('"type": "VARCHAR", "nullable": false, "unique"', '"typo": 1, "unique"')
    with pytest.raises(InputError) as raised:
        parse_state(broken, "schema_state.json")
    lines = broken.splitlines()
    assert lines[raised.value.line - 1].strip() == "{"
    assert '"name": "users"' in lines[raised.value.line]
    assert "typo" in raised.value.message


def _git(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_two_branches_changing_the_schema_conflict_on_the_state(tmp_path: Path) -> None:
    """Each branch adds a column to a different table and writes its migration: git
    cannot merge the states cleanly, and reading the conflicted file says why."""
    base = stored_schema(schema_of(MODELS))
    folder = tmp_path / "migrations"
    write_state(folder, SchemaState(base, "003_base.sql", None, None))
    assert _git(tmp_path, "init", "-q", "-b", "main").returncode == 0
    _git(tmp_path, "add", ".")
    assert _git(tmp_path, "commit", "-qm", "base").returncode == 0

    def branch(name: str, models: str, head: str) -> None:
        _git(tmp_path, "checkout", "-qb", name, "main")
        write_state(folder, SchemaState(stored_schema(schema_of(models)), head, None, None))
        _git(tmp_path, "add", ".")
        assert _git(tmp_path, "commit", "-qm", name).returncode == 0

    branch("a", MODELS + "        bio: str\n", "004_add_bio.sql")
    branch("b", MODELS.replace("name: str", "name: str\n        city: str"), "004_add_city.sql")
    _git(tmp_path, "checkout", "-q", "a")
    merge = _git(tmp_path, "merge", "-q", "b")
    assert merge.returncode != 0
    assert "CONFLICT" in merge.stdout + merge.stderr
    with pytest.raises(InputError) as raised:
        read_state(folder, "migrations")
    assert "merge conflict" in raised.value.message
    conflicted = (folder / STATE_FILE).read_text().splitlines()
    assert conflicted[raised.value.line - 1].startswith("<<<<<<<")
    assert '"head": "004_add_bio.sql"' in conflicted[raised.value.line]


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_a_branch_without_a_schema_change_merges_cleanly(tmp_path: Path) -> None:
    base = stored_schema(schema_of(MODELS))
    folder = tmp_path / "migrations"
    write_state(folder, SchemaState(base, "003_base.sql", None, None))
    _git(tmp_path, "init", "-q", "-b", "main")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-qm", "base")
    _git(tmp_path, "checkout", "-qb", "a")
    write_state(
        folder,
        SchemaState(
            stored_schema(schema_of(MODELS + "        bio: str\n")), "004_add_bio.sql", None, None
        ),
    )
    _git(tmp_path, "commit", "-qam", "a")
    _git(tmp_path, "checkout", "-q", "main")
    (tmp_path / "README").write_text("docs only\n")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-qm", "docs")
    assert _git(tmp_path, "merge", "-q", "a").returncode == 0
    assert read_state(folder, "migrations").head == "004_add_bio.sql"


def _files(folder: Path, *names: str):
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / name).write_text("SELECT 1;\n")
    return migration_files(folder, "migrations")


def test_baseline_records_the_models_after_the_existing_files(tmp_path: Path) -> None:
    files = _files(tmp_path / "migrations", "002_more.sql", "001_init.sql")
    schema = schema_of(MODELS)
    state = baseline_state(schema, files)
    assert state == SchemaState(
        stored_schema(schema), "002_more.sql", stored_schema(schema), "002_more.sql"
    )
    assert files_after_baseline(files, state, STATE_FILE) == ()
    later = _files(tmp_path / "migrations", "003_bio.sql")
    assert [f.name for f in files_after_baseline(later, state, STATE_FILE)] == ["003_bio.sql"]
    back = parse_state(state_text(state), STATE_FILE)
    assert back == state


def test_a_baseline_before_any_file_keeps_every_file(tmp_path: Path) -> None:
    schema = schema_of(MODELS)
    state = baseline_state(schema, ())
    assert (state.head, state.baseline_after) == (None, None)
    files = _files(tmp_path / "migrations", "001_init.sql")
    assert files_after_baseline(files, state, STATE_FILE) == files


def test_a_baseline_after_a_vanished_file_is_bad_input(tmp_path: Path) -> None:
    state = baseline_state(schema_of(MODELS), _files(tmp_path / "old", "001_init.sql"))
    with pytest.raises(InputError, match="recorded after 001_init.sql, which is not in"):
        files_after_baseline(_files(tmp_path / "new", "001_start.sql"), state, STATE_FILE)


def test_advancing_keeps_the_baseline() -> None:
    first = baseline_state(schema_of(MODELS), ())
    newer = schema_of(MODELS + "        bio: str\n")
    state = advanced_state(first, newer, "001_add_bio.sql")
    assert state == SchemaState(stored_schema(newer), "001_add_bio.sql", first.baseline, None)
    assert advanced_state(None, newer, "001_x.sql").baseline is None


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3) | st.sampled_from(["", "id", "users", "x y"]),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(["name", "type", "k"]), inner, max_size=2)
    ),
    max_leaves=6,
)


def _paths(obj: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix]
    if isinstance(obj, dict):
        for key, value in obj.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(obj, list):
        for i, value in enumerate(obj):
            found += _paths(value, (*prefix, i))
    return found


@functools.cache
def _models_document() -> str:
    models = schema_of(MODELS)
    return state_text(SchemaState(models, "001_init.sql", models, None))


@settings(
    max_examples=int(os.environ.get("STATE_FUZZ_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(data=st.data())
def test_a_hand_edited_state_is_read_or_refused_never_a_crash(data: st.DataObject) -> None:
    """Whatever a person (or a bad merge) puts anywhere in the file, reading it either gives
    a state that check and migration can use, or an InputError with a line."""
    models = schema_of(MODELS)
    document = json.loads(_models_document())
    path = data.draw(st.sampled_from(_paths(document)[1:]))
    replacement = data.draw(JSON_VALUES)
    parent = document
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = replacement
    try:
        state = parse_state(json.dumps(document, indent=2), STATE_FILE)
    except InputError as error:
        assert error.path == STATE_FILE and isinstance(error.line, int) and error.line >= 1
        return
    # Usable as read: it prints again, round-trips and compares with the models.
    assert parse_state(state_text(state), STATE_FILE) == state
    pending_findings(models, state.schema, state.head, STATE_FILE)
