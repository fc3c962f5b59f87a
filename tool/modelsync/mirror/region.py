"""What the generated region of the mirror holds, read from the source (read-only, ``ast``).

The region copies the source's own text for every class it needs — table models, the
non-table bases they inherit from, the enums they use — and the module constants those
classes refer to, so docstrings, comments and every ``Field(...)`` argument survive exactly.
The result, ``RegionInput``, is everything rendering depends on; its digest lets ``check``
tell a stale region without rendering.
"""

from __future__ import annotations

import ast
import functools
import hashlib

from modelsync.records import record
from modelsync.schema.ir import Diagnostic, Schema
from modelsync.schema.load import ParsedFile
from modelsync.schema.source import source_lines

_RELATIONSHIP_CALLS = frozenset({"Relationship", "relationship"})


@record
class CopiedItem:
    """A top-level statement of the source copied into the region."""

    kind: str  # "enum", "base", "table" or "definition" (a module constant or function)
    name: str
    text: str


@record
class ImportLine:
    """``from module import name as asname`` (module None: ``import name as asname``)."""

    module: str | None
    name: str
    asname: str | None = None

    @property
    def bound(self) -> str:
        """The name the statement binds (``import a.b`` binds ``a``)."""
        if self.asname:
            return self.asname
        return self.name if self.module is not None else self.name.split(".", 1)[0]

    def statement(self) -> str:
        alias = f" as {self.asname}" if self.asname else ""
        if self.module is None:
            return f"import {self.name}{alias}"
        return f"from {self.module} import {self.name}{alias}"


@record
class RegionInput:
    source_path: str
    items: tuple[CopiedItem, ...]
    imports: tuple[ImportLine, ...]
    future_annotations: bool
    relationships: bool

    def digest(self, templates: tuple[tuple[str, str], ...], version: str) -> str:
        """A fingerprint of everything the rendered region depends on."""
        payload = repr((self, templates, version)).encode("utf-8")
        return hashlib.sha256(payload).hexdigest()[:12]


def needed_names(source: ParsedFile, schema: Schema) -> frozenset[str]:
    """The top-level classes, functions and constants the tables need, transitively:
    their bases, the enums and models their fields use, the constants and functions
    their defaults call."""
    definitions = _top_level_definitions(source.module)
    wanted: set[str] = set()
    pending = [table.class_name for table in schema.tables]
    while pending:
        name = pending.pop()
        if name in wanted or name not in definitions:
            continue
        wanted.add(name)
        for node in definitions[name]:
            pending.extend(used for used in _names_in(node) if used in definitions)
    return frozenset(wanted)


def region_input(
    source: ParsedFile,
    schema: Schema,
    wanted: frozenset[str],
    target_bindings: frozenset[str],
    relationships: bool,
) -> tuple[RegionInput, tuple[Diagnostic, ...]]:
    """``wanted``: from ``needed_names``. ``target_bindings``: top-level names the target
    defines outside the region and the mirrored classes; a constant or function the
    target already defines is not copied again."""
    lines = source_lines(source.text)
    classes = {n.name: n for n in source.module.body if isinstance(n, ast.ClassDef)}
    tables = {t.class_name for t in schema.tables}
    items: list[CopiedItem] = []
    copied_nodes: list[ast.stmt] = []
    copied: set[str] = set()
    kinds: dict[int, str] = {}
    for node in source.module.body:
        names = defined_names(node)
        if not names & wanted:
            continue
        if isinstance(node, ast.ClassDef):
            kind = "table" if node.name in tables else _class_kind(node, classes, kinds)
            text = _class_text(node, lines, drop_relationships=not relationships)
        elif names <= target_bindings:
            continue
        else:
            kind, text = "definition", _span_text(node, lines)
        items.append(CopiedItem(kind, ", ".join(sorted(names)), text))
        copied_nodes.append(node)
        copied |= names
    used_names = _names_used(copied_nodes)
    imports, warnings = _needed_imports(source, used_names - copied)
    future = any(
        isinstance(n, ast.ImportFrom) and n.module == "__future__" and
        any(a.name == "annotations" for a in n.names)
        for n in source.module.body
    )  # fmt: skip
    return RegionInput(source.path, tuple(items), imports, future, relationships), warnings


