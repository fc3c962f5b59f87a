"""The child process of ``build``: the ONE place where modelsync runs the user's code.

It reads a JSON list of jobs from stdin, each ``{"models": path, "url": libpq URL,
"shown": path as messages show it, "paths": extra import folders}``, and for each one
imports the models file with real SQLModel, runs ``CREATE EXTENSION IF NOT EXISTS vector``
and ``SQLModel.metadata.create_all`` on that database. Between jobs the metadata and the
class registry are emptied, so several versions of the same models build in one process
(importing SQLAlchemy once is most of the cost). On failure it writes one line
``modelsync-build-error: {"job", "path", "line", "message"}`` to stderr and exits 1.

Run as ``python -c "from modelsync.verify.build_child import main; main()"``; nothing of
modelsync is imported here beyond this module, and nothing of this module is imported by
modelsync.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import traceback

ERROR_PREFIX = "modelsync-build-error: "


def main() -> None:
    jobs = json.load(sys.stdin)
    for number, job in enumerate(jobs):
        try:
            build(job, number)
        except BaseException as error:  # noqa: BLE001 - the parent gets every failure as one line
            report(job, number, error)
            sys.exit(1)
        finally:
            sys.stdout.flush()


def build(job: dict, number: int) -> None:
    from sqlalchemy import create_engine, pool
    from sqlmodel import SQLModel

    models = job["models"]
    for folder in reversed([os.path.dirname(os.path.abspath(models)), *job.get("paths", [])]):
        if folder not in sys.path:
            sys.path.insert(0, folder)
    module_name = f"_modelsync_models_{number}"
    spec = importlib.util.spec_from_file_location(module_name, models)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    url = job["url"].replace("postgresql://", "postgresql+psycopg://", 1)
    engine = create_engine(url, poolclass=pool.NullPool)
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS vector")
        SQLModel.metadata.create_all(engine)
    finally:
        engine.dispose()
        forget_models()


def forget_models() -> None:
    """Empty SQLModel's shared metadata and class registry, so that the next job's models
    (often the same classes in another version) define their tables afresh."""
    from sqlmodel import SQLModel
    from sqlmodel.main import default_registry

    SQLModel.metadata.clear()
    default_registry.dispose(cascade=True)
    default_registry._class_registry.clear()  # noqa: SLF001 - no public way to forget names


def report(job: dict, number: int, error: BaseException) -> None:
    """One line for the parent: the error's first line, at the deepest frame of the models
    file (where the user's code raised), if any."""
    models = os.path.abspath(job["models"])
    line = None
    for frame in traceback.extract_tb(error.__traceback__):
        if os.path.abspath(frame.filename) == models:
            line = frame.lineno
    if isinstance(error, SyntaxError) and os.path.abspath(error.filename or "") == models:
        line = error.lineno
    text = str(error).strip().splitlines()
    message = f"{type(error).__name__}: {text[0]}" if text else type(error).__name__
    payload = {
        "job": number,
        "path": job.get("shown") or job["models"],
        "line": line,
        "message": message,
    }
    sys.stderr.write(ERROR_PREFIX + json.dumps(payload) + "\n")
    sys.stderr.flush()
