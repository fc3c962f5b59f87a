"""modelsync's cache folder: where it is, that storing an entry writes only there, and
that nothing planted where the rules say not to trust it is believed."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from modelsync import cache
from tests.conftest import write_project


@pytest.fixture(autouse=True)
def _no_notice_left_over():
    # A notice is told (and forgotten) at the end of a command; a test that calls the
    # cache directly must not leave one for a later test's command to print.
    cache.take_notices()
    yield
    cache.take_notices()


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ("MODELSYNC_CACHE", "MODELSYNC_CACHE_DIR", "XDG_CACHE_HOME"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_where_the_cache_is(env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    env.setenv("HOME", str(tmp_path / "home"))
    assert cache.cache_dir() == tmp_path / "home" / ".cache" / "modelsync"
    env.setenv("XDG_CACHE_HOME", "relative/ignored")
    assert cache.cache_dir() == tmp_path / "home" / ".cache" / "modelsync"
    env.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.cache_dir() == tmp_path / "xdg" / "modelsync"
    env.setenv("MODELSYNC_CACHE_DIR", str(tmp_path / "explicit"))
    assert cache.cache_dir() == tmp_path / "explicit"
    env.setenv("MODELSYNC_CACHE", "0")
    assert cache.cache_dir() is None


@pytest.mark.parametrize("home", ["", "/", "relative"])
def test_no_home_folder_means_no_cache(env: pytest.MonkeyPatch, home: str) -> None:
    # Not ./.cache, /.cache or ./relative/.cache: no cache at all.
    env.setenv("HOME", home)
    assert cache.cache_dir() is None


def test_entries_are_read_back_only_for_the_same_identity(env, tmp_path: Path) -> None:
    env.setenv("MODELSYNC_CACHE_DIR", str(tmp_path))
    key = cache.identity(b"kind-1", b"the input")
    cache.store("facts", key, b"payload")
    assert cache.load("facts", key) == b"payload"
    assert cache.load("facts", cache.identity(b"kind-1", b"other input")) is None
    assert cache.load("other", key) is None
    assert cache.identity(b"ab", b"c") != cache.identity(b"a", b"bc")


def test_a_planted_symlink_cannot_redirect_a_write(env, tmp_path: Path) -> None:
    env.setenv("MODELSYNC_CACHE_DIR", str(tmp_path / "cache"))
    victim = tmp_path / "victim"
    victim.write_bytes(b"precious\n")
    key = cache.identity(b"x")
    folder = tmp_path / "cache" / "facts"
    folder.mkdir(parents=True)
    name = cache.entry_name(key)
    # Every name a write could go through, as links to the victim: the entry itself and
    # the temporary names an older scheme used.
    (folder / name).symlink_to(victim)
    for pid in range(1, 5):
        (folder / f".{name}.{pid}.tmp").symlink_to(victim)
    cache.store("facts", key, b"payload")
    assert victim.read_bytes() == b"precious\n"
    assert not (folder / name).is_symlink()
    assert cache.load("facts", key) == b"payload"


# ---------------------------------------------------------------- what the cache trusts
# (issue 18) Each attack plants what a forged entry needs (its exact identity, so that it
# would be believed) in a place the rules say must not be trusted; the entry must not be
# used, and the run must say so once instead of failing.

NOBODY = 65534
needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="planting another user's file needs root")


def _plant(folder: Path, kind: str, key: bytes, payload: bytes) -> Path:
    (folder / kind).mkdir(parents=True, exist_ok=True)
    entry = folder / kind / cache.entry_name(key)
    entry.write_bytes(len(key).to_bytes(8, "big") + key + payload)
    return entry


@pytest.fixture
def mine(env: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A cache folder of this user's, made by modelsync (0700)."""
    folder = tmp_path / "cache"
    env.setenv("MODELSYNC_CACHE_DIR", str(folder))
    cache.store("facts", cache.identity(b"warm"), b"up")
    cache.take_notices()
    return folder


