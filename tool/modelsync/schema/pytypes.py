"""Python annotations -> SQL types, by SQLModel's ``get_sqlalchemy_type`` rules.

The order of the checks is SQLModel's: Enum before str (a ``str, Enum`` is an enum), bool
before int, datetime before date.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from modelsync.errors import ModelError
from modelsync.records import record
from modelsync.schema.ir import EnumType
from modelsync.schema.pgtypes import SqlType, enum_sql_type, unknown
from modelsync.schema.release import SqlmodelRules
from modelsync.schema.values import Call, Ref, Subscript, Unknown, canonical_text, class_label

_STRINGISH = frozenset(
    {
        "builtins.str",
        "pydantic.EmailStr",
        "ipaddress.IPv4Address",
        "ipaddress.IPv4Network",
        "ipaddress.IPv6Address",
        "ipaddress.IPv6Network",
        "pathlib.Path",
    }
)
_DATETIMES = frozenset({"datetime.datetime", "pydantic.AwareDatetime", "pydantic.NaiveDatetime"})
_SIMPLE = {
    "builtins.float": "FLOAT",
    "builtins.bool": "BOOLEAN",
    "builtins.int": "INTEGER",
    "datetime.date": "DATE",
    "datetime.timedelta": "INTERVAL",
    "datetime.time": "TIME WITHOUT TIME ZONE",
    "builtins.bytes": "BYTEA",
    "uuid.UUID": "UUID",
}
FIELD_FUNCTIONS = frozenset({"sqlmodel.Field", "pydantic.Field"})
_OPTIONAL = "typing.Optional"
_UNION = "typing.Union"
_ANNOTATED = "typing.Annotated"


@record
class Unwrapped:
    """An annotation with ``Optional``/``Union[.., None]``/``Annotated`` peeled off."""

    inner: Any
    noneable: bool
    # Metadata of a top-level ``Annotated``: Pydantic applies it to the field. Inside a
    # union it is not field-level (no ``max_length``, no ``Field(index=True)``).
    field_metadata: tuple[Any, ...]
    # Metadata at any depth: SQLModel still reads timezone markers through unions.
    markers: tuple[Any, ...]


# typing's own arity rules: a class body that breaks one fails when Python (or, with
# postponed annotations, SQLModel) evaluates it, so the models never import.
_SINGLE_TYPE = {
    _OPTIONAL: "typing.Optional requires a single type",
    "typing.ClassVar": "typing.ClassVar accepts only a single type",
}


def refuse_invalid_forms(annotation: Any, path: str, line: int) -> None:
    """Raise typing's error for ``Optional[()]``, ``Optional[int, str]``,
    ``Annotated[int]``, ``Union[()]`` anywhere in ``annotation``."""
    pending = [annotation]
    while pending:
        node = pending.pop()
        if not isinstance(node, Subscript):
            continue
        base = node.base.name if isinstance(node.base, Ref) else None
        message = None
        if base in _SINGLE_TYPE and (len(node.items) != 1 or node.tuple_slice):
            message = f"{_SINGLE_TYPE[base]}, got {len(node.items)} in brackets"
        elif base == _ANNOTATED and len(node.items) < 2:
            message = (
                "Annotated[...] should be used with at least two arguments "
                "(a type and an annotation)"
            )
        elif base == _UNION and not node.items:
            message = "Cannot take a Union of no types"
        if message is not None:
            raise ModelError(message, path, node.line or line)
        pending.extend(node.items[:1] if base == _ANNOTATED else node.items)


def unwrap(annotation: Any, path: str, line: int, top: bool = True) -> Unwrapped:
    if isinstance(annotation, Subscript) and isinstance(annotation.base, Ref):
        base = annotation.base.name
        if base == _ANNOTATED:
            first, *metadata = annotation.items
            inner = unwrap(first, path, line, top)
            field_metadata = (*inner.field_metadata, *metadata) if top else ()
            markers = (*inner.markers, *metadata)
            return Unwrapped(inner.inner, inner.noneable, field_metadata, markers)
        if base == _OPTIONAL:
            inner = unwrap(annotation.items[0], path, line, top=False)
            return Unwrapped(inner.inner, True, (), inner.markers)
        if base == _UNION:
            members = [m for m in annotation.items if not _is_none(m)]
            if len(members) != 1 or len(annotation.items) > 2:
                raise ModelError(
                    "Cannot have a (non-optional) union as a SQLAlchemy field", path, line
                )
            inner = unwrap(members[0], path, line, top=False)
            noneable = inner.noneable or len(members) < len(annotation.items)
            return Unwrapped(inner.inner, noneable, (), inner.markers)
    return Unwrapped(annotation, False, (), ())


def _is_none(value: Any) -> bool:
    return value is None or (isinstance(value, Ref) and value.name == "builtins.None")


@record
class LengthHints:
    """``max_length``/``max_digits``/``decimal_places`` from ``Field(...)`` or metadata."""

    max_length: Any = None
    max_digits: Any = None
    decimal_places: Any = None


EnumLookup = Callable[[str], EnumType | None]
BuiltinBaseLookup = Callable[[str], str | None]


def annotation_type(
    unwrapped: Unwrapped,
    hints: LengthHints,
    rules: SqlmodelRules,
    enums: EnumLookup,
    builtin_base: BuiltinBaseLookup,
    path: str,
    line: int,
) -> SqlType:
    inner = unwrapped.inner
    if isinstance(inner, Call) and inner.func in _CONSTRAINED:
        inner, hints = _constrained(inner, hints)
    if isinstance(inner, Unknown):
        return unknown(f"cannot resolve the annotation {inner.source!r} statically")
    if isinstance(inner, Subscript):
        origin = inner.base.name if isinstance(inner.base, Ref) else canonical_text(inner.base)
        raise ModelError(f"{_short(origin)} has no matching SQLAlchemy type", path, line)
    if not isinstance(inner, Ref):
        raise ModelError(f"{canonical_text(inner)} is not a type", path, line)
    name = inner.name
    if name.startswith("local."):
        local = name.removeprefix("local.")
        enum = enums(local)
        if enum is not None:
            return enum_sql_type(enum)
        base = builtin_base(local)
        if base is None:
            raise ModelError(f"{class_label(name)} has no matching SQLAlchemy type", path, line)
        name = base
    if name in _STRINGISH:
        length = hints.max_length if rules.honours_max_length else None
        if length is not None and not _is_int(length):
            return unknown(f"cannot resolve max_length={canonical_text(length)} statically")
        return SqlType(f"VARCHAR({length})" if length else "VARCHAR")
    if name in _DATETIMES:
        return SqlType(_datetime_sql(name, unwrapped.markers, rules))
    if name in _SIMPLE:
        return SqlType(_SIMPLE[name])
    if name == "decimal.Decimal":
        digits = (hints.max_digits, hints.decimal_places)
        if any(d is not None and not _is_int(d) for d in digits):
            shown = ", ".join(canonical_text(d) for d in digits)
            return unknown(f"cannot resolve max_digits/decimal_places ({shown}) statically")
        return SqlType(_numeric_sql(hints))
    if name.startswith(("builtins.", "typing.", "datetime.", "decimal.", "uuid.")):
        raise ModelError(f"{_short(name)} has no matching SQLAlchemy type", path, line)
    return unknown(f"cannot resolve the type {_short(name)} statically (defined elsewhere)")


# pydantic's constrained-type functions return an Annotated base type.
_CONSTRAINED = {
    "pydantic.constr": "builtins.str",
    "pydantic.conint": "builtins.int",
    "pydantic.confloat": "builtins.float",
    "pydantic.conbytes": "builtins.bytes",
    "pydantic.condate": "datetime.date",
    "pydantic.condecimal": "decimal.Decimal",
}


def _constrained(call: Call, hints: LengthHints) -> tuple[Ref, LengthHints]:
    """``condecimal(max_digits=8, decimal_places=2)`` sets NUMERIC(8, 2); ``constr``'s
    ``max_length`` is a StringConstraints, which SQLModel does not read."""
    if call.func == "pydantic.condecimal":
        hints = LengthHints(
            hints.max_length,
            hints.max_digits if hints.max_digits is not None else call.kwarg("max_digits"),
            hints.decimal_places
            if hints.decimal_places is not None
            else call.kwarg("decimal_places"),
        )
    return Ref(_CONSTRAINED[call.func], call.line), hints


def _datetime_sql(name: str, metadata: tuple[Any, ...], rules: SqlmodelRules) -> str:
    # Like Pydantic, the last timezone marker in Annotated metadata wins.
    for meta in metadata:
        if isinstance(meta, Ref) and meta.name in _DATETIMES - {"datetime.datetime"}:
            name = meta.name
    # Before 0.0.45 every datetime was a naive TIMESTAMP.
    aware = rules.plain_datetime_is_aware and name != "pydantic.NaiveDatetime"
    return f"TIMESTAMP {'WITH' if aware else 'WITHOUT'} TIME ZONE"


def _numeric_sql(hints: LengthHints) -> str:
    precision, scale = hints.max_digits, hints.decimal_places
    if precision is None:
        return "NUMERIC"
    return f"NUMERIC({precision})" if scale is None else f"NUMERIC({precision}, {scale})"


def length_hints(field_call: Call | None, metadata: tuple[Any, ...]) -> LengthHints:
    """Collect the constraints SQLModel reads from a field's metadata.

    SQLModel looks only at ``MaxLen`` and Pydantic's own metadata, which ``Field(...)``
    produces; ``StringConstraints(max_length=...)`` is neither, so it sets no length.
    """
    found: dict[str, Any] = {}
    sources = [m for m in metadata if isinstance(m, Call)]
    if field_call is not None:
        sources.append(field_call)
    for call in sources:
        if call.func == "annotated_types.MaxLen" and call.args:
            found["max_length"] = call.args[0]
        if call.func not in FIELD_FUNCTIONS:
            continue
        for key in ("max_length", "max_digits", "decimal_places"):
            if call.has(key) and call.kwarg(key) is not None:
                found[key] = call.kwarg(key)
    return LengthHints(**found)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _short(name: str) -> str:
    return class_label(name).removeprefix("builtins.")
