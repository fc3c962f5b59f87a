"""Differential test over packages: what modelsync reads from a package, statically, must
equal what real SQLModel creates when Python imports it.

Each case in ``tests/corpus_packages/`` is a small project whose models are spread over
several modules (its ``pyproject.toml`` names the source). The oracle (``tests/oracle``)
puts the project's import roots on ``sys.path`` and imports every module of the source by
its dotted name, in ONE subprocess for all cases; modelsync reads the same source through
``schema.load.load_side`` without importing anything. Both schemas go through the single-
file differential test's normalisation and are compared table by table and column by
column, and each table must name the file its class is defined in.

The roots the oracle uses are the case's own: ``[tool.corpus] sys_path`` when given (a
folder the service runs from), else the configured ``pythonpath``, ``src/`` and the
project root, in that order, as a user's interpreter would have them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from modelsync.config import load_config
from modelsync.schema.document import schema_document
from modelsync.schema.load import load_side
from modelsync.schema.pins import choose_release
from modelsync.tomlfile import parse_toml
from tests.oracle import sqlmodel_package_schemas
from tests.test_differential import differences, normalize

CORPUS_DIR = Path(__file__).parent / "corpus_packages"
CASES = sorted(p for p in CORPUS_DIR.iterdir() if (p / "pyproject.toml").is_file())
MIN_CASES = 6


def oracle_roots(case: Path) -> list[str]:
    document = parse_toml((case / "pyproject.toml").read_text(encoding="utf-8"))
    tool = document.get("tool", {})
    given = tool.get("corpus", {}).get("sys_path")
    if given:
        return list(given)
    roots = list(tool.get("modelsync", {}).get("pythonpath", []))
    if (case / "src").is_dir():
        roots.append("src")
    return [*roots, "."]


def source_files(case: Path, items: tuple[str, ...]) -> list[Path]:
    files: list[Path] = []
    for item in items:
        if any(c in item for c in "*?["):
            files += sorted(case.glob(item))
        elif (case / item).is_dir():
            files += sorted((case / item).rglob("*.py"))
        else:
            files.append(case / item)
    return files


def dotted(path: Path, case: Path, roots: list[str]) -> str:
    """The module name ``path`` is imported under: from the first root that holds it."""
    for root in roots:
        folder = (case / root).resolve()
        if path.resolve().is_relative_to(folder):
            parts = list(path.resolve().relative_to(folder).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            if parts and all(p.isidentifier() for p in parts):
                return ".".join(parts)
    raise AssertionError(f"{path} is under none of the roots {roots}")


def oracle_spec(case: Path) -> dict[str, Any]:
    config = load_config(case, {})
    roots = oracle_roots(case)
    modules = [dotted(f, case, roots) for f in source_files(case, config.source_items)]
    return {
        "root": str(case),
        "sys_path": [str((case / r).resolve()) for r in roots],
        "modules": list(dict.fromkeys(modules)),
    }


def modelsync_document(case: Path) -> dict[str, Any]:
    config = load_config(case, {})
    release = choose_release(config.root, config.source_anchor, None, config.sqlmodel_version)
    side = load_side(
        config.tree(), config.source_items, release.rules, pythonpath=config.pythonpath
    )
    return schema_document(side.schema)


@pytest.fixture(scope="module")
def oracle() -> dict[str, dict[str, Any]]:
    """SQLModel's schema of every package, computed in one subprocess."""
    return sqlmodel_package_schemas({case.name: oracle_spec(case) for case in CASES})


def test_package_corpus_is_meaningful(oracle: dict[str, dict[str, Any]]) -> None:
    assert len(CASES) >= MIN_CASES
    errors = {name: result["error"] for name, result in oracle.items() if "error" in result}
    assert errors == {}
    for name, result in oracle.items():
        files = {t["path"] for t in result["schema"]["tables"]}
        # Each case spreads its tables over several modules.
        assert len(files) >= 2, (name, files)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_package_schema_matches_sqlmodel(case: Path, oracle: dict[str, dict[str, Any]]) -> None:
    expected = oracle[case.name]
    assert "error" not in expected, expected.get("error")
    actual = modelsync_document(case)
    assert actual["warnings"] == []
    diffs = differences(normalize(expected["schema"]), normalize(actual))
    assert not diffs, "modelsync differs from SQLModel:\n" + "\n".join(diffs)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_tables_and_enums_name_their_module(case: Path, oracle: dict[str, dict[str, Any]]) -> None:
    """Findings stand at a table's or an enum's file: the one Python defines it in."""
    expected = oracle[case.name]["schema"]
    actual = modelsync_document(case)
    tables = {t["name"]: t["path"] for t in actual["tables"]}
    assert tables == {t["name"]: t["path"] for t in expected["tables"]}
    enums = {e["name"]: e["path"] for e in actual["enums"]}
    assert enums == {e["name"]: e["path"] for e in expected["enums"]}
