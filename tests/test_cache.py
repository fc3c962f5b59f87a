"""modelsync's cache folder: where it is, and that storing an entry writes only there."""

from __future__ import annotations

from pathlib import Path

import pytest

from modelsync import cache


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
    name = cache._entry("facts", key).name
    # Every name a write could go through, as links to the victim: the entry itself and
    # the temporary names an older scheme used.
    (folder / name).symlink_to(victim)
    for pid in range(1, 5):
        (folder / f".{name}.{pid}.tmp").symlink_to(victim)
    cache.store("facts", key, b"payload")
    assert victim.read_bytes() == b"precious\n"
    assert not (folder / name).is_symlink()
    assert cache.load("facts", key) == b"payload"
