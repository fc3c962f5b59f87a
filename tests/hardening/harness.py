"""The hardening corpus's harness: a small project per case, run through the CLI, and the
checks every case must pass (issue 10): the exit code, a one-line message naming
``path:line`` where there is one, never ``internal error``, nothing outside the project
changed, and no canary file created.

Cheap cases run in-process through click's CliRunner (a parse or a refusal gains nothing
from a new interpreter); anything about ``sys.path``, ``-m``, signals, FIFOs, resource
limits or real exit codes runs ``python -m modelsync`` in a subprocess.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import stat
import subprocess
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

SOURCE = textwrap.dedent(
    '''\
    import enum
    from typing import Optional

    from sqlmodel import Field, SQLModel

    NAME_LENGTH = 50


    class Level(str, enum.Enum):
        junior = "junior"
        senior = "senior"


    class Stamped(SQLModel):
        note: Optional[str] = None


    class User(Stamped, table=True):
        """A user."""

        __tablename__ = "users"
        id: Optional[int] = Field(default=None, primary_key=True)
        name: str = Field(max_length=NAME_LENGTH)
        level: Level = Level.junior
    '''
)
SOURCE_PATH = "backend-core/models.py"
TARGET_PATH = "ai-worker/db.py"


@dataclass(frozen=True)
class Symlink:
    to: str  # relative to the link's folder, or absolute; "{base}" is the case's folder


@dataclass(frozen=True)
class Fifo:
    pass


@dataclass(frozen=True)
class DevZero:
    """A character device like /dev/zero (endless zeros), made inside the project."""


@dataclass(frozen=True)
class Sparse:
    """A regular file of ``size`` zero bytes that takes no disk (a hole)."""

    size: int


@dataclass(frozen=True)
class ReadOnly:
    content: str


@dataclass(frozen=True)
class Case:
    name: str
    args: tuple[str, ...]
    code: int
    # relative path -> text (``{canary}``/``{base}`` are filled in), Symlink, Fifo, ReadOnly,
    # or None to delete a file of the base project
    files: dict[str, object] = field(default_factory=dict)
    needle: str = ""
    # The error's place: the message starts with ``where`` (a path), followed by
    # ``:LINE:`` when ``line`` is set.
    where: str | None = None
    line: bool = False
    subprocess: bool = False
    limit_file_size: int | None = None
    # Address space of the child (bytes): a reader that read on would fail at once with
    # MemoryError rather than take the machine's memory.
    limit_memory: int | None = None
    # The base project's target: "generated" (marked region), "hand" (a copy of the
    # source, to adopt) or "none".
    target: str = "generated"
    # Nothing at all on stderr (no warning, no SyntaxWarning from the parser).
    quiet: bool = False
    # Extra check on the project afterwards.
    after: Callable[[Path], None] | None = None


@dataclass
class Outcome:
    code: int
    stdout: str
    stderr: str
    exception: BaseException | None


def build(base: Path, case: Case) -> Path:
    """``base/project`` (the case's project), ``base/outside`` (files it must never touch)."""
    project, outside = base / "project", base / "outside"
    (project / "backend-core").mkdir(parents=True)
    (project / "ai-worker").mkdir()
    (project / SOURCE_PATH).write_text(SOURCE, encoding="utf-8")
    outside.mkdir()
    (outside / "victim.py").write_text("SECRET = 1\n")
    (outside / "table.py.j2").write_text("{{ item.text }}\n")
    (outside / "secret.txt").write_text("password\n")
    if case.target == "hand":
        (project / TARGET_PATH).write_text(SOURCE, encoding="utf-8")
    elif case.target == "generated":
        (project / TARGET_PATH).write_text(generated_target(), encoding="utf-8")
    for relative, content in case.files.items():
        place(project / relative, content, base)
    return project


def place(path: Path, content: object, base: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if content is None:
        path.unlink(missing_ok=True)
    elif isinstance(content, Symlink):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        path.unlink(missing_ok=True)
        path.symlink_to(content.to.format(base=base))
    elif isinstance(content, DevZero):
        path.unlink(missing_ok=True)
        os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 5))
    elif isinstance(content, Fifo):
        path.unlink(missing_ok=True)
        os.mkfifo(path)
    elif isinstance(content, Sparse):
        with open(path, "wb") as handle:
            handle.truncate(content.size)
    elif isinstance(content, ReadOnly):
        path.write_text(fill(content.content, base), encoding="utf-8")
        path.chmod(0o444)
    elif isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(fill(str(content), base), encoding="utf-8")


