"""Read a models file and parse it, turning every way that can fail into an InputError."""

from __future__ import annotations

import ast
import re
import sys
import warnings
from pathlib import Path

from modelsync.errors import InputError
from modelsync.files import read_text


def read_source(path: Path, shown: str, allow_empty: bool = False) -> str:
    """The file's text; ``shown`` is how the path appears in messages. A FIFO, a device
    or a file past ``files.TEXT_LIMIT`` is refused (``files.read_regular``). An empty file
    is refused unless ``allow_empty`` (a package's ``__init__.py`` usually is one)."""
    text = read_text(path, shown).removeprefix("\ufeff")
    if not allow_empty and not text.strip():
        raise InputError("file is empty: no models to read", shown)
    return text


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")
_UTF16_HINT = "; the file looks like UTF-16: save it as UTF-8"


def refuse_nul(text: str, shown: str) -> None:
    """A NUL byte, named at its line: Python's parser refuses one without saying where,
    and PostgreSQL's takes it for the end of the text. (A UTF-16 file without a byte order
    mark reads as UTF-8 with a NUL after each ASCII letter.)"""
    at = text.find("\0")
    if at < 0:
        return
    start = text[:200]
    hint = _UTF16_HINT if start.count("\0") * 3 >= len(start) else ""
    line = len(source_lines(text[:at] + "."))  # the line the NUL stands on
    raise InputError(f"contains a NUL byte{hint}", shown, line)


def source_lines(text: str, keepends: bool = False) -> list[str]:
    """The lines of a source file as Python's parser counts them.

    ``str.splitlines`` also breaks at form feeds and other separators that the parser
    does not count, which would shift every line number after them.
    """
    lines = _LINE.findall(text)
    return lines if keepends else [line.rstrip("\r\n") for line in lines]


def newline_of(text: str) -> str:
    """The line ending a file uses (that of its first line)."""
    first = _LINE.match(text)
    if first and first.group().endswith("\r\n"):
        return "\r\n"
    if first and first.group().endswith("\r"):
        return "\r"  # classic Mac OS line endings: kept as they are
    return "\n"


def parse_python(text: str, shown: str) -> ast.Module:
    refuse_nul(text, shown)
    try:
        with warnings.catch_warnings():
            # ``x is 1`` or ``1if x else 2`` make the parser print a SyntaxWarning on
            # stderr: noise for a tool that reads the file, and not one line.
            warnings.simplefilter("ignore")
            module = ast.parse(text, filename=shown)
    except SyntaxError as exc:
        message = " ".join(str(exc.msg).split())
        raise InputError(f"syntax error: {message}", shown, exc.lineno) from None
    except ValueError as exc:  # e.g. NUL bytes
        raise InputError(f"cannot parse: {exc}", shown) from None
    except (RecursionError, MemoryError):
        raise InputError(
            "an expression nests too deeply (or is too long) to parse", shown, _longest_line(text)
        ) from None
    refuse_what_python_would_not_compile(module, shown)
    refuse_unprintable_integers(text, module, shown)
    return module


def _longest_line(text: str) -> int | None:
    """Where a parse that ran out of depth most likely failed: the logical line with the
    most tokens (found without recursion)."""
    import io
    import tokenize

    best, best_count, count, start = None, 0, 0, None
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if start is None:
                start = token.start[0]
            count += 1
            if token.type in (tokenize.NEWLINE, tokenize.ENDMARKER):
                if count > best_count:
                    best, best_count = start, count
                count, start = 0, None
    except (tokenize.TokenError, SyntaxError, RecursionError):
        pass
    if start is not None and count > best_count:
        best = start
    return best


# Statements with a value and no nested statements.
_LEAF_STATEMENTS = frozenset({ast.AnnAssign, ast.Assign})
# Statements the parser accepts but the compiler refuses outside a function or a loop.
_FUNCTION_ONLY = (ast.Return,)
_LOOP_ONLY = (ast.Break, ast.Continue)


