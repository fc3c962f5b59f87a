"""Schema x Schema -> drift: every difference that changes the database or its data.

One generic differ keyed by stable identity serves tables, columns, indexes, constraints
and enums; output is sorted so that runs are reproducible.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, TypeVar

from modelsync.drift.kinds import DRIFT_KINDS, KIND_CODES, drift, source_side, target_side

__all__ = ["DRIFT_KINDS", "KIND_CODES", "compare", "differences"]
from modelsync.findings.model import Finding
from modelsync.records import replace
from modelsync.schema.ir import Column, EnumType, Index, IndexElement, Schema, Table

K = TypeVar("K")
V = TypeVar("V")


def differences(a: Mapping[K, V], b: Mapping[K, V]) -> tuple[list[K], list[K], list[K]]:
    """Keys only in ``a``, only in ``b``, and in both — each sorted."""
    only_a = sorted(k for k in a if k not in b)
    only_b = sorted(k for k in b if k not in a)
    both = sorted(k for k in a if k in b)
    return only_a, only_b, both


# How messages name the two sides: the mirror's check says "source" and "target"; a live
# database's check says "models" and "database".
SIDES = ("source", "target")


def compare(
    source: Schema, target: Schema, *, sides: tuple[str, str] = SIDES
) -> tuple[Finding, ...]:
    one, other = sides
    drifts: list[Finding] = []
    src_tables = {t.name: t for t in source.tables}
    dst_tables = {t.name: t for t in target.tables}
    missing, extra, common = differences(src_tables, dst_tables)
    for name in missing:
        table = src_tables[name]
        drifts.append(
            drift(
                "table_missing",
                name,
                None,
                f"table {name} (class {table.class_name}) is missing from the {other}",
                source_side(source.where(table), table.line, name),
                target_side(target.path, None, None),
            )
        )
    for name in extra:
        table = dst_tables[name]
        drifts.append(
            drift(
                "table_extra",
                name,
                None,
                f"table {name} (class {table.class_name}) is in the {other} but not in the {one}",
                source_side(source.path, None, None),
                target_side(target.where(table), table.line, name),
            )
        )
    for name in common:
        drifts.extend(_compare_tables(src_tables[name], dst_tables[name], source, target, sides))
    drifts.extend(_compare_enums(source, target, sides))
    return tuple(drifts)


def _compare_tables(
    src: Table, dst: Table, source: Schema, target: Schema, sides: tuple[str, str]
) -> Iterator[Finding]:
    one, other = sides
    src_columns = {c.name: c for c in src.columns}
    dst_columns = {c.name: c for c in dst.columns}
    missing, extra, common = differences(src_columns, dst_columns)
    for name in missing:
        column = src_columns[name]
        yield drift(
            "column_missing",
            src.name,
            name,
            f"column {src.name}.{name} is missing from the {other}",
            source_side(source.where(column), column.line, column.type),
            target_side(target.where(dst), dst.line, None),
        )
    for name in extra:
        column = dst_columns[name]
        yield drift(
            "column_extra",
            src.name,
            name,
            f"column {src.name}.{name} is in the {other} but not in the {one}",
            source_side(source.where(src), src.line, None),
            target_side(target.where(column), column.line, column.type),
        )
    for name in common:
        yield from _compare_columns(
            src.name, src_columns[name], dst_columns[name], source, target, sides
        )
    yield from _compare_indexes(src, dst, source, target, frozenset(common), sides)
    yield from _compare_constraints(src, dst, source, target, sides)


# (kind, how to read the compared value from a column)
_COLUMN_ASPECTS: tuple[tuple[str, Callable[[Column], Any]], ...] = (
    ("type", lambda c: c.type),
    ("nullable", lambda c: "NULL" if c.nullable else "NOT NULL"),
    ("primary_key", lambda c: c.primary_key),
    ("unique", lambda c: c.unique),
    ("index", lambda c: c.index),
    ("foreign_key", lambda c: _foreign_key_text(c)),
    ("default", lambda c: c.default),
    ("server_default", lambda c: _server_side_value(c)),
    ("autoincrement", lambda c: c.autoincrement),
    ("comment", lambda c: c.comment),
)


def _server_side_value(column: Column) -> str | None:
    """What the server puts in the column: a DEFAULT, an identity or a generated value
    (SQLAlchemy models all three as the column's server default)."""
    if column.identity is not None:
        kind = "ALWAYS" if column.identity.always else "BY DEFAULT"
        options = ", ".join(f"{k}={v}" for k, v in column.identity.options)
        return f"GENERATED {kind} AS IDENTITY" + (f" ({options})" if options else "")
    if column.computed is not None:
        stored = " STORED" if column.computed.persisted else ""
        return f"GENERATED ALWAYS AS ({column.computed.sqltext}){stored}"
    return column.server_default


def _foreign_key_text(column: Column) -> str | None:
    if column.foreign_key is None:
        return None
    ondelete = f" ON DELETE {column.ondelete}" if column.ondelete else ""
    return column.foreign_key + ondelete


def _compare_columns(
    table: str, src: Column, dst: Column, source: Schema, target: Schema, sides: tuple[str, str]
) -> Iterator[Finding]:
    for kind, read in _COLUMN_ASPECTS:
        if kind == "index":
            continue  # reported once, by the index comparison below
        a, b = read(src), read(dst)
        if a != b:
            yield drift(
                kind,
                table,
                src.name,
                f"{table}.{src.name}: {kind.replace('_', ' ')} differs: "
                f"{_shown(a)} in the {sides[0]}, {_shown(b)} in the {sides[1]}",
                source_side(source.where(src), src.line, _value(a)),
                target_side(target.where(dst), dst.line, _value(b)),
            )


def _index_key(index: Index) -> tuple[Any, ...]:
    # A column's own index is compared for existence only; its uniqueness is the
    # column's ``unique`` attribute, reported as such.
    if index.from_column:
        return (index.columns,)
    elements = tuple(_effective(e) for e in index.elements)
    return (elements, index.unique, index.using, index.ops, index.where, index.with_)


def _effective(element: IndexElement) -> IndexElement:
    """The key as PostgreSQL stores it: ASC, NULLS LAST after ASC and NULLS FIRST after
    DESC are the defaults, so writing them out changes nothing."""
    descending = element.order == "DESC"
    default_nulls = "FIRST" if descending else "LAST"
    return replace(
        element,
        order="DESC" if descending else None,
        nulls=None if element.nulls == default_nulls else element.nulls,
    )


def _index_text(index: Index) -> str:
    unique = "UNIQUE " if index.unique else ""
    using = f" USING {index.using}" if index.using else ""
    ops = "".join(f" {col}:{op}" for col, op in index.ops)
    with_ = f" WITH ({', '.join(f'{k} = {v}' for k, v in index.with_)})" if index.with_ else ""
    where = f" WHERE {index.where}" if index.where else ""
    keys = ", ".join(replace(e, opclass=None).text for e in index.elements)
    return f"{unique}INDEX {index.name} ({keys}){using}{ops}{with_}{where}"


def _compare_indexes(
    src: Table,
    dst: Table,
    source: Schema,
    target: Schema,
    common_columns: frozenset[str],
    sides: tuple[str, str],
) -> Iterator[Finding]:
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
            f"missing from the {sides[1]}"
            if j is None
            else (f"only in the {sides[1]}" if i is None else "different")
        )
        yield drift(
            "index",
            src.name,
            column,
            f"{src.name}: index {name} is {where}",
            source_side(*_index_place(source, i, src)),
            target_side(*_index_place(target, j, dst)),
        )


