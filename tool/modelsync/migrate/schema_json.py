"""Schema IR records <-> JSON objects, for the schema state (``migrate.state``).

Generic over the IR records' fields: a field added to a record is stored and read back
without a change here (only nested records and renamed keys are listed). Values equal to a
field's default are left out; source line numbers are never stored. Reading checks each
value against the field's annotation, so a hand-edited file cannot put a number where code
expects a name.
"""

from __future__ import annotations

import functools
from typing import Any

from modelsync.records import MISSING, fields, replace
from modelsync.schema.ir import (
    CheckConstraint,
    Column,
    ColumnComputed,
    ColumnIdentity,
    EnumType,
    ForeignKeyConstraint,
    Index,
    IndexElement,
    Schema,
    Table,
    UniqueConstraint,
)

# Fields that hold nested records (one record or a tuple of them), per record type.
NESTED: dict[type, dict[str, type]] = {
    Table: {
        "columns": Column,
        "indexes": Index,
        "unique_constraints": UniqueConstraint,
        "check_constraints": CheckConstraint,
        "foreign_keys": ForeignKeyConstraint,
    },
    Column: {"identity": ColumnIdentity, "computed": ColumnComputed},
    Index: {"elements": IndexElement},
}
# JSON keys that differ from the field names (as ``modelsync schema --format json`` has them).
_KEY_OF = {"class_name": "class", "with_": "with"}
_FIELD_OF = {key: name for name, key in _KEY_OF.items()}
# Never stored: source positions change when code moves, and the schema does not.
_NOT_STORED = frozenset({"line", "path"})


def _record_to_json(record: Any) -> dict[str, Any]:
    nested = NESTED.get(type(record), {})
    out: dict[str, Any] = {}
    for f in fields(record):
        if f.name in _NOT_STORED:
            continue
        value = getattr(record, f.name)
        if _is_default(record, f, value):
            continue
        if f.name in nested:
            value = _nested_to_json(value)
        out[_KEY_OF.get(f.name, f.name)] = _plain(value)
    return out


def _is_default(record: Any, f: Any, value: Any) -> bool:
    if isinstance(record, Column) and f.name == "attribute":
        return value in ("", record.name)
    if isinstance(record, Index) and f.name == "elements":
        # Plain column keys are what ``Index`` derives from ``columns`` and ``ops``.
        return value == Index(record.name, record.columns, ops=record.ops).elements
    return f.default is not MISSING and value == f.default


def _nested_to_json(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_record_to_json(item) for item in value]
    return None if value is None else _record_to_json(value)


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_plain(item) for item in value]
    return value


@functools.cache
def _stored_fields(cls: type) -> frozenset[str]:
    return frozenset(f.name for f in fields(cls)) - _NOT_STORED


def _record_from_json(cls: type, obj: Any, where: str) -> Any:
    if not isinstance(obj, dict):
        raise ShapeError(f"{where}: expected an object")
    nested = NESTED.get(cls, {})
    known = _stored_fields(cls)
    kwargs: dict[str, Any] = {}
    for key, value in obj.items():
        name = _FIELD_OF.get(key, key)
        if name not in known:
            raise ShapeError(f"{where}: unknown key {key!r}")
        if name in nested:
            many = _annotations(cls)[name].startswith("tuple[")
            if not (isinstance(value, list) if many else value is None or isinstance(value, dict)):
                raise ShapeError(f"{where}.{key}: {'a list' if many else 'an object'} expected")
            value = _nested_from_json(nested[name], value, f"{where}.{key}")
        else:
            value = _frozen(value) if isinstance(value, list | dict) else value
            if not _valid(_annotations(cls)[name], value):
                raise ShapeError(f"{where}.{key}: {_annotations(cls)[name]} expected")
        kwargs[name] = value
    if cls is Column and "attribute" not in kwargs and isinstance(kwargs.get("name"), str):
        kwargs["attribute"] = kwargs["name"]
    try:
        return cls(**kwargs)
    except TypeError as exc:
        raise ShapeError(f"{where}: {exc}") from None


