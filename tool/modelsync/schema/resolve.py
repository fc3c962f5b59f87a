"""ModelFile -> Schema: which classes are tables, and what SQLModel makes of them."""

from __future__ import annotations

from typing import Any

from modelsync.errors import ModelError, UnsupportedConstruct
from modelsync.records import replace
from modelsync.schema.classes import ClassIndex, FileSpace
from modelsync.schema.columns import (
    TYPE_FROM_FOREIGN_KEY,
    ColumnDraft,
    TableContext,
    build_column,
    is_column_field,
)
from modelsync.schema.ir import UNKNOWN_TYPE, Column, Diagnostic, EnumType, Index, Schema, Table
from modelsync.schema.parse import ClassDecl, FieldDecl, MethodValue, ModelFile
from modelsync.schema.pytypes import refuse_invalid_forms
from modelsync.schema.release import SqlmodelRules
from modelsync.schema.table_args import TableArgs, index_name, read_table_args
from modelsync.schema.values import Ref, is_call

_SQLMODEL = "sqlmodel.SQLModel"
_NUMERIC_TYPES = ("INTEGER", "BIGINT", "SMALLINT", "NUMERIC", "DECIMAL", "FLOAT", "REAL", "DOUBLE")


def _autoincrement_column(drafts: list[ColumnDraft]) -> ColumnDraft | None:
    """SQLAlchemy's ``PrimaryKeyConstraint._autoincrement_column``: the key column that
    PostgreSQL gets as SERIAL."""
    key = [d for d in drafts if d.column.primary_key]
    if len(key) != 1:
        explicit = [d for d in key if d.autoincrement is True]
        return explicit[0] if len(explicit) == 1 else None
    draft = key[0]
    column = draft.column
    if draft.autoincrement is True:
        return draft
    if draft.autoincrement not in ("auto", "ignore_fk"):
        return None
    numeric = column.type.startswith(_NUMERIC_TYPES)
    foreign = column.foreign_key is not None and draft.autoincrement != "ignore_fk"
    # A Computed() column has a server default in SQLAlchemy (an Identity() does not count).
    plain = not draft.has_column_default and column.server_default is None and not column.computed
    return draft if numeric and plain and not foreign else None


def resolve(model_file: ModelFile, rules: SqlmodelRules) -> Schema:
    """The schema of one models file read on its own."""
    notes = tuple((model_file.path, line, note) for line, note in model_file.notes)
    return resolve_classes(FileSpace(model_file), model_file.classes, notes, rules, model_file.path)


def resolve_classes(
    space: Any,
    classes: tuple[ClassDecl, ...],
    notes: tuple[tuple[str, int, str], ...],
    rules: SqlmodelRules,
    schema_path: str,
) -> Schema:
    """The tables the ``classes`` define (in order), their other classes found through
    ``space``; ``notes`` are (path, line, message) warnings gathered on the way."""
    index = ClassIndex(space).warm(classes)
    warnings: list[Diagnostic] = [Diagnostic(path, line, note) for path, line, note in notes]
    contexts = _Contexts(rules, index, warnings, schema_path)
    tables: list[Table] = []
    enums: dict[str, EnumType] = {}
    seen: dict[str, ClassDecl] = {}
    for decl in classes:
        if not _is_table_class(decl, index):
            continue
        table, table_enums = _build_table(decl, index, contexts)
        for enum in table_enums:
            first_enum = enums.setdefault(enum.name, enum)
            if first_enum.labels != enum.labels:
                # create_all makes the type once, with the first labels: the other column
                # then refuses its own values.
                where = f"{first_enum.path}:{first_enum.line}" if first_enum.path else "before"
                contexts.at(enum.path).warn(
                    enum.line,
                    f"enum type {enum.name} is also made ({where}) with other labels "
                    f"[{', '.join(first_enum.labels)}]; PostgreSQL has one type of that name: "
                    "name one of them (Enum(..., name=...))",
                )
        if table.name in seen:
            first = seen[table.name]
            same_file = first.path == decl.path
            where = f"line {first.line}" if same_file else f"{first.path}:{first.line}"
            raise ModelError(
                f"Table '{table.name}' is already defined for this MetaData instance "
                f"(class {first.name} at {where})",
                decl.path or schema_path,
                decl.line,
            )
        seen[table.name] = decl
        tables.append(table)
    tables = _types_from_foreign_keys(tables, contexts)
    return Schema(
        path=schema_path,
        tables=tuple(tables),
        enums=tuple(sorted(enums.values(), key=lambda e: e.name)),
        warnings=tuple(warnings),
    )


