"""The one IR builder every command uses: a side's models on disk -> Schema.

A side is one models file (the standard's layout), a package folder, or a list of files
and globs; ``load_side`` reads it as Python would import it (``schema.project``): every
module its imports run, with names followed across modules. ``parse_file``/``schema_of``
read one file on its own (an old version from git, ``--from-file``).
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

from modelsync.errors import InputError, ModelError
from modelsync.modules.bindings import IMPORT
from modelsync.modules.entries import entry_files
from modelsync.modules.graph import Defined, Loaded, ModuleGraph
from modelsync.modules.roots import import_roots, module_aliases, path_insertions
from modelsync.modules.source import parse_python, read_source
from modelsync.records import field, record, replace
from modelsync.schema.ir import Diagnostic, Schema
from modelsync.schema.parse import gather
from modelsync.schema.project import Project
from modelsync.schema.release import SqlmodelRules
from modelsync.schema.resolve import resolve, resolve_classes


@record
class ParsedFile:
    """A models file read once: its text and syntax tree serve every later stage."""

    path: str
    text: str
    module: ast.Module


@record
class Side:
    """One side's models read as a project. ``files`` are every module read, in the
    order importing the entries runs them (the entries first); ``roots`` the folders its
    absolute imports were looked up in."""

    schema: Schema
    files: tuple[ParsedFile, ...]
    entries: tuple[str, ...]
    roots: tuple[str, ...]
    # The module graph it was read with: later stages ask it what a name means.
    graph: Any = field(default=None, compare=False, repr=False)

    @property
    def paths(self) -> frozenset[str]:
        return frozenset(f.path for f in self.files)


def parse_file(path: Path, shown: str) -> ParsedFile:
    """``shown`` is the path as messages print it (relative to the project root)."""
    text = read_source(path, shown)
    return ParsedFile(shown, text, parse_python(text, shown))


def schema_of(parsed: ParsedFile, rules: SqlmodelRules) -> Schema:
    try:
        return resolve(gather(parsed.module, parsed.path), rules)
    except RecursionError:
        # gather names the statement itself; this is what is left (a deep chain of
        # classes or constants), so the file is the best place there is.
        raise InputError("the models nest too deeply to read", parsed.path) from None


def load_schema(path: Path, shown: str, rules: SqlmodelRules) -> Schema:
    return schema_of(parse_file(path, shown), rules)


def side_label(items: tuple[str, ...]) -> str:
    """How messages name a side: its one path, or its paths joined."""
    return ", ".join(Path(item).as_posix() for item in items)


def load_side(
    tree,
    items: tuple[str, ...],
    rules: SqlmodelRules,
    *,
    what: str = "source",
    pythonpath: tuple[str, ...] = (),
    imports_from: Side | None = None,
    loaded: dict[str, Loaded] | None = None,
) -> Side:
    """Read the side ``items`` names in ``tree`` (``modules.tree``). With
    ``imports_from`` (the source, when this is the target), the classes this side imports
    from that side's modules are shared, not its own: ``Schema.shared`` lists them."""
    loaded = {} if loaded is None else loaded
    entries, graph = _side_graph(tree, items, what, pythonpath, imports_from, loaded)
    try:
        schema, closure = _read(graph, entries, items, rules, imports_from)
    except RecursionError:
        raise InputError("the models nest too deeply to read", entries[0]) from None
    files = tuple(ParsedFile(p, loaded[p].text, loaded[p].tree) for p in closure)
    return Side(schema, files, entries, graph.roots, graph)


@record
class TargetImports:
    """What a target takes from the source by importing it: the tables of the source's
    modules its imports run (``Schema.shared``), and the source's definitions it binds
    under their own names, (module path, name) -> the import's line (``from enums import
    Status``: the same class, so the mirror does not copy it)."""

    shared: tuple[tuple[str, str, str], ...]
    definitions: dict[tuple[str, str], int]


