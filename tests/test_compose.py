"""The docker-compose file as Compose reads it, and lint's migration-mount rule (MS844) on
real compose files of every shape: short and long syntax, a folder and single files,
interpolation, no PostgreSQL service, migrations not mounted, and hostile YAML."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from modelsync.compose.interpolate import TemplateError, substitute
from modelsync.compose.services import read_project
from modelsync.errors import ConfigError
from tests.conftest import run_cli
from tests.lint_helpers import CLEAN_MODELS, lint_files, write

M = "infra/postgres/migrations"
SOURCE = "backend-core/models.py"
MIGRATIONS = {
    f"{M}/001_create_users.sql": "CREATE TABLE IF NOT EXISTS users (id int);\n",
    f"{M}/002_add_email.sql": "ALTER TABLE users ADD COLUMN IF NOT EXISTS email text;\n",
}
INIT = {"infra/postgres/init.sql": "CREATE EXTENSION IF NOT EXISTS vector;\n"}

# The seed project's layout: only init.sql is mounted, the migrations are not.
SEED = """\
services:
  db:
    image: pgvector/pgvector:pg16
    environment:
      POSTGRES_USER: admin
    volumes:
      - pgdata:/var/lib/postgresql/data
      - ./infra/postgres/init.sql:/docker-entrypoint-initdb.d/init.sql
  backend:
    build: ./backend-core
volumes:
  pgdata:
"""


def mount_findings(
    root: Path, compose: str, files: dict[str, str] | None = None, name="docker-compose.yml"
):
    found = lint_files(
        root, {**MIGRATIONS, **INIT, **(files or {}), name: compose}, select=("migration-mount",)
    )
    return [(f.location.path, f.location.line, f.severity, f.message) for f in found]


def test_the_seed_layout_fires_at_the_volumes_line(tmp_path: Path) -> None:
    (found,) = mount_findings(tmp_path, SEED)
    path, line, severity, message = found
    assert (path, line, severity) == ("docker-compose.yml", 6, "error")
    assert message.startswith(
        "service db's /docker-entrypoint-initdb.d holds init.sql: none of the 2 migration(s) "
        "in ./infra/postgres/migrations reach it"
    )


def test_the_seed_layout_through_the_cli(tmp_path: Path) -> None:
    write(tmp_path, {**MIGRATIONS, **INIT, "docker-compose.yml": SEED, SOURCE: CLEAN_MODELS})
    result = run_cli("lint", "--root", tmp_path, "--select", "migration-mount", "--format", "json")
    assert result.returncode == 1, result.stdout + result.stderr
    assert '"compose": {\n        "path": "docker-compose.yml",\n        "line": 6' in result.stdout
    assert "./infra/postgres/migrations:/docker-entrypoint-initdb.d:ro" in result.stdout


FOLDER_SHORT = """\
services:
  db:
    image: postgres:18
    volumes:
      - ./infra/postgres/migrations:/docker-entrypoint-initdb.d:ro
"""
FOLDER_LONG = """\
services:
  db:
    image: docker.io/library/postgres:18@sha256:0123
    volumes:
      - type: bind
        source: ./infra/postgres/migrations
        target: /docker-entrypoint-initdb.d/
        read_only: true
"""
FILES_SHORT = """\
services:
  database:
    image: "pgvector/pgvector:pg18"
    volumes:
      - "./infra/postgres/migrations/001_create_users.sql:/docker-entrypoint-initdb.d/001_create_users.sql"
      - ./infra/postgres/migrations/002_add_email.sql:/docker-entrypoint-initdb.d/002_add_email.sql:ro
"""
WITH_INIT_FIRST = """\
services:
  db:
    image: postgres
    volumes:
      - ./infra/postgres/migrations:/docker-entrypoint-initdb.d
      - ./infra/postgres/init.sql:/docker-entrypoint-initdb.d/000_init.sql
"""
BUILT = """\
services:
  db:
    build: ./db
    environment:
      - POSTGRES_PASSWORD=secret
    volumes:
      - ./infra/postgres/migrations:/docker-entrypoint-initdb.d
