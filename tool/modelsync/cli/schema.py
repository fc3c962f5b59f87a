"""``modelsync schema FILE``: what modelsync reads from a models file or package folder."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from modelsync.cli.app import echo_warnings, emit, load_project_config, project_options


@click.command()
@click.argument("file", type=click.Path(path_type=Path, dir_okay=True))
@project_options
def schema(
    file: Path,
    root: Path,
    source: tuple[str, ...],
    target: tuple[str, ...],
    migrations: str | None,
    sqlmodel_version: str | None,
    output_format: str,
) -> None:
    """Print the schema modelsync derives from a models FILE or package folder.

    A folder is read as a package: the union of the tables of every module in it, with
    names imported across modules followed (never imported). Each table and column
    names the file and line it comes from. Column types are the PostgreSQL types
    SQLAlchemy's postgresql dialect compiles. Anything that cannot be resolved
    statically is listed as a warning.
    """
    from modelsync.findings import Report
    from modelsync.modules.tree import DiskTree
    from modelsync.schema.document import schema_document, schema_text
    from modelsync.schema.load import load_side
    from modelsync.schema.pins import choose_release

    config = load_project_config(root, sqlmodel_version=sqlmodel_version)
    anchor = file / "__init__.py" if file.is_dir() else file
    release = choose_release(config.root, str(anchor.resolve()), sqlmodel_version,
                             config.sqlmodel_version)  # fmt: skip
    # Paths as given on the command line, relative to the working directory.
    tree = DiskTree(Path.cwd(), outside_ok=True)
    derived = load_side(tree, (str(file),), release.rules, what="FILE",
                        pythonpath=_from_cwd(config.root, config.pythonpath)
                        + project_roots(config.root)).schema  # fmt: skip
    if output_format == "json":
        click.echo(json.dumps(schema_document(derived), indent=2))
    elif output_format in ("github", "sarif"):
        # No findings, only what could not be read: as annotations or SARIF notifications.
        emit(Report("schema", (), {}, "", (), derived.warnings, str(root)), output_format)
    else:
        click.echo(schema_text(derived))
        echo_warnings(derived.warnings)


def _from_cwd(root: Path, configured: tuple[str, ...]) -> tuple[str, ...]:
    """The configured roots (relative to the project root) as the working directory
    reaches them: the tree is read from there, so that paths print as given."""
    cwd = Path.cwd().resolve()
    return tuple(os.path.relpath(root.resolve() / folder, cwd) for folder in configured)


def project_roots(root: Path) -> tuple[str, ...]:
    """With ``--root`` elsewhere, the roots the project itself has (its ``src/`` and the
    root), which the working directory's own would not be."""
    if root.resolve() == Path.cwd().resolve():
        return ()
    found = ("src",) if (root / "src").is_dir() else ()
    return _from_cwd(root, (*found, "."))