class _Contexts:
    """One ``TableContext`` per module: a field is read, and warned about, in the module
    it is written in (a mixin's fields in the mixin's)."""

    def __init__(self, rules: SqlmodelRules, index: ClassIndex, warnings: list, default: str):
        self.rules, self.index, self.warnings, self.default = rules, index, warnings, default
        self._by_path: dict[str, TableContext] = {}
        # id(field) -> its column: a mixin's field is the same column in every table that
        # inherits it, read (and warned about) once.
        self.columns: dict[int, ColumnDraft] = {}
        # id(field) -> the first table that inherits its sa_column=Column(...).
        self.sa_columns: dict[int, tuple[str, ClassDecl]] = {}

    def at(self, path: str) -> TableContext:
        path = path or self.default
        ctx = self._by_path.get(path)
        if ctx is None:
            warnings = self.warnings

            def warn(line: int, message: str) -> None:
                warnings.append(Diagnostic(path, line, message))

            ctx = TableContext(path, self.rules, self.index.enum, self.index.builtin_base, warn)
            self._by_path[path] = ctx
        return ctx


def _is_table_class(decl: ClassDecl, index: ClassIndex) -> bool:
    if decl.keyword("table") is not True:
        return False
    # SQLModel maps only the first table class of a hierarchy; a table subclass of a
    # table model creates no table of its own.
    return not any(base.keyword("table") is True for base in index.ancestry(decl)[:-1])


def _build_table(
    decl: ClassDecl, index: ClassIndex, contexts: _Contexts
) -> tuple[Table, list[EnumType]]:
    ctx = contexts.at(decl.path)
    ancestry = index.ancestry(decl)
    for cls in ancestry:
        for base in cls.bases:
            _check_base(base, cls, contexts.at(cls.path))
    name = _table_name(decl, ancestry, ctx)
    fields = index.fields(decl)
    for declared in fields.values():
        path = contexts.at(declared.path).path
        refuse_invalid_forms(declared.annotation, path, declared.line)
    columns = [f for f in fields.values() if is_column_field(f)]
    drafts = [_column(f, contexts) for f in columns]
    _refuse_shared_sa_columns(decl, name, columns, drafts, contexts)
    args_owner = _nearest_owner(ancestry, "__table_args__")
    args_ctx = contexts.at(args_owner.path) if args_owner is not None else ctx
    table_args = _nearest_attribute(ancestry, "__table_args__")
    args_line = decl.line
    if args_owner is not None and args_owner is not decl:
        # Inherited (a mixin's, maybe in another module): said where it is written.
        args_line = _attribute_line(args_owner, "__table_args__")
    if isinstance(table_args, MethodValue):
        args_ctx.warn(
            table_args.line,
            "__table_args__ is computed by a method, which modelsync does not run: "
            "its indexes and constraints are not compared",
        )
        table_args = None
    args = read_table_args(table_args, name, args_line, args_ctx.warn)
    drafts = _apply_constraint_keys(drafts, args.primary_key, args.foreign_keys)
    serial = _autoincrement_column(drafts)
    columns = tuple(
        replace(d.column, autoincrement=True) if d is serial else d.column for d in drafts
    )
    primary_key = tuple(c.name for c in columns if c.primary_key)
    if not primary_key:
        raise ModelError(
            f"Mapper[{decl.name}({name})] could not assemble any primary key columns "
            f"for mapped table '{name}'",
            ctx.path,
            decl.line,
        )
    by_key = {c.attribute: c.name for c in columns}
    _check_constraint_columns(args, by_key, name, decl.line, args_ctx)
    indexes = [
        Index(
            index_name(name, c.name),
            (c.name,),
            c.unique,
            from_column=True,
            line=c.line,
            path=c.path,
        )
        for c in columns
        if c.index
    ]
    args_path = args_ctx.path
    for named in args.indexes:
        indexes.append(_at(named.renamed(by_key), args_path))
    table = Table(
        name=name,
        class_name=decl.name,
        columns=columns,
        primary_key=primary_key,
        indexes=tuple(sorted(indexes, key=lambda i: i.name)),
        unique_constraints=tuple(
            sorted(
                (_at(u, args_path) for u in args.unique_constraints),
                key=lambda u: (u.name or "", u.columns),
            )
        ),
        check_constraints=tuple(_at(c, args_path) for c in args.check_constraints),
        line=decl.line,
        path=decl.path,
        foreign_keys=tuple(
            _at(replace(k, columns=tuple(by_key.get(c, c) for c in k.columns)), args_path)
            for k in args.constraints
        ),
    )
    return table, [d.enum_type for d in drafts if d.enum_type is not None]


