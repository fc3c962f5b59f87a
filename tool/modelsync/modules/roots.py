"""The folders absolute imports are looked up in, found as type checkers find them.

In order: the configured ``pythonpath`` (``[tool.modelsync]``, relative to the project
root, the name pytest uses); the folder each entry file's package hierarchy starts in
(walk up while the folder holds ``__init__.py``: ``app/models/user.py`` with
``app/__init__.py`` and ``app/models/__init__.py`` gives the root); folders the file
itself puts on ``sys.path`` (``sys.path.append(str(Path(__file__).parent.parent /
"backend-core"))``, when the expression can be read statically); ``src/`` when the
project has one; the project root.
"""

from __future__ import annotations

import ast
import posixpath

from modelsync.modules.tree import join, normalized


def import_roots(
    tree,
    entries: tuple[str, ...],
    configured: tuple[str, ...] = (),
    inserted: tuple[tuple[str, bool], ...] = (),
) -> tuple[str, ...]:
    """``inserted``: (folder, whether at the front) from ``path_insertions``: a folder put
    first with ``sys.path.insert(0, ...)`` is searched before everything, as Python does
    (the last one inserted first); an appended one after the package roots."""
    front = [folder for folder, first in reversed(inserted) if first]
    roots = [*front, *(normalized(r) for r in configured)]
    roots += [package_root(tree, entry) for entry in entries]
    roots += [folder for folder, first in inserted if not first]
    if tree.kind("src") == "dir":
        roots.append("src")
    roots.append(".")
    return tuple(dict.fromkeys(roots))


def package_root(tree, path: str) -> str:
    """The folder above the outermost package that holds ``path``."""
    folder = posixpath.dirname(path) or "."
    while folder not in (".", "/") and tree.kind(join(folder, "__init__.py")) == "file":
        folder = posixpath.dirname(folder) or "."
    return folder


def dotted_name(path: str, root: str) -> str | None:
    """``app/models/user.py`` under root ``.`` -> ``app.models.user``; None when the
    file is not under the root or a part is no identifier."""
    relative = posixpath.relpath(path, root) if root != "." else path
    if relative.startswith(".."):
        return None
    parts = relative.removesuffix(".py").split("/")
    if parts[-1] == "__init__":
        parts.pop()
    if not parts or not all(p.isidentifier() for p in parts):
        return None
    return ".".join(parts)


def module_aliases(paths: tuple[str, ...]) -> dict[str, str]:
    """Dotted names under which a package installed from the project's own folders would
    import each file: every folder on the way from the project root, with ``-`` read as
    ``_`` (``backend-core/models.py`` -> ``backend_core.models`` and ``models``), as a
    distribution named after its folder installs it; and the folders themselves, so that
    ``from backend_core import models`` finds the module in the folder."""
    aliases: dict[str, str] = {}
    for path in paths:
        parts = path.removesuffix(".py").split("/")
        if parts[-1] == "__init__":
            parts.pop()
        if not parts or parts[0] == "..":
            continue
        names = [p.replace("-", "_") for p in parts]
        for start in range(len(names)):
            tail = names[start:]
            if all(n.isidentifier() for n in tail):
                aliases.setdefault(".".join(tail), path)
                for end in range(1, len(tail)):
                    folder = "/".join(parts[: start + end])
                    aliases.setdefault(".".join(tail[:end]), folder)
    return aliases


def path_insertions(module: ast.Module, path: str) -> tuple[tuple[str, bool], ...]:
    """Folders the module adds to ``sys.path`` when it is imported, as project paths, when
    the expression can be read without running it: a string, ``__file__``,
    ``os.path.dirname/abspath/join/realpath``, ``Path(...)``, ``.parent``, ``/``,
    ``.resolve()``, ``str(...)``, ``os.fspath``, or a module-level name assigned one of
    them (``BACKEND = ...`` then ``if BACKEND not in sys.path: sys.path.append(BACKEND)``).
    Other ones are left out."""
    found = []
    names: dict[str, ast.expr] = {}
    for node in _run_at_import(module.body):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                names[target.id] = node.value
            continue
        call = node.value if isinstance(node, ast.Expr) else None
        if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Attribute):
            continue
        method = call.func.attr
        owner = call.func.value
        is_sys_path = (
            isinstance(owner, ast.Attribute) and owner.attr == "path"
            and isinstance(owner.value, ast.Name) and owner.value.id == "sys"
        )  # fmt: skip
        if not is_sys_path or method not in ("append", "insert"):
            continue
        argument = call.args[-1] if call.args else None
        folder = _path_value(argument, path, names) if argument is not None else None
        position = call.args[0] if method == "insert" and len(call.args) == 2 else None
        first = isinstance(position, ast.Constant) and position.value == 0
        if folder is not None:
            found.append((folder, first))
    return tuple(found)


