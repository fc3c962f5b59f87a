"""verify runs the init scripts a fresh volume runs (the compose file's
``/docker-entrypoint-initdb.d``, or ``init_scripts`` in the config) before the migrations,
as the team's container does. The real CLI against the session's PostgreSQL 18."""

from __future__ import annotations

import gzip
import json
import textwrap
from pathlib import Path

from tests.conftest import run_cli

M = "infra/postgres/migrations"
MODELS = """\
from typing import Any, Optional

from pgvector.sqlalchemy import Vector
from sqlalchemy import Column
from sqlmodel import Field, SQLModel


class Question(SQLModel, table=True):
    __tablename__ = "questions"

    id: Optional[int] = Field(default=None, primary_key=True)
    embedding: Any = Field(default=None, sa_column=Column(Vector(768)))
"""
# Uses vector(768) and leaves creating the extension to init.sql, as the seed project does.
MIGRATION = """\
CREATE TABLE IF NOT EXISTS questions (
    id SERIAL NOT NULL,
    embedding vector(768),
    PRIMARY KEY (id)
);
"""
INIT_SQL = "CREATE EXTENSION IF NOT EXISTS vector;\n"
SEED_COMPOSE = """\
services:
  db:
    image: pgvector/pgvector:pg16
    volumes:
      - ./infra/postgres/init.sql:/docker-entrypoint-initdb.d/init.sql
"""


def project(root: Path, files: dict[str, str | bytes]) -> Path:
    base = {"backend-core/models.py": MODELS, f"{M}/001_create_questions.sql": MIGRATION}
    for relative, content in {**base, **files}.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), encoding="utf-8")
    return root


def verify(root: Path, server) -> tuple[int, dict]:
    done = run_cli("verify", "--root", root, "--database-url", server.uri, "--format", "json")
    assert done.stderr == "" or "warning" in done.stderr, done.stderr
    return done.returncode, json.loads(done.stdout)


def test_the_seed_layout_verifies_where_the_migrations_alone_fail(tmp_path, postgres_server):
    root = project(tmp_path, {"infra/postgres/init.sql": INIT_SQL})
    code, alone = verify(root, postgres_server)
    assert code == 1
    (failed,) = alone["findings"]
    assert (
        failed["kind"] == "migration_failed" and 'type "vector" does not exist' in failed["message"]
    )
    (root / "docker-compose.yml").write_text(SEED_COMPOSE)
    code, document = verify(root, postgres_server)
    assert code == 0, document["findings"]
    summary = document["summary"]
    assert summary["states"] == {"a": "verified", "b": "verified", "c": "verified"}
    assert summary["init_scripts"] == ["init.sql"]
    assert summary["fresh_volume"] == "the compose service db's /docker-entrypoint-initdb.d"


MOUNTED = """\
services:
  db:
    image: postgres:18
    volumes:
      - ./infra/postgres/migrations:/docker-entrypoint-initdb.d:ro
      - type: bind
        source: ./infra/postgres/init.sql
        target: /docker-entrypoint-initdb.d/${INIT_NAME:-000_init.sql}
      - ./infra/postgres/functions.sql.gz:/docker-entrypoint-initdb.d/005_functions.sql.gz
      - ./infra/postgres/setup.sh:/docker-entrypoint-initdb.d/010_setup.sh
"""
FUNCTION = (
    b"CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;\n"
)


