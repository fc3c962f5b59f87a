"""The SQL a model writes as SQL, checked before any of it reaches a migration.

A server default, a CHECK, a generated column's expression, an index's expressions and
predicate are SQL text that ``create_all`` sends as it is, so the migration writes them as
they are too. Each must therefore be one self-contained expression: scanned by PostgreSQL's
own scanner (pglast) with no ``;``, no parenthesis it closes without opening (which would
end the clause around it), none left open, no ``--`` comment that would swallow the rest of
its line, and read by PostgreSQL's parser as exactly one expression. Operator classes, index
methods, storage parameters and ON DELETE actions are words: they must look like words.
Names and labels cannot hold a NUL, which PostgreSQL cannot store.

Anything else is refused with the place it came from (the models file, or the schema
state), never written: a tampered state or a hostile model cannot add a statement.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from modelsync.errors import UnsupportedConstruct
from modelsync.schema.ir import Schema, Table

_WORD = r"[A-Za-z_][A-Za-z0-9_$]*"
_OPCLASS = re.compile(rf"{_WORD}(?:\.{_WORD})?")
# SQLAlchemy's own rule for postgresql_using (a name of word characters).
_USING = re.compile(r"\w+")
_STORAGE_VALUE = re.compile(r"[\w.+-]+")
_ONDELETE = re.compile(r"CASCADE|RESTRICT|NO ACTION|SET NULL|SET DEFAULT", re.IGNORECASE)


def refuse_unsafe(schema: Schema) -> None:
    """Raise ``UnsupportedConstruct`` at the first text of the schema that cannot be
    written into SQL as it is."""
    for table in schema.tables:
        for problem, item in _table_problems(table):
            where = item if getattr(item, "line", 0) else table
            raise UnsupportedConstruct(
                f"table {table.name}: {problem}", schema.where(where), where.line or None
            )
    for enum in schema.enums:
        for text in (enum.name, *enum.labels):
            if "\x00" in text:
                raise UnsupportedConstruct(
                    f"enum type {enum.name!r}: {text!r} holds a NUL character, which "
                    "PostgreSQL cannot store",
                    schema.where(enum),
                    enum.line or None,
                )


def _table_problems(table: Table) -> Iterator[tuple[str, Any]]:
    names = [(table.name, table)]
    for column in table.columns:
        names += [(column.name, column), (column.comment or "", column)]
        if column.server_default is not None:
            yield from _expression(
                column.server_default, f"{column.name}: server default", column, default=True
            )
        if column.computed is not None:
            yield from _expression(column.computed.sqltext, f"{column.name}: generated", column)
        if column.ondelete is not None and not _ONDELETE.fullmatch(column.ondelete):
            yield f"{column.name}: ondelete={column.ondelete!r} is no ON DELETE action", column
    for check in table.check_constraints:
        names.append((check.name or "", check))
        yield from _expression(check.sqltext, "CHECK constraint", check)
    names += [(u.name or "", u) for u in table.unique_constraints]
    for index in table.indexes:
        names.append((index.name, index))
        yield from _index_problems(index)
    for name, item in names:
        if "\x00" in name:
            yield f"{name!r} holds a NUL character, which PostgreSQL cannot store", item


def _index_problems(index) -> Iterator[tuple[str, Any]]:
    what, line = f"index {index.name}", index
    for element in index.elements:
        if element.expression is not None:
            problem = expression_problem(element.expression, index_key=True)
            if problem:
                yield f"{what}: key {element.expression!r} {problem}", line
        if element.opclass is not None and not _OPCLASS.fullmatch(element.opclass):
            yield f"{what}: operator class {element.opclass!r} is not a name", line
    for _column, opclass in index.ops:
        if not _OPCLASS.fullmatch(opclass):
            yield f"{what}: operator class {opclass!r} is not a name", line
    if index.where is not None:
        yield from _expression(index.where, f"{what}: postgresql_where", line)
    if index.using is not None and not _USING.fullmatch(index.using):
        yield f"{what}: postgresql_using={index.using!r} is not an index method name", line
    for key, value in index.with_:
        if not (re.fullmatch(_WORD, key) and _STORAGE_VALUE.fullmatch(value)):
            yield f"{what}: storage parameter {key}={value!r} is not a name and a value", line


def _expression(
    text: str, what: str, line: Any, default: bool = False
) -> Iterator[tuple[str, Any]]:
    """``line``: the model item the text belongs to (its file and line place the problem)."""
    problem = expression_problem(text, default=default)
    if problem:
        yield f"{what} {text!r} {problem}", line


def expression_problem(text: str, index_key: bool = False, default: bool = False) -> str | None:
    """Why ``text`` is not one self-contained SQL expression (None when it is); with
    ``index_key``, one key of an index (an expression that may carry its operator class,
    collation and order, as ``lower(email) DESC``); with ``default``, a column's DEFAULT,
    which PostgreSQL's grammar reads as a narrower expression than a SELECT's (no
    ``IS NULL``, ``AND``, ``NOT`` or ``COLLATE`` at its top level), as ``create_all`` and the
    migration's ``CREATE TABLE`` write it."""
    from pglast.parser import ParseError, parse_sql, scan

    if "\x00" in text:
        return "holds a NUL character"
    try:
        tokens = scan(text)
    except ParseError as error:
        return f"is not SQL PostgreSQL can read ({error.args[0]})"
    depth = 0
    for token in tokens:
        if token.name == "ASCII_59":
            return "holds a ';', which would end the statement"
        depth += {"ASCII_40": 1, "ASCII_41": -1}.get(token.name, 0)
        if depth < 0:
            return "closes a parenthesis it did not open"
        if token.name == "SQL_COMMENT" and "\n" not in text[token.end + 1 :]:
            return "ends in a -- comment, which would hide what follows it"
    if depth:
        return "leaves a parenthesis open"
    if not tokens:
        return "is empty"
    # Balanced parentheses keep the text inside the clause it is written into; the parse
    # says it is one expression there, not a list or a query.
    if default:
        template, one = "CREATE TABLE t (c int DEFAULT {})", _only_a_default
    elif index_key:
        template, one = "CREATE INDEX i ON t ({})", _one_key
    else:
        template, one = "SELECT {}", _only_one_target
    try:
        statements = parse_sql(template.format(text))
    except ParseError as error:
        if default:
            return (
                f"is more than a column's DEFAULT can hold ({error.args[0]}): put it in parentheses"
            )
        return f"is not one SQL expression ({error.args[0]})"
    if len(statements) != 1 or not one(statements[0].stmt):
        if default:
            return "is more than a column's DEFAULT can hold: put it in parentheses"
        return "is not one SQL expression"
    if default and expression_problem(text) is not None:
        return "is not one SQL expression"
    return None


