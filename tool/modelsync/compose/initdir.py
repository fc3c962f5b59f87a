"""What the postgres image's entrypoint sees in ``/docker-entrypoint-initdb.d`` on a fresh
volume, and the order it runs it in.

The entrypoint runs ``/docker-entrypoint-initdb.d/*``: the folder's own files, never a
subfolder's, sorted by name. It runs ``*.sh`` (sourced, or executed), ``*.sql``,
``*.sql.gz``, ``*.sql.xz`` and ``*.sql.zst`` (decompressed into psql) and ignores
anything else. The sort is the shell's glob order; modelsync uses byte order (the C
locale). The Debian images set ``LANG=en_US.utf8``, whose order differs only for names
that differ in case or punctuation; where that changes the order, ``InitDir.notes`` says so.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path

from modelsync.compose.services import INIT_DIR, Mount, PostgresService
from modelsync.findings.model import Diagnostic
from modelsync.records import record

RUN_SUFFIXES = (".sh", ".sql", ".sql.gz", ".sql.xz", ".sql.zst")


@record
class InitFile:
    """One entry of the folder as the container sees it: ``name`` there, the host file
    it is, and the mount that put it there."""

    name: str
    path: Path
    mount: Mount

    @property
    def kind(self) -> str | None:
        """The suffix the entrypoint runs it by (``.sql``, ``.sh``...), None: ignored."""
        return next((s for s in RUN_SUFFIXES if self.name.endswith(s)), None)


@record
class Subfolder:
    """A folder inside the init folder: the entrypoint never enters it."""

    name: str
    path: Path
    mount: Mount


@record
class InitDir:
    files: tuple[InitFile, ...]  # in the order the entrypoint runs them
    subfolders: tuple[Subfolder, ...]
    notes: tuple[Diagnostic, ...]


def init_dir(service: PostgresService) -> InitDir:
    files: dict[str, InitFile] = {}
    subfolders: dict[str, Subfolder] = {}
    notes: list[Diagnostic] = []
    # The folder mount first, then the files mounted over it (a more specific mount wins).
    for mount in sorted(service.mounts, key=lambda m: m.target.count("/")):
        relative = posixpath.relpath(mount.target, INIT_DIR)
        if relative == ".":
            if not mount.source.is_dir():
                notes.append(
                    _note(
                        mount, f"{mount.source.name} is mounted as {INIT_DIR} but is not a folder"
                    )
                )
                continue
            for child in sorted(mount.source.iterdir()):
                if child.is_dir():
                    subfolders[child.name] = Subfolder(child.name, child, mount)
                elif child.is_file():
                    files[child.name] = InitFile(child.name, child, mount)
        elif "/" in relative:
            top = relative.split("/", 1)[0]
            subfolders.setdefault(top, Subfolder(top, mount.source, mount))
        elif mount.source.is_dir():
            files.pop(relative, None)
            subfolders[relative] = Subfolder(relative, mount.source, mount)
        elif mount.source.is_file():
            subfolders.pop(relative, None)
            files[relative] = InitFile(relative, mount.source, mount)
        else:
            notes.append(
                _note(
                    mount,
                    f"{mount.target} is mounted from {mount.source.name}, which does "
                    "not exist (Docker would create an empty folder there)",
                )
            )
    ordered = tuple(files[name] for name in sorted(files, key=_c_order))
    if [f.name for f in ordered] != sorted(files, key=_locale_like):
        first = ordered[0].mount if ordered else service.mounts[0]
        notes.append(
            _note(
                first,
                "the names in the init folder sort differently in the C locale and in "
                "en_US.utf8 (case or punctuation); modelsync runs them in C order",
            )
        )
    return InitDir(ordered, tuple(subfolders[n] for n in sorted(subfolders)), tuple(notes))


def real_path(path: Path) -> Path:
    """The path with symlinks followed, for comparing files (itself when a loop or an
    unreadable folder stops that)."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return path


def _c_order(name: str) -> bytes:
    return name.encode("utf-8", "surrogateescape")


def _locale_like(name: str) -> tuple:
    """glibc's en_US.utf8 compares letters and digits first, ignoring case and punctuation."""
    return (re.sub(r"[^0-9a-z]", "", name.lower()), name.lower(), name)


def _note(mount: Mount, message: str) -> Diagnostic:
    return Diagnostic(mount.shown, mount.line or 1, message)
