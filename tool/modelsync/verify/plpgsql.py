"""The SQL a PL/pgSQL body runs, read with PostgreSQL's own PL/pgSQL compiler (pglast).

``scope`` asks what a ``DO`` block or a ``LANGUAGE plpgsql`` function would run before
anything runs. ``embedded_sql`` compiles the body (``pglast.parser.parse_plpgsql_json``) and
gives every piece of SQL in it, each at its line of the migration file: the statements
(``INSERT``, ``PERFORM``, ``CALL``...), the expressions (conditions, assignments, defaults,
``RAISE`` arguments) and what each ``EXECUTE`` would run.

An ``EXECUTE`` runs a string. When the string is a constant, it is that SQL. When it is
built with ``||`` or ``format()`` around constant text, its *shape* is known: every piece
computed at run time stands in as a name (``x``) or, where ``quote_literal``/``%L`` make it
one, a literal (``'x'``); the shape decides which statement it is, the pieces can still
carry any text (``Piece.dynamic``). A string with no constant shape cannot be read at all.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Iterator

from modelsync.records import record

# What a piece of text computed at run time stands in as, in the shape of an EXECUTE.
NAME = "x"
LITERAL = "'x'"
# PostgreSQL's raw parse modes of a PL/pgSQL expression (parser.h, RawParseMode).
_STATEMENT, _EXPRESSION = 0, 2
_ASSIGNMENTS = (3, 4, 5)
# Where a PL/pgSQL statement keeps the string it EXECUTEs.
_DYNAMIC = {
    "PLpgSQL_stmt_dynexecute": "query",
    "PLpgSQL_stmt_dynfors": "query",
    "PLpgSQL_stmt_open": "dynquery",
    "PLpgSQL_stmt_return_query": "dynquery",
}


@record
class Piece:
    """SQL found in a body. ``sql`` is a whole statement's text (expressions come as
    ``SELECT <expression>``), None when an EXECUTE's string has no shape to read;
    ``dynamic``: run-time text fills part of it (an EXECUTE built with ``||``/``format``)."""

    sql: str | None
    line: int
    dynamic: bool = False
    # Why the body could not be read, when ``sql`` is None.
    unreadable: str = ""


def embedded_sql(statement: str, body_line: int) -> Iterator[Piece]:
    """Every piece of SQL in the PL/pgSQL body of ``statement`` (a ``DO`` or ``CREATE
    FUNCTION``), at the lines of the file; ``body_line`` is the line where the body's
    string starts. A body the compiler refuses is one unreadable piece."""
    from pglast import parser

    try:
        with _compiler_output_discarded():
            compiled = parser.parse_plpgsql_json(statement)
        tree = json.loads(compiled)
    except (parser.ParseError, ValueError) as exc:
        reason = " ".join(str(exc).split()) or "PL/pgSQL that cannot be compiled"
        yield Piece(None, body_line, unreadable=reason)
        return
    yield from _pieces(tree, body_line, 1)


@contextlib.contextmanager
def _compiler_output_discarded():
    """The PL/pgSQL compiler prints its execution tree to file descriptor 1 when a body
    says ``#option dump``: text the migration chose, which would land in verify's own
    output (a forged ``::error`` annotation, a broken JSON document). While it compiles,
    descriptor 1 leads to the null device."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(null, 1)
        finally:
            os.close(null)
        yield
    finally:
        _flush_c_streams()  # what the compiler left in C's buffer goes to the null device too
        os.dup2(saved, 1)
        os.close(saved)


def _flush_c_streams() -> None:
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).fflush(None)


def _pieces(tree, body_line: int, lineno: int) -> Iterator[Piece]:
    """Walk the compiled body (JSON: ``{"PLpgSQL_<node>": {fields}}``, lists of them,
    scalars), carrying the line of the nearest node that has one."""
    stack = [(tree, lineno)]
    while stack:
        value, lineno = stack.pop()
        if isinstance(value, list):
            stack.extend((item, lineno) for item in reversed(value))
            continue
        if not isinstance(value, dict):
            continue
        later = []  # pushed in reverse, so that the body is read in its own order
        for key, body in value.items():
            if not (key.startswith("PLpgSQL_") and isinstance(body, dict)):
                later.append((body, lineno))
                continue
            here = body["lineno"] if isinstance(body.get("lineno"), int) else lineno
            if key == "PLpgSQL_expr":
                yield from _expression_pieces(body, body_line + here - 1)
                continue
            dynamic_field = _DYNAMIC.get(key)
            for field_name, field_value in body.items():
                if field_name == dynamic_field:
                    yield from _execute_pieces(field_value, body_line + here - 1)
                else:
                    later.append((field_value, here))
        stack.extend(reversed(later))


def _expression_pieces(expr: dict, line: int) -> Iterator[Piece]:
    query = expr.get("query") or ""
    mode = expr.get("parseMode", _EXPRESSION)
    if mode == _STATEMENT:
        yield Piece(query, line)
    elif mode in _ASSIGNMENTS:
        target, value = split_assignment(query)
        yield Piece(f"SELECT {target}", line)
        yield Piece(f"SELECT {value}", line)
    else:
        yield Piece(f"SELECT {query}", line)


def _execute_pieces(value, line: int) -> Iterator[Piece]:
    """The expression that computes an EXECUTE's string (it runs too), then what the
    string would run: its constant text, its shape, or nothing readable."""
    expr = value.get("PLpgSQL_expr", {}) if isinstance(value, dict) else {}
    query = expr.get("query") or ""
    yield Piece(f"SELECT {query}", line)
    shape = execute_shape(query)
    if shape is None:
        yield Piece(None, line, unreadable=f"EXECUTE {query.strip()[:60]}")
    else:
        text, dynamic = shape
        yield Piece(text, line, dynamic=dynamic)


