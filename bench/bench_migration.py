"""Time `modelsync migration --stdout` as a whole process against a parse-only floor.

For the example project and for a generated large project (≈800 tables, see
bench_check.py), each N times with the bench's own interpreter:

    floor     python -c "import ast, ...; ast.parse(...)" SOURCE   (the file modelsync must read)
    initial   modelsync migration --stdout    (no migrations yet: every table, type and index)
    change    modelsync migration --stdout    (after --baseline, with EMBEDDING_DIM changed:
                                               the state is read and the whole schema diffed)

and prints the median wall-clock time, its ratio to the floor and the peak RSS of the child.

    python bench/bench_migration.py [--repeat N] [--tables N]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_check import EXAMPLE, FLOOR, PY, TIME, child_env, make_large_project, measure  # noqa: E402


def initial_copy(root: Path, out: Path) -> Path:
    """The project with an empty migrations folder: the first migration creates it all."""
    shutil.copytree(root, out)
    folder = out / "infra" / "postgres" / "migrations"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return out


def changed_copy(root: Path, out: Path, env: dict[str, str]) -> Path:
    """The project recorded with --baseline, then its embedding dimension changed."""
    shutil.copytree(root, out)
    baseline = [PY, "-m", "modelsync", "migration", "--baseline", "--root", str(out)]
    subprocess.run(baseline, check=True, env=env, stdout=subprocess.DEVNULL)
    models = out / "backend-core" / "models.py"
    text = models.read_text(encoding="utf-8")
    models.write_text(text.replace("EMBEDDING_DIM = 768", "EMBEDDING_DIM = 1024"), "utf-8")
    return out


def bench(label: str, initial: Path, changed: Path, repeat: int, env: dict[str, str]) -> list:
    source = initial / "backend-core" / "models.py"
    lines = sum(1 for _ in source.open(encoding="utf-8"))
    print(f"{label}: {lines} lines in the source, {repeat} runs each", flush=True)
    floor = measure([PY, "-c", FLOOR, str(source)], repeat, env)
    rows = [(f"{label} floor ast.parse(source)", *floor, 1.0)]
    for name, root in (("initial", initial), ("change", changed)):
        argv = [PY, "-m", "modelsync", "migration", "--stdout", "--root", str(root)]
        result = measure(argv, repeat, env)
        rows.append((f"{label} migration --stdout ({name})", *result, result[0] / floor[0]))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, help="runs per case (default: 15 small, 5 large)")
    parser.add_argument("--tables", type=int, default=800, help="tables in the large project")
    args = parser.parse_args()
    print(f"python {platform.python_version()} ({PY}) on {platform.platform()}")
    print(f"cpus: {os.cpu_count()}; peak RSS from {TIME or 'os.wait4 (upper bound)'}")
    env, cli = child_env()
    if not cli:
        print("modelsync is not importable")
        return 1
    out = Path(tempfile.mkdtemp(prefix="modelsync-bench-migration-"))
    try:
        large = make_large_project(out / "large", args.tables)
        rows = bench(
            "example",
            initial_copy(EXAMPLE, out / "example-initial"),
            changed_copy(EXAMPLE, out / "example-changed", env),
            args.repeat or 15,
            env,
        )
        rows += bench(
            "large",
            initial_copy(large, out / "large-initial"),
            changed_copy(large, out / "large-changed", env),
            args.repeat or 5,
            env,
        )
    finally:
        shutil.rmtree(out, ignore_errors=True)
    print()
    print(f"{'case':<44} {'median s':>9} {'x floor':>8} {'peak MiB':>9} {'exit':>5}")
    for name, median, rss, code, ratio in rows:
        print(f"{name:<44} {median:>9.3f} {ratio:>8.2f} {rss:>9.1f} {code:>5}")
    return 0 if all(row[3] == 0 for row in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
