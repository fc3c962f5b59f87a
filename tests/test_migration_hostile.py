"""Hostile text in every place a model or a schema state puts text into a migration.

Names, labels and comments hold line breaks, quotes, dollar quotes, bidi overrides and a
``DROP TABLE victims`` after them; the SQL fragments a model writes as SQL (defaults,
checks, index keys and predicates, generated columns) hold an attempt to close their clause.
Each written file is read by PostgreSQL's own parser (pglast): it holds exactly the
statements the plan says, of the kinds its operations write, and nothing runs against
``victims`` (``tests/statement_kinds.py``). A fragment that is not one self-contained
expression is refused, located, before anything is written.
"""

from __future__ import annotations

import subprocess
import sys

import pglast
import pytest

from modelsync.errors import UnsupportedConstruct
from modelsync.migrate.plan import plan
from modelsync.migrate.sqlfile import render
from modelsync.migrate.sqltext import comment, dollar_quoted, indent, inert, literal
from modelsync.migrate.state import SchemaState, parse_state, state_text
from modelsync.records import replace
from modelsync.schema.ir import (
    CheckConstraint,
    Column,
    ColumnComputed,
    EnumType,
    Index,
    IndexElement,
    Schema,
    Table,
    UniqueConstraint,
)
from tests.statement_kinds import assert_file_matches_plan, statements

# Everything that may end a line comment, a quoted name or a literal, or hide text.
BREAKS = ["\n", "\r", "\r\n", "\x0b", "\x0c", "\x1c", "\x85", "\u2028", "\u2029"]
PAYLOADS = [
    *(f"x{b}DROP TABLE victims;--" for b in BREAKS),
    "x'); DROP TABLE victims;--",
    'x"); DROP TABLE victims;--',
    "x\\'; DROP TABLE victims;--",
    "x$$; DROP TABLE victims;--",
    "x$do$; DROP TABLE victims;--",
    "x\u202e; DROP TABLE victims;--",
    "x*/; DROP TABLE victims;/*",
    "x%s%%; DROP TABLE victims;--",
]


def _column(name, type_="INTEGER", nullable=True, **kw) -> Column:
    return Column(name, type_, nullable, **kw)


