"""What the generated region of the mirror holds, read from the source (read-only, ``ast``).

The region copies the source's own text for every definition it needs — table models, the
non-table bases they inherit from, the enums they use, and the module constants and functions
they refer to, from whichever module of the source (``definitions`` picks them and says how
names of other modules are respelled) — so docstrings, comments and every ``Field(...)``
argument survive exactly, with the library imports the copied code uses.
The result, ``RegionInput``, is everything rendering depends on; its digest lets ``check``
tell a stale region without rendering.
"""

from __future__ import annotations

import ast
import hashlib

from modelsync.errors import UnsupportedConstruct
from modelsync.mirror.definitions import Needed, defined_names, names_used
from modelsync.modules.source import source_lines
from modelsync.records import record
from modelsync.schema.ir import Diagnostic, Schema
from modelsync.schema.load import ParsedFile

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


def region_input(
    side,
    schema: Schema,
    needed: Needed,
    target_bindings: frozenset[str],
    relationships: bool,
) -> tuple[RegionInput, tuple[Diagnostic, ...]]:
    """``side``: the source read as a project (``schema.load.Side``); ``needed``: from
    ``definitions.needed_definitions``. ``target_bindings``: top-level names the target
    defines outside the region and the mirrored classes; a constant or function the
    target already defines is not copied again."""
    files = {f.path: f for f in side.files}
    lines_of = {path: source_lines(files[path].text) for path in {p for p, _ in needed.nodes}}
    classes = {
        path: {n.name: n for n in files[path].module.body if isinstance(n, ast.ClassDef)}
        for path in lines_of
    }
    tables = {t.class_name for t in schema.tables}
    items: list[CopiedItem] = []
    copied_by_module: dict[str, list[ast.stmt]] = {}
    copied: set[str] = set()
    kinds: dict[int, str] = {}
    for path, node in needed.nodes:
        names = defined_names(node)
        lines = lines_of[path]
        edited = _edited(lines, needed.edits_of(node))
        if isinstance(node, ast.ClassDef):
            kind = "table" if node.name in tables else _class_kind(node, classes[path], kinds)
            text = _class_text(node, lines, not relationships, edited)
        elif names <= target_bindings:
            continue
        else:
            kind, text = "definition", _span_text(node, lines, edited)
        items.append(CopiedItem(kind, ", ".join(sorted(names)), text))
        copied_by_module.setdefault(path, []).append(node)
        copied |= names
    for alias, name in needed.aliases:
        if alias not in target_bindings:
            # Right after the definition it names (before any class that uses it), or
            # first when the target defines that name itself.
            at = next((i + 1 for i, item in enumerate(items) if name in item.name.split(", ")), 0)
            items.insert(at, CopiedItem("definition", alias, f"{alias} = {name}"))
            copied.add(alias)
    imports: list[ImportLine] = []
    warnings: list[Diagnostic] = list(needed.problems)
    for path, nodes in copied_by_module.items():
        found, said = _needed_imports(files[path], names_used(nodes) - copied, side)
        _refuse_rebinding(imports, found, files[path])
        imports += [line for line in found if line not in imports]
        warnings += said
    # One file has one rule for its annotations. Only when every module copied from reads
    # them lazily may the mirror: a module that does not would have its annotations turned
    # into strings, and SQLModel then cannot build a Relationship (``list["Item"]``).
    future = bool(copied_by_module) and all(
        _has_future_annotations(files[path].module) for path in copied_by_module
    )
    label = schema.path if len(side.files) > 1 else side.files[0].path
    region = RegionInput(label, tuple(items), tuple(imports), future, relationships)
    return region, tuple(warnings)


def _refuse_rebinding(
    taken: list[ImportLine], found: tuple[ImportLine, ...], parsed: ParsedFile
) -> None:
    """Two copied modules that bind one name to two things (``import datetime`` and
    ``from datetime import datetime``; ``JSON`` from SQLAlchemy and ``JSONB as JSON``)
    cannot share the one file's imports: the later would silently serve both."""
    bound = {line.bound: line for line in taken}
    for line in found:
        other = bound.get(line.bound)
        # ``import a.b`` and ``import a.c`` both bind ``a``, and mean it alike.
        plain = line.module is None and other is not None and other.module is None
        if other is not None and other != line and not plain:
            raise UnsupportedConstruct(
                f"{line.bound} is `{line.statement()}` here and `{other.statement()}` in "
                "another module generate copies into the same file; import one of them "
                "under another name",
                parsed.path,
                _import_line(parsed.module, line.bound),
            )


def _import_line(module: ast.Module, bound: str) -> int | None:
    for node in ast.walk(module):
        if any(line.bound == bound for line in _import_lines_of(node)):
            return node.lineno
    return None


def _has_future_annotations(module: ast.Module) -> bool:
    return any(
        isinstance(n, ast.ImportFrom) and n.module == "__future__" and
        any(a.name == "annotations" for a in n.names)
        for n in module.body
    )  # fmt: skip


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