def test_the_mounted_folder_runs_in_name_order_and_a_shell_script_is_a_note(
    tmp_path, postgres_server
):
    root = project(
        tmp_path,
        {
            "infra/postgres/init.sql": INIT_SQL,
            "infra/postgres/functions.sql.gz": gzip.compress(FUNCTION),
            "infra/postgres/setup.sh": "#!/bin/sh\necho hi\n",
            "docker-compose.yml": MOUNTED,
        },
    )
    code, document = verify(root, postgres_server)
    assert code == 0, document["findings"]
    assert document["summary"]["init_scripts"] == [
        "000_init.sql",
        "001_create_questions.sql",
        "005_functions.sql.gz",
    ]
    (note,) = document["findings"]
    assert (note["code"], note["severity"]) == ("MS905", "note")
    assert note["init"] == {"path": "docker-compose.yml", "line": 10, "value": "010_setup.sh"}
    # Named so that it sorts after the migration: state (c) is what that container does.
    (root / ".env").write_text("INIT_NAME=init.sql\n")
    code, document = verify(root, postgres_server)
    assert code == 1
    (failed,) = [f for f in document["findings"] if f.get("severity", "error") == "error"]
    assert failed["kind"] == "migration_failed"
    assert failed["message"].startswith("fails to apply in state (c) empty database")
    assert document["summary"]["states"] == {"a": "verified", "b": "verified", "c": "failed"}


def test_a_failing_init_script_is_its_own_finding_at_its_line(tmp_path, postgres_server):
    root = project(
        tmp_path,
        {
            "infra/postgres/init.sql": INIT_SQL + "\nCREATE EXTENSION no_such_extension;\n",
            "docker-compose.yml": SEED_COMPOSE,
        },
    )
    code, document = verify(root, postgres_server)
    assert code == 1
    (failed,) = document["findings"]
    assert failed["code"] == "MS904" and failed["kind"] == "init_script_failed"
    assert failed["init"]["path"] == "infra/postgres/init.sql" and failed["init"]["line"] == 3
    assert "no_such_extension" in failed["message"]
    # SQL PostgreSQL's parser refuses: the same finding, before anything is applied.
    (root / "infra/postgres/init.sql").write_text(INIT_SQL + "CREATE EXTENSOIN x;\n")
    code, document = verify(root, postgres_server)
    (failed,) = document["findings"]
    assert (failed["code"], failed["init"]["line"]) == ("MS904", 2)


def test_init_scripts_in_the_config_without_compose(tmp_path, postgres_server):
    root = project(
        tmp_path,
        {
            "db/extensions.sql": INIT_SQL,
            "pyproject.toml": '[tool.modelsync]\ninit_scripts = ["db/extensions.sql"]\n',
        },
    )
    code, document = verify(root, postgres_server)
    assert code == 0, document["findings"]
    assert document["summary"]["init_scripts"] == ["extensions.sql"]
    assert document["summary"]["fresh_volume"] == "init_scripts in [tool.modelsync]"


def test_a_bad_compose_file_is_one_located_line_before_any_server(tmp_path) -> None:
    root = project(tmp_path, {"compose.yaml": "services:\n  db: [\n"})
    done = run_cli("verify", "--root", root, "--database-url", "postgresql://nowhere.invalid/x")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("modelsync: error: compose.yaml:3: invalid YAML")
    assert len(done.stderr.splitlines()) == 1


def test_every_member_of_a_concatenated_archive_is_read_as_the_entrypoint_reads_it(tmp_path):
    """``cat a.sql.gz b.sql.gz`` is one archive to ``gunzip -c`` and ``xz -dc``: the
    entrypoint's psql runs both, so verify reads (and its guard checks) both."""
    import lzma

    from modelsync.verify.initdb import fresh_volume, init_scripts

    first, second = b"CREATE TABLE a (id int);\n", b"DROP DATABASE victims;\n"
    root = project(
        tmp_path,
        {
            "db/two.sql.gz": gzip.compress(first) + gzip.compress(second),
            "db/two.sql.xz": lzma.compress(first) + lzma.compress(second),
            "db/cut.sql.gz": (gzip.compress(first) + gzip.compress(second))[:-9],
        },
    )
    volume = fresh_volume(root, None, ["db/two.sql.gz", "db/two.sql.xz", "db/cut.sql.gz"])
    scripts, notes = init_scripts(root, volume, ())
    read = {s.name: s for s in scripts}
    for name in ("two.sql.gz", "two.sql.xz"):
        assert [s.text for s in read[name].statements] == [
            "CREATE TABLE a (id int)",
            "DROP DATABASE victims",
        ], name
    assert read["cut.sql.gz"].failure.message.startswith("cannot be decompressed")
    assert notes == ()
