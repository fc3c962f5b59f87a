"""Schema x Schema -> migration operations, in the order a careful DBA applies them.

The order (``ops.PHASES``) is what makes the file apply: the ``vector`` extension before
the first vector column; enum labels and new enum types before the tables that use them;
foreign keys, indexes and constraints that change are dropped before the columns and keys
they rest on change, and added after; new tables in foreign-key order (a table before the
tables that point at it, ``foreign_keys``); dropped tables after the foreign keys that
pointed at them, in reverse foreign-key order, and their enum types after them.

Only what needs SQL is planned: a Python-side default, a class name or a source line is
not a database change.
"""

from __future__ import annotations

from collections.abc import Iterator

from modelsync.drift.compare import differences
from modelsync.errors import UnsupportedConstruct
from modelsync.migrate import ops as o
from modelsync.migrate.clashes import refuse_clashes
from modelsync.migrate.foreign_keys import (
    created_tables,
    dropped_tables,
    foreign_key_ops,
    retyped_columns,
)
from modelsync.migrate.fragments import refuse_unsafe
from modelsync.migrate.keys import table_constraints
from modelsync.migrate.names import constraint_name
from modelsync.migrate.types import is_narrowing, is_vector
from modelsync.schema.ir import (
    UNKNOWN_TYPE,
    Column,
    EnumType,
    Index,
    Schema,
    Table,
)


def plan(old: Schema, new: Schema) -> tuple[o.Op, ...]:
    """The operations that take a database from ``old`` to ``new``, sorted."""
    _refuse_unknown(new)
    for schema in (old, new):
        refuse_unsafe(schema)
        refuse_clashes(schema)
    old_tables = {t.name: t for t in old.tables}
    new_tables = {t.name: t for t in new.tables}
    dropped, created, common = differences(old_tables, new_tables)
    found: list[o.Op] = []
    found += _enum_ops(old, new)
    retyped = retyped_columns(old, new)
    found += created_tables([new_tables[n] for n in created], retyped)
    for name in common:
        found += _table_ops(old_tables[name], new_tables[name], retyped)
    found += dropped_tables(old, new, dropped)
    if any(_adds_vector(op) for op in found):
        found.append(o.CreateExtension("vector"))
    # sorted() is stable: tables keep their foreign-key order and enum labels theirs.
    return tuple(sorted(found, key=lambda op: op.sort_key()))


def _refuse_unknown(schema: Schema) -> None:
    """A type or default the parser could not resolve cannot be migrated to."""
    for table in schema.tables:
        for column in table.columns:
            if UNKNOWN_TYPE in (column.type, column.server_default):
                what = "type" if column.type == UNKNOWN_TYPE else "server default"
                raise UnsupportedConstruct(
                    f"{table.name}.{column.name}: its {what} cannot be resolved statically, "
                    "so no migration SQL can be written for it",
                    schema.where(column),
                    column.line or None,
                )


def _adds_vector(op: o.Op) -> bool:
    if isinstance(op, o.CreateTable):
        return any(is_vector(c.type) for c in op.new.columns)
    if isinstance(op, (o.AddColumn, o.AlterType)):
        return is_vector(op.column.type if isinstance(op, o.AddColumn) else op.new.type)
    return False


# --------------------------------------------------------------------------- enums


def used_enums(schema: Schema) -> dict[str, EnumType]:
    """The enum types the tables use: those create_all makes."""
    used = {c.enum for t in schema.tables for c in t.columns if c.enum}
    return {e.name: e for e in schema.enums if e.name in used}


def _enum_ops(old: Schema, new: Schema) -> Iterator[o.Op]:
    a, b = used_enums(old), used_enums(new)
    dropped, created, common = differences(a, b)
    yield from (o.CreateEnum(b[name]) for name in created)
    yield from (o.DropEnum(a[name]) for name in dropped)
    for name in common:
        if a[name].labels == b[name].labels:
            continue
        if _is_subsequence(a[name].labels, b[name].labels):
            yield from _added_labels(a[name], b[name])
        else:
            yield o.RewriteEnum(a[name], b[name], _enum_columns(name, old, new))


def _is_subsequence(short: tuple[str, ...], long: tuple[str, ...]) -> bool:
    rest = iter(long)
    return all(label in rest for label in short)


def _added_labels(old: EnumType, new: EnumType) -> Iterator[o.AddEnumLabel]:
    """Each new label placed after its predecessor (or before the first label)."""
    for position, label in enumerate(new.labels):
        if label in old.labels:
            continue
        if position == 0:
            yield o.AddEnumLabel(new.name, label, before=new.labels[1])
        else:
            yield o.AddEnumLabel(new.name, label, after=new.labels[position - 1])


def _enum_columns(name: str, old: Schema, new: Schema) -> tuple[tuple[str, str, str | None], ...]:
    """Every column that may use the type when it is rewritten: the old schema's, and
    those of new tables (create_all may have made them with the old type already)."""
    found = {
        (t.name, c.name, c.server_default) for t in old.tables for c in t.columns if c.enum == name
    }
    old_names = {t.name for t in old.tables}
    found |= {
        (t.name, c.name, c.server_default)
        for t in new.tables
        if t.name not in old_names
        for c in t.columns
        if c.enum == name
    }
    return tuple(sorted(found, key=lambda x: (x[0], x[1])))


