"""How the build child imports a side's models: as the app would.

One models file without relative imports is imported by its path (as verify always did:
several versions of it build in one child, and a package it sits in, whose
``__init__.py`` may import the whole app, is not run), with its folder and the side's
import roots first on ``sys.path`` so that its absolute imports of the project work. A
package, several files, or a file with relative imports is imported by its modules'
dotted names (``schema.load.side_modules`` finds the roots statically), under the name
the side's own modules import each by when they do (a namespace package's
``ns.models.user``), so relative imports work in the child as they do in the app.

At a git revision (``--baseline-ref``), the modules importing the side runs are written
into a temporary folder, in their places, and imported from there.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from pathlib import Path

from modelsync.errors import InputError
from modelsync.modules.roots import dotted_name, package_root
from modelsync.modules.tree import DiskTree
from modelsync.records import record
from modelsync.schema.load import side_modules


@record
class ModelsImport:
    """``file``: the first models file (what messages name, and what is imported by path
    when ``modules`` is empty); ``base``: the folder project paths are relative to."""

    file: Path
    shown: str
    modules: tuple[str, ...]
    import_paths: tuple[Path, ...]
    base: Path


def models_import(
    base: Path, tree, items: tuple[str, ...], pythonpath: tuple[str, ...], shown: str
) -> ModelsImport:
    entries, graph, closure = side_modules(tree, items, pythonpath=pythonpath)
    first = base / entries[0]
    paths = tuple(dict.fromkeys((base / root).resolve() for root in graph.roots))
    if len(entries) == 1 and not _relative_imports(graph, entries[0]):
        folder = first.parent.resolve()
        return ModelsImport(first, shown, (), (folder, *(p for p in paths if p != folder)), base)
    imported_as = _names_used(graph, closure)
    modules = []
    for entry in entries:
        name = imported_as.get(entry) or dotted_name(entry, package_root(tree, entry))
        if name is None:
            raise InputError("cannot be imported by a module name (a part is no identifier)",
                             entry)  # fmt: skip
        modules.append(name)
    return ModelsImport(first, shown, tuple(modules), paths, base)


def _relative_imports(graph, path: str) -> bool:
    return any(level for _, level, _, _ in graph.load(path).bindings.runtime_imports)


def _names_used(graph, closure: tuple[str, ...]) -> dict[str, str]:
    """Module path -> the dotted name the side's modules import it by (absolute imports
    only): the name the app gives it, which a namespace package's walk-up cannot know."""
    found: dict[str, str] = {}
    for path in closure:
        for module, level, names, _ in graph.load(path).bindings.runtime_imports:
            if level or not module:
                continue
            target = graph.absolute(module)
            if target is not None and not target.is_namespace:
                found.setdefault(target.path, module)
            for name in names:
                sub = graph.submodule(target, name) if target is not None else None
                if sub is not None and not sub.is_namespace:
                    found.setdefault(sub.path, f"{module}.{name}")
    return found


@contextlib.contextmanager
def models_import_at_ref(
    root: Path, ref: str, items: tuple[str, ...], pythonpath: tuple[str, ...], shown: str
) -> Iterator[ModelsImport]:
    from modelsync.migrate.gittree import GitTree

    tree = GitTree(root, ref)
    _, _, closure = side_modules(tree, items, pythonpath=pythonpath)
    with tempfile.TemporaryDirectory(prefix="modelsync-baseline-") as folder:
        checkout = Path(folder)
        for path in closure:
            if path.startswith("../"):
                continue  # outside the project: not in the repository's tree
            target = checkout / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(tree.read_text(path), encoding="utf-8")
        written = DiskTree(checkout)
        yield models_import(checkout, written, items, pythonpath, f"{ref}:{shown}")
