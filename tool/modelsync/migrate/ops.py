"""Migration operations: the diff between two schemas as inert, sorted data.

Each operation is a frozen record that carries the IR records it needs (the old value as
well as the new one where it changes something), so it can say what it does in plain words
(``describe``), give its inverse (``reverse``) and flatten to a tuple for assertions
(``as_tuple``). Planning orders them (``plan.py``); rendering turns them into SQL
(``render.py``); nothing here knows SQL.

``phase`` is the operation's place in dependency order; the plan sorts by it first.
"""

from __future__ import annotations

from typing import Any

# The base and the key, constraint and index operations, re-exported: callers import ops.
from modelsync.migrate.keys import (  # noqa: F401
    AddConstraint,
    AddForeignKey,
    AddPrimaryKey,
    Constraint,
    ConstraintOp,
    CreateIndex,
    DropConstraint,
    DropForeignKey,
    DropIndex,
    DropPrimaryKey,
    ForeignKeyOp,
    IndexOp,
    PrimaryKeyOp,
)
from modelsync.migrate.opbase import PHASES, Op  # noqa: F401
from modelsync.migrate.types import is_narrowing
from modelsync.records import record
from modelsync.schema.ir import Column, EnumType, Table


@record
class CreateExtension(Op):
    name: str

    kind = "create_extension"  # type: ignore[assignment]

    def as_tuple(self):
        return (self.kind, self.name)

    def describe(self):
        return f"create extension {self.name} (if missing)"

    def reverse(self):
        # The extension may serve other tables; undoing a migration never drops it.
        return self


@record
class CreateEnum(Op):
    enum: EnumType

    kind = "create_enum"  # type: ignore[assignment]

    def as_tuple(self):
        return (self.kind, self.enum.name, self.enum.labels)

    def describe(self):
        return f"create enum type {self.enum.name} ({', '.join(self.enum.labels)})"

    def reverse(self):
        return DropEnum(self.enum)


@record
class DropEnum(Op):
    enum: EnumType

    kind = "drop_enum"  # type: ignore[assignment]
    destructive = True  # type: ignore[assignment]

    def as_tuple(self):
        return (self.kind, self.enum.name, self.enum.labels)

    def describe(self):
        return f"drop enum type {self.enum.name}"

    def reverse(self):
        return CreateEnum(self.enum)


@record
class AddEnumLabel(Op):
    enum: str
    label: str
    # Where the label goes, as PostgreSQL's ADD VALUE ... BEFORE/AFTER says it.
    before: str | None = None
    after: str | None = None

    kind = "add_enum_label"  # type: ignore[assignment]

    def as_tuple(self):
        return (self.kind, self.enum, self.label, self.before, self.after)

    def sort_key(self):
        # Labels of one type are added in the order given (each may be placed after the last).
        return (PHASES[self.kind], self.enum)

    def describe(self):
        where = f" before {self.before}" if self.before else ""
        where = where or (f" after {self.after}" if self.after else "")
        return f"add label {self.label} to enum type {self.enum}{where}"

    def reverse(self):
        raise ValueError("PostgreSQL cannot drop an enum label; the reverse is a RewriteEnum")


@record
class RewriteEnum(Op):
    """Labels dropped or reordered: PostgreSQL can only build the type anew and convert
    every column that uses it (``columns``: (table, column, server default))."""

    old: EnumType
    new: EnumType
    columns: tuple[tuple[str, str, str | None], ...]

    kind = "rewrite_enum"  # type: ignore[assignment]

    @property
    def destructive(self) -> bool:
        return not set(self.old.labels) <= set(self.new.labels)

    def as_tuple(self):
        return (self.kind, self.old.name, self.old.labels, self.new.labels, self.columns)

    def describe(self):
        dropped = [label for label in self.old.labels if label not in self.new.labels]
        what = f"drop label(s) {', '.join(dropped)}" if dropped else "reorder labels"
        return f"rewrite enum type {self.new.name} ({what}: {', '.join(self.new.labels)})"

    def reverse(self):
        return RewriteEnum(self.new, self.old, self.columns)


@record
class CreateTable(Op):
    new: Table

    kind = "create_table"  # type: ignore[assignment]

    @property
    def table(self):
        return self.new.name

    def sort_key(self):
        return (PHASES[self.kind],)  # the plan gives tables their dependency order

    def as_tuple(self):
        return (self.kind, self.new.name)

    def describe(self):
        return f"create table {self.new.name} ({len(self.new.columns)} columns)"

    def reverse(self):
        return DropTable(self.new)


