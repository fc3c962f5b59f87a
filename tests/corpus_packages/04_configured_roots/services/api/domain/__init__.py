# Importing the package runs accounts first, then ledger: the order the cycle needs.
from domain import accounts, ledger  # noqa: F401
