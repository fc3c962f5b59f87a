"""Print the schema that real SQLModel creates for each given model file, as JSON.

Usage: python sqlmodel_schema.py MODEL.py [MODEL.py ...]
       python sqlmodel_schema.py --packages < PACKAGES.json

Output: ``{path: {"schema": {...}} | {"error": "ExceptionType: message"}}``, where the schema
has exactly the shape of ``modelsync schema FILE --format json`` (minus ``line``/``warnings``).

With ``--packages``, stdin holds ``{label: {"root", "sys_path", "modules"}}``: each package
is imported as Python imports it, its folders put on ``sys.path`` and every module imported
by its dotted name, and each table (and enum) also names the file its class is defined in,
relative to ``root`` (``"path"``). The output is keyed by label.

Every file or package is imported in its own forked child: the heavy imports (sqlmodel,
sqlalchemy, pgvector) happen once in the parent, and each child starts with the parent's
empty ``SQLModel.metadata`` and ``sys.modules``, so table and module names may repeat.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import json
import os
import sys
from collections.abc import Callable
from typing import Any

import pgvector.sqlalchemy  # noqa: F401  (pre-imported so that forked children share it)
import sqlalchemy as sa
import sqlmodel
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import configure_mappers
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import UnaryExpression, _textual_label_reference

PG_DIALECT = postgresql.dialect()
MODULE_NAME = "oracle_models"


# --- schema extraction -------------------------------------------------------------------


def compile_sql(element: Any) -> str:
    """Render a SQL expression with bound values inlined, as DDL would show it."""
    return str(element.compile(dialect=PG_DIALECT, compile_kwargs={"literal_binds": True}))


def server_default_sql(column: sa.Column) -> str | None:
    default = column.server_default
    # Identity() and Computed() install themselves as the server default; they are
    # reported under their own keys.
    if default is None or isinstance(default, sa.Identity | sa.Computed):
        return None
    arg = default.arg  # type: ignore[attr-defined]
    if isinstance(arg, str):
        # A plain string becomes a quoted SQL literal in DDL.
        return "'" + arg.replace("'", "''") + "'"
    return compile_sql(arg)


def foreign_key_of(column: sa.Column) -> tuple[str | None, str | None]:
    """(target "table.column", ondelete) of the column's single foreign key, or (None, None)."""
    fks = list(column.foreign_keys)
    if not fks:
        return None, None
    if len(fks) > 1:
        # The schema format has room for one; the corpus never declares more.
        raise ValueError(f"column {column.name!r} has {len(fks)} foreign keys")
    return fks[0].target_fullname, fks[0].ondelete


# The options an Identity() takes besides ``always`` (``on_null`` is Oracle's).
IDENTITY_OPTIONS = (
    "start", "increment", "minvalue", "maxvalue", "nominvalue", "nomaxvalue", "cycle", "cache",
    "order",
)  # fmt: skip


def identity_schema(column: sa.Column) -> dict[str, Any] | None:
    identity = column.identity
    if identity is None:
        return None
    options = {k: getattr(identity, k) for k in IDENTITY_OPTIONS}
    return {
        "always": bool(identity.always),
        "options": {k: v for k, v in sorted(options.items()) if v is not None},
    }


def computed_schema(column: sa.Column) -> dict[str, Any] | None:
    computed = column.computed
    if computed is None:
        return None
    return {"sqltext": compile_sql(computed.sqltext), "persisted": computed.persisted}


def column_schema(column: sa.Column) -> dict[str, Any]:
    foreign_key, ondelete = foreign_key_of(column)
    return {
        "name": column.name,
        "type": str(column.type.compile(dialect=PG_DIALECT)),
        "nullable": bool(column.nullable),
        "primary_key": bool(column.primary_key),
        "unique": bool(column.unique),
        "index": bool(column.index),
        "foreign_key": foreign_key,
        "ondelete": ondelete,
        "server_default": server_default_sql(column),
        "autoincrement": column.table.autoincrement_column is column,
        "comment": column.comment,
        "identity": identity_schema(column),
        "computed": computed_schema(column),
    }


_ORDERS = {operators.asc_op: "ASC", operators.desc_op: "DESC"}
_NULLS = {operators.nulls_first_op: "FIRST", operators.nulls_last_op: "LAST"}


def index_element(expression: Any, ops: dict[str, str]) -> dict[str, Any]:
    """One index key as the DDL compiler sees it: unwrap desc()/nulls_last()..., then a
    table column (or a column named by a string) or any other SQL expression."""
    order = nulls = None
    while isinstance(expression, UnaryExpression) and expression.modifier in {**_ORDERS, **_NULLS}:
        if expression.modifier in _ORDERS:
            order = _ORDERS[expression.modifier]
        else:
            nulls = _NULLS[expression.modifier]
        expression = expression.element
    if isinstance(expression, sa.Column):
        column, sql = expression.name, None
    elif isinstance(expression, _textual_label_reference):
        column, sql = expression.element, None
    else:
        column, sql = None, compile_sql(expression)
    return {
        "column": column,
        "expression": sql,
        "order": order,
        "nulls": nulls,
        "opclass": ops.get(column) if column is not None else None,
    }


def index_schema(index: sa.Index) -> dict[str, Any]:
    postgresql = index.dialect_options["postgresql"]
    ops = dict(postgresql["ops"] or {})
    elements = [index_element(e, ops) for e in index.expressions]
    return {
        "name": index.name,
        "columns": [e["column"] for e in elements if e["column"] is not None],
        "elements": elements,
        "unique": bool(index.unique),
        "using": postgresql["using"] or None,
        "ops": dict(postgresql["ops"] or {}),
        "where": compile_sql(postgresql["where"]) if postgresql["where"] is not None else None,
        "with": {k: str(v) for k, v in (postgresql["with"] or {}).items()},
    }


