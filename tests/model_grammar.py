"""A grammar of SQLModel models, as hypothesis strategies, for the migration property.

``model_pairs()`` draws (old, new) pairs of ``Models``: enum types, and tables with every
column kind the IR knows (integers, strings with and without a length, text, booleans,
floats, numerics, timestamps, JSON, JSONB, vectors, enums), server defaults and comments;
primary keys of one serial, one string or two columns; foreign keys of every shape (to
another table, to the same table, chains, cycles between tables, to a string key, with ON
DELETE); indexes (plain, unique, descending, an expression, partial) and unique and check
constraints. The new side is the old one changed: tables added (pointing at old and new
tables, cycles included), dropped and renamed; columns added, dropped and renamed, their
type, nullability, default, comment, uniqueness, index and foreign key changed (its target
too); enum labels added, dropped and reordered; indexes and constraints added and dropped.

``source(models)`` writes a models file that real SQLModel imports and ``create_all`` builds.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from hypothesis import strategies as st

# Column kinds: the annotation, the Field/sa_column spelling, a server default, a CHECK.
KINDS = {
    "int": ("int", None, "0", "{c} >= 0"),
    "bigint": ("int", "BigInteger", "0", "{c} >= 0"),
    "str": ("str", None, "'x'", "char_length({c}) < 100"),
    "str20": ("str", 20, "'x'", "char_length({c}) < 100"),
    "str50": ("str", 50, "'x'", "char_length({c}) < 100"),
    "text": ("str", "Text", "'x'", "char_length({c}) < 100"),
    "bool": ("bool", None, "true", None),
    "float": ("float", None, "0.5", "{c} > -1"),
    "numeric": ("Decimal", "Numeric(10, 2)", "0", "{c} >= 0"),
    "datetime": ("datetime", None, "now()", None),
    "json": ("dict", "JSON", None, None),
    "jsonb": ("dict", "JSONB", None, None),
    "vector3": ("list", "Vector(3)", None, None),
    "vector4": ("list", "Vector(4)", None, None),
}
# What a column's type may become (enum columns change labels, or to text).
RETYPE = {
    "int": ["bigint", "str", "float", "numeric"],
    "bigint": ["int", "numeric"],
    "str": ["str20", "text"],
    "str20": ["str50", "str", "text"],
    "str50": ["str20", "text", "int"],
    "text": ["str", "str50"],
    "bool": ["int", "str"],
    "float": ["int", "numeric"],
    "numeric": ["float", "int"],
    "datetime": ["str"],
    "json": ["jsonb"],
    "jsonb": ["json"],
    "vector3": ["vector4"],
    "vector4": ["vector3"],
}
LABELS = ("red", "green", "blue", "grey")
ONDELETE = (None, "CASCADE", "SET NULL", "RESTRICT")


@dataclass(frozen=True)
class Col:
    name: str
    kind: str  # a KINDS key, "enum:NAME" or "fk" (the type of the target's key)
    nullable: bool = True
    unique: bool = False
    index: bool = False
    fk: str | None = None  # the table it points at (its key)
    ondelete: str | None = None
    default: bool = False  # the kind's server default
    comment: str | None = None


@dataclass(frozen=True)
class Idx:
    number: int  # named ix_<table>_<number> (renamed with its table)
    column: str
    style: str  # plain, unique, desc, expression, partial


@dataclass(frozen=True)
class Table:
    name: str
    key: str  # serial, string, pair
    columns: tuple[Col, ...] = ()
    indexes: tuple[Idx, ...] = ()
    # (named uq_<table>, columns) and (named ck_<table>, column)
    uniques: tuple[tuple[bool, tuple[str, ...]], ...] = ()
    checks: tuple[tuple[bool, str], ...] = ()
    # ForeignKeyConstraint over two integer columns to a table of two key columns: (named
    # fk_<table>_<n>, (column, column), target table, ondelete)
    keys: tuple[tuple[bool, tuple[str, str], str, str | None], ...] = ()


@dataclass(frozen=True)
class Models:
    enums: tuple[tuple[str, tuple[str, ...]], ...] = ()
    tables: tuple[Table, ...] = ()
    label: str = field(default="", compare=False)

    def table(self, name: str) -> Table | None:
        return next((t for t in self.tables if t.name == name), None)


# --------------------------------------------------------------------------- drawing

TABLE_NAMES = tuple(f"t{i}" for i in range(6))
COLUMN_NAMES = tuple(f"c{i}" for i in range(8))


@st.composite
def enum_types(draw) -> tuple[tuple[str, tuple[str, ...]], ...]:
    count = draw(st.integers(0, 2))
    return tuple(
        (
            f"e{i}",
            tuple(draw(st.lists(st.sampled_from(LABELS), min_size=1, max_size=4, unique=True))),
        )
        for i in range(count)
    )


@st.composite
def column(draw, name: str, enums, tables: tuple[str, ...], own: str) -> Col:
    kinds = [*KINDS, *(f"enum:{e}" for e, _ in enums)]
    if tables:
        kinds += ["fk", "fk"]
    kind = draw(st.sampled_from(kinds))
    nullable = draw(st.booleans())
    if kind == "fk":
        target = draw(st.sampled_from(tables))
        actions = ONDELETE if nullable else tuple(a for a in ONDELETE if a != "SET NULL")
        return Col(name, "fk", nullable, fk=target, ondelete=draw(st.sampled_from(actions)),
                   index=draw(st.booleans()))  # fmt: skip
    plain = kind in ("int", "bigint", "str", "str20", "str50", "bool", "float", "datetime")
    has_default = KINDS.get(kind, (0, 0, None))[2] is not None or kind.startswith("enum:")
    return Col(
        name,
        kind,
        nullable,
        unique=plain and draw(st.booleans()) and draw(st.booleans()),
        index=plain and draw(st.booleans()) and draw(st.booleans()),
        default=has_default and draw(st.booleans()) and draw(st.booleans()),
        comment=draw(st.sampled_from([None, None, "a note", "it's\nlong"])),
    )


@st.composite
def table(draw, name: str, enums, targets: tuple[str, ...]) -> Table:
    key = draw(st.sampled_from(["serial", "serial", "serial", "string", "pair"]))
    count = draw(st.integers(0, 4))
    names = COLUMN_NAMES[:count]
    # A table may point at itself too (a self-referencing key).
    columns = tuple(draw(column(n, enums, (*targets, name), name)) for n in names)
    return draw(extras(Table(name, key, columns)))


@st.composite
def extras(draw, base: Table) -> Table:
    """Indexes, unique and check constraints over the table's plain columns."""
    plain = [c for c in base.columns if c.kind in KINDS and not c.kind.startswith("vector")
             and c.kind not in ("json", "jsonb")]  # fmt: skip
    if not plain:
        return base
    indexes, uniques, checks = [], [], []
    for number in range(draw(st.integers(0, 2))):
        col = draw(st.sampled_from(plain))
        style = draw(st.sampled_from(["plain", "unique", "desc", "expression", "partial"]))
        if style == "expression" and KINDS[col.kind][0] != "str":
            style = "plain"
        indexes.append(Idx(number, col.name, style))
    if draw(st.booleans()):
        cols = tuple(sorted({draw(st.sampled_from(plain)).name for _ in range(2)}))
        uniques.append((draw(st.booleans()), cols))
    checkable = [c for c in plain if KINDS[c.kind][3]]
    if checkable and draw(st.booleans()):
        checks.append((draw(st.booleans()), draw(st.sampled_from(checkable)).name))
    return replace(base, indexes=tuple(indexes), uniques=tuple(uniques), checks=tuple(checks))


