"""Which tables and types each migration file touches, read from PostgreSQL's parse tree.

A finding about a table names "the migration file that last touched that table": the fix
usually belongs there, or in a new file after it. A statement touches the relations it
names (``CREATE TABLE``, ``ALTER TABLE``, ``CREATE INDEX ... ON``, ``DROP``, ``COMMENT``),
not the ones it only references (``REFERENCES companies`` in ``users`` touches ``users``).
The body of a ``DO`` block is PL/pgSQL, which the SQL parser keeps as a string; there the
known table and type names among its words and string constants count (re-runnable
migrations check ``information_schema`` with ``table_name = 'users'``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from modelsync.migrate.folder import Statement

# Keys whose RangeVars a statement only refers to.
_REFERENCES_ONLY = frozenset({"pktable", "fromClause", "withClause", "subquery"})


def touched_names(statements: Iterable[Statement], known: frozenset[str]) -> frozenset[str]:
    """The names in ``known`` (tables and enum types) that these statements touch."""
    from pglast import parser

    found: set[str] = set()
    for statement in statements:
        try:
            tree = json.loads(parser.parse_sql_json(statement.text))
        except parser.ParseError:
            continue
        for stmt in tree.get("stmts", ()):
            body = stmt.get("stmt", {})
            if "DoStmt" in body:
                found |= _words_of_do(body["DoStmt"], known)
            else:
                found |= {name for name in _names(body) if name in known}
    return frozenset(found)


def _names(node) -> Iterator[str]:
    """Relation and type names a parse tree node acts on."""
    if isinstance(node, list):
        for item in node:
            yield from _names(item)
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        if key in _REFERENCES_ONLY:
            continue
        if key in ("relation", "RangeVar") and isinstance(value, dict) and "relname" in value:
            yield value["relname"]
        elif key == "typeName" and isinstance(value, list):  # CREATE/ALTER TYPE ... ENUM
            yield from _last_string(value)
        elif key == "DropStmt" or key == "CommentStmt":
            yield from _dropped(value)
        yield from _names(value)


def _dropped(stmt: dict) -> Iterator[str]:
    objects = stmt.get("objects") or [stmt.get("object")]
    for item in objects:
        if isinstance(item, dict) and "List" in item:
            yield from _last_string(item["List"].get("items", []))
        elif isinstance(item, dict) and "TypeName" in item:
            yield from _last_string(item["TypeName"].get("names", []))


def _last_string(items: list) -> Iterator[str]:
    strings = [i["String"]["sval"] for i in items if isinstance(i, dict) and "String" in i]
    if strings:
        yield strings[-1]


def _words_of_do(stmt: dict, known: frozenset[str]) -> frozenset[str]:
    body = next(
        (
            arg["DefElem"]["arg"]["String"]["sval"]
            for arg in stmt.get("args", [])
            if arg.get("DefElem", {}).get("defname") == "as"
        ),
        "",
    )
    return words(body) & known


def words(sql: str) -> frozenset[str]:
    """The identifiers, non-reserved keywords and string constants of a SQL text, as
    PostgreSQL's scanner sees them (a column named ``name`` is a keyword to it)."""
    from pglast import parser

    try:
        tokens = parser.scan(sql)
    except parser.ParseError:
        return frozenset()
    found = set()
    for token in tokens:
        text = sql[token.start : token.end + 1]
        if token.name == "SCONST" or text.startswith("'"):
            text = text.strip("'")
        elif token.name != "IDENT" and token.kind not in ("UNRESERVED_KEYWORD", "COL_NAME_KEYWORD"):
            continue
        elif text.startswith('"'):
            text = text.strip('"')
        else:
            text = text.lower()  # PostgreSQL folds unquoted names to lower case
        found.add(text)
    return frozenset(found)
