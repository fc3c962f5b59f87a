"""``check``'s ``migration_missing`` (MS701): models that moved on from the schema state."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from modelsync.drift.pending import pending_findings
from modelsync.migrate.state import STATE_FILE, SchemaState, state_text, stored_schema, write_state
from modelsync.schema.load import load_schema
from modelsync.schema.release import rules_for
from tests.conftest import run_cli, schema_of, write_project

GOLDEN = Path(__file__).parent / "golden" / "check" / "pending"
MIGRATIONS = "infra/postgres/migrations"
STATE_SHOWN = f"{MIGRATIONS}/{STATE_FILE}"

MODELS = """
    from enum import Enum
    from typing import Optional

    import sqlalchemy as sa
    from sqlalchemy import Column, Computed, Identity, Index, Integer, desc
    from sqlmodel import Field, SQLModel


    class Status(str, Enum):
        OPEN = "open"
        DONE = "done"


    class Company(SQLModel, table=True):
        __tablename__ = "companies"
        id: str = Field(primary_key=True, max_length=20)
        name: str = Field(max_length=100)


    class Task(SQLModel, table=True):
        __tablename__ = "tasks"
        __table_args__ = (
            Index("ix_tasks_created", desc("created_at")),
            sa.UniqueConstraint("company_id", "title", name="uq_tasks_title"),
            sa.CheckConstraint("priority >= 0", name="ck_tasks_priority"),
        )
        id: Optional[int] = Field(default=None, primary_key=True)
        company_id: str = Field(foreign_key="companies.id", ondelete="CASCADE", index=True)
        title: str = Field(max_length=200, sa_column_kwargs={"comment": "shown in lists"})
        status: Status = Status.OPEN
        priority: int = Field(default=0, sa_column_kwargs={"server_default": sa.text("0")})
        created_at: Optional[str] = None
        seq: Optional[int] = Field(default=None, sa_column=Column(Integer, Identity(start=1)))
        double: Optional[int] = Field(default=None, sa_column=Column(Integer, Computed("priority * 2")))
