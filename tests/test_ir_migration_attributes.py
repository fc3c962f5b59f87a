"""The IR that migrations need: index keys with expressions and orders, comments,
Identity() and Computed(), as read from source and as compared by drift."""

from __future__ import annotations

import pytest

from modelsync.drift import compare
from modelsync.schema.ir import ColumnComputed, ColumnIdentity, Index, IndexElement
from tests.conftest import schema_of

BASE = """
    from typing import Optional

    import sqlalchemy as sa
    from sqlalchemy import Column, Computed, Identity, Index, Integer, desc, func, text
    from sqlmodel import Field, SQLModel


    class Task(SQLModel, table=True):
        __tablename__ = "tasks"
        __table_args__ = (Index("ix_tasks_key", {key}),)
        id: Optional[int] = Field(default=None, {id_args})
        title: str = Field(max_length=200, sa_column_kwargs={{"comment": {comment}}})
        rank: Optional[int] = None
        total: Optional[int] = Field(default=None, sa_column=Column(Integer{total}))
"""
DEFAULTS = {
    "key": '"rank"',
    "id_args": "primary_key=True",
    "comment": '"shown"',
    "total": "",
}


def models(**changes: str) -> str:
    return BASE.format(**(DEFAULTS | changes))


def kinds(**changes: str) -> list[tuple[str, str | None, str | None]]:
    drifts = compare(schema_of(models(**changes)), schema_of(models()))
    return [(d.kind, d.table, d.column) for d in drifts]


def test_the_same_models_do_not_drift() -> None:
    assert kinds() == []


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"comment": '"hidden"'}, [("comment", "tasks", "title")]),
        ({"comment": "None"}, [("comment", "tasks", "title")]),
        (
            {"id_args": "primary_key=True, sa_column_args=[Identity(start=5)]"},
            [("server_default", "tasks", "id")],
        ),
        ({"total": ', Computed("rank * 2")'}, [("server_default", "tasks", "total")]),
        (
            {"total": ", Identity(always=True)"},
            [("nullable", "tasks", "total"), ("server_default", "tasks", "total")],
        ),
        ({"key": 'desc("rank")'}, [("index", "tasks", "rank")]),
        ({"key": 'sa.nulls_first("rank")'}, [("index", "tasks", "rank")]),
        ({"key": 'func.lower(sa.column("title"))'}, [("index", "tasks", None)]),
        ({"key": 'text("rank + 1")'}, [("index", "tasks", None)]),
        # What PostgreSQL does anyway is no drift: ASC, and NULLS LAST after ASC.
        ({"key": 'sa.asc("rank")'}, []),
        ({"key": 'sa.nulls_last(sa.asc("rank"))'}, []),
        ({"key": 'sa.nulls_last("rank")'}, []),
    ],
)
def test_each_attribute_drifts_under_a_sensible_kind(changes, expected) -> None:
    assert sorted(kinds(**changes)) == sorted(expected)


def test_desc_nulls_first_is_the_default_after_desc() -> None:
    a = schema_of(models(key='sa.nulls_first(desc("rank"))'))
    b = schema_of(models(key='desc("rank")'))
    assert compare(a, b) == ()
    assert compare(a, schema_of(models(key='sa.nulls_last(desc("rank"))')))


def test_an_index_drift_shows_the_keys() -> None:
    [drift] = compare(
        schema_of(models(key='func.lower(sa.column("title")), desc("rank")')), schema_of(models())
    )
    assert drift.at("source").value == "INDEX ix_tasks_key (lower(title), rank DESC)"
    assert drift.at("target").value == "INDEX ix_tasks_key (rank)"


def test_what_the_ir_holds() -> None:
    schema = schema_of(
        models(
            key='sa.nulls_last(desc("rank")), func.coalesce(sa.literal_column("rank"), 0, "x")',
            id_args="primary_key=True, sa_column_args=[Identity(always=True, start=1, cycle=True)]",
            total=', Computed(text("rank * 2"), persisted=True)',
        )
    )
    table = schema.table("tasks")
    assert schema.warnings == ()
    [index] = table.indexes
    assert index.elements == (
        IndexElement(column="rank", order="DESC", nulls="LAST"),
        IndexElement(expression="coalesce(rank, 0, 'x')"),
    )
    assert index.columns == ("rank",)
    assert table.column("id").identity == ColumnIdentity(True, (("cycle", True), ("start", 1)))
    assert table.column("id").autoincrement  # SQLAlchemy's autoincrement column, as identity
    assert table.column("total").computed == ColumnComputed("rank * 2", True)
    assert table.column("total").nullable is not False  # Computed leaves nullability alone
    assert table.column("title").comment == "shown"


def test_plain_indexes_derive_their_elements() -> None:
    index = Index("ix", ("a", "b"), ops=(("b", "gin_trgm_ops"),))
    assert index.elements == (
        IndexElement(column="a"),
        IndexElement(column="b", opclass="gin_trgm_ops"),
    )
    assert index.renamed({"a": "a_col"}).elements[0] == IndexElement(column="a_col")


@pytest.mark.parametrize(
    "key",
    ['func.lower(sa.column("title"), type_=None)', "desc(some_name)", 'sa.collate("title", "C")'],
)
def test_unknown_index_keys_are_warned_about(key: str) -> None:
    schema = schema_of(
        models(key=key).replace("    from sqlmodel", "    some_name = object()\n    from sqlmodel")
    )
    assert schema.table("tasks").indexes == ()
    assert any("cannot resolve the columns of" in w.message for w in schema.warnings)


@pytest.mark.parametrize(
    "total",
    [", Identity(start=START)", ", Computed(EXPR)", ', Computed("a", persisted=FLAG)'],
)
def test_unknown_identity_or_computed_is_warned_about(total: str) -> None:
    schema = schema_of(models(total=total))
    assert any("cannot resolve" in w.message for w in schema.warnings)
    column = schema.table("tasks").column("total")
    assert column.identity is None and column.computed is None


def test_identity_refusals_are_sqlalchemys() -> None:
    from modelsync.errors import ModelError

    with pytest.raises(ModelError, match="cannot specify a server_default"):
        schema_of(models(total=', Identity(), server_default="1"'))
    with pytest.raises(ModelError, match="cannot specify autoincrement=False"):
        schema_of(models(total=", Identity(), autoincrement=False"))
