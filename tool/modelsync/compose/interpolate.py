"""Compose's variable substitution, done statically.

Compose replaces ``$VAR``, ``${VAR}``, ``${VAR:-default}`` (unset or empty),
``${VAR-default}`` (unset), ``${VAR:?message}``/``${VAR?message}`` (required),
``${VAR:+other}``/``${VAR+other}`` (set) and ``$$`` (a literal ``$``) in every value,
defaults nesting further ``${...}``. Its values come from the shell's environment, then
the ``.env`` file in the project folder.

modelsync reads the ``.env`` beside the compose file, as Compose does, but never the
environment it happens to run in: lint and verify must say the same thing on every
machine and in CI. A value that needs a variable neither ``.env`` nor a default gives is
left unresolved and named (``Substituted.missing``), never guessed.
"""

from __future__ import annotations

import re
from pathlib import Path

from modelsync.files import read_bytes
from modelsync.records import record

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
MAX_ENV_BYTES = 256 * 1024


@record
class Substituted:
    """The value with every variable replaced; None when one needs the environment."""

    value: str | None
    missing: tuple[str, ...] = ()


class TemplateError(ValueError):
    """A ``${`` that never closes, or a name Compose would refuse."""


def substitute(text: str, env: dict[str, str]) -> Substituted:
    missing: list[str] = []
    value = _expand(text, env, missing, 0)
    return Substituted(None if missing else value, tuple(dict.fromkeys(missing)))


def _expand(text: str, env: dict[str, str], missing: list[str], depth: int) -> str:
    if depth > 10:
        raise TemplateError("variables nest too deeply")
    out: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char != "$":
            out.append(char)
            i += 1
            continue
        nxt = text[i + 1 : i + 2]
        if nxt == "$":
            out.append("$")
            i += 2
        elif nxt == "{":
            end = _closing(text, i + 2)
            out.append(_braced(text[i + 2 : end], env, missing, depth))
            i = end + 1
        elif (match := _NAME.match(text, i + 1)) is not None:
            out.append(_lookup(match.group(), env, missing))
            i = match.end()
        else:
            out.append("$")  # a lone ``$`` stays as it is
            i += 1
    return "".join(out)


def _closing(text: str, start: int) -> int:
    """The index of the ``}`` that closes a ``${`` opened before ``start``."""
    level = 1
    i = start
    while i < len(text):
        if text.startswith("${", i):
            level += 1
            i += 2
            continue
        if text[i] == "}":
            level -= 1
            if level == 0:
                return i
        i += 1
    raise TemplateError("a ${ is never closed")


def _braced(inner: str, env: dict[str, str], missing: list[str], depth: int) -> str:
    match = _NAME.match(inner)
    if match is None:
        raise TemplateError(f"invalid variable name in ${{{inner[:40]}}}")
    name, rest = match.group(), inner[match.end() :]
    if not rest:
        return _lookup(name, env, missing)
    for operator in (":-", "-", ":?", "?", ":+", "+"):
        if rest.startswith(operator):
            argument = rest[len(operator) :]
            break
    else:
        raise TemplateError(f"invalid substitution ${{{inner[:40]}}}")
    is_set = name in env
    is_full = is_set and env[name] != ""
    present = is_full if operator.startswith(":") else is_set
    if operator in (":-", "-"):
        return env[name] if present else _expand(argument, env, missing, depth + 1)
    if operator in (":+", "+"):
        return _expand(argument, env, missing, depth + 1) if present else ""
    if present:  # required, and given
        return env[name]
    missing.append(name)
    return ""


def _lookup(name: str, env: dict[str, str], missing: list[str]) -> str:
    if name in env:
        return env[name]
    missing.append(name)
    return ""


def read_env_file(folder: Path) -> dict[str, str]:
    """``.env`` beside the compose file, as Compose reads it: ``KEY=value`` lines,
    ``export`` allowed, ``#`` comments, single quotes literal, double quotes with ``\\n``
    escapes, and ``${VAR}`` in unquoted and double-quoted values from earlier lines. A
    missing, unreadable, non-regular or oversized file gives nothing."""
    try:
        data = read_bytes(folder / ".env", MAX_ENV_BYTES)
    except (OSError, ValueError):
        return {}
    env: dict[str, str] = {}
    for line in data.decode("utf-8", "replace").splitlines():
        parsed = _env_line(line, env)
        if parsed is not None:
            env[parsed[0]] = parsed[1]
    return env


_ENV_LINE = re.compile(r"\s*(?:export\s+)?(?P<key>[A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(?P<value>.*)")


def _env_line(line: str, env: dict[str, str]) -> tuple[str, str] | None:
    match = _ENV_LINE.fullmatch(line)
    if match is None or line.lstrip().startswith("#"):
        return None
    key, raw = match.group("key"), match.group("value")
    if raw.startswith("'"):
        end = raw.find("'", 1)
        return (key, raw[1:end] if end > 0 else raw[1:])
    if raw.startswith('"'):
        end = 1
        while end < len(raw) and raw[end] != '"':
            end += 2 if raw[end] == "\\" else 1
        body = raw[1:end].replace("\\n", "\n").replace('\\"', '"').replace("\\\\", "\\")
        return (key, _quiet(body, env))
    value = re.split(r"\s+#", raw, maxsplit=1)[0].strip()
    return (key, _quiet(value, env))


def _quiet(text: str, env: dict[str, str]) -> str:
    try:
        return substitute(text, env).value or ""
    except TemplateError:
        return text
