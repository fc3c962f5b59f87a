"""The lint run: read every file once, apply the selected rules, drop what is suppressed.

Raises a ModelsyncError (exit 2) for input that cannot be read at all: a missing source,
a configured engine file that does not exist, a syntax error. Everything else is a finding.
"""

from __future__ import annotations

from pathlib import Path

from modelsync.config import Config
from modelsync.errors import InputError
from modelsync.findings.model import Diagnostic, Finding
from modelsync.lint.context import LintInput, ModelsFile
from modelsync.lint.settings import LintSettings
from modelsync.lint.suppress import suppressions
from modelsync.records import record
from modelsync.schema.load import ParsedFile, parse_file, schema_of
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
    from modelsync.lint.migrations import migration_folder_findings
    from modelsync.lint.models import model_findings
    from modelsync.lint.queries import query_findings
    from modelsync.lint.release import release_findings

    parsed: dict[str, ParsedFile] = {}

    def read(relative: str) -> ParsedFile:
        shown = config.shown(relative)
        if shown not in parsed:
            parsed[shown] = parse_file(config.path(relative), shown)
        return parsed[shown]

    models = [ModelsFile("source", source := read(config.source), schema_of(source, release.rules))]
    if config.path(config.target).is_file():
        target = read(config.target)
        models.append(ModelsFile("target", target, schema_of(target, release.rules)))
    engines = tuple(read(relative) for relative in engine_files(config))
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
        found += migration_folder_findings(lint.migrations, lint.migrations_shown)
    if settings.runs("sqlmodel-release"):
        found += release_findings(config.root, config.source, config.target)
    selected = [f for f in found if settings.runs(f.kind)]
    migrations = sorted({f.location.path for f in selected if f.location.role == "migration"})
    texts = {shown: p.text for shown, p in parsed.items()}
    silenced = suppressions(
        (*texts, *migrations), lambda shown: texts.get(shown) or _read_text(config.root, shown)
    )
    kept = tuple(sorted((f for f in selected if not silenced.silences(f)), key=_order))
    warnings = tuple(w for m in models for w in m.schema.warnings) + silenced.warnings
    read_migrations = any(settings.runs(name) for name in MIGRATION_RULES)
    files = (*parsed, *(_migration_files(lint) if read_migrations else ()))
    return LintResult(kept, len(selected) - len(kept), files, warnings)


def engine_files(config: Config) -> tuple[str, ...]:
    """The configured engine modules (each must exist), else the standard's where present."""
    if config.engine_files is not None:
        # config.py has kept each inside the root (a pull request's pyproject.toml must
        # not make lint read, and quote, files outside the project).
        for relative in config.engine_files:
            if not config.path(relative).is_file():
                raise InputError(
                    f"engine_files: {relative!r}: engine file not found",
                    "pyproject.toml",
                    config.line_of("engine_files"),
                )
        return config.engine_files
    return tuple(r for r in DEFAULT_ENGINE_FILES if config.path(r).is_file())


def _migration_files(lint: LintInput) -> tuple[str, ...]:
    if not lint.migrations.is_dir():
        return ()
    return tuple(f"{lint.migrations_shown}/{p.name}" for p in sorted(lint.migrations.glob("*.sql")))


def _read_text(root: Path, shown: str) -> str | None:
    try:
        return (root / shown).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _order(finding: Finding) -> tuple:
    where = finding.location
    return (where.path, where.line or 0, where.col or 0, finding.code)
