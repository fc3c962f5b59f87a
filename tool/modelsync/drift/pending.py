"""Models x schema state -> ``migration_missing``: the schema changes no migration covers.

When the migrations folder holds a schema state, the models must equal its schema; every
table (and enum type) that differs gets one finding at its line in the models, naming what
changed and the command that writes the migration. Python-side defaults are left out: they
change no DDL. Pure IR comparison: no PostgreSQL, no SQLAlchemy, so ``check`` stays fast.
"""

from __future__ import annotations

from collections.abc import Iterator

from modelsync.drift.kinds import KIND_CODES
from modelsync.findings.model import Finding, Location
from modelsync.records import fields
from modelsync.schema.constraints import unique_constraints
from modelsync.schema.ir import Column, EnumType, Schema, Table

KIND = "migration_missing"
_RUN = "run `modelsync migration NAME` to write its migration"
# Column attributes that need no SQL when they change, or are compared as what they make:
# ``index`` as the indexes (the column's own index is one of them), ``unique`` as the
# unique constraints PostgreSQL keeps (``schema.constraints``) or that unique index.
_NOT_COMPARED = frozenset({"name", "default", "index", "unique"})
_NEW, _DROPPED = "new", "dropped"


def pending_findings(
    models: Schema, stored: Schema, head: str | None, state_shown: str
) -> tuple[Finding, ...]:
    """One finding per table and enum type of ``models`` that differs from ``stored`` (the
    state's schema; ``head`` is the migration it was last written with)."""
    since = f"since {head}" if head else "since the schema state was recorded"
    state = Location("state", state_shown, value=head)
    found: list[Finding] = []
    now = {t.name: t for t in models.tables}
    then = {t.name: t for t in stored.tables}
    for name in sorted(now.keys() | then.keys()):
        changes = table_changes(then.get(name), now.get(name))
        if changes:
            table = now.get(name)
            where = Location("source", models.where(table), table.line if table else None)
            found.append(_finding(_message(f"table {name}", changes, since), where, state, name))
    now_enums = {e.name: e for e in models.enums}
    then_enums = {e.name: e for e in stored.enums}
    for name in sorted(now_enums.keys() | then_enums.keys()):
        change = enum_change(then_enums.get(name), now_enums.get(name))
        if change:
            enum = now_enums.get(name)
            where = Location("source", models.where(enum), enum.line if enum else None)
            found.append(_finding(_message(f"enum {name}", change, since), where, state, None))
    return tuple(found)


def _message(what: str, changes: list[str], since: str) -> str:
    if changes == [_NEW]:
        return f"{what} is new {since}; {_RUN}"
    if changes == [_DROPPED]:
        return f"{what} was dropped from the models {since}; {_RUN}"
    return f"{what} changed {since}: {', '.join(changes)}; {_RUN}"


def _finding(message: str, where: Location, state: Location, table: str | None) -> Finding:
    return Finding(
        KIND_CODES[KIND],
        KIND,
        message,
        location=where,
        related=(state,),
        table=table,
    )


def table_changes(old: Table | None, new: Table | None) -> list[str]:
    """What changed in one table, in words, in a fixed order; empty when nothing did."""
    if old is None:
        return [_NEW]
    if new is None:
        return [_DROPPED]
    if old == new:  # the common case, and the fast one
        return []
    return [*_column_changes(old, new), *_table_level_changes(old, new)]


def _column_changes(old: Table, new: Table) -> Iterator[str]:
    before = {c.name: c for c in old.columns}
    after = {c.name: c for c in new.columns}
    added = [n for n in after if n not in before]
    dropped = [n for n in before if n not in after]
    if added:
        yield f"column{'s' if len(added) > 1 else ''} {', '.join(added)} added"
    if dropped:
        yield f"column{'s' if len(dropped) > 1 else ''} {', '.join(dropped)} dropped"
    for name in after:
        if name in before:
            changed = _changed_attributes(before[name], after[name])
            if changed:
                yield f"column {name} ({', '.join(changed)} changed)"


def _changed_attributes(old: Column, new: Column) -> list[str]:
    return [
        f.name.replace("_", " ")
        for f in fields(Column)
        if f.compare
        and f.name not in _NOT_COMPARED
        and getattr(old, f.name) != getattr(new, f.name)
    ]


def _table_level_changes(old: Table, new: Table) -> Iterator[str]:
    if old.primary_key != new.primary_key:
        yield "primary key changed"
    before = {i.name: i for i in old.indexes}
    after = {i.name: i for i in new.indexes}
    for name in sorted(before.keys() | after.keys()):
        if name not in before:
            yield f"index {name} added"
        elif name not in after:
            yield f"index {name} dropped"
        elif before[name] != after[name]:
            yield f"index {name} changed"
    if set(unique_constraints(old)) != set(unique_constraints(new)):
        yield "unique constraints changed"
    if set(old.check_constraints) != set(new.check_constraints):
        yield "check constraints changed"
    if set(old.foreign_keys) != set(new.foreign_keys):
        yield "foreign key constraints changed"


def enum_change(old: EnumType | None, new: EnumType | None) -> list[str]:
    """What changed in one enum type, in words; empty when nothing did."""
    if old is None:
        return [_NEW] if new is not None else []
    if new is None:
        return [_DROPPED]
    if old.labels == new.labels:
        return []
    added = [label for label in new.labels if label not in old.labels]
    dropped = [label for label in old.labels if label not in new.labels]
    parts = [f"label{'s' if len(added) > 1 else ''} {', '.join(added)} added"] if added else []
    if dropped:
        parts.append(f"label{'s' if len(dropped) > 1 else ''} {', '.join(dropped)} dropped")
    return parts or ["labels reordered"]
