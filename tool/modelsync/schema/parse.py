"""Gather the facts of a models file: its classes, their fields and attributes.

A read-only pass over Python's ``ast`` (fast on the check path); nothing here knows
SQLModel's rules, it only records what is written and where.
"""

from __future__ import annotations

import ast
from typing import Any

from modelsync.errors import InputError, ModelsyncError, UnsupportedConstruct
from modelsync.records import field, record
from modelsync.schema.names import NameTable, gather_imports
from modelsync.schema.values import Evaluator


@record
class FieldDecl:
    """``name: annotation [= value]`` in a class body."""

    name: str
    annotation: Any
    value: Any
    has_value: bool
    line: int
    # The module the field is written in (a mixin's fields come from the mixin's module).
    path: str = field(default="", compare=False)


@record
class AttributeDecl:
    """``name = value`` without annotation (``__tablename__``, enum members, ...)."""

    name: str
    value: Any
    line: int


@record
class MethodValue:
    """``def __tablename__(cls)`` in a class body (under ``@declared_attr``): a value
    SQLAlchemy computes when the class is made, by code modelsync does not run."""

    line: int


# The class attributes the resolver reads that a method may compute instead.
_COMPUTED_ATTRIBUTES = frozenset({"__tablename__", "__table_args__"})


@record
class ClassDecl:
    name: str
    bases: tuple[Any, ...]
    keywords: tuple[tuple[str, Any], ...]
    fields: tuple[FieldDecl, ...]
    attributes: tuple[AttributeDecl, ...]
    line: int
    end_line: int
    path: str = field(default="", compare=False)
    # The class's name in its project (``Status``, or ``m3:Status`` in another module):
    # what a ``local.`` reference to it holds.
    key: str = field(default="", compare=False)

    def keyword(self, name: str, default: Any = None) -> Any:
        return next((v for k, v in self.keywords if k == name), default)

    def attribute(self, name: str) -> AttributeDecl | None:
        return next((a for a in self.attributes if a.name == name), None)


@record
class ModelFile:
    path: str
    classes: tuple[ClassDecl, ...]
    # (line, message): what the gatherer saw but does not read, for the warnings.
    notes: tuple[tuple[int, str], ...] = ()
    # Name -> every class of that name, in file order.
    by_name: dict[str, list[ClassDecl]] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        by_name: dict[str, list[ClassDecl]] = {}
        for decl in self.classes:
            by_name.setdefault(decl.name, []).append(decl)
        object.__setattr__(self, "by_name", by_name)

    def find(self, name: str, before_line: int | None = None) -> ClassDecl | None:
        """The class a name means: the last definition, or the last one before a line
        (what a base class list refers to when the class is being defined)."""
        for decl in reversed(self.by_name.get(name, ())):
            if before_line is None or decl.line < before_line:
                return decl
        return None


_STAR_IMPORT_MODULES = ("sqlmodel", "sqlalchemy", "pgvector", "pydantic", "typing")


def gather(
    module: ast.Module, path: str, *, local_prefix: str = "local.", linker: Any = None
) -> ModelFile:
    """``local_prefix`` and ``linker`` are set when the file is one module of a project
    (``schema.project``): how its classes are named, and what follows its imports."""
    return gather_classes(module_evaluator(module, path, local_prefix, linker), module, path)


def module_evaluator(
    module: ast.Module, path: str, local_prefix: str = "local.", linker: Any = None
) -> Evaluator:
    refuse_star_imports(module, path)
    class_names = frozenset(n.name for n in module.body if isinstance(n, ast.ClassDef))
    names = NameTable(gather_imports(module), class_names, local_prefix)
    return Evaluator(names, _module_constants(module), path=path, linker=linker)


def gather_classes(evaluator: Evaluator, module: ast.Module, path: str) -> ModelFile:
    class_nodes = [n for n in module.body if isinstance(n, ast.ClassDef)]
    classes = tuple(_located(_class_decl, node, evaluator, path) for node in class_nodes)
    return ModelFile(path, classes, tuple(_unread_statements(module)))


def refuse_star_imports(module: ast.Module, path: str) -> None:
    """``from sqlmodel import *`` leaves every name unresolvable; better say so than
    report the missing keys that would follow."""
    for node in module.body:
        star = isinstance(node, ast.ImportFrom) and any(a.name == "*" for a in node.names)
        if star and (node.module or "").split(".")[0] in _STAR_IMPORT_MODULES:
            raise UnsupportedConstruct(
                f"from {node.module} import * cannot be followed statically; "
                "import the names you use",
                path,
                node.lineno,
            )


# The warning a models file with its own naming_convention gets; the live comparison
# reads it as "the models' names of constraints and indexes are not known".
NAMING_CONVENTION_NOT_APPLIED = "a custom naming_convention is not applied: index names may differ"


