"""The read path: a models file's text -> the Schema IR, without importing the models.

Stages, in order: source (read, parse) -> names (imports, aliases) -> values (a tiny static
evaluator) -> parse (gather classes and fields) -> pytypes/pgtypes/columns/table_args (SQLModel's
and SQLAlchemy's rules) -> resolve (tables, enums, warnings) -> ir. ``release`` holds the DDL
rules of each SQLModel release; ``document`` prints a Schema for ``modelsync schema``.
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