@st.composite
def models(draw) -> Models:
    enums = draw(enum_types())
    count = draw(st.integers(1, 4))
    names = TABLE_NAMES[:count]
    tables = []
    for index, name in enumerate(names):
        # Earlier tables only (a chain), except keys added later may close a cycle.
        tables.append(draw(table(name, enums, names[:index])))
    return repair(Models(enums, tuple(tables)))


# --------------------------------------------------------------------------- changes


@st.composite
def changed(draw, old: Models) -> Models:
    new = old
    for _ in range(draw(st.integers(1, 4))):
        change = draw(st.sampled_from(CHANGES))
        new = repair(draw(change(new)))
    return new


@st.composite
def add_table(draw, m: Models) -> Models:
    free = [n for n in TABLE_NAMES if m.table(n) is None]
    if not free:
        return m
    name = free[0]
    others = tuple(t.name for t in m.tables) + tuple(free[1:2])
    new = draw(table(name, m.enums, others))
    return replace(m, tables=(*m.tables, new))


@st.composite
def add_cycle(draw, m: Models) -> Models:
    """Two new tables that point at each other (and maybe at an old one)."""
    free = [n for n in TABLE_NAMES if m.table(n) is None][:2]
    if len(free) < 2:
        return m
    a, b = free
    old = tuple(t.name for t in m.tables)
    first = Table(a, "serial", (Col("c0", "fk", True, fk=b),))
    second = Table(b, "serial", (Col("c0", "fk", True, fk=a),))
    if old and draw(st.booleans()):
        second = replace(
            second, columns=(*second.columns, Col("c1", "fk", True, fk=draw(st.sampled_from(old))))
        )
    return replace(m, tables=(*m.tables, first, second))


