"""Settings the models read at import time."""
