"""One bad file hides nothing: it is a bad-input finding (MS890) at its line, every other
file and rule is still checked and printed in every format, and lint exits 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.lint_helpers import CLEAN_ENGINE, lint_files, places, write

SOURCE = "backend-core/models.py"
TARGET = "ai-worker/db.py"

# The source's own violations: a 384-dimension vector and pool settings left out.
VIOLATING_SOURCE = """\
from typing import Any, Optional

from pgvector.sqlalchemy import Vector
from sqlalchemy import Column
from sqlmodel import Field, SQLModel


class Question(SQLModel, table=True):
    __tablename__ = "questions"

    id: Optional[int] = Field(default=None, primary_key=True)
    embedding: Any = Field(default=None, sa_column=Column(Vector(384)))
"""
# A worker file as the seed project has them: a field SQLModel refuses (line 11).
WORKER = """\
from typing import Any, Optional

from sqlmodel import Field, SQLModel, create_engine

engine = create_engine("postgresql://admin:1234@db/interview_db")


class Question(SQLModel, table=True):
    __tablename__ = "questions"
    id: Optional[int] = Field(default=None, primary_key=True)
    embedding: Any
"""


@pytest.fixture
def seed_shaped(tmp_path: Path) -> Path:
    return write(tmp_path, {SOURCE: VIOLATING_SOURCE, TARGET: WORKER})


def test_every_finding_is_printed_and_the_exit_is_2(seed_shaped: Path) -> None:
    result = run_cli("lint", "--root", seed_shaped)
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert f"{TARGET}:11: MS890 [bad-input] typing.Any has no matching SQLAlchemy type" in lines
    # the source's own violation, and the worker's engine (its module still parses)
    assert any(line.startswith(f"{SOURCE}:12: MS821 [vector-column]") for line in lines)
    assert any(line.startswith(f"{TARGET}:5:10: MS801 [database-url]") for line in lines)
    assert any(line.startswith(f"{TARGET}:5:10: MS802 [pool-settings]") for line in lines)
    assert lines[-1].endswith("; 1 input(s) could not be read (exit 2)")


def test_json_on_stdout_holds_every_finding(seed_shaped: Path) -> None:
    result = run_cli("lint", "--root", seed_shaped, "--format", "json")
    assert result.returncode == 2 and result.stderr == ""
    document = json.loads(result.stdout)
    kinds = sorted(f["kind"] for f in document["findings"])
    assert kinds == ["bad-input", "database-url", "pool-settings", "vector-column"]
    bad = next(f for f in document["findings"] if f["kind"] == "bad-input")
    assert bad["code"] == "MS890" and bad["target"] == {"path": TARGET, "line": 11, "value": None}
    assert document["summary"]["bad_input"] == 1


def test_github_holds_every_finding(seed_shaped: Path) -> None:
    result = run_cli("lint", "--root", seed_shaped, "--format", "github")
    assert result.returncode == 2 and result.stderr == ""
    titles = [
        line.split("title=modelsync ")[1].split("::")[0] for line in result.stdout.splitlines()
    ]
    assert sorted(titles) == ["bad-input", "database-url", "pool-settings", "vector-column"]


def test_sarif_holds_every_finding(seed_shaped: Path) -> None:
    result = run_cli("lint", "--root", seed_shaped, "--format", "sarif")
    assert result.returncode == 2 and result.stderr == ""
    (run,) = json.loads(result.stdout)["runs"]
    assert sorted(r["ruleId"] for r in run["results"]) == ["MS801", "MS802", "MS821", "MS890"]
    rules = run["tool"]["driver"]["rules"]
    bad = next(r for r in run["results"] if r["ruleId"] == "MS890")
    assert rules[bad["ruleIndex"]]["name"] == "bad-input"


def test_a_file_that_cannot_be_read_is_a_finding_at_its_line(tmp_path: Path) -> None:
    found = lint_files(
        tmp_path,
        {
            SOURCE: VIOLATING_SOURCE,
            "backend-core/database.py": CLEAN_ENGINE + "\nx = (\n",
        },
    )
    assert ("bad-input", "backend-core/database.py", 20) in places(found)
    assert ("vector-column", SOURCE, 12) in places(found)


def test_not_utf8_and_a_directory(tmp_path: Path) -> None:
    write(tmp_path, {TARGET: "x = 1\n"})
    (tmp_path / TARGET).write_bytes(b"x = 1\n# caf\xe9\n")
    (tmp_path / "backend-core").mkdir(parents=True)
    (tmp_path / "backend-core/database.py").mkdir()
    (tmp_path / "pyproject.toml").write_text(
        '[tool.modelsync]\nengine_files = ["backend-core/database.py"]\n'
    )
    found = lint_files(tmp_path, {})
    bad = [(f.location.path, f.location.line, f.message) for f in found if f.kind == "bad-input"]
    assert (TARGET, 2, "not UTF-8 (byte 0xe9)") in bad
    # a configured engine file that is a folder: not a file, so not found
    assert ("backend-core/database.py", None, "engine file not found (engine_files)") in bad


def test_bad_input_cannot_be_silenced_or_deselected(seed_shaped: Path) -> None:
    worker = seed_shaped / TARGET
    silenced = "embedding: Any  # modelsync: ignore[bad-input]"
    worker.write_text(worker.read_text().replace("embedding: Any", silenced))
    result = run_cli("lint", "--root", seed_shaped, "--select", "json-type")
    assert result.returncode == 2
    assert f"{TARGET}:11: MS890 [bad-input]" in result.stdout
    refused = run_cli("lint", "--root", seed_shaped, "--ignore", "bad-input")
    assert refused.returncode == 2 and refused.stdout == ""
    assert "bad-input cannot be selected or ignored" in refused.stderr
