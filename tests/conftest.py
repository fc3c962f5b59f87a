"""Shared helpers: run the real CLI in a subprocess, or the stages on inline text."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

from modelsync.modules.source import parse_python
from modelsync.schema.ir import Schema
from modelsync.schema.parse import gather
from modelsync.schema.release import SqlmodelRules, parse_version
from modelsync.schema.resolve import resolve

# The session's one PostgreSQL server, for every test that asks for it.
from tests.pg_server import fresh_database, postgres_server  # noqa: F401

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "interview"


def run_cli(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "modelsync", *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, cwd=cwd, timeout=120)


def imported_by_each_run(command: str, root: Path, module: str, runs: int = 2) -> list[bool]:
    """Whether ``modelsync COMMAND --root ROOT`` imported ``module``, run after run, each
    in a fresh interpreter (a warm cache should spare the later runs an import)."""
    probe = (
        "import sys\n"
        f"sys.argv = ['modelsync', {command!r}, '--root', {str(root)!r}]\n"
        "from modelsync.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        f"print('IMPORTED', {module!r} in sys.modules)\n"
    )
    found = []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
        assert "IMPORTED " in out.stdout, out.stdout + out.stderr
        found.append("IMPORTED True" in out.stdout)
    return found


def schema_of(text: str, version: str = "0.0.50", path: str = "models.py") -> Schema:
    source = textwrap.dedent(text)
    rules = SqlmodelRules(parse_version(version))
    return resolve(gather(parse_python(source, path), path), rules)


def write_project(root: Path, source: str, target: str, config: str = "") -> Path:
    """A project in the standard layout with the given models (dedented)."""
    (root / "backend-core").mkdir(parents=True, exist_ok=True)
    (root / "ai-worker").mkdir(parents=True, exist_ok=True)
    (root / "backend-core" / "models.py").write_text(textwrap.dedent(source), encoding="utf-8")
    (root / "ai-worker" / "db.py").write_text(textwrap.dedent(target), encoding="utf-8")
    if config:
        (root / "pyproject.toml").write_text(textwrap.dedent(config), encoding="utf-8")
    return root


@pytest.fixture
def project(tmp_path: Path):
    def make(source: str, target: str, config: str = "") -> Path:
        return write_project(tmp_path, source, target, config)

    return make


def pytest_configure(config: pytest.Config) -> None:
    # modelsync's cache (SQL verdicts, parsed TOML, the pristine PostgreSQL cluster) lives
    # in a folder of this session's, so that no test reads what an earlier run or another
    # modelsync left in ~/.cache, and the suite writes nothing there. Every subprocess
    # inherits it; a test may still point a run elsewhere (MODELSYNC_CACHE_DIR and
    # XDG_CACHE_HOME are both honoured above it).
    for name in ("MODELSYNC_CACHE", "MODELSYNC_CACHE_DIR"):
        os.environ.pop(name, None)
    folder = tempfile.mkdtemp(prefix="modelsync-test-cache-")
    os.environ["XDG_CACHE_HOME"] = folder
    config.stash[_CACHE_FOLDER] = folder


def pytest_unconfigure(config: pytest.Config) -> None:
    folder = config.stash.get(_CACHE_FOLDER, None)
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


_CACHE_FOLDER = pytest.StashKey[str]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens",
        action="store_true",
        help="Rewrite the golden files from what the code prints now (review the diff!).",
    )


@pytest.fixture
def update_goldens(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-goldens"))
