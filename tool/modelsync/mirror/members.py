"""What replacing a mirrored class of an unmarked target would lose, and what it carries out.

When a team adopts modelsync, each class of ``db.py`` that mirrors a source table is
replaced by the source's class. Its fields, ``__tablename__``, ``__table_args__`` and
docstring are the mirror's business and are replaced (that is the fix for drift).

- A comment inside the class body that the source's class does not have too (``# Using
  Any for embedding to bypass ...``) is a note a person wrote about the mirror: it is
  carried out of the class and kept just above the region, saying which class (and, for a
  comment on a field's own lines, which attribute) it came from. Adoption keeps it, so it
  needs no ``--force``.
- A method, a nested class (``class Config``), any other statement, with the comments
  directly above it, is code: it is refused, naming every line, rather than lost
  (``--force`` drops it on purpose).

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
CARRIED_PREFIX = "# (from class "


@record
class LostLine:
    line: int
    what: str  # "method is_passing", "class Config", "statement `expr`", ...


@record
class CarriedComment:
    """A comment of the target's class that adoption keeps above the region."""

    line: int
    text: str  # the comment after its ``#`` and one space
    class_name: str
    attribute: str | None  # the field or attribute whose lines hold the comment

    def rendered(self) -> str:
        """``# (from class Resume) Using Any for ...``; ``# (from class User, level) mine``."""
        where = self.class_name
        if self.attribute is not None:
            where += f", {self.attribute}"
        return f"{CARRIED_PREFIX}{where}) {self.text}".rstrip()


@record
class Adoption:
    """What replacing one class does to its hand-written lines."""

    lost: tuple[LostLine, ...]  # code: refused, or dropped with --force
    carried: tuple[CarriedComment, ...]  # comments: kept above the region


def adopt_members(
    target: ast.ClassDef, target_lines: list[str], source: ast.ClassDef | None, source_text: str
) -> Adoption:
    """The hand-written lines of ``target`` that replacing it by ``source`` would lose
    (code) or must carry out of the class (comments)."""
    lost = _lost_code(target, target_lines, source)
    kept_comments = {text for _, text in _comments(source_text)}
    lost_lines = {item.line for item in lost}
    carried: list[CarriedComment] = []
    class_text = "\n".join(target_lines[target.lineno - 1 : target.end_lineno])
    for offset, text in _comments(class_text):
        number = target.lineno + offset
        if text in kept_comments or number in lost_lines:
            continue
        body = text[1:].removeprefix(" ")
        carried.append(CarriedComment(number, body, target.name, _attribute_at(target, number)))
    return Adoption(lost, tuple(carried))


def _lost_code(
    target: ast.ClassDef, target_lines: list[str], source: ast.ClassDef | None
) -> tuple[LostLine, ...]:
    kept = _member_dumps(source) if source is not None else set()
    lost: list[LostLine] = []
    for stmt in target.body:
        if _is_docstring(stmt, target) or isinstance(stmt, _MIRRORED):
            continue
        if ast.dump(stmt) in kept:
            continue
        first = _first_line(stmt, target_lines, target.lineno + 1)
        what = _describe(stmt)
        lost.extend(LostLine(n, what) for n in range(first, (stmt.end_lineno or first) + 1))
    return tuple(sorted(lost, key=lambda item: item.line))


def _first_line(stmt: ast.stmt, lines: list[str], lowest: int) -> int:
    """The statement's first line with its decorators and the comment lines directly
    above it (a comment on a method goes with the method), not above ``lowest``."""
    first = min([stmt.lineno, *(d.lineno for d in getattr(stmt, "decorator_list", []))])
    while first > lowest and lines[first - 2].lstrip().startswith("#"):
        first -= 1
    return first


def _attribute_at(target: ast.ClassDef, number: int) -> str | None:
    """The attribute whose statement spans line ``number`` (a comment after a field, or
    inside its ``Field(...)``), None for a comment on a line of its own."""
    for stmt in target.body:
        if stmt.lineno <= number <= (stmt.end_lineno or stmt.lineno):
            if isinstance(stmt, ast.Assign):
                stmt_target = stmt.targets[0]
            else:
                stmt_target = getattr(stmt, "target", None)
            return stmt_target.id if isinstance(stmt_target, ast.Name) else None
    return None


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
    """``12-14 (method is_passing), 20 (class Config)``."""
    groups: list[tuple[int, int, str]] = []
    for item in lost:
        if groups and groups[-1][2] == item.what and groups[-1][1] == item.line - 1:
            groups[-1] = (groups[-1][0], item.line, item.what)
        else:
            groups.append((item.line, item.line, item.what))
    return ", ".join(
        f"{first}{'' if first == last else f'-{last}'} ({what})" for first, last, what in groups
    )
