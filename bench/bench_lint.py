"""Time `modelsync lint` on the example as a whole process against a parse-only floor.

    floor   python -c "import ast ..." FILES   (ast.parse of the Python files lint reads;
            the migrations are read and decoded)
    lint    modelsync lint --root examples/interview            (the console script)
    cache off  the same with MODELSYNC_CACHE=0: every migration parsed by pglast again, and
            pyproject.toml by tomllib
    check   modelsync check, for comparison: the start-up every command shares

The four run interleaved, round after round, so that load on the machine hits them alike;
each round is one run of each after a warm-up round (page cache, .pyc files, modelsync's
cache). The children run without PYTHONDONTWRITEBYTECODE, as an installed tool does. Printed:
wall-clock and CPU (user+sys of the child) medians and minima, and the ratios to the floor,
which the issue bounds at 3x. Then lint's own work once everything is imported, in this
process with the garbage collector off as the console script has it, against ast.parse.

Wall-clock ratios on a shared or virtual machine move by a tenth either way from run to run.
Where valgrind is installed, the floor, lint and check are also run once each under
callgrind, which counts the instructions they execute: the same count whatever else the
machine is doing (``--no-instructions`` skips it; it takes about ten seconds).

    python bench/bench_lint.py [--rounds N] [--no-instructions]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
EXAMPLE = REPO / "examples" / "interview"
PY = sys.executable
SCRIPT = str(Path(PY).parent / "modelsync")
FLOOR = (
    "import ast, sys\n"
    "for p in sys.argv[1:]:\n"
    "    data = open(p, 'rb').read()\n"
    "    ast.parse(data) if p.endswith('.py') else data.decode()\n"
)
LIMIT = 3.0


def lint_files(root: Path) -> list[str]:
    """The files lint reads, as its JSON summary lists them."""
    argv = [SCRIPT, "lint", "--root", str(root), "--format", "json"]
    out = subprocess.run(argv, capture_output=True, text=True, check=False)
    return [str(root / f) for f in json.loads(out.stdout)["summary"]["files"]]


def run_once(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the child)."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"exit {os.waitstatus_to_exitcode(status)}: {' '.join(argv)}")
    return wall, usage.ru_utime + usage.ru_stime


def in_process(files: list[str], rounds: int) -> None:
    """lint's own work once everything is imported, against ast.parse of the same files in
    the same process: what lint adds beyond reading, without interpreter and import start-up."""
    import ast
    import gc

    gc.disable()  # as the console script runs (modelsync.__main__)

    from modelsync.config import load_config
    from modelsync.lint.run import lint_project
    from modelsync.lint.settings import lint_settings
    from modelsync.schema.pins import choose_release

    def parse_only() -> None:
        for name in files:
            data = Path(name).read_bytes()
            ast.parse(data) if name.endswith(".py") else data.decode()

    def lint_once() -> None:
        config = load_config(EXAMPLE, {})
        release = choose_release(config.root, config.source, None, config.sqlmodel_version)
        lint_project(config, lint_settings(config, (), ()), release)

    def best(function) -> float:
        function()
        runs = []
        for _ in range(rounds):
            start = time.perf_counter()
            function()
            runs.append(time.perf_counter() - start)
        return statistics.median(runs)

    floor, work = best(parse_only), best(lint_once)
    print(
        f"in process, after imports: ast.parse {floor * 1000:.1f} ms, lint {work * 1000:.1f} ms "
        f"({work / floor:.2f}x)"
    )


def instructions(argv: list[str], env: dict[str, str]) -> int | None:
    """Instructions the command executes, counted by callgrind; None without valgrind."""
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        return None
    command = [valgrind, "--tool=callgrind", "--callgrind-out-file=/dev/null", *argv]
    out = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    found = re.search(r"Collected : (\d+)", out.stderr)
    return int(found.group(1)) if found and out.returncode == 0 else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--no-instructions", action="store_true", help="skip the callgrind counts")
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    files = lint_files(EXAMPLE)
    lint = [SCRIPT, "lint", "--root", str(EXAMPLE)]
    cases = {
        "floor (ast.parse)": ([PY, "-c", FLOOR, *files], env),
        "lint": (lint, env),
        "lint, cache off": (lint, {**env, "MODELSYNC_CACHE": "0"}),
        # For comparison: the start-up (click, the schema IR) that every command pays.
        "check": ([SCRIPT, "check", "--root", str(EXAMPLE)], env),
    }
    for argv, case_env in cases.values():  # warm-up round
        run_once(argv, case_env)
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in cases}
    for _ in range(args.rounds):
        for name, (argv, case_env) in cases.items():
            times[name].append(run_once(argv, case_env))

    def stat(name: str, which: int, how) -> float:
        return how(t[which] for t in times[name])

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"python {platform.python_version()}, {os.cpu_count()} cpu(s), {args.rounds} rounds, "
        f"load average {load:.1f}"
    )
    print(f"files lint reads: {', '.join(str(Path(f).relative_to(EXAMPLE)) for f in files)}")
    header = f"{'case':<24}{'wall med':>10}{'wall min':>10}{'cpu med':>10}{'cpu min':>10}"
    print(header + f"{'x floor (wall med / min, cpu med)':>36}")
    base = {
        k: stat("floor (ast.parse)", i, f)
        for k, (i, f) in {
            "wm": (0, statistics.median),
            "wn": (0, min),
            "cm": (1, statistics.median),
        }.items()
    }
    for name in cases:
        wm, wn = stat(name, 0, statistics.median), stat(name, 0, min)
        cm, cn = stat(name, 1, statistics.median), stat(name, 1, min)
        ratios = f"{wm / base['wm']:.2f} / {wn / base['wn']:.2f}, {cm / base['cm']:.2f}"
        print(f"{name:<24}{wm:>9.3f}s{wn:>9.3f}s{cm:>9.3f}s{cn:>9.3f}s{ratios:>36}")
    in_process(files, args.rounds)
    if not args.no_instructions:
        counts = {name: instructions(cases[name][0], cases[name][1]) for name in cases}
        floor = counts["floor (ast.parse)"]
        if floor:
            shown = ", ".join(
                f"{name} {count / 1e6:.1f} M ({count / floor:.2f}x)"
                for name, count in counts.items()
                if count
            )
            print(f"instructions (callgrind): {shown}")
        else:
            print("instructions: valgrind not found (or it failed); skipped")
    ratio = stat("lint", 0, statistics.median) / base["wm"]
    verdict = "within" if ratio <= LIMIT else "OVER"
    print(f"lint: {ratio:.2f}x the floor (wall-clock medians): {verdict} the {LIMIT:.0f}x bound")


if __name__ == "__main__":
    main()
