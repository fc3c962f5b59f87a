"""A name from a tampered schema state or a model cannot forge an output line.

Printed raw, a line break in a table or enum name starts a new line of its own choosing
(``::error file=...::`` is a GitHub workflow command, read from either stream). The
warnings ``migration`` prints about the drops it leaves commented out, and ``schema``'s
listing, keep each name on its line, spelled out (``findings.inert``).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from modelsync.migrate.state import SchemaState, state_text
from modelsync.schema.ir import Column, EnumType, Schema, Table

FORGED = "\n::error file=app.py,line=1::forged\r\n::stop-commands::x\u2028"


def _run(*args) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "modelsync", *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def _forged_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("::")]


@pytest.mark.parametrize("stdout", [True, False], ids=["stdout", "written"])
def test_the_warnings_about_commented_out_drops_stay_one_line_each(tmp_path, stdout):
    key = Column("id", "INTEGER", False, primary_key=True)
    mood = f"mood{FORGED}"
    old = Schema(
        "state",
        (Table(f"gone{FORGED}", "", (key, Column("m", mood, True, enum=mood)), ("id",)),),
        (EnumType(mood, ("a", f"b{FORGED}")),),
    )
    folder = tmp_path / "infra" / "postgres" / "migrations"
    folder.mkdir(parents=True)
    state = state_text(SchemaState(old, None, None, None))
    (folder / "schema_state.json").write_text(state, encoding="utf-8")
    (tmp_path / "backend-core").mkdir()
    (tmp_path / "backend-core" / "models.py").write_text("from sqlmodel import SQLModel\n")
    done = _run("migration", "tidy", "--root", tmp_path, *(["--stdout"] if stdout else []))
    assert done.returncode == 0, done.stderr
    warnings = done.stderr.splitlines()
    assert len(warnings) == 2, done.stderr  # the table and the type, one line each
    assert all("left commented out" in line for line in warnings)
    assert "\\n::error file=app.py" in warnings[0]
    assert _forged_lines(done.stdout + done.stderr) == []


def test_schema_lists_one_line_per_item_whatever_a_check_holds(tmp_path):
    models = tmp_path / "models.py"
    models.write_text(
        textwrap.dedent(
            f"""\
            from typing import Optional
            from sqlalchemy import CheckConstraint
            from sqlmodel import Field, SQLModel

            class T(SQLModel, table=True):
                __tablename__ = "ts"
                __table_args__ = (CheckConstraint({f"id > 0 OR '{FORGED}' = ''"!r}),)
                id: Optional[int] = Field(default=None, primary_key=True)
            """
        ),
        encoding="utf-8",
    )
    done = _run("schema", models, "--root", tmp_path)
    assert done.returncode == 0, done.stderr
    assert _forged_lines(done.stdout + done.stderr) == []
    assert len(done.stdout.splitlines()) == 3, done.stdout  # the table, its column, the CHECK
