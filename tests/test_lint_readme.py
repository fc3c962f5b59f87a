"""The README's GitHub Actions snippet works as pasted: its modelsync steps run on the
example as written (through a shell, redirect included) and the SARIF they write is what
the upload step uploads, valid SARIF 2.1.0."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from tests.conftest import EXAMPLE
from tests.test_lint_cli import SARIF_SCHEMA
from tests.test_precommit import SNIPPET_REPO, readme_block


def workflow() -> dict:
    return yaml.safe_load(readme_block("In GitHub Actions"))


def test_the_workflow_uploads_what_lint_writes() -> None:
    (job,) = workflow()["jobs"].values()
    assert job["permissions"]["security-events"] == "write"
    steps = job["steps"]
    upload = next(
        s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif")
    )
    assert upload["if"] == "always()"
    sarif_step = next(s for s in steps if "--format sarif" in s.get("run", ""))
    assert sarif_step["run"].endswith(f"> {upload['with']['sarif_file']}")
    install = next(s["run"] for s in steps if s.get("run", "").startswith("pip install"))
    assert SNIPPET_REPO in install  # the same place as the pre-commit snippet


def test_the_workflow_steps_run_on_the_example(tmp_path: Path) -> None:
    root = tmp_path / "interview"
    shutil.copytree(EXAMPLE, root)
    (job,) = workflow()["jobs"].values()
    commands = [s["run"] for s in job["steps"] if s.get("run", "").startswith("modelsync ")]
    assert len(commands) == 2
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    for command in commands:
        result = subprocess.run(
            ["bash", "-c", command], cwd=root, env=env, capture_output=True, text=True
        )
        assert result.returncode == 0, (command, result.stdout, result.stderr)
    upload = next(s for s in job["steps"] if "upload-sarif" in s.get("uses", ""))
    document = json.loads((root / upload["with"]["sarif_file"]).read_text())
    if SARIF_SCHEMA.exists():
        import jsonschema

        jsonschema.validate(document, json.loads(SARIF_SCHEMA.read_text()))
    assert document["runs"][0]["results"] == []
