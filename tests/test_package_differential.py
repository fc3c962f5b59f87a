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

import ast
import shutil
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


# ------------------------------------------------------------------ the corpus's coverage


class Corpus:
    """The corpus's modules parsed, with a small resolver of their imports (relative, and
    absolute through each case's roots), to tell which constructs the corpus holds."""

    def __init__(self) -> None:
        self.modules: dict[Path, ast.Module] = {}
        self.roots: dict[Path, list[Path]] = {}
        for case in CASES:
            self.roots[case] = [(case / r).resolve() for r in oracle_roots(case)]
            for path in sorted(case.rglob("*.py")):
                self.modules[path.resolve()] = ast.parse(path.read_text(encoding="utf-8"))

    def case_of(self, path: Path) -> Path:
        return next(case for case in CASES if path.is_relative_to(case.resolve()))

    def module(self, importer: Path, level: int, dotted: str | None) -> Path | None:
        """The file ``from <level dots><dotted> import ...`` in ``importer`` means."""
        if level:
            folders = [importer.parent.parents[level - 2] if level > 1 else importer.parent]
        else:
            folders = self.roots[self.case_of(importer)]
        for folder in folders:
            base = folder.joinpath(*dotted.split(".")) if dotted else folder
            for candidate in (base / "__init__.py", base.with_suffix(".py")):
                if candidate.resolve() in self.modules:
                    return candidate.resolve()
        return None

    def imported(self, importer: Path, node: ast.ImportFrom, name: str):
        """(file, its top-level statement defining ``name``) for ``from M import name``."""
        source = self.module(importer, node.level, node.module)
        if source is None:
            return None
        for statement in self.modules[source].body:
            if isinstance(statement, ast.ClassDef) and statement.name == name:
                return source, statement
            targets = getattr(statement, "targets", [getattr(statement, "target", None)])
            if any(isinstance(t, ast.Name) and t.id == name for t in targets):
                return source, statement
        return source, None

    def definition(self, importer: Path, node: ast.ImportFrom, name: str, depth: int = 0):
        """Like ``imported``, following re-exports (named and ``*``) to the definition."""
        found = self.imported(importer, node, name)
        if found is None or found[1] is not None or depth > 5:
            return found
        for inner in self.modules[found[0]].body:
            if isinstance(inner, ast.ImportFrom) and any(
                a.name in (name, "*") for a in inner.names
            ):
                deeper = self.definition(found[0], inner, name, depth + 1)
                if deeper is not None and deeper[1] is not None:
                    return deeper
        return found

    def imports(self):
        """(file, ImportFrom, imported name, (file, definition) or None) of every import
        that runs when the module is imported."""
        for path, tree in self.modules.items():
            # Only what runs: not the imports under ``if TYPE_CHECKING:``.
            checking = {
                id(inner)
                for block in tree.body
                if isinstance(block, ast.If) and "TYPE_CHECKING" in ast.unparse(block.test)
                for inner in ast.walk(block)
            }
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and id(node) not in checking:
                    for alias in node.names:
                        yield path, node, alias, self.imported(path, node, alias.name)


def _is_enum_class(statement) -> bool:
    return isinstance(statement, ast.ClassDef) and any(
        "Enum" in ast.unparse(base) for base in statement.bases
    )


def _project_imports(corpus: Corpus):
    return [(p, n, a, d) for p, n, a, d in corpus.imports() if d is not None]


def _star(corpus: Corpus, with_all: bool) -> bool:
    for path, _, alias, found in _project_imports(corpus):
        if alias.name == "*" and path.name == "__init__.py":
            module = corpus.modules[found[0]]
            defines_all = any(
                isinstance(s, ast.Assign)
                and any(getattr(t, "id", "") == "__all__" for t in s.targets)
                for s in module.body
            )
            if defines_all == with_all:
                return True
    return False


def _chained(corpus: Corpus) -> bool:
    """A name imported from a module that itself imports it (a re-export), twice over."""
    for _, _, alias, (source, definition) in _project_imports(corpus):
        if definition is None and alias.name != "*":
            for inner in ast.walk(corpus.modules[source]):
                if isinstance(inner, ast.ImportFrom) and any(
                    a.name in (alias.name, "*") for a in inner.names
                ):
                    again = corpus.imported(source, inner, alias.name)
                    if again is not None and again[1] is None:
                        return True
    return False


def _mixin_levels(corpus: Corpus) -> bool:
    """A table inherits a class of another module that inherits a class of a third."""
    bases = {}
    for path, _, alias, (source, definition) in _project_imports(corpus):
        if isinstance(definition, ast.ClassDef):
            bases[(path, alias.asname or alias.name)] = (source, definition)
    for (path, _), (source, definition) in bases.items():
        for base in definition.bases:
            if isinstance(base, ast.Name) and (source, base.id) in bases:
                third = bases[(source, base.id)][0]
                if len({path, source, third}) == 3:
                    return True
    return False


def _runtime_cycle(corpus: Corpus) -> bool:
    edges = set()
    for path, _, alias, (source, _) in _project_imports(corpus):
        target = corpus.module(source, 1, alias.name) if source.name == "__init__.py" else None
        edges.add((path, target or source))
    return any((b, a) in edges for a, b in edges if a != b)


