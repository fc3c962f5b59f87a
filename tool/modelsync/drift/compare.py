"""Schema x Schema -> drift: every difference that changes the database or its data.

One generic differ keyed by stable identity serves tables, columns, indexes, constraints
and enums; output is sorted so that runs are reproducible.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from modelsync.schema.ir import Column, EnumType, Index, Schema, Table

# Stable codes per kind; new kinds get new codes, existing ones never change.
KIND_CODES: dict[str, str] = {
    "table_missing": "MS101",
    "table_extra": "MS102",
    "column_missing": "MS201",
    "column_extra": "MS202",
    "type": "MS301",
    "nullable": "MS302",
    "primary_key": "MS303",
    "unique": "MS304",
    "index": "MS305",
    "foreign_key": "MS306",
    "default": "MS307",
    "server_default": "MS308",
    "autoincrement": "MS309",
    "enum_labels": "MS401",
    "constraint": "MS501",
    "stale_region": "MS601",
    "migration_missing": "MS701",
}
DRIFT_KINDS = tuple(KIND_CODES)


@dataclass(frozen=True, slots=True)
class Side:
    path: str
    line: int | None
    value: str | None


@dataclass(frozen=True, slots=True)
class Drift:
    kind: str
    table: str | None
    column: str | None
    message: str
    source: Side
    target: Side

    @property
    def code(self) -> str:
        return KIND_CODES[self.kind]

    def as_tuple(self) -> tuple[str, str | None, str | None, str | None, str | None]:
        return (self.kind, self.table, self.column, self.source.value, self.target.value)


K = TypeVar("K")
V = TypeVar("V")


def differences(a: Mapping[K, V], b: Mapping[K, V]) -> tuple[list[K], list[K], list[K]]:
    """Keys only in ``a``, only in ``b``, and in both — each sorted."""
    only_a = sorted(k for k in a if k not in b)
    only_b = sorted(k for k in b if k not in a)
    both = sorted(k for k in a if k in b)
    return only_a, only_b, both


def compare(source: Schema, target: Schema) -> tuple[Drift, ...]:
    drifts: list[Drift] = []
    src_tables = {t.name: t for t in source.tables}
    dst_tables = {t.name: t for t in target.tables}
    missing, extra, common = differences(src_tables, dst_tables)
    for name in missing:
        table = src_tables[name]
        drifts.append(
            Drift(
                "table_missing",
                name,
                None,
                f"table {name} (class {table.class_name}) is missing from the target",
                Side(source.path, table.line, name),
                Side(target.path, None, None),
            )
        )
    for name in extra:
        table = dst_tables[name]
        drifts.append(
            Drift(
                "table_extra",
                name,
                None,
                f"table {name} (class {table.class_name}) is in the target but not in the source",
                Side(source.path, None, None),
                Side(target.path, table.line, name),
            )
        )
    for name in common:
        drifts.extend(_compare_tables(src_tables[name], dst_tables[name], source, target))
    drifts.extend(_compare_enums(source, target))
    return tuple(drifts)


def _compare_tables(src: Table, dst: Table, source: Schema, target: Schema) -> Iterator[Drift]:
    src_columns = {c.name: c for c in src.columns}
    dst_columns = {c.name: c for c in dst.columns}
    missing, extra, common = differences(src_columns, dst_columns)
    for name in missing:
        column = src_columns[name]
        yield Drift(
            "column_missing",
            src.name,
            name,
            f"column {src.name}.{name} is missing from the target",
            Side(source.path, column.line, column.type),
            Side(target.path, dst.line, None),
        )
    for name in extra:
        column = dst_columns[name]
        yield Drift(
            "column_extra",
            src.name,
            name,
            f"column {src.name}.{name} is in the target but not in the source",
            Side(source.path, src.line, None),
            Side(target.path, column.line, column.type),
        )
    for name in common:
        yield from _compare_columns(src.name, src_columns[name], dst_columns[name], source, target)
    yield from _compare_indexes(src, dst, source, target, frozenset(common))
    yield from _compare_constraints(src, dst, source, target)


# (kind, how to read the compared value from a column)
_COLUMN_ASPECTS: tuple[tuple[str, Callable[[Column], Any]], ...] = (
    ("type", lambda c: c.type),
    ("nullable", lambda c: "NULL" if c.nullable else "NOT NULL"),
    ("primary_key", lambda c: c.primary_key),
    ("unique", lambda c: c.unique),
    ("index", lambda c: c.index),
    ("foreign_key", lambda c: _foreign_key_text(c)),
    ("default", lambda c: c.default),
    ("server_default", lambda c: c.server_default),
    ("autoincrement", lambda c: c.autoincrement),
)


def _foreign_key_text(column: Column) -> str | None:
    if column.foreign_key is None:
        return None
    ondelete = f" ON DELETE {column.ondelete}" if column.ondelete else ""
    return column.foreign_key + ondelete


def _compare_columns(
    table: str, src: Column, dst: Column, source: Schema, target: Schema
) -> Iterator[Drift]:
    for kind, read in _COLUMN_ASPECTS:
        if kind == "index":
            continue  # reported once, by the index comparison below
        a, b = read(src), read(dst)
        if a != b:
            yield Drift(
                kind,
                table,
                src.name,
                f"{table}.{src.name}: {kind.replace('_', ' ')} differs: "
                f"{_shown(a)} in the source, {_shown(b)} in the target",
                Side(source.path, src.line, _value(a)),
                Side(target.path, dst.line, _value(b)),
            )


def _index_key(index: Index) -> tuple[Any, ...]:
    # A column's own index is compared for existence only; its uniqueness is the
    # column's ``unique`` attribute, reported as such.
    if index.from_column:
        return (index.columns,)
    return (index.columns, index.unique, index.using, index.ops, index.where, index.with_)


def _index_text(index: Index) -> str:
    unique = "UNIQUE " if index.unique else ""
    using = f" USING {index.using}" if index.using else ""
    ops = "".join(f" {col}:{op}" for col, op in index.ops)
    with_ = f" WITH ({', '.join(f'{k} = {v}' for k, v in index.with_)})" if index.with_ else ""
    where = f" WHERE {index.where}" if index.where else ""
    return f"{unique}INDEX {index.name} ({', '.join(index.columns)}){using}{ops}{with_}{where}"


def _compare_indexes(
    src: Table, dst: Table, source: Schema, target: Schema, common_columns: frozenset[str]
) -> Iterator[Drift]:
    # A column's own index goes with the column: when the column is missing, that
    # finding says it all.
    def relevant(index: Index) -> bool:
        return not index.from_column or index.columns[0] in common_columns

    a = {i.name: i for i in src.indexes if relevant(i)}
    b = {i.name: i for i in dst.indexes if relevant(i)}
    missing, extra, common = differences(a, b)
    changed = [n for n in common if _index_key(a[n]) != _index_key(b[n])]
    for name in (*missing, *extra, *changed):
        i, j = a.get(name), b.get(name)
        anchor = i or j
        column = anchor.columns[0] if len(anchor.columns) == 1 else None
        where = (
            "missing from the target"
            if j is None
            else ("only in the target" if i is None else "different")
        )
        yield Drift(
            "index",
            src.name,
            column,
            f"{src.name}: index {name} is {where}",
            _index_side(source.path, i, src),
            _index_side(target.path, j, dst),
        )


def _index_side(path: str, index: Index | None, table: Table) -> Side:
    if index is None:
        return Side(path, table.line, None)
    return Side(path, index.line, _index_text(index))


def _compare_constraints(src: Table, dst: Table, source: Schema, target: Schema) -> Iterator[Drift]:
    def texts(table: Table) -> dict[str, int]:
        found = {
            f"UNIQUE {u.name or ''} ({', '.join(u.columns)})".replace("  ", " ")
            + (" NULLS NOT DISTINCT" if u.nulls_not_distinct else ""): u.line
            for u in table.unique_constraints
        }
        found |= {
            f"CHECK {c.name or ''} ({c.sqltext})".replace("  ", " "): c.line
            for c in table.check_constraints
        }
        return found

    a, b = texts(src), texts(dst)
    missing, extra, _ = differences(a, b)
    for text in missing:
        yield Drift(
            "constraint",
            src.name,
            None,
            f"{src.name}: {text} is missing from the target",
            Side(source.path, a[text], text),
            Side(target.path, dst.line, None),
        )
    for text in extra:
        yield Drift(
            "constraint",
            src.name,
            None,
            f"{src.name}: {text} is only in the target",
            Side(source.path, src.line, None),
            Side(target.path, b[text], text),
        )


def _compare_enums(source: Schema, target: Schema) -> Iterable[Drift]:
    a: dict[str, EnumType] = {e.name: e for e in source.enums}
    b: dict[str, EnumType] = {e.name: e for e in target.enums}
    for name in differences(a, b)[2]:
        if a[name].labels != b[name].labels:
            src_labels, dst_labels = ", ".join(a[name].labels), ", ".join(b[name].labels)
            yield Drift(
                "enum_labels",
                None,
                None,
                f"enum {name}: labels differ: [{src_labels}] in the source, "
                f"[{dst_labels}] in the target",
                Side(source.path, a[name].line, src_labels),
                Side(target.path, b[name].line, dst_labels),
            )


def _shown(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _value(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
