"""verify's cached pristine cluster is checked every time it is used (issue 18).

One real ``initdb`` makes the pristine cluster of this module; each attack plants what a
hostile cache would hold in a copy of it (or in its place), then asks for a fresh data
folder as the throwaway server does. A planted cluster must never reach the data folder:
it is refused, a fresh ``initdb`` runs instead, and that replaces the cached one. Under
root the data folder goes to the server's user, as in verify; a link inside the planted
cluster must not lead that ``chown`` to a file of root's.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from modelsync import cache
from modelsync.verify import cluster
from modelsync.verify.server import _postgres_bin, _server_user

BIN = _postgres_bin()
NOBODY = 65534


def _scratch() -> Iterator[Path]:
    # Not under pytest's basetemp: initdb runs as the server's user under root, and a
    # pytest session starting meanwhile (another checkout's) makes /tmp/pytest-of-root
    # 0700 again, which that user then cannot enter.
    folder = Path(tempfile.mkdtemp(prefix="msc-", dir="/tmp"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def tmp_path() -> Iterator[Path]:
    """This module's temporary folders (see ``_scratch``)."""
    yield from _scratch()


@pytest.fixture(scope="module")
def pristine() -> Iterator[Path]:
    """The cache folder holding the pristine cluster one real initdb made."""
    for folder in _scratch():
        with _cache_at(folder / "cache"):
            _fresh(folder / "work")
            cached = cluster.cache_folder(BIN)
            assert cached is not None and (cached / cluster.MANIFEST).is_file()
            yield folder / "cache"


@pytest.fixture
def planted(pristine: Path, tmp_path: Path) -> Iterator[Path]:
    """A copy of the pristine cache, in use; yields the cached cluster's folder."""
    shutil.copytree(pristine, tmp_path / "cache", symlinks=True)
    with _cache_at(tmp_path / "cache"):
        yield cluster.cache_folder(BIN)


class _cache_at:  # noqa: N801 - used as a context manager
    def __init__(self, folder: Path):
        self.folder, self.before = folder, os.environ.get("MODELSYNC_CACHE_DIR")

    def __enter__(self) -> None:
        os.environ["MODELSYNC_CACHE_DIR"] = str(self.folder)

    def __exit__(self, *exc: object) -> None:
        if self.before is None:
            os.environ.pop("MODELSYNC_CACHE_DIR", None)
        else:
            os.environ["MODELSYNC_CACHE_DIR"] = self.before
        cache.take_notices()


def _fresh(work: Path) -> Path:
    """A fresh data folder as the throwaway server gets one."""
    work.mkdir(parents=True)
    user = _server_user(work)
    cluster.fresh_cluster(BIN, work / "data", user)
    return work / "data"


def _rewrite_manifest(cached: Path) -> None:
    """What an attacker who can write the folder as this user does after planting."""
    manifest = cluster.manifest_of(cached)  # the manifest file itself is not in it
    (cached / cluster.MANIFEST).write_text(cluster._manifest_text(manifest))


def _was_copied(data: Path, cached: Path) -> bool:
    """The data folder is the cached cluster itself (not a new initdb's: its pg_control,
    with the cluster's random system identifier, differs)."""
    return (data / "global" / "pg_control").read_bytes() == (
        cached / "global" / "pg_control"
    ).read_bytes()


def _control(cached: Path) -> bytes:
    return (cached / "global" / "pg_control").read_bytes()


def _assert_rebuilt(data: Path, planted_control: bytes) -> None:
    """``data`` is a new initdb's, not the planted cluster, and the cache now holds a
    cluster that passes every check: the next run copies it."""
    assert (data / "global" / "pg_control").read_bytes() != planted_control
    again = _fresh(data.parent.parent / "again")
    assert _was_copied(again, cluster.cache_folder(BIN))
    assert _was_copied(again, data.parent / "data")  # the one this run's initdb made


def test_an_honest_cache_is_copied_whole_and_handed_to_the_server(planted: Path, tmp_path):
    data = _fresh(tmp_path / "work")
    assert _was_copied(data, planted)
    # Every folder and byte, and nothing else (not the manifest).
    assert cluster.manifest_of(data) == cluster.manifest_of(planted)
    assert not (data / cluster.MANIFEST).exists()
    owner = os.stat(data.parent).st_uid  # the server's user under root, else this one
    for folder, dirs, files in os.walk(data):
        for name in (".", *dirs, *files):
            info = os.lstat(os.path.join(folder, name))
            assert info.st_uid == owner
            assert stat.S_IMODE(info.st_mode) in (0o700, 0o600)


def test_a_folder_holding_only_pg_version_falls_back_to_initdb(tmp_path: Path) -> None:
    # The case: every verify failed, with no fall back.
    folder = tmp_path / "cache"
    with _cache_at(folder):
        cached = cluster.cache_folder(BIN)
        cached.mkdir(mode=0o700)
        (cached / "PG_VERSION").write_text("18\n")
        data = _fresh(tmp_path / "work")
        assert (data / "global" / "pg_control").is_file()
        assert (cluster.cache_folder(BIN) / cluster.MANIFEST).is_file()  # rebuilt
        assert _was_copied(_fresh(tmp_path / "again"), cluster.cache_folder(BIN))


