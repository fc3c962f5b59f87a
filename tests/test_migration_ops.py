"""The diff as data: operations are sorted, frozen, reversible, in dependency order."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from modelsync import records
from modelsync.migrate import ops as o
from modelsync.migrate.names import check_name, object_name, unique_name
from modelsync.migrate.plan import plan
from modelsync.migrate.types import is_narrowing, needs_using
from modelsync.schema.load import load_schema
from modelsync.schema.release import rules_for

GOLDEN = Path(__file__).parent / "golden" / "migration"
CASES = sorted(p.name for p in GOLDEN.iterdir() if (p / "old.py").is_file())


def _pair(case: str):
    rules = rules_for(None)
    return tuple(load_schema(GOLDEN / case / f, f"{case}/{f}", rules) for f in ("old.py", "new.py"))


def _kinds(case: str) -> list[tuple]:
    return [op.as_tuple()[:2] for op in plan(*_pair(case))]


@pytest.mark.parametrize("case", CASES)
def test_a_schema_against_itself_needs_nothing(case):
    old, new = _pair(case)
    assert plan(old, old) == ()
    assert plan(new, new) == ()


@pytest.mark.parametrize("case", CASES)
def test_operations_are_sorted_frozen_and_reversible(case):
    operations = plan(*_pair(case))
    assert operations
    assert list(operations) == sorted(operations, key=lambda op: op.sort_key())
    for op in operations:
        with pytest.raises(records.FrozenRecordError):
            setattr(op, records.fields(op)[0].name, None)
        assert isinstance(op.as_tuple(), tuple) and op.as_tuple()[0] == op.kind
        if isinstance(op, o.AddEnumLabel):
            with pytest.raises(ValueError, match="cannot drop an enum label"):
                op.reverse()
            continue
        assert op.reverse().reverse() == op


def test_the_reverse_plan_undoes_the_forward_one():
    old, new = _pair("new_tables_with_fk")
    forward = {op.reverse().as_tuple() for op in plan(old, new)}
    assert forward == {op.as_tuple() for op in plan(new, old)}


def test_new_tables_come_after_the_tables_they_point_at():
    assert _kinds("new_tables_with_fk") == [("create_table", "posts"), ("create_table", "comments")]


def test_dropped_tables_go_before_the_tables_they_pointed_at():
    assert _kinds("drop_tables_with_fk") == [("drop_table", "comments"), ("drop_table", "posts")]


def test_an_enum_type_goes_after_its_table_and_comes_before_its_column():
    assert _kinds("drop_table_with_enum") == [("drop_table", "tickets"), ("drop_enum", "role")]
    assert _kinds("new_enum_column") == [("create_enum", "role"), ("add_column", "users")]


def test_the_extension_comes_before_the_first_vector_column():
    assert _kinds("add_vector_column") == [("create_extension", "vector"), ("add_column", "users")]


def test_a_vector_dimension_change_rebuilds_its_indexes():
    assert _kinds("vector_dimension") == [
        ("create_extension", "vector"),
        ("drop_index", "documents"),
        ("alter_type", "documents"),
        ("create_index", "documents"),
    ]


def test_enum_labels_are_placed_before_or_after_their_neighbours():
    labels = [op for op in plan(*_pair("enum_label_added")) if op.kind == "add_enum_label"]
    assert [(op.label, op.before, op.after) for op in labels] == [
        ("EDITOR", None, "MEMBER"),
        ("OWNER", None, "ADMIN"),
    ]
    (first,) = plan(*_pair("enum_label_first"))
    assert (first.label, first.before, first.after) == ("GUEST", "MEMBER", None)


def test_a_likely_rename_is_noted_on_both_sides():
    added, dropped = plan(*_pair("likely_rename"))
    assert (added.renamed_from, dropped.renamed_to) == ("name", "full_name")


@pytest.mark.parametrize(
    ("old", "new", "narrowing"),
    [
        ("VARCHAR", "VARCHAR(100)", True),
        ("VARCHAR(255)", "VARCHAR", False),
        ("VARCHAR(255)", "VARCHAR(100)", True),
        ("VARCHAR(100)", "TEXT", False),
        ("TEXT", "VARCHAR(20)", True),
        ("BIGINT", "INTEGER", True),
        ("INTEGER", "BIGINT", False),
        ("NUMERIC(5, 2)", "NUMERIC(6, 2)", False),
        ("NUMERIC(5, 2)", "NUMERIC(5, 1)", True),
        ("DOUBLE PRECISION", "REAL", True),
        ("VECTOR(768)", "VECTOR(1024)", False),
        ("JSON", "JSONB", False),
    ],
)
def test_narrowing_types(old, new, narrowing):
    assert is_narrowing(old, new) is narrowing


@pytest.mark.parametrize(
    ("old", "new", "using"),
    [
        ("JSON", "JSONB", True),
        ("INTEGER", "BIGINT", False),
        ("INTEGER", "TEXT", False),
        ("TEXT", "INTEGER", True),
        ("VARCHAR(20)", "VARCHAR(40)", False),
        ("TIMESTAMP WITHOUT TIME ZONE", "TIMESTAMP WITH TIME ZONE", False),
    ],
)
def test_casts_that_need_using(old, new, using):
    assert needs_using(old, new, None, None) is using


def test_postgresql_names_of_unnamed_constraints():
    assert unique_name("users", ("email",)) == "users_email_key"
    assert check_name("users", "char_length(name) > 0") == "users_name_check"
    assert check_name("users", "a > b") == "users_check"
    long = object_name("t" * 40, "c" * 40, "fkey")
    assert len(long) == 63 and long.endswith("_fkey")


def test_migrate_stays_light_until_sql_is_rendered():
    code = (
        "import sys, modelsync.migrate, modelsync.migrate.ops, modelsync.migrate.plan, "
        "modelsync.migrate.sql; print(sorted(m for m in ('sqlalchemy', 'sqlmodel', 'jinja2') "
        "if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
