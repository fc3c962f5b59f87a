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
import tempfile
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


class BuildError(ModelError):
    """Building one job failed; ``job`` is its index in the list given."""

    def __init__(self, message: str, path: str | None, line: int | None, job: int):
        super().__init__(message, path, line)
        self.job = job


def create_all_many(jobs) -> None:
    """Build each job in order, all in one subprocess. A job is a ``BuildJob`` or a
    ``(models_file, libpq_url)`` pair. Stops at the first failure and raises it
    (``BuildError``, a ``ModelError``, with the index of the job that failed)."""
    start_create_all_many(jobs).wait()


def start_create_all_many(jobs) -> RunningBuild:
    """``create_all_many`` in the background: the child runs while the caller applies SQL
    to other databases; ``wait()`` collects it (and raises as ``create_all_many`` does)."""
    jobs = tuple(
        job if isinstance(job, BuildJob) else BuildJob(Path(job[0]), job[1]) for job in jobs
    )
    for number, job in enumerate(jobs):
        if not job.models_file.is_file():
            raise BuildError("models file not found", _shown(job), None, number)
    if not jobs:
        return RunningBuild(jobs, None)
    payload = json.dumps(
        [
            {
                "models": str(job.models_file),
                "url": job.libpq_url,
                "shown": _shown(job),
                "paths": [str(p) for p in job.import_paths],
            }
            for job in jobs
        ]
    )
    # The jobs go in through a file, so the child can read them while nobody writes.
    with tempfile.TemporaryFile("w+", encoding="utf-8") as jobs_file:
        jobs_file.write(payload)
        jobs_file.seek(0)
        process = subprocess.Popen(
            [sys.executable, "-c", _CHILD],
            stdin=jobs_file,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
    return RunningBuild(jobs, process)


class RunningBuild:
    """A build child in progress. ``wait()`` or ``kill()`` it; verify always does one."""

    def __init__(self, jobs: tuple[BuildJob, ...], process: subprocess.Popen | None):
        self.jobs = jobs
        self.process = process

    def wait(self) -> None:
        if self.process is None:
            return
        try:
            stdout, stderr = self.process.communicate(timeout=TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            self.kill()
            raise BuildError(
                f"importing and building the models took over {TIMEOUT_SECONDS} s",
                _shown(self.jobs[0]),
                None,
                0,
            ) from None
        except BaseException:
            self.kill()
            raise
        if self.process.returncode != 0:
            raise _child_error(stderr, self.process.returncode, self.jobs)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def _shown(job: BuildJob) -> str:
    return job.shown or str(job.models_file)


def _child_error(stderr: str, returncode: int, jobs: tuple[BuildJob, ...]) -> BuildError:
    lines = [line for line in stderr.splitlines() if line.strip()]
    for line in reversed(lines):
        if line.startswith(_ERROR_PREFIX):
            error = json.loads(line[len(_ERROR_PREFIX) :])
            return BuildError(
                f"building the models with SQLModel failed: {error['message']}",
                error["path"],
                error["line"],
                error["job"],
            )
    last = lines[-1] if lines else f"exit status {returncode}"
    return BuildError(f"building the models with SQLModel failed: {last}", _shown(jobs[0]), None, 0)
