"""Which lint rules run: ``[tool.modelsync.lint]`` and the ``--select``/``--ignore`` flags.

``select`` chooses the rules (default: all); ``ignore`` drops some of them. A ``--select``
flag replaces the configured selection; ``--ignore`` flags add to the configured ones.
Flags may repeat or list names with commas. ``vector_dims`` names columns that
deliberately have another dimension than ``vector_dim``: ``{"resumes.embedding" = 384}``.
Every unknown name or key is an error naming pyproject.toml and the line.
"""

from __future__ import annotations

import re
from typing import Any

from modelsync.config import MAX_VECTOR_DIM, PYPROJECT, Config
from modelsync.errors import ConfigError
from modelsync.files import CONFIG_LIMIT, text_or_none
from modelsync.lint.registry import RULE_NAMES, check_names
from modelsync.records import record

KEYS = ("select", "ignore", "vector_dims")
_HEADER = r"^\s*\[\s*tool\s*\.\s*modelsync\s*\.\s*lint\s*\]"


@record
class LintSettings:
    rules: tuple[str, ...]
    vector_dims: tuple[tuple[str, int], ...]

    def runs(self, name: str) -> bool:
        return name in self.rules


def lint_settings(config: Config, select: tuple[str, ...], ignore: tuple[str, ...]) -> LintSettings:
    table = dict(config.lint)
    text = _pyproject_text(config) if table else ""
    # Without its own line (``lint = {...}`` inline), a key is named at the header or at
    # the line of ``lint`` itself.
    header = _line_of(text, _HEADER) or config.line_of("lint")
    for key in table:
        if key not in KEYS:
            raise ConfigError(
                f"unknown key {key!r} in [tool.modelsync.lint] (known: {', '.join(KEYS)})",
                PYPROJECT,
                _line_of(text, _key(key)) or header,
            )
    configured_select = _names(table, "select", text, header)
    configured_ignore = _names(table, "ignore", text, header)
    flag_select, flag_ignore = _split(select), _split(ignore)
    check_names(flag_select, "--select")
    check_names(flag_ignore, "--ignore")
    chosen = flag_select or configured_select or RULE_NAMES
    dropped = set(configured_ignore) | set(flag_ignore)
    rules = tuple(name for name in RULE_NAMES if name in chosen and name not in dropped)
    return LintSettings(rules, _vector_dims(table, text, header))


def _names(table: dict[str, Any], key: str, text: str, header: int | None) -> tuple[str, ...]:
    value = table.get(key, ())
    line = _line_of(text, _key(key)) or header
    if not isinstance(value, tuple) or not all(isinstance(v, str) for v in value):
        raise ConfigError(
            f"[tool.modelsync.lint] {key} must be a list of rule names", PYPROJECT, line
        )
    for name in value:
        where = _line_of(text, rf"[\"']{re.escape(name)}[\"']") or line
        check_names((name,), f"[tool.modelsync.lint] {key}", PYPROJECT, where)
    return value


def _vector_dims(table: dict[str, Any], text: str, header: int | None):
    value = table.get("vector_dims", ())
    line = _line_of(text, _key("vector_dims")) or header
    ok = isinstance(value, tuple) and all(
        isinstance(v, tuple)
        and len(v) == 2
        and isinstance(v[1], int)
        and not isinstance(v[1], bool)
        and 0 < v[1] <= MAX_VECTOR_DIM
        and re.fullmatch(r"[^.]+\.[^.]+", v[0])
        for v in value
    )
    if not ok:
        raise ConfigError(
            '[tool.modelsync.lint] vector_dims must map "table.column" to a number of '
            f"dimensions from 1 to {MAX_VECTOR_DIM}",
            PYPROJECT,
            line,
        )
    return value


def _split(flags: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(n.strip() for flag in flags for n in flag.split(",") if n.strip())


def _pyproject_text(config: Config) -> str:
    return text_or_none(config.root / PYPROJECT, CONFIG_LIMIT) or ""


def _key(key: str) -> str:
    """``key =`` at the start of a line, dotted (``lint.key =``) or in an inline table."""
    return rf"(?:^\s*|[{{,.]\s*){re.escape(key)}\s*="


def _line_of(text: str, pattern: str) -> int | None:
    """The first matching line after ``[tool.modelsync.lint]`` (or anywhere without it)."""
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if re.match(_HEADER, line)), 0)
    for number in range(start, len(lines)):
        if re.search(pattern, lines[number]):
            return number + 1
    return None