@st.composite
def drop_table(draw, m: Models) -> Models:
    if len(m.tables) < 2:
        return m
    gone = draw(st.sampled_from(m.tables)).name
    return replace(m, tables=tuple(t for t in m.tables if t.name != gone))


@st.composite
def rename_table(draw, m: Models) -> Models:
    free = [n for n in TABLE_NAMES if m.table(n) is None]
    if not free or not m.tables:
        return m
    old = draw(st.sampled_from(m.tables))
    return replace(m, tables=tuple(replace(t, name=free[0]) if t is old else t for t in m.tables))


def _a_table(draw, m: Models, having=lambda t: True) -> Table | None:
    """One of the tables that have what is asked, or None."""
    tables = [t for t in m.tables if having(t)]
    return draw(st.sampled_from(tables)) if tables else None


@st.composite
def change_column(draw, m: Models) -> Models:
    t = _a_table(draw, m, lambda t: t.columns)
    if t is None:
        return m
    c = draw(st.sampled_from(t.columns))
    what = draw(st.sampled_from(["type", "nullable", "default", "comment", "unique", "index",
                                 "fk", "ondelete", "drop", "rename"]))  # fmt: skip
    if what == "type":
        if c.kind.startswith("enum:"):
            new = replace(c, kind="text", default=False)
        elif c.kind in RETYPE:
            new = replace(c, kind=draw(st.sampled_from(RETYPE[c.kind])))
        else:
            new = replace(c, kind="int", fk=None, ondelete=None)
    elif what == "nullable":
        new = replace(c, nullable=not c.nullable)
    elif what == "default":
        new = replace(c, default=not c.default)
    elif what == "comment":
        new = replace(c, comment=None if c.comment else "changed")
    elif what == "unique":
        new = replace(c, unique=not c.unique)
    elif what == "index":
        new = replace(c, index=not c.index)
    elif what == "fk":
        targets = [x.name for x in m.tables]
        target = draw(st.sampled_from([None, *targets]))
        new = replace(c, kind="fk" if target else "int", fk=target, ondelete=None)
    elif what == "ondelete":
        new = replace(c, ondelete=draw(st.sampled_from(ONDELETE)))
    elif what == "rename":
        free = [n for n in COLUMN_NAMES if n not in {x.name for x in t.columns}]
        new = replace(c, name=free[0]) if free else c
    else:
        new = None
    columns = tuple(new if x is c else x for x in t.columns if x is not c or new is not None)
    return _with_table(m, replace(t, columns=columns))


@st.composite
def add_column(draw, m: Models) -> Models:
    if not m.tables:
        return m
    t = draw(st.sampled_from(m.tables))
    free = [n for n in COLUMN_NAMES if n not in {x.name for x in t.columns}]
    if not free:
        return m
    targets = tuple(x.name for x in m.tables)
    return _with_table(
        m, replace(t, columns=(*t.columns, draw(column(free[0], m.enums, targets, t.name))))
    )


@st.composite
def change_extras(draw, m: Models) -> Models:
    if not m.tables:
        return m
    t = draw(st.sampled_from(m.tables))
    return _with_table(m, draw(extras(replace(t, indexes=(), uniques=(), checks=()))))


@st.composite
def change_labels(draw, m: Models) -> Models:
    if not m.enums:
        return m
    name, labels = draw(st.sampled_from(m.enums))
    how = draw(st.sampled_from(["append", "prepend", "drop", "reorder"]))
    spare = [x for x in LABELS if x not in labels]
    if how == "append" and spare:
        labels = (*labels, spare[0])
    elif how == "prepend" and spare:
        labels = (spare[0], *labels)
    elif how == "drop" and len(labels) > 1:
        labels = labels[1:]
    elif how == "reorder" and len(labels) > 1:
        labels = (*labels[1:], labels[0])
    return replace(m, enums=tuple((n, labels if n == name else ls) for n, ls in m.enums))


@st.composite
def change_key(draw, m: Models) -> Models:
    if not m.tables:
        return m
    t = draw(st.sampled_from(m.tables))
    return _with_table(m, replace(t, key=draw(st.sampled_from(["serial", "string", "pair"]))))


