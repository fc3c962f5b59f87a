"""IR records -> the DDL text SQLAlchemy's own PostgreSQL compiler emits for them.

To get the DDL ``create_all`` would emit, each column's type text is read back into a
SQLAlchemy type (``dialect.sa_type``), then SQLAlchemy ``Table``/``Column``/``Index``
objects are built from the IR and compiled with ``CreateTable``/``CreateIndex``/
``AddConstraint`` in ``dialect.DIALECT``.

SQLAlchemy is imported here and in ``dialect`` and nowhere else on the migrate path
(``migrate`` itself stays light for ``check`` and ``lint``). It comes with SQLModel, a
dependency; pgvector does not, and is not needed (``dialect._PgvectorType``).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg
from sqlalchemy.dialects.postgresql.named_types import CreateEnumType
from sqlalchemy.schema import AddConstraint, DropColumnComment, SetColumnComment
from sqlalchemy.schema import CreateIndex as SaCreateIndex
from sqlalchemy.schema import CreateTable as SaCreateTable

from modelsync.errors import UnsupportedConstruct
from modelsync.migrate.dialect import DIALECT, sa_type
from modelsync.records import replace
from modelsync.schema.ir import (
    CheckConstraint,
    Column,
    EnumType,
    Index,
    IndexElement,
    Schema,
    Table,
)
from modelsync.schema.ir import UniqueConstraint as IrUnique


def compile_type(column: Column, schema: Schema) -> str:
    return DIALECT.type_compiler_instance.process(_column_type(column, schema))


def _column_type(column: Column, schema: Schema) -> Any:
    enum = schema.enum(column.enum) if column.enum else None
    if column.enum and enum is None:
        raise UnsupportedConstruct(f"enum type {column.enum} of column {column.name} is unknown")
    return sa_type(column.type, enum)


class Ddl:
    """The SQLAlchemy objects of one schema, built once, and the DDL compiled from them."""

    def __init__(self, schema: Schema):
        self.schema = schema
        self.metadata = sa.MetaData()
        self._by_name = {t.name: t for t in schema.tables}
        self._tables = _Built(self)

    def _build_table(self, table: Table) -> sa.Table:
        # A column in a table-level key gets that key, not one of its own.
        in_keys = {c for k in table.foreign_keys for c in k.columns}
        columns = [
            self._build_column(table, replace_fk(c) if c.name in in_keys else c)
            for c in table.columns
        ]
        items: list[Any] = [
            sa.ForeignKeyConstraint(k.columns, k.targets, name=k.name, ondelete=k.ondelete)
            for k in table.foreign_keys
        ]
        if table.primary_key:
            items.append(sa.PrimaryKeyConstraint(*table.primary_key))
        for column in table.columns:
            if column.unique and not column.index:
                items.append(sa.UniqueConstraint(column.name))
        items += [self._unique(u) for u in table.unique_constraints]
        items += [self._check(c) for c in table.check_constraints]
        built = sa.Table(table.name, self.metadata, *columns, *items)
        for index in table.indexes:
            self._build_index(built, index)
        return built

    def _build_column(
        self, table: Table, column: Column, nullable: bool | None = None
    ) -> sa.Column:
        args: list[Any] = [column.name, _column_type(column, self.schema)]
        if column.foreign_key:
            args.append(sa.ForeignKey(column.foreign_key, ondelete=column.ondelete))
        if column.identity is not None:
            args.append(sa.Identity(always=column.identity.always, **dict(column.identity.options)))
        if column.computed is not None:
            args.append(sa.Computed(column.computed.sqltext, persisted=column.computed.persisted))
        return sa.Column(
            *args,
            nullable=column.nullable if nullable is None else nullable,
            server_default=sa.text(column.server_default) if column.server_default else None,
            # SQLAlchemy decides an identity column's own autoincrement.
            autoincrement="auto" if column.identity is not None else column.autoincrement,
            comment=column.comment,
        )

    @staticmethod
    def _unique(unique: IrUnique) -> sa.UniqueConstraint:
        options = {"postgresql_nulls_not_distinct": True} if unique.nulls_not_distinct else {}
        return sa.UniqueConstraint(*unique.columns, name=unique.name, **options)

    @staticmethod
    def _check(check: CheckConstraint) -> sa.CheckConstraint:
        return sa.CheckConstraint(sa.text(check.sqltext), name=check.name)

    @staticmethod
    def _build_index(table: sa.Table, index: Index) -> sa.Index:
        options: dict[str, Any] = {}
        if index.using:
            options["postgresql_using"] = index.using
        if index.ops:
            options["postgresql_ops"] = dict(index.ops)
        if index.where:
            options["postgresql_where"] = sa.text(index.where)
        if index.with_:
            options["postgresql_with"] = dict(index.with_)
        keys = [_index_key(table, e) for e in index.elements]
        # An index of expressions only names no column to find its table by: say it.
        return sa.Index(index.name, *keys, unique=index.unique, _table=table, **options)

    def table(self, name: str) -> sa.Table:
        return self._tables[name]

    # ------------------------------------------------------------------ compiled text

    def create_table(
        self, name: str, if_not_exists: bool, leaving_out: tuple[str, ...] = ()
    ) -> str:
        """``CREATE TABLE``, without the foreign keys of the columns ``leaving_out`` (those
        that close a cycle: added after, as create_all adds them)."""
        table = self._tables[name]
        keys = [
            k for k in table.foreign_key_constraints if not set(k.column_keys) & set(leaving_out)
        ]
        create = SaCreateTable(
            table, if_not_exists=if_not_exists, include_foreign_key_constraints=keys
        )
        text = str(create.compile(dialect=DIALECT))
        # The compiler's layout: a leading newline, tab indents, ", " line ends.
        lines = [line.rstrip() for line in text.strip().splitlines()]
        return "\n".join(line.replace("\t", "    ") for line in lines)

    def column_comments(self, name: str) -> tuple[str, ...]:
        """``COMMENT ON COLUMN`` statements create_all emits after the table."""
        return tuple(
            str(SetColumnComment(c).compile(dialect=DIALECT))
            for c in self._tables[name].columns
            if c.comment
        )

    def comment(self, table: str, column: str) -> str:
        sa_column = self._tables[table].c[column]
        if sa_column.comment:
            return str(SetColumnComment(sa_column).compile(dialect=DIALECT))
        return str(DropColumnComment(sa_column).compile(dialect=DIALECT))

    def identity(self, table: str, column: str) -> str:
        """``GENERATED ... AS IDENTITY (...)`` of a column, as CREATE TABLE has it."""
        compiler = DIALECT.ddl_compiler(DIALECT, None)
        return compiler.process(self._tables[table].c[column].identity)

    def computed(self, table: str, column: str) -> str:
        compiler = DIALECT.ddl_compiler(DIALECT, None)
        return compiler.process(self._tables[table].c[column].computed)

    def create_index(self, table: str, index_name: str, if_not_exists: bool) -> str:
        index = next(i for i in self._tables[table].indexes if i.name == index_name)
        return str(SaCreateIndex(index, if_not_exists=if_not_exists).compile(dialect=DIALECT))

    def column_spec(self, table: str, column: str, nullable: bool | None = None) -> str:
        """``name TYPE [DEFAULT ...] [NOT NULL]`` as in CREATE TABLE (SERIAL included)."""
        compiler = DIALECT.ddl_compiler(DIALECT, None)
        sa_column = self._tables[table].c[column]
        if nullable is not None and nullable != sa_column.nullable:
            ir_table = self.schema.table(table)
            ir_column = ir_table.column(column)
            alone = sa.Table(
                table, sa.MetaData(), self._build_column(ir_table, replace_fk(ir_column), nullable)
            )
            sa_column = alone.c[column]
        return compiler.get_column_specification(sa_column)

    def column_type(self, table: str, column: str) -> str:
        return DIALECT.type_compiler_instance.process(self._tables[table].c[column].type)

    def add_constraint(self, table: str, constraint: Any, name: str) -> str:
        """``ALTER TABLE t ADD CONSTRAINT name ...`` for an IR unique or check constraint."""
        if isinstance(constraint, IrUnique):
            built = self._unique(IrUnique(name, constraint.columns, constraint.nulls_not_distinct))
        else:
            built = self._check(CheckConstraint(name, constraint.sqltext))
        sa.Table(
            table, sa.MetaData(), *(sa.Column(c) for c in _constraint_columns(constraint)), built
        )
        return str(AddConstraint(built).compile(dialect=DIALECT))

    def add_foreign_key(self, table: str, columns: tuple[str, ...], name: str) -> str:
        """``ALTER TABLE t ADD CONSTRAINT name FOREIGN KEY(...) REFERENCES ...`` for the
        table's key over ``columns`` in this schema."""
        key = next(
            k
            for k in self._tables[table].foreign_key_constraints
            if tuple(k.column_keys) == tuple(columns)
        )
        targets = [element.column for element in key.elements]  # resolved in this schema
        # Just the key's columns, in a metadata of their own (one table when the key points
        # at its own table): enough for the compiler to write REFERENCES.
        wanted: dict[str, list[str]] = {table: list(columns)}
        for target in targets:
            names = wanted.setdefault(target.table.name, [])
            if target.name not in names:
                names.append(target.name)
        alone = sa.MetaData()
        tables = {n: sa.Table(n, alone, *(sa.Column(c) for c in cs)) for n, cs in wanted.items()}
        built = sa.ForeignKeyConstraint(
            [tables[table].c[c] for c in columns],
            [tables[t.table.name].c[t.name] for t in targets],
            name=name,
            ondelete=key.ondelete,
        )
        tables[table].append_constraint(built)
        return str(AddConstraint(built).compile(dialect=DIALECT))


