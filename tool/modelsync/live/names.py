"""A live catalog's names in the models' spelling, where PostgreSQL cut the models' names.

PostgreSQL keeps at most 63 bytes of an identifier and cuts a longer one at a character
boundary (``migrate.names.stored``): a model table named with 70 bytes of non-ASCII text is
a table of 63 bytes in the database, and so are its long column, index, constraint and enum
type names. They are the same object: a model's name and a database's name are one name
when ``stored(model) == database``. Here every name the catalog records hold (tables,
columns, key columns, the table and columns a foreign key points at, indexes, named
constraints, enum types) is given back the model's spelling, so the rest of the reading
matches by name as it does for short names, and a migration names the object as the
models do (PostgreSQL cuts it the same way in every statement).

What no model names keeps the database's spelling. Text the catalog holds as SQL (index
definitions, expressions) is left as it is: pglast cuts identifiers as PostgreSQL's scanner
does, so its readers see the stored names on both sides (``spelled_in_sql``).
"""

from __future__ import annotations

from collections.abc import Iterable

from modelsync.live.catalog import (
    LiveCatalog,
    LiveColumn,
    LiveEnum,
    LiveForeignKey,
    LiveTable,
)
from modelsync.migrate.names import stored
from modelsync.records import replace
from modelsync.schema.ir import Schema, Table


class Spelling:
    """Database names -> the models' names of one kind of object (in one table)."""

    def __init__(self, names: Iterable[str]):
        found: dict[str, set[str]] = {}
        for name in names:
            found.setdefault(stored(name), set()).add(name)
        # A name the models spell exactly as the database wins; two model names that
        # PostgreSQL would store as one are left alone (migrate.clashes refuses them).
        self._names = {
            key: key if key in models else next(iter(models))
            for key, models in found.items()
            if key in models or len(models) == 1
        }

    def __call__(self, name: str) -> str:
        return self._names.get(name, name)

    def all(self, names: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(self(n) for n in names)


def spelled_in_sql(names: Iterable[str]) -> dict[str, str]:
    """Names as a parsed SQL text holds them (cut as the scanner cuts them) -> as given."""
    return {stored(name): name for name in names}


def in_model_names(catalog: LiveCatalog, models: Schema) -> LiveCatalog:
    tables = Spelling(t.name for t in models.tables)
    enums = Spelling(e.name for e in models.enums)
    by_name = {t.name: t for t in models.tables}
    columns = {
        tables(live.name): Spelling(c.name for c in by_name[tables(live.name)].columns)
        for live in catalog.tables
        if tables(live.name) in by_name
    }
    same = Spelling(())

    def table(live: LiveTable) -> LiveTable:
        name = tables(live.name)
        column = columns.get(name, same)
        objects = _object_names(by_name.get(name))
        return replace(
            live,
            name=name,
            columns=tuple(_column(c, column, enums) for c in live.columns),
            primary_key=column.all(live.primary_key),
            foreign_keys=tuple(
                _foreign_key(fk, column, tables, columns, catalog.schema)
                for fk in live.foreign_keys
            ),
            indexes=tuple(replace(i, name=objects(i.name)) for i in live.indexes),
            uniques=tuple(
                replace(u, name=objects(u.name), columns=column.all(u.columns))
                for u in live.uniques
            ),
            checks=tuple(replace(c, name=objects(c.name)) for c in live.checks),
        )

    return replace(
        catalog,
        tables=tuple(sorted((table(t) for t in catalog.tables), key=lambda t: t.name)),
        enums=tuple(
            sorted((LiveEnum(enums(e.name), e.labels) for e in catalog.enums), key=lambda e: e.name)
        ),
    )


def _object_names(model: Table | None) -> Spelling:
    """The names a model gives its indexes and constraints."""
    if model is None:
        return Spelling(())
    named = [i.name for i in model.indexes]
    named += [u.name for u in model.unique_constraints if u.name]
    named += [c.name for c in model.check_constraints if c.name]
    return Spelling(named)


def _column(live: LiveColumn, columns: Spelling, enums: Spelling) -> LiveColumn:
    type_name = enums(live.type_name) if live.type_kind == "e" else live.type_name
    return replace(live, name=columns(live.name), type_name=type_name)


def _foreign_key(
    fk: LiveForeignKey,
    columns: Spelling,
    tables: Spelling,
    all_columns: dict[str, Spelling],
    schema: str,
) -> LiveForeignKey:
    if fk.ref_schema != schema:  # a table of another schema: no model of ours names it
        return replace(fk, columns=columns.all(fk.columns))
    target = tables(fk.ref_table)
    theirs = all_columns.get(target, Spelling(()))
    return replace(
        fk,
        columns=columns.all(fk.columns),
        ref_table=target,
        ref_columns=theirs.all(fk.ref_columns),
    )
