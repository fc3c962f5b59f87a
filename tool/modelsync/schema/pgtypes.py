"""SQLAlchemy/pgvector type expressions -> the type SQLAlchemy's postgresql dialect compiles.

The table mirrors the dialect's type compiler (``PGTypeCompiler``) and pgvector's
``get_col_spec``; the differential tests check it against the real compiler.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from modelsync.records import record
from modelsync.schema.ir import UNKNOWN_TYPE, EnumType
from modelsync.schema.values import Call, Ref, canonical_text, class_label


@record
class SqlType:
    sql: str
    enum: EnumType | None = None
    # Why the type is unknown; None when it was resolved.
    problem: str | None = None


def unknown(problem: str) -> SqlType:
    return SqlType(UNKNOWN_TYPE, problem=problem)


_FIXED_SPELLINGS: dict[str, tuple[str, ...]] = {
    "INTEGER": ("sa.Integer", "sa.INTEGER", "sa.INT", "pg.INTEGER"),
    "BIGINT": ("sa.BigInteger", "sa.BIGINT", "pg.BIGINT"),
    "SMALLINT": ("sa.SmallInteger", "sa.SMALLINT", "pg.SMALLINT"),
    "TEXT": ("sa.Text", "sa.TEXT", "sa.UnicodeText", "pg.TEXT"),
    "BOOLEAN": ("sa.Boolean", "sa.BOOLEAN", "pg.BOOLEAN"),
    "DATE": ("sa.Date", "sa.DATE", "pg.DATE"),
    "BYTEA": ("sa.LargeBinary", "pg.BYTEA"),
    "JSON": ("sa.JSON", "pg.JSON"),
    "JSONB": ("pg.JSONB",),
    "UUID": ("sa.Uuid", "sa.UUID", "pg.UUID"),
    "DOUBLE PRECISION": ("sa.Double", "sa.DOUBLE", "sa.DOUBLE_PRECISION", "pg.DOUBLE_PRECISION"),
    "REAL": ("sa.REAL", "pg.REAL"),
}
# PostgreSQL-only types that compile to their own upper-case name.
_PG_NAMED = (
    "INET CIDR MACADDR MACADDR8 MONEY OID REGCLASS REGCONFIG TSVECTOR TSQUERY CITEXT HSTORE "
    "JSONPATH INT4RANGE INT8RANGE NUMRANGE DATERANGE TSRANGE TSTZRANGE INT4MULTIRANGE "
    "INT8MULTIRANGE NUMMULTIRANGE DATEMULTIRANGE TSMULTIRANGE TSTZMULTIRANGE"
).split()
_FIXED: dict[str, str] = {
    name: sql for sql, names in _FIXED_SPELLINGS.items() for name in names
} | {f"pg.{name}": name for name in _PG_NAMED}


def _arg(call: Call, position: int, keyword: str, default: Any = None) -> Any:
    if call.has(keyword):
        return call.kwarg(keyword)
    return call.args[position] if len(call.args) > position else default


def _sized(name: str, keyword: str) -> Callable[[Call], str | None]:
    def compile_sized(call: Call) -> str | None:
        size = _arg(call, 0, keyword)
        if size is not None and not _is_int(size):
            return None
        return _collated(f"{name}({size})" if size is not None else name, call)

    return compile_sized


def _collated(sql: str | None, call: Call) -> str | None:
    """Strings with ``collation=`` compile to ``... COLLATE "name"``."""
    collation = call.kwarg("collation")
    if sql is None or collation is None:
        return sql
    return f'{sql} COLLATE "{collation}"' if isinstance(collation, str) else None


def _numeric(name: str) -> Callable[[Call], str | None]:
    def compile_numeric(call: Call) -> str | None:
        precision, scale = _arg(call, 0, "precision"), _arg(call, 1, "scale")
        if precision is None:
            return name
        if not _is_int(precision) or not (scale is None or _is_int(scale)):
            return None
        return f"{name}({precision})" if scale is None else f"{name}({precision}, {scale})"

    return compile_numeric


def _temporal(name: str, precision_position: int | None) -> Callable[[Call], str | None]:
    """All take ``timezone`` first; the pg variants take ``precision`` second. Both compile
    as ``NAME[(p)] WITH[OUT] TIME ZONE``."""

    def compile_temporal(call: Call) -> str | None:
        timezone = _arg(call, 0, "timezone", False)
        if precision_position is None:
            precision = call.kwarg("precision")
        else:
            precision = _arg(call, precision_position, "precision")
        if not isinstance(timezone, bool) or not (precision is None or _is_int(precision)):
            return None
        size = "" if precision is None else f"({precision})"
        return f"{name}{size} {'WITH' if timezone else 'WITHOUT'} TIME ZONE"

    return compile_temporal


def _interval(call: Call) -> str | None:
    if call.func == "sa.Interval":
        fields, precision = None, call.kwarg("second_precision")
    else:
        precision, fields = _arg(call, 0, "precision"), _arg(call, 1, "fields")
    text = "INTERVAL" + (f" {fields}" if isinstance(fields, str) else "")
    if precision is None:
        return text
    return f"{text} ({precision})" if _is_int(precision) else None


def _pg_bit(call: Call) -> str | None:
    length, varying = _arg(call, 0, "length"), _arg(call, 1, "varying", False)
    if varying:
        return "BIT VARYING" if length is None else f"BIT VARYING({length})"
    return f"BIT({length or 1})" if length is None or _is_int(length) else None


def _vector(name: str) -> Callable[[Call], str | None]:
    def compile_vector(call: Call) -> str | None:
        dim = _arg(call, 0, "dim")
        if dim is None:
            return name
        return f"{name}({dim})" if _is_int(dim) else None

    return compile_vector


_PARAMETRIZED: dict[str, Callable[[Call], str | None]] = {
    "sa.String": _sized("VARCHAR", "length"),
    "sa.VARCHAR": _sized("VARCHAR", "length"),
    "sa.Unicode": _sized("VARCHAR", "length"),
    "sa.NVARCHAR": _sized("NVARCHAR", "length"),
    "pg.VARCHAR": _sized("VARCHAR", "length"),
    "sqlmodel.AutoString": _sized("VARCHAR", "length"),
    "sa.CHAR": _sized("CHAR", "length"),
    "pg.CHAR": _sized("CHAR", "length"),
    "sa.Float": _sized("FLOAT", "precision"),
    "sa.FLOAT": _sized("FLOAT", "precision"),
    "pg.FLOAT": _sized("FLOAT", "precision"),
    "sa.Numeric": _numeric("NUMERIC"),
    "sa.NUMERIC": _numeric("NUMERIC"),
    "pg.NUMERIC": _numeric("NUMERIC"),
    "sa.DECIMAL": _numeric("DECIMAL"),
    "sa.DateTime": _temporal("TIMESTAMP", None),
    "sa.TIMESTAMP": _temporal("TIMESTAMP", None),
    "pg.TIMESTAMP": _temporal("TIMESTAMP", 1),
    "sa.Time": _temporal("TIME", None),
    "sa.TIME": _temporal("TIME", None),
    "pg.TIME": _temporal("TIME", 1),
    "sa.Interval": _interval,
    "pg.INTERVAL": _interval,
    "pg.BIT": _pg_bit,
    "pgvector.VECTOR": _vector("VECTOR"),
    "pgvector.Vector": _vector("VECTOR"),
    "pgvector.HALFVEC": _vector("HALFVEC"),
    "pgvector.SPARSEVEC": _vector("SPARSEVEC"),
    "pgvector.BIT": _vector("BIT"),
}

_ENUM_TYPES = frozenset({"sa.Enum", "pg.ENUM"})
_UUIDS = frozenset({"sa.Uuid", "sa.UUID", "pg.UUID"})
_ARRAY_TYPES = frozenset({"sa.ARRAY", "pg.ARRAY"})

EnumLookup = Callable[[str], EnumType | None]


def compile_type(value: Any, enums: EnumLookup) -> SqlType:
    """The compiled type of a type expression: a bare class (``Text``) or a call
    (``String(50)``). ``enums`` finds an Enum class of the file by name."""
    call = Call(value.name, (), ()) if isinstance(value, Ref) else value
    if not isinstance(call, Call):
        return unknown(f"cannot resolve the column type {_spell(value)!s} statically")
    if call.func in _FIXED:
        if call.func in _UUIDS and call.kwarg("native_uuid", True) is False:
            return SqlType("CHAR(32)")
        sql = _collated(_FIXED[call.func], call)
        return SqlType(sql) if sql else unknown(f"cannot resolve {_spell(value)} statically")
    if call.func in _PARAMETRIZED:
        sql = _PARAMETRIZED[call.func](call)
        if sql is None:
            return unknown(f"cannot resolve the arguments of {_spell(value)} statically")
        return SqlType(sql)
    if call.func in _ENUM_TYPES:
        return _enum_type(call, enums)
    if call.func in _ARRAY_TYPES:
        return _array_type(call, enums)
    return unknown(f"unknown column type {_spell(value)}")


def _array_type(call: Call, enums: EnumLookup) -> SqlType:
    item = _arg(call, 0, "item_type")
    dimensions = call.kwarg("dimensions", 1)
    inner = compile_type(item, enums)
    if inner.problem or not _is_int(dimensions or 1):
        return inner if inner.problem else unknown("cannot resolve ARRAY dimensions")
    # The brackets go before a COLLATE clause: VARCHAR(5)[] COLLATE "C".
    base, collate, collation = inner.sql.partition(" COLLATE ")
    return SqlType(base + "[]" * (dimensions or 1) + collate + collation, inner.enum)


def _enum_type(call: Call, enums: EnumLookup) -> SqlType:
    if call.kwarg("native_enum", True) is not True:
        return unknown("non-native Enum (native_enum=False) is not supported yet")
    if call.has("values_callable"):
        return unknown("Enum labels from values_callable cannot be resolved statically")
    if call.has("name") and not isinstance(call.kwarg("name"), str):
        return unknown(f"cannot resolve the name of {_spell(call)} statically")
    first = call.args[0] if call.args else None
    if isinstance(first, Ref) and first.name.startswith("local."):
        enum = enums(first.name.removeprefix("local."))
        if enum is None:
            return unknown(f"{class_label(first.name)} is not an Enum class")
        name = call.kwarg("name", enum.name)
        return enum_sql_type(
            EnumType(name, enum.labels, enum.class_name, enum.line, path=enum.path)
        )
    if call.args and all(isinstance(a, str) for a in call.args):
        name = call.kwarg("name")
        if not isinstance(name, str):
            return unknown("an Enum of string labels needs name=... for PostgreSQL")
        return enum_sql_type(EnumType(name, tuple(call.args), "", call.line))
    return unknown(f"cannot resolve the labels of {_spell(call)} statically")


# PostgreSQL's reserved words, which the dialect quotes (its RESERVED_WORDS; a test keeps
# the two lists equal).
RESERVED_WORDS = frozenset(
    "all analyse analyze and any array as asc asymmetric authorization between binary both "
    "case cast check collate column constraint create cross current_catalog current_date "
    "current_role current_schema current_time current_timestamp current_user default "
    "deferrable desc distinct do else end except false fetch for foreign freeze from full "
    "grant group having ilike in initially inner intersect into is isnull join leading left "
    "like limit localtime localtimestamp natural new not notnull null of off offset old on "
    "only or order outer over overlaps placing primary references returning right select "
    "session_user similar some symmetric table then to trailing true union unique user using "
    "variadic verbose when where window with".split()
)


def enum_sql_type(enum: EnumType) -> SqlType:
    # The dialect quotes a type name only when it must: not a lower-case identifier, or a
    # reserved word.
    plain = enum.name.isidentifier() and enum.name.islower() and enum.name not in RESERVED_WORDS
    return SqlType(enum.name if plain else f'"{enum.name}"', enum)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _spell(value: Any) -> str:
    return canonical_text(value)