def test_the_folder_and_its_parents_are_made_private(env, tmp_path: Path) -> None:
    env.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg" / "cache"))
    before = os.umask(0o022)  # the usual one: os.makedirs would make the parents 0755
    try:
        cache.store("facts", cache.identity(b"k"), b"v")
    finally:
        os.umask(before)
    made = tmp_path / "xdg" / "cache" / "modelsync"
    for folder in (made.parent.parent, made.parent, made, made / "facts"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    (entry,) = (made / "facts").iterdir()
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600
    assert cache.take_notices() == ()


@pytest.mark.parametrize("mode", [0o777, 0o770, 0o702])
def test_a_folder_others_may_write_is_not_used(env, tmp_path: Path, mode: int) -> None:
    folder = tmp_path / "shared"
    env.setenv("MODELSYNC_CACHE_DIR", str(folder))
    key = cache.identity(b"input")
    _plant(folder, "facts", key, b"forged")
    folder.chmod(mode)
    assert cache.load("facts", key) is None
    (told,) = cache.take_notices()
    assert (
        told
        == f"the cache folder {folder} is not used: group or others may write to it (mode {mode:04o})"
    )
    cache.store("facts", key, b"honest")  # not written either
    assert (folder / "facts" / cache.entry_name(key)).read_bytes().endswith(b"forged")


def test_a_kind_folder_others_may_write_is_not_used(mine: Path) -> None:
    key = cache.identity(b"input")
    _plant(mine, "facts", key, b"forged")
    (mine / "facts").chmod(0o777)
    assert cache.load("facts", key) is None
    assert "may write to it (mode 0777)" in cache.take_notices()[0]


def test_a_kind_folder_that_is_a_link_is_not_followed(mine: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    key = cache.identity(b"input")
    _plant(elsewhere, "facts", key, b"forged")
    shutil.rmtree(mine / "facts")
    (mine / "facts").symlink_to(elsewhere / "facts")
    assert cache.load("facts", key) is None
    cache.store("facts", key, b"honest")
    assert (elsewhere / "facts" / cache.entry_name(key)).read_bytes().endswith(b"forged")


@needs_root
def test_another_users_folder_or_entry_is_not_used(env, tmp_path: Path) -> None:
    folder = tmp_path / "theirs"
    env.setenv("MODELSYNC_CACHE_DIR", str(folder))
    key = cache.identity(b"input")
    entry = _plant(folder, "facts", key, b"forged")
    os.chown(folder, NOBODY, NOBODY)
    assert cache.load("facts", key) is None
    assert f"belongs to uid {NOBODY}" in cache.take_notices()[0]
    os.chown(folder, 0, 0)
    os.chown(entry, NOBODY, NOBODY)
    assert cache.load("facts", key) is None
    assert cache.take_notices() == (
        f"the cache entry {folder}/facts/{entry.name} is not used: it belongs to uid "
        f"{NOBODY}, not to uid 0 running modelsync",
    )
    cache.store("facts", key, b"honest")  # replaced by one of ours
    assert cache.load("facts", key) == b"honest"


def test_an_entry_others_may_write_is_not_used(mine: Path) -> None:
    key = cache.identity(b"input")
    entry = _plant(mine, "facts", key, b"forged")
    entry.chmod(0o666)
    assert cache.load("facts", key) is None
    assert "mode 0666" in cache.take_notices()[0]
    entry.chmod(0o644)  # readable by others is fine: the entry holds nothing secret
    assert cache.load("facts", key) == b"forged"


@pytest.mark.timeout(30)
@pytest.mark.parametrize("to", ["planted", "/dev/zero", "/dev/urandom", "fifo"])
def test_an_entry_that_is_a_link_or_a_fifo_is_not_followed(
    mine: Path, tmp_path: Path, to: str
) -> None:
    key = cache.identity(b"input")
    entry = mine / "facts" / cache.entry_name(key)
    if to == "fifo":
        os.mkfifo(entry)
    elif to == "planted":
        planted = _plant(tmp_path / "elsewhere", "facts", key, b"forged")
        entry.symlink_to(planted)
    else:
        entry.symlink_to(to)
    assert cache.load("facts", key) is None
    (told,) = cache.take_notices()
    assert told.startswith(f"the cache entry {entry} is not used: ")
    cache.store("facts", key, b"honest")
    assert cache.load("facts", key) == b"honest" and not entry.is_symlink()


def test_an_entry_past_the_limit_is_not_read(mine: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key = cache.identity(b"input")
    entry = _plant(mine, "facts", key, b"")
    with open(entry, "r+b") as handle:  # sparse: a huge payload on no disk
        handle.truncate(3 << 30)
    assert cache.load("facts", key) is None


@pytest.mark.parametrize("value", ["relative/cache", "cache", "./.cache", "~/cache"])
def test_a_relative_cache_dir_is_refused_not_written_into_the_project(
    env, tmp_path: Path, value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    env.setenv("MODELSYNC_CACHE_DIR", value)
    monkeypatch.chdir(tmp_path)
    assert cache.cache_dir() is None
    cache.store("facts", cache.identity(b"k"), b"v")
    assert list(tmp_path.iterdir()) == []
    assert cache.take_notices() == (
        f"MODELSYNC_CACHE_DIR={value!r} is not an absolute path: no cache used",
    )


def test_the_cli_says_once_why_the_cache_was_not_used(env, tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o777)
    shared.chmod(0o777)
    root = _project(tmp_path)
    done = _cli(["lint", "--root", root, "--select", "migration-sql"], shared)
    assert done.returncode == 0, done.stderr
    assert done.stderr == (
        f"modelsync: warning: the cache folder {shared} is not used: group or others may "
        "write to it (mode 0777)\n"
    )
    assert list(shared.iterdir()) == []


def _project(tmp_path: Path, sql: str = "SELECT 1;\n", drift: bool = False) -> Path:
    """A project whose check finds drift (``drift``) and whose lint finds ``sql`` bad."""
    root = tmp_path / "project"
    models = 'from typing import Optional\nfrom sqlmodel import Field, SQLModel\n\n\nclass User(SQLModel, table=True):\n    __tablename__ = "users"\n    id: Optional[int] = Field(default=None, primary_key=True)\n    name: str\n'
    write_project(root, models, models.replace("name: str", "name: int") if drift else models,
                  config="[tool.modelsync]\nvector_dim = 768\n")  # fmt: skip
    (root / "infra" / "postgres" / "migrations").mkdir(parents=True)
    (root / "infra" / "postgres" / "migrations" / "001_init.sql").write_text(sql)
    return root


def _cli(args: list, cache_dir: Path) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "MODELSYNC_CACHE_DIR": str(cache_dir)}
    environment.pop("MODELSYNC_CACHE", None)
    command = [sys.executable, "-m", "modelsync", *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, env=environment, timeout=120)


def _key_of(code: str, root: Path) -> bytes:
    """The identity a run computes, as the attacker computes it: from modelsync itself."""
    probe = f"import sys; root = {str(root)!r}\n{code}\nsys.stdout.buffer.write(key)"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, check=True)
    return done.stdout


@needs_root
@pytest.mark.parametrize("how", ["other_owner", "world_writable"])
def test_a_planted_toml_document_does_not_turn_findings_into_a_pass(
    tmp_path: Path, how: str
) -> None:
    root = _project(tmp_path, sql="CREATE TABLE x (;\n", drift=True)
    shared = tmp_path / "shared"
    key = _key_of(
        "from modelsync import cache, tomlfile\n"
        "text = open(root + '/pyproject.toml').read()\n"
        "key = cache.identity(tomlfile.FORMAT, tomlfile._PARSER, text.encode())",
        root,
    )
    # The forged document makes check compare the source with itself, and lint ignore
    # the SQL that does not parse.
    forged = {"target": "backend-core/models.py", "lint": {"ignore": ["migration-sql"]}}
    forged = repr({"tool": {"modelsync": forged}}).encode()
    entry = _plant(shared, "toml", key, forged)
    if how == "other_owner":
        for path in (shared, shared / "toml", entry):
            os.chown(path, NOBODY, NOBODY)
    else:
        for path in (shared, shared / "toml"):
            path.chmod(0o777)
    for command in ("check", "lint"):
        done = _cli([command, "--root", root], shared)
        assert done.returncode == 1, done.stdout + done.stderr
        assert "modelsync: warning: the cache folder" in done.stderr
    assert entry.read_bytes().endswith(forged)  # and never replaced by a run
    # The forgery is a real one: in a folder of this user's it is believed.
    for path in (shared, shared / "toml", entry):
        os.chown(path, 0, 0)
        path.chmod(0o700)
    assert [_cli([c, "--root", root], shared).returncode for c in ("check", "lint")] == [0, 0]


@needs_root
def test_a_planted_sql_verdict_does_not_hide_ms843(tmp_path: Path) -> None:
    root = _project(tmp_path, sql="CREATE TABLE x (;\n")
    shared = tmp_path / "shared"
    key = _key_of(
        "from modelsync.lint import sql_cache\n"
        "path = root + '/infra/postgres/migrations/001_init.sql'\n"
        "key = sql_cache.key_for('infra/postgres/migrations/001_init.sql', open(path, 'rb').read())",
        root,
    )
    entry = _plant(shared, "sql", key, b"ok\t\t")
    for path in (shared, shared / "sql", entry):
        os.chown(path, NOBODY, NOBODY)
    done = _cli(["lint", "--root", root, "--select", "migration-sql"], shared)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "MS843" in done.stdout
    # The same entry in a folder of this user's is believed: that is the trust the README
    # states (whoever writes as you can forge what the cache says).
    for path in (shared, shared / "sql", entry):
        os.chown(path, 0, 0)
    assert _cli(["lint", "--root", root, "--select", "migration-sql"], shared).returncode == 0
