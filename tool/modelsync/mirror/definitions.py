"""Which top-level definitions the region copies, from whichever module of the source.

The tables' classes are the start; then, transitively, every class, constant and function
they name: in their own module, or through an import of another module of the source
(``from .base import TimestampMixin``), followed by the module graph to where it is
defined. The mirror is one file, so what comes from several modules is laid out in the
order Python finishes running them (a module's imports before it), each module's
definitions in their own order: bases and enums stand before what uses them, as they did
when the source was imported.

Names used under another name (``from .enums import Status as S``) get an alias line.
A name of the source used through a module (``enums.Status``) cannot be copied by name,
and two modules defining one name cannot share one file: each is a warning at its line.
"""

from __future__ import annotations

import ast
import functools

from modelsync.modules.bindings import IMPORT, MODULE
from modelsync.modules.graph import Defined, ProjectModule
from modelsync.records import field, record
from modelsync.schema.ir import Diagnostic, Schema


@record
class Needed:
    """``nodes``: (module path, statement) to copy, in the order they are laid out;
    ``aliases``: (name used, name defined) pairs; ``problems``: what cannot be copied."""

    nodes: tuple[tuple[str, ast.stmt], ...] = field(repr=False)
    names: frozenset[str]
    aliases: tuple[tuple[str, str], ...] = ()
    problems: tuple[Diagnostic, ...] = ()


def needed_definitions(side, schema: Schema) -> Needed:
    """``side`` is the source read as a project (``schema.load.Side``); ``schema`` the
    tables to mirror (the shared ones left out)."""
    files = {f.path: f for f in side.files}
    definitions = {path: _top_level_definitions(f.module) for path, f in files.items()}
    wanted: set[tuple[str, str]] = set()
    aliases: dict[str, str] = {}
    problems: list[Diagnostic] = []
    pending = [(schema.where(t), t.class_name) for t in schema.tables]
    while pending:
        path, name = pending.pop()
        if (path, name) in wanted or name not in definitions.get(path, {}):
            continue
        wanted.add((path, name))
        for node in definitions[path][name]:
            for used in sorted(_names_in(node)):
                if used in definitions[path]:
                    pending.append((path, used))
                    continue
                found = _imported_definition(side, path, used, node, problems)
                if found is not None and found[0] in definitions:
                    pending.append(found)
                    if found[1] != used:
                        aliases[used] = found[1]
    problems += _collisions(wanted, definitions)
    order = _module_order(side, {path for path, _ in wanted})
    nodes = []
    for path in order:
        names = {name for p, name in wanted if p == path}
        for node in files[path].module.body:
            if defined_names(node) & names:
                nodes.append((path, node))
    return Needed(
        tuple(nodes),
        frozenset(name for _, name in wanted),
        tuple(sorted(aliases.items())),
        tuple(problems),
    )


def _imported_definition(
    side, path: str, name: str, node: ast.stmt, problems: list[Diagnostic]
) -> tuple[str, str] | None:
    """Where a name the module imports is defined, when that is another module of the
    source; None for a library's name, a builtin, or what cannot be followed."""
    graph = side.graph
    if graph is None or len(side.files) == 1:
        return None
    bindings = graph.load(path).bindings
    binding = bindings.names.get(name)
    imported = binding is not None and binding.kind in (IMPORT, MODULE)
    if not imported and not (binding is None and bindings.stars):
        return None  # defined here, a builtin, or no name of the module at all
    target = graph.resolve(path, name)
    if isinstance(target, Defined):
        return (target.path, target.name)
    if isinstance(target, ProjectModule):
        problems.append(Diagnostic(
            path, node.lineno,
            f"{name} is a module of the source: generate copies definitions by name, so "
            f"import the names used from {name} instead of the module",
        ))  # fmt: skip
    return None


def _collisions(wanted: set[tuple[str, str]], definitions: dict) -> list[Diagnostic]:
    by_name: dict[str, list[str]] = {}
    for path, name in sorted(wanted):
        by_name.setdefault(name, []).append(path)
    return [
        Diagnostic(
            paths[1],
            definitions[paths[1]][name][0].lineno,
            f"{name} is defined in {' and '.join(paths)}; the mirror is one file, so "
            "rename one of them (only the last one copied is used)",
        )  # fmt: skip
        for name, paths in by_name.items()
        if len(paths) > 1
    ]


def _module_order(side, paths: set[str]) -> list[str]:
    """The modules in the order Python finishes running them when it imports the
    source: depth first over the imports that run, each module after those it imports."""
    if len(paths) == 1:
        return list(paths)
    graph = side.graph
    finished: list[str] = []
    started: set[str] = set()
    stack = [(entry, False) for entry in reversed(side.entries)]
    while stack:
        path, done = stack.pop()
        if done:
            finished.append(path)
            continue
        if path in started or not path.endswith(".py"):
            continue
        started.add(path)
        stack.append((path, True))
        imports = graph.load(path).bindings.runtime_imports
        for module, level, _, _ in reversed(imports):
            found = graph.module_of_import(path, module, level)
            if found is not None and found.path not in started:
                stack.append((found.path, False))
    rest = sorted(paths - set(finished))  # reached only through TYPE_CHECKING imports
    return [p for p in finished if p in paths] + rest


def _top_level_definitions(module: ast.Module) -> dict[str, list[ast.stmt]]:
    definitions: dict[str, list[ast.stmt]] = {}
    for node in module.body:
        for name in defined_names(node):
            definitions.setdefault(name, []).append(node)
    return definitions


@functools.cache
def _names_in(node: ast.AST) -> frozenset[str]:
    """Every name a statement refers to, string annotations ("Optional[Team]") included.

    Cached per node: the same class is asked about several times.
    """
    used: set[str] = set()
    for child in ast.walk(node):
        if isinstance(child, ast.Name):
            used.add(child.id)
        elif isinstance(child, ast.AnnAssign | ast.arg) and child.annotation is not None:
            used |= _names_in_string_annotations(child.annotation)
    return frozenset(used)


def names_used(nodes) -> set[str]:
    used: set[str] = set()
    for node in nodes:
        used |= _names_in(node)
    return used


def _names_in_string_annotations(annotation: ast.expr) -> set[str]:
    names: set[str] = set()
    for child in ast.walk(annotation):
        if isinstance(child, ast.Constant) and isinstance(child.value, str):
            try:
                expression = ast.parse(child.value.strip(), mode="eval")
            except SyntaxError:
                continue
            names |= {n.id for n in ast.walk(expression) if isinstance(n, ast.Name)}
    return names


def defined_names(node: ast.stmt) -> frozenset[str]:
    """The names a top-level class, function or assignment binds; for an ``if``/``try``/
    ``with`` block, every name assigned or defined in it (the block is copied whole)."""
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return frozenset({node.name})
    if isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        return frozenset(n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name))
    if isinstance(node, ast.If | ast.Try | ast.With):
        nested = [*node.body, *getattr(node, "orelse", []), *getattr(node, "finalbody", [])]
        nested += [stmt for handler in getattr(node, "handlers", []) for stmt in handler.body]
        return frozenset(name for child in nested for name in defined_names(child))
    return frozenset()
