"""No import runs upward: each part of the package imports only the parts below it.

Every ``from modelsync... import`` in every module is read (module level and inside
functions alike) and checked against the layers of docs/ARCHITECTURE.md.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "tool" / "modelsync"

# Lower layers first. A part may import itself and any part of a lower layer, nothing else.
LAYERS: tuple[tuple[str, ...], ...] = (
    # The package's own __init__ (only __version__), and the record classes everything
    # else is made of.
    ("modelsync", "records", "errors"),
    # Reading a file safely (regular, bounded); the cache reads its entries through it.
    ("files", "findings"),
    ("cache",),
    ("tomlfile",),
    # Python files read and parsed, and which module binds which name (no SQLModel rules).
    ("modules",),
    ("schema", "config", "compose", "dburl"),
    ("drift",),
    ("mirror", "migrate"),
    ("lint", "live"),
    ("verify",),
    ("cli",),
    ("__main__",),
)
LAYER_OF = {part: number for number, parts in enumerate(LAYERS) for part in parts}
MODULES = sorted(p for p in PACKAGE.rglob("*.py"))


def part_of_file(path: Path) -> str:
    relative = path.relative_to(PACKAGE)
    if len(relative.parts) > 1:
        return relative.parts[0]
    return "modelsync" if relative.stem == "__init__" else relative.stem


def part_of_import(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "modelsync"


def imported_parts(path: Path) -> set[tuple[str, int]]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for name in names:
            if name == "modelsync" or name.startswith("modelsync."):
                found.add((part_of_import(name), node.lineno))
    return found


def test_every_part_has_a_layer() -> None:
    assert {part_of_file(p) for p in MODULES} <= set(LAYER_OF)
    assert len(MODULES) > 40


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_run_downward(path: Path) -> None:
    here = part_of_file(path)
    upward = [
        f"line {line}: {here} imports {there}"
        for there, line in sorted(imported_parts(path))
        if there != here and LAYER_OF[there] >= LAYER_OF[here]
    ]
    assert upward == []


def test_the_check_reads_real_imports() -> None:
    # The reading above does find imports, function-level ones included: the CLI's check
    # command imports the drift stage inside its function.
    assert "drift" in {part for part, _ in imported_parts(PACKAGE / "cli" / "check.py")}


ARCHITECTURE = PACKAGE.parent.parent / "docs" / "ARCHITECTURE.md"


def _architecture() -> str:
    return ARCHITECTURE.read_text(encoding="utf-8")


def test_the_architecture_states_these_layers() -> None:
    """docs/ARCHITECTURE.md's layers paragraph names exactly the layers above, in order."""
    text = " ".join(_architecture().split("The layers, lowest first:", 1)[1].split())
    paragraph = text.split(". A part", 1)[0]
    stated = [
        sorted(
            "modelsync" if name == "__init__" else name for name in re.findall(r"`(\w+)`", group)
        )
        for group in paragraph.split(";")
    ]
    assert stated == [sorted(layer) for layer in LAYERS]


def _section(text: str, heading: str) -> str:
    """The paragraphs from ``**`heading`...`` to the next such heading or ``## ``."""
    start = text.index(f"**`{heading}`")
    end = re.compile(r"^(\*\*`|## )", re.M).search(text, start + 1)
    return text[start : end.start() if end else len(text)]


def _named(section: str) -> set[str]:
    spans = re.findall(r"`([^`\s]+)`", section)
    return {part for span in spans for part in re.split(r"[./()]", span) if part}


@pytest.mark.parametrize(
    "package", sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file())
)
def test_the_architecture_describes_every_module(package: str) -> None:
    """Each subpackage has its paragraph in docs/ARCHITECTURE.md, and that paragraph names
    every module the subpackage holds today."""
    named = _named(_section(_architecture(), f"{package}/"))
    modules = {p.stem for p in (PACKAGE / package).glob("*.py") if p.stem != "__init__"}
    assert modules - named == set()


def test_the_architecture_names_every_top_level_module() -> None:
    text = _architecture()
    for path in PACKAGE.glob("*.py"):
        if path.stem not in ("__init__",):
            assert f"`{path.name}`" in text, path.name