def _nested_from_json(cls: type, value: Any, where: str) -> Any:
    if isinstance(value, list):
        return tuple(_record_from_json(cls, item, f"{where}[{i}]") for i, item in enumerate(value))
    return None if value is None else _record_from_json(cls, value, where)


@functools.cache
def _annotations(cls: type) -> dict[str, str]:
    return {f.name: str(f.type) for f in fields(cls)}


def _pairs(second: type | tuple[type, ...]):
    def check(value: Any) -> bool:
        return isinstance(value, tuple) and all(
            isinstance(p, tuple)
            and len(p) == 2
            and isinstance(p[0], str)
            and isinstance(p[1], second)
            for p in value
        )

    return check


# What a stored scalar field may hold, by its annotation in the IR, so that a hand-edited
# state cannot put a number where code expects a name.
_CHECKS = {
    "str": lambda v: isinstance(v, str),
    "bool": lambda v: isinstance(v, bool),
    "str | None": lambda v: v is None or isinstance(v, str),
    "bool | None": lambda v: v is None or isinstance(v, bool),
    "tuple[str, ...]": lambda v: isinstance(v, tuple) and all(isinstance(x, str) for x in v),
    "tuple[tuple[str, str], ...]": _pairs(str),
    "tuple[tuple[str, int | bool], ...]": _pairs(int),
}


def _valid(annotation: str, value: Any) -> bool:
    # A field type the table does not know yet is taken as it is.
    check = _CHECKS.get(annotation)
    return check is None or check(value)


def _frozen(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_frozen(item) for item in value)
    if isinstance(value, dict):
        return _UNEXPECTED_OBJECT
    return value


# Where a stored field holds a JSON object that no field takes: fails every check.
_UNEXPECTED_OBJECT = object()


class ShapeError(Exception):
    """A well-formed JSON file that is not a schema state; becomes an InputError."""


def schema_to_json(schema: Schema) -> dict[str, Any]:
    """The schema as the state stores it: tables and enums sorted by name; warnings (about
    the source, not the database) and line numbers left out."""
    return {
        "source": schema.path,
        "enums": [_record_to_json(e) for e in sorted(schema.enums, key=lambda e: e.name)],
        "tables": [_record_to_json(t) for t in sorted(schema.tables, key=lambda t: t.name)],
    }


def schema_from_json(obj: Any) -> Schema:
    """The inverse of ``schema_to_json``. Raises ValueError on a malformed object."""
    try:
        return schema_from_json_at(obj, "schema")
    except ShapeError as exc:
        raise ValueError(str(exc)) from None


def schema_from_json_at(obj: Any, where: str) -> Schema:
    if not isinstance(obj, dict) or not isinstance(obj.get("source"), str):
        raise ShapeError(f"{where}: expected an object with a 'source' path")
    unknown = set(obj) - {"source", "tables", "enums"}
    if unknown:
        raise ShapeError(f"{where}: unknown key {sorted(unknown)[0]!r}")
    tables = obj.get("tables", [])
    enums = obj.get("enums", [])
    if not isinstance(tables, list) or not isinstance(enums, list):
        raise ShapeError(f"{where}: 'tables' and 'enums' must be lists")
    # In name order even if a person reordered the file: the state's one canonical form.
    return stored_schema(
        Schema(
            path=obj["source"],
            tables=_nested_from_json(Table, tables, f"{where}.tables"),
            enums=_nested_from_json(EnumType, enums, f"{where}.enums"),
        )
    )


def stored_schema(schema: Schema) -> Schema:
    """What the state keeps of a schema: ``read(write(s)) == stored_schema(s)``."""
    return replace(
        schema,
        tables=tuple(sorted(schema.tables, key=lambda t: t.name)),
        enums=tuple(sorted(schema.enums, key=lambda e: e.name)),
        warnings=(),
    )
