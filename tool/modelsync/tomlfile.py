"""TOML text -> its document, through the cache (``modelsync.cache``).

``pyproject.toml`` is read on every run (the config, and the SQLModel pin beside the
source), and importing tomllib compiles its regular expressions: on a small project that
is more than reading the config costs. So a parsed document is cached under the text
itself, stored as its ``repr`` and read back with ``ast.literal_eval`` (safe on any input,
and ``ast`` is loaded anyway). Documents holding anything but strings, integers, finite
floats, booleans, lists and tables (TOML dates and times, say) are parsed every time.
"""

from __future__ import annotations

import ast
import math
import sys
from typing import Any

from modelsync import cache

# Bump when what is stored changes shape.
FORMAT = b"modelsync-toml-2"
# tomllib comes with the interpreter: another Python may read the same text differently.
_PARSER = sys.version.encode()
# TOML integers are 64-bit; a longer one (tomllib reads ``0x`` and 4,000 hex digits) is
# left uncached, as ``repr`` refuses to print an integer past 4,300 digits.
_INT_RANGE = range(-(2**63), 2**63)


class TomlError(ValueError):
    """tomllib's complaint (its text names the line), or a document nested too deeply."""


def parse_toml(text: str) -> dict[str, Any]:
    key = cache.identity(FORMAT, _PARSER, text.encode("utf-8", "surrogatepass"))
    stored = cache.load("toml", key)
    if stored is not None:
        document = _literal(stored)
        if isinstance(document, dict):
            return document
    import tomllib

    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise TomlError(str(error)) from None
    except RecursionError:
        raise TomlError("nested too deeply") from None
    except ValueError as error:  # a decimal integer past Python's 4,300-digit limit
        raise TomlError(str(error)) from None
    if _plain(document):
        cache.store("toml", key, repr(document).encode("utf-8", "surrogatepass"))
    return document


def _literal(stored: bytes) -> Any:
    try:
        return ast.literal_eval(stored.decode("utf-8", "surrogatepass"))
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None


def _plain(value: Any, depth: int = 0) -> bool:
    """What ``repr`` writes and ``literal_eval`` reads back as the same value."""
    if depth > 100:
        return False
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v, depth + 1) for k, v in value.items())
    if isinstance(value, list):
        return all(_plain(item, depth + 1) for item in value)
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value in _INT_RANGE
    return isinstance(value, str | bool)