@st.composite
def add_composite_key(draw, m: Models) -> Models:
    """Two integer columns and a ForeignKeyConstraint over them to a table of two key
    columns (maybe its own), maybe named, maybe with ON DELETE."""
    pairs = [t.name for t in m.tables if t.key == "pair"]
    if not pairs or not m.tables:
        return m
    t = draw(st.sampled_from(m.tables))
    free = [n for n in COLUMN_NAMES if n not in {x.name for x in t.columns}][:2]
    if len(free) < 2:
        return m
    nullable = draw(st.booleans())
    columns = tuple(Col(n, "int", nullable) for n in free)
    action = draw(st.sampled_from([a for a in ONDELETE if nullable or a != "SET NULL"]))
    key = (draw(st.booleans()), (free[0], free[1]), draw(st.sampled_from(pairs)), action)
    return _with_table(m, replace(t, columns=(*t.columns, *columns), keys=(*t.keys, key)))


@st.composite
def drop_composite_key(draw, m: Models) -> Models:
    t = _a_table(draw, m, lambda t: t.keys)
    return m if t is None else _with_table(m, replace(t, keys=t.keys[1:]))


CHANGES = [add_table, add_cycle, drop_table, rename_table, change_column, change_column,
           add_column, change_extras, change_labels, change_key, add_composite_key,
           drop_composite_key]  # fmt: skip


def _with_table(m: Models, new: Table) -> Models:
    return replace(m, tables=tuple(new if t.name == new.name else t for t in m.tables))


def repair(m: Models) -> Models:
    """Make the models valid for SQLModel: keys point at tables that exist and have one
    key column; SET NULL only on nullable columns; indexes and constraints only over
    columns that are there and of a kind that takes them; enum labels of known types."""
    enums = {e for e, _ in m.enums}
    singles = {t.name for t in m.tables if t.key != "pair"}
    tables = []
    for t in m.tables:
        cols = []
        for c in t.columns:
            if c.fk is not None and c.fk not in singles:
                c = replace(c, kind="int", fk=None, ondelete=None)
            if c.kind.startswith("enum:") and c.kind[5:] not in enums:
                c = replace(c, kind="text", default=False)
            if c.ondelete == "SET NULL" and not c.nullable:
                c = replace(c, ondelete=None)
            if c.kind not in KINDS or isinstance(KINDS[c.kind][1], str):  # an sa_column
                c = replace(c, unique=False, index=False)
            if c.kind in KINDS and KINDS[c.kind][2] is None:
                c = replace(c, default=False)
            if c.fk is not None:
                c = replace(c, default=False)
            cols.append(c)
        plain = {
            c.name for c in cols if c.kind in KINDS and not c.kind.startswith(("vector", "json"))
        }
        kinds = {c.name: c.kind for c in cols}
        indexes = tuple(i for i in t.indexes if i.column in plain
                        and (i.style != "expression" or KINDS[kinds[i.column]][0] == "str"))  # fmt: skip
        # CREATE TABLE folds a UNIQUE over a unique column into the column's own, as the
        # migration plans it (migrate/keys.py).
        uniques = tuple(u for u in t.uniques if set(u[1]) <= plain)
        checks = tuple(ch for ch in t.checks if ch[1] in plain and KINDS[kinds[ch[1]]][3])
        pairs = {x.name for x in m.tables if x.key == "pair"}
        keys, used = [], set()
        for key in t.keys:
            named, columns, target, action = key
            nullable = all(c.nullable for c in cols if c.name in columns)
            if (target in pairs and all(kinds.get(c) == "int" for c in columns)
                    and not set(columns) & used and (nullable or action != "SET NULL")):  # fmt: skip
                keys.append(key)
                used |= set(columns)
        tables.append(replace(t, columns=tuple(cols), indexes=indexes, uniques=uniques,
                              checks=checks, keys=tuple(keys)))  # fmt: skip
    return replace(m, tables=tuple(tables))


@st.composite
def model_pairs(draw) -> tuple[Models, Models]:
    old = draw(models())
    return old, draw(changed(old))


# --------------------------------------------------------------------------- source

HEADER = '''"""Generated by tests/model_grammar.py."""

from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Optional

from pgvector.sqlalchemy import Vector
from sqlalchemy import (BigInteger, CheckConstraint, Column, ForeignKeyConstraint, Index, Numeric,
                        Text, UniqueConstraint, text)
from sqlalchemy.dialects.postgresql import JSON, JSONB
from sqlmodel import Field, SQLModel
'''


