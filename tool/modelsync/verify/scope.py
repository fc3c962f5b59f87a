"""Which migration statements act beyond their own database: what ``verify
--database-url`` refuses to run on a server it shares with other databases and clients.

Decided before anything runs, from PostgreSQL's own parse tree (pglast): every node of
every statement is visited, and so is the SQL inside ``DO`` blocks and ``LANGUAGE sql`` or
``plpgsql`` function bodies (``plpgsql``), the constant strings they ``EXECUTE`` included.
A statement reaches beyond its database when it

- acts on databases, roles, tablespaces, the server itself (``ALTER SYSTEM``, ``LOAD``,
  ``CHECKPOINT``), replication (publications, subscriptions, slots) or other servers
  (foreign servers, user mappings, ``dblink``);
- switches the session's role (``SET ROLE``, ``SET SESSION AUTHORIZATION``);
- reads or writes the server's files or runs programs (``COPY`` to or from a file or a
  program, ``pg_read_file``, ``lo_import``...), signals other sessions or the server
  (``pg_terminate_backend``, ``pg_reload_conf``...), or touches a catalog every database
  shares (``pg_database``, ``pg_authid``...);
- runs code verify cannot read (a language other than SQL and PL/pgSQL, an extension
  known to reach outside), or leaves something behind the session (``PREPARE TRANSACTION``).

A function is recognised by its name wherever a name can call it (a call, ``CREATE
OPERATOR ... PROCEDURE =``, a trigger, a cast), whatever its schema.

An ``EXECUTE`` whose string is built at run time (``format('ALTER TABLE %s ...', t)``) is
read by its shape (``plpgsql.execute_shape``); its run-time pieces cannot be read, which
``Reach.dynamic`` marks. A string with no shape is refused.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from modelsync.migrate.folder import Statement
from modelsync.records import record
from modelsync.verify import plpgsql
from modelsync.verify.scope_rules import (
    CODE,
    EXTENSIONS,
    FILES,
    FOREIGN,
    FUNCTION_PREFIXES,
    FUNCTIONS,
    LANGUAGES,
    OBJECT_FIELD,
    OUTLIVES,
    PREPARED,
    READING,
    READING_SETTINGS,
    RELATIONS,
    ROLE_SETTINGS,
    SESSION,
    SETTINGS,
    SETTINGS_VIEWS,
    SHARED,
    SHARED_OBJECTS,
    SQL_ARGUMENTS,
    STATEMENTS,
    UNREADABLE,
)

# EXECUTE strings within EXECUTE strings: deeper than this is refused, not followed.
_MAX_DEPTH = 16


@record
class Reach:
    """A statement that does more than change its own database. ``dynamic``: it is an
    EXECUTE whose run-time pieces cannot be read (not beyond the database by itself)."""

    shown: str
    line: int
    what: str
    reason: str
    dynamic: bool = False

    @property
    def message(self) -> str:
        return f"{self.what} {self.reason}"


def reaches(files: Iterable[tuple[str, tuple[Statement, ...]]]) -> tuple[Reach, ...]:
    """For each file (as shown, its statements), the statements that reach beyond their
    database: at most one ``Reach`` beyond it and one ``dynamic`` per statement."""
    found: list[Reach] = []
    for shown, statements in files:
        for statement in statements:
            found += statement_reaches(statement, shown)
    return tuple(found)


def statement_reaches(statement: Statement, shown: str) -> tuple[Reach, ...]:
    beyond = dynamic = None
    for reach in _sql_reaches(statement.text, statement.line, shown, 0):
        if reach.dynamic:
            dynamic = dynamic or reach
        else:
            beyond = beyond or reach
            break
    return tuple(r for r in (beyond, dynamic) if r is not None)


def runs_as_owner(statement: Statement) -> bool:
    """Whether the statement manages an extension (``CREATE``, ``ALTER``, ``DROP
    EXTENSION``) that the URL's own role, not the confined one, must run: most
    extensions, pgvector among them, can only be made by a superuser. ``CASCADE`` on a
    CREATE is not, since it installs extensions the statement does not name."""
    from pglast import parser

    try:
        (raw,) = parser.parse_sql(statement.text)
    except (parser.ParseError, ValueError):
        return False
    node = raw.stmt
    kind = type(node).__name__
    if kind == "CreateExtensionStmt":
        return node.extname not in EXTENSIONS and not _option(node.options, "cascade")
    if kind == "AlterExtensionStmt":
        return True
    return kind == "DropStmt" and _enum_name(node.removeType) == "OBJECT_EXTENSION"


def _sql_reaches(text: str, line: int, shown: str, depth: int) -> Iterator[Reach]:
    from pglast import parser

    if depth > _MAX_DEPTH:
        yield Reach(shown, line, "EXECUTE nested this deep", UNREADABLE)
        return
    try:
        raws = parser.parse_sql(text)
    except (parser.ParseError, ValueError) as exc:
        reason = f"{UNREADABLE} ({' '.join(str(exc).split())})"
        yield Reach(shown, line, "SQL that PostgreSQL's parser refuses", reason)
        return
    for raw in raws:
        start = raw.stmt_location or 0
        end = start + raw.stmt_len if raw.stmt_len else len(text)
        part = text[start:end]
        yield from _node_reaches(raw.stmt, part, line + text.count("\n", 0, start), shown, depth)


def _node_reaches(root, text: str, line: int, shown: str, depth: int) -> Iterator[Reach]:
    """Every node of one statement's tree, its nested bodies and EXECUTE strings too."""
    from pglast.ast import Node

    stack = [(root, line)]
    while stack:
        node, parent_line = stack.pop()
        if isinstance(node, tuple | list):
            stack.extend((item, parent_line) for item in reversed(node))
            continue
        if not isinstance(node, Node):
            continue
        here = _line(node, text, line, parent_line)
        yield from _reaches_of(node, text, here, shown, depth)
        if type(node).__name__ == "A_Const":
            continue  # a constant's text is data, not a name (its String is not walked)
        # A call's name is judged with its arguments in sight (``_call_reaches``).
        skip = "funcname" if type(node).__name__ == "FuncCall" else None
        children = [getattr(node, name, None) for name in node.__slots__ if name != skip]
        stack.extend(
            (child, here)
            for child in reversed(children)
            if child is not None and not isinstance(child, str | int | float | bool)
        )


