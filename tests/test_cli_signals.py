"""Which commands take SIGTERM over: those with something to clean up, not the read-only ones."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import EXAMPLE

PROBE = """
import sys
import modelsync.cli.app as app
app._PROCESS_ENTRY = True  # as run() sets it for the console script
from modelsync.cli import main
sys.argv = ["modelsync", *sys.argv[1:]]
try:
    main()
except SystemExit:
    pass
import signal
print("UNWINDS", signal.getsignal(signal.SIGTERM) is app._terminated)
"""


@pytest.mark.parametrize(
    ("command", "unwinds"),
    [
        (["lint"], False),
        (["check"], False),
        (["generate", "--check"], True),
        (["migration", "--stdout"], True),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) else str(v),
)
def test_sigterm_unwinds_only_where_there_is_cleanup(command: list[str], unwinds: bool) -> None:
    argv = [sys.executable, "-c", PROBE, *command, "--root", str(EXAMPLE)]
    out = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    assert f"UNWINDS {unwinds}" in out.stdout, out.stdout + out.stderr


def test_a_runner_inside_another_process_leaves_its_handlers_alone() -> None:
    # Without run() (a test's CliRunner, say), no command installs a handler.
    probe = PROBE.replace("app._PROCESS_ENTRY = True", "pass")
    argv = [sys.executable, "-c", probe, "migration", "--stdout", "--root", str(EXAMPLE)]
    out = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    assert "UNWINDS False" in out.stdout, out.stdout + out.stderr
