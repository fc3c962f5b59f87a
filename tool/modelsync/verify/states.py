"""The three states the standard allows a database to be in, built for real.

- (a) the baseline (the schema state's baseline SQL, or ``create_all`` of the models at
  ``--baseline-ref``; an empty database when there is neither) + every migration after it;
- (b) the same baseline, then ``create_all(current)`` (the new app started first), then
  the migrations after the baseline;
- (c) an empty database + every migration + ``create_all(current)`` (a fresh volume).

Init scripts (``Plan.init_scripts``: what the compose file mounts into
``/docker-entrypoint-initdb.d``, or ``init_scripts`` in the config) run first on every
database, the expected one included: the team's database was once a fresh volume, so
what they make (an extension, a function) is there before any baseline or migration.
When they come from the compose file, state (c) is exactly what the container does: the
files of that folder in name order (init scripts and mounted migrations interleaved),
then ``create_all``; migrations that are not mounted do not run there (lint's
migration-mount says so), and state (a) is then built on a database of its own.

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
from modelsync.records import record, replace
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
class InitScript:
    """One file a fresh volume runs before the app starts: ``name`` as the container sees
    it, its statements, and ``migration``, the index of the plan's migration it is when the
    compose file mounts a migration file (its statements are then that migration's).
    ``failure`` is set when the file cannot run at all (SQL PostgreSQL's parser refuses)."""

    shown: str
    name: str
    statements: tuple[Statement, ...] = ()
    migration: int | None = None
    failure: ApplyFailure | None = None


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
    # The models' dotted module names (a package), and the folder their paths are
    # relative to (``verify.models``).
    modules: tuple[str, ...] = ()
    base: Path | None = None
    # In the order a fresh volume runs them (see the module's docstring).
    init_scripts: tuple[InitScript, ...] = ()
    # True: init_scripts are the compose file's init folder, and state (c) runs exactly
    # them; False: state (c) runs the init scripts, then every migration.
    from_compose: bool = False
    # Notes on the init files verify does not run (a .sh script), MS905 findings.
    init_notes: tuple = ()

    @property
    def environment(self) -> tuple[InitScript, ...]:
        """The init scripts that are not migrations: run first on every database."""
        return tuple(s for s in self.init_scripts if s.migration is None)

    @property
    def a_is_c(self) -> bool:
        """State (a) is state (c) before its create_all: no baseline, and (c) runs the
        init scripts, then every migration."""
        return self.baseline is None and not self.from_compose


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
    return ("expected", "b", "c") if plan.a_is_c else DATABASES


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
    failures: dict[str, ApplyFailure | None] = {}
    for role in db:  # (c) from the compose file runs them in its own order, below
        if not (role == "c" and plan.from_compose):
            failures[role] = _apply_steps(db[role], _init_steps(plan, plan.environment))[1]
    init_failure = failures.pop("expected")
    if init_failure is not None:
        # An init script fails on an empty database: every state stops there, as the
        # container does, and nothing is built or compared.
        stopped = tuple(StateResult(state, failure=init_failure) for state in STATES)
        return Outcome(stopped, (), read_catalog(db["expected"].connection))
    baseline = plan.baseline
    if baseline is not None and baseline.sql is not None:
        for state in ("a", "b"):
            if failures.get(state) is None:
                failures[state] = apply_statements(db[state], baseline.sql, baseline.shown)
    current = _job(plan, urls["expected"])
    first = [current]
    if baseline is not None and baseline.models is not None:
        first += [_with_url(baseline.models, urls["a"]), _with_url(baseline.models, urls["b"])]
    b_build = len(first) if failures.get("b") is None else None
    if b_build is not None:
        first.append(_job(plan, urls["b"]))
    _submit(worker, first, urls, db)
    # Which files change nothing is asked of state (a), the real upgrade path: when (a) is
    # (c)'s chain, of that chain; else of (a)'s files after its baseline (on an empty
    # database those find none of the baseline's tables, so guarded ones rightly do nothing).
    c_steps = _init_steps(plan, plan.init_scripts) if plan.from_compose else _steps(plan.migrations)
    unchanged: tuple[MigrationFile, ...] = ()
    if failures.get("c") is None:
        unchanged, failures["c"] = _apply_steps(db["c"], c_steps, watch=plan.a_is_c)
    a_catalog = read_catalog(db["c"].connection) if plan.a_is_c and not failures["c"] else None
    built = _collect(worker, b_build, plan)
    failures["b"] = failures.get("b") or built
    _submit(worker, [_job(plan, urls["c"])] if failures["c"] is None else [], urls, db)
    after = plan.migrations[baseline.includes :] if baseline is not None else plan.migrations
    if plan.a_is_c:
        failures["a"] = failures["c"]
    elif failures.get("a") is None:
        unchanged, failures["a"] = _apply_steps(db["a"], _steps(after), watch=True)
    if failures["b"] is None:
        failures["b"] = _apply_steps(db["b"], _steps(after))[1]
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
    return BuildJob(plan.models, url, plan.models_shown, plan.import_paths, plan.modules, plan.base)


def _with_url(job: BuildJob, url: str) -> BuildJob:
    return replace(job, libpq_url=url)


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


@record
class _Step:
    """One file to apply: a migration (``file`` set) or an init script."""

    shown: str
    statements: tuple[Statement, ...]
    file: MigrationFile | None = None
    failure: ApplyFailure | None = None


def _steps(migrations: tuple[Migration, ...]) -> tuple[_Step, ...]:
    return tuple(_Step(m.file.shown, m.statements, m.file) for m in migrations)


def _init_steps(plan: Plan, scripts: tuple[InitScript, ...]) -> tuple[_Step, ...]:
    """Init scripts as steps; a mounted migration is applied as that migration."""
    steps = []
    for script in scripts:
        if script.migration is not None:
            steps += _steps((plan.migrations[script.migration],))
        else:
            steps.append(_Step(script.shown, script.statements, failure=script.failure))
    return tuple(steps)


def _apply_steps(
    session: Session, steps: tuple[_Step, ...], *, watch: bool = False
) -> tuple[tuple[MigrationFile, ...], ApplyFailure | None]:
    """Apply the files in order until one fails. With ``watch``, also the migrations
    after which the schema (catalog and extensions) was the same as before."""
    unchanged = []
    before = _fingerprint(session.connection) if watch else None
    for step in steps:
        failure = step.failure or apply_statements(session, step.statements, step.shown)
        if failure is not None:
            return tuple(unchanged), failure
        if watch:
            after = _fingerprint(session.connection)
            if after == before and step.file is not None:
                unchanged.append(step.file)
            before = after
    return tuple(unchanged), None


def _fingerprint(connection) -> tuple:
    extensions = connection.execute(
        "SELECT extname, extversion FROM pg_catalog.pg_extension"
    ).fetchall()
    return read_catalog(connection), tuple(sorted(extensions))
