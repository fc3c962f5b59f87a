"""The models against a live database -> findings at the model's file:line.

``drift.compare`` does the comparing (on the IR ``to_ir`` built), so a difference has the
kind and code it has in the mirror's check. Each finding is then anchored at the model's
line (role ``source``) with the database as its second place (role ``database``:
``{"table", "column", "value"}``, no path). What only a database has gets kinds of its
own: ``table_not_in_models``, ``name_only``, ``enum_type``, ``extension_missing``, and the
``not_compared`` notes.
"""

from __future__ import annotations

from collections.abc import Iterator

from modelsync.drift.compare import compare
from modelsync.drift.kinds import KIND_CODES
from modelsync.findings.model import Finding, Location, database_place
from modelsync.live.catalog import LiveCatalog
from modelsync.live.to_ir import LiveSchema, ddl_key_order
from modelsync.schema.ir import EnumType, Schema

SIDES = ("models", "database")
_VECTOR_TYPES = ("VECTOR", "HALFVEC", "SPARSEVEC")


def database_findings(
    models: Schema, live: LiveSchema, catalog: LiveCatalog
) -> tuple[Finding, ...]:
    found = [_anchored(f, models) for f in compare(models, live.schema, sides=SIDES)]
    found += _primary_key_order(models, live.schema)
    found += _enum_types(models, live.schema)
    found += _extension(models, catalog)
    found += [
        _finding(
            "name_only",
            f"{r.table}: {r.what} {r.expected} is named {r.database_name} in the database",
            r.path or models.path,
            r.line,
            database_place(r.table, None, r.database_name),
            table=r.table,
        )
        for r in live.renamed
    ]
    found += [
        _finding(
            "not_compared",
            note.message,
            note.path or models.path,
            note.line,
            database_place(note.table, note.column, note.value),
            table=note.table,
            column=note.column,
            severity="note",
        )
        for note in live.notes
    ]
    return tuple(found)


def _anchored(drift: Finding, models: Schema) -> Finding:
    """A drift of ``compare(models, live)`` at the model's place, the database second."""
    source = drift.at("source")
    there = drift.at("target")
    kind, message = drift.kind, drift.message
    if kind == "table_extra":
        kind = "table_not_in_models"
        message = f"table {drift.table} is in the database but no model defines it"
    return _finding(
        kind,
        message,
        source.path if source and source.path else models.path,
        source.line if source else None,
        database_place(drift.table, drift.column, there.value if there else None),
        source_value=source.value if source else None,
        table=drift.table,
        column=drift.column,
    )


def _primary_key_order(models: Schema, live: Schema) -> Iterator[Finding]:
    """The same key columns in another order: the per-column comparison cannot see it."""
    tables = {t.name: t for t in live.tables}
    for table in models.tables:
        other = tables.get(table.name)
        if other is None or table.primary_key == other.primary_key:
            continue
        if set(table.primary_key) == set(other.primary_key):
            shown, theirs = ", ".join(ddl_key_order(table)), ", ".join(other.primary_key)
            yield _finding(
                "primary_key",
                f"{table.name}: the primary key is ({shown}) in the models, ({theirs}) in the "
                "database",
                models.where(table),
                table.line,
                database_place(table.name, None, f"({theirs})"),
                source_value=f"({shown})",
                table=table.name,
            )


def _used_enums(schema: Schema) -> dict[str, EnumType]:
    """The enum types the tables use (what create_all makes, what a migration plans)."""
    used = {c.enum for t in schema.tables for c in t.columns if c.enum}
    return {e.name: e for e in schema.enums if e.name in used}


def _enum_types(models: Schema, live: Schema) -> Iterator[Finding]:
    mine, theirs = _used_enums(models), _used_enums(live)
    for name in sorted(mine.keys() - theirs.keys()):
        yield _finding(
            "enum_type",
            f"enum type {name} is missing from the database",
            models.where(mine[name]),
            mine[name].line,
            database_place(None, None, None),
            source_value=", ".join(mine[name].labels),
        )
    for name in sorted(theirs.keys() - mine.keys()):
        yield _finding(
            "enum_type",
            f"enum type {name} is in the database but not in the models",
            models.path,
            None,
            database_place(None, None, ", ".join(theirs[name].labels)),
        )


def _extension(models: Schema, catalog: LiveCatalog) -> Iterator[Finding]:
    if catalog.has_extension("vector"):
        return
    for table in models.tables:
        for column in table.columns:
            if column.type.split("(")[0].removesuffix("[]") in _VECTOR_TYPES:
                yield _finding(
                    "extension_missing",
                    f"{table.name}.{column.name} is a {column.type}, but the database does "
                    "not have the vector extension",
                    models.where(column),
                    column.line,
                    database_place(table.name, column.name, None),
                    source_value=column.type,
                    table=table.name,
                    column=column.name,
                )
                return


def _finding(
    kind: str,
    message: str,
    path: str,
    line: int | None,
    place: Location,
    *,
    source_value: str | None = None,
    table: str | None = None,
    column: str | None = None,
    severity: str = "error",
) -> Finding:
    return Finding(
        KIND_CODES[kind],
        kind,
        message,
        location=Location("source", path, line or None, value=source_value),
        related=(place,),
        severity=severity,
        table=table,
        column=column,
    )
