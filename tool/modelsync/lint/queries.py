"""session-scope (2.3), bulk-commit (4.2) and the query side of vector-metric (4.1):
how the engine modules open sessions, commit and measure distance.

All static: a session counts as closed when the code visibly closes it (a ``with``, or a
``close()`` in a ``finally``); what cannot be seen is not guessed at.
"""

from __future__ import annotations

import ast

from modelsync.findings.model import Finding, Location
from modelsync.lint.astutil import OTHER_DISTANCE_OPERATORS, CallIndex, dotted
from modelsync.lint.registry import finding
from modelsync.schema.load import ParsedFile

SESSION_CLASSES = ("Session", "AsyncSession")
SESSION_FACTORIES = ("sessionmaker", "async_sessionmaker")
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.Module, ast.ClassDef)
_LOOPS = (ast.For, ast.AsyncFor, ast.While)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
# Calls that run their first argument once per item.
_MAPPING = ("map", "filter", "starmap")
# pgvector.sqlalchemy's comparators other than cosine_distance.
OTHER_METRICS = {
    "l2_distance": "Euclidean (L2)",
    "max_inner_product": "inner product",
    "l1_distance": "taxicab (L1)",
}


def query_findings(file: ParsedFile, index: CallIndex) -> tuple[Finding, ...]:
    parents = index.parents
    factories = session_factories(index)
    found: list[Finding] = []
    for node in index.calls:
        if _opens_session(node, factories, index) and not _closed(node, parents):
            found.append(_unclosed(file, node))
        elif _is_commit(node):
            loop = _enclosing_loop(node, index)
            if loop is not None and not (
                isinstance(loop, _LOOPS) and _leaves_loop_after(node, parents)
            ):
                found.append(_commit_in_loop(file, node, loop))
        elif isinstance(node.func, ast.Attribute) and node.func.attr in OTHER_METRICS:
            found.append(_other_metric(file, node))
    for node, text in index.sql_candidates:
        found += _raw_sql_metrics(file, node, text)
    return tuple(found)


def _raw_sql_metrics(file: ParsedFile, constant: ast.expr, text: str) -> list[Finding]:
    """A distance operator in raw SQL: an operator token to PostgreSQL's own scanner (so
    not one inside a quoted literal or a comment). Text it cannot scan is not SQL."""
    from modelsync.lint.sqlscan import operator_tokens

    found = []
    for offset, operator in operator_tokens(text, tuple(OTHER_DISTANCE_OPERATORS)):
        line = constant.lineno + text.count("\n", 0, offset)
        found.append(
            finding(
                "vector-metric",
                f"the SQL here orders by {operator}, {OTHER_DISTANCE_OPERATORS[operator]} "
                "distance; the standard's metric is cosine (<=>), and the vector indexes use "
                "cosine operator classes, so this query cannot use them",
                Location(
                    "engine",
                    file.path,
                    line,
                    constant.col_offset + 1 if line == constant.lineno else None,
                ),
                fix=f"use <=> (cosine distance) instead of {operator}",
            )
        )
    return found


def session_factories(index: CallIndex) -> frozenset[str]:
    """``Session`` itself and the names bound to ``sessionmaker(...)`` (``SessionLocal``),
    through aliases (``sessionmaker as sm``, ``SL = SessionLocal``)."""
    names = set(SESSION_CLASSES)
    for call in index.calls:
        parent = index.parents.get(call)
        if index.callee(call) in SESSION_FACTORIES and isinstance(parent, ast.Assign):
            names |= {t.id for t in parent.targets if isinstance(t, ast.Name)}
    return frozenset(names)


def _opens_session(call: ast.Call, factories: frozenset[str], index: CallIndex) -> bool:
    if isinstance(call.func, ast.Attribute):
        return call.func.attr in SESSION_CLASSES
    return index.callee(call) in factories


def _closed(call: ast.Call, parents: dict[ast.AST, ast.AST]) -> bool:
    """``with Session(engine) as s``, or ``s = Session(engine)`` closed in its scope by
    ``with s`` or by ``s.close()`` in a ``finally`` block."""
    parent = parents.get(call)
    if isinstance(parent, ast.withitem) and parent.context_expr is call:
        return True
    if not isinstance(parent, ast.Assign | ast.AnnAssign):
        return False
    targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
    names = {t.id for t in targets if isinstance(t, ast.Name)}
    scope = _scope(parent, parents)
    return bool(names) and any(_closes(node, names) for node in ast.walk(scope))


