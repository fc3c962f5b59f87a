"""A cache of what PostgreSQL's parser said about each migration file's text.

Importing pglast alone costs about 0.1 s, more than linting everything else, and migration
files are written once and then never change. So the verdict on a file (parses, empty, or
the first syntax error and its line) is kept together with everything it depends on: the
file's bytes, its shown path and the installed parser (its files' sizes and times, read
without importing it). A cached verdict is used only when all of that is byte for byte the
same, so any change parses again; the file's name in the cache is just a checksum of it.
The cache lives in ``MODELSYNC_CACHE_DIR``, else ``$XDG_CACHE_HOME/modelsync``, else
``~/.cache/modelsync``; ``MODELSYNC_CACHE=0`` turns it off. It is only ever an
optimisation: a cache that cannot be read or written is ignored.

No hashlib and no json here: on ``lint``'s path their imports (OpenSSL's start-up above
all) cost more than reading the cache saves.
"""

from __future__ import annotations

import contextlib
import os
import zlib
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

# Bump when what is stored changes shape.
FORMAT = b"modelsync-sql-verdict-2"


class CacheKey(NamedTuple):
    name: str
    # Everything the verdict depends on, stored beside it and compared in full on reading.
    identity: bytes


def cache_dir() -> Path | None:
    if os.environ.get("MODELSYNC_CACHE", "1") in ("0", "false", "no", "off"):
        return None
    explicit = os.environ.get("MODELSYNC_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "modelsync"


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


def key_for(shown: str, data: bytes) -> CacheKey | None:
    stamp = parser_stamp()
    if stamp is None:
        return None
    identity = b"".join(
        len(part).to_bytes(8, "big") + part
        for part in (FORMAT, stamp, shown.encode("utf-8", "surrogateescape"), data)
    )
    return CacheKey(f"{zlib.crc32(identity):08x}-{len(identity)}", identity)


def load(key: CacheKey | None) -> dict | None:
    folder = cache_dir()
    if key is None or folder is None:
        return None
    try:
        stored = (folder / "sql" / key.name).read_bytes()
    except OSError:
        return None
    verdict_line, _, identity = stored.partition(b"\n")
    return decode_verdict(verdict_line) if identity == key.identity else None


def store(key: CacheKey | None, verdict: dict) -> None:
    folder = cache_dir()
    if key is None or folder is None:
        return
    target = folder / "sql" / key.name
    temporary = target.with_name(f".{key.name}.{os.getpid()}.tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_bytes(encode_verdict(verdict) + b"\n" + key.identity)
        os.replace(temporary, target)
    except OSError:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)


def encode_verdict(verdict: dict) -> bytes:
    """``status<TAB>line<TAB>message`` on one line: each field escaped, so that neither a
    tab nor a newline in a message can shift the fields."""
    line = verdict.get("line")
    fields = (verdict["status"], "" if line is None else str(line), verdict.get("message", ""))
    return b"\t".join(field.encode("unicode_escape") for field in fields)


def decode_verdict(data: bytes) -> dict | None:
    try:
        status, line, message = (field.decode("unicode_escape") for field in data.split(b"\t"))
    except (UnicodeDecodeError, ValueError):
        return None
    if status not in ("ok", "empty", "error"):
        return None
    verdict: dict = {"status": status}
    if status == "error":
        verdict.update(message=message, line=int(line) if line.isdigit() else None)
    return verdict
