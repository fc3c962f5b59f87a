"""The child process of ``build``: the ONE place where modelsync runs the user's code.

It imports SQLAlchemy and SQLModel at once (while the parent starts a server), then reads
batches of jobs from stdin, one JSON list per line, each job ``{"models": path, "url":
libpq conninfo or URL, "shown": path as messages show it, "paths": extra import folders,
"modules": dotted names}``. For each job it imports the models with real SQLModel (the file
by its path, or, when ``modules`` is given, those modules by name), runs
``CREATE EXTENSION IF NOT EXISTS vector`` and ``SQLModel.metadata.create_all`` on that
database. Between jobs the metadata and the class registry are emptied, so several versions
of the same models build in one process (importing SQLAlchemy once is most of the cost).

After each batch it writes one line on its protocol channel (the original stdout): ``ok``,
or ``modelsync-build-error: {"job", "path", "line", "message"}`` for the first job that
failed (the rest of that batch is skipped). Whatever the user's code prints goes to stderr.

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
_built = 0


def main() -> None:
    protocol = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # the user's prints must not reach the protocol channel
    sys.stdout = sys.stderr
    preload()
    for line in sys.stdin:
        if line.strip():
            protocol.write(run_batch(json.loads(line)) + "\n")
            protocol.flush()


def preload() -> None:
    """What every models file imports; loading it now overlaps with the server's start."""
    import sqlalchemy  # noqa: F401
    import sqlmodel  # noqa: F401

    try:
        import pgvector.sqlalchemy  # noqa: F401
        import psycopg  # noqa: F401
    except ImportError:
        pass


def run_batch(jobs: list[dict]) -> str:
    global _built
    for number, job in enumerate(jobs):
        _built += 1
        try:
            build(job, _built)
        except BaseException as error:  # noqa: BLE001 - the parent gets every failure as one line
            return error_line(job, number, error)
    return "ok"


def build(job: dict, serial: int) -> None:
    from sqlmodel import SQLModel

    models = job["models"]
    modules = job.get("modules") or []
    paths = job.get("paths", [])
    folders = paths if modules else [os.path.dirname(os.path.abspath(models)), *paths]
    for folder in reversed(folders):
        if folder in sys.path:
            sys.path.remove(folder)
        sys.path.insert(0, folder)
    module_name = f"_modelsync_models_{serial}"
    try:
        if modules:
            # A package: imported by its modules' names, as the app imports it.
            before = set(sys.modules)
            try:
                for name in modules:
                    importlib.import_module(name)
            finally:
                forget_modules(set(sys.modules) - before, paths)
        else:
            spec = importlib.util.spec_from_file_location(module_name, models)
            module = importlib.util.module_from_spec(spec)
            sys.modules[module_name] = module
            spec.loader.exec_module(module)
        engine = engine_for(job["url"])
        try:
            with engine.begin() as connection:
                connection.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS vector")
            SQLModel.metadata.create_all(engine)
        finally:
            engine.dispose()
    finally:
        forget_models()


def forget_modules(names: set[str], folders: list[str]) -> None:
    """Forget the project's modules a job imported, so that the next job (another version
    of the same package) runs them afresh; installed libraries stay (a virtual environment
    inside the project is no module of it)."""
    roots = [os.path.abspath(f) + os.sep for f in folders]
    installed = {os.path.abspath(p) + os.sep for p in (sys.prefix, sys.base_prefix)}
    for name in names:
        file = os.path.abspath(getattr(sys.modules.get(name), "__file__", None) or "")
        ours = any(file.startswith(root) for root in roots)
        if ours and not any(file.startswith(prefix) for prefix in installed):
            sys.modules.pop(name, None)


def engine_for(conninfo: str):
    """An engine on one connection string as psycopg reads it (a URL or libpq's
    keyword/value form, which SQLAlchemy's URLs cannot hold), opening a connection per
    use (nothing pooled survives the job)."""
    import psycopg
    from sqlalchemy import create_engine, pool

    return create_engine(
        "postgresql+psycopg://",
        creator=lambda: psycopg.connect(conninfo),
        poolclass=pool.NullPool,
    )


def forget_models() -> None:
    """Empty SQLModel's shared metadata and class registry, so that the next job's models
    (often the same classes in another version) define their tables afresh."""
    from sqlmodel import SQLModel
    from sqlmodel.main import default_registry

    SQLModel.metadata.clear()
    # Each enum type (a SQLAlchemy SchemaType) also hangs create/drop listeners on the
    # metadata; clear() leaves them, and the next create_all would create the previous
    # job's enum types too, with their old labels. There is no public way to remove them.
    SQLModel.metadata.dispatch._clear()  # noqa: SLF001
    default_registry.dispose(cascade=True)
    default_registry._class_registry.clear()  # noqa: SLF001 - no public way to forget names


def _project_frame(job: dict, error: BaseException):
    """(path relative to the project, line) of the deepest frame in the package."""
    roots = [os.path.abspath(p) + os.sep for p in job.get("paths", [])]
    base = os.path.abspath(job.get("base") or os.getcwd())
    found = None
    frames = [(f.filename, f.lineno) for f in traceback.extract_tb(error.__traceback__)]
    if isinstance(error, SyntaxError) and error.filename:
        frames.append((error.filename, error.lineno))
    for filename, lineno in frames:
        absolute = os.path.abspath(filename)
        if any(absolute.startswith(root) for root in roots):
            found = (os.path.relpath(absolute, base).replace(os.sep, "/"), lineno)
    return found


def error_line(job: dict, number: int, error: BaseException) -> str:
    """One line for the parent: the error's first line, at the deepest frame of the models
    file (where the user's code raised), if any."""
    models = os.path.abspath(job["models"])
    line = None
    shown = job.get("shown") or job["models"]
    if job.get("modules"):
        # A package: the deepest frame in one of its modules, named from the project.
        where = _project_frame(job, error)
        if where is not None:
            shown, line = where
    else:
        for frame in traceback.extract_tb(error.__traceback__):
            if os.path.abspath(frame.filename) == models:
                line = frame.lineno
        if isinstance(error, SyntaxError) and os.path.abspath(error.filename or "") == models:
            line = error.lineno
    text = str(error).strip().splitlines()
    message = f"{type(error).__name__}: {text[0]}" if text else type(error).__name__
    traceback.print_exception(error, file=sys.stderr)
    payload = {
        "job": number,
        "path": shown,
        "line": line,
        "message": message,
    }
    return ERROR_PREFIX + json.dumps(payload)
