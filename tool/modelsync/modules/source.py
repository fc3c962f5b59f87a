"""Read a models file and parse it, turning every way that can fail into an InputError."""

from __future__ import annotations

import ast
import os
import re
import stat
import warnings
from pathlib import Path

from modelsync.errors import InputError


def read_source(path: Path, shown: str, allow_empty: bool = False) -> str:
    """The file's text; ``shown`` is how the path appears in messages. An empty file is
    refused unless ``allow_empty`` (a package's ``__init__.py`` usually is one)."""
    try:
        data = read_regular_file(path)
    except FileNotFoundError:
        raise InputError("file not found", shown) from None
    except IsADirectoryError:
        raise InputError("is a directory, not a Python file", shown) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", shown) from None
    except ValueError as exc:  # a NUL byte in the path
        raise InputError(f"cannot read: {exc}", shown) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(f"not UTF-8 (byte 0x{data[exc.start]:02x})", shown, line) from None
    text = text.removeprefix("\ufeff")
    if not allow_empty and not text.strip():
        raise InputError("file is empty: no models to read", shown)
    return text


def read_regular_file(path: Path) -> bytes:
    """The bytes of a regular file. A FIFO would block for ever and ``/dev/zero`` would
    never end, so the file is opened without blocking and refused unless it is regular."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(21, "Is a directory")
        if not stat.S_ISREG(mode):
            raise OSError(0, "not a regular file (a FIFO, socket or device is not read)")
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


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
    """``ast.parse`` accepts a module-level ``return`` or a ``break`` outside a loop;
    CPython's compiler (and so the import SQLModel would need) refuses them. Only
    statements are walked, not expressions, so this costs little on large files."""
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
            continue
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
