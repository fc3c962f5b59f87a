"""The command line: one module per command, each loaded by the group when it is run
(``app.COMMAND_MODULES``)."""

from modelsync.cli.app import main, run

__all__ = ["main", "run"]
