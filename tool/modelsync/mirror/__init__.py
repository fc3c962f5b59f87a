"""The ``generate`` path: the source's table models -> the mirror's generated region.

``state`` reads what the target's region is and should be (shared with ``check``, which never
renders), with ``markers`` for the marker comments and their fingerprints; ``definitions``
picks what to copy, from whichever module of the source; ``region`` copies it; ``members``
sorts what adopting a hand-written class would lose from the comments it carries out;
``templates`` and ``render`` lay it out; ``splice`` puts it into the target; ``cst_imports``
adds missing imports; ``generate`` writes.

Only light modules are exposed here: jinja2 is loaded when something is rendered and libcst
when an import must be added, never by importing this package.
"""

from modelsync.mirror.state import MirrorState, mirror_state, stale_region_drifts

__all__ = ["MirrorState", "mirror_state", "stale_region_drifts"]