def hostile_pair(p: str) -> tuple[Schema, Schema]:
    """An old and a new schema, every name of both carrying the payload ``p``, whose plan
    has nearly every kind of operation."""

    def n(base: str) -> str:
        return f"{base}{p}"

    acc, mood, tone, hue = n("acc"), n("mood"), n("tone"), n("hue")
    key = _column("id", nullable=False, primary_key=True, autoincrement=True)
    old_acc = Table(
        acc,
        "Acc",
        (
            key,
            _column(n("legacy"), "TEXT"),
            _column(n("mood"), mood, enum=mood),
            _column(n("tone"), tone, enum=tone, server_default=f"{literal('a')}::{_q(tone)}"),
            _column(n("owner"), foreign_key=f"{acc}.id", ondelete="CASCADE"),
            _column("flag", "BOOLEAN"),
            _column("counter", nullable=False),
            _column("size", "INTEGER", comment=n("old note")),
            _column("width", "VARCHAR(10)"),
            _column("twice", computed=ColumnComputed("counter * 2", persisted=True)),
        ),
        ("id",),
        indexes=(Index(n("ix_old"), ("size",)),),
        unique_constraints=(UniqueConstraint(n("uq_old"), ("flag",)),),
        check_constraints=(CheckConstraint(n("ck_old"), "flag IS NOT NULL"),),
    )
    gone = Table(n("gone"), "Gone", (key, _column("shade", n("shade"), enum=n("shade"))), ("id",))
    old = Schema(
        "old.py",
        (old_acc, gone),
        (
            EnumType(mood, ("ok", n("bad"))),
            EnumType(tone, ("a", n("b"), "c")),
            EnumType(n("shade"), ("x",)),
        ),
    )
    new_acc = replace(
        old_acc,
        columns=(
            key,
            _column(n("mood"), mood, enum=mood),
            _column(n("tone"), tone, enum=tone, server_default=f"{literal('a')}::{_q(tone)}"),
            _column(n("owner"), foreign_key=f"{acc}.id", ondelete="SET NULL"),
            _column("flag", "BOOLEAN", nullable=False, server_default="true"),
            _column("counter", nullable=False, autoincrement=True),
            _column("size", "BIGINT", comment=n("new note")),
            _column("width", "VARCHAR(5)", server_default=literal(n("w"))),
            _column(n("fresh"), "TEXT", False, server_default="'multi\nline'", comment=n("c")),
            _column("twice", computed=ColumnComputed("counter\n * 3", persisted=True)),
        ),
        indexes=(
            Index(n("ix_new"), (n("fresh"),), where="flag\n AND counter > 0"),
            Index(n("ix_expr"), (), elements=(IndexElement(expression="lower('a\nb')"),)),
        ),
        unique_constraints=(UniqueConstraint(n("uq_new"), ("flag", "counter")),),
        check_constraints=(
            CheckConstraint(n("ck_new"), "counter > 0\n   AND counter < 'x\n'::text::int"),
        ),
    )
    fresh = Table(
        n("new"),
        "New",
        (key, _column(n("ref"), foreign_key=f"{acc}.id"), _column("hue", hue, enum=hue)),
        ("id",),
        indexes=(Index(n("ix_ref"), (n("ref"),)),),
    )
    new = Schema(
        "new.py",
        (new_acc, fresh),
        (
            EnumType(mood, ("ok", n("worse"), n("bad"))),
            EnumType(tone, ("c", "a")),
            EnumType(hue, (n("red"), "blue")),
        ),
    )
    return old, new


def _q(name: str) -> str:
    from modelsync.migrate.dialect import quote

    return quote(name)


def _through_state(schema: Schema) -> Schema:
    """The schema as a schema state file holds it, and back (what a tampered state gives)."""
    return parse_state(
        state_text(SchemaState(schema, None, None, None)), "schema_state.json"
    ).schema


def _kinds_of_plan(old: Schema, new: Schema) -> set[str]:
    return {op.kind for op in plan(old, new)}


@pytest.mark.parametrize("payload", PAYLOADS, ids=range(len(PAYLOADS)))
@pytest.mark.parametrize("plain", [False, True], ids=["guarded", "plain"])
@pytest.mark.parametrize("allow", [False, True], ids=["commented", "destructive"])
def test_hostile_names_add_no_statement(payload, plain, allow):
    old, new = hostile_pair(payload)
    old = _through_state(old)
    operations = plan(old, new)
    rendered = render(operations, old, new, plain=plain, allow_destructive=allow,
                      old_label=f"old{payload}", new_label=f"new{payload}")  # fmt: skip
    assert_file_matches_plan(rendered.sql, rendered.blocks, operations)


def test_the_hostile_pair_has_nearly_every_operation():
    from modelsync.migrate.ops import PHASES

    kinds = _kinds_of_plan(*hostile_pair(PAYLOADS[0]))
    # Primary keys and the vector extension are the golden pairs' business.
    assert set(PHASES) - kinds <= {"add_primary_key", "drop_primary_key", "create_extension"}


