"""Which top-level definitions the region copies, from whichever module of the source.

The tables' classes are the start; then, transitively, every class, constant and function
they name: in their own module, or through an import of another module of the source
(``from .base import TimestampMixin``), followed by the module graph to where it is
defined. The mirror is one file, so what comes from several modules is laid out in the
order Python finishes running them (a module's imports before it), each module's
definitions in their own order: bases and enums stand before what uses them, as they did
when the source was imported.

In one file every definition is known by its own name, so the copy spells each name of
another module that way: ``S`` for ``from .enums import Status as S`` becomes ``Status``,
and so does ``enums.Status`` (``from .. import enums``), as ``Edit``s of the copied text.
Only a name inside a string annotation cannot be edited: it gets an alias line after the
definition (``S = Status``). Two modules defining one name cannot share one file, and an
alias that means two things cannot either: each is a warning at its line.
"""

from __future__ import annotations

import ast
import functools

from modelsync.errors import UnsupportedConstruct
from modelsync.modules.bindings import IMPORT, MODULE
from modelsync.modules.graph import Defined, ProjectModule
from modelsync.records import field, record
from modelsync.schema.ir import Diagnostic, Schema


@record
class Edit:
    """Replace the text from (line, col) to (line, end_col) with ``text``; columns are the
    UTF-8 byte offsets ``ast`` gives."""

    line: int
    col: int
    end_col: int
    text: str


@record
class Needed:
    """``nodes``: (module path, statement) to copy, in the order they are laid out;
    ``aliases``: (name used, name defined) pairs, for names used in string annotations
    only; ``problems``: what cannot be copied; ``edits``: id(statement) -> the names its
    copy spells differently."""

    nodes: tuple[tuple[str, ast.stmt], ...] = field(repr=False)
    names: frozenset[str]
    aliases: tuple[tuple[str, str], ...] = ()
    problems: tuple[Diagnostic, ...] = ()
    edits: dict[int, tuple[Edit, ...]] = field(default_factory=dict, compare=False, repr=False)
    # The definitions the copies use that the target imports itself (not copied).
    from_target: frozenset[tuple[str, str]] = frozenset()

    def edits_of(self, node: ast.stmt) -> tuple[Edit, ...]:
        return self.edits.get(id(node), ())


def needed_definitions(
    side, schema: Schema, target_has: frozenset[tuple[str, str]] = frozenset()
) -> Needed:
    """``side`` is the source read as a project (``schema.load.Side``); ``schema`` the
    tables to mirror, the shared ones left out and listed in ``schema.shared``: the target
    imports those classes, so they are never copied, even where a copied class names one
    (``owner: Optional[User] = Relationship()``). Nor is what ``target_has``, (module
    path, name) of the source's definitions the target imports under their own names
    (``from enums import Status``)."""
    files = {f.path: f for f in side.files}
    imported = {(path, cls) for _, cls, path in schema.shared} | target_has
    definitions = {path: _top_level_definitions(f.module) for path, f in files.items()}
    wanted: set[tuple[str, str]] = set()
    aliases: dict[str, set[tuple[str, str]]] = {}
    problems: list[Diagnostic] = []
    edits: dict[int, tuple[Edit, ...]] = {}
    memo: dict[tuple[str, str], tuple[str, str] | None] = {}
    from_target: set[tuple[str, str]] = set()
    pending = [(schema.where(t), t.class_name) for t in schema.tables]
    while pending:
        path, name = pending.pop()
        if (path, name) in wanted or name not in definitions.get(path, {}):
            continue
        if (path, name) in imported:
            if (path, name) in target_has:
                from_target.add((path, name))
            continue
        wanted.add((path, name))
        for node in definitions[path][name]:
            renamed = _renames(side, path, node, definitions, problems, memo)
            if renamed:
                edits[id(node)] = tuple(edit for edit, _ in renamed)
                pending += [found for _, found in renamed]
            uses = _uses(node)
            for used in sorted(uses.names):
                if used in definitions[path]:
                    pending.append((path, used))
                    continue
                found = _imported_definition(side, path, used, memo)
                if found is not None and found[0] in definitions:
                    pending.append(found)
                    if found[1] != used and used in uses.in_strings:
                        aliases.setdefault(used, set()).add(found)
    wanted -= _repeated_definitions(wanted, definitions)
    problems += _alias_collisions(aliases, definitions)
    by_module: dict[str, set[str]] = {}
    for path, name in wanted:
        by_module.setdefault(path, set()).add(name)
    nodes = []
    for path in _module_order(side, set(by_module)):
        names = by_module[path]
        for node in files[path].module.body:
            if defined_names(node) & names:
                nodes.append((path, node))
    alias_lines = sorted((alias, min(found)[1]) for alias, found in aliases.items())
    return Needed(
        tuple(nodes),
        frozenset(name for _, name in wanted),
        tuple(alias_lines),
        tuple(problems),
        edits,
        frozenset(from_target),
    )


