"""The SQL of the operations on one column: added, dropped, or one aspect changed.

A mixin of ``render.Renderer`` (which gives ``alter``, ``guard``, ``exists``, ``plain``,
``ddl_new`` and the rest): the renderer was one module too long.
"""

from __future__ import annotations

from modelsync.migrate import identity
from modelsync.migrate import ops as o
from modelsync.migrate.dialect import quote
from modelsync.migrate.names import stored
from modelsync.migrate.sqltext import INDENT, literal
from modelsync.migrate.types import casts_directly, is_vector, needs_using
from modelsync.records import record
from modelsync.schema.ir import Column


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
        return (*statements, *self.added_comment(table, column)), comments

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
        table, column = op.table, op.new.name
        if not o.is_serial(op.new):
            return identity.drop_serial(self.alter(table), table, column, self.plain), ()
        return self.guard(self.exists(table), *self.serial(table, column)), (
            "The key's sequence, as SERIAL makes it.",
        )

    def serial(self, table: str, column: str) -> tuple[str, ...]:
        kind = self.ddl_new.column_type(table, column)
        return identity.make_serial(table, column, kind, self.plain)

    def added_comment(self, table: str, column: Column) -> tuple[str, ...]:
        """A column added to a table has its comment set apart, as create_all sets it
        after CREATE TABLE: ADD COLUMN cannot carry one."""
        if not column.comment:
            return ()
        return self.guard(self.exists(table), self.ddl_new.comment(table, column.name))

    def _add_identity(self, table: str, old: Column, new: Column) -> tuple[str, ...]:
        col = quote(new.name)
        alter = f"ALTER TABLE {quote(table)}"
        steps = []
        if o.is_serial(old):
            steps += identity.drop_serial(alter, table, old.name, self.plain)
        steps.append(f"{alter} ALTER COLUMN {col} ADD {self.ddl_new.identity(table, new.name)}")
        after = identity.continue_after_rows(table, new.name, new.identity, self.plain)
        if o.is_serial(old) and after:
            steps.append(after)
        wanted = "a" if new.identity.always else "d"
        current = (
            f"(SELECT attidentity FROM pg_attribute WHERE attrelid = {self.regclass(table)} "
            f"AND attname = {literal(stored(new.name))})"
        )
        condition = f"{self.exists(table)} AND {current} IS DISTINCT FROM {literal(wanted)}"
        return self.guard(condition, *steps)

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
                *self.added_comment(table, new),
            )
            return statements, ("A column becomes generated only by being made anew.",)
        statements: list[str] = []
        if old.computed is not None and new.computed is not None:
            statements.append(f"{alter} SET EXPRESSION AS ({new.computed.sqltext})")
        elif old.computed is not None:
            statements.append(f"{alter} DROP EXPRESSION{self.if_exists()}")
        comments: tuple[str, ...] = ()
        if old.identity is not None and new.identity is not None:
            changes = identity.identity_changes(old.identity, new.identity)
            statements.append(f"{alter} {changes}" if changes else Note(identity.SAME_OPTIONS))
            comments = identity.START_NOTE if "START WITH" in changes else ()
        elif old.identity is not None:
            statements.append(f"{alter} DROP IDENTITY{self.if_exists()}")
            if o.is_serial(new):
                statements += self.guard(self.exists(table), *self.serial(table, new.name))
                comments = ("The key's sequence, as SERIAL makes it, after the identity's.",)
        elif new.identity is not None:
            statements += self._add_identity(table, old, new)
            if o.is_serial(old):
                comments = ("SERIAL's default and sequence make way for the identity.",)
        return tuple(statements), comments

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
