"""The wheel carries the templates inside the package, and an installed wheel finds them."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from modelsync.mirror.templates import TEMPLATE_NAMES, bundled_templates_dir
from tests.conftest import REPO


def test_wheel_ships_every_template(tmp_path: Path) -> None:
    built = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(tmp_path), str(REPO)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-2000:]
    (wheel,) = tmp_path.glob("modelsync-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for template in TEMPLATE_NAMES:
        assert f"modelsync/templates/{template}" in names
    for module in (
        "cli/__init__.py",
        "schema/ir.py",
        "drift/compare.py",
        "mirror/render.py",
        "findings/sarif.py",
    ):
        assert f"modelsync/{module}" in names
    entry_points = zipfile.ZipFile(wheel).read(
        next(n for n in names if n.endswith("entry_points.txt"))
    )
    assert b"modelsync = modelsync.__main__:run" in entry_points


def test_editable_install_resolves_the_repository_templates() -> None:
    assert bundled_templates_dir() == REPO / "templates"
    assert sorted(p.name for p in (REPO / "templates").glob("*.j2")) == sorted(TEMPLATE_NAMES)