def source(m: Models) -> str:
    lines = [HEADER]
    for name, labels in m.enums:
        lines += ["", f"class {name.upper()}(str, Enum):"]
        lines += [f'    {label} = "{label}"' for label in labels]
    for t in m.tables:
        lines += ["", *_table_source(t, m)]
    return "\n".join(lines) + "\n"


def _key_type(t: Table | None) -> str:
    return "str" if t is not None and t.key == "string" else "int"


def _table_source(t: Table, m: Models) -> list[str]:
    lines = [f"class {t.name.upper()}(SQLModel, table=True):", f'    __tablename__ = "{t.name}"']
    args = [_index_source(i, t.name) for i in t.indexes]
    args += [
        f"UniqueConstraint({', '.join(repr(c) for c in cols)}{_named(named, 'uq', t.name)})"
        for named, cols in t.uniques
    ]
    kinds = {c.name: c.kind for c in t.columns}
    args += [
        f"CheckConstraint({KINDS[kinds[col]][3].format(c=col)!r}{_named(named, 'ck', t.name)})"
        for named, col in t.checks
    ]
    for number, (named, columns, target, action) in enumerate(t.keys):
        name = f", name='fk_{t.name}_{number}'" if named else ""
        ondelete = f", ondelete={action!r}" if action else ""
        args.append(f"ForeignKeyConstraint({list(columns)!r}, "
                    f"{[f'{target}.id', f'{target}.part']!r}{name}{ondelete})")  # fmt: skip
    if args:
        lines.append(f"    __table_args__ = ({', '.join(args)},)")
    if t.key == "serial":
        lines.append("    id: Optional[int] = Field(default=None, primary_key=True)")
    elif t.key == "string":
        lines.append("    id: str = Field(primary_key=True, max_length=20)")
    else:
        lines.append("    id: int = Field(primary_key=True)")
        lines.append("    part: int = Field(primary_key=True)")
    lines += [f"    {_column_source(c, m)}" for c in t.columns]
    return lines


def _named(named: bool, prefix: str, table: str) -> str:
    return f", name='{prefix}_{table}'" if named else ""


def _index_source(i: Idx, table: str) -> str:
    name = f"ix_{table}_{i.number}"
    if i.style == "unique":
        return f"Index({name!r}, {i.column!r}, unique=True)"
    if i.style == "desc":
        return f"Index({name!r}, text({(i.column + ' DESC')!r}))"
    if i.style == "expression":
        return f"Index({name!r}, text({f'lower({i.column})'!r}))"
    if i.style == "partial":
        return (
            f"Index({name!r}, {i.column!r}, postgresql_where=text({f'{i.column} IS NOT NULL'!r}))"
        )
    return f"Index({name!r}, {i.column!r})"


def _column_source(c: Col, m: Models) -> str:
    if c.kind == "fk":
        python = _key_type(m.table(c.fk))
    elif c.kind.startswith("enum:"):
        python = c.kind[5:].upper()
    else:
        python = KINDS[c.kind][0]
    annotation = f"Optional[{python}]" if c.nullable else python
    spelling = KINDS[c.kind][1] if c.kind in KINDS else None
    kwargs: dict[str, str] = {}
    if c.default:
        default = KINDS[c.kind][2] if c.kind in KINDS else f"'{_labels(m, c.kind[5:])[0]}'"
        kwargs["server_default"] = f"text({default!r})"
    if c.comment:
        kwargs["comment"] = repr(c.comment)
    if isinstance(spelling, str):  # an sa_column of its own
        extra = "".join(f", {k}={v}" for k, v in kwargs.items())
        nullable = "" if c.nullable else ", nullable=False"
        column = f"Column({spelling}{nullable}{extra})"
        return f"{c.name}: {annotation} = Field(default=None, sa_column={column})"
    args = ["default=None"] if c.nullable else []
    if isinstance(spelling, int):
        args.append(f"max_length={spelling}")
    if c.fk:
        args.append(f"foreign_key={f'{c.fk}.id'!r}")
        if c.ondelete:
            args.append(f"ondelete={c.ondelete!r}")
    if c.unique:
        args.append("unique=True")
    if c.index:
        args.append("index=True")
    if kwargs:
        args.append(
            "sa_column_kwargs={" + ", ".join(f"{k!r}: {v}" for k, v in kwargs.items()) + "}"
        )
    return f"{c.name}: {annotation} = Field({', '.join(args)})"


def _labels(m: Models, enum: str) -> tuple[str, ...]:
    return next(labels for name, labels in m.enums if name == enum)
