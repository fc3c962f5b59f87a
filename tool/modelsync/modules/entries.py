"""A configured source or target -> the Python files it names.

A side is one file (the standard's layout), a package folder (every ``.py`` file under
it, hidden folders and ``__pycache__`` left out), or a list of files, folders and globs
(``app/models/*.py``, ``src/**/models.py``). Files come out sorted, without repeats.
"""

from __future__ import annotations

import re

from modelsync.errors import ConfigError, InputError
from modelsync.modules.tree import join, normalized

_GLOB_CHARS = frozenset("*?[")


def entry_files(tree, items: tuple[str, ...], what: str) -> tuple[str, ...]:
    """``what`` names the setting in messages (``source``, ``--target``)."""
    files: list[str] = []
    for item in items:
        if not item.strip():
            raise ConfigError(f"{what}: the path is empty")
        path = normalized(item)
        if hasattr(tree, "project_path"):
            path = tree.project_path(path)
        if _GLOB_CHARS & set(item):
            try:
                pattern = _glob_pattern(path)
            except ConfigError as error:
                raise ConfigError(f"{what}: {error.message}") from None
            matched = [f for f in _walk(tree, _glob_base(path)) if pattern.match(f)]
            if not matched:
                raise ConfigError(f"{what}: {item!r} matches no Python file")
            files += matched
        elif tree.kind(path) == "dir":
            found = list(_walk(tree, path))
            if not found:
                raise InputError("folder holds no Python file", path)
            files += found
        else:  # a file; reading it says so if it is missing
            files.append(path)
    return tuple(dict.fromkeys(sorted(files, key=_package_order)))


def _package_order(path: str) -> tuple:
    # A package's __init__ before its modules: Python runs it first.
    parts = path.split("/")
    return (*parts[:-1], "" if parts[-1] == "__init__.py" else parts[-1])


def _walk(tree, folder: str):
    entries = tree.listing(folder) or {}
    for name in sorted(entries):
        if name.startswith(".") or name == "__pycache__":
            continue
        path = join(folder, name)
        if entries[name]:
            yield from _walk(tree, path)
        elif name.endswith(".py"):
            yield path


def _glob_base(pattern: str) -> str:
    """The folder above the first part with a wildcard: where the walk starts."""
    parts = []
    for part in pattern.split("/"):
        if _GLOB_CHARS & set(part):
            break
        parts.append(part)
    return "/".join(parts) or "."


def _glob_pattern(pattern: str) -> re.Pattern[str]:
    """A glob as shells read it: ``*`` and ``?`` stay within one folder, ``**/`` spans any
    number of folders."""
    out = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:[^/]+/)*")
            i += 3
            continue
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        char = pattern[i]
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[":
            end = pattern.find("]", i + 1)
            if end == -1:
                out.append(re.escape(char))
            else:
                body = pattern[i + 1 : end].replace("\\", "\\\\").replace("[", "\\[")
                out.append("[" + ("^" + body[1:] if body.startswith("!") else body) + "]")
                i = end
        else:
            out.append(re.escape(char))
        i += 1
    try:
        return re.compile("".join(out) + r"\Z")
    except re.error as exc:  # ``[z-a]``, ``[]``: a class no glob can mean
        raise ConfigError(f"{pattern!r} is not a glob ({exc})") from None
