"""What one module binds at its top level, and where each name comes from.

A gatherer over the module's statements (``if``/``try``/``with`` blocks included, since
their bodies run at import too): classes, functions, assignments and imports. Nothing is
resolved here; the graph follows imports to other modules.

A name bound more than once keeps its last binding, as Python's namespace does after the
import, except that a name bound in several ways inside blocks (``try: from x import A``
/ ``except ImportError: A = None``) is marked ``ambiguous``: which one holds depends on
run time, and the resolver reports it instead of guessing.
"""

from __future__ import annotations

import ast

from modelsync.records import field, record

# The kinds of binding.
CLASS, FUNCTION, CONSTANT, IMPORT, MODULE, AMBIGUOUS = (
    "class",
    "function",
    "constant",
    "import",
    "module",
    "ambiguous",
)


@record
class Binding:
    """``kind`` says what binds the name:

    - ``class``, ``function``, ``constant``: defined here (``node`` is the definition or,
      for a constant, the assigned expression);
    - ``import``: ``from <module> import <name>`` (``module`` as written, ``level`` dots);
    - ``module``: ``import a.b`` (binds ``a``: ``module`` is ``a``) or ``import a.b as x``
      (``module`` is ``a.b``);
    - ``ambiguous``: bound in several ways, depending on run time.

    ``runtime`` is False for what ``if TYPE_CHECKING:`` binds: type checkers see it,
    the interpreter never runs it.
    """

    kind: str
    line: int
    node: ast.AST | None = field(default=None, compare=False, repr=False)
    module: str = ""
    level: int = 0
    name: str = ""
    runtime: bool = True


@record
class ModuleBindings:
    names: dict[str, Binding]
    # ``from M import *``, in order (``name`` is ``*``).
    stars: tuple[Binding, ...]
    # ``__all__`` when it is a literal list or tuple of strings (None: not given or computed).
    exported: tuple[str, ...] | None
    # Every import statement's target that runs at import time, as (module, level, names, line):
    # what the interpreter imports when it imports this module.
    runtime_imports: tuple[tuple[str, int, tuple[str, ...], int], ...]

    def exports(self, name: str) -> bool:
        """Whether ``from this import *`` binds ``name``."""
        if self.exported is not None:
            return name in self.exported
        return not name.startswith("_")


def module_bindings(module: ast.Module) -> ModuleBindings:
    names: dict[str, Binding] = {}
    # How many times each name is bound inside a block (a try/except pair binds twice).
    in_blocks: dict[str, int] = {}
    stars: list[Binding] = []
    imports: list[tuple[str, int, tuple[str, ...], int]] = []
    exported: tuple[str, ...] | None = None
    for node, runtime, in_block in _statements(module.body, True, False):
        bound = list(_bind(node, runtime))
        if isinstance(node, ast.ImportFrom) and any(a.name == "*" for a in node.names):
            stars.append(Binding(IMPORT, node.lineno, node, node.module or "", node.level, "*"))
        if runtime and isinstance(node, ast.ImportFrom):
            wanted = tuple(a.name for a in node.names)
            imports.append((node.module or "", node.level, wanted, node.lineno))
        elif runtime and isinstance(node, ast.Import):
            imports.extend((a.name, 0, (), node.lineno) for a in node.names)
        for name, binding in bound:
            if in_block:
                in_blocks[name] = in_blocks.get(name, 0) + 1
            names[name] = binding
        if _assigns_all(node):
            exported = _literal_names(node.value)
        elif exported is not None and _extends_all(node):
            exported = _extended(exported, node)
    for name, count in in_blocks.items():
        if count > 1 and names[name].runtime:
            names[name] = Binding(AMBIGUOUS, names[name].line)
    return ModuleBindings(names, tuple(stars), exported, tuple(imports))


def _statements(body: list[ast.stmt], runtime: bool, in_block: bool):
    """Top-level statements with whether they run at import and whether they sit in a
    block; the bodies of ``if``/``try``/``with`` are flattened in."""
    for node in body:
        if isinstance(node, ast.If):
            checking = _is_type_checking(node.test)
            yield from _statements(node.body, runtime and not checking, True)
            yield from _statements(node.orelse, runtime, True)
        elif isinstance(node, ast.Try | ast.TryStar):
            yield from _statements(node.body, runtime, True)
            for handler in node.handlers:
                yield from _statements(handler.body, runtime, True)
            yield from _statements(node.orelse, runtime, True)
            yield from _statements(node.finalbody, runtime, True)
        elif isinstance(node, ast.With | ast.AsyncWith):
            yield from _statements(node.body, runtime, True)
        else:
            yield node, runtime, in_block


