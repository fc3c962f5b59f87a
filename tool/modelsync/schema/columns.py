"""One field of a table class -> one Column, by SQLModel's ``get_column_from_field``.

Precedence is SQLModel's: ``sa_column`` wins outright; otherwise ``sa_type`` or the
annotation gives the type, ``Field(...)`` the keys and nullability, and
``sa_column_args``/``sa_column_kwargs`` are merged last.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from modelsync.errors import ModelError
from modelsync.records import record, replace
from modelsync.schema.ir import UNKNOWN_TYPE, Column, ColumnComputed, ColumnIdentity, EnumType
from modelsync.schema.parse import FieldDecl
from modelsync.schema.pgtypes import SqlType, compile_type
from modelsync.schema.pytypes import Unwrapped, annotation_type, length_hints, unwrap
from modelsync.schema.release import SqlmodelRules
from modelsync.schema.values import (
    Call,
    DictValue,
    Ref,
    Subscript,
    Unknown,
    canonical_text,
    is_call,
)

# Placeholder type of a typeless ``Column(ForeignKey(...))`` until the tables are known.
TYPE_FROM_FOREIGN_KEY = "<type of the referenced column>"
_NOT_COLUMNS = frozenset({"sqlmodel.Relationship", "sa.relationship"})
_ANSI_FUNCTIONS = frozenset(
    "current_date current_time current_timestamp current_user localtime localtimestamp "
    "session_user user".split()
)


@record
class TableContext:
    """What a field needs to know about its file and the SQLModel release."""

    path: str
    rules: SqlmodelRules
    enums: Callable[[str], EnumType | None]
    builtin_base: Callable[[str], str | None]
    warn: Callable[[int, str], None]


@record
class ColumnDraft:
    """A column plus what SQLAlchemy still needs while assembling the table."""

    column: Column
    # SQLAlchemy leaves a user-given nullability alone when a PrimaryKeyConstraint
    # later adds the column to the key; an unspecified one becomes NOT NULL.
    nullable_given: bool
    # The enum type the column uses, so the schema can list it with its labels.
    enum_type: EnumType | None = None
    # Column(autoincrement=...): "auto", True, False or "ignore_fk".
    autoincrement: Any = "auto"
    # Whether the SQLAlchemy Column gets a Python-side default (which rules out SERIAL).
    has_column_default: bool = False


def is_column_field(field: FieldDecl) -> bool:
    if field.name.startswith("_"):
        return False
    annotation = field.annotation
    if isinstance(annotation, Subscript):
        annotation = annotation.base
    if isinstance(annotation, Ref) and annotation.name in ("typing.ClassVar", "sa.Mapped"):
        return False
    return not is_call(field.value, *_NOT_COLUMNS)


def build_column(field: FieldDecl, ctx: TableContext) -> ColumnDraft:
    field_call = _field_call(field, ctx)
    default = _python_default(field, field_call)
    unwrapped = None
    if field_call is None:
        # ``x: Annotated[str, Field(index=True)]``: SQLModel reads its column settings
        # from the Field in the annotation when none is assigned.
        unwrapped = unwrap(field.annotation, ctx.path, field.line)
        metadata = unwrapped.field_metadata
        field_call = next((m for m in metadata if is_call(m, "sqlmodel.Field")), None)
    if field_call is not None and field_call.has("sa_column"):
        # sa_column wins outright: SQLModel never looks at the annotation's type.
        _refuse_sa_column_with_settings(field_call, ctx, field.line)
        return _from_sa_column(field, field_call.kwarg("sa_column"), default, ctx)
    unwrapped = unwrapped or unwrap(field.annotation, ctx.path, field.line)
    call = field_call or Call("sqlmodel.Field", (), ())
    return _from_field(field, unwrapped, call, default, ctx)


# Pydantic's own Field carries no column settings; these are the keywords SQLModel still
# reads from it (the default, and the metadata that sets lengths).
_PYDANTIC_FIELD_KEYWORDS = frozenset(
    {"default", "default_factory", "max_length", "max_digits", "decimal_places"}
)


def _field_call(field: FieldDecl, ctx: TableContext) -> Call | None:
    value = field.value
    if is_call(value, "sqlmodel.Field"):
        return value
    if is_call(value, "pydantic.Field"):
        kept = tuple((k, v) for k, v in value.kwargs if k in _PYDANTIC_FIELD_KEYWORDS)
        return Call("sqlmodel.Field", value.args[:1], kept, value.line)
    if isinstance(value, Unknown) or (isinstance(value, Call) and value.func.startswith("local.")):
        # A Field(**options) or a helper that may return one: its settings are unknown.
        ctx.warn(
            field.line,
            f"cannot resolve the value of {field.name} statically; "
            "if it is a Field(...), its column settings are not known",
        )
    return None


# SQLModel's FieldInfo refuses these next to sa_column, in this order.
_NOT_WITH_SA_COLUMN = (
    "sa_column_args", "sa_column_kwargs", "primary_key", "nullable", "foreign_key",
    "ondelete", "unique", "index", "sa_type",
)  # fmt: skip


def _refuse_sa_column_with_settings(call: Call, ctx: TableContext, line: int) -> None:
    for key in _NOT_WITH_SA_COLUMN:
        if call.has(key):
            raise ModelError(
                f"Passing {key} is not supported when also passing a sa_column", ctx.path, line
            )


def _from_field(
    field: FieldDecl, unwrapped: Unwrapped, call: Call, default: str | None, ctx: TableContext
) -> ColumnDraft:
    line = field.line
    if call.has("sa_type"):
        sql_type = compile_type(call.kwarg("sa_type"), ctx.enums)
    else:
        hints = length_hints(call, unwrapped.field_metadata)
        sql_type = annotation_type(
            unwrapped, hints, ctx.rules, ctx.enums, ctx.builtin_base, ctx.path, line
        )
    primary_key = _flag(call, "primary_key", False, ctx, line)
    nullable_given = call.has("nullable")
    noneable = _flag(call, "nullable", unwrapped.noneable, ctx, line)
    nullable = noneable if nullable_given else (not primary_key and noneable)
    foreign_key = call.kwarg("foreign_key")
    ondelete = call.kwarg("ondelete")
    if foreign_key is not None and not isinstance(foreign_key, str):
        ctx.warn(line, f"cannot resolve foreign_key={canonical_text(foreign_key)} statically")
        foreign_key = None
    if ondelete == "SET NULL" and foreign_key and not nullable:
        raise ModelError('ondelete="SET NULL" requires nullable=True', ctx.path, line)
    column = Column(
        name=field.name,
        type=_type_text(sql_type, ctx, line),
        nullable=nullable,
        primary_key=primary_key,
        unique=_flag(call, "unique", False, ctx, line),
        index=_flag(call, "index", False, ctx, line),
        foreign_key=foreign_key,
        ondelete=ondelete if foreign_key else None,
        default=default,
        enum=sql_type.enum.name if sql_type.enum else None,
        attribute=field.name,
        line=line,
        path=field.path,
    )
    column_args = call.kwarg("sa_column_args", ()) or ()
    if not isinstance(column_args, tuple):
        ctx.warn(line, f"cannot resolve sa_column_args={canonical_text(column_args)} statically")
        column_args = ()
    for arg in column_args:
        column = _apply_column_arg(column, arg, ctx, line)
    extra = call.kwarg("sa_column_kwargs")
    if extra is not None:
        if not isinstance(extra, DictValue):
            ctx.warn(line, "cannot resolve sa_column_kwargs statically")
        else:
            nullable_given = nullable_given or extra.get("nullable") is not None
            column = _apply_column_kwargs(column, extra.items, ctx, line)
    flag = extra.get("autoincrement", "auto") if isinstance(extra, DictValue) else "auto"
    return ColumnDraft(column, nullable_given, sql_type.enum, flag, default is not None)


def _from_sa_column(
    field: FieldDecl, sa_column: Any, default: str | None, ctx: TableContext
) -> ColumnDraft:
    line = field.line
    if not is_call(sa_column, "sa.Column"):
        ctx.warn(line, f"cannot resolve sa_column={canonical_text(sa_column)} statically")
        column = Column(
            field.name, UNKNOWN_TYPE, True, attribute=field.name, line=line, path=field.path
        )
        return ColumnDraft(column, True)
    args = list(sa_column.args)
    name = args.pop(0) if args and isinstance(args[0], str) else field.name
    type_value = sa_column.kwarg("type_")
    if type_value is None and args and not _is_schema_item(args[0]):
        type_value = args.pop(0)
    primary_key = _flag(sa_column, "primary_key", False, ctx, line)
    nullable_given = sa_column.has("nullable")
    column = Column(
        name=name,
        type=UNKNOWN_TYPE,
        nullable=_flag(sa_column, "nullable", not primary_key, ctx, line),
        primary_key=primary_key,
        attribute=field.name,
        line=line,
        default=default,
        path=field.path,
    )
    for arg in args:
        column = _apply_column_arg(column, arg, ctx, line)
    kwargs = [(k, v) for k, v in sa_column.kwargs if k not in ("type_", "primary_key", "nullable")]
    column = _apply_column_kwargs(column, tuple(kwargs), ctx, line)
    flag = sa_column.kwarg("autoincrement", "auto")
    has_default = sa_column.kwarg("default") is not None
    if column.identity is not None:
        _check_identity(column, flag, ctx, line)
        if not nullable_given:
            # Identity() makes a column NOT NULL unless nullable= was given.
            column = replace(column, nullable=False)
    if type_value is None:
        # SQLAlchemy copies the referenced column's type when the DDL is compiled.
        column = replace(column, type=TYPE_FROM_FOREIGN_KEY)
        return ColumnDraft(column, nullable_given, None, flag, has_default)
    sql_type = compile_type(type_value, ctx.enums)
    column = replace(
        column,
        type=_type_text(sql_type, ctx, line),
        enum=sql_type.enum.name if sql_type.enum else None,
    )
    return ColumnDraft(column, nullable_given, sql_type.enum, flag, has_default)


def _check_identity(column: Column, autoincrement: Any, ctx: TableContext, line: int) -> None:
    """SQLAlchemy's own refusals of an Identity() column."""
    if column.server_default is not None:
        raise ModelError(
            "A column with an Identity object cannot specify a server_default or a "
            "server_onupdate argument",
            ctx.path,
            line,
        )
    if autoincrement is False:
        raise ModelError(
            "A column with an Identity object cannot specify autoincrement=False", ctx.path, line
        )


