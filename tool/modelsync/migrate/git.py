"""Files as they were at a git revision, read with ``git`` without touching the work tree.

``migration --from-ref`` and ``verify --baseline-ref`` both need an older models file (and
verify the migration files a commit had); both read them here.
"""

from __future__ import annotations

import subprocess
from pathlib import Path, PurePosixPath

from modelsync.errors import InputError


def git_output(root: Path, *args: str, shown: str) -> str:
    """``git -C root ARGS``'s standard output; a failure is one line about ``shown``."""
    try:
        done = subprocess.run(
            ["git", "-C", str(root), *args], capture_output=True, timeout=60, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise InputError(f"cannot run git: {exc}", shown) from None
    if done.returncode != 0:
        lines = [line for line in done.stderr.decode("utf-8", "replace").splitlines() if line]
        reason = lines[-1].strip() if lines else f"git exited {done.returncode}"
        raise InputError(f"git {args[0]} failed: {reason}", shown)
    try:
        return done.stdout.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError("is not valid UTF-8", shown) from None


def file_at_ref(root: Path, relative: str, ref: str) -> str:
    """The text of ``relative`` (a path below ``root``) at ``ref``. ``./`` makes git read the
    path from ``root``, wherever the repository's top is."""
    path = PurePosixPath(Path(relative).as_posix())
    return git_output(root, "show", f"{ref}:./{path}", shown=f"{ref}:{path}")


def names_at_ref(root: Path, folder: str, ref: str) -> frozenset[str]:
    """The names of the files that ``folder`` (below ``root``) held at ``ref``."""
    path = PurePosixPath(Path(folder).as_posix())
    listing = git_output(
        root, "ls-tree", "--name-only", ref, "--", f"./{path}/", shown=f"{ref}:{path}"
    )
    return frozenset(PurePosixPath(line).name for line in listing.splitlines() if line)