"""
MERGE_KEY = """\
x-db: &db
  image: postgres:18
  volumes:
    - ./infra/postgres/migrations:/docker-entrypoint-initdb.d
services:
  db:
    <<: *db
    ports: ["5432:5432"]
"""
CONFIGS = """\
configs:
  first:
    file: ./infra/postgres/migrations/001_create_users.sql
  second:
    file: ./infra/postgres/migrations/002_add_email.sql
services:
  db:
    image: postgres
    configs:
      - source: first
        target: /docker-entrypoint-initdb.d/001_create_users.sql
      - source: second
        target: /docker-entrypoint-initdb.d/002_add_email.sql
"""


@pytest.mark.parametrize(
    "compose",
    [FOLDER_SHORT, FOLDER_LONG, FILES_SHORT, WITH_INIT_FIRST, BUILT, MERGE_KEY, CONFIGS],
    ids=[
        "folder-short",
        "folder-long",
        "files-short",
        "init-first",
        "built",
        "merge-key",
        "configs",
    ],
)
def test_clean_shapes(tmp_path: Path, compose: str) -> None:
    assert mount_findings(tmp_path, compose) == []


def test_one_migration_not_mounted(tmp_path: Path) -> None:
    compose = FILES_SHORT.rsplit("\n      - ./infra", 1)[0] + "\n"
    (found,) = mount_findings(tmp_path, compose)
    assert (
        found[1] == 4
        and "002_add_email.sql of ./infra/postgres/migrations do not reach it" in found[3]
    )


def test_nothing_mounted_fires_at_the_service_line(tmp_path: Path) -> None:
    compose = "services:\n  web:\n    image: nginx\n  pg:\n    image: postgres:18\n"
    (found,) = mount_findings(tmp_path, compose)
    assert found[1] == 4 and found[3].startswith(
        "service pg mounts nothing into /docker-entrypoint-initdb.d: none of the 2"
    )


def test_a_subfolder_is_never_entered(tmp_path: Path) -> None:
    compose = "services:\n  db:\n    image: postgres\n    volumes:\n      - ./infra/postgres:/docker-entrypoint-initdb.d\n"
    (found,) = mount_findings(tmp_path, compose)
    assert found[1] == 5
    assert (
        "mounts ./infra/postgres/migrations as /docker-entrypoint-initdb.d/migrations/..."
        in found[3]
    )


def test_names_that_sort_against_the_numbering(tmp_path: Path) -> None:
    compose = (
        "services:\n  db:\n    image: postgres\n    volumes:\n"
        "      - ./infra/postgres/migrations/001_create_users.sql:/docker-entrypoint-initdb.d/2.sql\n"
        "      - ./infra/postgres/migrations/002_add_email.sql:/docker-entrypoint-initdb.d/10.sql\n"
    )
    (found,) = mount_findings(tmp_path, compose)
    assert found[1] == 6 and found[3].startswith(
        "002_add_email.sql runs before 001_create_users.sql"
    )


def test_a_name_the_image_does_not_run(tmp_path: Path) -> None:
    compose = FILES_SHORT.replace(
        "/docker-entrypoint-initdb.d/002_add_email.sql:ro",
        "/docker-entrypoint-initdb.d/002_add_email.txt",
    )
    (found,) = mount_findings(tmp_path, compose)
    assert found[1] == 6 and "a name the postgres image does not run" in found[3]


def test_an_init_script_after_the_migrations_is_a_warning(tmp_path: Path) -> None:
    compose = WITH_INIT_FIRST.replace("000_init.sql", "init.sql")
    (found,) = mount_findings(tmp_path, compose)
    assert found[:3] == ("docker-compose.yml", 6, "warning")
    assert "init.sql runs after the migration 001_create_users.sql" in found[3]


def test_no_compose_file_is_silent(tmp_path: Path) -> None:
    assert lint_files(tmp_path, {**MIGRATIONS}, select=("migration-mount",)) == ()


def test_no_postgres_service_is_a_warning_not_a_finding(tmp_path: Path) -> None:
    compose = "services:\n  web:\n    image: nginx:1\n"
    write(tmp_path, {**MIGRATIONS, "compose.yaml": compose, SOURCE: CLEAN_MODELS})
    result = run_cli("lint", "--root", tmp_path, "--select", "migration-mount")
    assert result.returncode == 0
    assert "compose.yaml:1: warning: no PostgreSQL service in compose.yaml" in result.stderr


INTERPOLATED = """\
services:
  db:
    image: ${DB_IMAGE:-pgvector/pgvector:pg16}
    volumes:
      - ${MIGRATIONS:-./infra/postgres/migrations}:/docker-entrypoint-initdb.d