@record
class DropTable(Op):
    old: Table

    kind = "drop_table"  # type: ignore[assignment]
    destructive = True  # type: ignore[assignment]

    @property
    def table(self):
        return self.old.name

    def sort_key(self):
        return (PHASES[self.kind],)

    def as_tuple(self):
        return (self.kind, self.old.name)

    def describe(self):
        return f"drop table {self.old.name}"

    def reverse(self):
        return CreateTable(self.old)


@record
class AddColumn(Op):
    """``new`` is the whole new table: the column's DDL depends on its table (SERIAL)."""

    new: Table
    column: Column
    # A likely rename: the column of the same type dropped from the same table.
    renamed_from: str | None = None

    kind = "add_column"  # type: ignore[assignment]

    @property
    def table(self):
        return self.new.name

    def as_tuple(self):
        return (self.kind, self.new.name, self.column.name, self.column.type, self.column.nullable)

    def describe(self):
        null = "nullable" if self.column.nullable else "NOT NULL"
        return f"add column {self.new.name}.{self.column.name} ({self.column.type}, {null})"

    def reverse(self):
        return DropColumn(self.new, self.column, self.renamed_from)


@record
class DropColumn(Op):
    old: Table
    column: Column
    renamed_to: str | None = None

    kind = "drop_column"  # type: ignore[assignment]
    destructive = True  # type: ignore[assignment]

    @property
    def table(self):
        return self.old.name

    def as_tuple(self):
        return (self.kind, self.old.name, self.column.name)

    def describe(self):
        return f"drop column {self.old.name}.{self.column.name}"

    def reverse(self):
        return AddColumn(self.old, self.column, self.renamed_to)


@record
class AlterColumn(Op):
    """One aspect of a column changes; ``old``/``new`` are the column on each side and
    ``new_table`` the table as it ends up (for its DDL)."""

    new_table: Table
    old: Column
    new: Column

    @property
    def table(self):
        return self.new_table.name

    def as_tuple(self):
        return (
            self.kind,
            self.new_table.name,
            self.new.name,
            self._value(self.old),
            self._value(self.new),
        )

    def _value(self, column: Column) -> Any:
        raise NotImplementedError

    def describe(self):
        a, b = self._value(self.old), self._value(self.new)
        return (
            f"change {self.kind.removeprefix('alter_')} of {self.table}.{self.new.name}: {a} -> {b}"
        )

    def reverse(self):
        return type(self)(self.new_table, self.new, self.old)


@record
class AlterType(AlterColumn):
    # Set by the plan: the change loses data (VARCHAR(100) -> VARCHAR(20)).
    narrowing: bool = False

    kind = "alter_type"  # type: ignore[assignment]

    @property
    def destructive(self) -> bool:
        return self.narrowing

    def _value(self, column):
        return column.type

    def reverse(self):
        return AlterType(
            self.new_table, self.new, self.old, is_narrowing(self.new.type, self.old.type)
        )


@record
class AlterNullable(AlterColumn):
    kind = "alter_nullable"  # type: ignore[assignment]

    def _value(self, column):
        return "NULL" if column.nullable else "NOT NULL"


@record
class AlterDefault(AlterColumn):
    kind = "alter_default"  # type: ignore[assignment]

    def _value(self, column):
        return column.server_default


def is_serial(column: Column) -> bool:
    """SERIAL's sequence and default: SQLAlchemy's autoincrement column without an
    identity (with one, the identity gives the values)."""
    return column.autoincrement and column.identity is None


@record
class AlterAutoincrement(AlterColumn):
    """A column gains or loses SERIAL's sequence (an identity coming or going in its place
    is an ``AlterGenerated``)."""

    kind = "alter_autoincrement"  # type: ignore[assignment]

    def _value(self, column):
        if is_serial(column):
            return "SERIAL"
        return "identity" if column.identity is not None else "no sequence"


@record
class AlterComment(AlterColumn):
    kind = "alter_comment"  # type: ignore[assignment]

    def _value(self, column):
        return column.comment


@record
class AlterGenerated(AlterColumn):
    """An identity or a generated expression changes. A column cannot become generated,
    nor switch between stored and virtual, in place: it is dropped and added again."""

    kind = "alter_generated"  # type: ignore[assignment]

    @property
    def destructive(self) -> bool:
        old, new = self.old.computed, self.new.computed
        return new is not None and (old is None or old.persisted != new.persisted)

    def _value(self, column):
        if column.identity is not None:
            kind = "ALWAYS" if column.identity.always else "BY DEFAULT"
            return f"identity {kind} {dict(column.identity.options)}"
        if column.computed is not None:
            return f"generated ({column.computed.sqltext})"
        return "SERIAL" if is_serial(column) else "none"
