"""The model rules over the schema IR of the source and the target: table-name,
column-name, primary-key-name (3.2), vector-column, json-type (3.3) and the index side of
vector-metric (4.1).

They read the same Schema as ``check`` (``schema.load``), so every finding stands at the
line ``check`` would name; the syntax tree is consulted only for how a thing is written
(``__tablename__`` given or not, ``sa_column`` or ``sa_type``).
"""

from __future__ import annotations

import ast
import re

from modelsync.findings.model import Finding, Location
from modelsync.lint.astutil import call_name, keyword
from modelsync.lint.context import LintInput, ModelsFile
from modelsync.lint.naming import is_plural, is_snake_case, plural_of, to_snake_case
from modelsync.lint.registry import finding
from modelsync.schema.ir import Column, Index, Table

_VECTOR_TYPE = re.compile(r"(?P<kind>VECTOR|HALFVEC|SPARSEVEC)(?:\((?P<dim>\d+)\))?")
COSINE_OPS = ("vector_cosine_ops", "halfvec_cosine_ops", "sparsevec_cosine_ops")
VECTOR_INDEX_METHODS = ("hnsw", "ivfflat")


def model_findings(lint: LintInput) -> tuple[Finding, ...]:
    found: list[Finding] = []
    for models in lint.models:
        written = _Written(models.files)
        for table in models.schema.tables:
            found += table_name_findings(models, table, written)
            found += primary_key_findings(models, table)
            for column in table.columns:
                found += column_name_findings(models, table, column)
                found += vector_column_findings(models, table, column, written, lint)
                found += json_type_findings(models, table, column)
            for index in table.indexes:
                found += vector_metric_findings(models, table, index)
    return tuple(found)


class _Written:
    """How the models files spell things: ``__tablename__`` lines per (file, class), and
    the ``Field(...)`` call of each field, by (file, line, attribute)."""

    def __init__(self, files) -> None:
        self.tablename: dict[tuple[str, str], int] = {}
        self.fields: dict[tuple[str, int, str], ast.Call] = {}
        for parsed in files:
            self._read(parsed.path, parsed.module)

    def _read(self, path: str, module: ast.Module) -> None:
        # Only module-level classes are models (as schema.parse reads them).
        for node in module.body:
            if not isinstance(node, ast.ClassDef):
                continue
            for statement in node.body:
                if _assigns(statement, "__tablename__"):
                    self.tablename[(path, node.name)] = statement.lineno
                if (
                    isinstance(statement, ast.AnnAssign)
                    and isinstance(statement.target, ast.Name)
                    and isinstance(statement.value, ast.Call)
                ):
                    key = (path, statement.lineno, statement.target.id)
                    self.fields[key] = statement.value


def _assigns(statement: ast.stmt, name: str) -> bool:
    if isinstance(statement, ast.Assign):
        return any(isinstance(t, ast.Name) and t.id == name for t in statement.targets)
    return (
        isinstance(statement, ast.AnnAssign)
        and isinstance(statement.target, ast.Name)
        and statement.target.id == name
    )


def _at(models: ModelsFile, item, line: int | None, value: str | None = None) -> Location:
    """A place in the models: ``item`` (a table, column or index) says which file."""
    return Location(models.role, models.schema.where(item), line or None, value=value)


def table_name_findings(models: ModelsFile, table: Table, written: _Written) -> list[Finding]:
    name = table.name
    if is_snake_case(name) and is_plural(name):
        return []
    suggestion = plural_of(name)
    line = written.tablename.get((models.schema.where(table), table.class_name))
    if line is None:
        message = (
            f"class {table.class_name} has no __tablename__, so SQLModel names its table "
            f"{name!r} (the class name in lower case); table names are plural snake_case"
        )
        where = _at(models, table, table.line, name)
    else:
        problem = "is not snake_case" if not is_snake_case(name) else "is not plural"
        message = f"table name {name!r} {problem}; table names are plural snake_case"
        where = _at(models, table, line, name)
    return [
        finding(
            "table-name",
            message,
            where,
            table=name,
            fix=f'__tablename__ = "{suggestion}"',
        )
    ]


def column_name_findings(models: ModelsFile, table: Table, column: Column) -> list[Finding]:
    if is_snake_case(column.name):
        return []
    return [
        finding(
            "column-name",
            f"column {table.name}.{column.name} is not snake_case",
            _at(models, column, column.line, column.name),
            table=table.name,
            column=column.name,
            fix=f"name it {to_snake_case(column.name)}",
        )
    ]