def _line(node, text: str, line: int, parent_line: int) -> int:
    location = getattr(node, "location", None)
    if isinstance(location, int) and 0 <= location <= len(text):
        return line + text.count("\n", 0, location)
    return parent_line


def _reaches_of(node, text: str, line: int, shown: str, depth: int) -> Iterator[Reach]:
    kind = type(node).__name__
    if kind in STATEMENTS:
        what, reason = STATEMENTS[kind]
        yield Reach(shown, line, what, reason)
    elif kind in OBJECT_FIELD:
        field_name, verb = OBJECT_FIELD[kind]
        shared = SHARED_OBJECTS.get(_enum_name(getattr(node, field_name, None)))
        if shared is not None:
            yield Reach(shown, line, f"{verb} {shared[0]}", shared[1])
    elif kind == "String":
        yield from _name_reaches(node.sval, shown, line)
    elif kind == "RangeVar":
        if node.relname in RELATIONS and node.schemaname in (None, "pg_catalog"):
            yield Reach(shown, line, node.relname, RELATIONS[node.relname])
    elif kind == "FuncCall":
        yield from _call_reaches(node, shown, line, depth)
    elif kind in ("UpdateStmt", "InsertStmt", "DeleteStmt", "MergeStmt"):
        relation = node.relation
        if relation.relname in SETTINGS_VIEWS and relation.schemaname in (None, "pg_catalog"):
            yield Reach(shown, line, f"{_WRITES[kind]} {relation.relname}", SETTINGS)
    elif kind == "CopyStmt" and node.filename is not None:
        what = "COPY ... PROGRAM" if node.is_program else "COPY to or from a file"
        yield Reach(shown, line, what, FILES)
    elif kind == "VariableSetStmt":
        yield from _setting_reaches(node, shown, line)
    elif kind == "TransactionStmt" and _enum_name(node.kind) in PREPARED:
        yield Reach(shown, line, PREPARED[_enum_name(node.kind)], OUTLIVES)
    elif kind == "ReindexStmt" and _enum_name(node.kind) == "REINDEX_OBJECT_SYSTEM":
        yield Reach(shown, line, "REINDEX SYSTEM", SHARED)
    elif kind == "CreateExtensionStmt":
        yield from _extension_reaches(node, shown, line)
    elif kind in ("DoStmt", "CreateFunctionStmt"):
        yield from _body_reaches(node, text, line, shown, depth)


