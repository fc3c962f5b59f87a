"""Every lint rule: a violating case at the right line and a clean case (in-process)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.lint_helpers import CLEAN_ENGINE, CLEAN_MODELS, lint_files, places

ENGINE = "backend-core/database.py"
SOURCE = "backend-core/models.py"


def engine_with(create_call: str, header: str = "") -> str:
    return (
        f"import os\nfrom sqlmodel import Session, create_engine\n{header}engine = {create_call}\n"
    )


GOOD_POOL = (
    'pool_size=int(os.getenv("DB_POOL_SIZE", "20")), '
    'max_overflow=int(os.getenv("DB_MAX_OVERFLOW", "10")), '
    'pool_recycle=int(os.getenv("DB_POOL_RECYCLE", "3600")), pool_pre_ping=True'
)
GOOD_URL = 'os.getenv("DATABASE_URL", "postgresql+psycopg://admin:1234@db:5432/interview_db")'


def test_the_clean_engine_and_models_are_clean(tmp_path: Path) -> None:
    assert lint_files(tmp_path, {ENGINE: CLEAN_ENGINE, "ai-worker/db.py": CLEAN_MODELS}) == ()


# --------------------------------------------------------------------------- database-url


@pytest.mark.parametrize(
    ("url", "needle"),
    [
        ('"postgresql+psycopg://admin:secret@db:5432/x"', "written in the code"),
        ('os.environ["DATABASE_URL"]', "has no default"),
        ('os.getenv("DB_URL", "postgresql+psycopg://a@b/c")', "not DATABASE_URL"),
        ('os.getenv("DATABASE_URL", "postgresql://admin:1234@db:5432/x")', "'postgresql' driver"),
        (
            'os.getenv("DATABASE_URL", "postgresql+psycopg2://admin:1234@db:5432/x")',
            "psycopg2",
        ),
        ("f\"postgresql+psycopg://{os.getenv('U')}@db/x\"", "assembled"),
    ],
)
def test_database_url_violations(tmp_path: Path, url: str, needle: str) -> None:
    source = engine_with(f"create_engine({url}, {GOOD_POOL})", "\n")
    found = lint_files(tmp_path, {ENGINE: source}, select=("database-url",))
    assert places(found) == [("database-url", ENGINE, 4)]
    assert needle in found[0].message
    assert "secret" not in found[0].message  # passwords never reach CI logs


@pytest.mark.parametrize(
    "url",
    [GOOD_URL, "DATABASE_URL", 'os.environ.get("DATABASE_URL", DEFAULT)', "settings.database_url"],
)
def test_database_url_clean(tmp_path: Path, url: str) -> None:
    header = (
        'DEFAULT = "postgresql+psycopg://admin:1234@db:5432/interview_db"\n'
        f"DATABASE_URL = {GOOD_URL}\n"
    )
    source = engine_with(f"create_engine({url}, {GOOD_POOL})", header)
    assert lint_files(tmp_path, {ENGINE: source}, select=("database-url",)) == ()


# --------------------------------------------------------------------------- pool-settings


def test_pool_settings_names_each_missing_or_wrong_setting_at_the_call(tmp_path: Path) -> None:
    call = (
        "create_engine(\n"
        f"    {GOOD_URL},\n"
        "    pool_size=5,\n"
        '    max_overflow=int(os.getenv("DB_MAX_OVERFLOW", "99")),\n'
        "    pool_pre_ping=False,\n"
        ")"
    )
    found = lint_files(tmp_path, {ENGINE: engine_with(call)}, select=("pool-settings",))
    assert places(found) == [("pool-settings", ENGINE, 3)]
    message = found[0].message
    for needle in ("pool_size is fixed at 5", "defaults to '99'", "pool_recycle is not set",
                   "pool_pre_ping is not True"):  # fmt: skip
        assert needle in message
    assert "DB_POOL_RECYCLE" in found[0].fix


def test_pool_settings_the_real_teams_create_engine(tmp_path: Path) -> None:
    """The worker that ran for months with none of 2.2's settings."""
    source = engine_with("create_engine(DATABASE_URL)", f"DATABASE_URL = {GOOD_URL}\n")
    found = lint_files(tmp_path, {ENGINE: source}, select=("pool-settings",))
    assert places(found) == [("pool-settings", ENGINE, 4)]
    assert found[0].message.count("is not set") == 4