def primary_key_findings(models: ModelsFile, table: Table) -> list[Finding]:
    """A single-column key must be ``id``. A composite key (a link table's) is left alone:
    the standard's rule is about the entity tables."""
    if len(table.primary_key) != 1 or table.primary_key == ("id",):
        return []
    (name,) = table.primary_key
    column = table.column(name)
    return [
        finding(
            "primary-key-name",
            f"the primary key of {table.name} is {name!r}; the standard names it 'id'",
            _at(models, column or table, column.line if column else table.line, name),
            table=table.name,
            column=name,
            fix=f"rename the field to id (and {name} becomes a plain or unique column)",
        )
    ]


def vector_column_findings(
    models: ModelsFile, table: Table, column: Column, written: _Written, lint: LintInput
) -> list[Finding]:
    match = _VECTOR_TYPE.fullmatch(column.type)
    if not match:
        return []
    found = []
    where = _at(models, column, column.line, column.type)
    expected = lint.dimension_for(table.name, column.name)
    dim = match.group("dim")
    field = written.fields.get((models.schema.where(column), column.line, column.attribute))
    if dim is None:
        problem = f"has no dimension; the standard's is {expected}"
    elif int(dim) != expected:
        problem = f"has {dim} dimensions; the configured vector_dim is {expected}"
    else:
        problem = None
    several = _inherited_by_several(models, column)
    if problem:
        declare = (
            f"sa_type=Vector({expected})" if several else f"sa_column=Column(Vector({expected}))"
        )
        found.append(
            finding(
                "vector-column",
                f"vector column {table.name}.{column.name} {problem}",
                where,
                table=table.name,
                column=column.name,
                fix=f"{declare} (or set vector_dim in [tool.modelsync] when the embedding "
                "model changed)",
            )
        )
    sa_type = field is not None and call_name(field) == "Field" and keyword(field, "sa_type")
    if sa_type and not several:
        found.append(
            finding(
                "vector-column",
                f"vector column {table.name}.{column.name} is declared with sa_type; the "
                "standard declares vectors as sa_column=Column(Vector(N))",
                where,
                table=table.name,
                column=column.name,
                fix=f"Field(default=None, sa_column=Column(Vector({expected})))",
            )
        )
    return found


def _inherited_by_several(models: ModelsFile, column: Column) -> bool:
    """A mixin's field that several tables inherit: one ``sa_column=Column(...)`` object
    cannot serve them all (SQLAlchemy: "Column object ... already assigned to Table"), so
    ``sa_type`` is the only way to write it there."""
    where = models.schema.where(column)
    tables = sum(
        any(c.line == column.line and models.schema.where(c) == where for c in t.columns)
        for t in models.schema.tables
    )
    return tables > 1


def json_type_findings(models: ModelsFile, table: Table, column: Column) -> list[Finding]:
    if column.type != "JSON":
        return []
    return [
        finding(
            "json-type",
            f"column {table.name}.{column.name} is JSON; unstructured data is JSONB "
            "(indexable, compared by value, no duplicate keys)",
            _at(models, column, column.line, column.type),
            table=table.name,
            column=column.name,
            fix="from sqlalchemy.dialects.postgresql import JSONB; sa_column=Column(JSONB)",
        )
    ]


def vector_metric_findings(models: ModelsFile, table: Table, index: Index) -> list[Finding]:
    if index.using not in VECTOR_INDEX_METHODS:
        return []
    ops = dict(index.ops)
    found = []
    for name in index.columns:
        column = table.column(name)
        if column is None or not _VECTOR_TYPE.fullmatch(column.type):
            continue
        kind = column.type.split("(")[0].lower()
        op = ops.get(name)
        if op in COSINE_OPS:
            continue
        used = op or f"{kind}_l2_ops, the default"
        found.append(
            finding(
                "vector-metric",
                f"{index.using} index {index.name} on {table.name}.{name} uses {used}; the "
                "standard's metric is cosine, so cosine_distance queries cannot use it",
                _at(
                    models, index if index.line else table, index.line or table.line, index.name
                ),  # fmt: skip
                table=table.name,
                column=name,
                fix=f'postgresql_ops={{"{name}": "{kind}_cosine_ops"}}',
            )
        )
    return found
