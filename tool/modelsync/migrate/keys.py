"""Operations on keys, constraints and indexes (see ``ops`` for the others)."""

from __future__ import annotations

from modelsync.migrate.opbase import Op
from modelsync.records import record
from modelsync.schema.ir import CheckConstraint, Index, Table, UniqueConstraint


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
    """The table's unique and check constraints, a column's own UNIQUE included (SQLAlchemy
    makes ``unique=True`` a constraint, or a unique index when the column is indexed too)."""
    own = tuple(
        UniqueConstraint(None, (c.name,), line=c.line)
        for c in table.columns
        if c.unique and not c.index
    )
    return (*own, *table.unique_constraints, *table.check_constraints)


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


@record
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


@record
class AddForeignKey(ForeignKeyOp):
    kind = "add_foreign_key"  # type: ignore[assignment]

    def describe(self):
        return f"add {self._words()}"

    def reverse(self):
        return DropForeignKey(self.name, self.column, self.target, self.ondelete)


@record
class DropForeignKey(ForeignKeyOp):
    kind = "drop_foreign_key"  # type: ignore[assignment]

    def describe(self):
        return f"drop {self._words()}"

    def reverse(self):
        return AddForeignKey(self.name, self.column, self.target, self.ondelete)


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