def _top_level_definitions(module: ast.Module) -> dict[str, list[ast.stmt]]:
    definitions: dict[str, list[ast.stmt]] = {}
    for node in module.body:
        for name in defined_names(node):
            definitions.setdefault(name, []).append(node)
    return definitions


def _class_kind(node: ast.ClassDef, classes: dict[str, ast.ClassDef], kinds: dict[int, str]) -> str:
    """Which template lays the class out: "enum" for an Enum (also through a local enum
    base), otherwise "base". ``kinds`` remembers each class's answer: a diamond of bases
    28 levels deep has 2**28 paths to its root."""
    if id(node) in kinds:
        return kinds[id(node)]
    kind = "base"
    for base in node.bases:
        name = base.attr if isinstance(base, ast.Attribute) else getattr(base, "id", "")
        parent = classes.get(name)
        earlier = parent is not None and parent.lineno < node.lineno
        if name in ("Enum", "IntEnum", "StrEnum", "Flag", "IntFlag") or (
            earlier and _class_kind(parent, classes, kinds) == "enum"
        ):
            kind = "enum"
            break
    kinds[id(node)] = kind
    return kind


def _names_used(nodes) -> set[str]:
    used: set[str] = set()
    for node in nodes:
        used |= _names_in(node)
    return used


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


def statement_start(node: ast.stmt, lines: list[str], with_comments: bool = True) -> int:
    """First line (1-based) of a statement with its decorators and, if asked, the comment
    block directly above it."""
    start = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
    while with_comments and start > 1 and lines[start - 2].lstrip().startswith("#"):
        start -= 1
    return start


def _span_text(node: ast.stmt, lines: list[str]) -> str:
    return "\n".join(lines[statement_start(node, lines) - 1 : node.end_lineno])


def _class_text(node: ast.ClassDef, lines: list[str], drop_relationships: bool) -> str:
    start = statement_start(node, lines)
    dropped: set[int] = set()
    if drop_relationships:
        for stmt in node.body:
            if _is_relationship(stmt):
                dropped.update(range(statement_start(stmt, lines), stmt.end_lineno + 1))
    kept = [
        lines[number - 1] for number in range(start, node.end_lineno + 1) if number not in dropped
    ]
    return "\n".join(kept)


def _is_relationship(stmt: ast.stmt) -> bool:
    value = getattr(stmt, "value", None)
    if not isinstance(value, ast.Call):
        return False
    func = value.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    return name in _RELATIONSHIP_CALLS


def _needed_imports(
    source: ParsedFile, names: set[str]
) -> tuple[tuple[ImportLine, ...], tuple[Diagnostic, ...]]:
    """The source's own import statements for the names the copied code uses."""
    found: dict[str, list[tuple[ImportLine, int]]] = {}
    for node in ast.walk(source.module):
        for line in _import_lines_of(node):
            found.setdefault(line.bound, []).append((line, node.lineno))
    lines: list[ImportLine] = []
    warnings: list[Diagnostic] = []
    for name in sorted(names & found.keys()):
        candidates = found[name]
        relative = [n for line, n in candidates if line.module and line.module.startswith(".")]
        if relative:
            message = f"{name} comes from a relative import; add its import to the target by hand"
            warnings.append(Diagnostic(source.path, relative[0], message))
            continue
        # ``import a.b`` and ``import a.c`` both bind ``a``: the copied code may need both.
        chosen = [line for line, _ in candidates if line.module is None and not line.asname]
        lines.extend(dict.fromkeys(chosen or [candidates[0][0]]))
    return tuple(lines), tuple(warnings)


def _import_lines_of(node: ast.AST) -> list[ImportLine]:
    if isinstance(node, ast.Import):
        return [ImportLine(None, alias.name, alias.asname) for alias in node.names]
    if isinstance(node, ast.ImportFrom):
        module = "." * node.level + (node.module or "")
        return [ImportLine(module, a.name, a.asname) for a in node.names if a.name != "*"]
    return []
