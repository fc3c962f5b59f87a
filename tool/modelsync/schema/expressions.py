"""SQL expressions written with SQLAlchemy's constructors -> the SQL text they compile to.

Only what index keys and generated columns use: ``text(...)``, ``column(...)``,
``literal_column(...)``, ``func.NAME(...)`` with literal or nested arguments, and the
``desc``/``asc``/``nulls_first``/``nulls_last`` wrappers of an index key. Anything else is
None, so the caller warns instead of guessing.
"""

from __future__ import annotations

from typing import Any

from modelsync.schema.ir import IndexElement
from modelsync.schema.values import Call, is_call

_ORDERS = {"sa.desc": "DESC", "sa.asc": "ASC"}
# SQLAlchemy 2 spells them nulls_first/nulls_last; nullsfirst/nullslast are the old aliases.
_NULLS = {
    "sa.nulls_first": "FIRST",
    "sa.nullsfirst": "FIRST",
    "sa.nulls_last": "LAST",
    "sa.nullslast": "LAST",
}


def index_element(value: Any) -> IndexElement | None:
    """One index key: a column name (a string, as SQLAlchemy resolves it against the
    table), or an expression, possibly wrapped in an order and a nulls order."""
    order = nulls = None
    while isinstance(value, Call) and (value.func in _ORDERS or value.func in _NULLS):
        if len(value.args) != 1 or value.kwargs:
            return None
        if value.func in _ORDERS:
            order = _ORDERS[value.func]
        else:
            nulls = _NULLS[value.func]
        value = value.args[0]
    if isinstance(value, str):
        return IndexElement(column=value, order=order, nulls=nulls)
    sql = sql_expression(value)
    if sql is None:
        return None
    return IndexElement(expression=sql, order=order, nulls=nulls)


def sql_expression(value: Any) -> str | None:
    """The SQL text of an expression, as SQLAlchemy's compiler prints it with literal
    values inlined; None when it cannot be known statically."""
    if is_call(value, "sa.text", "sa.literal_column", "sa.column") and _one_string(value):
        return value.args[0]
    if isinstance(value, Call) and value.func.startswith("sa.func.") and not value.kwargs:
        args = [_argument(arg) for arg in value.args]
        if any(arg is None for arg in args):
            return None
        return f"{value.func.removeprefix('sa.func.')}({', '.join(args)})"
    return None


def _argument(value: Any) -> str | None:
    # A bare Python value becomes a bound parameter, inlined as a literal.
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return sql_expression(value)


def _one_string(call: Call) -> bool:
    return len(call.args) == 1 and isinstance(call.args[0], str) and not call.kwargs
