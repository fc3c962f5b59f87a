"""Small static readers over a module's syntax tree, shared by the code rules.

They follow a value only as far as it can be followed without running anything: a
module-level name to the expression assigned to it, ``int(...)`` to its argument,
``os.getenv``/``os.environ.get``/``os.environ[...]`` to the variable and its default.
"""

from __future__ import annotations

import ast

from modelsync.records import record


@record
class EnvRead:
    """``os.getenv("KEY", default)``: the variable and the default, if any, as text."""

    key: str | None
    default: ast.expr | None
    has_default: bool


def call_name(call: ast.Call) -> str:
    """The last part of the called name: ``create_engine`` for ``sa.create_engine(...)``."""
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def dotted(node: ast.expr) -> str:
    """``os.environ.get`` for that expression; empty when it is not a dotted name."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = dotted(node.value)
        return f"{base}.{node.attr}" if base else ""
    return ""


def module_assignments(module: ast.Module) -> dict[str, ast.expr]:
    """Module-level ``NAME = value`` (the last one wins, as it would when run)."""
    found: dict[str, ast.expr] = {}
    for node in module.body:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    found[target.id] = node.value
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value:
            found[node.target.id] = node.value
    return found


def followed(node: ast.expr, names: dict[str, ast.expr], depth: int = 0) -> ast.expr:
    """A module-level name replaced by what is assigned to it (a few steps deep)."""
    while isinstance(node, ast.Name) and node.id in names and depth < 8:
        node, depth = names[node.id], depth + 1
    return node


def env_read(node: ast.expr, names: dict[str, ast.expr]) -> EnvRead | None:
    """The environment read an expression is, through names and ``int(...)``/``str(...)``."""
    node = followed(node, names)
    if (
        isinstance(node, ast.Call)
        and call_name(node) in ("int", "str", "float", "bool")
        and len(node.args) == 1
    ):
        node = followed(node.args[0], names)
    if isinstance(node, ast.Call) and dotted(node.func) in (
        "os.getenv",
        "getenv",
        "os.environ.get",
        "environ.get",
    ):
        key = _string(node.args[0]) if node.args else None
        default = node.args[1] if len(node.args) > 1 else _keyword(node, "default")
        return EnvRead(key, default, default is not None)
    if isinstance(node, ast.Subscript) and dotted(node.value) in ("os.environ", "environ"):
        return EnvRead(_string(node.slice), None, False)
    return None


def literal(node: ast.expr | None, names: dict[str, ast.expr]) -> object:
    """The literal value of an expression (through names), or ``...`` when it has none."""
    if node is None:
        return ...
    node = followed(node, names)
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, RecursionError):
        return ...


def keyword(call: ast.Call, name: str) -> ast.expr | None:
    return _keyword(call, name)


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _string(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


@record
class CallIndex:
    """The calls of a module that code (not a class body) makes, and each visited node's
    parent, gathered in one walk (walking a large module is the costliest thing the code
    rules do)."""

    calls: tuple[ast.Call, ...]
    parents: dict[ast.AST, ast.AST]


def call_index(module: ast.Module) -> CallIndex:
    """Class bodies are entered only for their methods and nested classes: a table model's
    ``Field(...)`` calls are the bulk of a mirror and never open a session or an engine."""
    found: list[ast.Call] = []
    parents: dict[ast.AST, ast.AST] = {}
    stack: list[ast.AST] = [module]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Call):
            found.append(node)
        if isinstance(node, ast.ClassDef):
            children = [n for n in node.body if isinstance(n, _CLASS_MEMBERS_WITH_CODE)]
        else:
            children = ast.iter_child_nodes(node)
        for child in children:
            parents[child] = node
            stack.append(child)
    found.sort(key=lambda c: (c.lineno, c.col_offset))
    return CallIndex(tuple(found), parents)


_CLASS_MEMBERS_WITH_CODE = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
