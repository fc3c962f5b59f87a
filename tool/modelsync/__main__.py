"""``python -m modelsync``: the console script's behaviour, whatever the current directory.

``-m`` puts the current directory first on ``sys.path``, so a project's own ``json.py``,
``click.py`` or ``sqlmodel-0.0.1.dist-info/`` would be imported or read in place of the
installed ones (code from a pull request running in CI). The console script has no such
entry; drop it before anything else is imported. (Only the standard library's ``os`` and
``sys`` are loaded by now, and the interpreter loaded those before the current directory
counted.)
"""

import os
import sys


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
