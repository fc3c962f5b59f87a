"""The shop's shared model parts, re-exported: * without __all__ (mixins), * with
__all__ (types), and one name down a chain of three modules (palette)."""

from .mixins import *
from .palette import Color
from .types import *
