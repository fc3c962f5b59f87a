"""Names PostgreSQL would store as one: refused before a migration is written.

PostgreSQL cuts every identifier to 63 bytes (not characters: ``é`` is two), and names
what SQLAlchemy leaves unnamed after the table and columns, cut to fit. So two names that
differ only after their 63rd byte are one name to it, and a generated name that meets a
name already taken gets a number (``users_..._key1``, ``..._check1``), in the order the
objects happen to be made. A migration that is correct in every state cannot know that
order, and ``create_all`` itself fails on two tables, columns, indexes or types that are
one name to PostgreSQL. Such a schema is refused here, at the line of the second name,
saying what to rename; so is a name SQLAlchemy refuses (an index or constraint named with
more than 63 characters) and an enum label PostgreSQL refuses (over 63 bytes).

Everything else long is written as it is: PostgreSQL cuts it the same way in the
migration's statements as in ``create_all``'s, and ``names.stored`` cuts the names that
the guards compare with the catalog.
"""

from __future__ import annotations

from modelsync.errors import UnsupportedConstruct
from modelsync.migrate.keys import table_constraints, table_foreign_keys
from modelsync.migrate.names import (
    MAX_IDENTIFIER,
    constraint_name,
    key_name,
    primary_key_name,
    sequence_name,
    stored,
)
from modelsync.schema.constraints import folded_named_uniques
from modelsync.schema.ir import Schema, Table

# SQLAlchemy's own limit on a name it is given, in characters (``validate_identifier``).
MAX_SQLALCHEMY_NAME = 63


class _Names:
    """Stored names of one namespace, each with what it names and where."""

    def __init__(self, schema: Schema, kind: str):
        self.schema, self.kind = schema, kind
        self.taken: dict[str, tuple[str, bool]] = {}

    def add(self, name: str, what: str, where: tuple[str, int], generated=False, shared=False):
        """``shared``: a name other shared names may repeat (a named CHECK: unique only in
        its table), though a generated name may not meet it."""
        key = stored(name)
        if key in self.taken:
            first, first_shared = self.taken[key]
            if not (shared and first_shared):
                raise UnsupportedConstruct(_clash(key, first, what, self.kind, generated),
                                           where[0], where[1] or None)  # fmt: skip
        self.taken[key] = (what, shared)


def _clash(key: str, first: str, second: str, kind: str, generated: bool) -> str:
    cut = len(key.encode("utf-8")) == MAX_IDENTIFIER
    why = " (which cuts names to 63 bytes)" if cut else ""
    if generated:
        return (
            f"{second} and {first} are both the {kind} {key!r} to PostgreSQL{why}: it would "
            "give one of them a numbered name (..._key1) that depends on the order they are "
            "made; name the constraint or index explicitly"
        )
    return (
        f"{second} and {first} are both the {kind} {key!r} to PostgreSQL{why}, so "
        "create_all fails on them; rename one"
    )


def refuse_clashes(schema: Schema) -> None:
    """Raise ``UnsupportedConstruct`` at the first name of the schema that PostgreSQL
    would store as another, or that SQLAlchemy or PostgreSQL refuses for its length."""
    relations = _Names(schema, "relation name")
    types = _Names(schema, "type name")
    constraints = _Names(schema, "constraint name")
    for table in schema.tables:
        relations.add(table.name, f"table {table.name}", _at(schema, table))
        types.add(table.name, f"table {table.name}", _at(schema, table))
        _columns(schema, table)
    for enum in schema.enums:
        types.add(enum.name, f"enum type {enum.name}", _at(schema, enum))
        labels = _Names(schema, f"label of enum type {enum.name}")
        for label in enum.labels:
            if len(label.encode("utf-8")) > MAX_IDENTIFIER:
                raise UnsupportedConstruct(
                    f"enum type {enum.name}: label {label!r} is longer than 63 bytes, which "
                    "PostgreSQL refuses",
                    *_at(schema, enum),
                )
            labels.add(label, f"label {label!r}", _at(schema, enum))
    for table in schema.tables:
        _table_names(schema, table, relations, constraints)
        for unique in folded_named_uniques(table):
            raise UnsupportedConstruct(
                f"table {table.name}: the unique constraint {unique.name} is over the same "
                "columns as the primary key or another named unique constraint, so CREATE "
                "TABLE keeps only one of them, under a name that depends on their order; "
                "remove one",
                *_at(schema, unique, table),
            )


def _columns(schema: Schema, table: Table) -> None:
    columns = _Names(schema, f"column name of table {table.name}")
    for column in table.columns:
        columns.add(column.name, f"column {table.name}.{column.name}", _at(schema, column))


def _table_names(schema: Schema, table: Table, relations: _Names, constraints: _Names) -> None:
    """The table's indexes, sequences and constraints, each in the namespace it lives in
    (the name of a primary key or unique constraint is also its index's)."""
    line = _at(schema, table)
    if table.primary_key:
        name = primary_key_name(table.name)
        relations.add(name, f"the primary key of {table.name}", line, generated=True)
        constraints.add(name, f"the primary key of {table.name}", line, generated=True)
    for index in table.indexes:
        _short_enough(index.name, f"index {index.name}", _at(schema, index, table))
        relations.add(index.name, f"index {index.name}", _at(schema, index, table))
    for column in table.columns:
        if column.autoincrement or column.identity is not None:
            name = sequence_name(table.name, column.name)
            what = f"the sequence of {table.name}.{column.name}"
            relations.add(name, what, _at(schema, column, table), generated=True)
    checks = _Names(relations.schema, f"constraint name of table {table.name}")
    for key in table_foreign_keys(table):
        name = key_name(table.name, key)
        what = f"the foreign key ({', '.join(key.columns)}) of {table.name}"
        if key.name:
            _short_enough(key.name, what, _at(schema, key, table))
            checks.add(name, what, _at(schema, key, table))
        constraints.add(name, what, _at(schema, key, table), not key.name, shared=bool(key.name))
    for constraint in table_constraints(table):
        where = _at(schema, constraint, table)
        name = constraint_name(table.name, constraint)
        what = f"constraint {name} of {table.name}"
        if constraint.name:
            _short_enough(constraint.name, what, where)
        if hasattr(constraint, "columns"):  # a unique constraint has an index of its name
            relations.add(name, what, where, generated=not constraint.name)
            constraints.add(name, what, where, generated=not constraint.name)
        else:  # a named CHECK (or foreign key) needs only be unique in its table
            checks.add(name, what, where)
            constraints.add(name, what, where, not constraint.name, shared=bool(constraint.name))


def _short_enough(name: str, what: str, where: tuple[str, int]) -> None:
    if len(name) > MAX_SQLALCHEMY_NAME:
        raise UnsupportedConstruct(
            f"{what}: the name is longer than 63 characters, which SQLAlchemy refuses "
            "(IdentifierError); shorten it",
            where[0],
            where[1] or None,
        )


def _at(schema: Schema, item, table: Table | None = None) -> tuple[str, int | None]:
    """(file, line) of a model item: its own when it has a line, else its table's (a
    package's items stand in the file of the module they are written in)."""
    if getattr(item, "line", 0) or table is None:
        return schema.where(item), getattr(item, "line", 0) or None
    return schema.where(table), table.line or None