def _column(field: FieldDecl, contexts: _Contexts) -> ColumnDraft:
    # FieldDecls live as long as their ModelFile, which outlives this run: ids are stable.
    draft = contexts.columns.get(id(field))
    if draft is None:
        draft = contexts.columns[id(field)] = _placed(
            field, build_column(field, contexts.at(field.path))
        )
    return draft


def _placed(field: FieldDecl, draft: ColumnDraft) -> ColumnDraft:
    """An enum written inline (``sa.Enum("a", "b", name=...)``) with the module of the
    field it is written in (the column has its path already)."""
    enum = draft.enum_type
    if enum is None or enum.path or not field.path:
        return draft
    return replace(draft, enum_type=replace(enum, path=field.path))


def _refuse_shared_sa_columns(
    decl: ClassDecl,
    table: str,
    columns: list[FieldDecl],
    drafts: list[ColumnDraft],
    contexts: _Contexts,
) -> None:
    """``sa_column=Column(...)`` in a mixin is one Column object: SQLAlchemy attaches it to
    the first table that inherits it and refuses it to the second, at import."""
    own = {id(f) for f in decl.fields}
    for declared, draft in zip(columns, drafts, strict=True):
        value = declared.value
        if id(declared) in own or not (
            is_call(value, "sqlmodel.Field") and is_call(value.kwarg("sa_column"), "sa.Column")
        ):
            continue
        first = contexts.sa_columns.setdefault(id(declared), (table, decl))
        if first[0] != table:
            raise ModelError(
                f"Column object '{draft.column.name}' already assigned to Table '{first[0]}': "
                f"sa_column=Column(...) is one Column object, which {first[1].name} and "
                f"{decl.name} ({decl.path or contexts.default}:{decl.line}) both inherit; "
                "give the mixin sa_type=... and sa_column_kwargs=... instead",
                declared.path or None,
                declared.line,
            )


def _at(item: Any, path: str) -> Any:
    """An index or constraint of ``__table_args__`` written in another module than the
    table (a mixin's), with that module's path."""
    return replace(item, path=path) if path else item


def _check_constraint_columns(
    args: TableArgs, by_key: dict[str, str], table: str, table_line: int, ctx: TableContext
) -> None:
    """SQLAlchemy refuses an index or constraint on a column the table does not have."""
    known = set(by_key) | set(by_key.values())
    named = [("Index", i.columns, i.line) for i in args.indexes]
    named += [("UniqueConstraint", u.columns, u.line) for u in args.unique_constraints]
    named += [("PrimaryKeyConstraint", (c,), 0) for c in args.primary_key]
    named += [("ForeignKeyConstraint", (c,), 0) for c, _, _ in args.foreign_keys]
    for kind, columns, line in named:
        for column in columns:
            if column not in known:
                raise ModelError(
                    f"Can't create {kind} on table '{table}': no column named "
                    f"'{column}' is present.",
                    ctx.path,
                    line or table_line,
                )


