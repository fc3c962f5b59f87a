"""Hardening, class 2: generate writes only inside the project (issue 10).

Configured paths leading out of ``--root`` are refused unless the command line says
``--allow-outside-root``; symlinked targets are followed (the link stays), read-only and
non-regular targets are refused, and a failed write leaves no temporary file.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hardening.harness import (
    Case,
    DevZero,
    Fifo,
    ReadOnly,
    Symlink,
    build,
    generated_target,
    run_case,
    run_inprocess,
)

OUT = "outside the project root"


def _config(key: str, value: str) -> str:
    return f'[tool.modelsync]\n# a comment\n{key} = "{value}"\n'


CASES: list[Case] = []
# Every configured path, every way out of the root, from the file: refused at its line.
ESCAPES = {
    "parent": "../outside/victim.py",
    "deep_parent": "ai-worker/../../outside/victim.py",
    "absolute": "{base}/outside/victim.py",
    "etc": "/etc/passwd",
    "root_dir": "/",
    "dot_dot": "..",
}
for _key in ("source", "target", "migrations", "templates_dir"):
    for _label, _value in ESCAPES.items():
        for _command in ("generate", "check"):
            CASES.append(
                Case(
                    f"{_key}_{_label}_{_command}",
                    (_command,),
                    2,
                    files={"pyproject.toml": _config(_key, _value)},
                    where="pyproject.toml:3",
                    needle=OUT,
                )
            )
# The same from flags: refused, naming the flag.
for _flag in ("--source", "--target", "--migrations"):
    CASES.append(Case(f"flag{_flag}", ("generate", _flag, "../outside/victim.py"), 2, needle=OUT))
CASES += [
    Case(
        "config_cannot_allow_outside",
        ("generate",),
        2,
        files={"pyproject.toml": "[tool.modelsync]\nallow_outside_root = true\n"},
        where="pyproject.toml:2",
        needle="command-line flag only",
    ),
    Case(
        "symlinked_folder_leading_out",
        ("generate",),
        2,
        files={"ai-worker": Symlink("{base}/outside")},
        needle=OUT,
    ),
    Case(
        "symlinked_target_leading_out",
        ("generate",),
        2,
        files={"ai-worker/db.py": Symlink("{base}/outside/victim.py")},
        needle=OUT,
    ),
    Case(
        "nul_byte_in_target",
        ("generate",),
        2,
        files={"pyproject.toml": '[tool.modelsync]\n\ntarget = "ai-worker/db\\u0000.py"\n'},
        where="pyproject.toml:3",
        needle="NUL byte",
    ),
    Case(
        "long_name_in_source",
        ("check",),
        2,
        files={"pyproject.toml": _config("source", "x" * 300 + ".py")},
        where="pyproject.toml:3",
        needle="longer than 255 bytes",
    ),
    Case(
        "long_path",
        ("check",),
        2,
        files={"pyproject.toml": _config("source", "/".join(["abcdefgh"] * 600))},
        where="pyproject.toml:3",
        needle="longer than 4096 bytes",
    ),
    Case(
        "empty_target",
        ("generate",),
        2,
        files={"pyproject.toml": _config("target", "")},
        where="pyproject.toml:3",
    ),
    Case("long_flag_name", ("check", "--target", "y" * 300), 2, needle="longer than 255"),
    Case("nul_flag", ("check", "--source", "a\x00b"), 2, needle="NUL byte"),
    Case(
        "target_is_directory",
        ("generate",),
        2,
        files={"ai-worker/db.py": None, "ai-worker/db.py/inner.py": "x = 1\n"},
        where="ai-worker/db.py",
    ),
    Case(
        "read_only_target",
        ("generate",),
        2,
        files={"ai-worker/db.py": ReadOnly("from sqlmodel import SQLModel\n")},
        where="ai-worker/db.py",
        needle="read-only",
    ),
    Case(
        "dangling_symlink_target",
        ("generate",),
        2,
        files={"ai-worker/db.py": Symlink("gone.py")},
        where="ai-worker/db.py",
    ),
    Case(
        "symlink_loop_target",
        ("generate",),
        2,
        files={"ai-worker/db.py": Symlink("db.py")},
    ),
    Case(
        "source_symlink_loop",
        ("check",),
        2,
        files={"backend-core/models.py": Symlink("models.py")},
    ),
    Case(
        "symlinked_target_inside_is_followed",
        ("generate",),
        0,
        files={
            "ai-worker/real.py": "from sqlmodel import SQLModel\n",
            "ai-worker/db.py": Symlink("real.py"),
        },
        after=lambda project: _link_kept(project),
    ),
    Case(
        "fifo_target",
        ("generate",),
        2,
        files={"ai-worker/db.py": Fifo()},
        where="ai-worker/db.py",
        needle="not a regular file",
        subprocess=True,
    ),
    Case(
        "fifo_source",
        ("check",),
        2,
        files={"backend-core/models.py": Fifo()},
        where="backend-core/models.py",
        subprocess=True,
    ),
    Case(
        "dev_zero_source",
        ("check",),
        2,
        files={"backend-core/models.py": DevZero()},
        where="backend-core/models.py",
        needle="not a regular file",
        subprocess=True,
    ),
    Case(
        "dev_zero_target",
        ("generate",),
        2,
        files={"ai-worker/db.py": DevZero()},
        where="ai-worker/db.py",
        needle="not a regular file",
        subprocess=True,
    ),
    Case(
        "disk_full_while_writing",
        ("generate",),
        2,
        files={"ai-worker/db.py": None},
        target="none",
        where="ai-worker/db.py",
        needle="cannot write",
        limit_file_size=100,
    ),
    Case(
        "disk_full_rewriting",
        ("generate", "--force"),
        2,
        files={"ai-worker/db.py": "from sqlmodel import SQLModel\n" + "# pad\n" * 5},
        where="ai-worker/db.py",
        needle="cannot write",
        limit_file_size=200,
        after=lambda project: _unchanged(
            project, "from sqlmodel import SQLModel\n" + "# pad\n" * 5
        ),
    ),
    Case(
        "pyproject_is_directory",
        ("check",),
        2,
        files={"pyproject.toml/x": "x"},
        where="pyproject.toml",
    ),
    Case(
        "pyproject_is_fifo",
        ("check",),
        2,
        files={"pyproject.toml": Fifo()},
        where="pyproject.toml",
        subprocess=True,
    ),
]


def _link_kept(project: Path) -> None:
    link = project / "ai-worker" / "db.py"
    assert link.is_symlink(), "the symlink was replaced by a regular file"
    assert "modelsync: begin generated" in (project / "ai-worker" / "real.py").read_text()


def _unchanged(project: Path, text: str) -> None:
    assert (project / "ai-worker" / "db.py").read_text() == text


@pytest.mark.timeout(30)
@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_path_attack(tmp_path: Path, case: Case) -> None:
    run_case(tmp_path, case)
    target = tmp_path / "project" / "ai-worker" / "db.py"
    if (
        case.code == 2
        and case.target == "generated"
        and target.is_file()
        and not target.is_symlink()
    ) and "ai-worker/db.py" not in case.files:
        assert target.read_text(encoding="utf-8") == generated_target(), "target changed"


@pytest.mark.timeout(30)
def test_the_flag_allows_outside_on_purpose(tmp_path: Path) -> None:
    # Only the command line can say so; the write then goes where it points.
    elsewhere = tmp_path / "elsewhere"
    project = tmp_path / "case"
    build(project, Case("allowed", ("generate",), 0))
    outcome = run_inprocess(
        project / "project",
        ("generate", "--allow-outside-root", "--target", str(elsewhere / "db.py")),
    )
    assert outcome.code == 0, outcome.stderr
    assert "modelsync: begin generated" in (elsewhere / "db.py").read_text()
