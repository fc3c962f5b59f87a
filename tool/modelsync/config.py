"""``[tool.modelsync]`` of the project's pyproject.toml, with command-line overrides."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from modelsync.errors import ConfigError

PYPROJECT = "pyproject.toml"


@dataclass(frozen=True, slots=True)
class Config:
    root: Path
    source: str = "backend-core/models.py"
    target: str = "ai-worker/db.py"
    migrations: str = "infra/postgres/migrations"
    templates_dir: str | None = None
    vector_dim: int = 768
    sqlmodel_version: str | None = None
    ignore: tuple[str, ...] = ()
    relationships: bool = True

    @property
    def templates_path(self) -> Path | None:
        return self.root / self.templates_dir if self.templates_dir else None

    def path(self, relative: str) -> Path:
        return self.root / relative

    def shown(self, relative: str) -> str:
        """How a configured path appears in messages: as written, relative to the root."""
        return Path(relative).as_posix()


_TYPES: dict[str, type | tuple[type, ...]] = {
    "source": str,
    "target": str,
    "migrations": str,
    "templates_dir": str,
    "vector_dim": int,
    "sqlmodel_version": str,
    "ignore": list,
    "relationships": bool,
}


def load_config(root: Path, overrides: dict[str, Any]) -> Config:
    """Defaults < pyproject.toml < flags (``overrides``; None means not given)."""
    if not root.is_dir():
        raise ConfigError("project root is not a directory", str(root))
    values = _read_pyproject(root / PYPROJECT)
    values.update({k: v for k, v in overrides.items() if v is not None and v != ()})
    if "ignore" in values:
        values["ignore"] = tuple(values["ignore"])
    return replace(Config(root=root), **values)


def _read_pyproject(path: Path) -> dict[str, Any]:
    shown = PYPROJECT
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read: {exc}", shown) from None
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"at line (\d+)", str(exc))
        raise ConfigError(
            f"invalid TOML: {exc}", shown, int(match.group(1)) if match else None
        ) from None
    table = document.get("tool", {}).get("modelsync", {})
    line = _table_line(text)
    known = {f.name for f in fields(Config)} - {"root"}
    for key, value in table.items():
        if key not in known:
            raise ConfigError(
                f"unknown key {key!r} in [tool.modelsync] (known: {', '.join(sorted(known))})",
                shown,
                line,
            )
        expected = _TYPES[key]
        if not isinstance(value, expected) or (isinstance(value, bool) and expected is not bool):
            raise ConfigError(f"[tool.modelsync] {key} has the wrong type", shown, line)
    if any(not isinstance(kind, str) for kind in table.get("ignore", [])):
        raise ConfigError("[tool.modelsync] ignore must be a list of strings", shown, line)
    return dict(table)


def _table_line(text: str) -> int | None:
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip().replace(" ", "") == "[tool.modelsync]":
            return number
    return None
