"""What replacing a mirrored class of an unmarked target would lose.

When a team adopts modelsync, each class of ``db.py`` that mirrors a source table is
replaced by the source's class. Its fields, ``__tablename__``, ``__table_args__`` and
docstring are the mirror's business and are replaced (that is the fix for drift); but a
method, a nested class (``class Config``), a decorator, any other statement, or a comment
inside the class body that the source's class does not have too was written by hand, and
would silently disappear. Those are refused, naming every line, rather than lost.
(Read-only, ``ast`` and the source lines only.)
"""

from __future__ import annotations

import ast
import io
import tokenize

from modelsync.modules.source import source_lines
from modelsync.records import record

# Body statements the mirror owns: columns, attributes and the docstring.
_MIRRORED = (ast.AnnAssign, ast.Assign, ast.Pass)


@record
class LostLine:
    line: int
    what: str  # "method is_passing", "comment", "class Config", ...


def lost_members(
    target: ast.ClassDef, target_lines: list[str], source: ast.ClassDef | None, source_text: str
) -> tuple[LostLine, ...]:
    """The lines of ``target`` that replacing it by ``source`` would drop."""
    kept = _member_dumps(source) if source is not None else set()
    kept_comments = {text for _, text in _comments(source_text)}
    lost: list[LostLine] = []
    for stmt in target.body:
        if _is_docstring(stmt, target) or isinstance(stmt, _MIRRORED):
            continue
        if ast.dump(stmt) in kept:
            continue
        what = _describe(stmt)
        first = min([stmt.lineno, *(d.lineno for d in getattr(stmt, "decorator_list", []))])
        lost.extend(LostLine(n, what) for n in range(first, (stmt.end_lineno or first) + 1))
    class_text = "\n".join(target_lines[target.lineno - 1 : target.end_lineno])
    for offset, text in _comments(class_text):
        number = target.lineno + offset
        if text not in kept_comments and not _covered(number, lost):
            lost.append(LostLine(number, "comment"))
    return tuple(sorted(lost, key=lambda item: item.line))


def _covered(number: int, lost: list[LostLine]) -> bool:
    return any(item.line == number for item in lost)


def _member_dumps(source: ast.ClassDef) -> set[str]:
    return {ast.dump(stmt) for stmt in source.body}


def _is_docstring(stmt: ast.stmt, cls: ast.ClassDef) -> bool:
    return (
        stmt is cls.body[0]
        and isinstance(stmt, ast.Expr)
        and isinstance(stmt.value, ast.Constant)
        and isinstance(stmt.value.value, str)
    )


def _describe(stmt: ast.stmt) -> str:
    if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
        return f"method {stmt.name}"
    if isinstance(stmt, ast.ClassDef):
        return f"class {stmt.name}"
    return f"statement `{type(stmt).__name__.lower()}`"


def _comments(text: str) -> list[tuple[int, str]]:
    """(0-based line offset, comment text) of the real comments in ``text`` (a ``#``
    inside a string is not one)."""
    found = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.COMMENT:
                found.append((token.start[0] - 1, token.string.strip()))
    except (tokenize.TokenError, SyntaxError):
        # Fall back to the lines that start with ``#``.
        for offset, line in enumerate(source_lines(text)):
            if line.lstrip().startswith("#"):
                found.append((offset, line.strip()))
    return found


def describe_lost(lost: tuple[LostLine, ...]) -> str:
    """``12-14 (method is_passing), 20 (comment)``."""
    groups: list[tuple[int, int, str]] = []
    for item in lost:
        if groups and groups[-1][2] == item.what and groups[-1][1] == item.line - 1:
            groups[-1] = (groups[-1][0], item.line, item.what)
        else:
            groups.append((item.line, item.line, item.what))
    return ", ".join(
        f"{first}{'' if first == last else f'-{last}'} ({what})" for first, last, what in groups
    )
