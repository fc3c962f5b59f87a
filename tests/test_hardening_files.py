"""Hardening: no file modelsync reads can hang it, fill its memory or lead it outside.

Every input (the schema state, migrations, pyproject.toml, the models, the files a
SQLModel pin is read from, templates) is planted as a FIFO with no writer, a character
device like ``/dev/zero`` made in the project, a link to ``/dev/zero`` or ``/dev/urandom``,
or a sparse file far past the limit. Each run is a real process under a timeout: a reader
that blocked or read on would fail the case by time (pytest-timeout) rather than pass.
The schema state also gets a number longer than Python converts and links out of its
folder (issue 18).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from tests.hardening.harness import Case, DevZero, Fifo, Sparse, Symlink, run_case

STATE = "infra/postgres/migrations/schema_state.json"
MIGRATION = "infra/postgres/migrations/001_init.sql"
# A schema state holding no table: valid, so that what is refused is the file itself.
EMPTY_STATE = (
    '{\n  "modelsync_schema_state": 1,\n  "head": null,\n  "baseline_after": null,\n'
    '  "schema": {"source": "backend-core/models.py", "enums": [], "tables": []}\n}\n'
)
NOT_REGULAR = "not a regular file"
GIB = 1 << 30

CASES: list[Case] = []
for name, content, needle in (
    ("fifo", Fifo(), NOT_REGULAR),
    ("device", DevZero(), NOT_REGULAR),
    ("dev_zero_link", Symlink("/dev/zero"), "outside the migrations folder"),
    ("dev_urandom_link", Symlink("/dev/urandom"), "outside the migrations folder"),
    ("sparse_3_gib", Sparse(3 * GIB), "too large (over 64 MiB)"),
):
    for command in (("check",), ("migration", "next"), ("migration", "--baseline")):
        CASES.append(
            Case(
                f"state_{name}_{command[-1].strip('-')}",
                command,
                2,
                files={STATE: content},
                where=STATE,
                needle=needle,
            )
        )
CASES += [
    Case(
        "state_number_of_5000_digits",
        ("check",),
        2,
        files={STATE: EMPTY_STATE.replace(": 1,", ": " + "9" * 5000 + ",", 1)},
        where=STATE,
        line=True,
        needle="a number of 5000 digits",
    ),
    Case(
        "state_number_of_5000_digits_migration",
        ("migration", "next"),
        2,
        files={STATE: EMPTY_STATE.replace('"tables": []', '"tables": [' + "1" * 5000 + "]")},
        where=STATE,
        line=True,
        needle="a number of 5000 digits",
    ),
    Case(
        "state_nested_too_deeply",
        ("check",),
        2,
        files={STATE: "[" * 200_000 + "]" * 200_000},
        where=STATE,
        needle="nested too deeply",
    ),
    Case(
        # A valid state outside the project: it would be read (and its schema trusted).
        "state_linked_outside_the_root",
        ("check",),
        2,
        files={"../outside/state.json": EMPTY_STATE, STATE: Symlink("{base}/outside/state.json")},
        where=STATE,
        needle="outside the migrations folder",
    ),
    Case(
        "state_linked_to_a_secret",
        ("migration", "next"),
        2,
        files={STATE: Symlink("{base}/outside/secret.txt")},
        where=STATE,
        needle="outside the migrations folder",
    ),
    Case(
        # A link inside the folder is fine: the state's tables are empty, so the
        # models' table is a pending change (exit 1), which proves the state was read.
        "state_linked_inside_the_folder",
        ("check",),
        1,
        files={
            "infra/postgres/migrations/state-v1.json": EMPTY_STATE,
            STATE: Symlink("state-v1.json"),
        },
        needle="is new since the schema state was recorded",
    ),
    Case(
        "state_dangling_link",
        ("check",),
        2,
        files={STATE: Symlink("gone.json")},
        where=STATE,
        needle="file not found",
    ),
]
# pyproject.toml, the models, and the files a pin is read from.
for name, content, needle in (
    ("fifo", Fifo(), NOT_REGULAR),
    ("device", DevZero(), NOT_REGULAR),
    ("dev_urandom_link", Symlink("/dev/urandom"), NOT_REGULAR),
    ("sparse", Sparse(3 * GIB), "too large (over 16 MiB)"),
):
    CASES.append(
        Case(
            f"pyproject_{name}",
            ("check",),
            2,
            files={"pyproject.toml": content},
            where="pyproject.toml",
            needle=needle,
        )
    )
    for pin_file in ("backend-core/requirements.txt", "backend-core/uv.lock"):
        # Only consulted for a SQLModel pin: not read, and no pin from it.
        CASES.append(
            Case(
                f"{pin_file.split('/')[1]}_{name}",
                ("lint", "--select", "sqlmodel-release"),
                0,
                files={pin_file: content},
            )
        )
CASES += [
    Case("models_sparse", ("check",), 2, files={"backend-core/models.py": Sparse(3 * GIB)},
         where="backend-core/models.py", needle="too large (over 64 MiB)"),
    Case("schema_file_dev_urandom_link", ("schema", "random.py"), 2,
         files={"random.py": Symlink("/dev/urandom")},
         where="random.py", needle=NOT_REGULAR),
    Case("target_sparse", ("generate",), 2, files={"ai-worker/db.py": Sparse(3 * GIB)},
         where="ai-worker/db.py", needle="too large"),
    Case("template_fifo", ("generate",), 2,
         files={"pyproject.toml": '[tool.modelsync]\ntemplates_dir = "tpl"\n',
                "tpl/table.py.j2": Fifo()},
         needle=NOT_REGULAR),
    Case("template_sparse", ("generate",), 2,
         files={"pyproject.toml": '[tool.modelsync]\ntemplates_dir = "tpl"\n',
                "tpl/table.py.j2": Sparse(3 * GIB)},
         needle="too large"),
]  # fmt: skip
# A migration file that is not one: a lint finding at its name (MS843), and verify
# stops before any server starts.
for name, content, needle in (
    ("fifo", Fifo(), NOT_REGULAR),
    ("device", DevZero(), NOT_REGULAR),
    ("dev_zero_link", Symlink("/dev/zero"), "leads outside the project root: not read"),
    ("sparse", Sparse(3 * GIB), "too large (over 64 MiB)"),
):
    CASES.append(
        Case(
            f"migration_{name}_lint",
            ("lint", "--select", "migration-sql"),
            1,
            files={MIGRATION: content},
            needle=needle,
        )
    )
CASES.append(
    Case(
        "migration_fifo_verify",
        ("verify", "--format", "json"),
        1,
        files={MIGRATION: Fifo()},
        needle="not started: the migrations folder has errors",
        subprocess=True,
    )  # fmt: skip
)


# Far more than a run needs, far less than reading a device until memory runs out takes.
MEMORY = 1 << 30


@pytest.mark.timeout(60)
@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_file_attack(tmp_path: Path, case: Case) -> None:
    run_case(tmp_path, replace(case, subprocess=True, limit_memory=MEMORY))


@pytest.mark.timeout(60)
def test_a_migration_file_that_is_not_regular_is_named_in_the_finding(tmp_path: Path) -> None:
    outcome = run_case(
        tmp_path,
        Case(
            "named",
            ("lint", "--select", "migration-sql"),
            1,
            files={MIGRATION: Fifo()},
            limit_memory=MEMORY,
        ),  # fmt: skip
    )
    assert f"{MIGRATION}: MS843 [migration-sql] cannot read: {NOT_REGULAR}" in outcome.stdout
