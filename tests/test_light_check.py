"""The check path stays light: `modelsync check` imports no SQLAlchemy, SQLModel, jinja2,
libcst, pydantic or database driver, on a plain mirror and on one with a generated region
(only `check --database-url` loads psycopg).

Read from ``python -X importtime``, which lists every module the process imported.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import EXAMPLE, run_cli

HEAVY = ("sqlalchemy", "sqlmodel", "jinja2", "libcst", "pydantic", "psycopg", "psycopg_binary")


def imported_modules(*args: str | Path) -> set[str]:
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "modelsync", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    names = set()
    for line in proc.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip())
    assert "modelsync.cli" in names  # the listing is real
    return names


def heavy_in(names: set[str]) -> list[str]:
    return sorted(n for n in names if n.split(".")[0] in HEAVY)


def test_check_imports_nothing_heavy_on_a_hand_written_mirror() -> None:
    assert heavy_in(imported_modules("check", "--root", EXAMPLE)) == []


def test_check_imports_nothing_heavy_on_a_generated_region(tmp_path: Path) -> None:
    root = tmp_path / "project"
    shutil.copytree(EXAMPLE, root)
    (root / "ai-worker" / "db.py").unlink()
    assert run_cli("generate", "--root", root).returncode == 0
    names = imported_modules("check", "--root", root)
    assert "modelsync.mirror.state" in names  # the region machinery did run
    assert heavy_in(names) == []


def test_the_guard_sees_heavy_imports(tmp_path: Path) -> None:
    # The same reading does see them where they are loaded: generate renders with jinja2.
    root = tmp_path / "project"
    shutil.copytree(EXAMPLE, root)
    (root / "ai-worker" / "db.py").unlink()
    assert "jinja2" in heavy_in(imported_modules("generate", "--root", root))
