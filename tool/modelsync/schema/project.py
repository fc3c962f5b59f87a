"""A side's models read as a project: every module importing them runs, linked.

The module graph (``modules.graph``) says what a name means; this module turns that into
what the schema stage reads: each module gets one ``Evaluator`` whose ``Linker`` follows
its imports into the project's other modules, and one ``ModelFile`` of its classes, both
made when first needed. Across modules a class is one name, ``local.<key>``: the first
module's classes keep their plain name (``local.User``), every other module's carry its
key (``local.m3:Status``), so a mixin's field that names an enum of its own module still
means that enum when a table in another module inherits the field.

``Project`` is also the class space ``resolve`` looks classes up in.
"""

from __future__ import annotations

import ast
from typing import Any

from modelsync.modules.bindings import CONSTANT, IMPORT, MODULE
from modelsync.modules.graph import Defined, External, ModuleGraph, ProjectModule, Unresolved
from modelsync.schema.names import canonical, name_chain
from modelsync.schema.parse import ClassDecl, ModelFile, gather_classes, module_evaluator
from modelsync.schema.values import AS_WRITTEN, NOT_LINKED, Evaluator, Ref, Unknown


class Project:
    def __init__(self, graph: ModuleGraph):
        self.graph = graph
        self._prefixes: dict[str, str] = {}
        self._paths: dict[str, str] = {}
        self._evaluators: dict[str, Evaluator] = {}
        self._files: dict[str, ModelFile] = {}
        self._evaluating: set[tuple[str, str]] = set()
        # (path, line, message): what the linker could not follow, said once each.
        self.notes: dict[tuple[str, int, str], None] = {}

    # ------------------------------------------------------------------ modules

    def prefix(self, path: str) -> str:
        """The module's class key prefix: "" for the first module, ``mN:`` after."""
        found = self._prefixes.get(path)
        if found is None:
            found = f"m{len(self._prefixes)}:" if self._prefixes else ""
            self._prefixes[path] = found
            self._paths[found] = path
        return found

    def evaluator(self, path: str) -> Evaluator:
        found = self._evaluators.get(path)
        if found is None:
            tree = self.graph.load(path).tree
            prefix = "local." + self.prefix(path)
            found = module_evaluator(tree, path, prefix, Linker(self, path))
            self._evaluators[path] = found
        return found

    def model_file(self, path: str) -> ModelFile:
        found = self._files.get(path)
        if found is None:
            tree = self.graph.load(path).tree
            found = self._files[path] = gather_classes(self.evaluator(path), tree, path)
        return found

    def constant(self, path: str, name: str, line: int) -> Any:
        """The value of the constant ``name`` of module ``path``, read in that module."""
        if (path, name) in self._evaluating:
            return AS_WRITTEN  # a cycle of constants across modules: no value
        self._evaluating.add((path, name))
        try:
            node = ast.Name(id=name, ctx=ast.Load(), lineno=line, col_offset=0)
            return self.evaluator(path).value(node)
        finally:
            self._evaluating.discard((path, name))

    # ------------------------------------------------------------------ the class space

    def find(self, key: str, referrer: ClassDecl | None = None) -> ClassDecl | None:
        """The class ``local.<key>`` names; in the referrer's own module, the last one
        defined before it (what a base class list refers to)."""
        prefix, colon, name = key.rpartition(":")
        path = self._paths.get(prefix + colon)
        if path is None:
            return None
        before = referrer.line if referrer is not None and referrer.path == path else None
        return self.model_file(path).find(name, before)

    def note(self, path: str, line: int, message: str) -> None:
        self.notes.setdefault((path, line, message), None)


class Linker:
    """Follows the names one module imports from the project's other modules."""

    def __init__(self, project: Project, path: str):
        self.project = project
        self.path = path
        self._bindings = project.graph.load(path).bindings
        # Chain -> where it leads: a module names the same few imports on every field.
        self._targets: dict[tuple[str, ...], tuple[Any, tuple[str, ...]]] = {}
        # Head name -> whether it may lead into the project: asked for every name read
        # (``Field``, ``Optional``, ``str`` on every field), answered once each.
        self._heads: dict[str, bool] = {}

    def link(self, node: ast.expr) -> Any:
        """The value of a name or attribute chain that leads into another module of the
        project; ``NOT_LINKED`` when it does not (a builtin, a local definition, a
        library's name: read as before)."""
        if type(node) is ast.Name:
            head = node.id
            chain: tuple[str, ...] | None = None
        else:
            chain = name_chain(node)
            if chain is None:
                return NOT_LINKED
            head = chain[0]
        may = self._heads.get(head)
        if may is None:
            may = self._heads[head] = self._may_link(head)
        if not may:
            return NOT_LINKED
        chain = chain or (head,)
        found = self._targets.get(chain)
        if found is None:
            found = self._targets[chain] = self.project.graph.resolve_chain(self.path, chain)
        target, rest = found
        line = getattr(node, "lineno", 0)
        if isinstance(target, External):
            return Ref(canonical(target.qualified), line)
        if isinstance(target, Unresolved):
            if self._bindings.names.get(chain[0]) is None:
                return NOT_LINKED  # not star-imported either: a builtin or an undefined name
            # Its own place when the graph knows one; else where this module uses it.
            where = (target.path, target.line) if target.line else (self.path, line)
            self.project.note(*where, target.message)
            return AS_WRITTEN
        if isinstance(target, ProjectModule):
            return AS_WRITTEN
        return self._defined(target, rest, line)

    def _may_link(self, head: str) -> bool:
        binding = self._bindings.names.get(head)
        if binding is None:
            return bool(self._bindings.stars)
        graph = self.project.graph
        if binding.kind == IMPORT:
            return bool(binding.level) or graph.absolute(binding.module) is not None
        if binding.kind == MODULE:
            return graph.absolute(binding.module) is not None
        return False

    def _defined(self, target: Defined, rest: tuple[str, ...], line: int) -> Any:
        kind = target.binding.kind
        if kind == "class":
            key = self.project.prefix(target.path) + target.name
            return Ref(".".join(("local." + key, *rest)), line)
        if kind == CONSTANT:
            value = self.project.constant(target.path, target.name, target.binding.line)
            if not rest:
                return value
            if isinstance(value, Ref):
                # A name for a class (``JobStatus = enums.JobStatus`` in a package's
                # ``__init__``): its attributes are the class's (``JobStatus.QUEUED``).
                return Ref(".".join((value.name, *rest)), line)
        if kind == "function":
            # Not evaluated, and spelled by its own name (as a function of the same
            # module is, and as generate copies it), whatever it was imported as.
            return Unknown(".".join((target.name, *rest)), line)
        # An attribute of a constant: no value is known statically.
        return AS_WRITTEN
