"""Files as they were at a git revision, read with ``git`` without touching the work tree.

``migration --from-ref`` and ``verify --baseline-ref`` both need an older models file (and
verify the migration files a commit had); both read them here.

A revision comes from the command line, or from a CI script that passes a branch name
through: ``--output=FILE`` is a valid-looking string that ``git show`` would take as an
option (and write FILE). So a revision is first resolved to a commit id by
``git rev-parse --verify --end-of-options REV^{commit}`` (git's own rule for what names a
commit, with option parsing ended before it), and only that id is passed on. Files are
read as blobs, after their size is checked, so that a huge file in an old commit is
refused rather than read into memory.
"""

from __future__ import annotations

import subprocess
from pathlib import Path, PurePosixPath

from modelsync.errors import InputError
from modelsync.files import TEXT_LIMIT, decode_utf8, describe_size


def git_output(root: Path, *args: str, shown: str | None, stdin: bytes | None = None) -> bytes:
    """``git -C root ARGS``'s standard output; a failure is one line about ``shown``."""
    try:
        done = subprocess.run(
            ["git", "-C", str(root), *args],
            input=stdin,
            capture_output=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise InputError(f"cannot run git: {exc}", shown) from None
    if done.returncode != 0:
        raise InputError(f"git {args[0]} failed: {_reason(done)}", shown)
    return done.stdout


def commit_of(root: Path, ref: str) -> str:
    """The id of the commit ``ref`` names, as git itself resolves a revision; anything else
    (an option, a tree, a path, garbage) is an ``InputError`` naming it."""
    if "\0" in ref or "\n" in ref:
        raise InputError(f"git revision {ref!r} is not a commit: it holds a control character")
    try:
        done = subprocess.run(
            [
                "git",
                "-C",
                str(root),
                "rev-parse",
                "--verify",
                "--end-of-options",
                f"{ref}^{{commit}}",
            ],
            capture_output=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise InputError(f"cannot run git: {exc}") from None
    commit = done.stdout.decode("ascii", "replace").strip()
    if done.returncode != 0 or not _is_object_id(commit):
        raise InputError(f"git revision {ref!r} is not a commit here: {_reason(done)}")
    return commit


def file_at_ref(root: Path, relative: str, ref: str, commit: str | None = None) -> str:
    """The text of ``relative`` (a path below ``root``) at ``ref``. ``./`` makes git read the
    path from ``root``, wherever the repository's top is. ``commit``: ``ref`` already
    resolved by ``commit_of`` (a package reads many files at one revision)."""
    path = PurePosixPath(Path(relative).as_posix())
    shown = f"{ref}:{path}"
    commit = commit or commit_of(root, ref)
    # "<id> <type> <size>", or "<name> missing"
    asked = f"{commit}:./{path}\n".encode()
    described = git_output(root, "cat-file", "--batch-check", shown=shown, stdin=asked)
    described = described.decode("ascii", "replace")
    fields = described.split()
    if len(fields) != 3 or not _is_object_id(fields[0]):
        raise InputError("no such file at that revision", shown)
    oid, kind, size = fields
    if kind != "blob":
        raise InputError(f"is a {kind} at that revision, not a file", shown)
    if int(size) > TEXT_LIMIT:
        raise InputError(f"too large to read (over {describe_size(TEXT_LIMIT)})", shown)
    return decode_utf8(git_output(root, "cat-file", "blob", oid, shown=shown), shown)


def names_at_ref(root: Path, folder: str, ref: str) -> frozenset[str]:
    """The names of the files that ``folder`` (below ``root``) held at ``ref``."""
    path = PurePosixPath(Path(folder).as_posix())
    commit = commit_of(root, ref)
    listing = git_output(
        root, "ls-tree", "--name-only", commit, "--", f"./{path}/", shown=f"{ref}:{path}"
    ).decode("utf-8", "surrogateescape")
    return frozenset(PurePosixPath(line).name for line in listing.splitlines() if line)


def _is_object_id(text: str) -> bool:
    # SHA-1 (40) or SHA-256 (64) hex digits.
    return len(text) in (40, 64) and all(c in "0123456789abcdef" for c in text)


def _reason(done: subprocess.CompletedProcess) -> str:
    lines = [line for line in done.stderr.decode("utf-8", "replace").splitlines() if line]
    return lines[-1].strip() if lines else f"git exited {done.returncode}"
