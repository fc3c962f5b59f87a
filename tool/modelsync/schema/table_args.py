"""``__table_args__`` -> indexes, constraints and key changes of one table."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from modelsync.records import record, replace
from modelsync.schema.expressions import index_element
from modelsync.schema.ir import CheckConstraint, Index, IndexElement, UniqueConstraint
from modelsync.schema.values import Call, DictValue, canonical_text, is_call


@record
class TableArgs:
    indexes: tuple[Index, ...] = ()
    unique_constraints: tuple[UniqueConstraint, ...] = ()
    check_constraints: tuple[CheckConstraint, ...] = ()
    primary_key: tuple[str, ...] = ()
    # column key -> (target "table.column", ondelete) from ForeignKeyConstraint
    foreign_keys: tuple[tuple[str, str, str | None], ...] = ()


Warn = Callable[[int, str], None]


def read_table_args(value: Any, table: str, line: int, warn: Warn) -> TableArgs:
    if value is None:
        return TableArgs()
    if isinstance(value, DictValue):
        _check_options(value, line, warn)
        return TableArgs()
    if not isinstance(value, tuple):
        warn(line, f"cannot resolve __table_args__ = {canonical_text(value)} statically")
        return TableArgs()
    items = list(value)
    if items and isinstance(items[-1], DictValue):
        _check_options(items.pop(), line, warn)
    collected: dict[str, list] = {
        "indexes": [],
        "unique_constraints": [],
        "check_constraints": [],
        "primary_key": [],
        "foreign_keys": [],
    }
    for item in items:
        _read_item(item, table, line, warn, collected)
    return TableArgs(
        indexes=tuple(collected["indexes"]),
        unique_constraints=tuple(collected["unique_constraints"]),
        check_constraints=tuple(collected["check_constraints"]),
        primary_key=tuple(collected["primary_key"]),
        foreign_keys=tuple(collected["foreign_keys"]),
    )


def _read_item(item: Any, table: str, line: int, warn: Warn, out: dict[str, list]) -> None:
    item_line = getattr(item, "line", 0) or line
    if not isinstance(item, Call):
        warn(item_line, f"cannot resolve {canonical_text(item)} in __table_args__ statically")
        return
    columns = tuple(a for a in item.args if isinstance(a, str))
    if item.func == "sa.Index":
        _read_index(item, table, item_line, warn, out)
    elif item.func == "sa.UniqueConstraint" and len(columns) == len(item.args):
        out["unique_constraints"].append(
            UniqueConstraint(
                item.kwarg("name"),
                columns,
                nulls_not_distinct=item.kwarg("postgresql_nulls_not_distinct", False) is True,
                line=item_line,
            )
        )
    elif item.func == "sa.PrimaryKeyConstraint" and len(columns) == len(item.args):
        out["primary_key"].extend(columns)
    elif item.func == "sa.CheckConstraint" and item.args:
        sqltext = item.args[0]
        if is_call(sqltext, "sa.text") and sqltext.args:
            sqltext = sqltext.args[0]
        if isinstance(sqltext, str):
            out["check_constraints"].append(CheckConstraint(item.kwarg("name"), sqltext, item_line))
        else:
            warn(item_line, f"cannot resolve {canonical_text(item)} statically")
    elif item.func == "sa.ForeignKeyConstraint":
        _read_foreign_key_constraint(item, item_line, warn, out)
    else:
        warn(item_line, f"{canonical_text(item)} in __table_args__ is not compared by modelsync")


def _read_index(item: Call, table: str, line: int, warn: Warn, out: dict[str, list]) -> None:
    name, *keys = item.args or (None,)
    elements = [index_element(key) for key in keys]
    if not elements or any(e is None for e in elements):
        warn(line, f"cannot resolve the columns of {canonical_text(item)} statically")
        return
    columns = tuple(e.column for e in elements if e.column is not None)
    if name is None:
        if elements[0].column is None:
            warn(line, f"cannot resolve the name of {canonical_text(item)} statically")
            return
        name = index_name(table, elements[0].column)
    if not isinstance(name, str):
        warn(line, f"cannot resolve the name of {canonical_text(item)} statically")
        return
    ops = _string_pairs(item.kwarg("postgresql_ops"), "postgresql_ops", line, warn)
    # Storage parameters keep the model's order: create_all writes them so, and
    # PostgreSQL's catalog (pg_get_indexdef) shows that order.
    with_ = _string_pairs(item.kwarg("postgresql_with"), "postgresql_with", line, warn, sort=False)
    where = item.kwarg("postgresql_where")
    if is_call(where, "sa.text") and where.args:
        where = where.args[0]
    if where is not None and not isinstance(where, str):
        warn(line, f"cannot resolve postgresql_where={canonical_text(where)} statically")
        where = "unknown"
    using = item.kwarg("postgresql_using")
    out["indexes"].append(
        Index(
            name=name,
            columns=columns,
            unique=item.kwarg("unique", False) is True,
            using=using if isinstance(using, str) else None,
            ops=ops,
            where=where,
            with_=with_,
            elements=_with_opclasses(elements, dict(ops)),
            line=line,
        )
    )


# SQLAlchemy's longest name (PostgreSQL's 63), counted in characters as it counts.
MAX_NAME_CHARACTERS = 63


def index_name(table: str, column: str) -> str:
    """MetaData's default naming convention, ``ix_%(column_0_label)s``, shortened as
    SQLAlchemy shortens a convention's name longer than 63 characters: its first 55, ``_``
    and the last four hex digits of its MD5 (``_truncate_and_render_maxlen_name``)."""
    name = f"ix_{table}_{column}"
    if len(name) <= MAX_NAME_CHARACTERS:
        return name
    import hashlib  # only for a long name

    digest = hashlib.md5(name.encode("utf-8"), usedforsecurity=False).hexdigest()
    return f"{name[: MAX_NAME_CHARACTERS - 8]}_{digest[-4:]}"


def _with_opclasses(elements: list, ops: dict[str, str]) -> tuple[IndexElement, ...]:
    """``postgresql_ops`` names the operator class of a key by its column name."""
    return tuple(
        replace(e, opclass=ops.get(e.column)) if e.column is not None else e for e in elements
    )


def _string_pairs(
    value: Any, keyword: str, line: int, warn: Warn, sort: bool = True
) -> tuple[tuple[str, str], ...]:
    """A dict of literal keys and values as text pairs (``{"m": 16}`` -> m=16), sorted
    unless their order means something."""
    if value is None:
        return ()
    pairs = value.items if isinstance(value, DictValue) else None
    if pairs is None or not all(isinstance(k, str) and _literal(v) for k, v in pairs):
        warn(line, f"cannot resolve {keyword}={canonical_text(value)} statically")
        return (("unknown", canonical_text(value)),)
    found = tuple((k, str(v)) for k, v in pairs)
    return tuple(sorted(found)) if sort else found


def _literal(value: Any) -> bool:
    return isinstance(value, str | int | float | bool)


def _read_foreign_key_constraint(item: Call, line: int, warn: Warn, out: dict[str, list]) -> None:
    local = item.args[0] if item.args else item.kwarg("columns")
    remote = item.args[1] if len(item.args) > 1 else item.kwarg("refcolumns")
    pairs_ok = (
        isinstance(local, tuple)
        and isinstance(remote, tuple)
        and len(local) == len(remote)
        and all(isinstance(x, str) for x in (*local, *remote))
    )
    if not pairs_ok:
        warn(line, f"cannot resolve {canonical_text(item)} statically")
        return
    for column, target in zip(local, remote, strict=True):
        out["foreign_keys"].append((column, target, item.kwarg("ondelete")))


def _check_options(options: DictValue, line: int, warn: Warn) -> None:
    if options.get("schema") is not None:
        warn(line, "__table_args__ schema is not supported: tables are compared by bare name")
