"""What PostgreSQL's parser (pglast) reads in a migration file, checked against the plan.

``assert_file_matches_plan(sql, blocks)``: the file's statements, as PostgreSQL splits them,
are exactly BEGIN, SET, the statements of each operation that is not commented out (the
enum labels' before BEGIN) and COMMIT, in order and no more; each is of a kind its
operation may have (``ALLOWED``); a DO block's body, read by PL/pgSQL's own parser, holds
only statements of those kinds too; every ALTER TABLE does one thing; and no statement
anywhere names the relation ``victims``, the target of every injection payload.
"""

from __future__ import annotations

import json

import pglast
from pglast import ast
from pglast.visitors import Visitor

# The statement kinds each operation may write (DROP statements with what they drop).
ALLOWED: dict[str, set[str]] = {
    "create_extension": {"CreateExtensionStmt"},
    "add_enum_label": {"AlterEnumStmt"},
    "create_enum": {"CreateEnumStmt"},
    "rewrite_enum": {"RenameStmt", "CreateEnumStmt", "AlterTableStmt", "DropStmt:OBJECT_TYPE"},
    "drop_foreign_key": {"AlterTableStmt"},
    "drop_index": {"DropStmt:OBJECT_INDEX"},
    "drop_constraint": {"AlterTableStmt"},
    "drop_primary_key": {"AlterTableStmt"},
    "create_table": {"CreateStmt", "IndexStmt", "CommentStmt"},
    "add_column": {"AlterTableStmt", "CommentStmt"},
    "alter_type": {"AlterTableStmt"},
    "alter_nullable": {"AlterTableStmt"},
    "alter_default": {"AlterTableStmt"},
    "alter_autoincrement": {
        "CreateSeqStmt",
        "AlterTableStmt",
        "SelectStmt",
        "DropStmt:OBJECT_SEQUENCE",
    },
    "alter_comment": {"CommentStmt"},
    # An identity and SERIAL's sequence, one taking the other's place.
    "alter_generated": {
        "AlterTableStmt",
        "CommentStmt",
        "CreateSeqStmt",
        "SelectStmt",
        "DropStmt:OBJECT_SEQUENCE",
    },
    "add_primary_key": {"AlterTableStmt"},
    "add_constraint": {"AlterTableStmt"},
    "create_index": {"IndexStmt"},
    "add_foreign_key": {"AlterTableStmt"},
    "drop_column": {"AlterTableStmt"},
    "drop_table": {"DropStmt:OBJECT_TABLE"},
    "drop_enum": {"DropStmt:OBJECT_TYPE"},
}
INJECTED = "victims"


def kind(node) -> str:
    name = type(node).__name__
    if isinstance(node, ast.DropStmt):
        return f"{name}:{node.removeType.name}"
    return name


def statements(sql: str) -> list:
    return [raw.stmt for raw in pglast.parse_sql(sql)]


def do_body_statements(node: ast.DoStmt) -> list:
    """The SQL statements a DO block runs, as PL/pgSQL's parser reads its body (the
    conditions and PERFORMs are expressions, read but not statements of their own)."""
    body = next(arg.arg.sval for arg in node.args if arg.defname == "as")
    tag = "$f$"
    while tag in body:
        tag = tag[:-1] + "f$"
    function = pglast.parse_plpgsql(
        f"CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS {tag}{body}{tag}"
    )
    found: list = []
    _collect(function, found)
    return found


def _collect(tree, found: list) -> None:
    if isinstance(tree, dict):
        for key, value in tree.items():
            if key == "PLpgSQL_stmt_execsql":
                query = value["sqlstmt"]["PLpgSQL_expr"]["query"]
                parsed = statements(query)
                assert len(parsed) == 1, query
                found.append(parsed[0])
            elif key == "PLpgSQL_expr":
                # parseMode 0 is a whole query (a FOR loop's), the others an expression.
                query = value["query"]
                text = query if value.get("parseMode", 0) == 0 else f"SELECT {query}"
                _refuse_injection(statements(text), query)
            else:
                _collect(value, found)
    elif isinstance(tree, list):
        for item in tree:
            _collect(item, found)


class _Relations(Visitor):
    def __init__(self):
        super().__init__()
        self.names: list[str] = []

    def visit_RangeVar(self, ancestors, node):  # noqa: N802 (pglast's naming)
        self.names.append(node.relname)


def _refuse_injection(nodes, where: str) -> None:
    for node in nodes:
        seen = _Relations()
        seen(node)
        assert INJECTED not in seen.names, f"an injected statement runs: {where[:300]!r}"


def _check_statement(node, op_kind: str, sql: str) -> None:
    allowed = ALLOWED[op_kind]
    _refuse_injection([node], sql)
    if isinstance(node, ast.DoStmt):
        inner = do_body_statements(node)
        assert inner, f"{op_kind}: an empty DO block"
        for statement in inner:
            _check_statement(statement, op_kind, sql)
        return
    assert kind(node) in allowed, f"{op_kind} wrote a {kind(node)}: {sql[:300]!r}"
    if isinstance(node, ast.AlterTableStmt):
        assert len(node.cmds) == 1, f"{op_kind}: ALTER TABLE with {len(node.cmds)} actions"


def assert_file_matches_plan(sql: str, blocks, operations) -> None:
    """The file holds exactly the live statements of ``blocks``, one block per operation."""
    from modelsync.migrate.render import Note

    assert [b.op for b in blocks] == list(operations)
    expected: list[tuple[str, str]] = []  # (operation kind, statement text)
    outside = [b for b in blocks if b.outside]
    inside = [b for b in blocks if not b.outside]
    for group in (outside, inside):
        live = [
            (b.op.kind, s)
            for b in group
            if not b.disabled
            for s in b.statements
            if not isinstance(s, Note)
        ]
        if group is inside and inside:
            live = [("begin", "BEGIN"), ("set", "SET"), *live, ("commit", "COMMIT")]
        expected += live
    found = statements(sql)
    kinds = [kind(node) for node in found]
    assert len(found) == len(expected), json.dumps(kinds)
    for node, (op_kind, text) in zip(found, expected, strict=True):
        if op_kind in ("begin", "commit"):
            assert isinstance(node, ast.TransactionStmt)
            continue
        if op_kind == "set":
            assert isinstance(node, ast.VariableSetStmt) and node.name == "lock_timeout"
            continue
        alone = statements(text)
        assert len(alone) == 1, f"{op_kind}: one statement is {len(alone)}: {text[:300]!r}"
        assert kind(alone[0]) == kind(node)
        _check_statement(node, op_kind, text)
