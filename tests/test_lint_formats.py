"""Every rule at once, in all four formats: each finding at the same place in each."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from modelsync.lint.registry import RULE_NAMES
from tests.conftest import run_cli
from tests.lint_helpers import write

MODELS = """\
from typing import Optional
from pgvector.sqlalchemy import Vector
from sqlalchemy import Column, JSON, Index
from sqlmodel import Field, SQLModel


class User(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    fullName: str


class Company(SQLModel, table=True):
    __tablename__ = "companies"
    code: str = Field(primary_key=True)
    meta: dict = Field(default_factory=dict, sa_column=Column(JSON))


class Question(SQLModel, table=True):
    __tablename__ = "questions"
    __table_args__ = (Index("ix_q_emb", "embedding", postgresql_using="hnsw"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    embedding: Optional[list[float]] = Field(default=None, sa_column=Column(Vector(384)))
"""
ENGINE = """\
import os
from sqlmodel import Session, create_engine

engine = create_engine("postgresql://admin:1234@db:5432/interview_db")


def get_session():
    session = Session(engine)
    yield session


def save_all(rows):
    with Session(engine) as session:
        for row in rows:
            session.add(row)
            session.commit()
"""
M = "infra/postgres/migrations"
S = "backend-core/models.py"
E = "backend-core/database.py"
# rule -> (path, line) of its first finding
EXPECTED = {
    "table-name": (S, 7),
    "column-name": (S, 9),
    "primary-key-name": (S, 14),
    "json-type": (S, 15),
    "vector-metric": (S, 20),
    "vector-column": (S, 22),
    "database-url": (E, 4),
    "pool-settings": (E, 4),
    "session-scope": (E, 8),
    "bulk-commit": (E, 16),
    "migration-name": (f"{M}/1_init.sql", None),
    "migration-number": (f"{M}/002_y.sql", None),
    "migration-sql": (f"{M}/003_bad.sql", 3),
    "migration-mount": ("docker-compose.yml", 2),
    "sqlmodel-release": ("ai-worker/requirements.txt", 2),
}


@pytest.fixture(scope="module")
def everything_wrong(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write(
        tmp_path_factory.mktemp("lint") / "project",
        {
            S: MODELS,
            E: ENGINE,
            "backend-core/requirements.txt": "sqlmodel==0.0.16\n",
            "ai-worker/requirements.txt": "celery\nsqlmodel>=0.0.45\n",
            f"{M}/1_init.sql": "SELECT 1;\n",
            f"{M}/002_x.sql": "SELECT 1;\n",
            f"{M}/002_y.sql": "SELECT 1;\n",
            f"{M}/003_bad.sql": "SELECT 1;\n\nCREATE TABEL t (id int);\n",
            "docker-compose.yml": "services:\n  db:\n    image: postgres:18\n",
        },
    )


def first_places(pairs: list[tuple[str, str, int | None]]) -> dict[str, tuple[str, int | None]]:
    found: dict[str, tuple[str, int | None]] = {}
    for rule, path, line in pairs:
        found.setdefault(rule, (path, line))
    return found


def test_the_case_covers_every_rule() -> None:
    assert set(EXPECTED) == set(RULE_NAMES)


def test_text(everything_wrong: Path) -> None:
    result = run_cli("lint", "--root", everything_wrong)
    assert result.returncode == 1
    pattern = re.compile(
        r"^(?P<path>[^:\s]+)(?::(?P<line>\d+))?(?::\d+)?: (?:warning: )?MS8\d\d \[(?P<rule>[a-z-]+)\]"
    )
    pairs = []
    for line in result.stdout.splitlines()[:-1]:
        match = pattern.match(line)
        assert match, line
        number = int(match["line"]) if match["line"] else None
        pairs.append((match["rule"], match["path"], number))
    assert first_places(pairs) == EXPECTED


def test_json(everything_wrong: Path) -> None:
    document = json.loads(run_cli("lint", "--root", everything_wrong, "--format", "json").stdout)
    roles = ("source", "engine", "migration", "pin", "compose")
    pairs = []
    for finding in document["findings"]:
        (where,) = [finding[r] for r in roles if r in finding]
        pairs.append((finding["kind"], where["path"], where["line"]))
    assert first_places(pairs) == EXPECTED
    assert document["summary"]["errors"] == sum(
        1 for f in document["findings"] if f.get("severity", "error") == "error"
    )


def test_github(everything_wrong: Path) -> None:
    lines = run_cli("lint", "--root", everything_wrong, "--format", "github").stdout.splitlines()
    pattern = re.compile(
        r"^::(?:error|warning) file=(?P<path>[^,]+)(?:,line=(?P<line>\d+))?,title=modelsync (?P<rule>[a-z-]+)::"
    )
    pairs = []
    for line in lines:
        match = pattern.match(line)
        assert match, line
        pairs.append(
            (
                match["rule"],
                match["path"].replace("%3A", ":"),
                int(match["line"]) if match["line"] else None,
            )
        )
    assert first_places(pairs) == EXPECTED


def test_sarif(everything_wrong: Path) -> None:
    document = json.loads(run_cli("lint", "--root", everything_wrong, "--format", "sarif").stdout)
    (run,) = document["runs"]
    names = [rule["name"] for rule in run["tool"]["driver"]["rules"]]
    pairs = []
    for result in run["results"]:
        location = result["locations"][0]["physicalLocation"]
        line = location.get("region", {}).get("startLine")
        pairs.append((names[result["ruleIndex"]], location["artifactLocation"]["uri"], line))
    assert first_places(pairs) == EXPECTED