def _imported_definition(side, path: str, name: str, memo: dict) -> tuple[str, str] | None:
    """Where a name the module imports is defined, when that is another module of the
    source; None for a library's name, a builtin, or what cannot be followed. Asked once
    per module and name (``memo``: every field of a module names the same few imports)."""
    if (path, name) not in memo:
        memo[(path, name)] = _follow_import(side, path, name)
    return memo[(path, name)]


def _follow_import(side, path: str, name: str) -> tuple[str, str] | None:
    graph = side.graph
    if graph is None or len(side.files) == 1:
        return None
    bindings = graph.load(path).bindings
    binding = bindings.names.get(name)
    imported = binding is not None and binding.kind in (IMPORT, MODULE)
    if not imported and not (binding is None and bindings.stars):
        return None  # defined here, a builtin, or no name of the module at all
    target = graph.resolve(path, name)
    return (target.path, target.name) if isinstance(target, Defined) else None


def _renames(
    side, path: str, node: ast.stmt, definitions: dict, problems: list[Diagnostic], memo: dict
) -> list[tuple[Edit, tuple[str, str]]]:
    """The names of other modules the statement spells otherwise than their definition
    (an alias, or through a module: ``enums.Status``), each with its edit and the
    definition it means. A name the statement binds itself is left alone."""
    if side.graph is None or len(side.files) == 1:
        return []
    local = definitions[path]
    uses = _uses(node)
    bound = uses.bound
    found: list[tuple[Edit, tuple[str, str]]] = []
    consumed: set[int] = set()
    for chain in uses.chains:
        parts = _parts(chain)
        head = parts[0]
        if head in local or head in bound:
            continue
        target, rest = side.graph.resolve_chain(path, parts)
        through_module = len(rest) < len(parts) - 1
        if isinstance(target, Defined) and target.path in definitions and through_module:
            # The part of the chain that names the definition: ``enums.Status`` of
            # ``enums.Status.ACTIVE``.
            named = chain
            for _ in rest:
                named = named.value
            found.append((_edit(named, target.name), (target.path, target.name)))
            consumed.add(id(_innermost(chain)))
        elif isinstance(side.graph.resolve(path, head), ProjectModule):
            problems.append(_module_problem(path, chain, ".".join(parts)))
            consumed.add(id(_innermost(chain)))
    for name in uses.loaded:
        if id(name) in consumed or name.id in local or name.id in bound:
            continue
        target = _imported_definition(side, path, name.id, memo)
        if target is not None and target[0] in definitions and target[1] != name.id:
            found.append((_edit(name, target[1]), target))
        elif target is None and isinstance(side.graph.resolve(path, name.id), ProjectModule):
            problems.append(_module_problem(path, name, name.id))
    multi_line = [edit for edit, _ in found if edit.end_col < 0]
    if multi_line:
        problems.append(Diagnostic(
            path, multi_line[0].line,
            "a name of another module written over several lines cannot be respelled "
            "in the mirror; write it on one line",
        ))  # fmt: skip
    return [(edit, target) for edit, target in found if edit.end_col >= 0]


def _module_problem(path: str, node: ast.expr, spelled: str) -> Diagnostic:
    return Diagnostic(
        path, node.lineno,
        f"{spelled} is a module of the source, or leads to no definition of it: generate "
        "copies definitions by name, so name a class, constant or function of it",
    )  # fmt: skip


def _edit(node: ast.expr, text: str) -> Edit:
    # One line only (a chain broken over lines inside brackets is rare): -1 marks it.
    if node.end_lineno != node.lineno:
        return Edit(node.lineno, node.col_offset, -1, text)
    return Edit(node.lineno, node.col_offset, node.end_col_offset, text)


def _innermost(chain: ast.expr) -> ast.expr:
    while isinstance(chain, ast.Attribute):
        chain = chain.value
    return chain


def _parts(chain: ast.expr) -> tuple[str, ...]:
    parts = []
    while isinstance(chain, ast.Attribute):
        parts.append(chain.attr)
        chain = chain.value
    parts.append(chain.id)
    return tuple(reversed(parts))


@record
class _Uses:
    """What a statement refers to, gathered in one walk. ``names``: every name, those of
    string annotations (``"Optional[Team]"``) included; ``in_strings``: those only;
    ``loaded``: the names read; ``bound``: the names it binds inside itself (a class
    attribute, a function's arguments and locals: there they mean what is bound, not an
    import); ``chains``: the outermost ``a.b.c`` chains read."""

    names: frozenset[str]
    in_strings: frozenset[str]
    loaded: tuple[ast.Name, ...] = field(repr=False)
    bound: frozenset[str]
    chains: tuple[ast.Attribute, ...] = field(repr=False)