def _is_type_checking(test: ast.expr) -> bool:
    """``if TYPE_CHECKING:`` / ``if typing.TYPE_CHECKING:``."""
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"


def _bind(node: ast.stmt, runtime: bool):
    if isinstance(node, ast.ClassDef):
        yield node.name, Binding(CLASS, node.lineno, node, runtime=runtime)
    elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        yield node.name, Binding(FUNCTION, node.lineno, node, runtime=runtime)
    elif isinstance(node, ast.Import):
        for alias in node.names:
            if alias.asname:
                yield alias.asname, Binding(MODULE, node.lineno, node, alias.name, runtime=runtime)
            else:
                top = alias.name.split(".", 1)[0]
                yield top, Binding(MODULE, node.lineno, node, top, runtime=runtime)
    elif isinstance(node, ast.ImportFrom):
        for alias in node.names:
            if alias.name != "*":
                binding = Binding(
                    IMPORT, node.lineno, node, node.module or "", node.level, alias.name, runtime
                )
                yield alias.asname or alias.name, binding
    elif isinstance(node, ast.Assign | ast.AnnAssign):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        simple = len(targets) == 1 and isinstance(targets[0], ast.Name)
        for target in targets:
            for name in _assigned_names(target):
                if simple and node.value is not None:
                    yield name, Binding(CONSTANT, node.lineno, node.value, runtime=runtime)
                else:
                    yield name, Binding(AMBIGUOUS, node.lineno, runtime=runtime)
    elif isinstance(node, ast.AugAssign | ast.For | ast.AsyncFor | ast.While):
        target = getattr(node, "target", None)
        for child in ast.walk(target) if target is not None else ():
            if isinstance(child, ast.Name):
                yield child.id, Binding(AMBIGUOUS, node.lineno, runtime=runtime)


def name_chain(node: ast.expr) -> tuple[str, ...] | None:
    """``a.b.c`` as ``("a", "b", "c")``; None for anything but a Name/Attribute chain."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return tuple(reversed(parts))


def _assigned_names(target: ast.expr):
    for child in ast.walk(target):
        if isinstance(child, ast.Name):
            yield child.id


def _assigns_all(node: ast.stmt) -> bool:
    if isinstance(node, ast.Assign):
        return any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets)
    return isinstance(node, ast.AnnAssign) and getattr(node.target, "id", None) == "__all__"


def _extends_all(node: ast.stmt) -> bool:
    """``__all__ += ...``, ``__all__.extend(...)`` or ``__all__.append(...)``."""
    if isinstance(node, ast.AugAssign):
        return getattr(node.target, "id", None) == "__all__"
    call = node.value if isinstance(node, ast.Expr) else None
    return (
        isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
        and call.func.attr in ("extend", "append")
        and getattr(call.func.value, "id", None) == "__all__"
    )  # fmt: skip


def _extended(exported: tuple[str, ...], node: ast.stmt) -> tuple[str, ...] | None:
    """``__all__`` after a statement that grows it; None when what is added cannot be
    read (``__all__ += other.__all__``): then every public name counts as exported, a
    superset of what the star import binds in code that runs at all."""
    if isinstance(node, ast.AugAssign):
        added = _literal_names(node.value) if isinstance(node.op, ast.Add) else None
    else:
        call = node.value
        if len(call.args) != 1 or call.keywords:
            return None
        if call.func.attr == "append":
            item = call.args[0]
            literal = isinstance(item, ast.Constant) and isinstance(item.value, str)
            added = (item.value,) if literal else None
        else:
            added = _literal_names(call.args[0])
    return None if added is None else exported + added


def _literal_names(value: ast.expr | None) -> tuple[str, ...] | None:
    if not isinstance(value, ast.List | ast.Tuple):
        return None
    names = []
    for item in value.elts:
        if not (isinstance(item, ast.Constant) and isinstance(item.value, str)):
            return None
        names.append(item.value)
    return tuple(names)
