"""The unique constraints of a table as PostgreSQL keeps them.

SQLAlchemy makes a column's ``unique=True`` a UNIQUE constraint (or, when the column is
indexed too, a unique index), and emits it with the table's own UniqueConstraints in one
CREATE TABLE. PostgreSQL keeps one of several UNIQUEs over the same columns (named, if one
of them is) and none over the primary key's columns (``transformIndexConstraints``). So
two models that differ only there make the same table: ``check``'s ``migration_missing``
and ``migration`` both compare what this gives, and agree.
"""

from __future__ import annotations

from modelsync.schema.ir import Table, UniqueConstraint


def unique_constraints(table: Table) -> tuple[UniqueConstraint, ...]:
    """The UNIQUE constraints CREATE TABLE makes of the table, in its order."""
    own = tuple(
        UniqueConstraint(None, (c.name,), line=c.line)
        for c in table.columns
        if c.unique and not c.index
    )
    kept: list[UniqueConstraint] = []
    for unique in (*table.unique_constraints, *own):
        if _on_primary_key(unique, table):
            continue
        same = next((k for k in kept if _same_index(k, unique)), None)
        if same is None:
            kept.append(unique)
        elif same.name is None and unique.name is not None:
            kept[kept.index(same)] = unique
    return tuple(kept)


def folded_named_uniques(table: Table) -> tuple[UniqueConstraint, ...]:
    """Named UNIQUEs that CREATE TABLE would fold into another, their own name lost: over
    the primary key's columns, or over the same columns as an earlier named one."""
    found, named = [], []
    for unique in table.unique_constraints:
        if unique.name is None:
            continue
        if _on_primary_key(unique, table) or any(_same_index(k, unique) for k in named):
            found.append(unique)
        named.append(unique)
    return tuple(found)


def _on_primary_key(unique: UniqueConstraint, table: Table) -> bool:
    return unique.columns == table.primary_key and not unique.nulls_not_distinct


def _same_index(a: UniqueConstraint, b: UniqueConstraint) -> bool:
    return a.columns == b.columns and a.nulls_not_distinct == b.nulls_not_distinct