def target_imports(
    tree,
    items: tuple[str, ...],
    source: Side,
    *,
    pythonpath: tuple[str, ...] = (),
    loaded: dict[str, Loaded] | None = None,
) -> TargetImports:
    """Found from the target's imports alone (``generate`` must not need the target's own
    models to be valid)."""
    loaded = {} if loaded is None else loaded
    entries, graph = _side_graph(tree, items, "target", pythonpath, source, loaded)
    reached = frozenset(graph.runtime_closure(entries)) & source.paths
    return TargetImports(_shared(source, reached), imported_definitions(graph, entries, source))


def imported_definitions(
    graph: ModuleGraph, entries: tuple[str, ...], source: Side
) -> dict[tuple[str, str], int]:
    """The source's top-level definitions the target's files import under their own
    name, each with the line of its import (``TargetImports.definitions``)."""
    found: dict[tuple[str, str], int] = {}
    for entry in entries:
        for name, binding in graph.load(entry).bindings.names.items():
            if binding.kind != IMPORT or not binding.runtime:
                continue
            target = graph.resolve(entry, name)
            if isinstance(target, Defined) and target.name == name and target.path in source.paths:
                found.setdefault((target.path, name), binding.line)
    return found


def side_modules(
    tree, items: tuple[str, ...], *, pythonpath: tuple[str, ...] = (), what: str = "source"
) -> tuple[tuple[str, ...], ModuleGraph, tuple[str, ...]]:
    """(entries, the module graph, every module importing them runs) without reading the
    models: what ``verify``'s build child needs to import the side as the app does."""
    entries, graph = _side_graph(tree, items, what, pythonpath, None, {})
    return entries, graph, graph.runtime_closure(entries)


def _side_graph(tree, items, what, pythonpath, imports_from, loaded):
    entries = entry_files(tree, items, what)
    reader = ModuleGraph(tree, (), loaded=loaded)
    if len(entries) == 1 and not reader.load(entries[0]).text.strip():
        raise InputError("file is empty: no models to read", entries[0])
    inserted = tuple(
        folder for entry in entries for folder in path_insertions(reader.load(entry).tree, entry)
    )
    roots = import_roots(tree, entries, pythonpath, inserted)
    aliases = {}
    if imports_from is not None:
        roots = tuple(dict.fromkeys((*roots, *imports_from.roots)))
        aliases = module_aliases(tuple(sorted(imports_from.paths)))
    return entries, ModuleGraph(tree, roots, aliases, loaded)


def _shared(source: Side, reached: frozenset[str]) -> tuple[tuple[str, str, str], ...]:
    return tuple(
        (t.name, t.class_name, source.schema.where(t))
        for t in source.schema.tables
        if source.schema.where(t) in reached
    )


def _read(
    graph: ModuleGraph,
    entries: tuple[str, ...],
    items: tuple[str, ...],
    rules: SqlmodelRules,
    imports_from: Side | None,
) -> tuple[Schema, tuple[str, ...]]:
    project = Project(graph)
    project.prefix(entries[0])
    closure = graph.runtime_closure(entries)
    foreign = imports_from.paths if imports_from is not None else frozenset()
    own = [path for path in closure if path not in foreign]
    files = [project.model_file(path) for path in own]
    classes = tuple(decl for model_file in files for decl in model_file.classes)
    notes = tuple((f.path, line, note) for f in files for line, note in f.notes)
    schema = resolve_classes(project, classes, notes, rules, side_label(items))
    said = {**graph.notes, **project.notes}
    linked = tuple(Diagnostic(path, line, message) for path, line, message in said)
    shared = ()
    if imports_from is not None:
        shared = _shared(imports_from, frozenset(closure) & foreign)
        _refuse_tables_defined_twice(schema, shared)
    schema = replace(schema, warnings=schema.warnings + linked, shared=shared)
    return schema, closure


def _refuse_tables_defined_twice(schema: Schema, shared: tuple[tuple[str, str, str], ...]):
    """A table this side defines that it also imports from the other side is defined
    twice in one MetaData: SQLModel refuses that at import."""
    imported = {name: (cls, path) for name, cls, path in shared}
    for table in schema.tables:
        if table.name in imported:
            cls, path = imported[table.name]
            raise ModelError(
                f"Table '{table.name}' is already defined for this MetaData instance: class "
                f"{cls} of {path}, imported here, defines it too",
                schema.where(table),
                table.line,
            )