def _check_base(base: Any, cls: ClassDecl, ctx: TableContext) -> None:
    if isinstance(base, Ref) and (
        base.name.startswith("local.") or base.name == _SQLMODEL or base.name.startswith("typing.")
    ):
        return
    shown = base.name if isinstance(base, Ref) else getattr(base, "source", "?")
    ctx.warn(cls.line, f"base class {shown} is defined elsewhere: its fields are not known")


def _table_name(decl: ClassDecl, ancestry: list[ClassDecl], ctx: TableContext) -> str:
    value = _nearest_attribute(ancestry, "__tablename__")
    if value is None:
        return decl.name.lower()
    if isinstance(value, MethodValue):
        owner = _nearest_owner(ancestry, "__tablename__") or decl
        raise UnsupportedConstruct(
            f"__tablename__ is computed by a method ({owner.path}:{value.line}), which "
            f"modelsync does not run; give class {decl.name} its table name as a string",
            ctx.path,
            decl.line,
        )
    if not isinstance(value, str):
        raise ModelError("cannot resolve __tablename__ statically", ctx.path, decl.line)
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in value):
        # PostgreSQL would take it quoted; no report could print it on one line.
        raise ModelError(
            f"__tablename__ {value!r} holds a control character; refused", ctx.path, decl.line
        )
    return value


def _nearest_owner(ancestry: list[ClassDecl], name: str) -> ClassDecl | None:
    """The class whose ``name`` attribute ``_nearest_attribute`` reads."""
    for cls in reversed(ancestry):
        if cls.attribute(name) is not None or any(
            f.name == name and f.has_value for f in cls.fields
        ):
            return cls
    return None


def _attribute_line(cls: ClassDecl, name: str) -> int:
    attribute = cls.attribute(name)
    if attribute is not None:
        return attribute.line
    return next((f.line for f in cls.fields if f.name == name and f.has_value), cls.line)


def _nearest_attribute(ancestry: list[ClassDecl], name: str) -> Any:
    for cls in reversed(ancestry):
        attribute = cls.attribute(name)
        if attribute is not None:
            return attribute.value
        annotated = next((f for f in cls.fields if f.name == name and f.has_value), None)
        if annotated is not None:
            return annotated.value
    return None


def _apply_constraint_keys(
    drafts: list[ColumnDraft],
    primary_key: tuple[str, ...],
    foreign_keys: tuple[tuple[str, str, str | None], ...],
) -> list[ColumnDraft]:
    if not primary_key and not foreign_keys:
        return drafts
    fks = {column: (target, ondelete) for column, target, ondelete in foreign_keys}
    in_key = frozenset(primary_key)
    result = []
    for draft in drafts:
        column = draft.column
        keys = (column.attribute, column.name)
        if column.attribute in in_key or column.name in in_key:
            nullable = column.nullable if draft.nullable_given else False
            column = replace(column, primary_key=True, nullable=nullable)
        for key in keys:
            if key in fks:
                column = replace(column, foreign_key=fks[key][0], ondelete=fks[key][1])
        result.append(replace(draft, column=column))
    return result


def _types_from_foreign_keys(tables: list[Table], contexts: _Contexts) -> list[Table]:
    """Columns declared without a type take their referenced column's type."""
    by_name = {t.name: t for t in tables}
    fixed = []
    for table in tables:
        columns = []
        for column in table.columns:
            if column.type == TYPE_FROM_FOREIGN_KEY:
                warn = contexts.at(column.path or table.path).warn
                column = replace(column, type=_referenced_type(column, by_name, warn))
            columns.append(column)
        fixed.append(replace(table, columns=tuple(columns)))
    return fixed


def _referenced_type(column: Column, tables: dict[str, Table], warn) -> str:
    if column.foreign_key and "." in column.foreign_key:
        table_name, column_name = column.foreign_key.rsplit(".", 1)
        target = tables.get(table_name)
        referenced = target.column(column_name) if target else None
        if referenced is not None:
            return referenced.type
    warn(column.line, f"column {column.name} has no type and no resolvable foreign key")
    return UNKNOWN_TYPE
