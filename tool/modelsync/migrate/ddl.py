"""IR records -> the DDL text SQLAlchemy's own PostgreSQL compiler emits for them.

The IR keeps each column's type as the text the postgresql dialect compiles
(``VARCHAR(50)``, ``NUMERIC(5, 2)``, ``VECTOR(768)``). To get the DDL ``create_all`` would
emit, that text is read back into a SQLAlchemy type through one table
(``_TYPE_FACTORIES``), then SQLAlchemy ``Table``/``Column``/``Index`` objects are built
from the IR and compiled with ``CreateTable``/``CreateIndex``/``AddConstraint``. A type
that does not compile back to exactly the IR's text is refused: modelsync never writes a
type string of its own.

SQLAlchemy is imported here and nowhere else on the migrate path (``migrate`` itself
stays light for ``check`` and ``lint``). It comes with SQLModel, a dependency; pgvector
does not, and is not needed: its column types are written by ``_PgvectorType``, which
compiles exactly as pgvector's own SQLAlchemy types do, so a plain install writes
migrations.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg
from sqlalchemy.dialects.postgresql.base import PGCompiler, PGDialect, PGIdentifierPreparer
from sqlalchemy.dialects.postgresql.named_types import CreateEnumType
from sqlalchemy.schema import AddConstraint, DropColumnComment, SetColumnComment
from sqlalchemy.schema import CreateIndex as SaCreateIndex
from sqlalchemy.schema import CreateTable as SaCreateTable

from modelsync.errors import UnsupportedConstruct
from modelsync.migrate.sqltext import literal, quoted_identifier
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


class _Preparer(PGIdentifierPreparer):
    """SQLAlchemy's quoting rules (when a name needs quotes), with the quotes made by
    ``sqltext``: a name that holds a line break or a bidi control is written escaped."""

    def quote_identifier(self, value: str) -> str:
        return quoted_identifier(value)


class _Compiler(PGCompiler):
    """String literals (comments, enum labels) made by ``sqltext`` as well."""

    def render_literal_value(self, value, type_):
        if isinstance(value, str):
            return literal(value)
        return super().render_literal_value(value, type_)


class _Dialect(PGDialect):
    # The DDL goes into a file that psql runs, not through a driver: no paramstyle whose
    # escaping doubles every "%" of a name, a comment or a CHECK (``a%b`` -> ``a%%b``).
    preparer = _Preparer
    statement_compiler = _Compiler


DIALECT = _Dialect(paramstyle="named")
# What SQLAlchemy raises when it cannot compile an object (the renderer locates it).
CompileError = sa.exc.SQLAlchemyError
_PREPARER = DIALECT.identifier_preparer


class _PgvectorType(sa.types.UserDefinedType):
    """``VECTOR(768)``, ``HALFVEC(n)``, ``SPARSEVEC(n)``: the DDL of pgvector's SQLAlchemy
    types (their ``get_col_spec``), for compiling only; a migration never binds values."""

    cache_ok = True

    def __init__(self, name: str, dim: int | None = None):
        super().__init__()
        self.name = name
        self.dim = dim

    def get_col_spec(self, **kw: Any) -> str:
        return self.name if self.dim is None else f"{self.name}({self.dim:d})"


def _ints(args: str) -> list[int]:
    return [int(a) for a in args.split(",") if a.strip()]


# Compiled type name -> how to build the SQLAlchemy type from its parenthesised arguments.
_TYPE_FACTORIES: dict[str, Callable[[list[int]], Any]] = {
    "INTEGER": lambda a: sa.Integer(),
    "BIGINT": lambda a: sa.BigInteger(),
    "SMALLINT": lambda a: sa.SmallInteger(),
    "TEXT": lambda a: sa.Text(),
    "BOOLEAN": lambda a: sa.Boolean(),
    "DATE": lambda a: sa.Date(),
    "BYTEA": lambda a: pg.BYTEA(),
    "JSON": lambda a: pg.JSON(),
    "JSONB": lambda a: pg.JSONB(),
    "UUID": lambda a: pg.UUID(),
    "DOUBLE PRECISION": lambda a: pg.DOUBLE_PRECISION(),
    "REAL": lambda a: pg.REAL(),
    "VARCHAR": lambda a: sa.String(*a),
    "NVARCHAR": lambda a: sa.NVARCHAR(*a),
    "CHAR": lambda a: sa.CHAR(*a),
    "FLOAT": lambda a: sa.Float(*a),
    "NUMERIC": lambda a: sa.Numeric(*a),
    "DECIMAL": lambda a: sa.DECIMAL(*a),
    "VECTOR": lambda a: _PgvectorType("VECTOR", *a),
    "HALFVEC": lambda a: _PgvectorType("HALFVEC", *a),
    "SPARSEVEC": lambda a: _PgvectorType("SPARSEVEC", *a),
    # pgvector's BIT is PostgreSQL's own, compiled alike.
    "BIT": lambda a: pg.BIT(*a),
    "BIT VARYING": lambda a: pg.BIT(*a, varying=True),
    "MONEY": lambda a: pg.MONEY(),
    "OID": lambda a: pg.OID(),
    "REGCLASS": lambda a: pg.REGCLASS(),
    "REGCONFIG": lambda a: pg.REGCONFIG(),
    "TSVECTOR": lambda a: pg.TSVECTOR(),
    "TSQUERY": lambda a: pg.TSQUERY(),
    "HSTORE": lambda a: pg.HSTORE(),
    "CITEXT": lambda a: pg.CITEXT(),
    "INET": lambda a: pg.INET(),
    "CIDR": lambda a: pg.CIDR(),
    "MACADDR": lambda a: pg.MACADDR(),
    "MACADDR8": lambda a: pg.MACADDR8(),
    **{
        name: (lambda cls: lambda a: cls())(getattr(pg, name))
        for name in (
            "INT4RANGE INT8RANGE NUMRANGE DATERANGE TSRANGE TSTZRANGE INT4MULTIRANGE "
            "INT8MULTIRANGE NUMMULTIRANGE DATEMULTIRANGE TSMULTIRANGE TSTZMULTIRANGE"
        ).split()
    },
}
_PLAIN = re.compile(r"(?P<name>[A-Z][A-Z0-9]*(?: [A-Z]+)?)(?:\((?P<args>[0-9, ]*)\))?")
_TEMPORAL = re.compile(
    r"(?P<name>TIMESTAMP|TIME)(?:\((?P<p>\d+)\))? (?P<tz>WITH|WITHOUT) TIME ZONE"
)
_INTERVAL = re.compile(r"INTERVAL(?: (?P<fields>[A-Z ]+?))?(?: \((?P<p>\d+)\))?")
_ARRAY = re.compile(r"(?P<base>.*?)(?P<dims>(?:\[\])+)(?P<collate> COLLATE .*)?")
_COLLATE = re.compile(r'(?P<base>.*) COLLATE "(?P<name>[^"]+)"')


def sa_type(sql: str, enum: EnumType | None = None) -> Any:
    """The SQLAlchemy type whose postgresql compilation is ``sql`` (the IR's text). An
    enum column's type is its enum type, whatever quoting its text has."""
    built = _build_type(sql, enum)
    if enum is not None:
        return built
    try:
        compiled = DIALECT.type_compiler_instance.process(built) if built is not None else None
    except (TypeError, ValueError, AttributeError):  # arguments the type cannot compile
        compiled = None
    if compiled != sql:
        raise UnsupportedConstruct(f"the column type {sql} cannot be written as migration DDL yet")
    return built


def _build_type(sql: str, enum: EnumType | None) -> Any:
    if enum is not None:
        return pg.ENUM(*enum.labels, name=enum.name, create_type=False)
    if array := _ARRAY.fullmatch(sql):
        inner = _build_type(array.group("base") + (array.group("collate") or ""), None)
        dims = array.group("dims").count("[]")
        return None if inner is None else pg.ARRAY(inner, dimensions=dims if dims > 1 else None)
    if collated := _COLLATE.fullmatch(sql):
        base = _build_type(collated.group("base"), None)
        if isinstance(base, sa.String):
            return type(base)(base.length, collation=collated.group("name"))
        return None
    if temporal := _TEMPORAL.fullmatch(sql):
        cls = pg.TIMESTAMP if temporal.group("name") == "TIMESTAMP" else pg.TIME
        p = temporal.group("p")
        return cls(timezone=temporal.group("tz") == "WITH", precision=int(p) if p else None)
    if interval := _INTERVAL.fullmatch(sql):
        p = interval.group("p")
        return pg.INTERVAL(precision=int(p) if p else None, fields=interval.group("fields"))
    plain = _PLAIN.fullmatch(sql)
    factory = _TYPE_FACTORIES.get(plain.group("name")) if plain else None
    if factory is None:
        return None
    try:
        return factory(_ints(plain.group("args") or ""))
    except (TypeError, ValueError):  # ``VECTOR(1, 2)``: arguments no such type takes
        return None


def quote(name: str) -> str:
    """An identifier as the dialect quotes it (only when it must)."""
    return _PREPARER.quote(name)


def name_text(name: str) -> str:
    """The name as text for ``to_regclass``/``to_regtype``/``::regclass`` to read (they
    know double quotes, not ``U&``): double-quoted only when it must be. Written into SQL
    only as a ``literal``."""
    return '"' + name.replace('"', '""') + '"' if _PREPARER._requires_quotes(name) else name


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
        columns = [self._build_column(table, c) for c in table.columns]
        items: list[Any] = []
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

    def create_table(self, name: str, if_not_exists: bool) -> str:
        text = str(
            SaCreateTable(self._tables[name], if_not_exists=if_not_exists).compile(dialect=DIALECT)
        )
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

    def add_foreign_key(self, table: str, column: str, name: str) -> str:
        """``ALTER TABLE t ADD CONSTRAINT name FOREIGN KEY(c) REFERENCES ...`` from the
        column's key in this schema."""
        key = next(iter(self._tables[table].c[column].foreign_keys))
        target = key.column  # resolved in this schema's tables
        # Just the two columns, in a metadata of their own (one table when the key points
        # at its own table): enough for the compiler to write REFERENCES.
        wanted: dict[str, list[str]] = {table: [column]}
        if target.name not in wanted.setdefault(target.table.name, []):
            wanted[target.table.name].append(target.name)
        alone = sa.MetaData()
        tables = {n: sa.Table(n, alone, *(sa.Column(c) for c in cs)) for n, cs in wanted.items()}
        built = sa.ForeignKeyConstraint(
            [tables[table].c[column]],
            [tables[target.table.name].c[target.name]],
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
                self.ddl.schema.path,
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