"""


def _models(*edits: tuple[str, str]) -> str:
    text = MODELS
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def _pending(old: str, new: str):
    return pending_findings(
        schema_of(new), stored_schema(schema_of(old)), "004_tasks.sql", STATE_SHOWN
    )


def test_unchanged_models_have_nothing_pending() -> None:
    assert _pending(MODELS, MODELS) == ()
    # Moving code, renaming the class and changing a Python-side default need no SQL.
    moved = "\n\n" + _models(
        ("class Task(", "class Todo("),
        ("status: Status = Status.OPEN", "status: Status = Status.DONE"),
    )
    assert _pending(MODELS, moved) == ()


@pytest.mark.parametrize(
    ("edit", "table", "words"),
    [
        (
            ("        created_at:", "        due: Optional[int] = None\n        created_at:"),
            "tasks",
            "column due added",
        ),
        (
            ("        double: Optional[int]", "        # double: Optional[int]"),
            "tasks",
            "column double dropped",
        ),
        (("max_length=200", "max_length=250"), "tasks", "column title (type changed)"),
        (
            ("title: str = Field(", "title: Optional[str] = Field(default=None, "),
            "tasks",
            "column title (nullable changed)",
        ),
        (
            ('"comment": "shown in lists"', '"comment": "shown everywhere"'),
            "tasks",
            "column title (comment changed)",
        ),
        (('sa.text("0")', 'sa.text("1")'), "tasks", "column priority (server default changed)"),
        (("Identity(start=1)", "Identity(start=100)"), "tasks", "column seq (identity changed)"),
        (
            ('Computed("priority * 2")', 'Computed("priority * 3")'),
            "tasks",
            "column double (computed changed)",
        ),
        (
            ('ondelete="CASCADE"', 'ondelete="RESTRICT"'),
            "tasks",
            "column company_id (ondelete changed)",
        ),
        (('desc("created_at")', '"created_at"'), "tasks", "index ix_tasks_created changed"),
        (("index=True)", ")"), "tasks", "index ix_tasks_company_id dropped"),
        (('name="uq_tasks_title"', 'name="uq_tasks_name"'), "tasks", "unique constraints changed"),
        (('"priority >= 0"', '"priority > 0"'), "tasks", "check constraints changed"),
        (
            (
                "name: str = Field(max_length=100)",
                "name: str = Field(max_length=100, primary_key=True)",
            ),
            "companies",
            "column name (primary key changed), primary key changed",
        ),
    ],
)
def test_each_change_is_one_finding_at_the_table(
    edit: tuple[str, str], table: str, words: str
) -> None:
    new = _models(edit)
    findings = _pending(MODELS, new)
    assert len(findings) == 1, [f.message for f in findings]
    finding = findings[0]
    assert (finding.code, finding.kind, finding.table, finding.severity) == (
        "MS701",
        "migration_missing",
        table,
        "error",
    )
    assert words in finding.message
    assert f"table {table} changed since 004_tasks.sql: " in finding.message
    assert "`modelsync migration NAME`" in finding.message
    assert finding.location.role == "source"
    assert finding.location.line == schema_of(new).table(table).line
    assert (finding.related[0].role, finding.related[0].path) == ("state", STATE_SHOWN)


def test_new_and_dropped_tables_and_enums() -> None:
    without_tasks = MODELS[: MODELS.index("    class Task(")]
    added = _pending(without_tasks, MODELS)
    assert [(f.table, f.message.split(" since")[0]) for f in added] == [
        ("tasks", "table tasks is new"),
        (None, "enum status is new"),
    ]
    assert added[0].location.line == schema_of(MODELS).table("tasks").line
    dropped = _pending(MODELS, without_tasks)
    assert [f.message.split(" since")[0] for f in dropped] == [
        "table tasks was dropped from the models",
        "enum status was dropped from the models",
    ]
    assert dropped[0].location.line is None  # it is nowhere in the models any more


@pytest.mark.parametrize(
    ("edit", "words"),
    [
        (('DONE = "done"\n', 'DONE = "done"\n        LATE = "late"\n'), "label LATE added"),
        (('        DONE = "done"\n', ""), "label DONE dropped"),
        (
            ('OPEN = "open"\n        DONE = "done"', 'DONE = "done"\n        OPEN = "open"'),
            "labels reordered",
        ),
    ],
)
def test_enum_label_changes(edit: tuple[str, str], words: str) -> None:
    new = _models(edit)
    findings = _pending(MODELS, new)
    assert [f.message.split(":")[0] for f in findings] == [
        "enum status changed since 004_tasks.sql"
    ]
    assert words in findings[0].message
    assert findings[0].location.line == schema_of(new).enum("status").line


def test_a_state_without_a_head_says_so() -> None:
    findings = pending_findings(
        schema_of(_models(("max_length=200", "max_length=9"))), schema_of(MODELS), None, STATE_SHOWN
    )
    assert "changed since the schema state was recorded:" in findings[0].message


# --- the CLI ------------------------------------------------------------------------------


def _project(tmp_path: Path, recorded: str, current: str) -> Path:
    root = write_project(tmp_path, current, current)
    state = SchemaState(
        stored_schema(schema_of(recorded, path="backend-core/models.py")),
        "004_tasks.sql",
        None,
        None,
    )
    write_state(root / MIGRATIONS, state)
    return root


def test_check_passes_when_the_state_matches(tmp_path: Path) -> None:
    root = _project(tmp_path, MODELS, MODELS)
    result = run_cli("check", "--root", root, "--format", "json")
    assert result.returncode == 0, result.stdout + result.stderr
    summary = json.loads(result.stdout)["summary"]
    assert summary["schema_state"] == STATE_SHOWN
    assert summary["findings"] == 0


def test_check_names_the_changed_tables_and_fails(tmp_path: Path) -> None:
    current = _models(
        ("max_length=200", "max_length=250"),
        ('DONE = "done"\n', 'DONE = "done"\n        LATE = "late"\n'),
    )
    root = _project(tmp_path, MODELS, current)
    result = run_cli("check", "--root", root)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    task_line = schema_of(current).table("tasks").line
    assert lines[0].startswith(
        f"backend-core/models.py:{task_line}: MS701 [migration_missing] table tasks changed"
    )
    assert lines[0].endswith(f"(state: {STATE_SHOWN})")
    assert "enum status changed" in lines[1]
    assert "migration_missing: 2" in lines[-1]
    ignored = run_cli("check", "--root", root, "--ignore", "migration_missing")
    assert ignored.returncode == 0, ignored.stdout
    assert "MS701" not in ignored.stdout


def test_config_can_ignore_it(tmp_path: Path) -> None:
    root = _project(tmp_path, MODELS, _models(("max_length=200", "max_length=250")))
    (root / "pyproject.toml").write_text('[tool.modelsync]\nignore = ["migration_missing"]\n')
    assert run_cli("check", "--root", root).returncode == 0


def test_a_broken_state_is_bad_input(tmp_path: Path) -> None:
    root = _project(tmp_path, MODELS, MODELS)
    path = root / MIGRATIONS / STATE_FILE
    lines = path.read_text().splitlines()
    lines[2] = '  "head": 004_tasks.sql,'
    path.write_text("\n".join(lines) + "\n")
    result = run_cli("check", "--root", root)
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"modelsync: error: {STATE_SHOWN}:3: not valid JSON: Expecting")
    # Ignoring the kind skips the state altogether.
    assert run_cli("check", "--root", root, "--ignore", "migration_missing").returncode == 0


def test_a_merge_conflict_in_the_state_says_what_it_means(tmp_path: Path) -> None:
    root = _project(tmp_path, MODELS, MODELS)
    path = root / MIGRATIONS / STATE_FILE
    text = path.read_text().replace(
        '  "head": "004_tasks.sql",\n',
        '<<<<<<< HEAD\n  "head": "005_a.sql",\n=======\n  "head": "005_b.sql",\n>>>>>>> b\n',
    )
    path.write_text(text)
    result = run_cli("check", "--root", root)
    assert result.returncode == 2
    assert (
        f"{STATE_SHOWN}:3: merge conflict in the schema state: two branches both changed"
        in result.stderr
    )
    assert "Traceback" not in result.stderr


def test_without_a_state_check_is_unchanged(tmp_path: Path) -> None:
    root = write_project(tmp_path, MODELS, MODELS)
    result = run_cli("check", "--root", root, "--format", "json")
    assert result.returncode == 0
    assert "schema_state" not in json.loads(result.stdout)["summary"]


def test_check_with_a_state_imports_nothing_heavy(tmp_path: Path) -> None:
    root = _project(tmp_path, MODELS, _models(("max_length=200", "max_length=250")))
    probe = textwrap.dedent(
        f"""
        import sys
        sys.argv = ['modelsync', 'check', '--root', {str(root)!r}]
        from modelsync.cli import main
        try:
            main()
        except SystemExit as exit:
            print('EXIT', exit.code)
        heavy = [m for m in ('sqlalchemy', 'sqlmodel', 'jinja2', 'libcst', 'pydantic', 'pglast') if m in sys.modules]
        print('HEAVY', heavy)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=False
    )
    assert "EXIT 1" in result.stdout, result.stdout + result.stderr
    assert "HEAVY []" in result.stdout
    assert "MS701" in result.stdout