def test_pool_settings_clean_through_module_constants(tmp_path: Path) -> None:
    assert lint_files(tmp_path, {ENGINE: CLEAN_ENGINE}, select=("pool-settings",)) == ()


# --------------------------------------------------------------------------- session-scope

SESSION_CASES = {
    "never closed": ("def f():\n    session = Session(engine)\n    return 1\n", [2]),
    "yielded, not closed": ("def get_session():\n    s = Session(engine)\n    yield s\n", [2]),
    "bare call": ("def f():\n    Session(engine).exec(1)\n", [2]),
    "in a method": (
        "class Repo:\n    x: int = 1\n    def get(self):\n        return Session(engine)\n",
        [4],
    ),
    "sessionmaker": (
        "from sqlalchemy.orm import sessionmaker\nSessionLocal = sessionmaker(bind=engine)\n"
        "def f():\n    db = SessionLocal()\n    return db\n",
        [4],
    ),
}


@pytest.mark.parametrize("case", SESSION_CASES)
def test_session_scope_violations(tmp_path: Path, case: str) -> None:
    body, lines = SESSION_CASES[case]
    source = "from sqlmodel import Session\nengine = None\n" + body
    found = lint_files(tmp_path, {ENGINE: source}, select=("session-scope",))
    assert places(found) == [("session-scope", ENGINE, line + 2) for line in lines]


@pytest.mark.parametrize(
    "body",
    [
        "def get_session():\n    with Session(engine) as session:\n        yield session\n",
        "def task():\n    with Session(engine) as s, open('x') as f:\n        pass\n",
        "def get_session():\n    s = Session(engine)\n    try:\n        yield s\n"
        "    finally:\n        s.close()\n",
        "def f():\n    s = Session(engine)\n    with s:\n        pass\n",
        "async def f():\n    async with AsyncSession(engine) as s:\n        pass\n",
    ],
)
def test_session_scope_clean(tmp_path: Path, body: str) -> None:
    source = "from sqlmodel import Session\nengine = None\n" + body
    assert lint_files(tmp_path, {ENGINE: source}, select=("session-scope",)) == ()


# --------------------------------------------------------------------------- bulk-commit


def test_bulk_commit_in_a_loop(tmp_path: Path) -> None:
    source = (
        "def save(session, rows):\n"
        "    for row in rows:\n"
        "        session.add(row)\n"
        "        if row:\n"
        "            session.commit()\n"
        "    while rows:\n"
        "        db.commit()\n"
    )
    found = lint_files(tmp_path, {ENGINE: source}, select=("bulk-commit",))
    assert places(found) == [("bulk-commit", ENGINE, 5), ("bulk-commit", ENGINE, 7)]
    assert found[0].related[0].line == 2


@pytest.mark.parametrize(
    "body",
    [
        "    for row in rows:\n        session.add(row)\n    session.commit()\n",
        "    for attempt in range(3):\n        try:\n            session.commit()\n"
        "            break\n        except Exception:\n            pass\n",
        "    for row in rows:\n        def later():\n            session.commit()\n",
        "    for row in rows:\n        pass\n    else:\n        session.commit()\n",
    ],
)
def test_bulk_commit_clean(tmp_path: Path, body: str) -> None:
    source = "def save(session, rows):\n" + body
    assert lint_files(tmp_path, {ENGINE: source}, select=("bulk-commit",)) == ()


# --------------------------------------------------------------------------- model rules

