"""How the build child imports a side's models: as the app would.

One models file that imports nothing else of the project is imported by its path (as
verify always did: several versions of it build in one child). A package, or a file
whose imports reach other modules of the project, is imported by its modules' dotted
names with the side's import roots first on ``sys.path`` (``schema.load.side_modules``
finds them statically), so relative imports and ``from app.models.enums import ...``
work in the child as they do in the app.

At a git revision (``--baseline-ref``), the modules importing the side runs are written
into a temporary folder, in their places, and imported from there.
"""

from __future__ import annotations

import contextlib
import posixpath
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
    entries, roots, closure = side_modules(tree, items, pythonpath=pythonpath)
    first = base / entries[0]
    alone = closure == entries and len(entries) == 1
    if alone and package_root(tree, entries[0]) == (posixpath.dirname(entries[0]) or "."):
        return ModelsImport(first, shown, (), (first.parent.resolve(),), base)
    modules = []
    for entry in entries:
        name = dotted_name(entry, package_root(tree, entry))
        if name is None:
            raise InputError("cannot be imported by a module name (a part is no identifier)",
                             entry)  # fmt: skip
        modules.append(name)
    paths = tuple(dict.fromkeys((base / root).resolve() for root in roots))
    return ModelsImport(first, shown, tuple(modules), paths, base)


@contextlib.contextmanager
def models_import_at_ref(
    root: Path, ref: str, items: tuple[str, ...], pythonpath: tuple[str, ...], shown: str
) -> Iterator[ModelsImport]:
    from modelsync.migrate.gittree import GitTree

    tree = GitTree(root, ref)
    entries, _, closure = side_modules(tree, items, pythonpath=pythonpath)
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