def test_the_golden_state_is_the_old_models(tmp_path: Path) -> None:
    """The golden project's state was written from ``old_models.py``; keep them one."""
    old = load_schema(GOLDEN / "old_models.py", "backend-core/models.py", rules_for(None))
    state = SchemaState(stored_schema(old), "002_interview_scores.sql", None, None)
    assert (GOLDEN / MIGRATIONS / STATE_FILE).read_text(encoding="utf-8") == state_text(state)


@pytest.mark.parametrize(
    ("before", "before_unique", "after", "after_unique", "changed"),
    [
        # A UNIQUE the table has once more under another spelling: CREATE TABLE keeps one.
        ('sa.UniqueConstraint("code")', False, 'sa.UniqueConstraint("code")', True, False),
        ("", False, 'sa.UniqueConstraint("id")', False, False),  # over the primary key
        (
            'sa.UniqueConstraint("code")',
            False,
            'sa.UniqueConstraint("code", name="uq")',
            False,
            True,
        ),
    ],
)
def test_check_and_migration_agree_on_unique_constraints(
    before, before_unique, after, after_unique, changed
):
    """Found by the migration property: a model that adds ``unique=True`` to a column that
    a UniqueConstraint already covers changes no table, and ``check`` must not ask for a
    migration that ``migration`` then finds nothing to write for (or the reverse)."""
    from modelsync.migrate.plan import plan

    def models(args: str, unique: bool) -> str:
        return f"""
            from typing import Optional
            import sqlalchemy as sa
            from sqlmodel import Field, SQLModel

            class Item(SQLModel, table=True):
                __table_args__ = ({args + "," if args else ""})
                id: Optional[int] = Field(default=None, primary_key=True)
                code: int = Field(unique={unique})
            """

    old, new = schema_of(models(before, before_unique)), schema_of(models(after, after_unique))
    assert bool(pending_findings(new, old, None, "state")) is changed
    assert bool(plan(old, new)) is changed
