"""The module graph: which file a module name means, and what a name in a module is.

Built once per command and asked by every later stage, as type checkers do (mypy's
modulefinder, pyright's import resolver): a dotted name is looked up in each import root
in order (a package folder with ``__init__.py`` first, then ``name.py``, then a namespace
folder); a relative import is looked up from the importing file's folder. Each module is
read and its bindings gathered once, when first asked for.

A name is followed through imports and re-exports (``__init__.py``, ``from x import *``
with or without ``__all__``, aliases) to where it is defined. Import cycles are normal
(``TYPE_CHECKING`` imports between models): every walk carries the (module, name) pairs it
has passed, so a cycle ends as ``Unresolved`` instead of recursing for ever.
"""

from __future__ import annotations

import ast
import posixpath
import sys

from modelsync.errors import InputError
from modelsync.modules.bindings import (
    AMBIGUOUS,
    CONSTANT,
    IMPORT,
    MODULE,
    Binding,
    ModuleBindings,
    module_bindings,
    name_chain,
)
from modelsync.modules.source import parse_python
from modelsync.modules.tree import join, normalized
from modelsync.records import field, record

# Top-level packages that are never the project's: the standard library and the libraries
# whose names modelsync already knows. A project file of the same name is not looked for
# (``from typing import Optional`` costs no file-system probe).
KNOWN_EXTERNAL = frozenset(sys.stdlib_module_names) | frozenset(
    {"sqlmodel", "sqlalchemy", "pgvector", "pydantic", "pydantic_core", "typing_extensions"}
)


@record
class Loaded:
    """A module read once: its text, syntax tree and bindings."""

    path: str
    text: str
    tree: ast.Module = field(repr=False)
    bindings: ModuleBindings = field(repr=False)


@record
class ProjectModule:
    """A module of the project: a ``.py`` file (a package's ``__init__.py``), or a
    namespace package's folder (no file, only submodules)."""

    path: str

    @property
    def is_namespace(self) -> bool:
        return not self.path.endswith(".py")

    @property
    def folder(self) -> str:
        """Where its submodules are: the package's folder."""
        if self.is_namespace:
            return self.path
        if posixpath.basename(self.path) == "__init__.py":
            return posixpath.dirname(self.path) or "."
        return ""  # a plain module has no submodules


@record
class Defined:
    """A class, function or constant defined at the top level of module ``path``."""

    path: str
    name: str
    binding: Binding


@record
class External:
    """A name of code outside the project (a library, or code no root holds)."""

    qualified: str


@record
class Unresolved:
    """A project name that leads nowhere: where, and why."""

    path: str
    line: int
    message: str


Target = ProjectModule | Defined | External | Unresolved


