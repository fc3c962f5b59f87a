"""Migration operations -> the SQL text of the migration file.

Guarded (the default) means correct in each state the database standard allows: the old
schema (a), the old schema plus what ``create_all`` of the new models made (b), and an
empty database (c); and applying the file twice changes nothing. Every statement is
therefore ``IF [NOT] EXISTS``, or sits in a ``DO`` block that looks at the catalog first
(PostgreSQL has no ``IF NOT EXISTS`` for types and constraints, and none for indexes or
types on a table or type that may be missing). ``plain`` emits the bare DDL.

Python decides every string here; statement bodies come from SQLAlchemy's compiler
(``ddl.py``).
"""

from __future__ import annotations

from modelsync.errors import UnsupportedConstruct
from modelsync.migrate import ops as o
from modelsync.migrate import plan as p
from modelsync.migrate.ddl import Ddl, create_enum
from modelsync.migrate.dialect import CompileError, name_text, quote
from modelsync.migrate.enum_rewrite import rewrite_enum
from modelsync.migrate.foreign_keys import referenced_tables
from modelsync.migrate.names import (
    constraint_name,
    key_name,
    primary_key_name,
    stored,
)
from modelsync.migrate.render_columns import ColumnSteps, Note
from modelsync.migrate.sqltext import INDENT, dollar_quoted, indent, literal
from modelsync.records import field, record
from modelsync.schema.ir import Schema, Table


@record
class Block:
    """One operation's SQL: comments above, then its statements (each without ``;``) and
    notes, in order."""

    op: o.Op
    statements: tuple[str | Note, ...]
    comments: tuple[str, ...] = ()
    # Left commented out: destructive and not allowed.
    disabled: bool = False
    # Runs before the transaction (enum labels).
    outside: bool = False


@record
class Rendered:
    sql: str
    blocks: tuple[Block, ...] = field(default=())

    @property
    def disabled(self) -> tuple[o.Op, ...]:
        return tuple(b.op for b in self.blocks if b.disabled)


