"""``[tool.modelsync]`` of the project's pyproject.toml, with command-line overrides.

The configured paths are untrusted input (pyproject.toml comes with a pull request and
``generate`` runs as a hook), so every one of them must resolve inside the project root;
only a flag on the command line (``--allow-outside-root``), never the file, lifts that.

To add a key: a field on ``Config`` and its type in ``_TYPES`` (a path also in ``PATH_KEYS``).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from modelsync.errors import ConfigError, InputError
from modelsync.files import CONFIG_LIMIT, read_text
from modelsync.records import field, fields, record, replace
from modelsync.tomlfile import TomlError, parse_toml

PYPROJECT = "pyproject.toml"
# Keys a command line may set but the file may not.
FLAG_ONLY = frozenset({"allow_outside_root"})
PATH_KEYS = ("source", "target", "migrations", "templates_dir", "pythonpath", "compose_file")
# pgvector's ``vector`` type holds at most this many dimensions.
MAX_VECTOR_DIM = 16000
# Longest file name component (bytes) most file systems take, and longest path.
_NAME_MAX = 255
_PATH_MAX = 4096


@record
class Config:
    root: Path
    # One models file, a package folder, or a list of files, folders and globs.
    source: str | tuple[str, ...] = "backend-core/models.py"
    target: str | tuple[str, ...] = "ai-worker/db.py"
    migrations: str = "infra/postgres/migrations"
    templates_dir: str | None = None
    vector_dim: int = 768
    sqlmodel_version: str | None = None
    ignore: tuple[str, ...] = ()
    relationships: bool = True
    # verify's bound on one migration statement, in seconds.
    verify_statement_timeout: float = 60.0
    allow_outside_root: bool = False
    # Extra folders absolute imports are looked up in (relative to the root), before the
    # ones found by walking up from the models (the name of pytest's option).
    pythonpath: tuple[str, ...] = ()
    # lint's engine modules (None: ai-worker/db.py and backend-core/database.py where present)
    engine_files: tuple[str, ...] | None = None
    # check --database-url / migration --from-database: the schema read, and the tables
    # of the database that belong to something else (fnmatch patterns, e.g. "celery_*").
    db_schema: str = "public"
    db_ignore_tables: tuple[str, ...] = ()
    # The docker-compose file (None: the first name Compose itself looks for, if any).
    compose_file: str | None = None
    # SQL files verify runs first, as a fresh volume would, for a project without a
    # compose file (None: the compose file's mounts decide).
    init_scripts: tuple[str, ...] | None = None
    # [tool.modelsync.lint] as read (select, ignore, vector_dims), frozen; lint.settings
    # checks it. A sub-table, because `ignore` above already means drift kinds for check.
    lint: tuple[tuple[str, Any], ...] = ()
    # Key -> its line in pyproject.toml, for messages about a value read from there.
    key_lines: tuple[tuple[str, int], ...] = field(default=(), compare=False)

    def line_of(self, key: str) -> int | None:
        """The pyproject.toml line of a key read from there (None: not from the file)."""
        return next((line for name, line in self.key_lines if name == key), None)

    @property
    def templates_path(self) -> Path | None:
        return self.root / self.templates_dir if self.templates_dir else None

    def path(self, relative: str) -> Path:
        return self.root / relative

    @property
    def source_items(self) -> tuple[str, ...]:
        return _items(self.source)

    @property
    def target_items(self) -> tuple[str, ...]:
        return _items(self.target)

    @property
    def source_shown(self) -> str:
        """How messages name the source: its path, or its paths joined."""
        return ", ".join(self.shown(item) for item in self.source_items)

    @property
    def target_shown(self) -> str:
        return ", ".join(self.shown(item) for item in self.target_items)

    @property
    def source_anchor(self) -> str:
        """A path of the source to look for the project's pins from: its first file, or
        a file inside its folder (the pin search starts at the path's parent)."""
        return _anchor(self.source_items[0])

    @property
    def target_anchor(self) -> str:
        return _anchor(self.target_items[0])

    def tree(self):
        """The project's files as module resolution reads them."""
        from modelsync.modules.tree import DiskTree

        return DiskTree(self.root, self.allow_outside_root)

    def shown(self, relative: str) -> str:
        """How a configured path appears in messages: as written, relative to the root."""
        return Path(relative).as_posix()


def _anchor(item: str) -> str:
    base = _glob_base(item)
    return base if base.endswith(".py") else f"{base.rstrip('/')}/__init__.py"


def _items(value: str | tuple[str, ...]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


_TYPES: dict[str, type | tuple[type, ...]] = {
    "source": (str, list),
    "target": (str, list),
    "pythonpath": list,
    "migrations": str,
    "templates_dir": str,
    "vector_dim": int,
    "sqlmodel_version": str,
    "ignore": list,
    "relationships": bool,
    "verify_statement_timeout": (int, float),
    "engine_files": list,
    "db_schema": str,
    "db_ignore_tables": list,
    "compose_file": str,
    "init_scripts": list,
    "lint": dict,
}


@record
class _Table:
    """``[tool.modelsync]`` as read, with the line of each key (for messages)."""

    values: dict[str, Any]
    lines: dict[str, int]
    line: int | None

    def line_of(self, key: str) -> int | None:
        return self.lines.get(key, self.line)


def load_config(root: Path, overrides: dict[str, Any]) -> Config:
    """Defaults < pyproject.toml < flags (``overrides``; None means not given)."""
    _check_path_text(str(root), "--root", None, None)
    try:
        is_dir = root.is_dir()
    except OSError as exc:
        raise ConfigError(f"project root cannot be read: {exc.strerror}", str(root)) from None
    if not is_dir:
        raise ConfigError("project root is not a directory", str(root))
    table = _read_pyproject(root / PYPROJECT)
    given = {k: v for k, v in overrides.items() if v is not None and v != ()}
    values = {**table.values, **given}
    for key in ("source", "target"):
        if isinstance(values.get(key), list | tuple):
            values[key] = tuple(values[key])
            if len(values[key]) == 1:
                values[key] = values[key][0]
    if "pythonpath" in values:
        values["pythonpath"] = tuple(values["pythonpath"])
    if "ignore" in values:
        values["ignore"] = tuple(values["ignore"])
    if "engine_files" in values:
        values["engine_files"] = tuple(values["engine_files"])
    if "db_ignore_tables" in values:
        values["db_ignore_tables"] = tuple(values["db_ignore_tables"])
    if "init_scripts" in values:
        values["init_scripts"] = tuple(values["init_scripts"])
    if "lint" in values:
        values["lint"] = tuple((k, _frozen(v)) for k, v in values["lint"].items())
    lines = tuple((key, table.line_of(key)) for key in table.values if key not in given)
    values["key_lines"] = tuple((key, line) for key, line in lines if line is not None)
    config = replace(Config(root=root), **values)
    for key in PATH_KEYS:
        value = getattr(config, key)
        if value is None:
            continue
        for item in _items(value):
            if key in given:
                _check_path(config, key, _glob_base(item), f"--{key.replace('_', '-')}", None, None)
            elif key in table.values:
                what = f"{key} = {item!r}" if len(repr(item)) <= 80 else key
                _check_path(config, key, _glob_base(item), what, PYPROJECT, table.line_of(key))
            else:
                _check_path(config, key, item, key, None, None)
    for value in config.init_scripts or ():
        line = table.line_of("init_scripts") if "init_scripts" in table.values else None
        if not isinstance(value, str):
            raise ConfigError(
                "[tool.modelsync] init_scripts must be a list of paths", PYPROJECT, line
            )
        where = PYPROJECT if "init_scripts" in table.values else None
        _check_path(config, "init_scripts", value, f"init_scripts: {value[:80]!r}", where, line)
    for value in config.engine_files or ():
        # Read and quoted by lint: kept inside the root like every configured path.
        line = table.line_of("engine_files")
        _check_path(config, "engine_files", value, f"engine_files: {value[:80]!r}", PYPROJECT, line)
    return config


def _glob_base(item: str) -> str:
    """The part of a glob before its first wildcard: what must stay inside the root (the
    files it matches are each checked again when read)."""
    cut = min((item.index(c) for c in "*?[" if c in item), default=None)
    return item if cut is None else (item[:cut] or ".")


def _frozen(value: Any) -> Any:
    if isinstance(value, dict):
        return tuple((k, _frozen(v)) for k, v in value.items())
    if isinstance(value, list):
        return tuple(_frozen(v) for v in value)
    return value


def _check_path(
    config: Config, key: str, value: str, what: str, path: str | None, line: int | None
) -> None:
    _check_path_text(value, what, path, line)
    if config.allow_outside_root:
        return
    root = config.root.resolve()
    try:
        resolved = (config.root / value).resolve()
    except (OSError, RuntimeError) as exc:  # a symlink loop
        raise ConfigError(f"{what}: cannot be resolved: {exc}", path, line) from None
    if not resolved.is_relative_to(root):
        raise ConfigError(
            f"{what} leads outside the project root ({root}); "
            "pass --allow-outside-root on the command line if that is intended",
            path,
            line,
        )


def _check_path_text(value: str, what: str, path: str | None, line: int | None) -> None:
    """What the OS would refuse with a cryptic error, refused here with a clear one."""
    if not value.strip():
        raise ConfigError(f"{what}: the path is empty", path, line)
    if "\0" in value:
        raise ConfigError(f"{what}: the path contains a NUL byte", path, line)
    encoded = os.fsencode(value) if _encodable(value) else None
    if encoded is None:
        raise ConfigError(f"{what}: the path cannot be encoded for this file system", path, line)
    if len(encoded) > _PATH_MAX:
        raise ConfigError(f"{what}: the path is longer than {_PATH_MAX} bytes", path, line)
    for part in encoded.split(b"/"):
        if len(part) > _NAME_MAX:
            raise ConfigError(
                f"{what}: a name in the path is longer than {_NAME_MAX} bytes "
                f"({part[:20].decode(errors='replace')}...)",
                path,
                line,
            )


def _encodable(value: str) -> bool:
    try:
        os.fsencode(value)
    except UnicodeError:
        return False
    return True


def _read_pyproject(path: Path) -> _Table:
    shown = PYPROJECT
    if not os.path.lexists(path):
        return _Table({}, {}, None)
    try:
        text = read_text(path, shown, CONFIG_LIMIT)
    except InputError as exc:  # a FIFO, a device, too large, not UTF-8
        raise ConfigError(exc.message, shown, exc.line) from None
    try:
        document = parse_toml(text)
    except TomlError as exc:
        match = re.search(r"at line (\d+)", str(exc))
        message = " ".join(str(exc).split())
        raise ConfigError(
            f"invalid TOML: {message}", shown, int(match.group(1)) if match else None
        ) from None
    table_line = _table_line(text)
    tool = document.get("tool", {})
    if not isinstance(tool, dict):
        raise ConfigError("`tool` must be a table", shown, _key_line(text, "tool", None))
    table = tool.get("modelsync", {})
    if not isinstance(table, dict):
        line = _key_line(text, "modelsync", None) or _key_line(text, "tool", None)
        raise ConfigError("`tool.modelsync` must be a table", shown, line)
    written = _key_lines(text, table_line)
    lines = {key: written[key] for key in table if key in written}
    # A key whose own line is not found (an inline ``modelsync = {...}``) is named at
    # the table's header, or at the line that makes the table.
    fallback = table_line or _key_line(text, "modelsync", None) or _key_line(text, "tool", None)
    read = _Table(dict(table), lines, fallback)
    _validate(read, shown)
    return read


def _validate(table: _Table, shown: str) -> None:
    known = {f.name for f in fields(Config)} - {"root", "key_lines"} - FLAG_ONLY
    for key, value in table.values.items():
        line = table.line_of(key)
        if key not in known:
            extra = " (a command-line flag only)" if key in FLAG_ONLY else ""
            raise ConfigError(
                f"unknown key {_short(key)!r} in [tool.modelsync]{extra} "
                f"(known: {', '.join(sorted(known))})",
                shown,
                line,
            )
        expected = _TYPES[key]
        if not isinstance(value, expected) or (isinstance(value, bool) and expected is not bool):
            raise ConfigError(f"[tool.modelsync] {key} has the wrong type", shown, line)
    version = table.values.get("sqlmodel_version")
    # The pattern of schema.release.parse_version (config sits beside schema, not above).
    if isinstance(version, str) and not re.fullmatch(r"\s*(\d+(?:\.\d+)*)\S*\s*", version):
        raise ConfigError(
            f"sqlmodel_version {_short(version)!r} is not a version like '0.0.50'",
            shown,
            table.line_of("sqlmodel_version"),
        )
    timeout = table.values.get("verify_statement_timeout")
    if timeout is not None and not 0 < timeout <= 86400:
        raise ConfigError(
            "[tool.modelsync] verify_statement_timeout must be a number of seconds above 0 "
            "and at most 86400",
            shown,
            table.line_of("verify_statement_timeout"),
        )
    if any(not isinstance(p, str) for p in table.values.get("db_ignore_tables", [])):
        raise ConfigError(
            "[tool.modelsync] db_ignore_tables must be a list of strings (table name patterns)",
            shown,
            table.line_of("db_ignore_tables"),
        )
    for key in ("source", "target", "pythonpath"):
        value = table.values.get(key)
        if isinstance(value, list) and (
            (not value and key != "pythonpath") or any(not isinstance(i, str) for i in value)
        ):
            raise ConfigError(
                f"[tool.modelsync] {key} must be a path or a non-empty list of paths",
                shown,
                table.line_of(key),
            )
    for key in ("ignore", "engine_files"):
        if any(not isinstance(item, str) for item in table.values.get(key, [])):
            raise ConfigError(
                f"[tool.modelsync] {key} must be a list of strings", shown, table.line_of(key)
            )
    dim = table.values.get("vector_dim")
    if isinstance(dim, int) and not isinstance(dim, bool) and not 0 < dim <= MAX_VECTOR_DIM:
        raise ConfigError(
            f"[tool.modelsync] vector_dim must be a number of dimensions from 1 to "
            f"{MAX_VECTOR_DIM} (pgvector's limit)",
            shown,
            table.line_of("vector_dim"),
        )


def _short(key: str) -> str:
    return key if len(key) <= 60 else key[:60] + "..."


def _table_line(text: str) -> int | None:
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip().replace(" ", "") == "[tool.modelsync]":
            return number
    return None


def _key_line(text: str, key: str, table_line: int | None) -> int | None:
    """The line where ``key = ...`` is written: inside ``[tool.modelsync]`` when that
    header exists, else anywhere (``tool.modelsync.key = ...``, ``tool = 1``)."""
    return _key_lines(text, table_line).get(key)


# ``key =`` at the start of a line: bare or quoted, or dotted under (``tool.``)``modelsync.``.
_KEY_ASSIGNMENT = re.compile(
    r"\s*(?:(?:tool\s*\.\s*)?modelsync\s*\.\s*)?"
    r"(?:\"(?P<double>[^\"]*)\"|'(?P<single>[^']*)'|(?P<bare>[A-Za-z0-9_-]+))\s*="
)


def _key_lines(text: str, table_line: int | None) -> dict[str, int]:
    """Each key's first line, as ``_key_line`` finds it, in one pass over the text."""
    found: dict[str, int] = {}
    in_table = table_line is None
    for number, line in enumerate(text.splitlines(), start=1):
        if table_line is not None and number > table_line and line.lstrip().startswith("["):
            in_table = False
        if number == table_line:
            in_table = True
            continue
        match = _KEY_ASSIGNMENT.match(line) if in_table else None
        if match:
            key = match.group("double") or match.group("single") or match.group("bare") or ""
            found.setdefault(key, number)
    return found