class ModuleGraph:
    """``roots``: the folders absolute imports are looked up in, in order. ``aliases``:
    dotted names that mean a project module although no root holds them (a package
    installed from the project's own folder, ``backend_core.models``)."""

    def __init__(
        self,
        tree,
        roots: tuple[str, ...],
        aliases: dict[str, str] | None = None,
        loaded: dict[str, Loaded] | None = None,
    ):
        self.tree = tree
        self.roots = roots
        self.aliases = aliases or {}
        # Shared between graphs over the same tree: a module is parsed once per command.
        self._loaded = loaded if loaded is not None else {}
        self._absolute: dict[str, ProjectModule | None] = {}
        # (path, line, message): imports that lead nowhere, modules that cannot be read.
        self.notes: dict[tuple[str, int, str], None] = {}
        self._relative: dict[tuple[str, int, str], ProjectModule | None] = {}
        # (path, name) -> what it means, for walks that start there (a walk in progress
        # carries its cycle guard, and its answers are not kept).
        self._resolved: dict[tuple[str, str], Target] = {}

    # ------------------------------------------------------------------ modules

    def load(self, path: str) -> Loaded:
        """The module at ``path`` (a ``.py`` file), read and parsed once."""
        found = self._loaded.get(path)
        if found is None:
            text = self.tree.read_text(path)
            module = parse_python(text, path)
            found = self._loaded[path] = Loaded(path, text, module, module_bindings(module))
        return found

    def absolute(self, dotted: str) -> ProjectModule | None:
        """The project module ``import dotted`` would find, or None (not the project's)."""
        if dotted in self._absolute:
            return self._absolute[dotted]
        found = None
        if dotted and dotted.split(".", 1)[0] not in KNOWN_EXTERNAL:
            namespace = None
            for root in self.roots:
                hit = self._find(root, dotted.split("."))
                if hit is not None and not hit.is_namespace:
                    found = hit
                    break
                namespace = namespace or hit
            found = found or namespace
            if found is None and dotted in self.aliases:
                found = ProjectModule(self.aliases[dotted])
        self._absolute[dotted] = found
        return found

    def relative(self, importer: str, level: int, dotted: str) -> ProjectModule | None:
        """``from <level dots><dotted> import ...`` written in the module ``importer``."""
        folder = posixpath.dirname(importer) or "."
        key = (folder, level, dotted)
        if key in self._relative:
            return self._relative[key]
        for _ in range(level - 1):
            folder = normalized(posixpath.join(folder, ".."))
        found = self._package_at(folder) if not dotted else self._find(folder, dotted.split("."))
        self._relative[key] = found
        return found

    def module_of_import(self, importer: str, module: str, level: int) -> ProjectModule | None:
        return self.relative(importer, level, module) if level else self.absolute(module)

    def _find(self, folder: str, parts: list[str]) -> ProjectModule | None:
        for part in parts[:-1]:
            folder = join(folder, part)
            if self.tree.kind(folder) != "dir":
                return None
        last = join(folder, parts[-1])
        if self.tree.kind(last) != "dir":
            return self._file(last)
        # Python's path finder: a package, else a module file beside the folder, and only
        # then the folder as a namespace package (``storage.py`` beside a data folder).
        init = join(last, "__init__.py")
        if self.tree.kind(init) == "file":
            return ProjectModule(init)
        return self._file(last) or ProjectModule(last)

    def _package_at(self, folder: str) -> ProjectModule | None:
        init = join(folder, "__init__.py")
        if self.tree.kind(init) == "file":
            return ProjectModule(init)
        return ProjectModule(folder) if self.tree.kind(folder) == "dir" else None

    def _file(self, stem: str) -> ProjectModule | None:
        path = stem + ".py"
        return ProjectModule(path) if self.tree.kind(path) == "file" else None

    def submodule(self, module: ProjectModule, name: str) -> ProjectModule | None:
        folder = module.folder
        return self._find(folder, [name]) if folder else None

    # ------------------------------------------------------------------ names

    def resolve(self, path: str, name: str, seen: frozenset = frozenset()) -> Target:
        """What ``name`` means at the top level of the module at ``path``.

        Every answer a walk finds is kept (a package whose ``__init__`` star-imports its
        300 modules, each importing a name back from it, is asked the same question from
        every module); a name that leads nowhere is kept only when asked from the top,
        since inside a walk it may be a cycle of that walk alone."""
        found = self._resolved.get((path, name))
        if found is not None:
            return found
        found = self._resolve(path, name, seen)
        if not seen or not isinstance(found, Unresolved):
            self._resolved[(path, name)] = found
        return found

    def _resolve(self, path: str, name: str, seen: frozenset) -> Target:
        module = ProjectModule(path)
        if (path, name) in seen:
            return Unresolved(path, 0, f"{name} is part of an import cycle")
        seen = seen | {(path, name)}
        if module.is_namespace:
            found = self.submodule(module, name)
            return found or Unresolved(path, 0, f"namespace package {path} has no module {name}")
        bindings = self.load(path).bindings
        binding = bindings.names.get(name)
        if binding is None:
            return self._not_bound(module, bindings, name, seen)
        if binding.kind == AMBIGUOUS:
            return Unresolved(
                path, binding.line, f"{name} is bound in more than one way; which one holds "
                "depends on run time"
            )  # fmt: skip
        if binding.kind == MODULE:
            return self._module_target(binding.module)
        if binding.kind == IMPORT:
            return self._imported(path, binding, seen)
        if binding.kind == CONSTANT and isinstance(binding.node, ast.Name | ast.Attribute):
            aliased = self._aliased(path, binding.node, seen)
            if aliased is not None:
                return aliased
        return Defined(path, name, binding)

    def _aliased(self, path: str, node: ast.expr, seen: frozenset) -> Defined | None:
        """What ``X = a.b.Y`` names, when that is a definition of the project: the name
        is another for it, as an import would make it (``JobStatus = _enums.JobStatus`` in
        a package's ``__init__``), so every stage sees the one definition."""
        chain = name_chain(node)
        if chain is None:
            return None
        rest = list(chain[1:])
        target = self.resolve(path, chain[0], seen)
        while rest and isinstance(target, ProjectModule):
            target = self.resolve(target.path, rest.pop(0), seen)
        return target if isinstance(target, Defined) and not rest else None

    def _not_bound(
        self, module: ProjectModule, bindings: ModuleBindings, name: str, seen: frozenset
    ) -> Target:
        for star in reversed(bindings.stars):
            source = self.module_of_import(module.path, star.module, star.level)
            if source is None:
                continue
            if source.is_namespace or self.load(source.path).bindings.exports(name):
                found = self.resolve(source.path, name, seen)
                if not isinstance(found, Unresolved):
                    return found
        found = self.submodule(module, name)
        if found is not None:
            return found
        return Unresolved(module.path, 0, f"{name} is not defined in {module.path}")

    def _module_target(self, dotted: str) -> Target:
        found = self.absolute(dotted)
        return found if found is not None else External(dotted)

    def _imported(self, path: str, binding: Binding, seen: frozenset) -> Target:
        source = self.module_of_import(path, binding.module, binding.level)
        if source is None:
            if binding.level:
                where = "." * binding.level + binding.module
                return Unresolved(path, binding.line, f"module {where} is not in the project")
            return External(f"{binding.module}.{binding.name}")
        found = self.resolve(source.path, binding.name, seen)
        if isinstance(found, Unresolved):
            # ``from . import enums`` in the package's own ``__init__``: the name is not
            # bound yet, so Python imports the submodule.
            found = self.submodule(source, binding.name) or found
        if isinstance(found, Unresolved) and not found.line:
            # Said of the module imported from; the import's line is the place to look.
            return Unresolved(path, binding.line, found.message)
        return found

    def resolve_chain(self, path: str, parts: tuple[str, ...]) -> tuple[Target, tuple[str, ...]]:
        """``a.b.c`` written in module ``path``: follows modules as far as the chain goes
        and returns where it stopped, with the attributes left over (``Status.ACTIVE`` ->
        the class Status and ``("ACTIVE",)``)."""
        target = self.resolve(path, parts[0])
        rest = parts[1:]
        while rest and isinstance(target, ProjectModule):
            target = self.resolve(target.path, rest[0])
            rest = rest[1:]
        if isinstance(target, External) and rest:
            return External(".".join((target.qualified, *rest))), ()
        return target, rest

    # ------------------------------------------------------------------ imports that run

    def runtime_closure(self, entries: tuple[str, ...]) -> tuple[str, ...]:
        """Every project module that importing the entries runs, entries first: their
        packages' ``__init__.py`` files and, transitively, each module a runtime import
        (not one under ``if TYPE_CHECKING:``) reaches."""
        order: list[str] = []
        seen: set[str] = set()
        pending = list(entries)
        for entry in entries:
            pending.extend(self._packages_above(entry))
        while pending:
            path = pending.pop(0)
            if path in seen or not path.endswith(".py"):
                continue
            seen.add(path)
            try:
                reached = self.imported_by(path)
            except InputError as error:
                if path in entries:
                    raise
                # A module the models' imports run but that cannot be read here (the
                # app's own code, in a newer Python's syntax): said, and not counted.
                message = f"not read ({error.message}); tables it defines are not counted"
                self.note(error.path or path, error.line or 0, message)
                continue
            order.append(path)
            pending.extend(reached)
        return tuple(order)

    def note(self, path: str, line: int, message: str) -> None:
        self.notes.setdefault((path, line, message), None)

    def imported_by(self, path: str) -> list[str]:
        """The project modules the module's imports run (not those under ``if
        TYPE_CHECKING:``), in the order Python runs them: for each import statement the
        packages on the way (``import app.core.config`` runs ``app`` and ``app.core``
        first), the module, then the submodules ``from package import name`` loads."""
        found: list[str] = []
        for module, level, names, line in self.load(path).bindings.runtime_imports:
            imported = self.module_of_import(path, module, level)
            if imported is None:
                if level:  # an absolute one may well be a library's
                    where = "." * level + module
                    self.note(path, line, f"module {where} is not in the project")
                continue
            if not level:
                found.extend(self._packages_between(module))
            found.append(imported.path)
            for name in names:
                sub = self.submodule(imported, name) if name != "*" else None
                if sub is not None and (
                    imported.is_namespace or name not in self.load(imported.path).bindings.names
                ):
                    found.append(sub.path)
        return found

    def _packages_above(self, path: str) -> list[str]:
        """The ``__init__.py`` files of the packages a file sits in (importing it by its
        dotted name runs them first)."""
        found = []
        folder = posixpath.dirname(path) or "."
        while folder not in (".", "/"):
            init = join(folder, "__init__.py")
            if self.tree.kind(init) != "file":
                break
            if init != path:
                found.append(init)
            folder = posixpath.dirname(folder) or "."
        return found

    def _packages_between(self, dotted: str) -> list[str]:
        parts = dotted.split(".")
        found = []
        for end in range(1, len(parts)):
            package = self.absolute(".".join(parts[:end]))
            if package is not None and not package.is_namespace:
                found.append(package.path)
        return found
