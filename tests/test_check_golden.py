"""``check``'s text, JSON and GitHub output, pinned byte for byte on small projects.

Each folder of ``tests/golden/check`` is a project; its ``expected/`` holds what ``check``
printed for it in each format (stdout and stderr) and the exit code. The files were first
written before the findings model replaced check's own drift printers, so they prove that
the change kept check's contract. Refresh them only with ``pytest --update-goldens``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_cli

GOLDEN = Path(__file__).parent / "golden" / "check"
CASES = sorted(p.name for p in GOLDEN.iterdir() if (p / "backend-core").is_dir())
FORMATS = ("text", "json", "github")


def test_there_are_golden_projects() -> None:
    assert {"clean", "drifted", "stale", "warnings", "adoption"} <= set(CASES)


@pytest.mark.parametrize("output_format", FORMATS)
@pytest.mark.parametrize("case", CASES)
def test_check_output_is_unchanged(case: str, output_format: str, update_goldens: bool) -> None:
    root = GOLDEN / case
    proc = run_cli("check", "--root", root, "--format", output_format)
    assert "internal error" not in proc.stderr
    printed = f"exit {proc.returncode}\n--- stdout\n{proc.stdout}--- stderr\n{proc.stderr}"
    expected = root / "expected" / f"{output_format}.txt"
    if update_goldens:
        expected.parent.mkdir(exist_ok=True)
        expected.write_text(printed, encoding="utf-8")
    assert printed == expected.read_text(encoding="utf-8")
