"""Time modelsync's `schema` and `check` as whole processes against a parse-only floor.

For the example project and for a generated large project (≈800 tables, ≈30k lines, target an
identical copy of the source) it runs, each N times with the bench's own interpreter:

    floor   python -c "import ast, ...; ast.parse(...)" FILES   (the files modelsync must read)
    schema  python -m modelsync schema SOURCE --format json
    check   python -m modelsync check --root DIR

and again for copies whose target has a generated region (+region) and whose migrations
folder has a schema state equal to the models (+state: check also reads the state).

and prints the median wall-clock time, its ratio to the floor and the peak RSS of the child.
Peak RSS comes from `/usr/bin/time -f %M` when it exists: Linux keeps a process's peak RSS across
fork and exec, so `os.wait4` on a direct child reports at least the bench's own peak (the
fallback; the bench keeps itself small by generating the large project in a subprocess).

    python bench/bench_check.py [--repeat N] [--tables N] [--out DIR]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
EXAMPLE = REPO / "examples" / "interview"
PY = sys.executable
TIME = "/usr/bin/time" if Path("/usr/bin/time").exists() else None
FLOOR = "import ast, sys; [ast.parse(open(p, 'rb').read()) for p in sys.argv[1:]]"
CONFIG = """[tool.modelsync]
source = "backend-core/models.py"
target = "ai-worker/db.py"
migrations = "infra/postgres/migrations"
"""


def run_once(argv: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    """Run argv to completion; return (wall seconds, peak RSS in MiB, exit code)."""
    elapsed, _, maxrss, code = run_timed(argv, env)
    return elapsed, maxrss, code


def run_timed(argv: list[str], env: dict[str, str]) -> tuple[float, float, float, int]:
    """Run argv to completion; return (wall seconds, CPU seconds of the child and its
    children, peak RSS in MiB, exit code)."""
    if TIME:
        argv = [TIME, "-f", "maxrss_kib=%M", *argv]
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        proc.returncode = code = os.waitstatus_to_exitcode(status)
        err.seek(0)
        lines = err.read().decode(errors="replace").strip().splitlines()
    maxrss = usage.ru_maxrss  # KiB on Linux
    if TIME and lines and lines[-1].startswith("maxrss_kib="):
        maxrss = int(lines.pop().partition("=")[2])
    if code != 0:
        print(f"  ! exit {code}: {' '.join(argv[-5:])}: {' '.join(lines[-1:])}", flush=True)
    return elapsed, usage.ru_utime + usage.ru_stime, maxrss / 1024, code


def measure(argv: list[str], repeat: int, env: dict[str, str]) -> tuple[float, float, int]:
    run_once(argv, env)  # warm-up: page cache, .pyc files
    runs = [run_once(argv, env) for _ in range(repeat)]
    return (
        statistics.median(r[0] for r in runs),
        max(r[1] for r in runs),
        max(r[2] for r in runs),
    )


def make_large_project(root: Path, tables: int) -> Path:
    source, target = root / "backend-core" / "models.py", root / "ai-worker" / "db.py"
    for path in (source, target):
        path.parent.mkdir(parents=True, exist_ok=True)
    generator = [PY, str(BENCH / "make_large_models.py"), "--tables", str(tables)]
    with source.open("wb") as out:
        subprocess.run(generator, stdout=out, check=True)
    shutil.copyfile(source, target)
    (root / "infra" / "postgres" / "migrations").mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(CONFIG, encoding="utf-8")
    return root


def child_env() -> tuple[dict[str, str], bool]:
    """Environment for the children; falls back to the source tree if not installed.

    Children run as an installed tool does: with bytecode caching on (the warm-up run writes
    the .pyc files), even where the calling shell sets PYTHONDONTWRITEBYTECODE.
    """
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    probe = [PY, "-c", "import modelsync.cli"]
    if subprocess.run(probe, capture_output=True, env=env).returncode == 0:
        return env, True
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO / "tool"), env.get("PYTHONPATH")]))
    return env, subprocess.run(probe, capture_output=True, env=env).returncode == 0


def bench_project(label: str, root: Path, repeat: int, env: dict[str, str], cli: bool) -> list:
    source = root / "backend-core" / "models.py"
    target = root / "ai-worker" / "db.py"
    lines = sum(1 for _ in source.open(encoding="utf-8"))
    print(f"{label}: {root} ({lines} lines in the source), {repeat} runs each", flush=True)
    floor1 = measure([PY, "-c", FLOOR, str(source)], repeat, env)
    floor2 = measure([PY, "-c", FLOOR, str(source), str(target)], repeat, env)
    rows = [
        (f"{label} floor ast.parse(source)", *floor1, 1.0),
        (f"{label} floor ast.parse(source, target)", *floor2, 1.0),
    ]
    if cli:
        schema = [PY, "-m", "modelsync", "schema", str(source), "--format", "json"]
        check = [PY, "-m", "modelsync", "check", "--root", str(root)]
        s = measure(schema, repeat, env)
        c = measure(check, repeat, env)
        rows.append((f"{label} modelsync schema --format json", *s, s[0] / floor1[0]))
        rows.append((f"{label} modelsync check", *c, c[0] / floor2[0]))
    return rows


def generated_copy(root: Path, out: Path, env: dict[str, str]) -> Path:
    """A copy of the project whose target was rewritten by `modelsync generate`, so that
    `check` also verifies the generated region (its fingerprints and imports)."""
    shutil.copytree(root, out)
    # --force: the example's hand mirror has a comment inside a class, which adopting
    # refuses to drop without it.
    command = [PY, "-m", "modelsync", "generate", "--force", "--root", str(out)]
    subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL)
    return out


# Writes the schema state of a project's current models, as `modelsync migration` leaves it.
WRITE_STATE = """import sys
from pathlib import Path
from modelsync.config import load_config
from modelsync.migrate.state import SchemaState, stored_schema, write_state
from modelsync.schema.load import load_schema
from modelsync.schema.release import rules_for
config = load_config(Path(sys.argv[1]), {})
schema = load_schema(config.path(config.source), config.shown(config.source), rules_for(None))
state = SchemaState(stored_schema(schema), "001_init.sql", None, None)
write_state(config.path(config.migrations), state)
"""


def state_copy(root: Path, out: Path, env: dict[str, str]) -> Path:
    """A copy of the project with a schema state equal to its models, so that `check` also
    reads the state and compares the models with it (migration_missing)."""
    shutil.copytree(root, out)
    subprocess.run([PY, "-c", WRITE_STATE, str(out)], check=True, env=env)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, help="runs per case (default: 15 small, 7 large)")
    parser.add_argument("--tables", type=int, default=800, help="tables in the large project")
    parser.add_argument("--out", type=Path, help="keep the large project here (default: temp)")
    args = parser.parse_args()

    print(f"python {platform.python_version()} ({PY}) on {platform.platform()}")
    print(f"cpus: {os.cpu_count()}; peak RSS from {TIME or 'os.wait4 (upper bound)'}")
    env, cli = child_env()
    if not cli:
        print("modelsync is not importable: only the floor is measured")
    tmp = None
    if args.out is None:
        tmp = tempfile.mkdtemp(prefix="modelsync-bench-")
        out = Path(tmp)
    else:
        out = args.out
        shutil.rmtree(out, ignore_errors=True)
    try:
        large = make_large_project(out / "large", args.tables)
        rows = bench_project("example", EXAMPLE, args.repeat or 15, env, cli)
        rows += bench_project("large", large, args.repeat or 7, env, cli)
        if cli:
            example_state = state_copy(EXAMPLE, out / "example-state", env)
            large_state = state_copy(large, out / "large-state", env)
            rows += bench_project("example+state", example_state, args.repeat or 15, env, cli)
            rows += bench_project("large+state", large_state, args.repeat or 7, env, cli)
            try:
                example_gen = generated_copy(EXAMPLE, out / "example-generated", env)
                large_gen = generated_copy(large, out / "large-generated", env)
            except subprocess.CalledProcessError as exc:
                # Report the figures measured so far rather than none.
                print(f"  ! generate failed (exit {exc.returncode}): no +region cases")
                rows.append(("+region (generate failed)", 0.0, 0.0, exc.returncode, 0.0))
            else:
                rows += bench_project("example+region", example_gen, args.repeat or 15, env, cli)
                rows += bench_project("large+region", large_gen, args.repeat or 7, env, cli)
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)

    print()
    print(f"{'case':<44} {'median s':>9} {'x floor':>8} {'peak MiB':>9} {'exit':>5}")
    for name, median, rss, code, ratio in rows:
        print(f"{name:<44} {median:>9.3f} {ratio:>8.2f} {rss:>9.1f} {code:>5}")
    return 0 if all(row[3] == 0 for row in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