def _only_a_default(statement) -> bool:
    """The column of ``CREATE TABLE t (c int DEFAULT ...)`` has its default and nothing
    else: no constraint (``NOT NULL``, ``COLLATE``...) read out of the text."""
    (column,) = statement.tableElts
    constraints = column.constraints or ()
    return (
        column.collClause is None
        and len(constraints) == 1
        and constraints[0].contype.name == "CONSTR_DEFAULT"
    )


def _one_key(statement) -> bool:
    return len(statement.indexParams or ()) == 1


def _only_one_target(statement) -> bool:
    """A ``SELECT <expression>`` and nothing else: one unnamed target, no other clause."""
    from pglast import ast

    if not isinstance(statement, ast.SelectStmt) or len(statement.targetList or ()) != 1:
        return False
    fields = statement(depth=None)
    # The enum and flag fields a plain SELECT has too; every other clause must be absent.
    flags = ("@", "targetList", "limitOption", "op", "all", "groupDistinct")
    clauses = [value for key, value in fields.items() if key not in flags]
    target = statement.targetList[0]
    return (
        target.name is None
        and not _is_star(target.val)
        and all(value is None for value in clauses)
        and fields["op"]["value"] == 0
    )


def _is_star(node) -> bool:
    """``*`` or ``t.*``: a SELECT list's expansion, which no other clause takes."""
    from pglast import ast

    return isinstance(node, ast.ColumnRef) and isinstance(node.fields[-1], ast.A_Star)
