"""What PostgreSQL's own scanner (pglast.parser.scan) says about SQL text: its comments
and its operators, never a regular expression over the text, so that a ``--`` or a
``<->`` inside a quoted literal, a dollar-quoted body or an identifier counts for nothing.

pglast is imported only when called; migration files reach it through ``sql_cache``, so a
warm lint run does not import it.
"""

from __future__ import annotations

import re

# ``modelsync: ignore[a, b]`` inside a comment token.
_IGNORE = re.compile(r"modelsync:\s*ignore\[(?P<names>[^\]]*)\]")


def operator_tokens(sql: str, operators: tuple[str, ...]) -> list[tuple[int, str]]:
    """(character offset, operator) of each operator token among ``operators``."""
    tokens = _scan(sql)
    return [
        (t.start, sql[t.start : t.end + 1])
        for t in tokens
        if t.name == "Op" and sql[t.start : t.end + 1] in operators
    ]


def ignore_comments(sql: str) -> list[tuple[int, str]]:
    """(line, the names listed) of each comment token holding ``modelsync: ignore[...]``;
    a comment spanning lines counts on the line it ends (where a trailing comment is)."""
    found = []
    for token in _scan(sql):
        if token.name not in ("SQL_COMMENT", "C_COMMENT"):
            continue
        text = sql[token.start : token.end + 1]
        match = _IGNORE.search(text)
        if match:
            line = sql.count("\n", 0, token.start + match.start()) + 1
            found.append((line, match.group("names")))
    return found


def _scan(sql: str) -> list:
    from pglast import parser

    try:
        return list(parser.scan(sql))
    except parser.ParseError:  # an unterminated quote or comment: not SQL it can read
        return []


COSINE_OPS = ("vector_cosine_ops", "halfvec_cosine_ops", "sparsevec_cosine_ops")
VECTOR_INDEX_METHODS = ("hnsw", "ivfflat")


def index_metrics(sql: str) -> list[tuple[int, str]]:
    """(line, what it uses) of each vector index (``USING hnsw``/``ivfflat``) key whose
    operator class is not a cosine one: ``vector_l2_ops``, or none at all (pgvector's
    default is L2). The line is the operator class's own where it is written."""
    from pglast import parser

    try:
        statements = parser.parse_sql(sql)
    except parser.ParseError:
        return []
    tokens = _scan(sql)
    found = []
    for raw in statements:
        statement = raw.stmt
        if type(statement).__name__ != "IndexStmt":
            continue
        if (statement.accessMethod or "").lower() not in VECTOR_INDEX_METHODS:
            continue
        start = raw.stmt_location
        end = start + raw.stmt_len if raw.stmt_len else len(sql)
        for element in statement.indexParams or ():
            names = [s.sval for s in element.opclass or ()]
            used = names[-1] if names else None
            if used in COSINE_OPS:
                continue
            offset = next(
                (
                    t.start
                    for t in tokens
                    if start <= t.start < end and used and sql[t.start : t.end + 1] == used
                ),
                start,
            )
            line = sql.count("\n", 0, _skip_blank(sql, offset)) + 1
            found.append((line, used or ""))
    return found


def _skip_blank(sql: str, offset: int) -> int:
    while offset < len(sql) and sql[offset] in " \t\r\n":
        offset += 1
    return offset