def unique_constraints(table: sa.Table) -> list[dict[str, Any]]:
    # Column(unique=True) creates its own UniqueConstraint flagged with _column_flag; that
    # one is reported through the column's "unique" key instead.
    found = [
        {
            "name": c.name,
            "columns": [col.name for col in c.columns],
            "nulls_not_distinct": bool(c.dialect_options["postgresql"]["nulls_not_distinct"]),
        }
        for c in table.constraints
        if isinstance(c, sa.UniqueConstraint) and not getattr(c, "_column_flag", False)
    ]
    return sorted(found, key=lambda u: (u["name"] or "", u["columns"]))


def check_constraints(table: sa.Table) -> list[dict[str, Any]]:
    found = [
        {"name": c.name, "sqltext": str(c.sqltext)}
        for c in table.constraints
        if isinstance(c, sa.CheckConstraint)
    ]
    return sorted(found, key=lambda c: (c["name"] or "", c["sqltext"]))


def table_schema(table: sa.Table, class_name: str | None) -> dict[str, Any]:
    indexes = sorted((index_schema(i) for i in table.indexes), key=lambda i: i["name"] or "")
    return {
        "name": table.name,
        "class": class_name,
        "columns": [column_schema(c) for c in table.columns],
        "indexes": indexes,
        "unique_constraints": unique_constraints(table),
        "primary_key": [c.name for c in table.primary_key.columns],
        "check_constraints": check_constraints(table),
    }


def enum_schemas(tables: list[sa.Table], root: str | None = None) -> list[dict[str, Any]]:
    enums: dict[str, dict[str, Any]] = {}
    for table in tables:
        for column in table.columns:
            # An ARRAY of an enum needs the enum type too (create_all makes it).
            kind = getattr(column.type, "item_type", column.type)
            if isinstance(kind, sa.Enum):
                found = {"name": kind.name, "labels": list(kind.enums)}
                if root is not None:
                    found["path"] = defined_in(kind.enum_class, root)
                enums.setdefault(kind.name, found)
    return [enums[name] for name in sorted(enums)]


def defined_in(cls: type | None, root: str) -> str | None:
    """The file defining ``cls``, relative to ``root`` (posix); None when it has none."""
    module = sys.modules.get(cls.__module__) if cls is not None else None
    filename = getattr(module, "__file__", None)
    if filename is None:
        return None
    return os.path.relpath(filename, root).replace(os.sep, "/")


def current_schema(root: str | None = None) -> dict[str, Any]:
    """The schema of everything registered in SQLModel's (fresh, per-child) metadata;
    with ``root``, each table also names the file of its class (``"path"``)."""
    registry = sqlmodel.SQLModel._sa_registry
    class_by_table = {m.local_table.name: m.class_ for m in registry.mappers}
    tables = list(sqlmodel.SQLModel.metadata.sorted_tables)
    found = []
    for table in tables:
        cls = class_by_table.get(table.name)
        schema = table_schema(table, cls.__name__ if cls is not None else None)
        if root is not None:
            schema["path"] = defined_in(cls, root)
        found.append(schema)
    return {"tables": found, "enums": enum_schemas(tables, root)}


# --- isolation ---------------------------------------------------------------------------


def import_model_file(path: str) -> None:
    spec = importlib.util.spec_from_file_location(MODULE_NAME, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    # Registered before executing: pydantic resolves string annotations (and
    # `from __future__ import annotations`) through sys.modules[cls.__module__].
    sys.modules[MODULE_NAME] = module
    spec.loader.exec_module(module)


def import_package(spec: dict[str, Any]) -> None:
    """Import a package as its users do: its folders first on ``sys.path``, then every
    module by its dotted name, in the order given."""
    sys.path[:0] = spec["sys_path"]
    for name in spec["modules"]:
        importlib.import_module(name)


def schema_or_error(load: Callable[[], None], root: str | None = None) -> dict[str, Any]:
    try:
        # Model files may print; keep our stdout for the JSON only.
        with contextlib.redirect_stdout(sys.stderr):
            load()
            configure_mappers()  # relationship mistakes only surface here
        return {"schema": current_schema(root)}
    except Exception as exc:  # any failure is a result to report, not a crash
        return {"error": f"{type(exc).__name__}: {exc}"}


def run_in_fork(compute: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: compute, send, and leave without running the parent's cleanup
        os.close(read_fd)
        payload = json.dumps(compute()).encode()
        with os.fdopen(write_fd, "wb") as pipe:
            pipe.write(payload)
        os._exit(0)
    os.close(write_fd)
    with os.fdopen(read_fd, "rb") as pipe:
        payload = pipe.read()  # read before waiting, so a large payload cannot block the child
    _, status = os.waitpid(pid, 0)
    if not payload:
        return {"error": f"ChildProcessError: exit status {os.waitstatus_to_exitcode(status)}"}
    return json.loads(payload)


def main(argv: list[str]) -> int:
    if argv == ["--packages"]:
        packages = json.load(sys.stdin)
        results = {
            label: run_in_fork(
                lambda spec=spec: schema_or_error(lambda: import_package(spec), spec["root"])
            )
            for label, spec in packages.items()
        }
    else:
        results = {
            path: run_in_fork(lambda path=path: schema_or_error(lambda: import_model_file(path)))
            for path in argv
        }
    json.dump(results, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