def _index_place(schema: Schema, index: Index | None, table: Table) -> tuple[str, int, str | None]:
    """(path, line, value) of an index, or of its table where it is absent."""
    if index is None:
        return (schema.where(table), table.line, None)
    return (_where(schema, index, table), index.line, _index_text(index))


def _compare_constraints(
    src: Table, dst: Table, source: Schema, target: Schema, sides: tuple[str, str]
) -> Iterator[Finding]:
    def texts(table: Table) -> dict[str, Any]:
        """Each constraint's text -> the constraint (its path and line)."""
        found: dict[str, Any] = {
            f"UNIQUE {u.name or ''} ({', '.join(u.columns)})".replace("  ", " ")
            + (" NULLS NOT DISTINCT" if u.nulls_not_distinct else ""): u
            for u in table.unique_constraints
        }
        found |= {
            f"CHECK {c.name or ''} ({c.sqltext})".replace("  ", " "): c
            for c in table.check_constraints
        }
        return found

    a, b = texts(src), texts(dst)
    missing, extra, _ = differences(a, b)
    for text in missing:
        yield drift(
            "constraint",
            src.name,
            None,
            f"{src.name}: {text} is missing from the {sides[1]}",
            source_side(_where(source, a[text], src), a[text].line, text),
            target_side(target.where(dst), dst.line, None),
        )
    for text in extra:
        yield drift(
            "constraint",
            src.name,
            None,
            f"{src.name}: {text} is only in the {sides[1]}",
            source_side(source.where(src), src.line, None),
            target_side(_where(target, b[text], dst), b[text].line, text),
        )


def _compare_enums(source: Schema, target: Schema, sides: tuple[str, str]) -> Iterable[Finding]:
    a: dict[str, EnumType] = {e.name: e for e in source.enums}
    b: dict[str, EnumType] = {e.name: e for e in target.enums}
    for name in differences(a, b)[2]:
        if a[name].labels != b[name].labels:
            src_labels, dst_labels = ", ".join(a[name].labels), ", ".join(b[name].labels)
            yield drift(
                "enum_labels",
                None,
                None,
                f"enum {name}: labels differ: [{src_labels}] in the {sides[0]}, "
                f"[{dst_labels}] in the {sides[1]}",
                source_side(source.where(a[name]), a[name].line, src_labels),
                target_side(target.where(b[name]), b[name].line, dst_labels),
            )


def _where(schema: Schema, item: Any, table: Table) -> str:
    """An index's or constraint's file: its own (a mixin's ``__table_args__``), else its
    table's."""
    return item.path or schema.where(table)


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
