"""No model file of the corpus reaches ``migration``'s internal-error path.

Every file of ``tests/corpus`` is migrated from an empty database, to an empty database,
and to the next file of the corpus and back: the result is SQL, or a ``ModelsyncError`` (a
located one-line error, exit 2), never another exception (which the CLI reports as an
internal error). The property (``test_migration_property.py``) holds the generated pairs
to the same rule: there, any exception fails.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from modelsync.errors import ModelsyncError
from modelsync.migrate.sql import migration_sql
from modelsync.schema.ir import Schema
from modelsync.schema.load import load_schema
from modelsync.schema.release import rules_for

CORPUS = sorted((Path(__file__).parent / "corpus").glob("*.py"))
EMPTY = Schema("(empty database)", ())


def _schema(path: Path) -> Schema | None:
    try:
        return load_schema(path, path.name, rules_for(None))
    except ModelsyncError:
        return None  # the read path refuses it, at its line: not migration's business


@pytest.fixture(scope="module")
def schemas() -> dict[str, Schema]:
    found = {path.name: _schema(path) for path in CORPUS}
    return {name: schema for name, schema in found.items() if schema is not None}


def _migrates_or_refuses(old: Schema, new: Schema) -> None:
    try:
        for plain in (False, True):
            migration_sql(old, new, plain=plain)
            migration_sql(old, new, plain=plain, allow_destructive=True)
    except ModelsyncError as error:
        assert error.path is not None, str(error)


def test_the_corpus_is_read(schemas):
    assert len(schemas) >= 40


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.stem)
def test_every_corpus_file_from_and_to_an_empty_database(schemas, path):
    if path.name not in schemas:
        pytest.skip("the read path refuses this file (a located error)")
    _migrates_or_refuses(EMPTY, schemas[path.name])
    _migrates_or_refuses(schemas[path.name], EMPTY)


def test_each_corpus_file_to_the_next_and_back(schemas):
    names = sorted(schemas)
    for old, new in zip(names, names[1:], strict=False):
        _migrates_or_refuses(schemas[old], schemas[new])
        _migrates_or_refuses(schemas[new], schemas[old])