class _Built(dict):
    """The SQLAlchemy tables, built when first asked for (a migration of one column of an
    800-table schema builds a handful), each after the tables its foreign keys name."""

    def __init__(self, ddl: Ddl):
        super().__init__()
        self.ddl = ddl
        self.building: set[str] = set()

    def __missing__(self, name: str) -> sa.Table:
        table = self.ddl._by_name[name]
        self.building.add(name)  # tables that point at each other: build each once
        for column in table.columns:
            target = column.foreign_key.split(".")[0] if column.foreign_key else None
            if target in self.ddl._by_name and target not in self and target not in self.building:
                self[target]  # noqa: B018 - builds it
        try:
            built = self[name] = self.ddl._build_table(table)
        except sa.exc.ArgumentError as error:
            raise UnsupportedConstruct(
                f"table {name}: SQLAlchemy refuses to build it for migration DDL: {error}",
                self.ddl.schema.where(table),
                table.line or None,
            ) from None
        return built


def _index_key(table: sa.Table, element: IndexElement) -> Any:
    key: Any = (
        table.c[element.column] if element.column is not None else sa.text(element.expression)
    )
    if element.order == "DESC":
        key = sa.desc(key)
    elif element.order == "ASC":
        key = sa.asc(key)
    if element.nulls == "FIRST":
        key = sa.nulls_first(key)
    elif element.nulls == "LAST":
        key = sa.nulls_last(key)
    return key


def _constraint_columns(constraint: Any) -> tuple[str, ...]:
    if isinstance(constraint, IrUnique):
        return constraint.columns
    return ()


def replace_fk(column: Column) -> Column:
    """The column without its foreign key (that is added as its own statement)."""
    return replace(column, foreign_key=None, ondelete=None)


def create_enum(enum: EnumType) -> str:
    return str(CreateEnumType(pg.ENUM(*enum.labels, name=enum.name)).compile(dialect=DIALECT))
