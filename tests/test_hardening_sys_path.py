"""Hardening, class 5: ``python -m modelsync`` from a project directory behaves like the
console script (issue 10): the project's own modules and dist-info folders are not
imported or read. Real subprocesses, run in the project directory, as a hook runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.hardening.harness import Case, build, run_subprocess, snapshot

# Modules the command imports (directly or through click, jinja2, libcst, ...): a
# same-named file in the project would run in their place.
SHADOWS = (
    "json",
    "click",
    "tomllib",
    "re",
    "ast",
    "dataclasses",
    "typing_extensions",
    "jinja2",
    "markupsafe",
    "libcst",
    "difflib",
    "hashlib",
    "tempfile",
    "modelsync_plugins",
)


def _payload(canary: Path) -> str:
    return f"open({str(canary)!r}, 'w').write('ran')\nraise SystemExit(99)\n"


@pytest.mark.timeout(60)
@pytest.mark.parametrize("command", ["check", "generate"])
def test_project_modules_are_not_imported(tmp_path: Path, command: str) -> None:
    project = build(tmp_path, Case("shadow", (command,), 0))
    canary = tmp_path / "canary"
    for name in SHADOWS:
        (project / f"{name}.py").write_text(_payload(canary))
    (project / "sqlmodel").mkdir()
    (project / "sqlmodel" / "__init__.py").write_text(_payload(canary))
    before = snapshot(tmp_path)
    outcome = run_subprocess(project, (command, "--format", "json"), cwd=project)
    assert not canary.exists(), "a module of the project ran"
    assert outcome.code == 0, outcome.stderr
    assert "internal error" not in outcome.stderr
    assert snapshot(tmp_path) == before


@pytest.mark.timeout(60)
def test_a_dist_info_folder_in_the_project_does_not_choose_the_rules(tmp_path: Path) -> None:
    """A fake ``sqlmodel-0.0.1.dist-info`` would switch off ``max_length`` (0.0.19) and
    aware datetimes (0.0.45); the installed SQLModel's rules must still apply."""
    project = build(tmp_path, Case("dist-info", ("schema",), 0, target="none"))
    fake = project / "sqlmodel-0.0.1.dist-info"
    fake.mkdir()
    (fake / "METADATA").write_text("Metadata-Version: 2.1\nName: sqlmodel\nVersion: 0.0.1\n")
    outcome = run_subprocess(
        project, ("schema", "backend-core/models.py", "--format", "json"), cwd=project
    )
    assert outcome.code == 0, outcome.stderr
    document = json.loads(outcome.stdout)
    (users,) = document["tables"]
    name = next(c for c in users["columns"] if c["name"] == "name")
    assert name["type"] == "VARCHAR(50)"  # the installed release honours max_length


@pytest.mark.timeout(60)
@pytest.mark.parametrize("command", ["check", "schema"])
def test_dash_m_prints_what_the_console_script_prints(tmp_path: Path, command: str) -> None:
    import shutil
    import subprocess
    import sys

    project = build(tmp_path, Case("same", (command,), 0, target="hand"))
    for name in SHADOWS:
        (project / f"{name}.py").write_text(_payload(tmp_path / "canary"))
    args = [command, *(["backend-core/models.py"] if command == "schema" else [])]
    script = shutil.which("modelsync", path=str(Path(sys.executable).parent))
    assert script is not None
    ran = [
        subprocess.run(prefix + args, capture_output=True, text=True, cwd=project, timeout=60)
        for prefix in ([sys.executable, "-m", "modelsync"], [script])
    ]
    assert ran[0].returncode == ran[1].returncode
    assert (ran[0].stdout, ran[0].stderr) == (ran[1].stdout, ran[1].stderr)
    assert not (tmp_path / "canary").exists()


def _loaded_by_dash_m() -> list[str]:
    """The modules the interpreter imports from source files to run ``-m`` (runpy and
    what it needs), before any of modelsync's code: a same-named file in the current
    directory is imported in their place, and nothing modelsync does can prevent it."""
    import subprocess
    import sys

    probe = (
        "import sys\n"
        "before = set(sys.modules)\n"
        "import runpy\n"
        "new = [sys.modules[n] for n in sorted(set(sys.modules) - before) if '.' not in n]\n"
        "print(' '.join(m.__name__ for m in new\n"
        "               if (getattr(m.__spec__, 'origin', '') or '').endswith('.py')))\n"
    )
    done = subprocess.run([sys.executable, "-I", "-c", probe], capture_output=True, text=True)
    return done.stdout.split()


@pytest.mark.timeout(120)
def test_what_dash_m_cannot_protect_and_the_console_script_does(tmp_path: Path) -> None:
    """What docs/configuration.md says of ``python -m modelsync``, exactly: the
    interpreter itself imports ``collections`` (and the few other modules of
    ``_loaded_by_dash_m``) from the current directory before modelsync's first line runs;
    the console script imports none of them, and either way the modules modelsync itself
    imports (SHADOWS) are safe."""
    import shutil
    import subprocess
    import sys

    shadowed = _loaded_by_dash_m()
    assert "collections" in shadowed, shadowed
    project = build(tmp_path, Case("dash-m", ("check",), 0))
    script = shutil.which("modelsync", path=str(Path(sys.executable).parent))
    assert script is not None
    for name in shadowed:
        canary = tmp_path / f"canary-{name}"
        module = project / f"{name}.py"
        module.write_text(_payload(canary))
        dash_m = subprocess.run(
            [sys.executable, "-m", "modelsync", "check"], capture_output=True, cwd=project
        )
        assert canary.exists() and dash_m.returncode == 99, name  # the project's file ran
        canary.unlink()
        console = subprocess.run([script, "check"], capture_output=True, text=True, cwd=project)
        assert not canary.exists() and console.returncode == 0, (name, console.stderr)
        module.unlink()
