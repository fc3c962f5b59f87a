"""The one IR builder every command uses: a models file on disk -> Schema."""

from __future__ import annotations

from pathlib import Path

from modelsync.ir import Schema
from modelsync.parse import gather
from modelsync.resolve import resolve
from modelsync.rules import SqlmodelRules
from modelsync.source import parse_python, read_source


def load_schema(path: Path, shown: str, rules: SqlmodelRules) -> Schema:
    """``shown`` is the path as messages print it (relative to the project root)."""
    text = read_source(path, shown)
    return resolve(gather(parse_python(text, shown), shown), rules)
