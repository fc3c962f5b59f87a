"""Time `modelsync check` on a models package against a parse-only floor, at three sizes.

For generated packages (`make_large_package.py`) of 75, 150 and 300 modules (500, 1,000
and 2,000 tables; mixins, enums and constants crossing modules) it times, as whole
processes and interleaved round by round so that a busy machine weighs on both alike:

    floor   python -c "import ast, sys; [ast.parse(...) ...]" FILES   (every file check reads)
    check   python -m modelsync check --root DIR

for three targets, each a fair picture of one way teams lay a worker out:

    package   the mirror is a package too (worker/app/, a copy): check reads twice the
              modules, so this is the hardest case for module resolution;
    one file  the standard's shape: worker/db.py written by `modelsync generate` from the
              package (2,000 tables in one file; check also verifies the generated region);
    imports   the worker imports the package's classes (`sys.path.append` then
              `from app.models import ...`): every table is shared, check reads the
              package once and the worker's one file.

It prints the median wall-clock time and CPU time (user + system) of each, their ratios to
the floor's, and the peak RSS (from `/usr/bin/time -f %M` when it exists); then check's CPU
time for each file more from one size to the next, which stays flat when the cost grows
linearly with the files read. Last, the
same work inside one process after the imports (both sides' `load_side` against `ast.parse`
of the same files, the garbage collector off as in the console script, best of five): what
module resolution adds to reading, without start-up.

    python bench/bench_packages.py [--repeat N] [--sizes 75,150,300] [--out DIR]
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

from bench_check import TIME, child_env
from bench_check import run_timed as run_once
from make_large_package import write_package

PY = sys.executable
FLOOR = "import ast, sys; [ast.parse(open(p, 'rb').read()) for p in sys.argv[1:]]"
TABLES_PER_MODULE = 2000 / 300
WORKER = '''"""The worker imports the backend's models instead of copying them."""

import os
import sys

sys.path.append(os.path.join(os.path.dirname(__file__), "..", "backend"))

