"""The SQL of the operations on one column: added, dropped, or one aspect changed.

A mixin of ``render.Renderer`` (which gives ``alter``, ``guard``, ``exists``, ``plain``,
``ddl_new`` and the rest): the renderer was one module too long.
"""

from __future__ import annotations

from modelsync.migrate import ops as o
from modelsync.migrate.dialect import name_text, quote
from modelsync.migrate.names import sequence_name, stored
from modelsync.migrate.sqltext import INDENT, literal
from modelsync.migrate.types import casts_directly, is_vector, needs_using
from modelsync.records import record


@record
class Note:
    """Lines written as comments among the statements (a step a person must write)."""

    lines: tuple[str, ...]


class ColumnSteps:
    """``Renderer``'s methods for the column operations."""

    def _add_column(self, op: o.AddColumn):
        table, column = op.new.name, op.column
        comments: tuple[str, ...] = ()
        if op.renamed_from:
            comments += (
                f"Likely a rename of {table}.{op.renamed_from} (same type, dropped below). If it",
                "is, replace this and the DROP COLUMN below with:",
                f"{INDENT}ALTER TABLE {quote(table)} RENAME COLUMN {quote(op.renamed_from)} "
                f"TO {quote(column.name)};",
            )
        needs_backfill = (
            not column.nullable and not column.server_default and not column.autoincrement
        )
        guard = "" if self.plain else " IF NOT EXISTS"
        spec = self.ddl_new.column_spec(
            table, column.name, nullable=True if needs_backfill else None
        )
        statements = [f"{self.alter(table)} ADD COLUMN{guard} {spec}"]
        if needs_backfill:
            comments += (
                f"{table}.{column.name} is NOT NULL without a server default: it is added",
                "nullable, then made NOT NULL once every row has a value.",
            )
            statements.append(_todo_backfill(table, column.name))
            statements.append(f"{self.alter(table)} ALTER COLUMN {quote(column.name)} SET NOT NULL")
        if column.comment:  # create_all writes it after the table: here, after the column
            statements += self.guard(self.exists(table), self.ddl_new.comment(table, column.name))
        return tuple(statements), comments

    def _alter_type(self, op: o.AlterType):
        table, column = op.table, op.new.name
        new_type = self.ddl_new.column_type(table, column)
        col = quote(column)
        comments: tuple[str, ...] = (f"{table}.{column}: {op.old.type} -> {op.new.type}.",)
        using = ""
        if is_vector(op.new.type) and is_vector(op.old.type):
            comments += (
                "Existing embeddings have the old dimension and cannot be converted: they must be",
                "recomputed with the new model, or nulled. The indexes on the column are rebuilt.",
                f"TODO: recompute or null them first (UPDATE {quote(table)} SET {col} = NULL;),",
                "or this fails on every row that has one.",
            )
            using = f" USING {col}::{new_type}"
        elif needs_using(op.old.type, op.new.type, op.old.enum, op.new.enum):
            direct = casts_directly(op.old.type, op.new.type, op.old.enum)
            via = "" if direct else "::text"
            using = f" USING {col}{via}::{new_type}"
            comments += (
                "TODO: not an implicit cast: check that every value converts with USING, or",
                "write the conversion yourself.",
            )
        if op.narrowing:
            comments += ("Narrowing: values that do not fit the new type make this fail.",)
        alter = f"{self.alter(table)} ALTER COLUMN {col}"
        statements = [f"{alter} TYPE {new_type}{using}"]
        if op.old.server_default is not None:
            # PostgreSQL would cast the old default to the new type (and refuse where no
            # assignment cast exists): it is dropped first and set again after, so that it
            # is stored for the new type, as create_all stores it. A default that changes
            # too is set by its own step.
            statements.insert(0, f"{alter} DROP DEFAULT")
            if op.new.server_default == op.old.server_default:
                statements.append(f"{alter} SET DEFAULT {op.new.server_default}")
                comments += ("The default is dropped, then set again for the new type.",)
            else:
                comments += ("The default is dropped first (its change follows).",)
        return tuple(statements), comments

    def _alter_nullable(self, op: o.AlterNullable):
        col = quote(op.new.name)
        if op.new.nullable:
            return (f"{self.alter(op.table)} ALTER COLUMN {col} DROP NOT NULL",), ()
        return (
            _todo_backfill(op.table, op.new.name),
            f"{self.alter(op.table)} ALTER COLUMN {col} SET NOT NULL",
        ), ()

    def _alter_default(self, op: o.AlterDefault):
        col = quote(op.new.name)
        if op.new.server_default is None:
            return (f"{self.alter(op.table)} ALTER COLUMN {col} DROP DEFAULT",), ()
        return (
            f"{self.alter(op.table)} ALTER COLUMN {col} SET DEFAULT {op.new.server_default}",
        ), ()

    def _alter_autoincrement(self, op: o.AlterAutoincrement):
        table, col = quote(op.table), quote(op.new.name)
        sequence = quote(sequence_name(op.table, op.new.name))
        sequence_text = literal(name_text(sequence_name(op.table, op.new.name)))
        if not op.new.autoincrement:
            return (
                f"{self.alter(op.table)} ALTER COLUMN {col} DROP DEFAULT",
                f"DROP SEQUENCE{self.if_exists()} {sequence}",
            ), ()
        kind = self.ddl_new.column_type(op.table, op.new.name)
        guard = "" if self.plain else " IF NOT EXISTS"
        run = "SELECT" if self.plain else "PERFORM"  # PL/pgSQL discards a result with PERFORM
        statements = (
            f"CREATE SEQUENCE{guard} {sequence} AS {kind} OWNED BY {table}.{col}",
            f"ALTER TABLE {table} ALTER COLUMN {col} "
            f"SET DEFAULT nextval({sequence_text}::regclass)",
            f"{run} setval({sequence_text}, COALESCE(max({col}), 0) + 1, false) FROM {table}",
        )
        return self.guard(self.exists(op.table), *statements), (
            "The key's sequence, as SERIAL makes it.",
        )

    def _alter_comment(self, op: o.AlterComment):
        return self.guard(self.exists(op.table), self.ddl_new.comment(op.table, op.new.name)), ()

    def _alter_generated(self, op: o.AlterGenerated):
        table, col = op.table, quote(op.new.name)
        alter = f"{self.alter(table)} ALTER COLUMN {col}"
        old, new = op.old, op.new
        if op.destructive:
            # Dropped and added again: the only way to make a column generated.
            spec = self.ddl_new.column_spec(table, new.name)
            statements = (
                f"{self.alter(table)} DROP COLUMN{self.if_exists()} {col}",
                f"{self.alter(table)} ADD COLUMN {spec}",
            )
            return statements, ("A column becomes generated only by being made anew.",)
        statements: list[str] = []
        if old.computed is not None and new.computed is not None:
            statements.append(f"{alter} SET EXPRESSION AS ({new.computed.sqltext})")
        elif old.computed is not None:
            statements.append(f"{alter} DROP EXPRESSION{self.if_exists()}")
        if new.identity is None and old.identity is not None:
            statements.append(f"{alter} DROP IDENTITY{self.if_exists()}")
        elif new.identity is not None:
            identity = self.ddl_new.identity(table, new.name)
            wanted = "a" if new.identity.always else "d"
            steps = (
                [f"ALTER TABLE {quote(table)} ALTER COLUMN {col} DROP IDENTITY IF EXISTS"]
                if old.identity is not None
                else []
            )
            steps.append(f"ALTER TABLE {quote(table)} ALTER COLUMN {col} ADD {identity}")
            current = (
                f"(SELECT attidentity FROM pg_attribute WHERE attrelid = {self.regclass(table)} "
                f"AND attname = {literal(stored(new.name))})"
            )
            condition = f"{self.exists(table)} AND {current} IS DISTINCT FROM {literal(wanted)}"
            statements += self.guard(condition, *steps)
        return tuple(statements), ()

    def _drop_column(self, op: o.DropColumn):
        comments = (
            (f"Likely renamed to {op.renamed_to}: see the ADD COLUMN above.",)
            if op.renamed_to
            else ()
        )
        statement = (
            f"{self.alter(op.old.name)} DROP COLUMN{self.if_exists()} {quote(op.column.name)}"
        )
        return (statement,), comments


def _todo_backfill(table: str, column: str) -> Note:
    """A commented statement: the value is a person's decision."""
    return Note(
        (
            "TODO: give every row a value, or the next statement fails on a table with rows:",
            f"UPDATE {quote(table)} SET {quote(column)} = ... WHERE {quote(column)} IS NULL",
        )
    )
