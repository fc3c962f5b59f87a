"""``modelsync lint``: the project against the whole database standard."""

from __future__ import annotations

from pathlib import Path

import click

from modelsync.cli.app import emit, load_project_config, project_options


@click.command()
@project_options
@click.option(
    "--select",
    multiple=True,
    metavar="RULE",
    help="Run only these rules (repeatable or comma-separated); replaces the config's select.",
)
@click.option(
    "--ignore",
    multiple=True,
    metavar="RULE",
    help="Skip these rules (repeatable or comma-separated), added to the config's ignore.",
)
def lint(
    root: Path,
    source: tuple[str, ...],
    target: tuple[str, ...],
    migrations: str | None,
    sqlmodel_version: str | None,
    output_format: str,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
) -> None:
    """Check the project against the database standard.

    Driver and URL, pool settings, session scope, naming, vector and JSON types, the vector
    metric, bulk commits, migration file names, numbering and SQL, whether docker-compose
    mounts the migrations, and the SQLModel pins.
    Nothing is imported: models and engine modules are read statically. Silence one line
    with `# modelsync: ignore[RULE]`. A file that cannot be read, or models SQLModel would
    refuse, is a bad-input finding (MS890) and everything else is still checked. Exits 0
    when clean (warnings alone do not fail), 1 on findings, 2 on bad input.
    """
    from modelsync.findings import Report
    from modelsync.findings.model import BAD_INPUT
    from modelsync.lint.registry import BY_NAME, INPUT_RULE
    from modelsync.lint.run import lint_project
    from modelsync.lint.settings import lint_settings
    from modelsync.schema.pins import choose_release

    config = load_project_config(
        root, source=source, target=target, migrations=migrations, sqlmodel_version=sqlmodel_version
    )
    settings = lint_settings(config, select, ignore)
    release = choose_release(config.root, config.source, sqlmodel_version, config.sqlmodel_version)
    result = lint_project(config, settings, release)
    by_rule: dict[str, int] = {}
    for name in sorted(f.kind for f in result.findings):
        by_rule[name] = by_rule.get(name, 0) + 1
    severities = [f.severity for f in result.findings]
    summary = {
        "files": list(result.files),
        "rules": list(settings.rules),
        "findings": len(result.findings),
        "errors": severities.count("error"),
        "bad_input": by_rule.get(BAD_INPUT, 0),
        "by_rule": by_rule,
        "suppressed": result.suppressed,
        "sqlmodel": release.as_dict(),
        "warnings": len(result.warnings),
    }
    if result.findings:
        rules = ", ".join(f"{k}: {n}" for k, n in by_rule.items())
        headline = (
            f"{len(result.findings)} lint finding(s), {summary['errors']} error(s), "
            f"in {len({f.location.path for f in result.findings})} file(s) ({rules})"
        )
    else:
        headline = f"lint clean: {len(settings.rules)} rule(s) over {len(result.files)} file(s)"
    if summary["bad_input"]:
        headline += f"; {summary['bad_input']} input(s) could not be read (exit 2)"
    if result.suppressed:
        headline += f"; {result.suppressed} suppressed inline"
    rules = (*(BY_NAME[name].rule for name in settings.rules), INPUT_RULE.rule)
    emit(
        Report("lint", result.findings, summary, headline, rules, result.warnings, str(root)),
        output_format,
    )
