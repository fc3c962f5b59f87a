"""The PostgreSQL services of a compose project and what they mount into the folder the
postgres image runs on a fresh volume.

A service is PostgreSQL when its image is ``postgres``, ``pgvector/pgvector`` or any image
whose name holds ``postgres`` or ``postgis``, or (for a service built from a Dockerfile)
when its environment sets the image's ``POSTGRES_*`` variables. Its mounts are the bind
mounts (short ``./src:/target[:ro]`` and long ``type: bind`` syntax) and the configs whose
target lies in ``/docker-entrypoint-initdb.d``; a relative source is resolved against the
compose file's folder, as Compose does. A named volume there, or a value that needs the
environment, is a note: its contents cannot be known statically.
"""

from __future__ import annotations

import posixpath
from pathlib import Path
from typing import Any

from modelsync.compose.interpolate import TemplateError, read_env_file, substitute
from modelsync.compose.read import (
    ComposeError,
    ComposeSource,
    Nodes,
    compose_files,
    is_null,
    line_of,
    read_compose,
)
from modelsync.findings.model import Diagnostic
from modelsync.records import record

INIT_DIR = "/docker-entrypoint-initdb.d"
_POSTGRES_VARIABLES = ("POSTGRES_PASSWORD", "POSTGRES_USER", "POSTGRES_DB", "POSTGRES_INITDB_ARGS")


@record
class Mount:
    """A host file or folder mounted at ``target`` (inside ``INIT_DIR``)."""

    source: Path
    target: str
    shown: str  # where it is written: the compose file
    line: int | None


@record
class PostgresService:
    name: str
    shown: str
    line: int | None
    # The line of its ``volumes:`` key (None: it has none), where a mount would go.
    volumes_line: int | None
    mounts: tuple[Mount, ...]
    # Volumes or configs it has that could not be followed (a variable from the
    # environment, a named volume, a path outside the root): what they mount is unknown.
    unfollowed: int = 0


@record
class ComposeProject:
    """What the compose file says about the database (``shown`` is the base file)."""

    shown: str
    services: tuple[PostgresService, ...]
    notes: tuple[Diagnostic, ...]


def read_project(root: Path, configured: str | None) -> ComposeProject | None:
    """None when the project has no compose file. Raises ComposeError (located) for a
    file Compose would refuse or that cannot be read safely."""
    files = compose_files(root, configured)
    if not files:
        return None
    folder = files[0].parent
    env = read_env_file(folder)
    reader = _Reader(root, folder, env)
    for path in files:
        shown = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
        reader.read(read_compose(path, shown, root))
    return ComposeProject(
        files[0].relative_to(root).as_posix(), reader.services(), tuple(reader.notes)
    )