def statement_start(node: ast.stmt, lines: list[str], with_comments: bool = True) -> int:
    """First line (1-based) of a statement with its decorators and, if asked, the comment
    block directly above it."""
    start = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
    while with_comments and start > 1 and lines[start - 2].lstrip().startswith("#"):
        start -= 1
    return start


def _edited(lines: list[str], edits) -> dict[int, str]:
    """Line number -> the line with the edits made (columns are UTF-8 byte offsets)."""
    changed: dict[int, bytes] = {}
    for edit in sorted(edits, key=lambda e: (e.line, e.col), reverse=True):
        data = changed.get(edit.line, lines[edit.line - 1].encode("utf-8"))
        changed[edit.line] = data[: edit.col] + edit.text.encode("utf-8") + data[edit.end_col :]
    return {number: data.decode("utf-8") for number, data in changed.items()}


def _span_text(node: ast.stmt, lines: list[str], edited: dict[int, str] | None = None) -> str:
    numbers = range(statement_start(node, lines), node.end_lineno + 1)
    return "\n".join((edited or {}).get(n, lines[n - 1]) for n in numbers)


def _class_text(
    node: ast.ClassDef,
    lines: list[str],
    drop_relationships: bool,
    edited: dict[int, str] | None = None,
) -> str:
    start = statement_start(node, lines)
    dropped: set[int] = set()
    if drop_relationships:
        for stmt in node.body:
            if _is_relationship(stmt):
                dropped.update(range(statement_start(stmt, lines), stmt.end_lineno + 1))
    edited = edited or {}
    kept = [
        edited.get(number, lines[number - 1])
        for number in range(start, node.end_lineno + 1)
        if number not in dropped
    ]
    return "\n".join(kept)


def eager_relationship(side, needed: Needed, relationships: bool) -> tuple[str, int] | None:
    """(module, line) of a relationship the region copies from a module that reads its
    annotations eagerly (no ``__future__`` import): in a target that reads them lazily it
    becomes a string annotation, and SQLModel cannot build a Relationship from that."""
    if not relationships:
        return None
    modules = {f.path: f.module for f in side.files}
    for path, node in needed.nodes:
        if isinstance(node, ast.ClassDef) and not _has_future_annotations(modules[path]):
            found = next((stmt for stmt in node.body if _is_relationship(stmt)), None)
            if found is not None:
                return path, found.lineno
    return None


def _is_relationship(stmt: ast.stmt) -> bool:
    value = getattr(stmt, "value", None)
    if not isinstance(value, ast.Call):
        return False
    func = value.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    return name in _RELATIONSHIP_CALLS


def _needed_imports(
    source: ParsedFile, names: set[str], side=None
) -> tuple[tuple[ImportLine, ...], tuple[Diagnostic, ...]]:
    """The source's own import statements for the names the copied code uses. A name
    imported from another module of a source of several modules is copied instead."""
    found: dict[str, list[tuple[ImportLine, int]]] = {}
    for node in _module_statements(source.module.body):
        for line in _import_lines_of(node):
            found.setdefault(line.bound, []).append((line, node.lineno))
    lines: list[ImportLine] = []
    warnings: list[Diagnostic] = []
    project = side is not None and len(side.files) > 1
    for name in sorted(names & found.keys()):
        candidates = found[name]
        if project and _from_the_project(side, source.path, candidates[0][0]):
            continue
        relative = [n for line, n in candidates if line.module and line.module.startswith(".")]
        if relative:
            message = f"{name} comes from a relative import; add its import to the target by hand"
            warnings.append(Diagnostic(source.path, relative[0], message))
            continue
        # ``import a.b`` and ``import a.c`` both bind ``a``: the copied code may need both.
        chosen = [line for line, _ in candidates if line.module is None and not line.asname]
        lines.extend(dict.fromkeys(chosen or [candidates[0][0]]))
    return tuple(lines), tuple(warnings)


def _module_statements(body: list[ast.stmt]):
    """The statements that bind the module's names: the top level and the bodies of its
    ``if``/``try``/``with`` blocks, not what classes and functions hold (an import inside
    a function is copied with it)."""
    for node in body:
        yield node
        if isinstance(node, ast.If | ast.Try | ast.TryStar | ast.With | ast.AsyncWith):
            for block in (node.body, getattr(node, "orelse", []),
                          getattr(node, "finalbody", []),
                          *(h.body for h in getattr(node, "handlers", []))):  # fmt: skip
                yield from _module_statements(block)


def _from_the_project(side, path: str, line: ImportLine) -> bool:
    """Whether an import statement's module is one of the source's own."""
    if line.module is None:
        return side.graph.absolute(line.name) is not None
    level = len(line.module) - len(line.module.lstrip("."))
    module = line.module[level:]
    return side.graph.module_of_import(path, module, level) is not None


def _import_lines_of(node: ast.AST) -> list[ImportLine]:
    if isinstance(node, ast.Import):
        return [ImportLine(None, alias.name, alias.asname) for alias in node.names]
    if isinstance(node, ast.ImportFrom):
        module = "." * node.level + (node.module or "")
        return [ImportLine(module, a.name, a.asname) for a in node.names if a.name != "*"]
    return []