from app.models import Table0000, Table0001  # noqa: E402
'''


def make_projects(out: Path, modules: int, env: dict[str, str]) -> dict[str, Path]:
    """The three projects of one size, sharing one generated package."""
    tables = round(modules * TABLES_PER_MODULE)
    base = out / f"m{modules}"
    package = base / "package"
    write_package(package / "backend", modules, tables)
    shutil.copytree(package / "backend" / "app", package / "worker" / "app")
    _config(package, "worker/app")
    one_file = base / "one-file"
    shutil.copytree(package / "backend", one_file / "backend")
    _config(one_file, "worker/db.py")
    generate = [PY, "-m", "modelsync", "generate", "--root", str(one_file)]
    subprocess.run(generate, check=True, env=env, stdout=subprocess.DEVNULL)
    imports = base / "imports"
    shutil.copytree(package / "backend", imports / "backend")
    (imports / "worker").mkdir()
    (imports / "worker" / "db.py").write_text(WORKER, encoding="utf-8")
    _config(imports, "worker/db.py")
    return {"package": package, "one file": one_file, "imports": imports}


def _config(root: Path, target: str) -> None:
    text = f'[tool.modelsync]\nsource = "backend/app"\ntarget = "{target}"\n'
    (root / "pyproject.toml").write_text(text, encoding="utf-8")


def files_read(root: Path) -> list[str]:
    """Every Python file check reads: the package, and the target's files."""
    return sorted(str(p) for folder in ("backend", "worker") for p in (root / folder).rglob("*.py"))


def in_process(root: Path, rounds: int) -> tuple[float, float]:
    """Best-of-N seconds of (ast.parse of the files, load_side of both sides), in this
    process after the imports, with the collector off."""
    import ast
    import gc

    from modelsync.config import load_config
    from modelsync.schema.load import load_side
    from modelsync.schema.release import rules_for

    config = load_config(root, {})
    rules = rules_for(None)
    files = files_read(root)

    def parse() -> None:
        for path in files:
            ast.parse(Path(path).read_bytes())

    def sides() -> None:
        tree, loaded = config.tree(), {}
        source = load_side(tree, config.source_items, rules, loaded=loaded)
        load_side(tree, config.target_items, rules, what="target", imports_from=source,
                  loaded=loaded)  # fmt: skip

    def best(function) -> float:
        times = []
        for _ in range(rounds):
            gc.disable()
            start = time.process_time()
            function()
            times.append(time.process_time() - start)
            gc.enable()
            gc.collect()
        return min(times)

    return best(parse), best(sides)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="rounds (default 5)")
    parser.add_argument("--sizes", default="75,150,300", help="modules per package")
    parser.add_argument("--out", type=Path, help="keep the projects here (default: temp)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    print(f"python {platform.python_version()} ({PY}) on {platform.platform()}")
    print(f"cpus: {os.cpu_count()}; peak RSS from {TIME or 'os.wait4 (upper bound)'}")
    env, cli = child_env()
    if not cli:
        print("modelsync is not importable: nothing to measure")
        return 1
    tmp = tempfile.mkdtemp(prefix="modelsync-bench-") if args.out is None else None
    out = Path(tmp) if tmp else args.out
    if tmp is None:
        shutil.rmtree(out, ignore_errors=True)
    try:
        cases = []
        for modules in sizes:
            for shape, root in make_projects(out, modules, env).items():
                files = files_read(root)
                lines = sum(Path(f).read_text(encoding="utf-8").count("\n") for f in files)
                floor = [PY, "-c", FLOOR, *files]
                check = [PY, "-m", "modelsync", "check", "--root", str(root)]
                cases.append((modules, shape, root, len(files), lines, floor, check))
        print(f"{len(cases)} cases, {args.repeat} rounds, floor and check interleaved", flush=True)
        runs: dict[tuple[int, str, str], list] = {}
        for round_number in range(args.repeat + 1):  # round 0 warms the page cache and .pyc
            for modules, shape, _, _, _, floor, check in cases:
                for name, argv in (("floor", floor), ("check", check)):
                    result = run_once(argv, env)
                    if round_number:
                        runs.setdefault((modules, shape, name), []).append(result)
            print(f"  round {round_number} done", flush=True)
        report(cases, runs)
        print("\nin process, after imports (best of 5, collector off):")
        for modules, shape, root, count, *_ in cases:
            if shape != "package":
                continue
            parse, sides = in_process(root, 5)
            print(
                f"  {modules} modules x2 ({count} files): ast.parse {parse:.3f} s, "
                f"load_side of both sides {sides:.3f} s ({sides / parse:.2f}x); "
                f"{sides / count * 1000:.2f} ms a file"
            )
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    failed = any(r[3] for results in runs.values() for r in results)
    return 1 if failed else 0


def report(cases: list, runs: dict) -> None:
    def median(key: tuple, which: int) -> float:
        return statistics.median(r[which] for r in runs[key])

    print()
    header = f"{'modules':>7} {'target':<9} {'files':>5} {'lines':>7}  {'what':<5}"
    print(f"{header} {'wall s':>7} {'x floor':>7} {'cpu s':>7} {'x floor':>7} {'peak MiB':>8}")
    per_module: dict[str, list[tuple[int, float]]] = {}
    for modules, shape, _, count, lines, _, _ in cases:
        floor_wall, floor_cpu = (
            median((modules, shape, "floor"), 0),
            median((modules, shape, "floor"), 1),
        )
        for name in ("floor", "check"):
            key = (modules, shape, name)
            wall, cpu = median(key, 0), median(key, 1)
            peak = max(r[2] for r in runs[key])
            print(
                f"{modules:>7} {shape:<9} {count:>5} {lines:>7}  {name:<5} {wall:>7.2f} "
                f"{wall / floor_wall:>7.2f} {cpu:>7.2f} {cpu / floor_cpu:>7.2f} {peak:>8.1f}"
            )
        per_module.setdefault(shape, []).append((count, median((modules, shape, "check"), 1)))
    print("\ncheck's CPU time for each file more, from one size to the next (flat = linear):")
    for shape, points in per_module.items():
        steps = zip(points, points[1:], strict=False)
        shown = ", ".join(
            f"{a[0]}->{b[0]} files: {(b[1] - a[1]) / (b[0] - a[0]) * 1000:.2f} ms" for a, b in steps
        )
        print(f"  {shape:<9} {shown}")


if __name__ == "__main__":
    raise SystemExit(main())
