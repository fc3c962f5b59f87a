"""Which SQLModel release's DDL rules apply: the project's own pin, found statically.

Inside pre-commit's isolated environment the SQLModel installed beside modelsync is simply
the newest release, not the backend's. So the rules follow, in this order:

1. ``--sqlmodel-version`` (the flag), then ``sqlmodel_version`` in ``[tool.modelsync]``;
2. the pin of the project the source belongs to: from the source's folder up to the root,
   the first folder that names SQLModel in ``uv.lock`` or ``poetry.lock`` (what is really
   installed), else in ``requirements*.txt``, else in ``pyproject.toml``
   (``[project] dependencies`` or ``[tool.poetry.dependencies]``);
3. the installed SQLModel (``release.rules_for``), else the newest release modelsync knows.

A range (``sqlmodel>=0.0.45``) is taken as the newest release it allows, since that is
what an install picks. Only the standard library is used: the check path stays light.
"""

from __future__ import annotations

import re
from pathlib import Path

from modelsync.files import CONFIG_LIMIT, text_or_none
from modelsync.records import record
from modelsync.schema.release import LATEST_KNOWN, SqlmodelRules, parse_version, rules_for
from modelsync.tomlfile import TomlError, parse_toml

# Patterns, not compiled ones: most projects have no requirement to read, and ``re``
# compiles (and keeps) each the first time it is used.
_REQUIREMENT = (
    r"(?i)^\s*sqlmodel\s*(?:\[[^\]]*\])?\s*(?P<spec>(?:[<>=!~]=?=?\s*[\w.*+!-]+\s*,?\s*)*)"
    r"(?:;.*)?(?:#.*)?$"
)
_CLAUSE = r"(?P<op>===|==|!=|~=|>=|<=|>|<)\s*(?P<version>[\w.*+!-]+)"


@record
class Pin:
    """A project's SQLModel requirement and where it is written."""

    spec: str
    path: str
    line: int | None
    version: tuple[int, ...]

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


@record
class ReleaseChoice:
    """The rules in force and where they came from, as summaries report it."""

    rules: SqlmodelRules
    origin: str
    pin: Pin | None = None

    def as_dict(self) -> dict[str, str]:
        found = {"version": self.rules.label, "from": self.origin}
        if self.pin is not None:
            found["pin"] = f"sqlmodel{self.pin.spec}"
        return found

    @property
    def text(self) -> str:
        pinned = f" (sqlmodel{self.pin.spec})" if self.pin is not None else ""
        return f"SQLModel {self.rules.label} rules from {self.origin}{pinned}"


def choose_release(
    root: Path, source: str, flag: str | None, configured: str | None
) -> ReleaseChoice:
    """``flag`` is ``--sqlmodel-version`` as given; ``configured`` is the config's
    ``sqlmodel_version`` after flags were applied (so equal to ``flag`` when given)."""
    if flag:
        return ReleaseChoice(rules_for(flag), "--sqlmodel-version")
    if configured:
        return ReleaseChoice(rules_for(configured), "sqlmodel_version in pyproject.toml")
    pin = project_pin(root, (root / source).parent)
    if pin is not None:
        return ReleaseChoice(SqlmodelRules(pin.version), pin.where, pin)
    return _unpinned()


def _unpinned() -> ReleaseChoice:
    rules = rules_for(None)
    try:
        from modelsync.schema.release import installed_sqlmodel_version

        installed = installed_sqlmodel_version() is not None
    except ImportError:  # the release module finds the installed version another way
        installed = True
    origin = "the installed sqlmodel" if installed else "the newest release modelsync knows"
    return ReleaseChoice(rules, origin)


def project_pin(root: Path, folder: Path) -> Pin | None:
    """The first pin from ``folder`` up to ``root`` (both included)."""
    root = root.resolve()
    current = folder.resolve()
    while True:
        pin = folder_pin(current, root)
        if pin is not None or current == root or root not in current.parents:
            return pin
        current = current.parent


def folder_pin(folder: Path, root: Path) -> Pin | None:
    for reader in (_uv_lock, _poetry_lock, _requirements, _pyproject):
        pin = reader(folder, _shown(folder, root))
        if pin is not None:
            return pin
    return None


def _shown(folder: Path, root: Path) -> str:
    """The folder as messages show it: relative to the root, or whole when outside it
    (``modelsync schema FILE`` takes a file anywhere)."""
    if folder == root:
        return ""
    if folder.is_relative_to(root):
        return f"{folder.relative_to(root).as_posix()}/"
    return f"{folder.as_posix()}/"


def _read(path: Path) -> str | None:
    return text_or_none(path, CONFIG_LIMIT)