def _name_reaches(name: str, shown: str, line: int) -> Iterator[Reach]:
    reason = FUNCTIONS.get(name)
    if reason is None:
        reason = next((r for p, r in FUNCTION_PREFIXES.items() if name.startswith(p)), None)
    if reason is None and name in SQL_ARGUMENTS:
        reason = "runs a SQL string verify cannot see from here"
    if reason is not None:
        yield Reach(shown, line, f"{name}()", reason)


def _call_reaches(node, shown: str, line: int, depth: int) -> Iterator[Reach]:
    """A call, by its name; the SQL strings it runs (``query_to_xml``...) read as EXECUTE
    strings are; ``set_config()`` of a setting that switches the role or how SQL is read
    (``set_config('role', ...)`` is ``SET ROLE``); a setting named at run time may be."""
    names = [n.sval for n in node.funcname or () if type(n).__name__ == "String"]
    name = names[-1] if names else ""
    if name in SQL_ARGUMENTS:
        yield from _sql_argument_reaches(node, name, shown, line, depth)
        return
    for part in names:
        yield from _name_reaches(part, shown, line)
    if name != "set_config" or names[:-1] not in ([], ["pg_catalog"]):
        return
    setting = plpgsql._constant(node.args[0]) if node.args else None
    if setting is None:
        yield Reach(shown, line, "set_config() of a setting named at run time", SESSION)
    elif setting.lower() in ROLE_SETTINGS:
        yield Reach(shown, line, f"set_config('{setting}')", SESSION)
    elif setting.lower() in READING_SETTINGS:
        value = plpgsql._constant(node.args[1]) if len(node.args) > 1 else None
        if value is None or value.lower() not in READING_SETTINGS[setting.lower()]:
            yield Reach(shown, line, f"set_config('{setting}')", READING)


def _sql_argument_reaches(node, name: str, shown: str, line: int, depth: int):
    """The SQL strings a call of ``name`` runs, read as an EXECUTE's string is: a constant
    or a shape around constant text; a call whose strings cannot be found is refused."""
    args = list(node.args or ())
    named = {a.name: a.arg for a in args if type(a).__name__ == "NamedArgExpr"}
    places = SQL_ARGUMENTS[name].get(len(args))
    if places is None or node.func_variadic:
        yield Reach(shown, line, f"{name}()", f"{UNREADABLE} (its SQL is not in sight)")
        return
    for index, parameter in places:
        arg = named.get(parameter) if named else args[index]
        if arg is None or type(arg).__name__ == "NamedArgExpr":
            yield Reach(shown, line, f"{name}()", f"{UNREADABLE} (its SQL is not in sight)")
            return
        if type(arg).__name__ == "A_Const" and type(arg.val).__name__ != "String":
            continue  # crosstab(text, int): a number, not SQL
        text, constant_parts, dynamic = plpgsql._shape(arg)
        if not constant_parts:
            yield Reach(shown, line, f"{name}() of SQL made at run time", UNREADABLE)
            return
        yield from _sql_reaches(text, line, shown, depth + 1)
        if dynamic:
            yield Reach(
                shown,
                line,
                f"{name}() of SQL built at run time",
                "runs text verify cannot read before it runs",
                dynamic=True,
            )