def _is_schema_item(value: Any) -> bool:
    return is_call(value, "sa.ForeignKey", "sa.Sequence", "sa.Identity", "sa.Computed")


def _apply_column_arg(column: Column, arg: Any, ctx: TableContext, line: int) -> Column:
    if is_call(arg, "sa.ForeignKey"):
        target = arg.args[0] if arg.args else arg.kwarg("column")
        if not isinstance(target, str):
            ctx.warn(line, f"cannot resolve {canonical_text(arg)} statically")
            return column
        return replace(column, foreign_key=target, ondelete=arg.kwarg("ondelete"))
    if is_call(arg, "sa.Identity"):
        identity = _identity(arg)
        if identity is None:
            ctx.warn(line, f"cannot resolve {canonical_text(arg)} statically")
            return column
        return replace(column, identity=identity)
    if is_call(arg, "sa.Computed"):
        computed = _computed(arg)
        if computed is None:
            ctx.warn(line, f"cannot resolve {canonical_text(arg)} statically")
            return column
        return replace(column, computed=computed)
    ctx.warn(line, f"{canonical_text(arg)} is not compared by modelsync")
    return column


# The options an Identity() takes besides ``always`` (``on_null`` is Oracle's only).
_IDENTITY_OPTIONS = frozenset(
    "start increment minvalue maxvalue nominvalue nomaxvalue cycle cache order".split()
)


