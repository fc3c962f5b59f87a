"""The project's files, by path relative to the project root (posix, normalised).

Module resolution asks "is there a file ``app/models/base.py``?" many times per import, so
each folder is listed once (``os.scandir``) and every later question about it is a set
lookup. ``DiskTree`` reads the working tree; a tree at a git revision (``migrate.gittree``)
answers the same three questions, so the same resolver reads a package as it was.
"""

from __future__ import annotations

import os
import posixpath
from pathlib import Path

from modelsync.errors import InputError
from modelsync.modules.source import read_source


def normalized(path: str) -> str:
    """``./app//models/../x.py`` -> ``app/x.py``; the root is ``.``."""
    return posixpath.normpath(path.replace(os.sep, "/")) if path else "."


def join(folder: str, *names: str) -> str:
    return normalized(posixpath.join(folder, *names))


class DiskTree:
    """The files under ``root`` as they are on disk.

    A path that leads outside the root (``..``, or a symlink that resolves elsewhere) is
    not part of the tree unless ``outside_ok``: a pull request must not make modelsync
    read, and quote, files beyond the project through a planted link.
    """

    def __init__(self, root: Path, outside_ok: bool = False):
        self.root = root
        self.outside_ok = outside_ok
        self._resolved_root = root.resolve()
        self._listings: dict[str, dict[str, bool] | None] = {}
        # Entries (``folder/name``) that are symbolic links: only they can lead out of a
        # folder that is inside the root.
        self._links: set[str] = set()

    def project_path(self, path: str) -> str:
        """An absolute path inside the root as a project path (one file, one spelling:
        ``/abs/root/app/x.py`` and ``app/x.py`` are the same module)."""
        if not posixpath.isabs(path):
            return path
        for root in (self.root.absolute(), self._resolved_root):
            try:
                return normalized(Path(path).relative_to(root).as_posix())
            except ValueError:
                continue
        return path

    def listing(self, folder: str) -> dict[str, bool] | None:
        """Entry name -> whether it is a folder; None when ``folder`` is not one."""
        if folder in self._listings:
            return self._listings[folder]
        found: dict[str, bool] | None = None
        if self._allowed(folder):
            try:
                with os.scandir(self.root / folder) as entries:
                    found = {}
                    for entry in entries:
                        try:
                            found[entry.name] = entry.is_dir()
                            if entry.is_symlink():
                                self._links.add(join(folder, entry.name))
                        except OSError:
                            continue
            except OSError:
                found = None
        self._listings[folder] = found
        return found

    def kind(self, path: str) -> str | None:
        """``"file"``, ``"dir"`` or None (absent, or outside the tree)."""
        path = normalized(path)
        if path == ".":
            return "dir"
        folder, name = posixpath.split(path)
        entries = self.listing(folder or ".")
        if entries is None or name not in entries:
            return None
        return "dir" if entries[name] else "file"

    def read_text(self, path: str) -> str:
        path = normalized(path)
        if not self._allowed(path):
            raise InputError(
                "leads outside the project root; pass --allow-outside-root on the command "
                "line if that is intended",
                path,
            )
        return read_source(self.root / path, path, allow_empty=True)

    def _allowed(self, path: str) -> bool:
        if self.outside_ok:
            return True
        if path != "." and not path.startswith("../") and path != "..":
            # An entry of a listed folder (so one inside the root) that is no link is
            # inside too: no need to resolve every file of a package on the way.
            folder, name = posixpath.split(path)
            entries = self.listing(folder or ".")
            if entries is not None and name in entries and path not in self._links:
                return True
        if path == "." or (not path.startswith("../") and path != ".."):
            # Inside by name; a symlink on the way may still lead out.
            try:
                return (self.root / path).resolve().is_relative_to(self._resolved_root)
            except (OSError, RuntimeError):
                return False
        return False