def _unread_statements(module: ast.Module):
    """Classes and fields under ``if``/``try``/``with``: their effect depends on run time."""
    blocks = (ast.If, ast.Try, ast.With, ast.AsyncWith, ast.For, ast.AsyncFor, ast.While, ast.Match)
    for node in module.body:
        if isinstance(node, blocks):
            for child in ast.walk(node):
                if isinstance(child, ast.ClassDef):
                    yield child.lineno, f"class {child.name} under a block is not read"
        elif isinstance(node, ast.ClassDef):
            for stmt in node.body:
                if isinstance(stmt, ast.If | ast.Try | ast.With) and any(
                    isinstance(c, ast.AnnAssign) for c in ast.walk(stmt)
                ):
                    yield stmt.lineno, f"fields under a block in class {node.name} are not read"
        elif _assigns_naming_convention(node):
            yield node.lineno, NAMING_CONVENTION_NOT_APPLIED


def _assigns_naming_convention(node: ast.stmt) -> bool:
    if isinstance(node, ast.Assign):
        return any(
            isinstance(t, ast.Attribute) and t.attr == "naming_convention" for t in node.targets
        )
    return isinstance(node, ast.Expr) and "naming_convention" in ast.dump(node)


def _module_constants(module: ast.Module) -> dict[str, ast.expr]:
    """Top-level ``NAME = expr`` bound exactly once (``DIM = 768`` for ``Vector(DIM)``).

    A name bound more than once, or also in a block or a tuple assignment, has a value
    that depends on where it is read: it is left out, and uses of it stay unresolved.
    """
    counts: dict[str, int] = {}
    simple: dict[str, ast.expr] = {}
    for node in module.body:
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign | ast.AugAssign):
            targets = [node.target]
        elif isinstance(node, ast.If | ast.Try | ast.With | ast.For):
            targets = [n for n in ast.walk(node) if isinstance(n, ast.Name)]
        for target in targets:
            for name in (n.id for n in ast.walk(target) if isinstance(n, ast.Name)):
                counts[name] = counts.get(name, 0) + 1
        value = getattr(node, "value", None)
        one_name = len(targets) == 1 and isinstance(targets[0], ast.Name)
        if isinstance(node, ast.Assign | ast.AnnAssign) and one_name and value is not None:
            simple[targets[0].id] = value
    return {name: expr for name, expr in simple.items() if counts.get(name) == 1}


def _located(read, node: ast.ClassDef, evaluator: Evaluator, path: str):
    """``read(node, evaluator)``, with the place of any failure: an expression nested
    too deeply for the evaluator's recursion names the statement it stands in."""
    try:
        return read(node, evaluator)
    except RecursionError:
        raise InputError(
            "expression nests too deeply to read", path, _deepest_statement(node)
        ) from None
    except ModelsyncError as error:
        if error.path is None:
            error.path = path
        raise


def _deepest_statement(node: ast.ClassDef) -> int:
    """The line of the class statement (base list or body) with the most nodes in it."""
    candidates = [*node.bases, *node.keywords, *node.body]
    sizes = ((_size(child), getattr(child, "lineno", node.lineno)) for child in candidates)
    return max(sizes, default=(0, node.lineno))[1]


def _size(node: ast.AST) -> int:
    # Iterative: the tree that broke the recursive evaluator must not break this too.
    count, stack = 0, [node]
    while stack:
        count += 1
        stack.extend(ast.iter_child_nodes(stack.pop()))
    return count


def _class_decl(node: ast.ClassDef, evaluator: Evaluator) -> ClassDecl:
    fields: list[FieldDecl] = []
    attributes: list[AttributeDecl] = []
    given = [kw.arg for kw in node.keywords if kw.arg]
    for name in {n for n in given if given.count(n) > 1}:
        line = next(kw.lineno for kw in node.keywords if kw.arg == name)
        raise InputError(f"syntax error: keyword argument repeated: {name}", None, line)
    for stmt in node.body:
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            fields.append(
                FieldDecl(
                    stmt.target.id,
                    evaluator.annotation(stmt.annotation),
                    evaluator.value(stmt.value),
                    stmt.value is not None,
                    stmt.lineno,
                    evaluator.path,
                )
            )
        elif isinstance(stmt, ast.Assign):
            for target in stmt.targets:
                if isinstance(target, ast.Name):
                    attributes.append(
                        AttributeDecl(target.id, evaluator.value(stmt.value), stmt.lineno)
                    )
        elif (
            isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef)
            and stmt.name in _COMPUTED_ATTRIBUTES
        ):
            # Recorded, so that a table inheriting it is not read as having none.
            attributes.append(AttributeDecl(stmt.name, MethodValue(stmt.lineno), stmt.lineno))
    return ClassDecl(
        name=node.name,
        bases=tuple(evaluator.value(base) for base in node.bases),
        keywords=tuple((kw.arg, evaluator.value(kw.value)) for kw in node.keywords if kw.arg),
        fields=tuple(fields),
        attributes=tuple(attributes),
        line=node.lineno,
        end_line=node.end_lineno or node.lineno,
        path=evaluator.path,
        key=evaluator.names.local_prefix.removeprefix("local.") + node.name,
    )
