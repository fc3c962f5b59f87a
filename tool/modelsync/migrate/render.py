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
from modelsync.migrate import identity
from modelsync.migrate import ops as o
from modelsync.migrate import plan as p
from modelsync.migrate.ddl import CompileError, Ddl, create_enum, name_text, quote
from modelsync.migrate.enum_rewrite import rewrite_enum
from modelsync.migrate.names import (
    constraint_name,
    foreign_key_name,
    primary_key_name,
    stored,
)
from modelsync.migrate.sqltext import INDENT, dollar_quoted, indent, literal
from modelsync.migrate.types import is_vector, needs_using
from modelsync.records import field, record
from modelsync.schema.ir import Column, Schema


@record
class Note:
    """Lines written as comments among the statements (a step a person must write)."""

    lines: tuple[str, ...]


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


class Renderer:
    def __init__(self, old: Schema, new: Schema, plain: bool, allow_destructive: bool):
        self.old, self.new = old, new
        self.plain, self.allow_destructive = plain, allow_destructive
        self.ddl_new = Ddl(new)
        self.old_tables = {t.name for t in old.tables}
        self.guarded_tables: set[str] = set()

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
        name = foreign_key_name(op.name, op.column)
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
        create = self.ddl_new.create_table(table.name, if_not_exists=not self.plain)
        indexes = tuple(
            self.ddl_new.create_index(table.name, i.name, if_not_exists=not self.plain)
            for i in table.indexes
        ) + self.ddl_new.column_comments(table.name)
        referenced = sorted(
            t
            for t in p._referenced(table)
            if t != table.name and (t in self.old_tables or t in self.guarded_tables)
        )
        if self.plain or not referenced:
            return (create, *indexes), ()
        self.guarded_tables.add(table.name)
        condition = " AND ".join(self.exists(t) for t in referenced)
        names = " and ".join(referenced)
        comments = (
            f"Made only where {names} {'exist' if len(referenced) > 1 else 'exists'}: on an "
            "empty database, create_all makes this",
            "table together with the tables it points at.",
        )
        return (self.do(condition, (create, *indexes)),), comments

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
            via = "::text" if op.old.enum and op.new.enum else ""
            using = f" USING {col}{via}::{new_type}"
            comments += (
                "TODO: not an implicit cast: check that every value converts with USING, or",
                "write the conversion yourself.",
            )
        if op.narrowing:
            comments += ("Narrowing: values that do not fit the new type make this fail.",)
        return (f"{self.alter(table)} ALTER COLUMN {col} TYPE {new_type}{using}",), comments

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
        name = foreign_key_name(op.name, op.column)
        statement = self.ddl_new.add_foreign_key(op.name, op.column, name)
        target = op.target.split(".")[0]
        condition = (
            f"{self.exists(op.name)} AND {self.exists(target)} AND "
            f"{self.constraint_missing(op.name, name)}"
        )
        existed = self.old.table(op.name) and self.old.table(op.name).column(op.column)
        comments = (
            (
                f"TODO: existing values of {op.name}.{op.column} must exist in {op.target},",
                "or this fails.",
            )
            if existed
            else ()
        )
        return self.guard(condition, statement), comments

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

    def _drop_table(self, op: o.DropTable):
        return (f"DROP TABLE{self.if_exists()} {quote(op.old.name)}",), ()


def _todo_backfill(table: str, column: str) -> Note:
    """A commented statement: the value is a person's decision."""
    return Note(
        (
            "TODO: give every row a value, or the next statement fails on a table with rows:",
            f"UPDATE {quote(table)} SET {quote(column)} = ... WHERE {quote(column)} IS NULL",
        )
    )


def _todo_existing_rows(applies: bool) -> tuple[str, ...]:
    if not applies:
        return ()
    return ("TODO: existing rows that violate it must be fixed first, or this fails.",)
