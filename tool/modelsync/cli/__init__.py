"""The command line: one module per command, registered on the group here."""

from modelsync.cli.app import main, run
from modelsync.cli.check import check
from modelsync.cli.generate import generate
from modelsync.cli.lint import lint
from modelsync.cli.migration import migration
from modelsync.cli.schema import schema
from modelsync.cli.verify import verify

for _command in (check, generate, schema):
    main.add_command(_command)
main.add_command(lint)
main.add_command(migration)
main.add_command(verify)

__all__ = ["main", "run"]
