"""A live database as the previous schema of ``migration`` (and of ``--baseline``).

The IR keeps the database's own names of indexes and constraints, so the migration drops
and alters what exists. What the IR cannot carry becomes a note on the command's output:
a comparison that could not be exact, and a foreign key or primary key the migration
drops by PostgreSQL's default name while the database calls it something else.
"""

from __future__ import annotations

import os

from modelsync.findings.model import Finding, Location
from modelsync.live.run import database_schema, open_url
from modelsync.migrate.names import key_name, primary_key_name
from modelsync.records import record
from modelsync.schema.ir import Schema

NOTE_CODE, NOTE_KIND = "MS001", "not_compared"


@record
class DatabaseSource:
    schema: Schema
    label: str
    notes: tuple[Finding, ...] = ()
    foreign_key_names: tuple[tuple[str, str, str], ...] = ()
    primary_key_names: tuple[tuple[str, str], ...] = ()
    # The schema read, then public (where extensions such as vector live): set by the
    # migration for a schema other than public, whose tables its statements name bare.
    search_path: tuple[str, ...] = ()

    def notes_for(self, operations) -> tuple[Finding, ...]:
        """The notes, and one for each drop that names a constraint by the default name
        while the database has it under another."""
        found = list(self.notes)
        fk_names = {(t, c): n for t, c, n in self.foreign_key_names}
        pk_names = dict(self.primary_key_names)
        for op in operations:
            actual = default = None
            if op.kind == "drop_foreign_key":
                actual, default = (
                    fk_names.get((op.name, op.key.columns[0])),
                    key_name(op.name, op.key),
                )
            elif op.kind == "drop_primary_key":
                actual, default = pk_names.get(op.name), primary_key_name(op.name)
            if actual and actual != default:
                found.append(
                    _note(
                        f"{op.describe()}: the database names it {actual}, the migration drops "
                        f"{default}; rename it first (ALTER TABLE ... RENAME CONSTRAINT) or edit "
                        "the file",
                        self.label,
                        op.table,
                    )
                )
        return tuple(found)


def read_database(models: Schema, value: str, schema: str, config) -> DatabaseSource:
    url = open_url(value, os.environ)
    live, _ = database_schema(models, url, schema, config.db_ignore_tables)
    label = url.redacted + (f" (schema {schema!r})" if schema != "public" else "")
    notes = tuple(_note(n.message, models.path, n.table, n.line) for n in live.notes)
    search_path = (schema, "public") if schema != "public" else ()
    return DatabaseSource(
        live.schema,
        label,
        notes,
        live.foreign_key_names,
        live.primary_key_names,
        search_path,
    )


def _note(message: str, path: str, table: str | None, line: int | None = None) -> Finding:
    return Finding(
        NOTE_CODE,
        NOTE_KIND,
        message,
        Location("source", path, line or None),
        severity="note",
        table=table,
    )
