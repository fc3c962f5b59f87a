"""Hardening, class 2: ``kill -9`` during ``generate`` leaves the old file or the new one,
and never a temporary file (issue 10). Real processes, killed at spread-out moments."""

from __future__ import annotations

import ast
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

HEAD = "from typing import Optional\nfrom sqlmodel import Field, SQLModel\n\n\n"


def _models(count: int, extra: str = "") -> str:
    return HEAD + "".join(
        f"class T{i}(SQLModel, table=True):\n"
        f"    id: Optional[int] = Field(default=None, primary_key=True)\n"
        f"    name: str = Field(max_length=50){extra}\n\n\n"
        for i in range(count)
    )


@pytest.mark.timeout(90)
def test_kill_9_mid_generate_leaves_no_temporary_file(tmp_path: Path) -> None:
    (tmp_path / "backend-core").mkdir()
    (tmp_path / "ai-worker").mkdir()
    source = tmp_path / "backend-core" / "models.py"
    target = tmp_path / "ai-worker" / "db.py"
    command = [sys.executable, "-m", "modelsync", "generate", "--root", str(tmp_path)]
    source.write_text(_models(80))
    subprocess.run(command, check=True, capture_output=True, timeout=60)
    started = time.monotonic()
    subprocess.run(command, capture_output=True, timeout=60)  # up to date: how long a run is
    run_time = time.monotonic() - started
    for step, fraction in enumerate((0.6, 0.9, 1.05)):
        before = target.read_text()
        source.write_text(_models(80, extra=f"  # revision {step}"))
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(run_time * fraction)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        leftovers = [p.name for p in target.parent.iterdir() if p.name != "db.py"]
        assert leftovers == [], f"left behind after kill -9 at {fraction:.0%}: {leftovers}"
        after = target.read_text()
        assert after == before or f"# revision {step}" in after
        ast.parse(after)  # whole, either way