MODEL_HEAD = (
    "from typing import Optional\n"
    "from pgvector.sqlalchemy import Vector, HALFVEC\n"
    "from sqlalchemy import JSON, Column, Index\n"
    "from sqlalchemy.dialects.postgresql import JSONB\n"
    "from sqlmodel import Field, SQLModel\n"
    "\n"
)  # six lines: the first model line is 7


def models(body: str) -> dict[str, str]:
    return {SOURCE: MODEL_HEAD + body}


@pytest.mark.parametrize(
    ("body", "line", "fix"),
    [
        (  # no __tablename__: classname.lower(), at the class line
            "class User(SQLModel, table=True):\n"
            "    id: Optional[int] = Field(default=None, primary_key=True)\n",
            7,
            '__tablename__ = "users"',
        ),
        (  # explicit and singular: at the __tablename__ line
            "class Company(SQLModel, table=True):\n"
            '    __tablename__ = "company"\n'
            "    id: str = Field(primary_key=True)\n",
            8,
            '__tablename__ = "companies"',
        ),
        (
            "class EvaluationReport(SQLModel, table=True):\n"
            '    __tablename__ = "EvaluationReports"\n'
            "    id: Optional[int] = Field(default=None, primary_key=True)\n",
            8,
            '__tablename__ = "evaluation_reports"',
        ),
    ],
)
def test_table_name_violations(tmp_path: Path, body: str, line: int, fix: str) -> None:
    (found,) = lint_files(tmp_path, models(body), select=("table-name",))
    assert (found.kind, found.location.path, found.location.line, found.fix) == (
        "table-name",
        SOURCE,
        line,
        fix,
    )


def test_table_name_without_tablename_says_so(tmp_path: Path) -> None:
    body = "class User(SQLModel, table=True):\n    id: Optional[int] = Field(default=None, primary_key=True)\n"
    (found,) = lint_files(tmp_path, models(body), select=("table-name",))
    assert "no __tablename__" in found.message and "'user'" in found.message


@pytest.mark.parametrize(
    "name", ["users", "companies", "evaluation_reports", "people", "addresses"]
)
def test_table_name_clean(tmp_path: Path, name: str) -> None:
    body = (
        "class T(SQLModel, table=True):\n"
        f'    __tablename__ = "{name}"\n'
        "    id: Optional[int] = Field(default=None, primary_key=True)\n"
    )
    assert lint_files(tmp_path, models(body), select=("table-name",)) == ()


def test_column_name(tmp_path: Path) -> None:
    body = (
        "class T(SQLModel, table=True):\n"
        '    __tablename__ = "things"\n'
        "    id: Optional[int] = Field(default=None, primary_key=True)\n"
        "    fullName: str\n"
        "    created_at: str\n"
        '    x: str = Field(sa_column=Column("Weird Name", JSONB))\n'
    )
    found = lint_files(tmp_path, models(body), select=("column-name",))
    assert places(found) == [("column-name", SOURCE, 10), ("column-name", SOURCE, 12)]
    assert found[0].fix == "name it full_name"


def test_primary_key_name(tmp_path: Path) -> None:
    body = (
        "class T(SQLModel, table=True):\n"
        '    __tablename__ = "things"\n'
        "    code: str = Field(primary_key=True)\n"
        "class L(SQLModel, table=True):\n"  # a link table's composite key is left alone
        '    __tablename__ = "links"\n'
        "    a_id: int = Field(primary_key=True)\n"
        "    b_id: int = Field(primary_key=True)\n"
        "class C(SQLModel, table=True):\n"
        '    __tablename__ = "companies"\n'
        "    id: str = Field(primary_key=True, max_length=20)\n"
    )
    found = lint_files(tmp_path, models(body), select=("primary-key-name",))
    assert places(found) == [("primary-key-name", SOURCE, 9)]


