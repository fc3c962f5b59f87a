"""The read path: a side's models (a file, a package, a list of files) -> the Schema IR,
without importing them.

``load.load_side`` is the one entry point: ``project`` joins the side's modules through the
module graph (``modules/``), then, per module: names (imports, aliases) -> values (a tiny
static evaluator) -> parse (gather classes and fields) -> pytypes/pgtypes/columns/table_args/
expressions (SQLModel's and SQLAlchemy's rules) -> resolve (tables, enums, warnings) -> ir.
``constraints`` says which unique constraints PostgreSQL keeps; ``release`` holds the DDL
rules of each SQLModel release and ``pins`` finds the one the project pins; ``document``
prints a Schema for ``modelsync schema``.
"""

from modelsync.schema.ir import Column, EnumType, Index, Schema, Table
from modelsync.schema.load import ParsedFile, load_schema, parse_file, schema_of
from modelsync.schema.release import SqlmodelRules, rules_for

__all__ = [
    "Column",
    "EnumType",
    "Index",
    "ParsedFile",
    "Schema",
    "SqlmodelRules",
    "Table",
    "load_schema",
    "parse_file",
    "rules_for",
    "schema_of",
]