def test_a_tampered_state_cannot_make_the_disabled_drop_live(tmp_path):
    """A table name read from schema_state.json that holds a line break: its DROP TABLE
    stays commented out, and so does everything the name carries."""
    name = "gone\nDROP TABLE victims;--"
    old = Schema(
        "state", (Table(name, "", (_column("id", nullable=False, primary_key=True),), ("id",)),)
    )
    new = Schema("models.py", ())
    state = state_text(SchemaState(old, None, None, None))
    folder = tmp_path / "infra" / "postgres" / "migrations"
    folder.mkdir(parents=True)
    (folder / "schema_state.json").write_text(state, encoding="utf-8")
    (tmp_path / "backend-core").mkdir()
    (tmp_path / "backend-core" / "models.py").write_text("from sqlmodel import SQLModel\n")
    done = subprocess.run(
        [sys.executable, "-m", "modelsync", "migration", "--root", str(tmp_path), "--stdout"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    found = statements(done.stdout)
    assert [type(s).__name__ for s in found] == [
        "TransactionStmt",
        "VariableSetStmt",
        "TransactionStmt",
    ]
    assert '-- DROP TABLE IF EXISTS U&"gone\\000ADROP TABLE victims;--";' in done.stdout
    assert new.tables == ()


HOSTILE_FRAGMENTS = [
    "0); DROP TABLE victims; --",
    "0, DROP COLUMN victims",
    "0 -- swallows the rest",
    "0) OR (1",
    "(0",
    "'unterminated",
    "0 /* unterminated",
    "1 FROM victims",
    "1 UNION SELECT 2",
    "",
    "*",
    "victims.*",
]


def _with_fragment(where: str, fragment: str) -> Schema:
    column = _column("v", line=7)
    table_kw: dict = {}
    if where == "server_default":
        column = replace(column, server_default=fragment)
    elif where == "computed":
        column = replace(column, computed=ColumnComputed(fragment))
    elif where == "check":
        table_kw["check_constraints"] = (CheckConstraint(None, fragment, line=7),)
    elif where == "index_where":
        table_kw["indexes"] = (Index("ix_v", ("v",), where=fragment, line=7),)
    elif where == "index_key":
        key = IndexElement(expression=fragment)
        table_kw["indexes"] = (Index("ix_v", (), elements=(key,), line=7),)
    key = _column("id", nullable=False, primary_key=True)
    return Schema("models.py", (Table("t", "T", (key, column), ("id",), line=3, **table_kw),))


@pytest.mark.parametrize("fragment", HOSTILE_FRAGMENTS)
@pytest.mark.parametrize(
    "where", ["server_default", "computed", "check", "index_where", "index_key"]
)
def test_a_fragment_that_leaves_its_clause_is_refused_where_it_stands(where, fragment):
    with pytest.raises(UnsupportedConstruct) as raised:
        plan(Schema("old.py", ()), _with_fragment(where, fragment))
    assert (raised.value.path, raised.value.line) == ("models.py", 7)


@pytest.mark.parametrize(
    "fragment", ["0 IS NULL", "NOT true", "true AND false", "'x' COLLATE \"C\""]
)
def test_an_expression_a_default_cannot_hold_is_refused_there_only(fragment):
    """A DEFAULT takes a narrower expression than a CHECK: ``DEFAULT 0 IS NULL`` is a file
    that does not parse, and ``DEFAULT 'x' COLLATE "C"`` changes the column's collation."""
    with pytest.raises(UnsupportedConstruct) as raised:
        plan(Schema("old.py", ()), _with_fragment("server_default", fragment))
    assert (raised.value.path, raised.value.line) == ("models.py", 7)
    assert plan(Schema("old.py", ()), _with_fragment("check", fragment))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("ops", (("v", "vector_l2_ops; DROP TABLE victims"),)),
        ("using", "hnsw; DROP TABLE victims"),
        ("with_", (("m", "16); DROP TABLE victims; --"),)),
        ("with_", (("m = 1) --", "16"),)),
    ],
)
def test_index_words_that_are_not_words_are_refused(field, value):
    index = Index("ix_v", ("v",), line=7, **{field: value})
    key = _column("id", nullable=False, primary_key=True)
    table = Table("t", "T", (key, _column("v")), ("id",), indexes=(index,))
    with pytest.raises(UnsupportedConstruct) as raised:
        plan(Schema("old.py", ()), Schema("models.py", (table,)))
    assert (raised.value.path, raised.value.line) == ("models.py", 7)