def _closes(node: ast.AST, names: set[str]) -> bool:
    if isinstance(node, ast.withitem):
        return isinstance(node.context_expr, ast.Name) and node.context_expr.id in names
    if isinstance(node, ast.Try | ast.TryStar):
        return any(
            isinstance(n, ast.Call) and dotted(n.func) in {f"{name}.close" for name in names}
            for statement in node.finalbody
            for n in ast.walk(statement)
        )
    return False


def _scope(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> ast.AST:
    while not isinstance(node, _SCOPES):
        node = parents[node]
    return node


def _is_commit(call: ast.Call) -> bool:
    return (
        isinstance(call.func, ast.Attribute)
        and call.func.attr == "commit"
        and not call.args
        and not call.keywords
    )


def _enclosing_loop(node: ast.AST, index: CallIndex) -> ast.AST | None:
    """The nearest loop that runs the node once per item, within one scope: a loop's body
    (not its ``else``), a comprehension (not its first iterable, evaluated once), or a
    lambda given to ``map``/``filter``."""
    parents = index.parents
    once: ast.AST | None = None  # a comprehension whose first iterable holds the node
    child, parent = node, parents.get(node)
    while parent is not None:
        if isinstance(parent, _LOOPS) and child in parent.body:
            return parent
        if isinstance(parent, ast.comprehension) and child is parent.iter:
            owner = parents.get(parent)
            if owner is not None and owner.generators[0] is parent:  # type: ignore[attr-defined]
                once = owner
        if isinstance(parent, _COMPREHENSIONS) and parent is not once:
            return parent
        if isinstance(parent, ast.Lambda):
            caller = parents.get(parent)
            mapped = isinstance(caller, ast.Call) and index.callee(caller) in _MAPPING
            return caller if mapped and caller.args[:1] == [parent] else None  # type: ignore[union-attr]
        if isinstance(parent, _SCOPES):
            return None
        child, parent = parent, parents.get(parent)
    return None


def _leaves_loop_after(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    """A commit followed in its block by ``break``/``return`` runs once (a retry loop)."""
    statement = node
    while not isinstance(statement, ast.stmt):
        statement = parents[statement]
    block: list[ast.AST] = next(
        (
            body
            for field in ("body", "orelse", "finalbody", "handlers")
            if isinstance(body := getattr(parents[statement], field, None), list)
            and statement in body
        ),
        [statement],
    )
    after = block[block.index(statement) + 1 :]
    return any(isinstance(s, ast.Break | ast.Return | ast.Raise) for s in after)


_LOOP_WORDS = {
    ast.ListComp: "comprehension",
    ast.SetComp: "comprehension",
    ast.DictComp: "comprehension",
    ast.GeneratorExp: "generator expression",
    ast.Call: "map()",
}


def _unclosed(file: ParsedFile, call: ast.Call) -> Finding:
    shown = ast.unparse(call)
    return finding(
        "session-scope",
        f"{shown} is opened here and never visibly closed: a session per request or task "
        "must end with it",
        Location("engine", file.path, call.lineno, call.col_offset + 1),
        fix=f"with {shown} as session: ...  (or yield it from that with-block in a "
        "get_session() dependency)",
    )


def _commit_in_loop(file: ParsedFile, call: ast.Call, loop: ast.AST) -> Finding:
    shown = ast.unparse(call)
    return finding(
        "bulk-commit",
        f"{shown} inside the {_LOOP_WORDS.get(type(loop), 'loop')} at line {loop.lineno} "
        "commits once per row",
        Location("engine", file.path, call.lineno, call.col_offset + 1),
        related=(Location("loop", file.path, loop.lineno),),
        fix=f"call session.add() in the loop and {shown} once after it",
    )


def _other_metric(file: ParsedFile, call: ast.Call) -> Finding:
    method = call.func.attr  # type: ignore[union-attr]
    return finding(
        "vector-metric",
        f"{method}() measures {OTHER_METRICS[method]} distance; the standard's metric is "
        "cosine, and the vector indexes use cosine operator classes, so this query cannot "
        "use them",
        Location("engine", file.path, call.lineno, call.col_offset + 1),
        fix=f"use .cosine_distance(...) instead of .{method}(...)",
    )