# --------------------------------------------------------------------------- tables


def _table_ops(old: Table, new: Table, retyped: frozenset[tuple[str, str]]) -> Iterator[o.Op]:
    a = {c.name: c for c in old.columns}
    b = {c.name: c for c in new.columns}
    dropped, added, common = differences(a, b)
    rename = _likely_rename(a, b, dropped, added)
    for name in added:
        yield o.AddColumn(new, b[name], rename[1] if rename and rename[0] == name else None)
    for name in dropped:
        yield o.DropColumn(old, a[name], rename[0] if rename and rename[1] == name else None)
    retyped_vectors: set[str] = set()
    for name in common:
        yield from _column_ops(new, a[name], b[name])
        if a[name].type != b[name].type and is_vector(b[name].type):
            retyped_vectors.add(name)
    gone = frozenset(dropped)
    yield from foreign_key_ops(old, new, gone, retyped)
    yield from _primary_key_ops(old, new)
    yield from _constraint_ops(old, new, gone)
    yield from _index_ops(old, new, gone, retyped_vectors)


def _likely_rename(
    a: dict[str, Column], b: dict[str, Column], dropped: list[str], added: list[str]
) -> tuple[str, str] | None:
    """(added, dropped) when one column of a type went and one of the same type came."""
    if len(dropped) == 1 and len(added) == 1 and a[dropped[0]].type == b[added[0]].type:
        return added[0], dropped[0]
    return None


def _column_ops(table: Table, old: Column, new: Column) -> Iterator[o.Op]:
    if old.type != new.type:
        yield o.AlterType(table, old, new, is_narrowing(old.type, new.type))
    if old.nullable != new.nullable and not (old.primary_key and new.primary_key):
        yield o.AlterNullable(table, old, new)
    # A column becoming SERIAL gets its default from SERIAL's step; dropping the old one
    # as well, in whichever order the phases put the two, could leave it none.
    gains_serial = o.is_serial(new) and not o.is_serial(old) and new.server_default is None
    if old.server_default != new.server_default and not gains_serial:
        yield o.AlterDefault(table, old, new)
    # An identity replacing SERIAL (or replaced by it) is one step, AlterGenerated's: the
    # order of dropping one and making the other is PostgreSQL's to decide, not the phases'.
    if o.is_serial(old) != o.is_serial(new) and old.identity == new.identity:
        yield o.AlterAutoincrement(table, old, new)
    if old.comment != new.comment:
        yield o.AlterComment(table, old, new)
    if (old.identity, old.computed) != (new.identity, new.computed):
        yield o.AlterGenerated(table, old, new)


def _primary_key_ops(old: Table, new: Table) -> Iterator[o.Op]:
    if old.primary_key == new.primary_key:
        return
    if old.primary_key:
        yield o.DropPrimaryKey(old.name, old.primary_key)
    if new.primary_key:
        yield o.AddPrimaryKey(new.name, new.primary_key)


def _constraint_ops(old: Table, new: Table, gone: frozenset[str]) -> Iterator[o.Op]:
    a, b = set(table_constraints(old)), set(table_constraints(new))
    added = {constraint_name(new.name, c) for c in b - a}
    for constraint in sorted(a - b, key=repr):
        columns = getattr(constraint, "columns", ())
        if columns and set(columns) <= gone and constraint_name(old.name, constraint) not in added:
            continue  # dropped with its columns (unless a new one takes its name)
        yield o.DropConstraint(old.name, constraint)
    for constraint in sorted(b - a, key=repr):
        yield o.AddConstraint(new.name, constraint)


def _index_ops(
    old: Table, new: Table, gone: frozenset[str], retyped_vectors: set[str]
) -> Iterator[o.Op]:
    a = {i.name: i for i in old.indexes}
    b = {i.name: i for i in new.indexes}
    dropped, created, common = differences(a, b)
    for name in dropped:
        if not _goes_with_columns(a[name], gone):
            yield o.DropIndex(old.name, a[name])
    for name in created:
        yield o.CreateIndex(new.name, b[name])
    for name in common:
        # A vector column's indexes are rebuilt for its new dimension.
        rebuilt = set(b[name].columns) & retyped_vectors
        if _index_key(a[name]) != _index_key(b[name]) or rebuilt:
            yield o.DropIndex(old.name, a[name])
            yield o.CreateIndex(new.name, b[name])


def _goes_with_columns(index: Index, gone: frozenset[str]) -> bool:
    """Whether dropping columns drops the index too: every key is a column, all dropped.
    (An expression key names no column the IR knows: such an index is dropped itself.)"""
    keys = index.elements
    return bool(keys) and all(e.column is not None and e.column in gone for e in keys)


def _index_key(index: Index) -> tuple:
    # drift.compare's reading of an index: ASC and the default NULLS order change nothing.
    from modelsync.drift.compare import _effective

    elements = tuple(_effective(e) for e in index.elements)
    return (elements, index.unique, index.using, index.ops, index.where, index.with_)