def _identity(call: Call) -> ColumnIdentity | None:
    always = call.kwarg("always", False)
    options = [(k, v) for k, v in call.kwargs if k != "always" and v is not None]
    literal = all(k in _IDENTITY_OPTIONS and isinstance(v, int) for k, v in options)
    if call.args or not isinstance(always, bool) or not literal:
        return None
    return ColumnIdentity(always, tuple(sorted(options)))


def _computed(call: Call) -> ColumnComputed | None:
    sqltext = call.args[0] if call.args else call.kwarg("sqltext")
    if is_call(sqltext, "sa.text") and sqltext.args:
        sqltext = sqltext.args[0]
    persisted = call.kwarg("persisted")
    if not isinstance(sqltext, str) or not (persisted is None or isinstance(persisted, bool)):
        return None
    return ColumnComputed(sqltext, persisted)


_KWARG_FLAGS = ("primary_key", "nullable", "unique", "index")
_SQL_CONSTANTS = {"sa.true": "true", "sa.false": "false", "sa.null": "NULL"}


def _apply_column_kwargs(
    column: Column, kwargs: tuple[tuple[Any, Any], ...], ctx: TableContext, line: int
) -> Column:
    changes: dict[str, Any] = {}
    for key, value in kwargs:
        if key in _KWARG_FLAGS:
            if isinstance(value, bool):
                changes[key] = value
            elif value is not None:
                ctx.warn(line, f"cannot resolve {key}={canonical_text(value)} statically")
        elif key == "name" and isinstance(value, str):
            changes["name"] = value
        elif key == "server_default":
            changes["server_default"] = _server_default(value, ctx, line)
        elif key == "default" and column.default is None and value is not None:
            changes["default"] = canonical_text(value)
        elif key == "comment":
            if value is None or isinstance(value, str):
                changes["comment"] = value
            else:
                ctx.warn(line, f"cannot resolve comment={canonical_text(value)} statically")
    return replace(column, **changes)


