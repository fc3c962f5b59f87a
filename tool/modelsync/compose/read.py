"""Find the compose file and parse it into YAML nodes, guarded against hostile input.

Compose's own rules: without ``-f`` it takes the first of ``compose.yaml``,
``compose.yml``, ``docker-compose.yaml``, ``docker-compose.yml`` in the project folder and
merges the matching override file (``compose.override.yaml`` for ``compose.yaml``...) over
it; a file named with ``-f`` (here: ``compose_file`` in ``[tool.modelsync]``) is read alone.

The file is read only when it is a regular file of at most ``MAX_BYTES``, parsed with
``yaml.compose`` (nodes, never Python objects: no tag can construct anything), and walked
through ``Nodes``, which counts every node it visits against a budget and bounds the
depth, so an alias bomb or a self-referencing anchor ends as a located error.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from modelsync.errors import InputError
from modelsync.files import Refused, read_bytes
from modelsync.records import record

DEFAULT_NAMES = ("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml")
MAX_BYTES = 1 << 20
# Nodes one read may visit (aliases count each time they are followed) and how deep.
NODE_BUDGET = 100_000
MAX_DEPTH = 50


class ComposeError(InputError):
    """A compose file Compose itself would refuse, or that cannot be read safely."""


@record
class ComposeSource:
    """One compose file as read: its path, how messages show it, and its root node."""

    path: Path
    shown: str
    node: Any


def compose_files(root: Path, configured: str | None) -> tuple[Path, ...]:
    """The files Compose would read for this project, base first (empty: none)."""
    if configured is not None:
        return (root / configured,)
    for name in DEFAULT_NAMES:
        base = root / name
        if os.path.lexists(base):
            stem = name.rsplit(".", 1)[0]
            overrides = [root / f"{stem}.override.{ext}" for ext in ("yaml", "yml")]
            return (base, *[p for p in overrides if os.path.lexists(p)][:1])
    return ()


def read_compose(path: Path, shown: str, root: Path) -> ComposeSource:
    """Parse one compose file. It must be a regular file inside ``root`` (symlinks
    followed) of at most ``MAX_BYTES``: a pull request's symlink must not make modelsync
    read, and quote, a file elsewhere."""
    import yaml

    try:
        inside = path.resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError):
        inside = False
    if not inside:
        raise ComposeError("leads outside the project root: not read", shown)
    data = _read_limited(path, shown)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ComposeError(f"not UTF-8 (byte 0x{data[exc.start]:02x})", shown, line) from None
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        node = yaml.compose(text, Loader=loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = " ".join(str(exc.problem or exc.context or "invalid YAML").split())
        raise ComposeError(
            f"invalid YAML: {problem}", shown, mark.line + 1 if mark else None
        ) from None
    except (yaml.YAMLError, RecursionError, ValueError) as exc:
        raise ComposeError(f"invalid YAML: {' '.join(str(exc).split())[:200]}", shown) from None
    return ComposeSource(path, shown, node)


def _read_limited(path: Path, shown: str) -> bytes:
    """At most ``MAX_BYTES`` of a regular file (``modelsync.files``: a FIFO would block
    for ever and ``/dev/zero`` never end)."""
    import errno

    try:
        return read_bytes(path, MAX_BYTES)
    except FileNotFoundError:
        raise ComposeError("compose file not found", shown) from None
    except (Refused, IsADirectoryError) as exc:
        if exc.errno == errno.EFBIG:
            raise ComposeError(f"larger than {MAX_BYTES // 1024} KiB: not read", shown) from None
        raise ComposeError("is not a regular file: not read", shown) from None
    except (OSError, ValueError) as exc:
        raise ComposeError(f"cannot read: {getattr(exc, 'strerror', None) or exc}", shown) from None


class Nodes:
    """A budgeted walk over one file's nodes: every value keeps its line."""

    def __init__(self, shown: str) -> None:
        self.shown = shown
        self.budget = NODE_BUDGET

    def _visit(self, node: Any, depth: int) -> None:
        self.budget -= 1
        if self.budget < 0:
            raise ComposeError(
                f"expands past {NODE_BUDGET} YAML nodes (an alias bomb?): not read",
                self.shown,
                line_of(node),
            )
        if depth > MAX_DEPTH:
            raise ComposeError("nests too deeply (a recursive alias?)", self.shown, line_of(node))

    def mapping(self, node: Any, what: str, depth: int = 0) -> list[tuple[str, Any, Any]]:
        """``(key, key node, value node)`` of a mapping, ``<<`` merge keys applied the way
        YAML 1.1 (and Compose) apply them: keys written here win over merged ones."""
        import yaml

        self._visit(node, depth)
        if not isinstance(node, yaml.MappingNode):
            raise ComposeError(f"{what} must be a mapping", self.shown, line_of(node))
        own: dict[str, tuple[str, Any, Any]] = {}
        merged: dict[str, tuple[str, Any, Any]] = {}
        for key, value in node.value:
            self._visit(key, depth + 1)
            if key.tag == "tag:yaml.org,2002:merge":
                sources = value.value if isinstance(value, yaml.SequenceNode) else [value]
                for source in sources:
                    for item in self.mapping(source, f"a merge into {what}", depth + 1):
                        merged.setdefault(item[0], item)
                continue
            if not isinstance(key, yaml.ScalarNode):
                raise ComposeError(f"a key of {what} is not a name", self.shown, line_of(key))
            own[key.value] = (key.value, key, value)
        return list({**merged, **own}.values())

    def sequence(self, node: Any, what: str, depth: int = 0) -> list[Any]:
        import yaml

        self._visit(node, depth)
        if not isinstance(node, yaml.SequenceNode):
            raise ComposeError(f"{what} must be a list", self.shown, line_of(node))
        for item in node.value:
            self._visit(item, depth + 1)
        return list(node.value)

    def scalar(self, node: Any, what: str) -> str:
        import yaml

        self._visit(node, 0)
        if not isinstance(node, yaml.ScalarNode):
            raise ComposeError(f"{what} must be a single value", self.shown, line_of(node))
        return str(node.value)


def line_of(node: Any) -> int | None:
    mark = getattr(node, "start_mark", None)
    return mark.line + 1 if mark is not None else None


def is_null(node: Any) -> bool:
    return getattr(node, "tag", "") == "tag:yaml.org,2002:null"
