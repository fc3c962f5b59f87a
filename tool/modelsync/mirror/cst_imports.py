"""Add the imports the region needs to an existing target, with libcst.

libcst's ``AddImportsVisitor`` adds only what is missing and never removes anything; when
it merges a name into an existing ``from m import ...``, that statement is laid out again
sorted and wrapped (unless it holds a comment, which is then left exactly as it is).
Imported only by ``generate``: the check path never loads libcst.
"""

from __future__ import annotations

import libcst
from libcst.codemod import CodemodContext
from libcst.codemod.visitors import AddImportsVisitor

from modelsync.mirror.region import ImportLine
from modelsync.mirror.render import import_lines_text


def add_imports(text: str, imports: tuple[ImportLine, ...], future_annotations: bool) -> str:
    if not imports and not future_annotations:
        return text
    context = CodemodContext()
    if future_annotations:
        AddImportsVisitor.add_needed_import(context, "__future__", "annotations")
    for line in imports:
        if line.module is None:
            AddImportsVisitor.add_needed_import(context, line.name, asname=line.asname)
        else:
            AddImportsVisitor.add_needed_import(context, line.module, line.name, line.asname)
    # libcst drops the last line ending of a CR-only file (``"x = 1\r"`` reads back as
    # ``"x = 1"``): it gets the text without its final line endings, which come back as
    # they were.
    body = text.rstrip("\r\n")
    module = AddImportsVisitor(context).transform_module(libcst.parse_module(body))
    touched = frozenset(line.module for line in imports if line.module)
    return module.visit(TidyImports(module, touched)).code + text[len(body) :]


class TidyImports(libcst.CSTTransformer):
    """Sort and wrap the ``from m import ...`` statements of the modules that gained names."""

    def __init__(self, module: libcst.Module, modules: frozenset[str]):
        super().__init__()
        self.module = module
        self.modules = modules

    def visit_IndentedBlock(self, node: libcst.IndentedBlock) -> bool:  # noqa: N802
        # Only the module's own top-level imports are laid out again; an import inside a
        # function or block is the user's and stays as written.
        return False

    def leave_SimpleStatementLine(  # noqa: N802 - libcst's visitor naming
        self, original_node: libcst.SimpleStatementLine, updated_node: libcst.SimpleStatementLine
    ) -> libcst.BaseStatement:
        lines = self._import_lines(updated_node)
        if lines is None:
            return updated_node
        (tidy,) = import_lines_text(lines)
        replacement = libcst.parse_statement(tidy + "\n")
        return replacement.with_changes(leading_lines=updated_node.leading_lines)

    def _import_lines(self, node: libcst.SimpleStatementLine) -> list[ImportLine] | None:
        if len(node.body) != 1 or not isinstance(node.body[0], libcst.ImportFrom):
            return None
        statement = node.body[0]
        if isinstance(statement.names, libcst.ImportStar) or statement.relative:
            return None
        if statement.module is None or "#" in self.module.code_for_node(node):
            return None
        module_name = self.module.code_for_node(statement.module)
        if module_name not in self.modules:
            return None
        return [
            ImportLine(module_name, alias.evaluated_name, alias.evaluated_alias)
            for alias in statement.names
        ]