"""


def test_interpolation_defaults(tmp_path: Path) -> None:
    assert mount_findings(tmp_path, INTERPOLATED) == []


def test_interpolation_from_dotenv_beside_the_compose_file(tmp_path: Path) -> None:
    compose = "services:\n  db:\n    image: postgres\n    volumes:\n      - ${MIGRATIONS}:${INIT-/docker-entrypoint-initdb.d}\n"
    found = mount_findings(
        tmp_path,
        compose,
        {".env": "# the team's\nexport MIGRATIONS='./infra/postgres/migrations'\n"},
    )
    assert found == []
    # .env names another folder: the migrations are not mounted
    found = mount_findings(tmp_path, compose, {".env": "MIGRATIONS=./infra/postgres\n"})
    assert len(found) == 1 and "a subfolder" in found[0][3]


def test_a_value_that_needs_the_environment_is_a_note_not_a_guess(tmp_path: Path) -> None:
    compose = "services:\n  db:\n    image: postgres\n    volumes:\n      - ${MIGRATIONS}:/docker-entrypoint-initdb.d\n"
    os.environ["MIGRATIONS"] = "./nowhere"  # never read: the answer must not depend on it
    try:
        write(tmp_path, {**MIGRATIONS, "docker-compose.yml": compose, SOURCE: CLEAN_MODELS})
        result = run_cli("lint", "--root", tmp_path, "--select", "migration-mount")
    finally:
        del os.environ["MIGRATIONS"]
    assert result.returncode == 0, result.stdout
    assert (
        "docker-compose.yml:5: warning: a volume of service db needs MIGRATIONS from the "
        "environment (not set in .env, no default): not followed"
    ) in result.stderr


@pytest.mark.parametrize(
    ("template", "env", "value", "missing"),
    [
        ("$$HOME/x", {}, "$HOME/x", ()),
        ("${A}-${B:-b}-${C-c}", {"A": "a", "C": ""}, "a-b-", ()),
        ("${A:+yes}${B+no}", {"A": "1"}, "yes", ()),
        ("${A:-${B:-deep}}", {}, "deep", ()),
        ("$A/${B:?needed}", {"A": "a"}, None, ("B",)),
        ("plain $ sign", {}, "plain $ sign", ()),
    ],
)
def test_substitution_as_compose_does(template, env, value, missing) -> None:
    result = substitute(template, env)
    assert (result.value, result.missing) == (value, missing)


@pytest.mark.parametrize("template", ["${A", "${A:x}", "${1A}"])
def test_invalid_templates(template: str) -> None:
    with pytest.raises(TemplateError):
        substitute(template, {})


def test_compose_yaml_wins_and_its_override_is_merged(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            **MIGRATIONS,
            "docker-compose.yml": "services:\n  db:\n    image: postgres\n",
            "compose.yaml": "services:\n  db:\n    image: postgres\n    volumes:\n      - ./x:/docker-entrypoint-initdb.d\n",
            "compose.override.yaml": "services:\n  db:\n    volumes:\n      - ./infra/postgres/migrations:/docker-entrypoint-initdb.d\n",
        },
    )
    project = read_project(tmp_path, None)
    assert project.shown == "compose.yaml"
    (service,) = project.services
    assert [m.source for m in service.mounts] == [tmp_path / M]


def test_compose_file_key_reads_that_file_alone(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "deploy/dev.yml": FOLDER_SHORT.replace("./infra", "../infra"),
            "compose.override.yaml": "services: {db: {volumes: []}}\n",
        },
    )
    write(tmp_path, {"pyproject.toml": '[tool.modelsync]\ncompose_file = "deploy/dev.yml"\n'})
    assert mount_findings(tmp_path, "services: {}\n", name="unused.yml") == []
    with pytest.raises(ConfigError, match="leads outside the project root"):
        write(tmp_path, {"pyproject.toml": '[tool.modelsync]\ncompose_file = "../elsewhere.yml"\n'})
        lint_files(tmp_path, {})


HOSTILE = {
    "alias-bomb": (
        "a: &a {image: postgres}\n"
        + "".join(
            f"{c}: &{c} {{<<: [{', '.join(['*' + p] * 10)}]}}\n"
            for p, c in zip("abcdefgh", "bcdefghi", strict=True)
        )
        + "services:\n  db:\n    <<: *i\n",
        "expands past",
    ),
    "recursive-alias": (
        "services:\n  db: &d\n    <<: *d\n    image: postgres\n",
        "nests too deeply",
    ),
    "services-a-list": ("services:\n  - db\n", "services must be a mapping"),
    "not-yaml": ("services:\n  db: {image: postgres\n", "invalid YAML"),
    "a-list": ("- services\n", "the compose file must be a mapping"),
    "python-tag": (
        "services:\n  db: !!python/object/apply:os.system [echo hi]\n",
        "must be a mapping",
    ),
    "no-target": (
        "services:\n  db:\n    image: postgres\n    volumes:\n      - type: bind\n        source: ./x\n",
        "has no target",
    ),
    "bad-template": (
        "services:\n  db:\n    image: postgres\n    volumes:\n      - ${X:/docker-entrypoint-initdb.d\n",
        "never closed",
    ),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_compose_is_a_located_bad_input(tmp_path: Path, name: str) -> None:
    text, needle = HOSTILE[name]
    found = lint_files(
        tmp_path, {**MIGRATIONS, "docker-compose.yml": text}, select=("migration-mount",)
    )
    (bad,) = [f for f in found if f.kind == "bad-input"]
    assert bad.location.path == "docker-compose.yml" and needle in bad.message, bad.message
    assert bad.location.line is not None or name in ("a-list",)


def test_special_and_huge_files_are_not_read(tmp_path: Path) -> None:
    write(tmp_path, MIGRATIONS)
    os.mkfifo(tmp_path / "docker-compose.yml")  # would block a plain read for ever
    found = lint_files(tmp_path, {}, select=("migration-mount",))
    assert [f.message for f in found] == ["is not a regular file: not read"]
    (tmp_path / "docker-compose.yml").unlink()
    (tmp_path / "docker-compose.yml").symlink_to("/dev/zero")
    found = lint_files(tmp_path, {}, select=("migration-mount",))
    assert [f.message for f in found] == ["leads outside the project root: not read"]
    (tmp_path / "docker-compose.yml").unlink()
    (tmp_path / "docker-compose.yml").write_text("# x\n" * 300_000)
    found = lint_files(tmp_path, {}, select=("migration-mount",))
    assert [f.message for f in found] == ["larger than 1024 KiB: not read"]


def test_a_compose_file_linked_outside_the_root_is_not_read(tmp_path: Path) -> None:
    outside = tmp_path / "outside.yml"
    outside.write_text("services: {db: {image: postgres}}\n")
    root = tmp_path / "project"
    write(root, MIGRATIONS)
    (root / "compose.yaml").symlink_to(outside)
    found = lint_files(root, {}, select=("migration-mount",))
    assert [(f.kind, f.message) for f in found] == [
        ("bad-input", "leads outside the project root: not read")
    ]


def test_a_mount_source_outside_the_root_is_a_note(tmp_path: Path) -> None:
    compose = "services:\n  db:\n    image: postgres\n    volumes:\n      - /etc:/docker-entrypoint-initdb.d\n"
    write(tmp_path, {**MIGRATIONS, "docker-compose.yml": compose})
    project = read_project(tmp_path, None)
    assert project.services[0].mounts == () and project.services[0].unfollowed == 1
    assert "outside the project root: not read" in project.notes[0].message