def fill(text: str, base: Path) -> str:
    return text.replace("{canary}", str(base / "canary")).replace("{base}", str(base))


_GENERATED: list[str] = []


def generated_target() -> str:
    """What ``generate`` writes for SOURCE into a new target (computed once per run)."""
    if not _GENERATED:
        import tempfile

        with tempfile.TemporaryDirectory() as folder:
            project = Path(folder)
            (project / "backend-core").mkdir()
            (project / SOURCE_PATH).write_text(SOURCE, encoding="utf-8")
            outcome = run_inprocess(project, ("generate",))
            assert outcome.code == 0, outcome.stderr
            _GENERATED.append((project / TARGET_PATH).read_text(encoding="utf-8"))
    return _GENERATED[0]


def run_inprocess(project: Path, args: tuple[str, ...]) -> Outcome:
    from click.testing import CliRunner

    from modelsync.cli import main

    command, *rest = args
    # In the project, as a hook runs: ``schema FILE`` takes FILE relative to it.
    with contextlib.chdir(project):
        result = CliRunner().invoke(main, [command, "--root", str(project), *rest])
    exception = result.exception if not isinstance(result.exception, SystemExit) else None
    return Outcome(result.exit_code, result.stdout, result.stderr, exception)


def run_subprocess(
    project: Path,
    args: tuple[str, ...],
    limit_file_size: int | None = None,
    cwd: Path | None = None,
    limit_memory: int | None = None,
) -> Outcome:
    command, *rest = args
    preexec = None
    if limit_file_size is not None or limit_memory is not None:
        import resource

        def preexec() -> None:
            if limit_file_size is not None:
                resource.setrlimit(resource.RLIMIT_FSIZE, (limit_file_size, limit_file_size))
            if limit_memory is not None:
                resource.setrlimit(resource.RLIMIT_AS, (limit_memory, limit_memory))

    completed = subprocess.run(
        [sys.executable, "-m", "modelsync", command, "--root", str(project), *rest],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd or project,
        preexec_fn=preexec,
    )
    return Outcome(completed.returncode, completed.stdout, completed.stderr, None)


def snapshot(base: Path) -> dict[str, tuple]:
    """Every file and link under ``base`` except the project: what must never change."""
    state = {}
    for folder, dirs, files in os.walk(base):
        if Path(folder) == base and "project" in dirs:
            dirs.remove("project")
        for name in (*dirs, *files):
            path = Path(folder, name)
            if path.is_symlink():
                state[str(path)] = ("link", os.readlink(path))
            elif path.is_file():
                state[str(path)] = ("file", hashlib.sha256(path.read_bytes()).hexdigest())
            else:
                state[str(path)] = ("dir",)
    return state


def run_case(base: Path, case: Case) -> Outcome:
    project = build(base, case)
    before = snapshot(base)
    if case.subprocess or case.limit_file_size is not None or case.limit_memory is not None:
        outcome = run_subprocess(
            project, case.args, case.limit_file_size, limit_memory=case.limit_memory
        )
    else:
        outcome = run_inprocess(project, case.args)
    assert_outcome(case, outcome)
    assert snapshot(base) == before, "a file outside the project changed"
    assert not (base / "canary").exists(), "the canary was created: code ran"
    leftovers = [p.name for p in (project / "ai-worker").glob(".db.py.*")]
    assert not leftovers, f"temporary files left behind: {leftovers}"
    if case.after is not None:
        case.after(project)
    return outcome


def assert_outcome(case: Case, outcome: Outcome) -> None:
    shown = f"exit {outcome.code}\nstdout: {outcome.stdout}\nstderr: {outcome.stderr}"
    assert outcome.exception is None, f"{outcome.exception!r}\n{shown}"
    assert "internal error" not in outcome.stderr, shown
    assert "Traceback" not in outcome.stderr, shown
    assert outcome.code == case.code, shown
    if case.code == 2:
        lines = outcome.stderr.strip().splitlines()
        assert len(lines) == 1, shown
        assert lines[0].startswith("modelsync: error: "), shown
        if case.where is not None:
            message = lines[0].removeprefix("modelsync: error: ")
            pattern = re.escape(case.where) + (r":\d+: " if case.line else r"[:]")
            assert re.match(pattern, message), shown
    if case.needle:
        assert case.needle in outcome.stdout + outcome.stderr, shown
    if case.quiet:
        assert outcome.stderr == "", shown
