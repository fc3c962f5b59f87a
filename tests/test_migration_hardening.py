"""``migration`` under attack and under load (issue 18): hostile git revisions, two runs at
once, a baseline over a pending change, and numbers past 999. Real processes and a real
git repository throughout."""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from modelsync.errors import InputError
from modelsync.migrate.lock import folder_lock
from tests.conftest import run_cli

FOLDER = "infra/postgres/migrations"
USERS = textwrap.dedent(
    """\
    from typing import Optional
    from sqlmodel import Field, SQLModel


    class User(SQLModel, table=True):
        __tablename__ = "users"
        id: Optional[int] = Field(default=None, primary_key=True)
        name: str
    """
)
WITH_EMAIL = USERS + "    email: Optional[str] = None\n"
WITH_PHONE = USERS + "    phone: Optional[str] = None\n"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / "backend-core").mkdir(parents=True)
    (root / "backend-core" / "models.py").write_text(USERS)
    return root


def _models(root: Path, text: str) -> None:
    (root / "backend-core" / "models.py").write_text(text)


def _sql_files(root: Path) -> list[str]:
    return sorted(p.name for p in (root / FOLDER).glob("*.sql"))


def _git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
        cwd=root, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return done.stdout.strip()


def _in_process(*args: str | Path) -> subprocess.CompletedProcess:
    """The CLI run in this process (no interpreter start-up), as a completed process."""
    from click.testing import CliRunner

    from modelsync.cli import main

    result = CliRunner().invoke(main, [str(arg) for arg in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return subprocess.CompletedProcess(args, result.exit_code, result.stdout, result.stderr)


def _one_line_error(done: subprocess.CompletedProcess, needle: str) -> None:
    assert done.returncode == 2, done.stdout + done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("modelsync: error: "), done.stderr
    assert needle in lines[0], done.stderr


# ------------------------------------------------------------------ hostile revisions


@pytest.fixture
def repository(project: Path) -> Path:
    _git(project, "init", "-q")
    _git(project, "add", ".")
    _git(project, "commit", "-qm", "users")
    _git(project, "tag", "v1")
    _models(project, WITH_EMAIL)
    return project


def test_an_option_given_as_a_revision_writes_nothing(repository: Path, tmp_path: Path) -> None:
    # `git show --output=W:./backend-core/models.py` would write that file (its folder
    # made ready here), and the empty "old schema" then gave exit 0.
    written = tmp_path / "w:." / "backend-core"
    written.mkdir(parents=True)
    for command in (
        ("migration", "--stdout", "--from-ref", f"--output={tmp_path}/w"),
        ("migration", "next", "--from-ref", f"--output={tmp_path}/w"),
    ):
        done = run_cli(*command, "--root", repository)
        _one_line_error(done, f"git revision '--output={tmp_path}/w' is not a commit")
        assert list(written.iterdir()) == []
    assert not (repository / FOLDER).exists()


@pytest.mark.parametrize(
    "ref",
    ["-h", "--help", "--end-of-options", "-", "--", "HEAD:backend-core/models.py", "HEAD^{tree}",
     "", " ", "HEAD\n", "no-such-ref", "../../etc/passwd", "--git-dir=/tmp", "-c core.pager=id"],
)  # fmt: skip
def test_what_git_would_not_take_as_a_commit_is_one_line(repository: Path, ref: str) -> None:
    done = _in_process("migration", "--stdout", "--from-ref", ref, "--root", repository)
    _one_line_error(done, "is not a commit")


def test_a_blob_id_is_not_a_commit(repository: Path) -> None:
    blob = _git(repository, "rev-parse", "HEAD:backend-core/models.py")
    done = _in_process("migration", "--stdout", "--from-ref", blob, "--root", repository)
    _one_line_error(done, f"git revision '{blob}' is not a commit")


@pytest.mark.parametrize("ref", ["HEAD", "v1", "short", "master~0", "HEAD@{0}"])
def test_every_way_git_names_a_commit_still_works(repository: Path, ref: str) -> None:
    if ref == "short":
        ref = _git(repository, "rev-parse", "--short", "HEAD")
    if ref == "master~0":
        ref = _git(repository, "branch", "--show-current") + "~0"
    done = _in_process("migration", "--stdout", "--from-ref", ref, "--root", repository)
    assert done.returncode == 0, done.stderr
    assert "ADD COLUMN IF NOT EXISTS email" in done.stdout


def test_a_path_that_is_no_file_at_the_revision(repository: Path) -> None:
    # (A folder is a package of models, read as such; a path the revision lacks is not.)
    done = _in_process("migration", "--stdout", "--from-ref", "HEAD", "--source",
                       "backend-core/gone.py", "--root", repository)  # fmt: skip
    assert done.returncode == 2 and "internal error" not in done.stderr, done.stderr


def test_a_huge_file_at_the_revision_is_not_read(repository: Path) -> None:
    with open(repository / "backend-core" / "models.py", "wb") as handle:
        handle.write(b"#" * (65 << 20))  # past the 64 MiB a models file may have
    _git(repository, "commit", "-qam", "huge")
    _models(repository, WITH_EMAIL)
    done = _in_process("migration", "--stdout", "--from-ref", "HEAD", "--root", repository)
    _one_line_error(done, "HEAD:backend-core/models.py: too large to read (over 64 MiB)")


def test_verify_baseline_ref_takes_the_same_guard(repository: Path, tmp_path: Path) -> None:
    (repository / FOLDER).mkdir(parents=True)
    (repository / FOLDER / "001_init.sql").write_text("SELECT 1;\n")
    written = tmp_path / "v:." / "backend-core"
    written.mkdir(parents=True)
    # Refused while the plan is read, before any server is reached.
    done = run_cli("verify", "--root", repository, "--baseline-ref", f"--output={tmp_path}/v",
                   "--database-url", "postgresql://nobody@/none?host=/nonexistent")  # fmt: skip
    _one_line_error(done, "is not a commit")
    assert list(written.iterdir()) == []
    empty = _in_process("verify", "--root", repository, "--baseline-ref", "")
    _one_line_error(empty, "--baseline-ref: an empty git revision is not a commit")


# ------------------------------------------------------------------ two runs at once


def _start(root: Path, name: str, models: str) -> subprocess.Popen:
    (root / f"{name}.py").write_text(models)
    command = [sys.executable, "-m", "modelsync", "migration", name, "--root", str(root),
               "--to-file", f"{name}.py"]  # fmt: skip
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.timeout(120)
def test_two_runs_at_once_take_turns(project: Path) -> None:
    assert run_cli("migration", "init", "--root", project).returncode == 0
    folder = os.open(project / FOLDER, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(folder, fcntl.LOCK_EX)  # as a run in the middle of its write holds it
        runs = [_start(project, "email", WITH_EMAIL), _start(project, "phone", WITH_PHONE)]
        time.sleep(3)  # both are past their start-up and waiting for the lock
        assert [run.poll() for run in runs] == [None, None]
        assert _sql_files(project) == ["001_init.sql"]
    finally:
        os.close(folder)  # releases it
    outputs = [run.communicate(timeout=60) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    files = _sql_files(project)
    assert len(files) == 3 and {name[:4] for name in files} == {"001_", "002_", "003_"}, files
    state = json.loads((project / FOLDER / "schema_state.json").read_text())
    assert state["head"] == files[-1]  # the state follows the later run's file


@pytest.mark.timeout(120)
def test_two_runs_started_together_never_share_a_number(project: Path) -> None:
    assert run_cli("migration", "init", "--root", project).returncode == 0
    runs = [_start(project, "email", WITH_EMAIL), _start(project, "phone", WITH_PHONE)]
    outputs = [run.communicate(timeout=60) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    numbers = [name[:3] for name in _sql_files(project)]
    assert numbers == ["001", "002", "003"]


def test_a_run_gives_up_waiting_with_one_line(tmp_path: Path) -> None:
    held = os.open(tmp_path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(held, fcntl.LOCK_EX)
        waiting = pytest.raises(InputError, match=r"^m: another `modelsync migration` has been")
        with waiting, folder_lock(tmp_path, "m", wait=0.3):
            pass
    finally:
        os.close(held)
    with folder_lock(tmp_path, "m", wait=0.3):  # free again
        pass


def test_a_run_that_writes_nothing_leaves_no_folder(project: Path) -> None:
    done = run_cli("migration", "same", "--from-file", "backend-core/models.py", "--root", project)
    assert done.returncode == 0 and "nothing to write" in done.stdout, done.stderr
    assert list(project.iterdir()) == [project / "backend-core"]


# ------------------------------------------------------------------ --baseline


def test_baseline_over_a_pending_change_is_refused(project: Path) -> None:
    assert run_cli("migration", "init", "--root", project).returncode == 0
    state = (project / FOLDER / "schema_state.json").read_bytes()
    _models(project, WITH_EMAIL)
    done = run_cli("migration", "--baseline", "--root", project)
    _one_line_error(done, f"{FOLDER}/schema_state.json: --baseline would record a model change")
    assert "table users changed since 001_init.sql: column email added" in done.stderr
    assert "--force" in done.stderr
    assert (project / FOLDER / "schema_state.json").read_bytes() == state
    check = run_cli("check", "--root", project, "--target", "backend-core/models.py")
    assert check.returncode == 1 and "migration_missing" in check.stdout + check.stderr


def test_baseline_with_force_records_it_and_says_so(project: Path) -> None:
    assert run_cli("migration", "init", "--root", project).returncode == 0
    _models(project, WITH_EMAIL)
    done = run_cli("migration", "--baseline", "--force", "--root", project, "--format", "json")
    assert done.returncode == 0, done.stderr
    (finding,) = json.loads(done.stdout)["findings"]
    assert finding["severity"] == "warning"
    assert finding["message"].startswith("recorded without a migration (--force): table users")
    text = run_cli("migration", "--baseline", "--force", "--root", project)
    assert text.returncode == 0 and text.stderr == ""  # nothing pending any more
    check = run_cli("check", "--root", project, "--target", "backend-core/models.py")
    assert check.returncode == 0, check.stdout


def test_force_goes_only_with_baseline(project: Path) -> None:
    done = _in_process("migration", "x", "--force", "--root", project)
    assert done.returncode == 2 and "--force only goes with --baseline" in done.stderr


# ------------------------------------------------------------------ past 999


def _state_after(project: Path, rename: dict[str, str]) -> None:
    """Rename migration files and the names the state records."""
    state = project / FOLDER / "schema_state.json"
    text = state.read_text()
    for old, new in rename.items():
        (project / FOLDER / old).rename(project / FOLDER / new)
        text = text.replace(f'"{old}"', f'"{new}"')
    state.write_text(text)


def test_past_999_migration_refuses_and_lint_agrees(project: Path) -> None:
    assert run_cli("migration", "init", "--root", project).returncode == 0
    _state_after(project, {"001_init.sql": "999_init.sql"})
    _models(project, WITH_EMAIL)
    done = run_cli("migration", "email", "--root", project)
    _one_line_error(done, "the next migration number, 1000, has more digits than the folder's")
    assert "rename every file to 4 digits" in done.stderr
    assert _sql_files(project) == ["999_init.sql"]
    # A 1000_ written by hand is what lint flags: by name it would run first.
    (project / FOLDER / "1000_email.sql").write_text("SELECT 1;\n")
    lint = run_cli("lint", "--root", project, "--select", "migration-name,migration-number",
                   "--format", "json")  # fmt: skip
    findings = json.loads(lint.stdout)["findings"]
    errors = [f for f in findings if f.get("severity", "error") == "error"]
    assert [(f["kind"], f["migration"]["path"]) for f in errors] == [
        ("migration-number", f"{FOLDER}/1000_email.sql")
    ], lint.stdout
    assert "sorts out of numeric order" in errors[0]["message"]


def test_a_folder_renumbered_to_four_digits_goes_on_past_999(project: Path) -> None:
    assert run_cli("migration", "init", "--root", project).returncode == 0
    _state_after(project, {"001_init.sql": "0999_init.sql"})
    _models(project, WITH_EMAIL)
    done = run_cli("migration", "email", "--root", project)
    assert done.returncode == 0, done.stderr
    _models(project, WITH_EMAIL + "    phone: Optional[str] = None\n")
    assert run_cli("migration", "phone", "--root", project).returncode == 0
    assert _sql_files(project) == ["0999_init.sql", "1000_email.sql", "1001_phone.sql"]
    lint = run_cli("lint", "--root", project, "--select", "migration-name,migration-number")
    assert lint.returncode == 0, lint.stdout  # what migration writes, its lint accepts