def _mixin_table_args(corpus: Corpus) -> bool:
    """A class that is no table (a mixin) and gives ``__table_args__``, imported by
    another module."""
    for path, node, alias, _ in _project_imports(corpus):
        definition = corpus.definition(path, node, alias.name)[1]
        if isinstance(definition, ast.ClassDef) and not any(
            k.arg == "table" for k in definition.keywords
        ):
            for statement in definition.body:
                targets = getattr(statement, "targets", [])
                if any(getattr(t, "id", "") == "__table_args__" for t in targets):
                    return True
    return False


CONSTRUCTS = {
    "relative import of a name": lambda c: any(
        n.level == 1 and n.module for _, n, _, _ in _project_imports(c)
    ),
    "from .. import module": lambda c: any(
        n.level >= 2 and not n.module for _, n, _, _ in _project_imports(c)
    ),
    "absolute import of a project module": lambda c: any(
        n.level == 0 for _, n, _, _ in _project_imports(c)
    ),
    "named re-export in __init__": lambda c: any(
        p.name == "__init__.py" and a.name != "*" for p, _, a, _ in _project_imports(c)
    ),
    "star re-export with __all__": lambda c: _star(c, with_all=True),
    "star re-export without __all__": lambda c: _star(c, with_all=False),
    "from x import A as B": lambda c: any(
        a.asname and a.asname != a.name for _, _, a, _ in _project_imports(c)
    ),
    "import a.b as c": lambda c: any(
        isinstance(n, ast.Import) and any(a.asname and "." in a.name for a in n.names)
        for tree in c.modules.values()
        for n in ast.walk(tree)
    ),
    "chain of re-exports": _chained,
    "TYPE_CHECKING import": lambda c: any(
        isinstance(n, ast.If) and "TYPE_CHECKING" in ast.unparse(n.test)
        for tree in c.modules.values()
        for n in tree.body
    ),
    "runtime import cycle": _runtime_cycle,
    "mixins over three modules": _mixin_levels,
    "enum of another module": lambda c: any(
        _is_enum_class(d) for _, _, _, (_, d) in _project_imports(c)
    ),
    "enum in sa_column=Column(Enum(...))": lambda c: any(
        isinstance(n, ast.keyword) and n.arg == "sa_column" and "Enum(" in ast.unparse(n.value)
        for tree in c.modules.values()
        for n in ast.walk(tree)
    ),
    "constant of another module": lambda c: any(
        isinstance(d, ast.Assign) and isinstance(d.value, ast.Constant | ast.BinOp)
        for _, _, _, (_, d) in _project_imports(c)
    ),
    "Annotated alias of another module": lambda c: any(
        isinstance(d, ast.Assign | ast.AnnAssign) and "Annotated[" in ast.unparse(d.value)
        for _, _, _, (_, d) in _project_imports(c)
    ),
    "src/ layout": lambda c: any((case / "src").is_dir() for case in CASES),
    "namespace package": lambda c: any(
        not (folder / "__init__.py").exists() and any(folder.glob("*.py"))
        for case in CASES
        for folder in case.rglob("*")
        if folder.is_dir() and folder != case
    ),
    "configured pythonpath": lambda c: any(
        "pythonpath" in (case / "pyproject.toml").read_text(encoding="utf-8") for case in CASES
    ),
    "__table_args__ of a mixin": _mixin_table_args,
    "vector column": lambda c: any("Vector(" in ast.unparse(t) for t in c.modules.values()),
    "JSONB column": lambda c: any("JSONB" in ast.unparse(t) for t in c.modules.values()),
    "foreign key": lambda c: any("foreign_key=" in ast.unparse(t) for t in c.modules.values()),
    "index": lambda c: any("Index(" in ast.unparse(t) for t in c.modules.values()),
}


def test_the_corpus_holds_every_construct_of_the_issue() -> None:
    corpus = Corpus()
    missing = [name for name, holds in CONSTRUCTS.items() if not holds(corpus)]
    assert missing == []


# ------------------------------------------------------------------ generate, for every case

# Cases whose modules define one name differently (05: ``DIM`` of two values): a mirror
# in one file cannot hold both, and generate refuses them (tests/test_package_edges.py).
GENERATE_REFUSES = {"05_names_across_modules"}


def test_every_generated_mirror_is_what_sqlmodel_makes_of_its_package(
    tmp_path: Path, oracle: dict[str, dict[str, Any]]
) -> None:
    """``generate`` on each case, then the one-file mirror imported by real SQLModel: the
    same tables, column by column, as the package imported module by module."""
    from tests.conftest import run_cli
    from tests.oracle import sqlmodel_schemas

    mirrors: dict[str, Path] = {}
    for case in CASES:
        root = tmp_path / case.name
        shutil.copytree(case, root, ignore=shutil.ignore_patterns("__pycache__"))
        done = run_cli("generate", "--root", root)
        if case.name in GENERATE_REFUSES:
            assert done.returncode == 2, done.stdout
            continue
        assert done.returncode == 0, (case.name, done.stderr)
        assert done.stderr == "", (case.name, done.stderr)
        mirrors[case.name] = root / load_config(root, {}).target_items[0]
    imported = sqlmodel_schemas(mirrors.values())
    assert len(imported) == len(CASES) - len(GENERATE_REFUSES)
    for name, mirror in mirrors.items():
        result = imported[str(mirror)]
        assert "error" not in result, (name, result.get("error"))
        expected, actual = normalize(oracle[name]["schema"]), normalize(result["schema"])
        diffs = differences(expected["tables"], actual["tables"])
        assert not diffs, f"{name}: the mirror differs from the package:\n" + "\n".join(diffs)
