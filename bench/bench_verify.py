"""Time `modelsync verify` on a chain of 25 migrations, with the server's start-up apart.

It writes a project in a temporary folder whose models change 25 times (tables, columns,
a foreign key, an enum, indexes, type changes), each change followed by the real
`modelsync migration` command, so the folder holds 25 generated, re-runnable files. Then,
each N times, it measures:

    floor        python -c "import ast; ast.parse(...)" of the models file and the SQL
                 files read with open() (what any tool must at least read)
    sqlmodel     python -c "import sqlmodel, pgvector.sqlalchemy, psycopg" (the build
                 child's own start-up: the floor of anything that runs create_all)
    server       throwaway_server() started and stopped, in this process
    verify       python -m modelsync verify --root DIR            (server included)
    verify-url   python -m modelsync verify --database-url URL    (an already running server)

and, once, where the time of one in-process run goes (phase by phase). Prints medians of
wall time and of CPU time (the process and its waited-for descendants: on a busy machine,
the work itself), with the machine's CPU count and load.

    python bench/bench_verify.py [--repeat N] [--keep DIR]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
PY = sys.executable
MIGRATIONS = "infra/postgres/migrations"

HEAD = """import enum
from datetime import datetime
from typing import Optional

from pgvector.sqlalchemy import Vector
from sqlalchemy import Column
from sqlmodel import Field, SQLModel


class Status(str, enum.Enum):
    OPEN = "OPEN"
    CLOSED = "CLOSED"
"""


def table(name: str, columns: list[str]) -> str:
    body = "\n".join(f"    {c}" for c in columns)
    return (
        f"\n\nclass {name.title().replace('_', '')}(SQLModel, table=True):\n"
        f'    __tablename__ = "{name}"\n'
        f"    id: Optional[int] = Field(default=None, primary_key=True)\n{body}\n"
    )


def model_versions() -> list[tuple[str, str]]:
    """25 (migration name, models text) steps, each one schema change."""
    tables: dict[str, list[str]] = {}
    steps: list[tuple[str, str]] = []

    def step(name: str) -> None:
        text = HEAD + "".join(table(t, cols) for t, cols in tables.items())
        steps.append((name, text))

    tables["companies"] = ["name: str = Field(max_length=100, unique=True)"]
    step("create_companies")
    tables["users"] = ["email: str = Field(max_length=255, index=True)"]
    step("create_users")
    tables["users"].append(
        'company_id: Optional[int] = Field(default=None, foreign_key="companies.id", '
        'ondelete="CASCADE")'
    )
    step("user_company")
    for n in range(4):
        tables["users"].append(f"note_{n}: Optional[str] = Field(default=None, max_length=50)")
        step(f"user_note_{n}")
    tables["tickets"] = [
        "title: str = Field(max_length=200)",
        "status: Status = Status.OPEN",
        'user_id: int = Field(foreign_key="users.id", index=True)',
        "created_at: datetime = Field(default_factory=datetime.utcnow)",
    ]
    step("create_tickets")
    tables["tickets"].append("embedding: list[float] = Field(sa_column=Column(Vector(8)))")
    step("ticket_embedding")
    for n in range(7):
        tables["tickets"].append(f"score_{n}: Optional[int] = None")
        step(f"ticket_score_{n}")
    for n in range(4):
        tables["companies"].append(
            f"field_{n}: Optional[str] = Field(default=None, max_length=40, index=True)"
        )
        step(f"company_field_{n}")
    for n in range(2):
        tables["users"][2 + n] = f"note_{n}: Optional[str] = Field(default=None, max_length=80)"
        step(f"longer_note_{n}")
    tables["tags"] = ["label: str = Field(max_length=30, unique=True)"]
    step("create_tags")
    tables["tags"].append(
        'ticket_id: Optional[int] = Field(default=None, foreign_key="tickets.id")'
    )
    step("tag_ticket")
    tables["tags"].append("weight: Optional[float] = None")
    step("tag_weight")
    assert len(steps) == 25, len(steps)
    return steps


def make_project(root: Path) -> None:
    from click.testing import CliRunner

    from modelsync.cli import main

    models = root / "backend-core" / "models.py"
    models.parent.mkdir(parents=True)
    for name, text in model_versions():
        models.write_text(text, encoding="utf-8")
        result = CliRunner().invoke(main, ["migration", name, "--root", str(root)])
        if result.exit_code != 0:
            raise SystemExit(f"modelsync migration {name} failed:\n{result.output}")


def timed(argv: list[str]) -> tuple[float, float, int, str]:
    """(wall seconds, CPU seconds of the process and every descendant it waited for,
    exit code, output). CPU time shows the work itself on a busy machine."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.returncode, done.stdout + done.stderr