def split_assignment(query: str) -> tuple[str, str]:
    """``target := value`` (or ``=``) -> the target and the value, split at the first
    assignment token outside brackets, as PostgreSQL's scanner reads the text."""
    from pglast import parser

    depth = 0
    for token in parser.scan(query):
        if token.name in ("ASCII_40", "ASCII_91"):
            depth += 1
        elif token.name in ("ASCII_41", "ASCII_93"):
            depth -= 1
        elif depth == 0 and token.name in ("COLON_EQUALS", "ASCII_61"):
            return query[: token.start], query[token.end + 1 :]
    return query, "NULL"


def execute_shape(expression: str) -> tuple[str, bool] | None:
    """The SQL an EXECUTE of this expression would run: ``(text, dynamic)``, where
    ``dynamic`` says run-time pieces stand in as names or literals; None when the string
    is not built around constant text (``EXECUTE v``)."""
    from pglast import parser

    try:
        (raw,) = parser.parse_sql(f"SELECT {expression}")
        (target,) = raw.stmt.targetList
    except (parser.ParseError, ValueError, TypeError, AttributeError):
        return None
    text, constant_parts, dynamic = _shape(target.val)
    if not constant_parts:
        return None
    return text, dynamic


def _shape(node) -> tuple[str, int, bool]:
    """(text, how many constant parts, whether any part is computed at run time)."""
    kind = type(node).__name__
    if kind == "A_Const" and type(node.val).__name__ == "String":
        return node.val.sval, 1, False
    if kind == "TypeCast":
        return _shape(node.arg)
    if kind == "A_Expr" and _operator(node) == "||":
        left, right = _shape(node.lexpr), _shape(node.rexpr)
        return left[0] + right[0], left[1] + right[1], left[2] or right[2]
    if kind == "FuncCall":
        name = _function_name(node)
        if name == "format" and node.args and _constant(node.args[0]) is not None:
            text, dynamic = format_shape(_constant(node.args[0]), node.args[1:])
            return text, 1, dynamic
        if name in ("quote_literal", "quote_nullable"):
            value = _constant(node.args[0]) if node.args else None
            return (quote_literal(value), 1, False) if value is not None else (LITERAL, 0, True)
    return NAME, 0, True


def format_shape(template: str, args) -> tuple[str, bool]:
    """``format(template, args...)`` with constant arguments filled in and the others
    standing in (``%s``/``%I`` as a name, ``%L`` as a literal), as PostgreSQL's format()
    reads its template (varlena.c, ``text_format``): ``%[position$][-...][width]type`` and
    ``%%``, where a width of ``*`` or ``*position$`` takes an argument of its own."""
    out: list[str] = []
    dynamic = False
    next_arg = 0  # the argument a specifier without a position takes, from 0
    i = 0
    while i < len(template):
        char = template[i]
        if char != "%":
            out.append(char)
            i += 1
            continue
        if template[i + 1 : i + 2] == "%":
            out.append("%")
            i += 2
            continue
        spec = _format_spec(template, i + 1)
        if spec is None:
            return NAME, True  # a template format() itself refuses
        position, width_position, i = spec
        kind = template[i]
        i += 1
        if width_position is not None:  # the width is an argument of its own, taken first
            width_index = width_position - 1 if width_position else next_arg
            next_arg = width_index + 1
        index = (position - 1) if position else next_arg
        next_arg = index + 1
        value = _constant(args[index]) if 0 <= index < len(args) else None
        if value is None:
            dynamic = True
            out.append(LITERAL if kind == "L" else NAME)
        elif kind == "I":
            out.append(quote_identifier(value))
        elif kind == "L":
            out.append(quote_literal(value))
        else:
            out.append(value)
    return "".join(out), dynamic


def _format_spec(template: str, i: int) -> tuple[int | None, int | None, int] | None:
    """One specifier of a format() template from just after its ``%``: (the value's
    position from 1 or None, the width's position from 1, 0 for the next argument or None
    for no argument, where its type letter is); None where format() refuses it."""
    position = width_position = None
    number, j = _digits(template, i)
    if number is not None:
        if template[j : j + 1] != "$":
            return _format_type(template, None, None, j)  # a plain width
        if number == 0:
            return None
        position, j = number, j + 1
    while template[j : j + 1] == "-":
        j += 1
    if template[j : j + 1] == "*":
        number, j = _digits(template, j + 1)
        if number is not None:
            if template[j : j + 1] != "$" or number == 0:
                return None
            j += 1
        width_position = number or 0
    else:
        _, j = _digits(template, j)
    return _format_type(template, position, width_position, j)


def _format_type(template: str, position, width_position, j: int):
    if template[j : j + 1] not in ("s", "I", "L"):
        return None
    return position, width_position, j


def _digits(text: str, i: int) -> tuple[int | None, int]:
    j = i
    while j < len(text) and text[j] in "0123456789":
        j += 1
    return (int(text[i:j]) if j > i else None), j


def _constant(node) -> str | None:
    if type(node).__name__ == "TypeCast":
        return _constant(node.arg)
    if type(node).__name__ == "A_Const" and type(node.val).__name__ == "String":
        return node.val.sval
    return None


def _operator(node) -> str | None:
    names = getattr(node, "name", None) or ()
    return names[-1].sval if names and type(names[-1]).__name__ == "String" else None


def _function_name(node) -> str:
    names = [n.sval for n in node.funcname or () if type(n).__name__ == "String"]
    if len(names) == 2 and names[0] == "pg_catalog":
        return names[1]
    return names[0] if len(names) == 1 else ""


def quote_identifier(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def quote_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
