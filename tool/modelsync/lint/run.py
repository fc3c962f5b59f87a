"""The lint run: read every file once, apply the selected rules, drop what is suppressed.

A file that cannot be read (missing, not UTF-8, a syntax error) or whose models SQLModel
would refuse is one ``bad-input`` finding at its place, and every other file and rule is
still checked; the command then exits 2. Only a configuration lint cannot follow at all
(``ConfigError``: pyproject.toml, a path outside the root) still raises.
"""

from __future__ import annotations

from pathlib import Path

from modelsync.config import Config
from modelsync.errors import InputError, ModelError, UnsupportedConstruct
from modelsync.files import text_or_none
from modelsync.findings.model import Diagnostic, Finding
from modelsync.lint.context import LintInput, ModelsFile
from modelsync.lint.registry import input_finding
from modelsync.lint.settings import LintSettings
from modelsync.lint.suppress import suppressions
from modelsync.records import record
from modelsync.schema.load import ParsedFile, load_side, parse_file
from modelsync.schema.pins import ReleaseChoice

DEFAULT_ENGINE_FILES = ("ai-worker/db.py", "backend-core/database.py")
MIGRATION_RULES = ("migration-name", "migration-number", "migration-sql")
MODEL_RULES = frozenset(
    {"table-name", "column-name", "primary-key-name", "vector-column", "json-type"}
)


@record
class LintResult:
    findings: tuple[Finding, ...]
    suppressed: int
    # Every file read, as shown (the Python files first, then the migrations).
    files: tuple[str, ...]
    warnings: tuple[Diagnostic, ...]


def lint_project(config: Config, settings: LintSettings, release: ReleaseChoice) -> LintResult:
    from modelsync.lint.astutil import call_index
    from modelsync.lint.engine import engine_findings
    from modelsync.lint.migrations import metric_findings, migration_folder_findings
    from modelsync.lint.models import model_findings
    from modelsync.lint.queries import query_findings
    from modelsync.lint.release import release_findings

    parsed: dict[str, ParsedFile] = {}
    unreadable: dict[str, Finding] = {}

    def read(relative: str, role: str) -> ParsedFile | None:
        shown = config.shown(relative)
        if shown not in parsed and shown not in unreadable:
            try:
                parsed[shown] = parse_file(config.path(relative), shown)
            except _BAD_INPUT as error:
                unreadable[shown] = input_finding(error, role, shown)
        return parsed.get(shown)

    tree, loaded = config.tree(), {}

    def models_file(items: tuple[str, ...], role: str, imports_from=None):
        """A side read as a project (``schema.load.load_side``), or None with its
        bad-input finding."""
        try:
            side = load_side(tree, items, release.rules, what=role,
                             pythonpath=config.pythonpath, imports_from=imports_from,
                             loaded=loaded)  # fmt: skip
        except _BAD_INPUT as error:
            shown = error.path or (config.source_shown if role == "source" else
                                   config.target_shown)  # fmt: skip
            unreadable.setdefault(f"{shown} ({role} models)", input_finding(error, role, shown))
            return None
        for file in side.files:
            parsed.setdefault(file.path, file)
        return side

    source = models_file(config.source_items, "source")
    target = None
    if _exists(config, config.target_items):
        target = models_file(config.target_items, "target", source)
    models = [
        ModelsFile(role, side.files, side.schema)
        for role, side in (("source", source), ("target", target))
        if side is not None
    ]
    engines = tuple(
        file
        for relative in engine_files(config, unreadable)
        if (file := read(relative, "engine")) is not None
    )
    lint = LintInput(
        config.root,
        tuple(models),
        engines,
        config.path(config.migrations),
        config.shown(config.migrations),
        config.vector_dim,
        settings.vector_dims,
    )
    found: list[Finding] = []
    if MODEL_RULES & set(settings.rules) or settings.runs("vector-metric"):
        found += model_findings(lint)
    for engine in engines:
        index = call_index(engine.module)
        found += engine_findings(engine, index)
        found += query_findings(engine, index)
    if any(settings.runs(name) for name in MIGRATION_RULES):
        found += migration_folder_findings(lint.migrations, lint.migrations_shown, config.root)
    if settings.runs("vector-metric"):
        found += metric_findings(lint.migrations, lint.migrations_shown, config.root)
    if settings.runs("sqlmodel-release"):
        found += release_findings(config.root, config.source_anchor, config.target_anchor)
    compose_notes: tuple[Diagnostic, ...] = ()
    if settings.runs("migration-mount"):
        mounts, compose_notes = _mount_findings(config, lint, unreadable)
        found += mounts
    selected = [f for f in found if settings.runs(f.kind)]
    migrations = sorted({f.location.path for f in selected if f.location.role == "migration"})
    texts = {shown: p.text for shown, p in parsed.items()}
    silenced = suppressions(
        (*texts, *migrations), lambda shown: texts.get(shown) or _read_text(config.root, shown)
    )
    checked = [f for f in selected if not silenced.silences(f)]
    # bad-input findings are never selected away nor silenced: the file was not checked.
    kept = tuple(sorted((*checked, *unreadable.values()), key=_order))
    warnings = tuple(w for m in lint.models for w in m.schema.warnings)
    warnings += compose_notes + silenced.warnings
    read_migrations = any(settings.runs(name) for name in MIGRATION_RULES)
    files = (*parsed, *(_migration_files(lint) if read_migrations else ()))
    return LintResult(kept, len(selected) - len(checked), files, warnings)


