"""migration-mount (5.1 step 4): the migrations reach ``/docker-entrypoint-initdb.d`` of the
compose file's PostgreSQL service, all of them, in the order they are numbered.

The standard applies the migrations in development "when ``docker-compose up`` initialises
the database through a volume mount": the postgres image runs the files of that folder, by
name, on a fresh volume. A migrations folder that is not mounted there, mounted as a
subfolder (which the image never enters), or mounted under names that sort out of number
order, means a fresh volume is not what the migrations describe. Silent without a compose
file; a compose file without a PostgreSQL service is a warning.
"""

from __future__ import annotations

import os
from pathlib import Path

from modelsync.compose.initdir import InitDir, InitFile, init_dir, real_path
from modelsync.compose.services import INIT_DIR, ComposeProject, PostgresService
from modelsync.findings.model import Diagnostic, Finding, Location
from modelsync.lint.registry import finding
from modelsync.migrate.folder import MigrationFile, migration_files

_SHOWN_MISSING = 3


def mount_findings(
    root: Path, project: ComposeProject, folder: Path, shown_folder: str
) -> tuple[tuple[Finding, ...], tuple[Diagnostic, ...]]:
    """The rule's findings over every PostgreSQL service, and the notes on what could not
    be followed (the compose reader's, the init folder's, a missing service)."""
    migrations = migration_files(folder, shown_folder)
    notes = list(project.notes)
    if not project.services:
        notes.append(
            Diagnostic(
                project.shown,
                1,
                f"no PostgreSQL service in {project.shown}: whether the migrations reach a "
                "fresh volume is not checked",
            )
        )
        return (), tuple(notes)
    found: list[Finding] = []
    for service in project.services:
        listing = init_dir(service)
        notes += listing.notes
        if migrations:
            source = _relative(root, project, folder)
            found += service_findings(service, listing, migrations, folder, source)
    return tuple(found), tuple(notes)


def service_findings(
    service: PostgresService,
    listing: InitDir,
    migrations: tuple[MigrationFile, ...],
    folder: Path,
    source: str,
) -> list[Finding]:
    """``source`` is the migrations folder as the compose file names it."""
    by_path = {real_path(f.path): f for f in listing.files}
    mounted = [(m, by_path[real_path(m.path)]) for m in migrations if real_path(m.path) in by_path]
    found = _subfolder_findings(service, listing, folder, source)
    found += _not_run_findings(service, mounted)
    missing = [m for m in migrations if real_path(m.path) not in by_path]
    # A mount that could not be followed may be the one that brings them: not guessed.
    if missing and not found and not service.unfollowed:
        found.append(_missing_finding(service, listing, missing, migrations, source))
    found += _order_findings(service, mounted)
    found += _late_script_findings(service, listing, mounted)
    return found


def _at(service: PostgresService, line: int | None) -> Location:
    return Location("compose", service.shown, line or service.line, value=service.name)


def _subfolder_findings(service, listing: InitDir, folder: Path, source: str) -> list[Finding]:
    found = []
    target = real_path(folder)
    for sub in listing.subfolders:
        if real_path(sub.path) == target or target.is_relative_to(real_path(sub.path)):
            found.append(
                finding(
                    "migration-mount",
                    f"service {service.name} mounts {source} as "
                    f"{INIT_DIR}/{sub.name}/..., a subfolder: the postgres image runs only "
                    f"the files directly in {INIT_DIR}, so a fresh volume runs none of the "
                    "migrations",
                    _at(service, sub.mount.line),
                    fix=f"mount the folder itself: - {source}:{INIT_DIR}:ro",
                )
            )
    return found


def _not_run_findings(service, mounted: list[tuple[MigrationFile, InitFile]]) -> list[Finding]:
    return [
        finding(
            "migration-mount",
            f"{migration.name} is mounted as {INIT_DIR}/{file.name}, a name the postgres "
            "image does not run (only *.sql, *.sql.gz, *.sql.xz, *.sql.zst and *.sh)",
            _at(service, file.mount.line),
            fix=f"mount it as {INIT_DIR}/{migration.name}",
        )
        for migration, file in mounted
        if file.kind is None
    ]


def _missing_finding(service, listing, missing, migrations, source: str) -> Finding:
    names = ", ".join(m.name for m in missing[:_SHOWN_MISSING])
    more = f" and {len(missing) - _SHOWN_MISSING} more" if len(missing) > _SHOWN_MISSING else ""
    if not service.mounts:
        line = service.line
        what = f"service {service.name} mounts nothing into {INIT_DIR}"
    else:
        line = service.volumes_line or service.line
        runs = ", ".join(f.name for f in listing.files) or "nothing"
        what = f"service {service.name}'s {INIT_DIR} holds {runs}"
    if len(missing) == len(migrations):
        reach = f"none of the {len(migrations)} migration(s) in {source} reach it"
    else:
        reach = f"{names}{more} of {source} do not reach it"
    return finding(
        "migration-mount",
        f"{what}: {reach}, so a fresh volume (docker-compose up) is not the schema the "
        "migrations describe",
        _at(service, line),
        fix=f"add the volume - {source}:{INIT_DIR}:ro (and mount other "
        f"init scripts as {INIT_DIR}/000_name.sql so that they run first)",
    )


def _order_findings(service, mounted: list[tuple[MigrationFile, InitFile]]) -> list[Finding]:
    running = [m for m, f in sorted(mounted, key=lambda pair: pair[1].name.encode()) if f.kind]
    intended = [m for m, f in mounted if f.kind]
    for ran, meant in zip(running, intended, strict=True):
        if ran is not meant:
            file = dict((m.name, f) for m, f in mounted)[ran.name]
            return [
                finding(
                    "migration-mount",
                    f"{ran.name} runs before {meant.name} in {INIT_DIR} (the image runs the "
                    "files in name order), against the migrations' numbering",
                    _at(service, file.mount.line),
                    fix="mount the migrations under names that sort in number order (the "
                    "standard's three-digit NNN_ prefix)",
                )
            ]
    return []


def _late_script_findings(service, listing: InitDir, mounted) -> list[Finding]:
    """An init script that sorts after the first migration runs after it: a migration that
    needs what the script makes (an extension) fails on a fresh volume."""
    migration_names = {f.name for _, f in mounted}
    first = next((f for f in listing.files if f.name in migration_names), None)
    if first is None:
        return []
    late = [
        f
        for f in listing.files
        if f.kind and f.name not in migration_names and f.name.encode() > first.name.encode()
    ]
    return [
        finding(
            "migration-mount",
            f"the init script {f.name} runs after the migration {first.name} (name order): "
            "a migration that needs what it makes (an extension, a function) fails on a "
            "fresh volume",
            _at(service, f.mount.line),
            severity="warning",
            fix=f"mount it as {INIT_DIR}/000_{f.name} so that it runs first, or ignore this "
            "if it deliberately runs after the migrations",
        )
        for f in late
    ]


def _relative(root: Path, project: ComposeProject, folder: Path) -> str:
    """The migrations folder as the compose file would name it (``./infra/...``)."""
    compose_dir = root / Path(project.shown).parent
    relative = Path(os.path.relpath(folder, compose_dir)).as_posix()
    return relative if relative.startswith(".") else f"./{relative}"
