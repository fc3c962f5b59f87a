"""The three states the standard allows a database to be in, built for real.

- (a) the baseline (the schema state's baseline SQL, or ``create_all`` of the models at
  ``--baseline-ref``; an empty database when there is neither) + every migration after it;
- (b) the same baseline, then ``create_all(current)`` (the new app started first), then
  the migrations after the baseline;
- (c) an empty database + every migration + ``create_all(current)`` (a fresh volume).

Each result is compared with ``create_all(current)`` on a database of its own. A state
whose migration (or baseline) fails stops there and is not compared: the failure is its
finding. State (a) also shows which files change nothing: its catalog is read after every
file. Without a baseline, state (a) is state (c) before its ``create_all``, so it is read
there instead of being built twice.

To keep the run short, the SQLModel builds (one child process, ``BuildWorker``) run while
SQL is applied to the other databases: one batch before state (c)'s migrations, one after.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from modelsync.migrate.folder import MigrationFile, Statement
from modelsync.records import record
from modelsync.verify.apply import DEFAULT_TIMEOUT, ApplyFailure, Session, apply_statements
from modelsync.verify.build import BuildError, BuildJob, BuildWorker
from modelsync.verify.catalog import Catalog, CatalogDifference, catalog_differences, read_catalog

STATES = ("a", "b", "c")
STATE_TITLES = {
    "a": "(a) baseline + migrations",
    "b": "(b) create_all, then migrations",
    "c": "(c) empty database + migrations + create_all",
}
# The databases verify may need on the server, by role (``databases_for`` says which).
DATABASES = ("expected", "a", "b", "c")


@record
class Migration:
    file: MigrationFile
    statements: tuple[Statement, ...]


@record
class Baseline:
    """The database a team already had. Either ``sql`` (from the schema state) or
    ``models`` (a models file from ``--baseline-ref``). ``includes`` is how many of the
    plan's migrations it already contains (they are not applied on top of it)."""

    shown: str
    includes: int
    sql: tuple[Statement, ...] | None = None
    models: BuildJob | None = None


@record
class Plan:
    models: Path
    models_shown: str
    migrations: tuple[Migration, ...]
    baseline: Baseline | None = None
    import_paths: tuple[Path, ...] = ()


@record
class StateResult:
    state: str
    differences: tuple[CatalogDifference, ...] = ()
    # What stopped the state: a statement PostgreSQL refused, or create_all failing.
    failure: ApplyFailure | None = None


@record
class Outcome:
    results: tuple[StateResult, ...]
    # Files after which state (a)'s schema was unchanged.
    unchanged: tuple[MigrationFile, ...]
    expected: Catalog


def databases_for(plan: Plan) -> tuple[str, ...]:
    """The roles of the databases ``run_states`` uses: without a baseline, state (a) is
    read from state (c)'s database before its create_all."""
    return DATABASES if plan.baseline is not None else ("expected", "b", "c")


def run_states(
    plan: Plan,
    scratch,
    worker: BuildWorker | None = None,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    owner_statements: frozenset[Statement] = frozenset(),
) -> Outcome:
    """Build the three states on the databases of ``scratch`` (a ``scratch.Scratch``: by
    role, ``databases_for``). ``worker`` is a build child started earlier (verify starts
    it before the server); ``timeout`` bounds each statement; ``owner_statements`` run as
    the URL's own role (``apply.Session``)."""
    connections = {}
    with contextlib.ExitStack() as stack:
        if worker is None:
            worker = stack.enter_context(BuildWorker())
        try:
            for role in databases_for(plan):
                connections[role] = Session(
                    scratch.session(role),
                    scratch.owner(role),
                    timeout=timeout,
                    owner_statements=owner_statements,
                )
            urls = {role: scratch.session(role) for role in connections}
            return _run(plan, urls, connections, worker)
        finally:
            for connection in connections.values():
                connection.close()


