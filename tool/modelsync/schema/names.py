"""Resolve the names a models file uses to the qualified names of what they refer to.

SQLModel, SQLAlchemy and pgvector re-export the same objects from several modules
(``sqlmodel.Column`` is ``sqlalchemy.Column`` is ``sqlalchemy.sql.schema.Column``), so
qualified names are folded into one canonical spelling per object family: ``sa.X``,
``pg.X`` and ``pgvector.X``. Everything downstream compares canonical names only.
"""

from __future__ import annotations

import ast
import builtins
import functools

from modelsync.modules.bindings import name_chain
from modelsync.records import record

# Module prefixes whose public names are SQLAlchemy core/type objects.
_SQLALCHEMY_MODULES = (
    "sqlmodel.sql.sqltypes",
    "sqlmodel",
    "sqlalchemy.sql.sqltypes",
    "sqlalchemy.sql.schema",
    "sqlalchemy.sql.expression",
    "sqlalchemy.sql.functions",
    "sqlalchemy.sql",
    "sqlalchemy.types",
    "sqlalchemy.schema",
    "sqlalchemy.orm",
    "sqlalchemy",
)
_POSTGRESQL_MODULES = ("sqlalchemy.dialects.postgresql",)
_PGVECTOR_MODULES = ("pgvector.sqlalchemy",)
# Names sqlmodel exports that are its own rather than SQLAlchemy's.
_SQLMODEL_OWN = frozenset({"SQLModel", "Field", "Relationship", "AutoString", "Session"})

_BUILTIN_NAMES = frozenset(dir(builtins))


@functools.lru_cache(maxsize=4096)
def canonical(qualname: str) -> str:
    """Fold a qualified name into its canonical family spelling."""
    for prefix in _PGVECTOR_MODULES:
        if qualname.startswith(prefix + "."):
            return "pgvector." + qualname.rsplit(".", 1)[1]
    for prefix in _POSTGRESQL_MODULES:
        if qualname.startswith(prefix + "."):
            return "pg." + qualname.rsplit(".", 1)[1]
    if qualname.startswith("sqlmodel.") and qualname.rsplit(".", 1)[1] in _SQLMODEL_OWN:
        return "sqlmodel." + qualname.rsplit(".", 1)[1]
    for prefix in _SQLALCHEMY_MODULES:
        if qualname.startswith(prefix + "."):
            rest = qualname[len(prefix) + 1 :]
            if rest.startswith("func."):
                return "sa." + rest
            return "sa." + rest.rsplit(".", 1)[-1]
    if qualname.startswith("pydantic.types."):
        return "pydantic." + qualname[len("pydantic.types.") :]
    if qualname.startswith("typing_extensions."):
        return "typing." + qualname[len("typing_extensions.") :]
    return qualname


@record
class NameTable:
    """Local name -> qualified name, from the file's imports and top-level definitions."""

    imported: dict[str, str]
    local_classes: frozenset[str]
    # How this module's classes are named: ``local.`` + the class, with the module's key in
    # a project of several modules (``local.m3:Status``), so that a class is one name
    # wherever it is used from.
    local_prefix: str = "local."

    def qualify(self, node: ast.expr) -> str | None:
        """Canonical qualified name of a Name/Attribute chain, or None if it is not one."""
        chain = name_chain(node)
        if chain is None:
            return None
        head, *parts = chain
        if head in self.imported:
            base = self.imported[head]
        elif head in self.local_classes:
            base = self.local_prefix + head
        elif head in _BUILTIN_NAMES:
            base = "builtins." + head
        else:
            return None
        return canonical(".".join([base, *parts]))


def gather_imports(module: ast.Module) -> dict[str, str]:
    """Top-level (and ``if TYPE_CHECKING:``) imports: local alias -> qualified name."""
    imported: dict[str, str] = {}
    for node in _import_nodes(module.body):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    imported[alias.asname] = alias.name
                else:
                    top = alias.name.split(".", 1)[0]
                    imported[top] = top
        elif node.level == 0 and node.module:
            for alias in node.names:
                if alias.name != "*":
                    imported[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        else:
            # A relative import names a module of the user's own project.
            for alias in node.names:
                module_name = "." * node.level + (node.module or "")
                imported[alias.asname or alias.name] = f"{module_name}.{alias.name}"
    return imported


def _import_nodes(body: list[ast.stmt]):
    for node in body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.If | ast.Try):
            yield from _import_nodes(node.body)
            for handler in getattr(node, "handlers", ()):
                yield from _import_nodes(handler.body)
            yield from _import_nodes(node.orelse)
