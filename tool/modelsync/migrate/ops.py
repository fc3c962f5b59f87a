"""Migration operations: the diff between two schemas as inert, sorted data.

Each operation is a frozen record that carries the IR records it needs (the old value as
well as the new one where it changes something), so it can say what it does in plain words
(``describe``), give its inverse (``reverse``) and flatten to a tuple for assertions
(``as_tuple``). Planning orders them (``plan.py``); rendering turns them into SQL
(``render.py``); nothing here knows SQL.

``phase`` is the operation's place in dependency order; the plan sorts by it first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from modelsync.schema.ir import CheckConstraint, Column, EnumType, Index, Table, UniqueConstraint

# Dependency order, one number per kind of step (see plan.py for why each comes where).
PHASES = {
    "create_extension": 0,
    "add_enum_label": 1,
    "create_enum": 2,
    # Before new tables: create_all may already have made them with the old type.
    "rewrite_enum": 3,
    "drop_foreign_key": 4,
    "drop_index": 5,
    "drop_constraint": 5,
    "drop_primary_key": 6,
    "create_table": 7,
    "add_column": 8,
    "alter_type": 9,
    "alter_nullable": 10,
    "alter_default": 10,
    "alter_autoincrement": 10,
    "alter_comment": 10,
    "alter_generated": 11,  # after SET NOT NULL, which an identity needs first
    "add_primary_key": 11,
    "add_constraint": 12,
    "create_index": 12,
    "add_foreign_key": 13,
    "drop_column": 14,
    "drop_table": 15,
    "drop_enum": 16,
}


@dataclass(frozen=True, slots=True)
class Op:
    """What every operation has: a kind and the table it acts on (None for types)."""

    @property
    def kind(self) -> str:
        raise NotImplementedError

    @property
    def table(self) -> str | None:
        return None

    @property
    def destructive(self) -> bool:
        """Loses data when applied: emitted commented out unless allowed."""
        return False

    def sort_key(self) -> tuple[Any, ...]:
        return (PHASES[self.kind], self.table or "", repr(self.as_tuple()))

    def as_tuple(self) -> tuple[Any, ...]:
        raise NotImplementedError

    def describe(self) -> str:
        raise NotImplementedError

    def reverse(self) -> Op:
        raise NotImplementedError


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
class CreateEnum(Op):
    enum: EnumType

    kind = "create_enum"  # type: ignore[assignment]

    def as_tuple(self):
        return (self.kind, self.enum.name, self.enum.labels)

    def describe(self):
        return f"create enum type {self.enum.name} ({', '.join(self.enum.labels)})"

    def reverse(self):
        return DropEnum(self.enum)


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
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
        from modelsync.migrate.plan import is_narrowing

        return AlterType(
            self.new_table, self.new, self.old, is_narrowing(self.new.type, self.old.type)
        )


@dataclass(frozen=True, slots=True)
class AlterNullable(AlterColumn):
    kind = "alter_nullable"  # type: ignore[assignment]

    def _value(self, column):
        return "NULL" if column.nullable else "NOT NULL"


@dataclass(frozen=True, slots=True)
class AlterDefault(AlterColumn):
    kind = "alter_default"  # type: ignore[assignment]

    def _value(self, column):
        return column.server_default


@dataclass(frozen=True, slots=True)
class AlterAutoincrement(AlterColumn):
    kind = "alter_autoincrement"  # type: ignore[assignment]

    def _value(self, column):
        return "SERIAL" if column.autoincrement else "no sequence"


@dataclass(frozen=True, slots=True)
class AlterComment(AlterColumn):
    kind = "alter_comment"  # type: ignore[assignment]

    def _value(self, column):
        return column.comment


@dataclass(frozen=True, slots=True)
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
        return "none"


@dataclass(frozen=True, slots=True)
class PrimaryKeyOp(Op):
    name: str  # the table
    columns: tuple[str, ...]

    @property
    def table(self):
        return self.name

    def as_tuple(self):
        return (self.kind, self.name, self.columns)


@dataclass(frozen=True, slots=True)
class AddPrimaryKey(PrimaryKeyOp):
    kind = "add_primary_key"  # type: ignore[assignment]

    def describe(self):
        return f"set the primary key of {self.name} to ({', '.join(self.columns)})"

    def reverse(self):
        return DropPrimaryKey(self.name, self.columns)


@dataclass(frozen=True, slots=True)
class DropPrimaryKey(PrimaryKeyOp):
    kind = "drop_primary_key"  # type: ignore[assignment]

    def describe(self):
        return f"drop the primary key ({', '.join(self.columns)}) of {self.name}"

    def reverse(self):
        return AddPrimaryKey(self.name, self.columns)


# A constraint of a table: a table-level unique or check, or a column's own UNIQUE.
Constraint = UniqueConstraint | CheckConstraint


@dataclass(frozen=True, slots=True)
class ConstraintOp(Op):
    name: str  # the table
    constraint: Constraint

    @property
    def table(self):
        return self.name

    def as_tuple(self):
        c = self.constraint
        body = c.columns if isinstance(c, UniqueConstraint) else c.sqltext
        return (self.kind, self.name, c.name, body)

    def _words(self) -> str:
        c = self.constraint
        if isinstance(c, UniqueConstraint):
            return f"unique constraint ({', '.join(c.columns)})"
        return f"check constraint ({c.sqltext})"


@dataclass(frozen=True, slots=True)
class AddConstraint(ConstraintOp):
    kind = "add_constraint"  # type: ignore[assignment]

    def describe(self):
        return f"add {self._words()} to {self.name}"

    def reverse(self):
        return DropConstraint(self.name, self.constraint)


@dataclass(frozen=True, slots=True)
class DropConstraint(ConstraintOp):
    kind = "drop_constraint"  # type: ignore[assignment]

    def describe(self):
        return f"drop {self._words()} of {self.name}"

    def reverse(self):
        return AddConstraint(self.name, self.constraint)


@dataclass(frozen=True, slots=True)
class ForeignKeyOp(Op):
    name: str  # the table
    column: str
    target: str  # "table.column"
    ondelete: str | None = None

    @property
    def table(self):
        return self.name

    def as_tuple(self):
        return (self.kind, self.name, self.column, self.target, self.ondelete)

    def _words(self) -> str:
        action = f" ON DELETE {self.ondelete}" if self.ondelete else ""
        return f"foreign key {self.name}.{self.column} -> {self.target}{action}"


@dataclass(frozen=True, slots=True)
class AddForeignKey(ForeignKeyOp):
    kind = "add_foreign_key"  # type: ignore[assignment]

    def describe(self):
        return f"add {self._words()}"

    def reverse(self):
        return DropForeignKey(self.name, self.column, self.target, self.ondelete)


@dataclass(frozen=True, slots=True)
class DropForeignKey(ForeignKeyOp):
    kind = "drop_foreign_key"  # type: ignore[assignment]

    def describe(self):
        return f"drop {self._words()}"

    def reverse(self):
        return AddForeignKey(self.name, self.column, self.target, self.ondelete)


@dataclass(frozen=True, slots=True)
class IndexOp(Op):
    name: str  # the table
    index: Index

    @property
    def table(self):
        return self.name

    def as_tuple(self):
        i = self.index
        return (self.kind, self.name, i.name, i.columns, i.unique, i.using, i.ops, i.where, i.with_)

    def _words(self) -> str:
        unique = "unique " if self.index.unique else ""
        using = f" using {self.index.using}" if self.index.using else ""
        keys = ", ".join(e.text for e in self.index.elements)
        return f"{unique}index {self.index.name} on {self.name} ({keys}){using}"


@dataclass(frozen=True, slots=True)
class CreateIndex(IndexOp):
    kind = "create_index"  # type: ignore[assignment]

    def describe(self):
        return f"create {self._words()}"

    def reverse(self):
        return DropIndex(self.name, self.index)


@dataclass(frozen=True, slots=True)
class DropIndex(IndexOp):
    kind = "drop_index"  # type: ignore[assignment]

    def describe(self):
        return f"drop {self._words()}"

    def reverse(self):
        return CreateIndex(self.name, self.index)