def _run(plan: Plan, urls: dict[str, str], db: dict, worker: BuildWorker) -> Outcome:
    failures: dict[str, ApplyFailure] = {}
    baseline = plan.baseline
    if baseline is not None and baseline.sql is not None:
        for state in ("a", "b"):
            failure = apply_statements(db[state], baseline.sql, baseline.shown)
            if failure:
                failures[state] = failure
    current = _job(plan, urls["expected"])
    first = [current]
    if baseline is not None and baseline.models is not None:
        first += [_with_url(baseline.models, urls["a"]), _with_url(baseline.models, urls["b"])]
    b_build = len(first) if "b" not in failures else None
    if b_build is not None:
        first.append(_job(plan, urls["b"]))
    _submit(worker, first, urls, db)
    # Which files change nothing is asked of state (a), the real upgrade path: without a
    # baseline that is this chain; with one, the files after it on top of it (on an empty
    # database those find none of the baseline's tables, so guarded ones rightly do nothing).
    unchanged, failures["c"] = _apply_chain(db["c"], plan.migrations, watch=baseline is None)
    a_catalog = read_catalog(db["c"].connection) if baseline is None and not failures["c"] else None
    built = _collect(worker, b_build, plan)
    failures["b"] = failures.get("b") or built
    _submit(worker, [_job(plan, urls["c"])] if failures["c"] is None else [], urls, db)
    after = plan.migrations[baseline.includes :] if baseline is not None else plan.migrations
    if baseline is not None and "a" not in failures:
        unchanged, failures["a"] = _apply_chain(db["a"], after, watch=True)
    if baseline is None:
        failures["a"] = failures["c"]
    if failures["b"] is None:
        failures["b"] = _apply_chain(db["b"], after)[1]
    if failures["c"] is None:
        failures["c"] = _collect(worker, 0, plan)
    expected = read_catalog(db["expected"].connection)
    results = []
    for state in STATES:
        if failures.get(state) is not None:
            results.append(StateResult(state, failure=failures[state]))
            continue
        actual = a_catalog if state == "a" and a_catalog else read_catalog(db[state].connection)
        results.append(StateResult(state, catalog_differences(expected, actual)))
    return Outcome(tuple(results), unchanged, expected)


def _submit(worker: BuildWorker, jobs: list[BuildJob], urls: dict[str, str], db: dict) -> None:
    """Hand a batch to the build child, each database made ready for it first."""
    for role, url in urls.items():
        if any(job.libpq_url == url for job in jobs):
            db[role].prepare_build()
    worker.submit(jobs)


def _job(plan: Plan, url: str) -> BuildJob:
    return BuildJob(plan.models, url, plan.models_shown, plan.import_paths)


def _with_url(job: BuildJob, url: str) -> BuildJob:
    return BuildJob(job.models_file, url, job.shown, job.import_paths)


def _collect(worker: BuildWorker, state_job: int | None, plan: Plan) -> ApplyFailure | None:
    """Wait for a build. The current models failing on an empty database, or the baseline
    models failing at all, is bad input (raised); create_all failing on a state's database
    is that state's failure."""
    try:
        worker.result()
    except BuildError as error:
        if state_job is None or error.job != state_job:
            raise
        return ApplyFailure(plan.models_shown, error.line or 0, error.message)
    return None


def _apply_chain(
    session: Session, migrations: tuple[Migration, ...], *, watch: bool = False
) -> tuple[tuple[MigrationFile, ...], ApplyFailure | None]:
    """Apply the files in order until one fails. With ``watch``, also the files after
    which the schema (catalog and extensions) was the same as before."""
    unchanged = []
    before = _fingerprint(session.connection) if watch else None
    for migration in migrations:
        failure = apply_statements(session, migration.statements, migration.file.shown)
        if failure is not None:
            return tuple(unchanged), failure
        if watch:
            after = _fingerprint(session.connection)
            if after == before:
                unchanged.append(migration.file)
            before = after
    return tuple(unchanged), None


def _fingerprint(connection) -> tuple:
    extensions = connection.execute("SELECT extname, extversion FROM pg_extension").fetchall()
    return read_catalog(connection), tuple(sorted(extensions))