def _mount_findings(
    config: Config, lint: LintInput, unreadable: dict[str, Finding]
) -> tuple[tuple[Finding, ...], tuple[Diagnostic, ...]]:
    """migration-mount over the compose file; a compose file that cannot be read is a
    bad-input finding (YAML is parsed only when there is a compose file)."""
    from modelsync.compose.services import read_project
    from modelsync.lint.compose import mount_findings

    try:
        project = read_project(config.root, config.compose_file)
    except _BAD_INPUT as error:
        shown = error.path or config.compose_file or "docker-compose.yml"
        unreadable[f"{shown} (compose)"] = input_finding(error, "compose", shown)
        return (), ()
    if project is None:
        return (), ()
    return mount_findings(config.root, project, lint.migrations, lint.migrations_shown)


def _exists(config: Config, items: tuple[str, ...]) -> bool:
    """Whether the target is there to lint (a missing one-file target is generate's job)."""
    return len(items) > 1 or any(c in items[0] for c in "*?[") or config.path(items[0]).exists()


# What a file lint reads can be wrong with: a finding, not the end of the run.
_BAD_INPUT = (InputError, ModelError, UnsupportedConstruct)


def engine_files(config: Config, unreadable: dict[str, Finding]) -> tuple[str, ...]:
    """The configured engine modules, else the standard's where present. A configured one
    that does not exist is a ``bad-input`` finding in ``unreadable``."""
    if config.engine_files is not None:
        # config.py has checked each is a path inside the root (a pull request's
        # pyproject.toml must not make lint read, and quote, files outside the project).
        found = []
        for relative in config.engine_files:
            if config.path(relative).is_file():
                found.append(relative)
                continue
            shown = config.shown(relative)
            missing = InputError("engine file not found (engine_files)", shown)
            unreadable[shown] = input_finding(missing, "engine", shown)
        return tuple(found)
    return tuple(r for r in DEFAULT_ENGINE_FILES if config.path(r).is_file())


def _migration_files(lint: LintInput) -> tuple[str, ...]:
    if not lint.migrations.is_dir():
        return ()
    return tuple(f"{lint.migrations_shown}/{p.name}" for p in sorted(lint.migrations.glob("*.sql")))


def _read_text(root: Path, shown: str) -> str | None:
    return text_or_none(root / shown)


def _order(finding: Finding) -> tuple:
    where = finding.location
    return (where.path, where.line or 0, where.col or 0, finding.code)
