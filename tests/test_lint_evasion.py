"""Attacks on lint: a violation renamed through an alias, hidden in a comprehension or in
raw SQL, silenced by words that only look like a comment, or read through a symlink out of
the project. Each must still be found (or refused), at its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.lint_helpers import CLEAN_MODELS, lint_files, places, write

E = "backend-core/database.py"
M = "infra/postgres/migrations"
POOL = (
    'pool_size=int(os.getenv("DB_POOL_SIZE", "20")), '
    'max_overflow=int(os.getenv("DB_MAX_OVERFLOW", "10")), '
    'pool_recycle=int(os.getenv("DB_POOL_RECYCLE", "3600")), pool_pre_ping=True'
)
URL = '"postgresql://admin:1234@db/x"'


@pytest.mark.parametrize(
    "header, call",
    [
        ("from sqlalchemy import create_engine as ce", "ce"),
        ("from sqlmodel import create_engine\nmake = create_engine", "make"),
        ("import sqlalchemy as sa\nmake = sa.create_engine", "make"),
        ("import sqlalchemy", 'getattr(sqlalchemy, "create_engine")'),
        ("import sqlalchemy\nfactory = getattr(sqlalchemy, 'create_engine')", "factory"),
        ("import sqlalchemy.ext.asyncio as aio\nmake = aio.create_async_engine", "make"),
    ],
)
def test_an_aliased_create_engine_is_still_an_engine(
    tmp_path: Path, header: str, call: str
) -> None:
    line = header.count("\n") + 3
    code = f"import os\n{header}\nengine = {call}({URL}, {POOL})\n"
    found = lint_files(tmp_path, {E: code})
    assert places(found) == [("database-url", E, line)]


@pytest.mark.parametrize(
    "header, opened",
    [
        ("from sqlmodel import Session as S", "S(engine)"),
        ("from sqlmodel import Session\nOpen = Session", "Open(engine)"),
        (
            "from sqlalchemy.orm import sessionmaker as sm\nSessionLocal = sm(bind=engine)",
            "SessionLocal()",
        ),
        (
            "from sqlalchemy import orm\nSessionLocal = getattr(orm, 'sessionmaker')(bind=engine)",
            "SessionLocal()",
        ),
    ],
)
def test_an_aliased_session_is_still_a_session(tmp_path: Path, header: str, opened: str) -> None:
    code = f"engine = None\n{header}\n\n\ndef handler():\n    session = {opened}\n    return session.get(1)\n"
    found = lint_files(tmp_path, {E: code}, select=("session-scope",))
    assert places(found) == [("session-scope", E, code.count("\n") - 1)]


@pytest.mark.parametrize(
    "body, line",
    [
        ("    [session.commit() for row in rows]", 3),
        ("    any(session.commit() for row in rows)", 3),
        ("    {row: session.commit() for row in rows}", 3),
        ("    list(map(lambda row: (session.add(row), session.commit()), rows))", 3),
        ("    [row for row in rows if session.commit()]", 3),
    ],
)
def test_commits_in_comprehensions_and_map(tmp_path: Path, body: str, line: int) -> None:
    code = f"def save(session, rows):\n    # one commit per row\n{body}\n"
    found = lint_files(tmp_path, {E: code}, select=("bulk-commit",))
    assert places(found) == [("bulk-commit", E, line)]


@pytest.mark.parametrize(
    "body",
    [
        "    [row for row in session.commit()]",  # the first iterable runs once
        "    session.commit()\n    return [row for row in rows]",
        "    callback = lambda: session.commit()\n    callback()",  # not map: runs once
    ],
)
def test_a_commit_that_runs_once_is_clean(tmp_path: Path, body: str) -> None:
    code = f"def save(session, rows):\n    pass\n{body}\n"
    assert lint_files(tmp_path, {E: code}, select=("bulk-commit",)) == ()


RAW_SQL = '''\
from sqlalchemy import text


def similar(session, vector):
    rows = session.execute(text("""
        SELECT id FROM questions
        ORDER BY embedding <-> :vector
        LIMIT 5
    """), {"vector": vector})
    best = session.execute(text(f"SELECT id FROM q ORDER BY embedding <#> '{vector}'"))
    fine = session.execute(text("SELECT '<->' AS label, id FROM q ORDER BY embedding <=> :v"))
    note = text("SELECT 1 -- never <-> here\\n")
    return rows, best, fine, note
'''


def test_raw_sql_distance_operators(tmp_path: Path) -> None:
    found = lint_files(tmp_path, {E: RAW_SQL}, select=("vector-metric",))
    assert places(found) == [("vector-metric", E, 7), ("vector-metric", E, 10)]
    assert "<->, Euclidean (L2) distance" in found[0].message
    assert "<#>, inner product distance" in found[1].message


def test_migration_index_operator_classes(tmp_path: Path) -> None:
    sql = (
        "CREATE TABLE IF NOT EXISTS q (id int, embedding vector(3));\n"
        "CREATE INDEX IF NOT EXISTS ix_l2 ON q\n"
        "    USING hnsw (embedding vector_l2_ops);\n"
        "CREATE INDEX IF NOT EXISTS ix_default ON q USING ivfflat (embedding);\n"
        "CREATE INDEX IF NOT EXISTS ix_cos ON q USING hnsw (embedding vector_cosine_ops);\n"
        "CREATE INDEX IF NOT EXISTS ix_btree ON q (id);\n"
    )
    found = lint_files(tmp_path, {f"{M}/001_q.sql": sql}, select=("vector-metric",))
    path = f"{M}/001_q.sql"
    assert places(found) == [("vector-metric", path, 3), ("vector-metric", path, 4)]
    assert "uses vector_l2_ops" in found[0].message
    assert "no operator class (pgvector's default is L2)" in found[1].message


ENGINE_LINE = f"engine = create_engine({URL}, {POOL})"


@pytest.mark.parametrize(
    "trailer, silenced",
    [
        ("  # modelsync: ignore[database-url]", True),
        ('; _ = "# modelsync: ignore[database-url]"', False),
        ('; _ = f"{0} # modelsync: ignore[database-url]"', False),
        ("; _ = '''# modelsync: ignore[database-url]'''", False),
    ],
)
def test_only_a_python_comment_silences(tmp_path: Path, trailer: str, silenced: bool) -> None:
    code = f"import os\nfrom sqlmodel import create_engine\n{ENGINE_LINE}{trailer}\n"
    found = lint_files(tmp_path, {E: code})
    assert (places(found) == []) is silenced, places(found)


@pytest.mark.parametrize(
    "line, silenced",
    [
        ("SELEC 1; -- modelsync: ignore[migration-sql]", True),
        ("SELEC 1; /* modelsync: ignore[migration-sql] */", True),
        ("SELEC '-- modelsync: ignore[migration-sql]';", False),
        ("SELEC $$ -- modelsync: ignore[migration-sql] $$;", False),
        ("SELEC $x$ /* modelsync: ignore[migration-sql] */ $x$;", False),
        ('SELEC "-- modelsync: ignore[migration-sql]";', False),
    ],
)
def test_only_a_sql_comment_silences(tmp_path: Path, line: str, silenced: bool) -> None:
    found = lint_files(
        tmp_path, {f"{M}/001_a.sql": f"SELECT 1;\n{line}\n"}, select=("migration-sql",)
    )
    assert (found == ()) is silenced, found


def test_a_migration_linked_outside_the_root_is_refused_unread(tmp_path: Path) -> None:
    secret = tmp_path / "secret.sql"
    secret.write_text("hunter2-the-secret-token is here\n")
    root = tmp_path / "project"
    write(root, {"backend-core/models.py": CLEAN_MODELS, f"{M}/001_ok.sql": "SELECT 1;\n"})
    (root / M / "002_leak.sql").symlink_to(secret)
    for command in ("lint", "verify"):
        args = ("--database-url", "postgresql://nowhere.invalid/x") if command == "verify" else ()
        result = run_cli(command, "--root", root, "--format", "github", *args)
        assert result.returncode == 1, result.stdout + result.stderr
        assert "hunter2" not in result.stdout + result.stderr
        assert (
            f"::error file={M}/002_leak.sql,title=modelsync migration-sql::leads outside "
            "the project root: not read"
        ) in result.stdout.splitlines()
