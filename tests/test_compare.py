"""compare(): inline before -> after models and the drift they must produce."""

from __future__ import annotations

import pytest

from modelsync.drift.compare import DRIFT_KINDS, KIND_CODES, compare
from tests.conftest import schema_of

BASE = """
from enum import Enum
from typing import Optional
from sqlalchemy import Column, Index, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import JSONB
from pgvector.sqlalchemy import Vector
from sqlmodel import Field, SQLModel


class Role(str, Enum):
    ADMIN = "admin"
    MEMBER = "member"


class Company(SQLModel, table=True):
    __tablename__ = "companies"
    id: str = Field(primary_key=True, max_length=20)
    name: str = Field(index=True)


class Question(SQLModel, table=True):
    __tablename__ = "questions"
    __table_args__ = (
        Index("ix_questions_embedding", "embedding", postgresql_using="hnsw",
              postgresql_ops={"embedding": "vector_cosine_ops"}),
        UniqueConstraint("company_id", "body", name="uq_questions_company_body"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    company_id: str = Field(foreign_key="companies.id", ondelete="CASCADE")
    body: str
    role: Role = Role.MEMBER
    embedding: Optional[list[float]] = Field(default=None, sa_column=Column(Vector(768)))
    rubric: dict = Field(default_factory=dict, sa_column=Column(JSONB))
    created_at: str = Field(sa_column_kwargs={"server_default": text("now()")})
"""


def drift_of(before: str, after: str):
    return compare(schema_of(before, path="models.py"), schema_of(after, path="db.py"))


def test_identical_schemas_have_no_drift() -> None:
    assert compare(schema_of(BASE), schema_of(BASE)) == ()


def test_formatting_and_order_are_not_drift() -> None:
    reordered = BASE.replace(
        "    body: str\n    role: Role = Role.MEMBER\n",
        "    role: Role = Role.MEMBER\n\n\n    body: str  # moved\n",
    ).replace("Optional[int] = Field(default=None,", "int | None = Field(None,")
    assert reordered != BASE
    assert drift_of(BASE, reordered) == ()


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("    body: str\n", "    body: int\n", ("type", "questions", "body", "VARCHAR", "INTEGER")),
        ("Vector(768)", "Vector(384)", ("type", "questions", "embedding", "VECTOR(768)", "VECTOR(384)")),
        ("    body: str\n", "    body: Optional[str]\n", ("nullable", "questions", "body", "NOT NULL", "NULL")),
        ("max_length=20)", "max_length=30)", ("type", "companies", "id", "VARCHAR(20)", "VARCHAR(30)")),
        ('ondelete="CASCADE"', 'ondelete="RESTRICT"', ("foreign_key", "questions", "company_id", "companies.id ON DELETE CASCADE", "companies.id ON DELETE RESTRICT")),
        ("role: Role = Role.MEMBER", "role: Role = Role.ADMIN", ("default", "questions", "role", "Role.MEMBER", "Role.ADMIN")),
        ('text("now()")', 'text("CURRENT_TIMESTAMP")', ("server_default", "questions", "created_at", "now()", "CURRENT_TIMESTAMP")),
        ("    body: str\n", "    body: str = Field(unique=True)\n", ("unique", "questions", "body", "false", "true")),
        ("    role: Role = Role.MEMBER\n", "", ("column_missing", "questions", "role", "role", None)),
        ("    body: str\n", "    body: str\n    extra: int = 0\n", ("column_extra", "questions", "extra", None, "INTEGER")),
        ('    MEMBER = "member"\n', '    MEMBER = "member"\n    GUEST = "guest"\n', ("enum_labels", None, None, "ADMIN, MEMBER", "ADMIN, MEMBER, GUEST")),
    ],
)  # fmt: skip
def test_single_change_gives_single_drift(old: str, new: str, expected: tuple) -> None:
    assert old in BASE
    drifts = drift_of(BASE, BASE.replace(old, new, 1))
    assert [d.as_tuple() for d in drifts] == [expected]


def test_autoincrement_is_its_own_drift() -> None:
    changed = BASE.replace(
        "id: Optional[int] = Field(default=None, primary_key=True)",
        'id: Optional[int] = Field(default=None, primary_key=True, sa_column_kwargs={"autoincrement": False})',
    )
    drifts = drift_of(BASE, changed)
    assert [d.as_tuple() for d in drifts] == [("autoincrement", "questions", "id", "true", "false")]


def test_index_changes_are_index_drift() -> None:
    drifts = drift_of(BASE, BASE.replace("Field(index=True)", "Field()"))
    assert [(d.kind, d.table, d.column) for d in drifts] == [("index", "companies", "name")]
    drifts = drift_of(BASE, BASE.replace('"vector_cosine_ops"', '"vector_l2_ops"'))
    assert [(d.kind, d.table, d.column) for d in drifts] == [("index", "questions", "embedding")]


def test_table_level_drift() -> None:
    drifts = drift_of(BASE, BASE.replace(', name="uq_questions_company_body"', ""))
    assert {d.kind for d in drifts} == {"constraint"}
    assert len(drifts) == 2  # the named one missing, an unnamed one extra
    without_company = BASE.replace('__tablename__ = "companies"', '__tablename__ = "firms"')
    kinds = sorted((d.kind, d.table) for d in drift_of(BASE, without_company))
    assert ("table_missing", "companies") in kinds
    assert ("table_extra", "firms") in kinds


def test_a_missing_column_is_not_also_a_missing_index() -> None:
    drifts = drift_of(BASE, BASE.replace("    name: str = Field(index=True)\n", ""))
    assert [(d.kind, d.column) for d in drifts] == [("column_missing", "name")]


def test_drift_carries_both_places() -> None:
    (drift,) = drift_of(BASE, BASE.replace("Vector(768)", "Vector(384)"))
    line = BASE.splitlines().index(
        next(x for x in BASE.splitlines() if "Vector(768)" in x)
    ) + 1  # fmt: skip
    assert (drift.at("source").path, drift.at("source").line) == ("models.py", line)
    assert (drift.at("target").path, drift.at("target").line) == ("db.py", line)
    assert drift.code == "MS301"


def test_every_kind_has_a_distinct_code() -> None:
    assert len(set(KIND_CODES.values())) == len(DRIFT_KINDS)