def test_vector_column(tmp_path: Path) -> None:
    body = (
        "DIM = 384\n"
        "class T(SQLModel, table=True):\n"
        '    __tablename__ = "things"\n'
        "    id: Optional[int] = Field(default=None, primary_key=True)\n"
        "    a: list[float] = Field(sa_column=Column(Vector(DIM)))\n"
        "    b: list[float] = Field(sa_column=Column(Vector(768)))\n"
        "    c: list[float] = Field(sa_type=Vector(768))\n"
        "    d: list[float] = Field(sa_column=Column(HALFVEC(768)))\n"
    )
    found = lint_files(tmp_path, models(body), select=("vector-column",))
    assert places(found) == [("vector-column", SOURCE, 11), ("vector-column", SOURCE, 13)]
    assert "384 dimensions" in found[0].message and "sa_type" in found[1].message


def test_a_mixin_vector_several_tables_inherit_may_use_sa_type(tmp_path: Path) -> None:
    # One Column object cannot belong to two tables: sa_type is the only way for a mixin
    # shared by several (the fix says so); a mixin one table inherits keeps the rule.
    body = (
        "class Embedded(SQLModel):\n"
        "    e: Optional[list[float]] = Field(default=None, sa_type=Vector(384))\n"
        "class T(Embedded, table=True):\n"
        '    __tablename__ = "things"\n'
        "    id: Optional[int] = Field(default=None, primary_key=True)\n"
        "class U(Embedded, table=True):\n"
        '    __tablename__ = "others"\n'
        "    id: Optional[int] = Field(default=None, primary_key=True)\n"
        "class Alone(SQLModel):\n"
        "    a: Optional[list[float]] = Field(default=None, sa_type=Vector(768))\n"
        "class V(Alone, table=True):\n"
        '    __tablename__ = "singles"\n'
        "    id: Optional[int] = Field(default=None, primary_key=True)\n"
    )
    found = lint_files(tmp_path, models(body), select=("vector-column",))
    assert [(f.message, f.fix) for f in found] == [
        (
            "vector column things.e has 384 dimensions; the configured vector_dim is 768",
            "sa_type=Vector(768) (or set vector_dim in [tool.modelsync] when the embedding "
            "model changed)",
        ),
        (
            "vector column others.e has 384 dimensions; the configured vector_dim is 768",
            "sa_type=Vector(768) (or set vector_dim in [tool.modelsync] when the embedding "
            "model changed)",
        ),
        (
            "vector column singles.a is declared with sa_type; the standard declares vectors "
            "as sa_column=Column(Vector(N))",
            "Field(default=None, sa_column=Column(Vector(768)))",
        ),
    ]


def test_vector_column_configured_dimension_and_exception(tmp_path: Path) -> None:
    body = (
        "class T(SQLModel, table=True):\n"
        '    __tablename__ = "things"\n'
        "    id: Optional[int] = Field(default=None, primary_key=True)\n"
        "    a: list[float] = Field(sa_column=Column(Vector(384)))\n"
        "    b: list[float] = Field(sa_column=Column(Vector(1024)))\n"
        "    c: list[float] = Field(sa_column=Column(Vector(768)))\n"
    )
    config = (
        "[tool.modelsync]\nvector_dim = 384\n\n"
        '[tool.modelsync.lint]\nvector_dims = {"things.b" = 1024}\n'
    )
    found = lint_files(
        tmp_path, {**models(body), "pyproject.toml": config}, select=("vector-column",)
    )
    assert places(found) == [("vector-column", SOURCE, 12)]


def test_json_type(tmp_path: Path) -> None:
    body = (
        "class T(SQLModel, table=True):\n"
        '    __tablename__ = "things"\n'
        "    id: Optional[int] = Field(default=None, primary_key=True)\n"
        "    a: dict = Field(sa_column=Column(JSON))\n"
        "    b: dict = Field(sa_column=Column(JSONB))\n"
        "    c: dict = Field(sa_type=JSON)\n"
    )
    found = lint_files(tmp_path, models(body), select=("json-type",))
    assert places(found) == [("json-type", SOURCE, 10), ("json-type", SOURCE, 12)]