def _run_at_import(body: list[ast.stmt]):
    """The module's statements that run when it is imported, ``if``/``try``/``with``
    bodies included, but not ``if __name__ == "__main__":`` or ``if TYPE_CHECKING:``."""
    for node in body:
        if isinstance(node, ast.If):
            if not _never_at_import(node.test):
                yield from _run_at_import(node.body)
            yield from _run_at_import(node.orelse)
        elif isinstance(node, ast.Try | ast.TryStar):
            for block in (node.body, *(h.body for h in node.handlers), node.orelse):
                yield from _run_at_import(block)
            yield from _run_at_import(node.finalbody)
        elif isinstance(node, ast.With):
            yield from _run_at_import(node.body)
        else:
            yield node


def _never_at_import(test: ast.expr) -> bool:
    if isinstance(test, ast.Name | ast.Attribute):
        return getattr(test, "id", getattr(test, "attr", "")) == "TYPE_CHECKING"
    return (
        isinstance(test, ast.Compare) and isinstance(test.left, ast.Name)
        and test.left.id == "__name__" and len(test.comparators) == 1
        and isinstance(test.comparators[0], ast.Constant)
        and test.comparators[0].value == "__main__"
    )  # fmt: skip


def _path_value(node: ast.expr, path: str, names: dict[str, ast.expr]) -> str | None:
    """A path expression's value as a project path (relative to the project root).
    ``names``: module-level names assigned before it; a name is not read inside its own
    value (``X = X / "a"`` cannot loop)."""
    if isinstance(node, ast.Name) and node.id in names:
        rest = {name: value for name, value in names.items() if name != node.id}
        return _path_value(names[node.id], path, rest)
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        if posixpath.isabs(node.value):
            return None  # a container's path (``/app/backend-core``): not this checkout's
        # Relative to the working directory at run time; the project root is the best guess.
        return normalized(node.value)
    if isinstance(node, ast.Name) and node.id == "__file__":
        return path
    if isinstance(node, ast.Attribute) and node.attr == "parent":
        inner = _path_value(node.value, path, names)
        return _parent(inner)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        left, right = _path_value(node.left, path, names), _path_value(node.right, path, names)
        return join(left, right) if left is not None and right is not None else None
    if isinstance(node, ast.Call):
        return _call_value(node, path, names)
    return None


def _call_value(node: ast.Call, path: str, names: dict[str, ast.expr]) -> str | None:
    name = _call_name(node.func)
    args = [_path_value(a, path, names) for a in node.args]
    if name in ("str", "os.fspath", "Path", "pathlib.Path", "os.path.abspath",
                "os.path.realpath", "os.path.normpath") and len(args) == 1:  # fmt: skip
        return args[0]
    if name in ("Path", "pathlib.Path", "os.path.join") and args and None not in args:
        return join(*args)
    if name == "os.path.dirname" and len(args) == 1:
        return _parent(args[0])
    if isinstance(node.func, ast.Attribute) and node.func.attr in ("resolve", "absolute"):
        return _path_value(node.func.value, path, names)
    return None


def _parent(path: str | None) -> str | None:
    if path is None:
        return None
    return normalized(posixpath.join(path, ".."))


def _call_name(func: ast.expr) -> str:
    parts = []
    while isinstance(func, ast.Attribute):
        parts.append(func.attr)
        func = func.value
    if isinstance(func, ast.Name):
        parts.append(func.id)
    return ".".join(reversed(parts))
