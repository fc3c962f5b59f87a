"""``modelsync.files``: every file is read as a regular file, up to a limit, never blocking.

The special files are real ones: a FIFO with no writer (a reader that blocked would hang
the test until pytest-timeout fails it), ``/dev/zero`` and ``/dev/urandom`` behind links,
a sparse file larger than the limit, and ``/proc`` files whose size says 0.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from modelsync import files
from modelsync.errors import InputError

pytestmark = pytest.mark.timeout(30)


def _fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def _link(path: Path, to: str) -> Path:
    path.symlink_to(to)
    return path


SPECIAL = {
    "fifo": lambda tmp: _fifo(tmp / "state.json"),
    "dev_zero_link": lambda tmp: _link(tmp / "state.json", "/dev/zero"),
    "dev_urandom_link": lambda tmp: _link(tmp / "state.json", "/dev/urandom"),
    "dev_null_link": lambda tmp: _link(tmp / "state.json", "/dev/null"),
}


@pytest.mark.parametrize("kind", SPECIAL)
def test_a_special_file_is_refused_at_once(tmp_path: Path, kind: str) -> None:
    path = SPECIAL[kind](tmp_path)
    with pytest.raises(InputError) as caught:
        files.read_regular(path, "m/state.json")
    assert str(caught.value) == (
        "m/state.json: cannot read: not a regular file (a FIFO, socket or device is not read)"
    )
    assert files.text_or_none(path) is None
    with pytest.raises(files.Refused):
        files.read_bytes(path, 100)


def test_a_file_past_the_limit_is_refused_without_reading_it(tmp_path: Path) -> None:
    huge = tmp_path / "huge.sql"
    with open(huge, "wb") as handle:  # sparse: 3 GiB on no disk
        handle.truncate(3 << 30)
    with pytest.raises(InputError, match=r"^m/huge.sql: cannot read: too large \(over 64 MiB\)$"):
        files.read_regular(huge, "m/huge.sql")
    exact = tmp_path / "exact"
    exact.write_bytes(b"x" * 10)
    assert files.read_bytes(exact, 10) == b"x" * 10
    with pytest.raises(files.Refused, match="over 9 bytes"):
        files.read_bytes(exact, 9)


def test_a_file_whose_size_lies_is_cut_at_the_limit() -> None:
    # /proc files are regular and say 0 bytes, whatever they hold.
    assert os.stat("/proc/self/maps").st_size == 0
    with pytest.raises(files.Refused, match="too large"):
        files.read_bytes("/proc/self/maps", 16)
    assert files.read_bytes("/proc/self/maps", files.CONFIG_LIMIT).strip()


def test_missing_folder_and_bad_bytes_are_one_line_each(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"^m/a.py: file not found$"):
        files.read_regular(tmp_path / "a.py", "m/a.py")
    with pytest.raises(InputError, match=r"^m: is a directory, not a file$"):
        files.read_regular(tmp_path, "m")
    with pytest.raises(InputError, match=r"^m/a.py: cannot read: .*null"):
        files.read_regular(tmp_path / "a\0.py", "m/a.py")
    (tmp_path / "b.py").write_bytes(b"x = 1\ny = '\xff'\n")
    with pytest.raises(InputError, match=r"^m/b.py:2: not UTF-8 \(byte 0xff\)$"):
        files.read_text(tmp_path / "b.py", "m/b.py")
    assert files.text_or_none(tmp_path / "b.py") is None
    assert files.text_or_none(tmp_path / "nope") is None


def test_links_are_followed_only_inside_the_folder_given(tmp_path: Path) -> None:
    project, outside = tmp_path / "project", tmp_path / "secret.json"
    project.mkdir()
    outside.write_text("{}")
    (project / "inside.json").write_text("[]")
    _link(project / "in.json", "inside.json")
    _link(project / "out.json", str(outside))
    assert files.read_text(project / "in.json", "in.json", within=project) == "[]"
    with pytest.raises(InputError, match=r"^out.json: leads outside the project root \("):
        files.read_text(project / "out.json", "out.json", within=project)
    with pytest.raises(InputError, match=r"^out.json: elsewhere: " + str(tmp_path)):
        files.read_text(
            project / "out.json", "out.json", within=project, outside="elsewhere: {folder}"
        )
    assert files.read_text(project / "out.json", "out.json") == "{}"  # no folder given
    _link(project / "loop.json", "loop.json")
    with pytest.raises(InputError, match=r"^loop.json: cannot read"):
        files.read_text(project / "loop.json", "loop.json", within=project)


def test_without_following_links_a_link_is_refused(tmp_path: Path) -> None:
    (tmp_path / "real").write_bytes(b"data")
    _link(tmp_path / "link", "real")
    assert files.read_bytes(tmp_path / "link", 10) == b"data"
    with pytest.raises(files.Refused, match="symbolic link"):
        files.read_bytes(tmp_path / "link", 10, follow_links=False)
    folder = os.open(tmp_path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        assert files.read_bytes("real", 10, dir_fd=folder, follow_links=False) == b"data"
        with pytest.raises(files.Refused):
            files.read_bytes("link", 10, dir_fd=folder, follow_links=False)
    finally:
        os.close(folder)
