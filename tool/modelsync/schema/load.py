"""The one IR builder every command uses: a models file on disk -> Schema."""

from __future__ import annotations

import ast
from pathlib import Path

from modelsync.errors import InputError
from modelsync.records import record
from modelsync.schema.ir import Schema
from modelsync.schema.parse import gather
from modelsync.schema.release import SqlmodelRules
from modelsync.schema.resolve import resolve
from modelsync.schema.source import parse_python, read_source


@record
class ParsedFile:
    """A models file read once: its text and syntax tree serve every later stage."""

    path: str
    text: str
    module: ast.Module


def parse_file(path: Path, shown: str) -> ParsedFile:
    """``shown`` is the path as messages print it (relative to the project root)."""
    text = read_source(path, shown)
    return ParsedFile(shown, text, parse_python(text, shown))


def schema_of(parsed: ParsedFile, rules: SqlmodelRules) -> Schema:
    try:
        return resolve(gather(parsed.module, parsed.path), rules)
    except RecursionError:
        # gather names the statement itself; this is what is left (a deep chain of
        # classes or constants), so the file is the best place there is.
        raise InputError("the models nest too deeply to read", parsed.path) from None


def load_schema(path: Path, shown: str, rules: SqlmodelRules) -> Schema:
    return schema_of(parse_file(path, shown), rules)
