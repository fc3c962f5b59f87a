"""A re-export: the chain is common -> palette -> _palette -> _palette.colors."""

from ._palette import Color as Color
