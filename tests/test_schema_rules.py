"""SQLModel rules that the corpus cannot show on its own: other releases, warnings."""

from __future__ import annotations

import json
from pathlib import Path

from modelsync.schema.ir import UNKNOWN_TYPE
from tests.conftest import run_cli, schema_of

VERSIONED = """
from datetime import datetime
from typing import Optional
from pydantic import NaiveDatetime
from sqlmodel import Field, SQLModel

class Event(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(max_length=40)
    at: datetime
    naive_at: NaiveDatetime
"""


def _types(version: str) -> dict[str, str]:
    (table,) = schema_of(VERSIONED, version=version).tables
    return {c.name: c.type for c in table.columns}


def test_current_rules() -> None:
    assert _types("0.0.50") == {
        "id": "INTEGER",
        "name": "VARCHAR(40)",
        "at": "TIMESTAMP WITH TIME ZONE",
        "naive_at": "TIMESTAMP WITHOUT TIME ZONE",
    }


def test_before_0_0_45_datetime_is_naive() -> None:
    assert _types("0.0.44")["at"] == "TIMESTAMP WITHOUT TIME ZONE"


def test_before_0_0_19_max_length_is_ignored() -> None:
    assert _types("0.0.18")["name"] == "VARCHAR"


def test_config_pins_the_release(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.modelsync]\nsqlmodel_version = "0.0.44"\n')
    models = tmp_path / "models.py"
    models.write_text(VERSIONED)
    result = run_cli("schema", models, "--root", tmp_path, "--format", "json")
    assert result.returncode == 0, result.stderr
    (table,) = json.loads(result.stdout)["tables"]
    assert {c["name"]: c["type"] for c in table["columns"]}["at"] == "TIMESTAMP WITHOUT TIME ZONE"
    flag = run_cli("schema", models, "--sqlmodel-version", "0.0.18", "--format", "json")
    (table,) = json.loads(flag.stdout)["tables"]
    assert {c["name"]: c["type"] for c in table["columns"]}["name"] == "VARCHAR"


UNRESOLVABLE = """
import os
from typing import Optional
from app.types import Money, AuditMixin
from pgvector.sqlalchemy import Vector
from sqlmodel import Column, Field, SQLModel

DIM = int(os.getenv("EMBEDDING_DIM", "768"))

class Invoice(AuditMixin, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    total: Money
    embedding: Optional[list[float]] = Field(default=None, sa_column=Column(Vector(DIM)))
    note: str = Field(index=compute_flag())
"""


def test_unresolvable_constructs_are_warnings_with_lines() -> None:
    schema = schema_of(UNRESOLVABLE)
    (table,) = schema.tables
    types = {c.name: c.type for c in table.columns}
    assert types["total"] == UNKNOWN_TYPE
    assert types["embedding"] == UNKNOWN_TYPE
    assert types["note"] == "VARCHAR"
    lines = UNRESOLVABLE.splitlines()
    expected = {
        next(i for i, x in enumerate(lines, 1) if "class Invoice" in x),
        next(i for i, x in enumerate(lines, 1) if "total: Money" in x),
        next(i for i, x in enumerate(lines, 1) if "Vector(DIM)" in x),
        next(i for i, x in enumerate(lines, 1) if "compute_flag" in x),
    }
    assert {w.line for w in schema.warnings} == expected
    messages = " | ".join(w.message for w in schema.warnings)
    assert "app.types.AuditMixin is defined elsewhere" in messages
    assert "app.types.Money" in messages


def test_schema_command_prints_warnings_and_exits_0(tmp_path: Path) -> None:
    models = tmp_path / "models.py"
    models.write_text(UNRESOLVABLE)
    result = run_cli("schema", models, "--format", "json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert len(document["warnings"]) == 4
    assert all(w["path"] == str(models) and w["line"] > 0 for w in document["warnings"])
    text = run_cli("schema", models)
    assert "total unknown NOT NULL" in text.stdout
    assert f"{models}:" in text.stderr and "warning:" in text.stderr


def test_non_table_classes_and_table_subclasses_make_no_tables() -> None:
    schema = schema_of(
        """
        from typing import Optional
        from sqlmodel import Field, SQLModel

        class UserBase(SQLModel):
            email: str

        class User(UserBase, table=True):
            id: Optional[int] = Field(default=None, primary_key=True)

        class UserCreate(UserBase):
            password: str

        class UserRead(User):
            pass
        """
    )
    assert [t.name for t in schema.tables] == ["user"]
    assert [c.name for c in schema.tables[0].columns] == ["email", "id"]


def test_typeless_foreign_key_column_takes_the_referenced_type() -> None:
    schema = schema_of(
        """
        from sqlalchemy import BigInteger, Column, ForeignKey
        from sqlmodel import Field, SQLModel

        class Parent(SQLModel, table=True):
            id: int = Field(sa_column=Column(BigInteger, primary_key=True))

        class Child(SQLModel, table=True):
            id: int = Field(primary_key=True)
            parent_id: int = Field(sa_column=Column(ForeignKey("parent.id")))
        """
    )
    assert schema.table("child").column("parent_id").type == "BIGINT"


def test_reserved_words_are_the_dialects() -> None:
    from sqlalchemy.dialects.postgresql.base import RESERVED_WORDS as DIALECT_WORDS

    from modelsync.schema.pgtypes import RESERVED_WORDS

    assert frozenset(DIALECT_WORDS) == RESERVED_WORDS


def test_crashing_inputs_become_warnings() -> None:
    schema = schema_of(
        """
        import enum
        import sqlalchemy as sa
        from sqlmodel import Field, SQLModel
        from settings import ENUM_NAME, COLUMN

        class Color(enum.Enum):
            RED = "r"

        class Thing(SQLModel, table=True):
            __table_args__ = (sa.Index("ix_thing_a", "a", postgresql_ops={COLUMN: "x"}),)
            id: int = Field(primary_key=True)
            a: Color = Field(sa_type=sa.Enum(Color, name=ENUM_NAME.lower()))
            b: Color = Field(sa_type=sa.Enum(Color, values_callable=lambda e: [m.value for m in e]))
            c: int = Field(sa_column_args=(sa.ForeignKey("thing.id")))
        """
    )
    messages = [w.message for w in schema.warnings]
    assert any("cannot resolve the name of sa.Enum" in m for m in messages)
    assert any("values_callable" in m for m in messages)
    assert any("sa_column_args" in m for m in messages)
    assert any("postgresql_ops" in m for m in messages)


def test_sa_column_ignores_an_annotation_sqlmodel_never_reads() -> None:
    schema = schema_of(
        """
        from typing import Union
        from sqlalchemy import Column, JSON
        from sqlmodel import Field, SQLModel

        class Blob(SQLModel, table=True):
            id: int = Field(primary_key=True)
            payload: Union[int, str] = Field(sa_column=Column(JSON))
        """
    )
    assert schema.table("blob").column("payload").type == "JSON"
