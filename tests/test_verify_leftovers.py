"""What a ``kill -9``ed verify leaves behind: its children die with it, and the next run
removes its temporary folder and its scratch databases and role, and nothing else.

Each test kills one real verify during the models import (the models sleep at import),
then checks what is left and what the next start (in-process) removes, with decoys that
must survive: folders and databases that look alike but are not stale or not verify's.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
import psycopg
import pytest

from modelsync.dburl import parse_database_url
from modelsync.verify import leftovers
from modelsync.verify.scratch import PREFIX, scratch_databases
from tests.conftest import REPO
from tests.test_verify_confine import made_by_verify
from tests.test_verify_server import MODELS, SLOW, make_project, processes_using

GONE_WITHIN = 15


def start_verify(root: Path, tmpdir: Path, *args: str, **env: str) -> subprocess.Popen:
    environment = {**os.environ, "TMPDIR": str(tmpdir), **env}
    return subprocess.Popen(
        [sys.executable, "-m", "modelsync", "verify", "--root", str(root), *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=environment,
        cwd=REPO,
    )


def kill_during_import(process: subprocess.Popen, marker: Path) -> None:
    """SIGKILL verify once its build child imports the models; the child must die too."""
    try:
        deadline = time.monotonic() + 90
        while not marker.exists() or not marker.read_text():
            assert process.poll() is None, "verify ended before the models import"
            assert time.monotonic() < deadline, "verify never reached the models import"
            time.sleep(0.05)
        child = int(marker.read_text())
        process.send_signal(signal.SIGKILL)
        process.wait(30)
    finally:
        if process.poll() is None:
            process.kill()
    assert gone(child), "the build child outlived verify"


def gone(pid: int) -> bool:
    deadline = time.monotonic() + GONE_WITHIN
    while time.monotonic() < deadline:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def short_tmp():
    folder = Path(tempfile.mkdtemp(prefix="msl-", dir="/tmp"))
    try:
        yield folder
    finally:
        import shutil

        shutil.rmtree(folder, ignore_errors=True)


def test_a_killed_throwaway_run_is_cleaned_by_the_next(short_tmp, monkeypatch):
    root = make_project(short_tmp / "project", MODELS + SLOW)
    scratch = short_tmp / "tmp"
    scratch.mkdir()
    marker = short_tmp / "importing"
    kill_during_import(start_verify(root, scratch, IMPORT_MARKER=str(marker)), marker)
    (left,) = scratch.glob("modelsync-verify-*")
    deadline = time.monotonic() + GONE_WITHIN
    while processes_using(left):
        assert time.monotonic() < deadline, "the server outlived verify"
        time.sleep(0.05)
    assert (left / "owner").is_file() and (left / "data" / "PG_VERSION").is_file()

    # Decoys, each missing one condition of a stale folder.
    no_owner = scratch / "modelsync-verify-noowner"
    no_owner.mkdir()
    alive = scratch / "modelsync-verify-alive"
    alive.mkdir()
    leftovers.claim_folder(alive)  # this test's process: alive
    linked = scratch / "modelsync-verify-linked"
    linked.mkdir()
    (linked / "owner").symlink_to(left / "owner")
    redirect = scratch / "modelsync-verify-symlink"
    redirect.symlink_to(left)
    other = scratch / "not-modelsync-verify-x"
    other.mkdir()
    (other / "owner").write_text((left / "owner").read_text())

    from modelsync.verify.server import throwaway_server

    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    with throwaway_server() as url:
        folder = Path(url.get("host"))
        assert folder.parent == scratch and (folder / "owner").is_file()
    assert sorted(p.name for p in scratch.iterdir()) == sorted(
        [no_owner.name, alive.name, linked.name, redirect.name, other.name]
    )


def test_a_killed_run_on_a_given_server_is_cleaned_by_the_next(short_tmp, postgres_server):
    root = make_project(short_tmp / "project", MODELS + SLOW)
    marker = short_tmp / "importing"
    url = parse_database_url(postgres_server.uri)
    process = start_verify(
        root, short_tmp, "--database-url", postgres_server.uri, IMPORT_MARKER=str(marker)
    )
    kill_during_import(process, marker)
    admin = psycopg.connect(postgres_server.libpq_url("postgres"), autocommit=True)
    decoys = []
    holder = user = None
    try:
        left = made_by_verify(admin)
        assert len(left) == 4, left  # expected, b, c and the run's role
        _wait_until_unused(admin, left)
        here = admin.execute("SELECT current_database()").fetchone()[0]
        # Decoys: unmarked; marked, but its run's lock is held (a run alive elsewhere);
        # marked, but a session is connected; marked for a lock in another database.
        live = leftovers.Marker("abcdef0123", here)
        used = leftovers.Marker("abcdef4567", here)
        elsewhere = leftovers.Marker("abcdef89ab", "another_database")
        for name, marked in (
            (f"{PREFIX}0000000000_x", None),
            (f"{PREFIX}{live.run}_x", live),
            (f"{PREFIX}{used.run}_x", used),
            (f"{PREFIX}{elsewhere.run}_x", elsewhere),
        ):
            admin.execute(f'CREATE DATABASE "{name}"')
            decoys.append(name)
            if marked is not None:
                leftovers.mark(admin, "DATABASE", name, marked)
        holder = psycopg.connect(postgres_server.libpq_url("postgres"), autocommit=True)
        holder.execute("SELECT pg_advisory_lock(%s, %s)", live.lock)
        user = psycopg.connect(postgres_server.libpq_url(f"{PREFIX}{used.run}_x"))

        with scratch_databases(url, ("x",), confine=True) as scratch:
            assert scratch.confined
        assert sorted(made_by_verify(admin)) == sorted(decoys)
    finally:
        for connection in (holder, user):
            if connection is not None:
                connection.close()
        for name in decoys:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def _wait_until_unused(admin, names: list[str]) -> None:
    """The killed run's backends end once they see their clients gone."""
    deadline = time.monotonic() + GONE_WITHIN
    while time.monotonic() < deadline:
        count = admin.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = ANY(%s)", (names,)
        ).fetchone()[0]
        if count == 0:
            return
        time.sleep(0.05)
    raise AssertionError(f"sessions still connected to {names}")


def test_a_folder_of_another_user_is_never_removed(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("needs root to make a folder that belongs to another user")
    folder = tmp_path / "modelsync-verify-foreign"
    folder.mkdir()
    (folder / "owner").write_text("999999 0\n")  # no such process
    os.chown(folder, 65534, 65534)
    assert leftovers.remove_stale_folders(tmp_path) == ()
    assert folder.is_dir()
    os.chown(folder, 0, 0)
    with contextlib.suppress(OSError):
        os.chown(folder / "owner", 65534, 65534)
    assert leftovers.remove_stale_folders(tmp_path) == ()
    os.chown(folder / "owner", 0, 0)
    assert leftovers.remove_stale_folders(tmp_path) == (folder,)
