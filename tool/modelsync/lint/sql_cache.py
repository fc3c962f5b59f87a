"""A cache of what PostgreSQL's parser said about each migration file's text.

Importing pglast alone costs about 0.1 s, more than linting everything else, and migration
files are written once and then never change. So the verdict on a file (parses, empty, or
the first syntax error and its line) is kept under a key made of the file's bytes, its shown
path and the installed parser (its files' sizes and times, read without importing it): any
change to either parses again. The cache lives in ``MODELSYNC_CACHE_DIR``, else
``$XDG_CACHE_HOME/modelsync``, else ``~/.cache/modelsync``; ``MODELSYNC_CACHE=0`` turns it
off. It is only ever an optimisation: a cache that cannot be read or written is ignored.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from functools import lru_cache
from pathlib import Path

# Bump when what is stored changes shape.
FORMAT = b"modelsync-sql-verdict-1"


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


def key_for(shown: str, data: bytes) -> str | None:
    stamp = parser_stamp()
    if stamp is None:
        return None
    digest = hashlib.sha256(FORMAT)
    for part in (stamp, shown.encode("utf-8", "surrogateescape"), data):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def load(key: str | None) -> dict | None:
    folder = cache_dir()
    if key is None or folder is None:
        return None
    try:
        verdict = json.loads((folder / "sql" / f"{key}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return verdict if isinstance(verdict, dict) and "status" in verdict else None


def store(key: str | None, verdict: dict) -> None:
    folder = cache_dir()
    if key is None or folder is None:
        return
    target = folder / "sql" / f"{key}.json"
    temporary = target.with_name(f".{key}.{os.getpid()}.tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_text(json.dumps(verdict), encoding="utf-8")
        os.replace(temporary, target)
    except OSError:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