def test_an_on_delete_that_is_no_action_is_refused():
    key = _column("id", nullable=False, primary_key=True)
    bad = _column("p", foreign_key="t.id", ondelete="CASCADE\nDROP TABLE victims", line=5)
    table = Table("t", "T", (key, bad), ("id",))
    with pytest.raises(UnsupportedConstruct) as raised:
        plan(Schema("old.py", ()), Schema("models.py", (table,)))
    assert raised.value.line == 5


def test_a_nul_in_a_name_is_refused_not_written():
    key = _column("id", nullable=False, primary_key=True)
    table = Table("t", "T", (key, _column("a\x00b", line=4)), ("id",))
    with pytest.raises(UnsupportedConstruct) as raised:
        plan(Schema("old.py", ()), Schema("models.py", (table,)))
    assert raised.value.line == 4


# --------------------------------------------------------------------------- the pieces


@pytest.mark.parametrize(
    "char", [*BREAKS, "\u202e", "\u2066", "\u200b", "\x1b", "\x00", "\x7f", "\ud800"]
)
def test_a_comment_is_always_one_inert_line(char):
    line = comment(f"a{char}DROP TABLE victims;")
    assert line.startswith("-- ") and len(line.splitlines()) == 1
    assert char not in line
    # PostgreSQL reads nothing but the comment.
    assert pglast.parse_sql(f"SELECT 1;\n{line}\nSELECT 2;").__len__() == 2
    assert inert("plain text\twith a tab") == "plain text\twith a tab"


@pytest.mark.parametrize("char", [*BREAKS, "\u202e", "'", "\\", '"'])
def test_names_and_literals_with_breaks_stay_on_one_line_and_mean_the_same(char):
    from modelsync.migrate.sqltext import quoted_identifier

    text = f"a{char}b"
    node = statements(f"SELECT {quoted_identifier(text)}, {literal(text)}")[0]
    name, value = node.targetList
    assert name.val.fields[0].sval == text
    assert value.val.val.sval == text
    assert "\n" not in quoted_identifier(text) + literal(text)


def test_a_dollar_tag_is_never_in_the_body():
    for body in ("x", "a $$ b", "a $$ b $do$ c", "$do$ $do1$ $$"):
        quoted = dollar_quoted(body)
        tag = quoted.split("\n", 1)[0]
        assert tag not in body
        assert quoted == f"{tag}\n{body}\n{tag}"


def test_indent_never_changes_a_literal_or_a_quoted_name():
    statement = "ALTER TABLE t ADD CHECK (a IN ('x\ny'))\nAND \"q\nr\" /* c\nd */"
    indented = indent(statement, 2)
    assert "'x\ny'" in indented and '"q\nr"' in indented and "/* c\nd */" in indented
    assert indented.startswith("        ALTER") and "\n        AND" in indented


def test_the_statement_kinds_check_catches_an_injection():
    """The checker itself: a file with one statement more than the plan fails it."""
    old, new = hostile_pair("x")
    operations = plan(old, new)
    rendered = render(operations, old, new)
    with pytest.raises(AssertionError):
        assert_file_matches_plan(
            rendered.sql + "\nDROP TABLE victims;\n", rendered.blocks, operations
        )
    sneaky = rendered.sql.replace("END IF;\nEND\n$$;", "END IF;\n DROP TABLE victims;\nEND\n$$;", 1)
    assert sneaky != rendered.sql
    with pytest.raises(AssertionError):
        assert_file_matches_plan(sneaky, rendered.blocks, operations)


def test_a_state_with_half_a_character_is_refused_when_read():
    from modelsync.errors import InputError

    state = state_text(SchemaState(Schema("s", ()), None, None, None))
    tampered = state.replace('"tables": []', '"tables": [{"name": "\\ud800"}]', 1)
    assert tampered != state
    with pytest.raises(InputError, match="lone surrogate"):
        parse_state(tampered, "schema_state.json")
