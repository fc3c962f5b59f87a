"""Schema -> the documented ``modelsync schema --format json`` document."""

from __future__ import annotations

from typing import Any

from modelsync.findings.inert import inert
from modelsync.schema.ir import Column, Index, Schema, Table


def schema_document(schema: Schema) -> dict[str, Any]:
    return {
        "tables": [_table(t) for t in schema.tables],
        "enums": [
            {"name": e.name, "labels": list(e.labels), "path": e.path or None, "line": e.line}
            for e in schema.enums
        ],
        "warnings": [
            {"path": w.path, "line": w.line, "message": w.message} for w in schema.warnings
        ],
    }


def _table(table: Table) -> dict[str, Any]:
    return {
        "name": table.name,
        "class": table.class_name,
        "path": table.path or None,
        "line": table.line,
        "columns": [_column(c) for c in table.columns],
        "primary_key": list(table.primary_key),
        "indexes": [_index(i) for i in table.indexes],
        "unique_constraints": [
            {"name": u.name, "columns": list(u.columns), "nulls_not_distinct": u.nulls_not_distinct}
            for u in table.unique_constraints
        ],
        "check_constraints": [
            {"name": c.name, "sqltext": c.sqltext} for c in table.check_constraints
        ],
    }


def _column(column: Column) -> dict[str, Any]:
    return {
        "name": column.name,
        "type": column.type,
        "nullable": column.nullable,
        "primary_key": column.primary_key,
        "unique": column.unique,
        "index": column.index,
        "foreign_key": column.foreign_key,
        "ondelete": column.ondelete,
        "server_default": column.server_default,
        "autoincrement": column.autoincrement,
        "default": column.default,
        "comment": column.comment,
        "identity": _identity(column),
        "computed": _computed(column),
        "path": column.path or None,
        "line": column.line,
    }


def _identity(column: Column) -> dict[str, Any] | None:
    if column.identity is None:
        return None
    return {"always": column.identity.always, "options": dict(column.identity.options)}


def _computed(column: Column) -> dict[str, Any] | None:
    if column.computed is None:
        return None
    return {"sqltext": column.computed.sqltext, "persisted": column.computed.persisted}


def _index(index: Index) -> dict[str, Any]:
    return {
        "name": index.name,
        "columns": list(index.columns),
        "elements": [
            {
                "column": e.column,
                "expression": e.expression,
                "order": e.order,
                "nulls": e.nulls,
                "opclass": e.opclass,
            }
            for e in index.elements
        ],
        "unique": index.unique,
        "using": index.using,
        "ops": dict(index.ops),
        "where": index.where,
        "with": dict(index.with_),
    }


def schema_text(schema: Schema) -> str:
    """A compact human-readable listing, one line per column (warnings go to stderr)."""
    lines: list[str] = []
    for table in schema.tables:
        own = table.path and table.path != schema.path
        where = f"{table.path}:{table.line}" if own else f"line {table.line}"
        lines.append(f"{table.name}  ({table.class_name}, {where})")
        for column in table.columns:
            lines.append("  " + _column_text(column))
        for index in table.indexes:
            unique = "UNIQUE " if index.unique else ""
            using = f" USING {index.using}" if index.using else ""
            keys = ", ".join(e.text for e in index.elements)
            lines.append(f"  {unique}INDEX {index.name} ({keys}){using}")
        for constraint in table.unique_constraints:
            name = f" {constraint.name}" if constraint.name else ""
            lines.append(f"  UNIQUE{name} ({', '.join(constraint.columns)})")
        for check in table.check_constraints:
            name = f" {check.name}" if check.name else ""
            lines.append(f"  CHECK{name} ({check.sqltext})")
    for enum in schema.enums:
        lines.append(f"enum {enum.name}: {', '.join(enum.labels)}")
    # One line per item whatever its text holds (a multi-line CHECK, a label's ESC): a line
    # break in it would start a line of its own choosing.
    return "\n".join(inert(line) for line in lines)


def _column_text(column: Column) -> str:
    parts = [column.name, column.type, "NULL" if column.nullable else "NOT NULL"]
    if column.primary_key:
        parts.append("PRIMARY KEY")
    if column.autoincrement:
        parts.append("AUTOINCREMENT")
    if column.unique:
        parts.append("UNIQUE")
    if column.index:
        parts.append("INDEX")
    if column.foreign_key:
        on_delete = f" ON DELETE {column.ondelete}" if column.ondelete else ""
        parts.append(f"REFERENCES {column.foreign_key}{on_delete}")
    if column.server_default is not None:
        parts.append(f"DEFAULT {column.server_default}")
    if column.identity is not None:
        kind = "ALWAYS" if column.identity.always else "BY DEFAULT"
        options = "".join(f" {k}={v}" for k, v in column.identity.options)
        parts.append(f"GENERATED {kind} AS IDENTITY{options}")
    if column.computed is not None:
        stored = " STORED" if column.computed.persisted else ""
        parts.append(f"GENERATED ALWAYS AS ({column.computed.sqltext}){stored}")
    if column.default is not None:
        parts.append(f"(python default {column.default})")
    if column.comment is not None:
        parts.append(f"-- {column.comment}")
    return " ".join(parts)
