"""Differential-test oracle: the schema real SQLModel creates for a model file or package.

The oracle runs in a subprocess so that importing user models (and SQLModel's global
metadata) never leaks into the test process.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

SCRIPT = Path(__file__).with_name("sqlmodel_schema.py")


def sqlmodel_schemas(paths: Iterable[str | Path]) -> dict[str, dict[str, Any]]:
    """Map each path (as given, str) to ``{"schema": ...}`` or ``{"error": ...}``.

    All files are handled by one subprocess run; each is imported in isolation there.
    """
    args = [str(p) for p in paths]
    if not args:
        return {}
    return _run(args)


def sqlmodel_package_schemas(packages: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Map each label to ``{"schema": ...}`` or ``{"error": ...}`` for packages given as
    ``{label: {"root": DIR, "sys_path": [DIR, ...], "modules": [DOTTED, ...]}}``.

    All packages are handled by one subprocess run; each is imported in isolation there
    (its own ``sys.path`` and ``sys.modules``), every module by its dotted name. Each table
    also names the file its class is defined in, relative to ``root`` (``"path"``).
    """
    if not packages:
        return {}
    return _run(["--packages"], json.dumps(packages))


def _run(args: list[str], stdin: str | None = None) -> dict[str, dict[str, Any]]:
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"oracle failed with exit code {proc.returncode}:\n{proc.stderr}")
    return json.loads(proc.stdout)