def _requirements(folder: Path, shown: str) -> Pin | None:
    for path in sorted(folder.glob("requirements*.txt")):
        text = _read(path) or ""
        for number, line in enumerate(text.splitlines(), start=1):
            match = re.match(_REQUIREMENT, line)
            if match:
                return _pin(match.group("spec"), f"{shown}{path.name}", number)
    return None


def _pyproject(folder: Path, shown: str) -> Pin | None:
    text = _read(folder / "pyproject.toml")
    if text is None:
        return None
    try:
        document = parse_toml(text)
    except TomlError:
        return None  # check's own config reading reports a broken pyproject.toml
    path = f"{shown}pyproject.toml"
    for requirement in document.get("project", {}).get("dependencies", []):
        match = re.match(_REQUIREMENT, str(requirement))
        if match:
            return _pin(match.group("spec"), path, _line_of(text, r"['\"]sqlmodel"))
    poetry = document.get("tool", {}).get("poetry", {}).get("dependencies", {})
    spec = poetry.get("sqlmodel") if isinstance(poetry, dict) else None
    if isinstance(spec, dict):
        spec = spec.get("version")
    if isinstance(spec, str):
        return _pin(_poetry_spec(spec), path, _line_of(text, r"^\s*sqlmodel\s*="))
    return None


def _uv_lock(folder: Path, shown: str) -> Pin | None:
    return _lock(folder / "uv.lock", f"{shown}uv.lock")


def _poetry_lock(folder: Path, shown: str) -> Pin | None:
    return _lock(folder / "poetry.lock", f"{shown}poetry.lock")


def _lock(path: Path, shown: str) -> Pin | None:
    """Both lock files list ``[[package]]`` tables with ``name`` and ``version``."""
    text = _read(path)
    if text is None:
        return None
    lines = text.splitlines()
    for number, line in enumerate(lines, start=1):
        if re.fullmatch(r'\s*name\s*=\s*"sqlmodel"\s*', line):
            for offset, following in enumerate(lines[number : number + 5], start=number + 1):
                version = re.fullmatch(r'\s*version\s*=\s*"([^"]+)"\s*', following)
                if version:
                    return _pin(f"=={version.group(1)}", shown, offset)
    return None


def _poetry_spec(spec: str) -> str:
    """Poetry's ``^0.0.16`` allows 0.0.16 only (a caret keeps the first non-zero part)."""
    spec = spec.strip()
    if spec.startswith("^"):
        version = parse_version(spec[1:])
        return f"=={spec[1:]}" if version[:2] == (0, 0) else f">={spec[1:]}"
    if spec == "*":
        return ""
    return spec if spec[:1] in "<>=!~" else f"=={spec}"


def _line_of(text: str, pattern: str) -> int | None:
    for number, line in enumerate(text.splitlines(), start=1):
        if re.search(pattern, line):
            return number
    return None


def _pin(spec: str, path: str, line: int | None) -> Pin:
    return Pin(spec.strip(), path, line, resolve_spec(spec))


def resolve_spec(spec: str) -> tuple[int, ...]:
    """The newest release a specifier allows; the releases considered are 0.0.1 up to the
    newest modelsync knows, plus any the specifier names."""
    clauses = [(m.group("op"), m.group("version")) for m in re.finditer(_CLAUSE, spec)]
    named = [_numbers(v) for _, v in clauses if _numbers(v)]
    candidates = {(0, 0, n) for n in range(1, LATEST_KNOWN[2] + 1)} | set(named)
    allowed = [v for v in candidates if all(_allows(op, text, v) for op, text in clauses)]
    if allowed:
        return max(allowed)
    return max(named) if named else LATEST_KNOWN


def _numbers(text: str) -> tuple[int, ...]:
    match = re.match(r"\d+(?:\.\d+)*", text)
    return tuple(int(p) for p in match.group().split(".")) if match else ()


def _allows(op: str, text: str, version: tuple[int, ...]) -> bool:
    if text.endswith(".*"):
        prefix = _numbers(text[:-2])
        same = version[: len(prefix)] == prefix
        return same if op == "==" else not same if op == "!=" else True
    pinned = _numbers(text)
    width = max(len(pinned), len(version))
    pinned, version = _padded(pinned, width), _padded(version, width)
    if op in ("==", "==="):
        return version == pinned
    if op == "!=":
        return version != pinned
    if op == ">=":
        return version >= pinned
    if op == "<=":
        return version <= pinned
    if op == ">":
        return version > pinned
    if op == "<":
        return version < pinned
    # ~=X.Y.Z: >= X.Y.Z and the same X.Y
    return version >= pinned and version[: len(pinned) - 1] == pinned[: len(pinned) - 1]


def _padded(version: tuple[int, ...], width: int) -> tuple[int, ...]:
    return version + (0,) * (width - len(version))