def _setting_reaches(node, shown: str, line: int) -> Iterator[Reach]:
    """``SET``/``RESET`` (a function's ``SET`` too) of a setting that switches the role or
    changes how SQL is read. PostgreSQL finds a setting by its name in any case (``SET
    "Role" TO ...`` is ``SET ROLE``), so the name is compared in lower case."""
    name = (node.name or "").lower()
    if name in ROLE_SETTINGS:
        yield Reach(shown, line, f"SET or RESET {name.upper()}", SESSION)
    elif name in READING_SETTINGS and _enum_name(node.kind) == "VAR_SET_VALUE":
        values = [plpgsql._constant(arg) or _word(arg) for arg in node.args or ()]
        if len(values) != 1 or str(values[0]).lower() not in READING_SETTINGS[name]:
            yield Reach(shown, line, f"SET {name}", READING)


def _word(node) -> str | None:
    """A bare word or number as a SET value (``SET x = off``, ``SET x = 1``)."""
    value = getattr(node, "val", None)
    for field in ("sval", "ival", "boolval"):
        if hasattr(value, field):
            return str(getattr(value, field))
    return None


def _extension_reaches(node, shown: str, line: int) -> Iterator[Reach]:
    if node.extname in EXTENSIONS:
        reason = FOREIGN if "fdw" in node.extname or node.extname == "dblink" else CODE
        yield Reach(shown, line, f"CREATE EXTENSION {node.extname}", reason)
    elif _option(node.options, "cascade"):
        yield Reach(
            shown,
            line,
            f"CREATE EXTENSION {node.extname} CASCADE",
            "installs extensions it does not name, which verify cannot check",
        )


def _body_reaches(node, text: str, line: int, shown: str, depth: int) -> Iterator[Reach]:
    """The SQL a DO block or a function runs. Its language must be one verify reads."""
    is_do = type(node).__name__ == "DoStmt"
    options = node.args if is_do else node.options
    language = _option(options, "language")
    language = language.sval if language is not None else ("plpgsql" if is_do else "sql")
    if language not in LANGUAGES:
        what = f"{'a DO block' if is_do else 'a function'} in LANGUAGE {language}"
        yield Reach(shown, line, what, CODE)
        return
    body = next((o for o in options or () if o.defname == "as"), None)
    if body is None:
        return  # CREATE FUNCTION ... BEGIN ATOMIC: its statements are walked as nodes
    strings = body.arg if isinstance(body.arg, tuple | list) else (body.arg,)
    offset = body.arg_location if isinstance(body.arg_location, int) else 0
    body_line = line + text.count("\n", 0, max(0, offset)) if offset else line
    if language == "sql":
        yield from _sql_reaches(strings[0].sval, body_line, shown, depth + 1)
        return
    for piece in plpgsql.embedded_sql(text, body_line):
        if piece.sql is None:
            yield Reach(shown, piece.line, piece.unreadable, UNREADABLE)
            continue
        yield from _sql_reaches(piece.sql, piece.line, shown, depth + 1)
        if piece.dynamic:
            yield Reach(
                shown,
                piece.line,
                "EXECUTE of SQL built at run time",
                "runs text verify cannot read before it runs",
                dynamic=True,
            )


_WRITES = {
    "UpdateStmt": "UPDATE",
    "InsertStmt": "INSERT INTO",
    "DeleteStmt": "DELETE FROM",
    "MergeStmt": "MERGE INTO",
}


def _option(options, name: str):
    """The argument of a DefElem option (``language``, ``cascade``...), or None."""
    for option in options or ():
        if getattr(option, "defname", None) == name:
            return option.arg if option.arg is not None else True
    return None


def _enum_name(value) -> str:
    return getattr(value, "name", "") if value is not None else ""
