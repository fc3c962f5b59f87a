"""`modelsync generate` output really works: imported by real SQLModel, it is the source's schema.

For the example project and for every corpus file, a project is made in a temporary folder with
the file as ``backend-core/models.py`` and no ``ai-worker/db.py``; ``modelsync generate`` creates
the mirror. Then:

- the generated file is imported with real SQLModel by the oracle (engine created at import time
  from the default ``DATABASE_URL``) and its tables equal the oracle's tables for the source,
  under the normalization of ``test_differential``;
- ``modelsync check`` finds the pair in sync;
- a second ``generate`` prints "up to date" and leaves the file byte for byte as it was;
- the generated file passes ``ruff format --isolated --check`` when its source does.

All CLI runs happen once per session, in parallel, and the oracle sees every file in one call.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EXAMPLE, run_cli
from tests.oracle import sqlmodel_schemas
from tests.test_differential import CORPUS, differences, normalize

SOURCE = Path("backend-core") / "models.py"
TARGET = Path("ai-worker") / "db.py"
EXAMPLE_ID = "example"
CORPUS_BY_ID = {path.stem: path for path in CORPUS}
PROJECT_IDS = [EXAMPLE_ID, *CORPUS_BY_ID]
# The generated engine reads these at import time; the oracle must see the defaults.
ENGINE_ENV = ("DATABASE_URL", "DB_POOL_SIZE", "DB_MAX_OVERFLOW", "DB_POOL_RECYCLE")


def ruff_formatted(path: Path) -> bool:
    proc = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--isolated", "--check", "--quiet", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode in (0, 1), f"ruff format failed on {path}:\n{proc.stderr}"
    return proc.returncode == 0


def ruff_format(path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--isolated", "--quiet", str(path)],
        check=True,
    )


@dataclass
class Outcome:
    """Everything the tests assert on for one project."""

    root: Path
    first: subprocess.CompletedProcess[str]
    generated: bytes | None = None  # the target after the first generate
    snapshot: Path | None = None  # a copy of it, outside the project, for the oracle
    second: subprocess.CompletedProcess[str] | None = None
    regenerated: bytes | None = None  # the target after the second generate
    check: subprocess.CompletedProcess[str] | None = None
    source_formatted: bool = False
    generated_formatted: bool = False
    source_oracle: dict[str, Any] | None = None
    generated_oracle: dict[str, Any] | None = None

    @property
    def source(self) -> Path:
        return self.root / SOURCE

    @property
    def target(self) -> Path:
        return self.root / TARGET


def make_project(base: Path, project_id: str) -> Path:
    root = base / project_id
    if project_id == EXAMPLE_ID:
        shutil.copytree(EXAMPLE, root)
        (root / TARGET).unlink()
        ruff_format(root / SOURCE)  # so that the formatting assertion applies to the example
    else:
        (root / SOURCE).parent.mkdir(parents=True)
        shutil.copyfile(CORPUS_BY_ID[project_id], root / SOURCE)
    assert not (root / TARGET).exists()
    return root


def first_generate(base: Path, project_id: str) -> Outcome:
    root = make_project(base / "projects", project_id)
    outcome = Outcome(root=root, first=run_cli("generate", "--root", root))
    outcome.source_formatted = ruff_formatted(outcome.source)
    if outcome.first.returncode == 0 and outcome.target.is_file():
        outcome.generated = outcome.target.read_bytes()
        outcome.snapshot = base / "snapshots" / f"{project_id}.py"
        outcome.snapshot.write_bytes(outcome.generated)
        outcome.generated_formatted = ruff_formatted(outcome.target)
    return outcome


def second_generate_and_check(outcome: Outcome) -> None:
    if outcome.generated is None:
        return
    outcome.second = run_cli("generate", "--root", outcome.root)
    outcome.regenerated = outcome.target.read_bytes() if outcome.target.is_file() else None
    outcome.check = run_cli("check", "--root", outcome.root)


@pytest.fixture(scope="session")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Outcome]]:
    base = tmp_path_factory.mktemp("generate_differential")
    (base / "projects").mkdir()
    (base / "snapshots").mkdir()
    workers = min(8, max(2, len(os.sched_getaffinity(0))))
    with pytest.MonkeyPatch.context() as env, ThreadPoolExecutor(workers) as pool:
        for name in ENGINE_ENV:
            env.delenv(name, raising=False)
        firsts = pool.map(lambda project_id: first_generate(base, project_id), PROJECT_IDS)
        results = dict(zip(PROJECT_IDS, firsts, strict=True))
        # The oracle imports the first-generate snapshots while the second runs go on.
        paths = [o.source for o in results.values()]
        paths += [o.snapshot for o in results.values() if o.snapshot is not None]
        with ThreadPoolExecutor(1) as oracle_thread:
            oracle = oracle_thread.submit(sqlmodel_schemas, paths)
            list(pool.map(second_generate_and_check, results.values()))
            schemas = oracle.result()
    for outcome in results.values():
        outcome.source_oracle = schemas[str(outcome.source)]
        if outcome.snapshot is not None:
            outcome.generated_oracle = schemas[str(outcome.snapshot)]
    yield results


def generated(outcome: Outcome) -> bytes:
    """The first generate's output; fails the test when there is none."""
    first = outcome.first
    assert first.returncode == 0, f"generate exited {first.returncode}:\n{first.stderr}"
    assert outcome.generated is not None, f"generate wrote no {TARGET}:\n{first.stdout}"
    return outcome.generated


