"""Differential test: modelsync's static schema must equal what real SQLModel creates.

For every model file in ``tests/corpus/``, the oracle (``tests/oracle``) imports the file with
real SQLModel and reads the resulting SQLAlchemy metadata; modelsync parses the same file
without importing it. Both JSON documents are normalized by one function and compared.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.oracle import sqlmodel_schemas

CORPUS_DIR = Path(__file__).parent / "corpus"
CORPUS = sorted(CORPUS_DIR.glob("*.py"))
MIN_CORPUS_FILES = 30

# The keys the oracle produces, per record kind; anything else modelsync emits (``line``,
# ``warnings``, index ``using``/``ops``, future additions) is not part of the comparison.
TABLE_KEYS = ("class", "primary_key")
COLUMN_KEYS = (
    "type",
    "nullable",
    "primary_key",
    "unique",
    "index",
    "foreign_key",
    "ondelete",
    "server_default",
    "autoincrement",
    "comment",
    "identity",
    "computed",
)
# Table-level lists whose order carries no meaning, with the keys of their records.
TABLE_LISTS = {
    "indexes": ("name", "columns", "elements", "unique", "using", "ops", "where", "with"),
    "unique_constraints": ("name", "columns", "nulls_not_distinct"),
    "check_constraints": ("name", "sqltext"),
}
MISSING = "<missing>"  # shown in a diff when one side lacks a key the oracle produces


def _pick(record: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    picked = {key: record.get(key, MISSING) for key in keys}
    if isinstance(picked.get("with"), dict):
        # Storage parameters in order: create_all writes them, and the catalog shows them,
        # in the order the model gives.
        picked["with"] = list(picked["with"].items())
    return picked


def _normalize_list(records: Any, keys: tuple[str, ...]) -> Any:
    if not isinstance(records, list):
        return records  # MISSING: let the diff show it
    picked = [_pick(r, keys) for r in records]
    return sorted(picked, key=lambda r: json.dumps(r, sort_keys=True))


def _normalize_table(table: dict[str, Any]) -> dict[str, Any]:
    normalized = _pick(table, TABLE_KEYS)
    columns = table.get("columns", [])
    normalized["columns"] = {c["name"]: _pick(c, COLUMN_KEYS) for c in columns}
    for key, record_keys in TABLE_LISTS.items():
        normalized[key] = _normalize_list(table.get(key, MISSING), record_keys)
    return normalized


def normalize(schema: dict[str, Any]) -> dict[str, Any]:
    """Both sides go through this: tables/columns keyed by name, enums as name -> labels."""
    return {
        "tables": {t["name"]: _normalize_table(t) for t in schema.get("tables", [])},
        "enums": {e["name"]: e["labels"] for e in schema.get("enums", [])},
    }


def differences(expected: Any, actual: Any, where: str = "") -> list[str]:
    """One line per differing leaf, e.g. ``tables.users.columns.name.type: 'A' (oracle) != ...``."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        lines: list[str] = []
        for key in sorted(expected.keys() | actual.keys(), key=str):
            lines += differences(
                expected.get(key, MISSING), actual.get(key, MISSING), f"{where}.{key}"
            )
        return lines
    if expected == actual:
        return []
    return [f"{where.lstrip('.')}: {expected!r} (oracle) != {actual!r} (modelsync)"]


def modelsync_schema(path: Path) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, "-m", "modelsync", "schema", str(path), "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, f"modelsync exited {proc.returncode}:\n{proc.stderr}"
    return json.loads(proc.stdout)


@pytest.fixture(scope="session")
def oracle() -> dict[str, dict[str, Any]]:
    """SQLModel's schema for the whole corpus, computed in one subprocess."""
    return sqlmodel_schemas(CORPUS)


def test_corpus_is_meaningful(oracle: dict[str, dict[str, Any]]) -> None:
    assert len(CORPUS) >= MIN_CORPUS_FILES
    errors = {path: result["error"] for path, result in oracle.items() if "error" in result}
    assert errors == {}
    tableless = [path for path, result in oracle.items() if not result["schema"]["tables"]]
    assert tableless == []


@pytest.mark.parametrize("path", CORPUS, ids=[p.name for p in CORPUS])
def test_static_schema_matches_sqlmodel(path: Path, oracle: dict[str, dict[str, Any]]) -> None:
    expected = oracle[str(path)]
    assert "error" not in expected, expected.get("error")

    actual = modelsync_schema(path)
    assert actual.get("warnings", []) == []
    diffs = differences(normalize(expected["schema"]), normalize(actual))
    assert not diffs, "modelsync differs from SQLModel:\n" + "\n".join(diffs)
