"""The SQLAlchemy side of migration DDL: the PostgreSQL dialect it compiles with, and the
IR's type text read back into SQLAlchemy types.

The IR keeps each column's type as the text the postgresql dialect compiles
(``VARCHAR(50)``, ``NUMERIC(5, 2)``, ``VECTOR(768)``); ``sa_type`` reads that text back
through one table (``_TYPE_FACTORIES``) and refuses a type that does not compile back to
exactly it: modelsync never writes a type string of its own. The dialect quotes names and
string literals with ``sqltext`` and doubles no ``%`` (the text goes to a file, not through
a driver). pgvector is not needed: its column types are written by ``_PgvectorType``, which
compiles exactly as pgvector's own SQLAlchemy types do, so a plain install writes migrations.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg
from sqlalchemy.dialects.postgresql.base import PGCompiler, PGDialect, PGIdentifierPreparer

from modelsync.errors import UnsupportedConstruct
from modelsync.migrate.sqltext import literal, quoted_identifier
from modelsync.schema.ir import EnumType


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
