"""Foreign keys in a plan: the order of new and dropped tables, the keys that close a
cycle, and the keys that change.

- New tables come in foreign-key order. A key that closes a cycle between new tables
  cannot be in a CREATE TABLE (its target does not exist yet): as ``create_all`` does, the
  tables are made without it and it is added once they all exist. A key to its own table
  stays in the CREATE TABLE.
- Dropped tables go in reverse order; a key that closes a cycle between them is dropped
  first, with them (destructive too).
- A key changes when its columns, targets, ON DELETE or name change; it is also dropped
  and added again when a column it joins changes type (PostgreSQL re-checks a key when a
  column of it changes type, and two columns changing in turn would not match in between).
"""

from __future__ import annotations

from collections.abc import Iterator

from modelsync.migrate import ops as o
from modelsync.migrate.keys import table_foreign_keys
from modelsync.migrate.names import key_name
from modelsync.schema.ir import Column, ForeignKeyConstraint, Schema, Table


def referenced_table(column: Column) -> str | None:
    """The table a column's foreign key points at (``"table.column"``: all but the last
    dot-separated part, as SQLAlchemy reads it)."""
    return column.foreign_key.rsplit(".", 1)[0] if column.foreign_key else None


def target_table(key: ForeignKeyConstraint) -> str:
    return key.targets[0].rsplit(".", 1)[0]


def referenced_tables(table: Table, leaving_out: tuple[str, ...] = ()) -> set[str]:
    """The tables the table's keys point at, but for the keys of the columns left out."""
    return {
        referenced_table(c) for c in table.columns if c.foreign_key and c.name not in leaving_out
    }


def foreign_key_order(
    tables: list[Table],
) -> tuple[list[Table], frozenset[tuple[str, ForeignKeyConstraint]]]:
    """The tables sorted so that each comes after the tables (of this list) it points at,
    and the keys ``(table, key)`` that close a cycle between them."""
    by_name = {t.name: t for t in sorted(tables, key=lambda t: t.name)}
    done: dict[str, Table] = {}
    visiting: set[str] = set()
    cycles: set[tuple[str, ForeignKeyConstraint]] = set()

    def visit(table: Table) -> None:
        if table.name in done:
            return
        visiting.add(table.name)
        for key in sorted(table_foreign_keys(table), key=lambda k: k.columns):
            target = target_table(key)
            if target not in by_name or target == table.name:
                continue
            if target in visiting:
                cycles.add((table.name, key))
            else:
                visit(by_name[target])
        visiting.discard(table.name)
        done[table.name] = table

    for table in by_name.values():
        visit(table)
    return list(done.values()), frozenset(cycles)


def created_tables(tables: list[Table], retyped: frozenset[tuple[str, str]]) -> Iterator[o.Op]:
    """New tables in foreign-key order. Keys are added after them all that close a cycle,
    or point at a column whose type changes (the tables are made before it changes)."""
    ordered, cycles = foreign_key_order(tables)
    later = set(cycles)
    for table in tables:
        later |= {(table.name, k) for k in table_foreign_keys(table) if _targets(k) & retyped}
    for table in ordered:
        deferred = {c for name, key in later if name == table.name for c in key.columns}
        yield o.CreateTable(table, tuple(sorted(deferred)))
    for name, key in sorted(later, key=lambda pair: (pair[0], pair[1].columns)):
        yield o.AddForeignKey(name, key)


def _targets(key: ForeignKeyConstraint) -> set[tuple[str, str]]:
    return {tuple(t.rsplit(".", 1)) for t in key.targets}


def dropped_tables(old: Schema, new: Schema, dropped: list[str]) -> Iterator[o.Op]:
    """Dropped tables in reverse foreign-key order. Some of their keys go first, before
    anything else changes: those that close a cycle between them (neither table can go
    first), and those that point at a table that stays and whose key columns change type
    or whose primary key is made anew (PostgreSQL refuses either while a key holds on)."""
    tables = [old.table(name) for name in dropped]
    ordered, cycles = foreign_key_order(tables)
    retyped = retyped_columns(old, new)
    first = set(cycles)
    for table in tables:
        for key in table_foreign_keys(table):
            before, after = old.table(target_table(key)), new.table(target_table(key))
            if after is None:
                continue
            if _targets(key) & retyped or before.primary_key != after.primary_key:
                first.add((table.name, key))
    for name, key in sorted(first, key=lambda pair: (pair[0], pair[1].columns)):
        yield o.DropForeignKey(name, key, with_table=True)
    yield from (o.DropTable(t) for t in reversed(ordered))


def retyped_columns(old: Schema, new: Schema) -> frozenset[tuple[str, str]]:
    """``(table, column)`` of every column of both schemas whose type changes."""
    before = {(t.name, c.name): c.type for t in old.tables for c in t.columns}
    return frozenset(
        (t.name, c.name)
        for t in new.tables
        for c in t.columns
        if before.get((t.name, c.name), c.type) != c.type
    )


def foreign_key_ops(
    old: Table, new: Table, gone: frozenset[str], retyped: frozenset[tuple[str, str]]
) -> Iterator[o.Op]:
    """The keys of a table that stays: dropped, added, or both. A key loses nothing when
    dropped (its rows stay), so none of this is destructive."""
    a = {k.columns: k for k in table_foreign_keys(old)}
    b = {k.columns: k for k in table_foreign_keys(new)}
    added = {key_name(new.name, k) for k in b.values() if k not in a.values()}
    for columns in sorted(a.keys() | b.keys()):
        before, after = a.get(columns), b.get(columns)
        if before == after and not _joins_retyped(new.name, after, retyped):
            continue
        if before is not None and not _goes_with_its_column(old.name, before, gone, added, retyped):
            yield o.DropForeignKey(old.name, before)
        if after is not None:
            yield o.AddForeignKey(new.name, after)


def _goes_with_its_column(table: str, key, gone, added: set[str], retyped) -> bool:
    """A dropped column takes its key with it, at the end of the file. Not soon enough when
    a new key takes its name (it would find it still there), or when the column it points
    at changes type before (PostgreSQL checks the key again, and it no longer fits)."""
    return (
        bool(set(key.columns) & gone)
        and key_name(table, key) not in added
        and not _joins_retyped(table, key, retyped)
    )


def _joins_retyped(
    table: str, key: ForeignKeyConstraint | None, retyped: frozenset[tuple[str, str]]
) -> bool:
    if key is None:
        return False
    ends = {(table, c) for c in key.columns} | _targets(key)
    return bool(ends & retyped)