def _server_default(value: Any, ctx: TableContext, line: int) -> str | None:
    """The SQL text SQLAlchemy emits after DEFAULT for a server_default."""
    if value is None:
        return None
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    if (
        is_call(value, "sa.text", "sa.literal_column")
        and value.args
        and isinstance(value.args[0], str)
    ):
        return value.args[0]
    if isinstance(value, Call) and value.func in _SQL_CONSTANTS:
        return _SQL_CONSTANTS[value.func]
    if isinstance(value, Call) and value.func.startswith("sa.func."):
        sql = _function_sql(value)
        if sql is not None:
            return sql
    ctx.warn(line, f"cannot resolve server_default={canonical_text(value)} statically")
    return UNKNOWN_TYPE


def _function_sql(call: Call) -> str | None:
    name = call.func.removeprefix("sa.func.")
    if name.lower() in _ANSI_FUNCTIONS and not call.args:
        return name.upper()
    args = []
    for arg in call.args:
        if isinstance(arg, bool) or not isinstance(arg, int | float | str):
            return None
        args.append("'" + arg.replace("'", "''") + "'" if isinstance(arg, str) else repr(arg))
    return f"{name}({', '.join(args)})"


def _python_default(field: FieldDecl, field_call: Call | None) -> str | None:
    """Canonical text of the Python-side default; a default of None counts as none,
    since both insert NULL."""
    if field_call is None:
        value = field.value if field.has_value else None
    elif field_call.has("default_factory") and field_call.kwarg("default_factory") is not None:
        return "factory " + canonical_text(field_call.kwarg("default_factory"))
    elif field_call.args:
        value = field_call.args[0]
    else:
        value = field_call.kwarg("default")
    if value is None or value is Ellipsis:
        return None
    return canonical_text(value)


def _flag(call: Call, key: str, default: bool, ctx: TableContext, line: int) -> bool:
    value = call.kwarg(key, default)
    if isinstance(value, bool):
        return value
    if value is None:
        return default
    ctx.warn(line, f"cannot resolve {key}={canonical_text(value)} statically; assumed {default}")
    return default


def _type_text(sql_type: SqlType, ctx: TableContext, line: int) -> str:
    if sql_type.problem:
        ctx.warn(line, sql_type.problem)
    return sql_type.sql
