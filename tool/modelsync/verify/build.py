"""Build the models into a database with real SQLModel: ``create_all`` in a subprocess.

This is the one place where modelsync runs the user's code (``verify --help`` says so):
the child (``build_child``) imports the models file, so a models file that does something
at import time does it there, in a process of its own, never in modelsync's.
``create_all_many`` builds several models files in ONE child: importing SQLAlchemy and
SQLModel is most of the cost, and verify (and the migration round-trip tests) build
several versions at once.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from modelsync.errors import ModelError

_CHILD = "from modelsync.verify.build_child import main; main()"
# build_child.ERROR_PREFIX, spelled out: the child module is not imported here.
_ERROR_PREFIX = "modelsync-build-error: "
# A models file that hangs at import must not hang verify forever.
TIMEOUT_SECONDS = 300


@dataclass(frozen=True, slots=True)
class BuildJob:
    """Build ``models_file`` into the database at ``libpq_url``. ``shown`` is how messages
    name the file; ``import_paths`` are extra folders to import the models' own modules
    from (a file checked out of git into a temporary folder imports its neighbours)."""

    models_file: Path
    libpq_url: str
    shown: str | None = None
    import_paths: tuple[Path, ...] = ()


def create_all(models_file: Path, libpq_url: str, *, shown: str | None = None) -> None:
    """``CREATE EXTENSION IF NOT EXISTS vector`` and ``SQLModel.metadata.create_all`` of
    the models file on that database. Raises ``ModelError`` with the child's error."""
    create_all_many([BuildJob(Path(models_file), libpq_url, shown)])


def create_all_many(jobs) -> None:
    """Build each job in order, all in one subprocess. A job is a ``BuildJob`` or a
    ``(models_file, libpq_url)`` pair. Stops at the first failure and raises it."""
    jobs = [job if isinstance(job, BuildJob) else BuildJob(Path(job[0]), job[1]) for job in jobs]
    if not jobs:
        return
    for job in jobs:
        if not job.models_file.is_file():
            raise ModelError("models file not found", job.shown or str(job.models_file))
    payload = json.dumps(
        [
            {
                "models": str(job.models_file),
                "url": job.libpq_url,
                "shown": job.shown or str(job.models_file),
                "paths": [str(p) for p in job.import_paths],
            }
            for job in jobs
        ]
    )
    try:
        done = subprocess.run(
            [sys.executable, "-c", _CHILD],
            input=payload,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
        )
    except subprocess.TimeoutExpired:
        shown = jobs[0].shown or str(jobs[0].models_file)
        raise ModelError(
            f"importing and building the models took over {TIMEOUT_SECONDS} s", shown
        ) from None
    if done.returncode != 0:
        raise _child_error(done, jobs[0])


def _child_error(done: subprocess.CompletedProcess, first: BuildJob) -> ModelError:
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    for line in reversed(lines):
        if line.startswith(_ERROR_PREFIX):
            error = json.loads(line[len(_ERROR_PREFIX) :])
            return ModelError(
                f"building the models with SQLModel failed: {error['message']}",
                error["path"],
                error["line"],
            )
    last = lines[-1] if lines else f"exit status {done.returncode}"
    return ModelError(
        f"building the models with SQLModel failed: {last}", first.shown or str(first.models_file)
    )
