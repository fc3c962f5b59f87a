"""Read a models file and parse it, turning every way that can fail into an InputError."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from modelsync.errors import InputError


def read_source(path: Path, shown: str) -> str:
    """The file's text; ``shown`` is how the path appears in messages."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError("file not found", shown) from None
    except IsADirectoryError:
        raise InputError("is a directory, not a Python file", shown) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", shown) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(f"not UTF-8 (byte 0x{data[exc.start]:02x})", shown, line) from None
    if not text.strip():
        raise InputError("file is empty: no models to read", shown)
    return text.removeprefix("\ufeff")


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
    return "\r\n" if first and first.group().endswith("\r\n") else "\n"


def parse_python(text: str, shown: str) -> ast.Module:
    try:
        return ast.parse(text, filename=shown)
    except SyntaxError as exc:
        raise InputError(f"syntax error: {exc.msg}", shown, exc.lineno) from None
    except ValueError as exc:  # e.g. NUL bytes
        raise InputError(f"cannot parse: {exc}", shown) from None
