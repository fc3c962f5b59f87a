"""Operations on keys, constraints and indexes (see ``ops`` for the others)."""

from __future__ import annotations

from modelsync.migrate.opbase import Op
from modelsync.records import record
from modelsync.schema.constraints import unique_constraints
from modelsync.schema.ir import (
    CheckConstraint,
    ForeignKeyConstraint,
    Index,
    Table,
    UniqueConstraint,
)


@record
class PrimaryKeyOp(Op):
    name: str  # the table
    columns: tuple[str, ...]

    @property
    def table(self):
        return self.name

    def as_tuple(self):
        return (self.kind, self.name, self.columns)


@record
class AddPrimaryKey(PrimaryKeyOp):
    kind = "add_primary_key"  # type: ignore[assignment]

    def describe(self):
        return f"set the primary key of {self.name} to ({', '.join(self.columns)})"

    def reverse(self):
        return DropPrimaryKey(self.name, self.columns)


@record
class DropPrimaryKey(PrimaryKeyOp):
    kind = "drop_primary_key"  # type: ignore[assignment]

    def describe(self):
        return f"drop the primary key ({', '.join(self.columns)}) of {self.name}"

    def reverse(self):
        return AddPrimaryKey(self.name, self.columns)


# A constraint of a table: a table-level unique or check, or a column's own UNIQUE.
Constraint = UniqueConstraint | CheckConstraint


def table_constraints(table: Table) -> tuple[Constraint, ...]:
    """The table's unique and check constraints as PostgreSQL keeps them (a column's own
    UNIQUE included, several over the same columns folded into one: see
    ``schema.constraints``); the migration builds what CREATE TABLE builds."""
    return (*unique_constraints(table), *table.check_constraints)


@record
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


@record
class AddConstraint(ConstraintOp):
    kind = "add_constraint"  # type: ignore[assignment]

    def describe(self):
        return f"add {self._words()} to {self.name}"

    def reverse(self):
        return DropConstraint(self.name, self.constraint)


@record
class DropConstraint(ConstraintOp):
    kind = "drop_constraint"  # type: ignore[assignment]

    def describe(self):
        return f"drop {self._words()} of {self.name}"

    def reverse(self):
        return AddConstraint(self.name, self.constraint)


def table_foreign_keys(table: Table) -> tuple[ForeignKeyConstraint, ...]:
    """Every foreign key of the table as a constraint: those ``__table_args__`` names or
    spreads over several columns, and each other column's own key."""
    covered = {c for k in table.foreign_keys for c in k.columns}
    own = tuple(
        ForeignKeyConstraint((c.name,), (c.foreign_key,), c.ondelete, line=c.line)
        for c in table.columns
        if c.foreign_key and c.name not in covered
    )
    return (*table.foreign_keys, *own)


@record
class ForeignKeyOp(Op):
    name: str  # the table
    key: ForeignKeyConstraint

    @property
    def table(self):
        return self.name

    @property
    def target_table(self) -> str:
        return self.key.targets[0].rsplit(".", 1)[0]

    def as_tuple(self):
        k = self.key
        return (self.kind, self.name, k.columns, k.targets, k.ondelete, k.name)

    def _words(self) -> str:
        k = self.key
        action = f" ON DELETE {k.ondelete}" if k.ondelete else ""
        columns = ", ".join(k.columns)
        targets = ", ".join(k.targets)
        if len(k.columns) > 1:
            columns, targets = f"({columns})", f"({targets})"
        return f"foreign key {self.name}.{columns} -> {targets}{action}"


@record
class AddForeignKey(ForeignKeyOp):
    kind = "add_foreign_key"  # type: ignore[assignment]

    def describe(self):
        return f"add {self._words()}"

    def reverse(self):
        return DropForeignKey(self.name, self.key)


@record
class DropForeignKey(ForeignKeyOp):
    # Dropped because its table is dropped, before it: the key closes a cycle of dropped
    # tables, or holds on to a column that changes. A key holds no data, so this stays live
    # even when the DROP TABLE is left commented out.
    with_table: bool = False

    kind = "drop_foreign_key"  # type: ignore[assignment]

    def describe(self):
        return f"drop {self._words()}" + (" (its table is dropped)" if self.with_table else "")

    def reverse(self):
        return AddForeignKey(self.name, self.key)


@record
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


@record
class CreateIndex(IndexOp):
    kind = "create_index"  # type: ignore[assignment]

    def describe(self):
        return f"create {self._words()}"

    def reverse(self):
        return DropIndex(self.name, self.index)


@record
class DropIndex(IndexOp):
    kind = "drop_index"  # type: ignore[assignment]

    def describe(self):
        return f"drop {self._words()}"

    def reverse(self):
        return CreateIndex(self.name, self.index)
