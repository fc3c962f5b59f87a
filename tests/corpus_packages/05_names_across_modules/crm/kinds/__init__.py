from .status import Stage

__all__ = ["Stage"]

from .priority import Priority  # noqa: E402

__all__ += ["Priority"]
