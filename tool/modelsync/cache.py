"""modelsync's cache on disk: facts derived from files, each stored with all it came from.

Two kinds of fact are kept: PostgreSQL's verdict on a migration file (``lint.sql_cache``)
and the parsed TOML of ``pyproject.toml`` (``tomlfile``; lock files are read as text).
Both are costly for a different reason than their size: importing pglast, and tomllib
compiling its regular expressions at import, each cost a small project's ``lint`` or
``check`` more than reading everything else. An entry is stored with its whole input (the
*identity*: the file's bytes and whatever else the fact depends on) and used only when that
input is byte for byte the same, so any change computes the fact again; an entry's file
name is only a checksum of the identity. A changed file leaves its old entry behind, as
large as its input: nothing prunes the folder.

The cache lives in ``MODELSYNC_CACHE_DIR``, else ``$XDG_CACHE_HOME/modelsync``, else
``~/.cache/modelsync``; ``MODELSYNC_CACHE=0`` turns it off. It is only ever an
optimisation: a cache that cannot be read or written is ignored. No hashlib here: OpenSSL's
start-up under it would cost more than the cache saves.
"""

from __future__ import annotations

import contextlib
import os
import zlib
from pathlib import Path


def cache_dir() -> Path | None:
    if os.environ.get("MODELSYNC_CACHE", "1") in ("0", "false", "no", "off"):
        return None
    explicit = os.environ.get("MODELSYNC_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):  # the XDG rule: a relative value is ignored
        home = os.path.expanduser("~")
        if not os.path.isabs(home) or home == os.sep:
            return None  # no home folder to speak of (HOME unset or empty): no cache
        base = os.path.join(home, ".cache")
    return Path(base) / "modelsync"


def identity(*parts: bytes) -> bytes:
    """The parts framed by their lengths, so that no two lists of parts run together."""
    return b"".join(len(part).to_bytes(8, "big") + part for part in parts)


def load(kind: str, key: bytes) -> bytes | None:
    """The payload stored for exactly this identity, or None."""
    entry = _entry(kind, key)
    if entry is None:
        return None
    try:
        stored = entry.read_bytes()
    except OSError:
        return None
    head = len(key).to_bytes(8, "big") + key
    return stored[len(head) :] if stored.startswith(head) else None


def store(kind: str, key: bytes, payload: bytes) -> None:
    entry = _entry(kind, key)
    if entry is None:
        return
    # A new file of a random name, created exclusively: a symlink planted at a guessable
    # name in a shared cache folder cannot redirect the write, and two processes (say pid
    # 1 in two containers) never write the same file. Renamed into place whole.
    temporary = entry.with_name(f".{entry.name}.{os.urandom(8).hex()}.tmp")
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(len(key).to_bytes(8, "big") + key + payload)
        os.replace(temporary, entry)
    except OSError:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)


def _entry(kind: str, key: bytes) -> Path | None:
    folder = cache_dir()
    return None if folder is None else folder / kind / f"{zlib.crc32(key):08x}-{len(key)}"
