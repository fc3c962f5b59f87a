"""Time splitting a migration into statements (``migrate.folder.split_statements``) as the
file grows, against pglast's ``split`` of the same text in the same run (the floor: the
PostgreSQL grammar's own work, with nothing located).

Three shapes of file, each at doubling sizes:

    plain       ``SELECT 1;`` per line
    commented   a nested ``/* a /* b */ */`` comment before each statement
    non-ASCII   ``SELECT 'é';`` per line (a character that takes two bytes in UTF-8)

Printed per size: the median time, microseconds per statement, the ratio to the floor and
the growth over the size before (twice the statements: linear work grows 2x, quadratic
work 4x). Lint and verify both split every migration file, so this bounds what a large
(or hostile) file costs them.

    python bench/bench_split.py [--rounds N] [--sizes 10000,20000,...]
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time

from pglast import parser

from modelsync.migrate.folder import split_statements

SHAPES = {
    "plain": "SELECT 1;\n",
    "commented": "/* a /* b */ */ SELECT 1;\n",
    "non-ASCII": "SELECT 'é';\n",
}


def median_seconds(work, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    arguments = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    arguments.add_argument("--rounds", type=int, default=3)
    arguments.add_argument("--sizes", default="25000,50000,100000,200000,400000")
    options = arguments.parse_args()
    sizes = [int(size) for size in options.sizes.split(",")]
    gc.disable()  # as the console script runs (modelsync.__main__)
    print(f"{'shape':10} {'statements':>10} {'split_statements':>16} {'us/stmt':>8} "
          f"{'floor (split)':>13} {'ratio':>6} {'growth':>7}")  # fmt: skip
    for shape, line in SHAPES.items():
        before = None
        for size in sizes:
            sql = line * size
            ours = median_seconds(
                lambda sql=sql: split_statements(sql, "bench.sql"), options.rounds
            )
            floor = median_seconds(lambda sql=sql: parser.split(sql), options.rounds)
            growth = f"{ours / before:6.2f}x" if before else "      -"
            print(
                f"{shape:10} {size:>10} {ours:>15.3f}s {ours / size * 1e6:>8.2f} "
                f"{floor:>12.3f}s {ours / floor:>5.2f}x {growth}"
            )
            before = ours
            gc.collect()


if __name__ == "__main__":
    main()
