"""TOML through the cache: the same document as tomllib gives, and tomllib off a warm run."""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

import pytest

from modelsync import cache
from modelsync.tomlfile import FORMAT, TomlError, parse_toml
from tests.conftest import EXAMPLE, imported_by_each_run

PYPROJECT = """\
[project]
name = "backend"
dependencies = ["sqlmodel==0.0.16", "fastapi>=0.110"]

[tool.modelsync]
source = "backend-core/models.py"
vector_dim = 768
ratio = 0.5
strict = true
nested = { a = [1, 2, { b = "c" }] }
"""


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MODELSYNC_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("MODELSYNC_CACHE", raising=False)
    return tmp_path / "cache" / "toml"


def test_a_cached_document_equals_tomllibs(folder: Path) -> None:
    first = parse_toml(PYPROJECT)
    assert first == tomllib.loads(PYPROJECT)
    (entry,) = folder.iterdir()
    assert parse_toml(PYPROJECT) == first
    # The second reading came from the entry: a different stored document is what it gives.
    key = cache.identity(FORMAT, sys.version.encode(), PYPROJECT.encode())
    cache.store("toml", key, repr({"from": "cache"}).encode())
    assert parse_toml(PYPROJECT) == {"from": "cache"}
    # An entry for other text under the same name is not used.
    stored = entry.read_bytes()
    entry.write_bytes(stored.replace(b"vector_dim = 768", b"vector_dim = 384"))
    assert parse_toml(PYPROJECT) == first


def test_what_repr_cannot_carry_is_parsed_every_time(folder: Path) -> None:
    for text in (
        "when = 1979-05-27T07:32:00Z\n",
        "big = inf\n",
        "t = 07:32:00\n",
        # tomllib reads a hexadecimal integer of any length; repr() refuses past 4,300 digits.
        "[tool.other]\nbig = 0x" + "f" * 4000 + "\n",
    ):
        assert parse_toml(text) == tomllib.loads(text)
    assert not folder.exists() or list(folder.iterdir()) == []


def test_a_broken_or_garbled_entry_is_ignored(folder: Path) -> None:
    parse_toml(PYPROJECT)
    (entry,) = folder.iterdir()
    head = entry.read_bytes()[: -len(repr(tomllib.loads(PYPROJECT)))]
    for payload in (b"{'a': __import__('os')}", b"[1, 2]", b"\xff\xfe", b"(" * 5000):
        entry.write_bytes(head + payload)
        assert parse_toml(PYPROJECT) == tomllib.loads(PYPROJECT)


def test_errors_keep_tomllibs_message(folder: Path) -> None:
    with pytest.raises(TomlError, match=r"at line 2"):
        parse_toml("a = 1\nb = \n")
    with pytest.raises(TomlError, match="4300 digits"):
        parse_toml("big = " + "9" * 5000 + "\n")
    with pytest.raises(TomlError, match="nested too deeply"):
        parse_toml("a = " + "[" * 100_000 + "]" * 100_000 + "\n")
    assert not folder.exists()


def test_no_cache_when_turned_off(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MODELSYNC_CACHE", "0")
    assert parse_toml(PYPROJECT) == tomllib.loads(PYPROJECT)
    assert not folder.exists()


def test_a_warm_check_does_not_import_tomllib(folder: Path) -> None:
    assert imported_by_each_run("check", EXAMPLE, "tomllib") == [True, False]