class Renderer(ColumnSteps):
    def __init__(self, old: Schema, new: Schema, plain: bool, allow_destructive: bool):
        self.old, self.new = old, new
        self.plain, self.allow_destructive = plain, allow_destructive
        self.ddl_new = Ddl(new)
        self.old_tables = {t.name for t in old.tables}
        self.old_enums = set(p.used_enums(old))

    # ------------------------------------------------------------------ helpers

    def regclass(self, table: str) -> str:
        return f"to_regclass({literal(name_text(table))})"

    def regtype(self, enum: str) -> str:
        return f"to_regtype({literal(name_text(enum))})"

    def exists(self, table: str) -> str:
        return f"{self.regclass(table)} IS NOT NULL"

    def constraint_missing(self, table: str, name: str) -> str:
        return (
            f"NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = {self.regclass(table)} "
            f"AND conname = {literal(stored(name))})"
        )

    def existing_needs(
        self, table: str, seen: frozenset[str] = frozenset()
    ) -> set[tuple[str, str]]:
        """What of the old schema a new table needs, through its foreign keys (over other
        new tables, cycles included) and its enum types: ``("table", name)`` and ``("type",
        name)``. On an empty database (state (c)) none of it exists, and create_all makes
        the table after the file; elsewhere all of it does."""
        if table in self.old_tables:
            return {("table", table)}
        new_table = self.new.table(table)
        if new_table is None:
            return set()
        found = {("type", c.enum) for c in new_table.columns if c.enum in self.old_enums}
        for target in referenced_tables(new_table):
            if target not in seen and target != table:
                found |= self.existing_needs(target, seen | {table})
        return found

    def creation_needs(self, table: Table, deferred: tuple[str, ...]) -> list[tuple[str, str]]:
        """What the guard of a new table tests: the tables it points at that may be missing
        (old ones, and new ones made only where old ones exist), its old enum types, and for
        a key that closes a cycle (its table is made later) what that table needs."""
        needs = {("type", c.enum) for c in table.columns if c.enum in self.old_enums}
        for target in referenced_tables(table, deferred) - {table.name}:
            if target in self.old_tables or self.existing_needs(target):
                needs.add(("table", target))
        for target in referenced_tables(table) - referenced_tables(table, deferred):
            needs |= self.existing_needs(target)
        return sorted(needs, key=lambda need: (need[0] == "type", need[1]))

    def do(self, condition: str, statements: tuple[str, ...]) -> str:
        """A DO block that runs the statements only when the condition holds."""
        body = "\n".join(indent(s + ";", 2) for s in statements)
        return "DO " + dollar_quoted(
            f"BEGIN\n{INDENT}IF {condition} THEN\n{body}\n{INDENT}END IF;\nEND"
        )

    def guard(self, condition: str, *statements: str) -> tuple[str, ...]:
        return statements if self.plain else (self.do(condition, statements),)

    def alter(self, table: str) -> str:
        return f"ALTER TABLE {'' if self.plain else 'IF EXISTS '}{quote(table)}"

    def if_exists(self) -> str:
        return "" if self.plain else " IF EXISTS"

    # ------------------------------------------------------------------ operations

    def block(self, op: o.Op) -> Block:
        method = getattr(self, f"_{op.kind}")
        try:
            statements, comments = method(op)
        except CompileError as error:
            # What create_all itself would refuse (e.g. a ":name" in a CHECK's text, which
            # SQLAlchemy reads as a bound parameter): said at the table, not as a crash.
            table = self.new.table(op.table) if op.table else None
            raise UnsupportedConstruct(
                f"{op.describe()}: SQLAlchemy cannot compile it: {str(error).splitlines()[0]}",
                self.new.path,
                (table.line or None) if table else None,
            ) from None
        disabled = op.destructive and not self.allow_destructive
        if disabled:
            comments = (
                *comments,
                "WARNING: destructive (loses data), so left commented out. Review it, then",
                "uncomment it or generate the file again with --allow-destructive.",
            )
        return Block(op, tuple(statements), tuple(comments), disabled, op.kind == "add_enum_label")

    def _create_extension(self, op: o.CreateExtension):
        # Guarded even in --plain: the extension belongs to the database, not to the schema
        # being migrated, and may well be there already.
        comment = "pgvector: the type of the embedding columns."
        return (f"CREATE EXTENSION IF NOT EXISTS {op.name}",), (comment,)

    def _add_enum_label(self, op: o.AddEnumLabel):
        guard = "" if self.plain else " IF NOT EXISTS"
        where = f" BEFORE {literal(op.before)}" if op.before else f" AFTER {literal(op.after)}"
        statement = f"ALTER TYPE {quote(op.enum)} ADD VALUE{guard} {literal(op.label)}{where}"
        return self.guard(f"{self.regtype(op.enum)} IS NOT NULL", statement), ()

    def _create_enum(self, op: o.CreateEnum):
        return self.guard(f"{self.regtype(op.enum.name)} IS NULL", create_enum(op.enum)), ()

    def _drop_enum(self, op: o.DropEnum):
        return (f"DROP TYPE{self.if_exists()} {quote(op.enum.name)}",), ()

    def _rewrite_enum(self, op: o.RewriteEnum):
        return rewrite_enum(op, self.plain, self.regtype(op.new.name))

    def _drop_foreign_key(self, op: o.DropForeignKey):
        name = key_name(op.name, op.key)
        return (f"{self.alter(op.name)} DROP CONSTRAINT{self.if_exists()} {quote(name)}",), ()

    def _drop_index(self, op: o.DropIndex):
        return (f"DROP INDEX{self.if_exists()} {quote(op.index.name)}",), ()

    def _drop_constraint(self, op: o.DropConstraint):
        name = constraint_name(op.name, op.constraint)
        return (f"{self.alter(op.name)} DROP CONSTRAINT{self.if_exists()} {quote(name)}",), ()

    def _drop_primary_key(self, op: o.DropPrimaryKey):
        name = primary_key_name(op.name)
        return (f"{self.alter(op.name)} DROP CONSTRAINT{self.if_exists()} {quote(name)}",), ()

    def _create_table(self, op: o.CreateTable):
        table = op.new
        create = self.ddl_new.create_table(
            table.name, if_not_exists=not self.plain, leaving_out=op.deferred
        )
        indexes = tuple(
            self.ddl_new.create_index(table.name, i.name, if_not_exists=not self.plain)
            for i in table.indexes
        ) + self.ddl_new.column_comments(table.name)
        needs = self.creation_needs(table, op.deferred)
        if self.plain or not (needs or indexes):
            return (create, *indexes), ()
        # The indexes and comments go with the table, made only where this file makes it:
        # a table that is there already was made by create_all, with its own, and perhaps
        # for later models that no longer have these columns (the app started before the
        # migrations ran).
        conditions = [f"{self.regclass(table.name)} IS NULL"] if indexes else []
        conditions += [
            self.exists(name) if kind == "table" else f"{self.regtype(name)} IS NOT NULL"
            for kind, name in needs
        ]
        comments = ()
        if needs:
            names = " and ".join(
                name if kind == "table" else f"type {name}" for kind, name in needs
            )
            comments = (
                f"Made only where {names} {'exist' if len(needs) > 1 else 'exists'}: on an "
                "empty database, create_all makes this",
                "table together with what it needs.",
            )
        if indexes:
            comments += (
                "Its indexes and comments are made with it: where the table is there already,",
                "create_all made it with its own.",
            )
        return (self.do(" AND ".join(conditions), (create, *indexes)),), comments

    def _add_primary_key(self, op: o.AddPrimaryKey):
        columns = ", ".join(quote(c) for c in op.columns)
        statement = f"ALTER TABLE {quote(op.name)} ADD PRIMARY KEY ({columns})"
        missing = (
            f"NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = {self.regclass(op.name)} "
            "AND contype = 'p')"
        )
        return self.guard(f"{self.exists(op.name)} AND {missing}", statement), (
            "TODO: existing rows must have distinct, non-NULL keys, or this fails.",
        )

    def _add_constraint(self, op: o.AddConstraint):
        name = constraint_name(op.name, op.constraint)
        statement = self.ddl_new.add_constraint(op.name, op.constraint, name)
        condition = f"{self.exists(op.name)} AND {self.constraint_missing(op.name, name)}"
        return self.guard(condition, statement), _todo_existing_rows(op.name in self.old_tables)

    def _create_index(self, op: o.CreateIndex):
        statement = self.ddl_new.create_index(op.name, op.index.name, if_not_exists=not self.plain)
        comments = _todo_existing_rows(op.index.unique and op.name in self.old_tables)
        return self.guard(self.exists(op.name), statement), comments

    def _add_foreign_key(self, op: o.AddForeignKey):
        name = key_name(op.name, op.key)
        statement = self.ddl_new.add_foreign_key(op.name, op.key.columns, name)
        condition = (
            f"{self.exists(op.name)} AND {self.exists(op.target_table)} AND "
            f"{self.constraint_missing(op.name, name)}"
        )
        old_table = self.old.table(op.name)
        existed = old_table and any(old_table.column(c) for c in op.key.columns)
        columns, targets = ", ".join(op.key.columns), ", ".join(op.key.targets)
        comments = (
            (
                f"TODO: existing values of {op.name}.{columns} must exist in {targets},",
                "or this fails.",
            )
            if existed
            else ()
        )
        return self.guard(condition, statement), comments

    def _drop_table(self, op: o.DropTable):
        return (f"DROP TABLE{self.if_exists()} {quote(op.old.name)}",), ()


def _todo_existing_rows(applies: bool) -> tuple[str, ...]:
    if not applies:
        return ()
    return ("TODO: existing rows that violate it must be fixed first, or this fails.",)
