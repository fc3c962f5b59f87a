"""Build the models into a database with real SQLModel: ``create_all`` in a subprocess.

This is the one place where modelsync runs the user's code (``verify --help`` says so):
the child (``build_child``) imports the models file, so a models file that does something
at import time does it there, in a process of its own, never in modelsync's.

Importing SQLAlchemy and SQLModel is most of the cost, so one child serves many builds:
``create_all_many`` builds several models files in ONE child, and a ``BuildWorker`` keeps
its child alive across batches (verify starts it before the server, so the imports overlap
with the server's start, and builds state (c) with it after the migrations).
"""

from __future__ import annotations

import contextlib
import json
import select
import subprocess
import sys
import tempfile
from pathlib import Path

from modelsync.errors import ModelError
from modelsync.records import record
from modelsync.verify.leftovers import die_with_parent

_CHILD = "from modelsync.verify.build_child import main; main()"
# build_child.ERROR_PREFIX, spelled out: the child module is not imported here.
_ERROR_PREFIX = "modelsync-build-error: "
# A models file that hangs at import must not hang verify forever.
TIMEOUT_SECONDS = 300


@record
class BuildJob:
    """Build ``models_file`` into the database at ``libpq_url`` (a libpq URL or keyword/value
    conninfo, as psycopg takes it). ``shown`` is how messages
    name the file; ``import_paths`` are extra folders to import the models' own modules
    from (a file checked out of git into a temporary folder imports its neighbours)."""

    models_file: Path
    libpq_url: str
    shown: str | None = None
    import_paths: tuple[Path, ...] = ()
    # A package's modules, imported by these dotted names with ``import_paths`` first on
    # ``sys.path`` (empty: ``models_file`` is imported on its own, by its path).
    modules: tuple[str, ...] = ()
    # The folder the project's paths are relative to: how a failing module is named.
    base: Path | None = None


class BuildError(ModelError):
    """Building one job failed; ``job`` is its index in the batch given."""

    def __init__(self, message: str, path: str | None, line: int | None, job: int):
        super().__init__(message, path, line)
        self.job = job


def create_all(models_file: Path, libpq_url: str, *, shown: str | None = None) -> None:
    """``CREATE EXTENSION IF NOT EXISTS vector`` and ``SQLModel.metadata.create_all`` of
    the models file on that database. Raises ``ModelError`` with the child's error."""
    create_all_many([BuildJob(Path(models_file), libpq_url, shown)])


def create_all_many(jobs) -> None:
    """Build each job in order, all in one subprocess. A job is a ``BuildJob`` or a
    ``(models_file, libpq_url)`` pair. Stops at the first failure and raises it
    (``BuildError``, a ``ModelError``, with the index of the job that failed)."""
    with BuildWorker() as worker:
        worker.submit(jobs)
        worker.result()


class BuildWorker:
    """A build child that stays alive across batches: ``submit`` a batch, do other work,
    then ``result()`` (None, or raises ``BuildError``). Use it as a context manager: the
    child is always ended, killed if it must be."""

    def __init__(self) -> None:
        # A file, not a pipe: a models file that prints a lot must not block the child.
        self._stderr = tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace")  # noqa: SIM115
        self._pending: tuple[BuildJob, ...] | None = None
        self._process = subprocess.Popen(
            [sys.executable, "-c", _CHILD],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
            encoding="utf-8",
            # On Linux the child (busy importing the user's models, maybe) dies with
            # verify, even when verify is killed with SIGKILL.
            preexec_fn=die_with_parent(),
        )

    def __enter__(self) -> BuildWorker:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def submit(self, jobs) -> None:
        batch = tuple(_job(job) for job in jobs)
        for number, job in enumerate(batch):
            if not job.models_file.is_file():
                raise BuildError("models file not found", _shown(job), None, number)
        self._pending = batch
        if not batch:
            return
        lines = [
            {
                "models": str(job.models_file),
                "url": job.libpq_url,
                "shown": _shown(job),
                "paths": [str(p) for p in job.import_paths],
                "modules": list(job.modules),
                "base": str(job.base) if job.base is not None else None,
            }
            for job in batch
        ]
        try:
            self._process.stdin.write(json.dumps(lines) + "\n")
            self._process.stdin.flush()
        except OSError:
            raise self._died(batch) from None

    def result(self) -> None:
        batch, self._pending = self._pending or (), None
        if not batch:
            return
        stdout = self._process.stdout
        ready, _, _ = select.select([stdout], [], [], TIMEOUT_SECONDS)
        if not ready:
            self._process.kill()
            raise BuildError(
                f"importing and building the models took over {TIMEOUT_SECONDS} s",
                _shown(batch[0]),
                None,
                0,
            )
        line = stdout.readline()
        if line.startswith(_ERROR_PREFIX):
            error = json.loads(line[len(_ERROR_PREFIX) :])
            raise BuildError(
                f"building the models with SQLModel failed: {_hidden(error['message'], batch)}",
                error["path"],
                error["line"],
                error["job"],
            )
        if line.strip() != "ok":
            raise self._died(batch)

    def close(self) -> None:
        """End the child. It holds nothing worth a clean exit (its engines are disposed
        after every job), and tearing down SQLAlchemy would cost it most of a second."""
        process = self._process
        for stream in (process.stdin, process.stdout):
            if stream and not stream.closed:
                with contextlib.suppress(OSError):
                    stream.close()
        if process.poll() is None:
            process.kill()
            process.wait()
        self._stderr.close()

    def _died(self, batch: tuple[BuildJob, ...]) -> BuildError:
        """The child ended without an answer (killed, or SQLModel missing): its last line."""
        self._process.wait()
        self._stderr.seek(0)
        lines = [line.strip() for line in self._stderr.read().splitlines() if line.strip()]
        last = lines[-1] if lines else f"exit status {self._process.returncode}"
        return BuildError(
            f"building the models with SQLModel failed: {last}", _shown(batch[0]), None, 0
        )


def _hidden(message: str, batch: tuple[BuildJob, ...]) -> str:
    """The message without any secret of the batch's connection strings (a driver may
    quote one)."""
    from modelsync.dburl import parse_database_url, redact
    from modelsync.errors import ConfigError

    for job in batch:
        # A string that does not parse is not one the child could have connected with.
        with contextlib.suppress(ConfigError):
            message = redact(message, parse_database_url(job.libpq_url))
    return message


def _job(job) -> BuildJob:
    return job if isinstance(job, BuildJob) else BuildJob(Path(job[0]), job[1])


def _shown(job: BuildJob) -> str:
    return job.shown or str(job.models_file)