def median_of(repeat: int, argv: list[str], expect: int = 0) -> tuple[float, float]:
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu, code, output = timed(argv)
        if code != expect:
            raise SystemExit(f"{' '.join(argv)} exited {code}:\n{output}")
        walls.append(wall)
        cpus.append(cpu)
    return statistics.median(walls), statistics.median(cpus)


def server_times(repeat: int) -> tuple[float, float]:
    from modelsync.verify.server import throwaway_server

    starts, stops = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        with throwaway_server():
            up = time.perf_counter()
        starts.append(up - start)
        stops.append(time.perf_counter() - up)
    return statistics.median(starts), statistics.median(stops)


def phases(root: Path) -> list[tuple[str, float]]:
    """One verify in this process, phase by phase (the CLI does the same steps)."""
    from modelsync.config import load_config
    from modelsync.lint.migrations import migration_folder_findings
    from modelsync.verify.build import BuildWorker
    from modelsync.verify.models import models_import
    from modelsync.verify.plan import verify_plan
    from modelsync.verify.report import state_findings
    from modelsync.verify.scratch import scratch_databases
    from modelsync.verify.server import throwaway_server
    from modelsync.verify.states import databases_for, run_states

    marks: list[tuple[str, float]] = []
    last = time.perf_counter()

    def mark(name: str) -> None:
        nonlocal last
        now = time.perf_counter()
        marks.append((name, now - last))
        last = now

    migration_folder_findings(root / MIGRATIONS, MIGRATIONS)
    mark("folder checks (names, numbers, pglast parse)")
    config = load_config(root, {})
    source = models_import(root, config.tree(), config.source_items, (), config.source_shown)
    with verify_plan(root, source, MIGRATIONS, None) as plan:
        mark("plan (read and split the files)")
        with BuildWorker() as worker, throwaway_server() as url:
            mark("server start (initdb + postgres), build child starting meanwhile")
            with scratch_databases(url, databases_for(plan)) as scratch:
                mark(f"create {len(scratch.sessions)} scratch databases")
                outcome = run_states(plan, scratch, worker)
                mark("three states: 2 create_all batches, 2x25 files, catalog reads")
                state_findings(outcome, plan.migrations, MIGRATIONS, plan.models_shown, {})
                mark("findings")
            mark("drop the scratch databases")
        mark("server stop and folder removal")
    bad = [r for r in outcome.results if r.failure or r.differences]
    if bad:
        raise SystemExit(f"the bench chain does not verify: {bad}")
    return marks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="write the project here and keep it")
    args = parser.parse_args()
    warnings.simplefilter("ignore")  # platformdirs, about XDG_RUNTIME_DIR
    folder = args.keep or Path(tempfile.mkdtemp(prefix="modelsync-bench-"))
    try:
        root = folder / "project"
        if root.exists():
            shutil.rmtree(root)
        root.mkdir(parents=True)
        make_project(root)
        sql_files = sorted((root / MIGRATIONS).glob("*.sql"))
        print(f"project: {len(sql_files)} generated migrations in {root / MIGRATIONS}")
        models = root / "backend-core" / "models.py"
        floor = (
            "import ast, sys; ast.parse(open(sys.argv[1]).read()); "
            "[open(p).read() for p in sys.argv[2:]]"
        )
        results = {
            "floor (ast.parse + read SQL)": median_of(
                args.repeat, [PY, "-c", floor, str(models), *map(str, sql_files)]
            ),
            "sqlmodel import (build child floor)": median_of(
                args.repeat, [PY, "-c", "import sqlmodel, pgvector.sqlalchemy, psycopg"]
            ),
        }
        start, stop = server_times(args.repeat)
        results["server start (in-process)"] = (start, None)
        results["server stop + remove (in-process)"] = (stop, None)
        results["verify (throwaway server)"] = median_of(
            args.repeat, [PY, "-m", "modelsync", "verify", "--root", str(root)]
        )
        from modelsync.verify.server import throwaway_server

        with throwaway_server() as url:
            results["verify --database-url (running server)"] = median_of(
                args.repeat,
                [PY, "-m", "modelsync", "verify", "--root", str(root)]
                + ["--database-url", url.conninfo],
            )
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        print(f"medians of {args.repeat} run(s), {os.cpu_count()} CPU(s), load {load:.1f}:")
        print(f"  {'':<42} {'wall':>8} {'cpu':>8}")
        for name, (wall, cpu) in results.items():
            cpu_text = f"{cpu:6.2f} s" if cpu is not None else ""
            print(f"  {name:<42} {wall:6.2f} s {cpu_text:>8}")
        print("one in-process run, phase by phase:")
        marks = phases(root)
        for name, seconds in marks:
            print(f"  {name:<66} {seconds:6.2f} s")
        print(f"  {'total':<66} {sum(s for _, s in marks):6.2f} s")
    finally:
        if not args.keep:
            with contextlib.suppress(OSError):
                shutil.rmtree(folder)


if __name__ == "__main__":
    main()
