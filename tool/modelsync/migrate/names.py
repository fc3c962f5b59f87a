"""The names PostgreSQL gives what SQLAlchemy leaves unnamed.

``create_all`` emits ``PRIMARY KEY (id)``, ``UNIQUE (email)``, ``FOREIGN KEY(user_id) ...``
and ``CHECK (...)`` without names; PostgreSQL names them (``ChooseConstraintName`` and
``makeObjectName`` in its source). A re-runnable migration must find those constraints by
the same names, so the rules are reproduced here.
"""

from __future__ import annotations

# PostgreSQL's NAMEDATALEN - 1: the longest identifier, in bytes.
MAX_IDENTIFIER = 63


def clip(name: str, limit: int) -> str:
    """The longest prefix of whole characters in ``limit`` UTF-8 bytes (``pg_mbcliplen``)."""
    return name.encode("utf-8")[:limit].decode("utf-8", "ignore")


def stored(name: str) -> str:
    """The name as PostgreSQL stores it: every identifier longer than 63 bytes is cut to
    63 bytes, at a character boundary (``truncate_identifier``), by the scanner in a
    statement and by ``to_regclass`` in text, but not in a literal compared with the
    catalog; there the migration must say it cut."""
    return clip(name, MAX_IDENTIFIER)


def object_name(name1: str, name2: str | None, label: str) -> str:
    """``makeObjectName``: ``name1_name2_label``, the longer of the two names (in bytes)
    shortened first until the whole fits in 63 bytes, each cut at a character boundary."""
    one, two = stored(name1).encode("utf-8"), stored(name2 or "").encode("utf-8")
    overhead = len(label.encode("utf-8")) + 1 + (1 if name2 else 0)
    n1, n2 = len(one), len(two)
    while n1 + n2 > MAX_IDENTIFIER - overhead:
        if n1 > n2:
            n1 -= 1
        else:
            n2 -= 1
    middle = f"_{clip(stored(name2), n2)}" if name2 else ""
    return f"{clip(stored(name1), n1)}{middle}_{label}"


def primary_key_name(table: str) -> str:
    return object_name(table, None, "pkey")


def unique_name(table: str, columns: tuple[str, ...]) -> str:
    # ChooseIndexNameAddition: the stored column names joined by "_".
    return object_name(table, "_".join(stored(c) for c in columns), "key")


def foreign_key_name(table: str, column: str) -> str:
    return object_name(table, column, "fkey")


def check_name(table: str, sqltext: str) -> str:
    """A table-level CHECK is named after its column when the expression refers to exactly
    one column, once (PostgreSQL counts the column references of the parsed expression)."""
    references = _column_references(sqltext)
    return object_name(table, stored(references[0]) if len(references) == 1 else None, "check")


def constraint_name(table: str, constraint) -> str:
    """A unique or check constraint's name: its own, or the one PostgreSQL gives it."""
    if constraint.name:
        return constraint.name
    if hasattr(constraint, "columns"):
        return unique_name(table, constraint.columns)
    return check_name(table, constraint.sqltext)


def sequence_name(table: str, column: str) -> str:
    return object_name(table, column, "seq")


def _column_references(sqltext: str) -> list[str]:
    from pglast import parse_sql
    from pglast.visitors import Visitor

    found: list[str] = []

    class Columns(Visitor):
        def visit_ColumnRef(self, ancestors, node):  # noqa: N802 (pglast's naming)
            last = node.fields[-1]
            if hasattr(last, "sval"):
                found.append(last.sval)

    try:
        Columns()(parse_sql(f"SELECT {sqltext}"))
    except Exception:  # an expression pglast cannot read: PostgreSQL will say why
        return []
    return found