class _Reader:
    """Reads the files in order; a later file's service settings override (image,
    environment) or merge by target (volumes, configs) the earlier ones', as Compose
    merges an override file."""

    def __init__(self, root: Path, folder: Path, env: dict[str, str]) -> None:
        self.root = root
        self.folder = folder
        self.env = env
        self.notes: list[Diagnostic] = []
        self._services: dict[str, dict[str, Any]] = {}
        self._configs: dict[str, tuple[str, int | None, str]] = {}

    def read(self, source: ComposeSource) -> None:
        nodes = Nodes(source.shown)
        if source.node is None or is_null(source.node):
            return
        for key, _, value in nodes.mapping(source.node, "the compose file"):
            if key == "configs" and not is_null(value):
                for name, _, config in nodes.mapping(value, "configs"):
                    self._config(nodes, name, config)
        for key, _, value in nodes.mapping(source.node, "the compose file"):
            if key == "services" and not is_null(value):
                for name, name_node, service in nodes.mapping(value, "services"):
                    self._service(nodes, name, name_node, service)

    def services(self) -> tuple[PostgresService, ...]:
        found = []
        for name, service in self._services.items():
            if not _is_postgres(service["image"], service["environment"]):
                continue
            mounts = tuple(m for _, m in sorted(service["mounts"].items()) if m is not None)
            unfollowed = service["unfollowed"] + sum(
                1 for m in service["mounts"].values() if m is None
            )
            found.append(
                PostgresService(
                    name,
                    service["shown"],
                    service["line"],
                    service["volumes_line"],
                    mounts,
                    unfollowed,
                )
            )
        return tuple(found)

    def _value(self, nodes: Nodes, node: Any, what: str) -> str | None:
        text = nodes.scalar(node, what)
        if getattr(node, "style", None) is None and getattr(node, "tag", "").endswith(
            (":int", ":float", ":bool", ":null")
        ):
            return text  # a plain number or boolean: nothing to substitute
        try:
            result = substitute(text, self.env)
        except TemplateError as error:
            raise ComposeError(f"{what}: {error}", nodes.shown, line_of(node)) from None
        if result.value is None:
            names = ", ".join(result.missing)
            self.note(
                nodes.shown,
                line_of(node),
                f"{what} needs {names} from the environment (not set in .env, no default): "
                "not followed",
            )
        return result.value

    def note(self, shown: str, line: int | None, message: str) -> None:
        self.notes.append(Diagnostic(shown, line or 1, message))

    def _config(self, nodes: Nodes, name: str, node: Any) -> None:
        if is_null(node):
            return
        for key, _, value in nodes.mapping(node, f"config {name}"):
            if key == "file":
                path = self._value(nodes, value, f"config {name}'s file")
                if path is not None:
                    self._configs[name] = (path, line_of(value), nodes.shown)

    def _service(self, nodes: Nodes, name: str, name_node: Any, node: Any) -> None:
        service = self._services.setdefault(
            name,
            {
                "image": None,
                "environment": {},
                "mounts": {},
                "line": line_of(name_node),
                "volumes_line": None,
                "unfollowed": 0,
                "shown": nodes.shown,
            },
        )
        if is_null(node):
            return
        for key, key_node, value in nodes.mapping(node, f"service {name}"):
            if key == "image" and not is_null(value):
                service["image"] = self._value(nodes, value, f"service {name}'s image")
            elif key == "environment" and not is_null(value):
                service["environment"].update(self._environment(nodes, value, name))
            elif key == "volumes" and not is_null(value):
                service["volumes_line"] = line_of(key_node)
                for item in nodes.sequence(value, f"service {name}'s volumes"):
                    self._volume(nodes, item, name, service["mounts"])
            elif key == "configs" and not is_null(value):
                for item in nodes.sequence(value, f"service {name}'s configs"):
                    self._service_config(nodes, item, name, service["mounts"])

    def _environment(self, nodes: Nodes, node: Any, name: str) -> dict[str, str]:
        import yaml

        if isinstance(node, yaml.SequenceNode):
            pairs = [nodes.scalar(item, f"service {name}'s environment") for item in node.value]
            return {p.split("=", 1)[0]: p.partition("=")[2] for p in pairs}
        return {key: "" for key, _, _ in nodes.mapping(node, f"service {name}'s environment")}

    def _volume(self, nodes: Nodes, item: Any, name: str, mounts: dict) -> None:
        import yaml

        what = f"a volume of service {name}"
        if isinstance(item, yaml.ScalarNode):
            spec = self._value(nodes, item, what)
            if spec is None:
                self._services[name]["unfollowed"] += 1
                return
            source, target = _short_syntax(spec)
            kind = "bind" if source and source.startswith((".", "/", "~")) else "volume"
        else:
            fields = {k: v for k, _, v in nodes.mapping(item, what)}
            kind = nodes.scalar(fields["type"], f"{what}'s type") if "type" in fields else "volume"
            target_node = fields.get("target")
            if target_node is None:
                raise ComposeError(f"{what} has no target", nodes.shown, line_of(item))
            target = self._value(nodes, target_node, f"{what}'s target")
            source_node = fields.get("source")
            source = self._value(nodes, source_node, f"{what}'s source") if source_node else None
        if target is None:
            self._services[name]["unfollowed"] += 1
            return
        target = posixpath.normpath(target)
        if not _in_init_dir(target):
            return
        line = line_of(item)
        if kind == "bind" and source is None and not isinstance(item, yaml.ScalarNode):
            mounts[target] = None  # its source needs the environment: noted above
            return
        if kind != "bind" or not source:
            mounts[target] = None
            self.note(
                nodes.shown,
                line,
                f"{what} mounts a {kind} volume at {target}: its contents cannot be known "
                "statically",
            )
            return
        mounts[target] = self._mount(nodes, source, target, line, what)

    def _service_config(self, nodes: Nodes, item: Any, name: str, mounts: dict) -> None:
        import yaml

        what = f"a config of service {name}"
        if isinstance(item, yaml.ScalarNode):
            config, target = nodes.scalar(item, what), None
        else:
            fields = {k: v for k, _, v in nodes.mapping(item, what)}
            if "source" not in fields:
                raise ComposeError(f"{what} has no source", nodes.shown, line_of(item))
            config = nodes.scalar(fields["source"], f"{what}'s source")
            target = (
                self._value(nodes, fields["target"], f"{what}'s target")
                if "target" in fields
                else None
            )
        target = posixpath.normpath(target or f"/{config}")
        if not _in_init_dir(target) or config not in self._configs:
            return
        path, _, _ = self._configs[config]
        mounts[target] = self._mount(nodes, path, target, line_of(item), what)

    def _mount(self, nodes: Nodes, source: str, target: str, line, what: str) -> Mount | None:
        if source.startswith("~"):
            self.note(nodes.shown, line, f"{what} mounts {source}: the home folder is not followed")
            return None
        path = Path(source) if source.startswith("/") else self.folder / source
        try:
            inside = path.resolve().is_relative_to(self.root.resolve())
        except (OSError, RuntimeError):
            inside = False
        if not inside:
            self.note(
                nodes.shown, line, f"{what} mounts {source}, outside the project root: not read"
            )
            return None
        return Mount(path, target, nodes.shown, line)


def _short_syntax(spec: str) -> tuple[str | None, str]:
    """``SRC:DST[:MODE]`` -> (SRC, DST); ``DST`` alone (an anonymous volume) -> (None, DST)."""
    parts = spec.split(":")
    if len(parts) == 1:
        return None, parts[0]
    return parts[0], parts[1]


def _in_init_dir(target: str) -> bool:
    return target == INIT_DIR or target.startswith(INIT_DIR + "/")


def _is_postgres(image: str | None, environment: dict[str, str]) -> bool:
    if not image:
        return any(key in environment for key in _POSTGRES_VARIABLES)
    repository = image.split("@", 1)[0]
    head, _, last = repository.rpartition("/")
    name = f"{head}/{last.split(':', 1)[0]}".lower()
    return name.endswith("/pgvector") or "postgres" in name or "postgis" in name
