"""PostgreSQL's verdict on each migration file's text, through the cache (``modelsync.cache``).

Importing pglast alone costs about 0.1 s, more than linting everything else, and migration
files are written once and then never change. So the verdict on a file (parses, empty, or
the first syntax error and its line) is kept with what it depends on: the file's bytes,
its shown path and the installed parser (its files' sizes and times, read without
importing it). A verdict is stored as one line of text, not JSON, to keep json's import
off lint's path.
"""

from __future__ import annotations

import os
from functools import lru_cache

from modelsync import cache

# Bump when what is stored changes shape.
FORMAT = b"modelsync-sql-verdict-4"


@lru_cache(maxsize=1)
def parser_stamp() -> bytes | None:
    """Who parses: pglast's files (the compiled parser and the package), without importing
    pglast. None when it cannot be found (then nothing is cached)."""
    import importlib.util

    try:
        spec = importlib.util.find_spec("pglast")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    parts = []
    for folder in spec.submodule_search_locations:
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            return None
        for entry in entries:
            if entry.is_file() and entry.name.startswith(("parser", "__init__")):
                stat = entry.stat()
                parts.append(f"{entry.name}:{stat.st_size}:{stat.st_mtime_ns}")
    return "|".join(parts).encode() if parts else None


def key_for(shown: str, data: bytes) -> bytes | None:
    """The cache identity of a file's verdict; None when the parser cannot be found."""
    stamp = parser_stamp()
    if stamp is None:
        return None
    return cache.identity(FORMAT, stamp, shown.encode("utf-8", "surrogateescape"), data)


def load(key: bytes | None) -> dict | None:
    stored = None if key is None else cache.load("sql", key)
    return None if stored is None else decode_verdict(stored)


def store(key: bytes | None, verdict: dict) -> None:
    if key is not None:
        cache.store("sql", key, encode_verdict(verdict))


def encode_verdict(verdict: dict) -> bytes:
    """``status<TAB>line<TAB>message[<TAB>facts]`` on one line: each field escaped, so that
    neither a tab nor a newline in a message can shift the fields. ``facts`` (when there
    are any) is the ``repr`` of the vector indexes' metrics and the inline-ignore comments,
    each a tuple of ``(line, text)``, read back with ``ast.literal_eval``."""
    line = verdict.get("line")
    fields = [verdict["status"], "" if line is None else str(line), verdict.get("message", "")]
    facts = (tuple(verdict.get("metrics", ())), tuple(verdict.get("ignores", ())))
    if any(facts):
        fields.append(repr(facts))
    return b"\t".join(field.encode("unicode_escape") for field in fields)


def decode_verdict(data: bytes) -> dict | None:
    try:
        status, line, message, *rest = (f.decode("unicode_escape") for f in data.split(b"\t"))
    except (UnicodeDecodeError, ValueError):
        return None
    if status not in ("ok", "empty", "error") or len(rest) > 1:
        return None
    verdict: dict = {"status": status}
    if rest:
        facts = _facts(rest[0])
        if facts is None:
            return None
        for key, value in zip(("metrics", "ignores"), facts, strict=True):
            if value:
                verdict[key] = value
    if status == "error":
        verdict.update(
            message=message, line=int(line) if line.isascii() and line.isdigit() else None
        )
    return verdict


def _facts(text: str) -> tuple | None:
    """Two tuples of ``(int, str)`` pairs, or None (a tampered entry is not used)."""
    import ast

    try:
        facts = ast.literal_eval(text)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None
    ok = (
        isinstance(facts, tuple)
        and len(facts) == 2
        and all(
            isinstance(part, tuple)
            and all(
                isinstance(pair, tuple)
                and len(pair) == 2
                and type(pair[0]) is int
                and isinstance(pair[1], str)
                for pair in part
            )
            for part in facts
        )
    )
    return facts if ok else None
