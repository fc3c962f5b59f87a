"""The project's files as they were at a git revision, for module resolution.

Answers what ``modules.tree.DiskTree`` answers (``kind``, ``listing``, ``read_text``) from
``git ls-tree`` (one call, every file under the project root) and ``git show`` (one call
per module read), so ``migration --from-ref`` and ``verify --baseline-ref`` read a package
as it was, with its imports followed exactly as in the work tree. Nothing is checked out.
"""

from __future__ import annotations

import posixpath
from pathlib import Path

from modelsync.errors import InputError
from modelsync.migrate.git import commit_of, file_at_ref, git_output
from modelsync.modules.tree import normalized


class GitTree:
    def __init__(self, root: Path, ref: str):
        self.root = root
        self.ref = ref
        # Resolved once: only a commit id reaches git after this (no option injection).
        self.commit = commit_of(root, ref)
        listing = git_output(
            root, "ls-tree", "-r", "-z", self.commit, "--", ".", shown=f"{ref}:."
        ).decode("utf-8", "replace")
        self._folders: dict[str, dict[str, bool]] = {".": {}}
        # Symbolic links (mode 120000): their blob is the link's target, not Python.
        self._links: set[str] = set()
        for entry in filter(None, listing.split("\0")):
            # "<mode> <type> <object>\t<path>"
            mode, path = entry.partition(" ")[0], normalized(entry.partition("\t")[2])
            if mode == "160000":
                continue  # a submodule: a commit of another repository, no file
            if mode == "120000":
                self._links.add(path)
            self._add(path)

    def _add(self, path: str) -> None:
        folder, name = posixpath.split(path)
        folder = folder or "."
        self._folders.setdefault(folder, {})[name] = False
        while folder != ".":
            parent, child = posixpath.split(folder)
            parent = parent or "."
            known = self._folders.setdefault(parent, {})
            if known.get(child):
                break
            known[child] = True
            folder = parent

    def listing(self, folder: str) -> dict[str, bool] | None:
        return self._folders.get(normalized(folder))

    def kind(self, path: str) -> str | None:
        path = normalized(path)
        if path == ".":
            return "dir"
        folder, name = posixpath.split(path)
        entries = self._folders.get(folder or ".")
        if entries is None or name not in entries:
            return None
        return "dir" if entries[name] else "file"

    def read_text(self, path: str) -> str:
        path = normalized(path)
        if self.kind(path) != "file":
            raise InputError("file not found", f"{self.ref}:{path}")
        if path in self._links:
            raise InputError("is a symbolic link at that revision: not read", f"{self.ref}:{path}")
        return file_at_ref(self.root, path, self.ref, self.commit).removeprefix("\ufeff")

    def files(self) -> tuple[str, ...]:
        """Every file of the tree, as a project path."""
        found = []
        for folder, entries in self._folders.items():
            found += [posixpath.join(folder, n) if folder != "." else n
                      for n, is_dir in entries.items() if not is_dir]  # fmt: skip
        return tuple(sorted(found))