def test_a_command_in_the_configuration_is_refused_even_with_a_forged_manifest(
    planted: Path, tmp_path: Path
) -> None:
    canary = tmp_path / "canary"
    with open(planted / "postgresql.conf", "a") as conf:
        conf.write(f"archive_mode = on\narchive_command = 'touch {canary}'\n")
    (planted / "postgresql.auto.conf").write_text("shared_preload_libraries = 'evil'\n")
    _rewrite_manifest(planted)
    with pytest.raises(cluster.Untrusted, match=r"postgresql.conf: line \d+ sets 'archive_mode'"):
        cluster.copy_checked(planted, tmp_path / "probe", None)
    control = _control(planted)
    data = _fresh(tmp_path / "work")
    assert f"touch {canary}" not in (data / "postgresql.conf").read_text()
    assert "shared_preload_libraries" not in (data / "postgresql.auto.conf").read_text()
    _assert_rebuilt(data, control)


@pytest.mark.parametrize(
    "setting",
    ["include 'evil.conf'", "include_dir 'conf.d'", "ssl_passphrase_command = 'id'",
     "dynamic_library_path = '/tmp'", "restore_command = 'id'", "LOCAL_PRELOAD_LIBRARIES='x'"],
)  # fmt: skip
def test_only_the_settings_initdb_writes_pass(setting: str) -> None:
    conf = "# comment\nmax_connections = 100\t\t# (change requires restart)\ntimezone = 'UTC'\n"
    assert cluster.config_problem(conf) is None
    assert "which initdb does not" in cluster.config_problem(conf + setting + "\n")


def test_a_file_initdb_did_not_write_is_refused(planted: Path, tmp_path: Path) -> None:
    (planted / "postmaster.pid").write_text("1\n")
    with pytest.raises(cluster.Untrusted, match="postmaster.pid is not initdb's"):
        cluster.copy_checked(planted, tmp_path / "probe", None)


def test_a_changed_file_is_refused(planted: Path, tmp_path: Path) -> None:
    with open(planted / "pg_hba.conf", "a") as hba:
        hba.write("host all all 0.0.0.0/0 trust\n")
    with pytest.raises(cluster.Untrusted, match="pg_hba.conf differs from what initdb wrote"):
        cluster.copy_checked(planted, tmp_path / "probe", None)


def test_a_link_inside_the_cluster_never_leads_the_copy_or_chown_out(
    planted: Path, tmp_path: Path
) -> None:
    victim = tmp_path / "victim"
    victim.write_text("root's\n")
    victim.chmod(0o600)
    (planted / "base" / "evil").symlink_to(victim)
    (planted / "pg_tblspc" / "16384").symlink_to(tmp_path)  # what a tablespace is
    with pytest.raises(cluster.Untrusted, match="is not a folder or a regular file"):
        cluster.copy_checked(planted, tmp_path / "probe", None)
    before, control = os.lstat(victim), _control(planted)
    data = _fresh(tmp_path / "work")
    after = os.lstat(victim)
    assert (after.st_uid, after.st_gid, after.st_mode) == (
        before.st_uid,
        before.st_gid,
        before.st_mode,
    )
    assert not os.path.lexists(data / "base" / "evil")
    assert not os.path.lexists(data / "pg_tblspc" / "16384")
    _assert_rebuilt(data, control)


def test_a_cluster_folder_that_is_a_link_is_not_followed(planted: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    planted.rename(elsewhere)
    planted.symlink_to(elsewhere)
    with pytest.raises(OSError):  # fresh_cluster then falls back to initdb, as above
        cluster.copy_checked(planted, tmp_path / "probe", None)


@pytest.mark.skipif(os.geteuid() != 0, reason="planting another user's files needs root")
@pytest.mark.parametrize("what", ["folder", "file", "group_writable"])
def test_a_cluster_others_could_write_is_refused(planted: Path, tmp_path: Path, what: str) -> None:
    if what == "folder":
        os.chown(planted, NOBODY, NOBODY)
        needle = f"belongs to uid {NOBODY}"
    elif what == "file":
        os.chown(planted / "base" / "1" / "1259", NOBODY, NOBODY)
        needle = f"base/1/1259: it belongs to uid {NOBODY}"
    else:
        (planted / "global").chmod(0o770)
        needle = "global: group or others may write to it"
    with pytest.raises(cluster.Untrusted, match=needle):
        cluster.copy_checked(planted, tmp_path / "probe", None)


def test_an_unsafe_cache_folder_caches_nothing(pristine: Path, tmp_path: Path) -> None:
    shutil.copytree(pristine, tmp_path / "cache", symlinks=True)
    (tmp_path / "cache").chmod(0o777)
    with _cache_at(tmp_path / "cache"):
        assert cluster.cache_folder(BIN) is None  # fresh_cluster then runs initdb, uncached
        assert "group or others may write to it (mode 0777)" in cache.take_notices()[0]
