"""Read a models file and parse it, turning every way that can fail into an InputError."""

from __future__ import annotations

import ast
import os
import re
import stat
from pathlib import Path

from modelsync.errors import InputError


def read_source(path: Path, shown: str) -> str:
    """The file's text; ``shown`` is how the path appears in messages."""
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
    if not text.strip():
        raise InputError("file is empty: no models to read", shown)
    return text.removeprefix("\ufeff")


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
    return "\r\n" if first and first.group().endswith("\r\n") else "\n"


def parse_python(text: str, shown: str) -> ast.Module:
    try:
        return ast.parse(text, filename=shown)
    except SyntaxError as exc:
        raise InputError(f"syntax error: {exc.msg}", shown, exc.lineno) from None
    except ValueError as exc:  # e.g. NUL bytes
        raise InputError(f"cannot parse: {exc}", shown) from None