@functools.cache
def _uses(node: ast.AST) -> _Uses:
    """Cached per node: the same class is asked about several times. One walk over the
    statement; the stack holds (node, inside an annotation) so that the strings of
    annotations are read as they come, with no second walk."""
    names: set[str] = set()
    in_strings: set[str] = set()
    loaded: list[ast.Name] = []
    bound: set[str] = set()
    chains: list[ast.Attribute] = []
    stack: list = [(node, False)]
    while stack:
        child, in_annotation = stack.pop()
        kind = type(child)
        if kind is ast.Name:
            names.add(child.id)
            if type(child.ctx) is ast.Load:
                loaded.append(child)
            else:
                bound.add(child.id)
            continue
        if kind is ast.Constant:
            if in_annotation and type(child.value) is str:
                in_strings |= _names_in_string(child.value)
            continue
        if kind is ast.Attribute and type(child.ctx) is ast.Load:
            head = _innermost(child)
            if type(head) is ast.Name:
                chains.append(child)
                names.add(head.id)
                loaded.append(head)
                continue
        if kind is ast.AnnAssign or kind is ast.arg:
            if kind is ast.arg:
                bound.add(child.arg)
            if child.annotation is not None:
                stack.append((child.annotation, True))
        # ast.iter_child_nodes, inline: a generator per node is most of such a walk. The
        # annotation was pushed above; contexts (``Load``) have nothing to give.
        for name in child._fields:
            value = getattr(child, name, None)
            if type(value) is list:
                stack.extend((item, in_annotation) for item in value if isinstance(item, ast.AST))
            elif isinstance(value, ast.AST) and name != "ctx" and name != "annotation":
                stack.append((value, in_annotation))
    names |= in_strings
    return _Uses(frozenset(names), frozenset(in_strings), tuple(loaded), frozenset(bound),
                 tuple(chains))  # fmt: skip


def _alias_collisions(aliases: dict[str, set[tuple[str, str]]], definitions: dict):
    """An alias used in string annotations that means different definitions in different
    modules: one alias line cannot say both."""
    return [
        Diagnostic(
            path,
            definitions[path][name][0].lineno,
            f"{alias} names {' and '.join(f'{n} of {p}' for p, n in sorted(found))} in "
            "string annotations of different modules; the mirror is one file, so write the "
            "names themselves",
        )  # fmt: skip
        for alias, found in sorted(aliases.items())
        if len(found) > 1
        for path, name in [max(found)]
    ]


def _repeated_definitions(wanted: set[tuple[str, str]], definitions: dict) -> set[tuple[str, str]]:
    """The same definition written in several modules (copied once: the others are
    returned). Two modules defining one name differently cannot share one file, whichever
    copy came last would silently serve both (a constant ``MAX`` of 10 and of 20, two enums
    ``Status``): refused."""
    by_name: dict[str, list[str]] = {}
    for path, name in sorted(wanted):
        by_name.setdefault(name, []).append(path)
    repeated = set()
    for name, paths in by_name.items():
        if len(paths) == 1:
            continue
        texts = {ast.dump(definitions[path][name][-1]) for path in paths}
        repeated |= {(path, name) for path in paths[1:]}
        if len(texts) > 1:
            node = definitions[paths[1]][name][-1]
            raise UnsupportedConstruct(
                f"{name} is defined in {' and '.join(paths)} differently; generate copies "
                "both modules into one file, so rename one of them",
                paths[1],
                node.lineno,
            )
    return repeated


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
        for imported in reversed(graph.imported_by(path)):
            if imported not in started:
                stack.append((imported, False))
    rest = sorted(paths - set(finished))  # reached only through TYPE_CHECKING imports
    return [p for p in finished if p in paths] + rest


def _top_level_definitions(module: ast.Module) -> dict[str, list[ast.stmt]]:
    definitions: dict[str, list[ast.stmt]] = {}
    for node in module.body:
        for name in defined_names(node):
            definitions.setdefault(name, []).append(node)
    return definitions


def names_used(nodes) -> set[str]:
    used: set[str] = set()
    for node in nodes:
        used |= _uses(node).names
    return used


def _names_in_string(text: str) -> set[str]:
    """The names of a string annotation (``"Optional[Team]"``); none if it is no expression."""
    try:
        expression = ast.parse(text.strip(), mode="eval")
    except SyntaxError:
        return set()
    return {n.id for n in ast.walk(expression) if isinstance(n, ast.Name)}


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