@pytest.mark.parametrize("project_id", PROJECT_IDS)
def test_generate_creates_the_target(project_id: str, outcomes: dict[str, Outcome]) -> None:
    outcome = outcomes[project_id]
    generated(outcome)
    assert outcome.first.stdout.startswith(f"{TARGET.as_posix()}: created"), outcome.first.stdout


@pytest.mark.parametrize("project_id", PROJECT_IDS)
def test_generated_file_has_the_source_schema(
    project_id: str, outcomes: dict[str, Outcome]
) -> None:
    outcome = outcomes[project_id]
    expected = outcome.source_oracle
    assert expected is not None
    if "error" in expected:
        # Only corpus files SQLModel itself can import take part; the example must.
        assert project_id != EXAMPLE_ID, expected["error"]
        pytest.skip(f"SQLModel cannot import the source: {expected['error']}")
    generated(outcome)
    actual = outcome.generated_oracle
    assert actual is not None
    assert "error" not in actual, f"generated {TARGET} fails to import: {actual['error']}"
    assert actual["schema"]["tables"], "generated file defines no tables"
    diffs = differences(normalize(expected["schema"]), normalize(actual["schema"]))
    assert not diffs, f"generated {TARGET} differs from the source:\n" + "\n".join(
        d.replace("(modelsync)", "(generated)") for d in diffs
    )


@pytest.mark.parametrize("project_id", PROJECT_IDS)
def test_check_finds_generated_file_in_sync(project_id: str, outcomes: dict[str, Outcome]) -> None:
    outcome = outcomes[project_id]
    generated(outcome)
    check = outcome.check
    assert check is not None
    assert check.returncode == 0, f"check exited {check.returncode}:\n{check.stdout}{check.stderr}"


@pytest.mark.parametrize("project_id", PROJECT_IDS)
def test_second_generate_changes_nothing(project_id: str, outcomes: dict[str, Outcome]) -> None:
    outcome = outcomes[project_id]
    first = generated(outcome)
    second = outcome.second
    assert second is not None
    assert second.returncode == 0, f"generate exited {second.returncode}:\n{second.stderr}"
    assert "up to date" in second.stdout, second.stdout
    assert outcome.regenerated == first


def test_generated_files_are_ruff_formatted_when_sources_are(
    outcomes: dict[str, Outcome],
) -> None:
    formatted_sources = [i for i, o in outcomes.items() if o.source_formatted]
    assert EXAMPLE_ID in formatted_sources  # the assertion below is never vacuous
    unformatted = [
        f"{i} ({outcomes[i].target})"
        for i in formatted_sources
        if outcomes[i].generated is not None and not outcomes[i].generated_formatted
    ]
    assert not unformatted, "ruff format --isolated would reformat: " + ", ".join(unformatted)
