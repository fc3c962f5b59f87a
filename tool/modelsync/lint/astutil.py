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
    """The calls of a module that code (not a class body) makes, each visited node's
    parent, and what each alias stands for, gathered in one walk (walking a large module is
    the costliest thing the code rules do)."""

    calls: tuple[ast.Call, ...]
    parents: dict[ast.AST, ast.AST]
    # Local name -> the dotted name it stands for: ``ce`` -> ``sqlalchemy.create_engine``
    # for ``from sqlalchemy import create_engine as ce``, ``make = create_engine``, or
    # ``make = getattr(sqlalchemy, "create_engine")``.
    names: dict[str, str]
    # Strings (and f-strings, each ``{...}`` read as ``0``) that hold a pgvector distance
    # operator other than cosine's (``<->``, ``<#>``, ``<+>``), with their text: raw SQL
    # the vector-metric rule reads with pglast.
    sql_candidates: tuple[tuple[ast.expr, str], ...] = ()

    def callee(self, call: ast.Call) -> str:
        """The last part of what is called, through aliases: ``create_engine`` for
        ``ce(...)``, ``sa.create_engine(...)`` and ``getattr(sa, "create_engine")(...)``."""
        func = call.func
        if isinstance(func, ast.Name):
            return self.names.get(func.id, func.id).rsplit(".", 1)[-1]
        if isinstance(func, ast.Attribute):
            return func.attr
        named = _getattr_name(func)
        return named or ""


def call_index(module: ast.Module) -> CallIndex:
    """Class bodies are entered only for their methods and nested classes: a table model's
    ``Field(...)`` calls are the bulk of a mirror and never open a session or an engine."""
    found: list[ast.Call] = []
    parents: dict[ast.AST, ast.AST] = {}
    bound: dict[str, ast.expr | str] = {}
    candidates: list[tuple[ast.expr, str]] = []
    stack: list[ast.AST] = [module]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Call):
            found.append(node)
        elif isinstance(node, ast.Import | ast.ImportFrom | ast.Assign):
            _bind(node, bound)
        elif isinstance(node, ast.Constant | ast.JoinedStr):
            text = _string_text(node)
            if text is not None and any(op in text for op in OTHER_DISTANCE_OPERATORS):
                candidates.append((node, text))
        if isinstance(node, ast.ClassDef):
            children = [n for n in node.body if isinstance(n, _CLASS_MEMBERS_WITH_CODE)]
        elif isinstance(node, ast.JoinedStr):  # its text is read whole, above
            children = [n for n in node.values if isinstance(n, ast.FormattedValue)]
        else:
            children = ast.iter_child_nodes(node)
        for child in children:
            parents[child] = node
            stack.append(child)
    found.sort(key=lambda c: (c.lineno, c.col_offset))
    names = {local: _resolved(local, bound, 0) for local in bound}
    candidates.sort(key=lambda c: (c[0].lineno, c[0].col_offset))
    return CallIndex(tuple(found), parents, names, tuple(candidates))


def _bind(node: ast.stmt, bound: dict[str, ast.expr | str]) -> None:
    """Record what an import or an alias-shaped assignment binds a name to."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.asname:
                bound[alias.asname] = alias.name
    elif isinstance(node, ast.ImportFrom):
        for alias in node.names:
            if alias.name != "*":
                bound[alias.asname or alias.name] = f"{node.module or ''}.{alias.name}"
    elif (
        len(node.targets) == 1
        and isinstance(node.targets[0], ast.Name)
        and (isinstance(node.value, ast.Name | ast.Attribute) or _getattr_name(node.value))
    ):
        bound[node.targets[0].id] = node.value


def _resolved(local: str, bound: dict[str, ast.expr | str], depth: int) -> str:
    value = bound.get(local, local)
    if isinstance(value, str) or depth > 8:
        return value if isinstance(value, str) else local
    return _dotted_through(value, bound, depth + 1) or local


def _dotted_through(node: ast.expr, bound: dict[str, ast.expr | str], depth: int) -> str:
    if isinstance(node, ast.Name):
        return node.id if node.id not in bound else _resolved(node.id, bound, depth)
    if isinstance(node, ast.Attribute):
        base = _dotted_through(node.value, bound, depth)
        return f"{base}.{node.attr}" if base else ""
    if isinstance(node, ast.Call) and (name := _getattr_name(node)):
        base = _dotted_through(node.args[0], bound, depth)
        return f"{base}.{name}" if base else name
    return ""


def _string_text(node: ast.expr) -> str | None:
    """A string's text; an f-string's with each ``{...}`` as ``0`` (a value, as SQL sees it)."""
    if isinstance(node, ast.Constant):
        return node.value if isinstance(node.value, str) else None
    if isinstance(node, ast.JoinedStr):
        return "".join(
            v.value if isinstance(v, ast.Constant) and isinstance(v.value, str) else "0"
            for v in node.values
        )
    return None


def _getattr_name(node: ast.expr) -> str | None:
    """``getattr(obj, "name")`` (a literal name): that name."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "getattr"
        and len(node.args) >= 2
        and isinstance(node.args[1], ast.Constant)
        and isinstance(node.args[1].value, str)
    ):
        return node.args[1].value
    return None


_CLASS_MEMBERS_WITH_CODE = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
# pgvector's distance operators other than cosine's ``<=>``, and what they measure.
OTHER_DISTANCE_OPERATORS = {"<->": "Euclidean (L2)", "<#>": "inner product", "<+>": "taxicab (L1)"}