def test_vector_metric_indexes(tmp_path: Path) -> None:
    body = (
        "class T(SQLModel, table=True):\n"
        '    __tablename__ = "things"\n'
        "    __table_args__ = (\n"
        '        Index("ix_a", "a", postgresql_using="hnsw"),\n'
        '        Index("ix_b", "b", postgresql_using="ivfflat", postgresql_ops={"b": "vector_ip_ops"}),\n'
        '        Index("ix_c", "c", postgresql_using="hnsw", postgresql_ops={"c": "vector_cosine_ops"}),\n'
        '        Index("ix_d", "d", postgresql_using="hnsw", postgresql_ops={"d": "halfvec_cosine_ops"}),\n'
        "    )\n"
        "    id: Optional[int] = Field(default=None, primary_key=True)\n"
        "    a: list[float] = Field(sa_column=Column(Vector(768)))\n"
        "    b: list[float] = Field(sa_column=Column(Vector(768)))\n"
        "    c: list[float] = Field(sa_column=Column(Vector(768)))\n"
        "    d: list[float] = Field(sa_column=Column(HALFVEC(768)))\n"
    )
    found = lint_files(tmp_path, models(body), select=("vector-metric",))
    assert places(found) == [("vector-metric", SOURCE, 10), ("vector-metric", SOURCE, 11)]
    assert "vector_l2_ops, the default" in found[0].message
    assert found[1].fix == 'postgresql_ops={"b": "vector_cosine_ops"}'


def test_vector_metric_queries(tmp_path: Path) -> None:
    source = (
        "def near(session, q, e):\n"
        "    session.exec(q.order_by(e.cosine_distance(v)))\n"
        "    return session.exec(q.order_by(e.l2_distance(v)))\n"
    )
    found = lint_files(tmp_path, {ENGINE: source}, select=("vector-metric",))
    assert places(found) == [("vector-metric", ENGINE, 3)]


# --------------------------------------------------------------------------- sqlmodel-release


def test_sqlmodel_release_pins_that_differ_in_ddl(tmp_path: Path) -> None:
    files = {
        "backend-core/requirements.txt": "fastapi\nsqlmodel==0.0.16\n",
        "ai-worker/requirements.txt": "celery\n\nsqlmodel>=0.0.45\n",
        "ai-worker/db.py": CLEAN_MODELS,
    }
    (found,) = lint_files(tmp_path, files, select=("sqlmodel-release",))
    assert (found.kind, found.location.path, found.location.line) == (
        "sqlmodel-release",
        "ai-worker/requirements.txt",
        3,
    )
    assert found.related[0].where == "backend-core/requirements.txt:2"
    assert "TIMESTAMP WITH TIME ZONE" in found.message


@pytest.mark.parametrize(
    ("backend", "worker"),
    [
        ("sqlmodel==0.0.22\n", "sqlmodel>=0.0.20,<0.0.45\n"),  # same DDL rules
        ("sqlmodel==0.0.16\n", None),  # only one side pins
    ],
)
def test_sqlmodel_release_clean(tmp_path: Path, backend: str, worker: str | None) -> None:
    files = {"backend-core/requirements.txt": backend, "ai-worker/db.py": CLEAN_MODELS}
    if worker:
        files["ai-worker/requirements.txt"] = worker
    assert lint_files(tmp_path, files, select=("sqlmodel-release",)) == ()


def test_sqlmodel_release_from_lock_and_pyproject(tmp_path: Path) -> None:
    files = {
        "backend-core/uv.lock": 'version = 1\n\n[[package]]\nname = "sqlmodel"\nversion = "0.0.18"\n',
        "ai-worker/pyproject.toml": '[project]\nname = "w"\ndependencies = [\n  "sqlmodel>=0.0.19",\n]\n',
        "ai-worker/db.py": CLEAN_MODELS,
    }
    (found,) = lint_files(tmp_path, files, select=("sqlmodel-release",))
    assert found.location.where == "ai-worker/pyproject.toml:4"
    assert found.related[0].where == "backend-core/uv.lock:5"
    assert "VARCHAR(n)" in found.message
