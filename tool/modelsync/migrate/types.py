"""What a change of a column's type means: whether it can lose data, whether PostgreSQL
needs ``USING`` for it, whether it is a vector. Shared by the plan (which marks narrowing
changes destructive), the operations (whose reverse is narrowing or not) and the renderer.
Pure text reasoning over the IR's type strings: nothing is imported.
"""

from __future__ import annotations

import re

VECTOR_TYPES = ("VECTOR", "HALFVEC", "SPARSEVEC")


def is_vector(sql_type: str) -> bool:
    return sql_type.split("(")[0] in VECTOR_TYPES


_SIZE = re.compile(r"^(?P<name>[A-Z][A-Z ]*?)(?:\((?P<args>[^)]*)\))?(?P<rest>(?: .*)?)$")
_INTEGER_RANK = {"SMALLINT": 1, "INTEGER": 2, "BIGINT": 3}
_FLOAT_RANK = {"REAL": 1, "DOUBLE PRECISION": 2}
_STRINGS = ("VARCHAR", "CHAR", "TEXT")


_MULTIWORD = ("DOUBLE PRECISION", "BIT VARYING")


def _parts(sql_type: str) -> tuple[str, tuple[int, ...], str]:
    """(name, numeric arguments, the rest): ``TIMESTAMP(3) WITH TIME ZONE`` ->
    (``TIMESTAMP``, (3,), ``WITH TIME ZONE``)."""
    word = next((w for w in _MULTIWORD if sql_type.startswith(w)), None)
    if word:
        tail = _SIZE.match("X" + sql_type[len(word) :])
        return (
            word,
            _parts("X" + sql_type[len(word) :])[1],
            tail.group("rest").strip() if tail else "",
        )
    match = _SIZE.match(sql_type)
    if not match:
        return sql_type, (), ""
    args = tuple(int(x) for x in (match.group("args") or "").split(",") if x.strip().isdigit())
    return match.group("name"), args, match.group("rest").strip()


def is_narrowing(old: str, new: str) -> bool:
    """Whether changing a column from ``old`` to ``new`` can lose data that fits the old
    type: a shorter string, a smaller integer or float, less numeric precision or scale,
    coarser time. (A vector dimension change is not narrowing: no value survives it.)"""
    (a, a_args, a_rest), (b, b_args, b_rest) = _parts(old), _parts(new)
    if a in _STRINGS and b in _STRINGS:
        if b == "TEXT" or (b == "VARCHAR" and not b_args):
            return False
        return not a_args or (a == "TEXT") or b_args[0] < a_args[0]
    if a in _INTEGER_RANK and b in _INTEGER_RANK:
        return _INTEGER_RANK[b] < _INTEGER_RANK[a]
    if a in _FLOAT_RANK and b in _FLOAT_RANK:
        return _FLOAT_RANK[b] < _FLOAT_RANK[a]
    if a in ("NUMERIC", "DECIMAL") and b in ("NUMERIC", "DECIMAL"):
        if not b_args:
            return False
        if not a_args:
            return True
        a_scale = a_args[1] if len(a_args) > 1 else 0
        b_scale = b_args[1] if len(b_args) > 1 else 0
        return b_args[0] - b_scale < a_args[0] - a_scale or b_scale < a_scale
    if a in ("TIMESTAMP", "TIME") and a == b and a_rest == b_rest:
        return bool(b_args) and (not a_args or b_args[0] < a_args[0])
    if a in _INTEGER_RANK and b in ("NUMERIC", "DECIMAL"):
        return bool(b_args) and b_args[0] - (b_args[1] if len(b_args) > 1 else 0) < 19
    return False


_CASTS_TO_ITSELF = (
    set(_STRINGS),
    {*_INTEGER_RANK, *_FLOAT_RANK, "NUMERIC", "DECIMAL", "FLOAT"},
    {"TIMESTAMP", "DATE"},
    {"TIME"},
)


def needs_using(old: str, new: str, old_enum: str | None, new_enum: str | None) -> bool:
    """Whether PostgreSQL's assignment cast (what ALTER ... TYPE uses without USING) may
    not exist from ``old`` to ``new``: anything becomes text, numbers become numbers,
    times become times; a vector changes dimension only through an explicit cast."""
    a, b = _parts(old)[0], _parts(new)[0]
    if old_enum or new_enum:
        return not (b in _STRINGS and not new_enum)
    if b in _STRINGS:
        return False
    return not any(a in family and b in family for family in _CASTS_TO_ITSELF)
