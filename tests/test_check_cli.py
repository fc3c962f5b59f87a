"""`modelsync check` end to end: formats, exit codes, ignore, config and flags."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_cli

MODELS = """\
from typing import Optional
from sqlmodel import Field, SQLModel


class User(SQLModel, table=True):
    __tablename__ = "users"
    id: Optional[int] = Field(default=None, primary_key=True)
    email: str = Field(unique=True, index=True)
    company_id: Optional[str] = Field(default=None, foreign_key="companies.id")


class Company(SQLModel, table=True):
    __tablename__ = "companies"
    id: str = Field(primary_key=True)


class UserCreate(SQLModel):
    email: str
"""

DRIFTED = (
    MODELS.replace("email: str = Field(unique=True, index=True)", "email: Optional[str] = None")
    .replace(', foreign_key="companies.id"', "")
    .replace("class UserCreate(SQLModel):\n    email: str\n", "")
)


def test_in_sync_exits_0(project) -> None:
    root = project(MODELS, MODELS)
    result = run_cli("check", "--root", root)
    assert result.returncode == 0, result.stderr
    assert "in sync: 2 table(s)" in result.stdout


def test_drift_exits_1_and_names_both_files_and_lines(project) -> None:
    root = project(MODELS, DRIFTED)
    result = run_cli("check", "--root", root)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    nullable = next(x for x in lines if "[nullable]" in x)
    assert nullable.startswith("ai-worker/db.py:8: MS302 [nullable] users.email")
    assert "(source: backend-core/models.py:8)" in nullable
    assert "\x1b[" not in result.stdout  # no colour when not on a terminal
    assert lines[-1].startswith("4 drift(s) between backend-core/models.py and ai-worker/db.py")


def test_json_document(project) -> None:
    root = project(MODELS, DRIFTED)
    result = run_cli("check", "--root", root, "--format", "json")
    assert result.returncode == 1
    document = json.loads(result.stdout)
    kinds = sorted((f["kind"], f["column"]) for f in document["findings"])
    assert kinds == [
        ("foreign_key", "company_id"),
        ("index", "email"),
        ("nullable", "email"),
        ("unique", "email"),
    ]
    finding = next(f for f in document["findings"] if f["kind"] == "foreign_key")
    assert set(finding) == {"code", "kind", "table", "column", "message", "source", "target"}
    assert finding["source"] == {
        "path": "backend-core/models.py",
        "line": 9,
        "value": "companies.id",
    }
    assert finding["target"] == {"path": "ai-worker/db.py", "line": 9, "value": None}
    assert document["summary"]["findings"] == 4
    assert document["summary"]["tables_compared"] == 2


def test_github_annotations(project) -> None:
    root = project(MODELS, DRIFTED)
    result = run_cli("check", "--root", root, "--format", "github")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 4
    assert all(x.startswith("::error file=ai-worker/db.py,line=") for x in lines)
    assert any("title=modelsync foreign_key::" in x for x in lines)


def test_ignore_flag_and_config(project) -> None:
    root = project(MODELS, MODELS.replace(', foreign_key="companies.id"', ""))
    assert run_cli("check", "--root", root).returncode == 1
    assert run_cli("check", "--root", root, "--ignore", "foreign_key").returncode == 0
    (root / "pyproject.toml").write_text('[tool.modelsync]\nignore = ["foreign_key"]\n')
    result = run_cli("check", "--root", root, "--format", "json")
    assert result.returncode == 0
    assert json.loads(result.stdout)["summary"]["ignored_kinds"] == ["foreign_key"]


def test_paths_from_config_and_flags(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "models.py").write_text(MODELS)
    (tmp_path / "src" / "mirror.py").write_text(DRIFTED)
    (tmp_path / "pyproject.toml").write_text(
        '[tool.modelsync]\nsource = "src/models.py"\ntarget = "src/mirror.py"\n'
    )
    result = run_cli("check", "--root", tmp_path)
    assert result.returncode == 1
    assert "src/mirror.py:8:" in result.stdout
    same = run_cli("check", "--root", tmp_path, "--target", "src/models.py")
    assert same.returncode == 0


def test_warnings_do_not_fail_the_check(project) -> None:
    with_unknown = MODELS.replace(
        "from sqlmodel import Field, SQLModel",
        "from sqlmodel import Field, SQLModel\nfrom app.types import Money",
    ).replace("    id: str = Field(primary_key=True)\n", "    id: str = Field(primary_key=True)\n    budget: Money\n")  # fmt: skip
    root = project(with_unknown, with_unknown)
    result = run_cli("check", "--root", root)
    assert result.returncode == 0
    assert "backend-core/models.py:16: warning: cannot resolve the type app.types.Money" in (
        result.stderr
    )
