"""Small projects for the lint tests, linted in-process (the CLI tests run the real CLI)."""

from __future__ import annotations

import textwrap
from pathlib import Path

from modelsync.config import load_config
from modelsync.findings.model import Finding
from modelsync.lint.run import lint_project
from modelsync.lint.settings import lint_settings
from modelsync.schema.pins import choose_release

# A clean engine module in the standard's shape (2.1-2.3).
CLEAN_ENGINE = """\
import os

from sqlmodel import Session, create_engine

DATABASE_URL = os.getenv("DATABASE_URL", "postgresql+psycopg://admin:1234@db:5432/interview_db")

engine = create_engine(
    DATABASE_URL,
    pool_size=int(os.getenv("DB_POOL_SIZE", "20")),
    max_overflow=int(os.getenv("DB_MAX_OVERFLOW", "10")),
    pool_recycle=int(os.getenv("DB_POOL_RECYCLE", "3600")),
    pool_pre_ping=True,
)


def get_session():
    with Session(engine) as session:
        yield session
"""

CLEAN_MODELS = """\
from typing import Optional

from sqlmodel import Field, SQLModel


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: Optional[int] = Field(default=None, primary_key=True)
    full_name: str
"""


def write(root: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def lint_files(
    root: Path, files: dict[str, str], select: tuple[str, ...] = (), ignore: tuple[str, ...] = ()
) -> tuple[Finding, ...]:
    """Lint a project holding ``files`` (plus a clean source when none is given)."""
    write(root, {"backend-core/models.py": CLEAN_MODELS, **files})
    config = load_config(root, {})
    release = choose_release(config.root, config.source, None, config.sqlmodel_version)
    return lint_project(config, lint_settings(config, select, ignore), release).findings


def places(findings: tuple[Finding, ...]) -> list[tuple[str, str, int | None]]:
    return [(f.kind, f.location.path, f.location.line) for f in findings]