def refuse_what_python_would_not_compile(module: ast.Module, shown: str) -> None:
    """``ast.parse`` accepts a module-level ``return``, a ``break`` outside a loop or
    ``from __future__ import braces``; CPython's compiler (and so the import SQLModel
    would need) refuses them. Only statements are walked, not expressions, so this costs
    little on large files."""
    _refuse_bad_future_imports(module, shown)
    top_level = {id(node) for node in module.body if _is_future_import(node)}
    stack: list[tuple[ast.stmt, bool]] = [(node, False) for node in module.body]
    while stack:
        node, in_loop = stack.pop()
        kind = type(node)
        if kind in _LEAF_STATEMENTS:
            # Most statements of a models file (a class body's fields): nothing nests
            # in them but a value, whose keywords are all there is to check.
            _refuse_repeated_keywords(node.value, shown)
            continue
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            _refuse_nested_future_imports(node.body, shown)
            continue
        if _is_future_import(node) and id(node) not in top_level:
            raise InputError(f"syntax error: {_FUTURE_NOT_FIRST}", shown, node.lineno)
        if isinstance(node, _FUNCTION_ONLY):
            raise InputError("syntax error: 'return' outside function", shown, node.lineno)
        if isinstance(node, _LOOP_ONLY) and not in_loop:
            word = "break" if isinstance(node, ast.Break) else "continue"
            raise InputError(f"syntax error: '{word}' outside loop", shown, node.lineno)
        if isinstance(node, ast.Expr) and isinstance(
            node.value, ast.Yield | ast.YieldFrom | ast.Await
        ):
            word = "await" if isinstance(node.value, ast.Await) else "yield"
            raise InputError(f"syntax error: '{word}' outside function", shown, node.lineno)
        if isinstance(node, ast.Nonlocal):
            raise InputError(
                "syntax error: nonlocal declaration not allowed at module level",
                shown,
                node.lineno,
            )
        _refuse_repeated_keywords(getattr(node, "value", None), shown)
        loop = isinstance(node, ast.For | ast.AsyncFor | ast.While)
        if isinstance(node, ast.ClassDef):
            stack.extend((child, False) for child in node.body)
            continue
        for name in ("body", "orelse", "finalbody"):
            # A loop's else clause is outside the loop.
            inside = in_loop or (loop and name == "body")
            stack.extend((child, inside) for child in getattr(node, name, ()))
        for handler in getattr(node, "handlers", ()):
            stack.extend((child, in_loop) for child in handler.body)
        for case in getattr(node, "cases", ()):
            stack.extend((child, in_loop) for child in case.body)


_FUTURE_NOT_FIRST = "from __future__ imports must occur at the beginning of the file"


def _is_future_import(node: ast.stmt) -> bool:
    return isinstance(node, ast.ImportFrom) and node.module == "__future__" and not node.level


def _refuse_bad_future_imports(module: ast.Module, shown: str) -> None:
    """CPython's rules for ``from __future__ import ...`` at the top level: only a
    docstring and other future imports before it, and only features it knows."""
    import __future__

    leading = True
    for number, node in enumerate(module.body):
        if not _is_future_import(node):
            docstring = (
                number == 0
                and isinstance(node, ast.Expr)
                and (isinstance(node.value, ast.Constant) and isinstance(node.value.value, str))
            )
            leading = leading and docstring
            continue
        if not leading:
            raise InputError(f"syntax error: {_FUTURE_NOT_FIRST}", shown, node.lineno)
        for alias in node.names:
            if alias.name == "braces":
                raise InputError("syntax error: not a chance", shown, node.lineno)
            if alias.name not in __future__.all_feature_names:
                raise InputError(
                    f"syntax error: future feature {alias.name} is not defined",
                    shown,
                    node.lineno,
                )


def _refuse_nested_future_imports(body: list[ast.stmt], shown: str) -> None:
    """A future import inside a function (at any depth) is refused by the compiler."""
    pending = list(body)
    while pending:
        node = pending.pop()
        if _is_future_import(node):
            raise InputError(f"syntax error: {_FUTURE_NOT_FIRST}", shown, node.lineno)
        for name in ("body", "orelse", "finalbody"):
            pending.extend(getattr(node, name, ()))
        for handler in getattr(node, "handlers", ()):
            pending.extend(handler.body)
        for case in getattr(node, "cases", ()):
            pending.extend(case.body)


# A non-decimal integer literal this long may exceed the digits Python will print (a
# decimal one that long is refused by the parser itself): 10**4300 needs 3572 hex, 4763
# octal or 14285 binary digits. Only a file holding such a run of digits is walked.
_LONG_LITERAL = re.compile(r"0[xX][0-9a-fA-F_]{3500,}|0[oO][0-7_]{4700,}|0[bB][01_]{14000,}")


def refuse_unprintable_integers(text: str, module: ast.Module, shown: str) -> None:
    """An integer literal of more digits than Python converts to text (4300 by default)
    is refused at its line, as the parser refuses a decimal one: a default, a length or
    a message that holds it could never be printed."""
    if not _LONG_LITERAL.search(text):
        return
    limit = sys.get_int_max_str_digits()  # 0: no limit
    for node in ast.walk(module):
        value = node.value if isinstance(node, ast.Constant) else None
        if limit and type(value) is int and value.bit_length() > 3 * limit >= 0:
            if abs(value) < 10**limit:
                continue
            raise InputError(
                f"integer literal too large: more than {limit} digits, which Python "
                "refuses to convert to text",
                shown,
                node.lineno,
            )


def _refuse_repeated_keywords(value: ast.expr | None, shown: str) -> None:
    """``f(a=1, a=2)`` as a statement's value (the evaluator checks the calls it reads)."""
    if not isinstance(value, ast.Call):
        return
    seen: set[str] = set()
    for keyword in value.keywords:
        if keyword.arg in seen:
            raise InputError(
                f"syntax error: keyword argument repeated: {keyword.arg}", shown, keyword.lineno
            )
        if keyword.arg:
            seen.add(keyword.arg)
