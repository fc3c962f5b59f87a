"""crm/storage/ is a folder of data files (no __init__.py) beside this module: Python
imports this module, not a namespace package, for ``crm.storage``."""

NOTE_MAX = 500
