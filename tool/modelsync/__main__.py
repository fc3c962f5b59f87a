"""The process entry: the ``modelsync`` console script and ``python -m modelsync``.

The cyclic garbage collector goes off before anything else is imported. A run is short
and builds no cycles worth collecting; left on, the collector re-scans every object the
imports create (click and modelsync's own modules), a few per cent of a ``check``.
Importing this module is therefore for the process entry only (``cli.run`` keeps it off).

``-m`` puts the current directory first on ``sys.path``, so a project's own ``json.py``,
``click.py`` or ``sqlmodel-0.0.1.dist-info/`` would be imported or read in place of the
installed ones (code from a pull request running in CI). The console script has no such
entry; drop it before anything else is imported. What this cannot undo: to run ``-m`` at
all, the interpreter has already imported runpy's own modules (``collections``,
``contextlib``, ``functools``, ...) with the current directory first, so a project file
named like one of those has run before this line. Hence the README recommends the console
script (tests/test_hardening_sys_path.py checks both statements).
"""

import gc
import os
import sys

gc.disable()


def _drop_current_directory() -> None:
    if not sys.path:
        return
    first = sys.path[0]
    try:
        here = os.getcwd()
    except OSError:  # the current directory was removed
        here = None
    if first in ("", ".") or (here is not None and os.path.realpath(first) == here):
        del sys.path[0]


_drop_current_directory()

from modelsync.cli import run  # noqa: E402

if __name__ == "__main__":
    run()
