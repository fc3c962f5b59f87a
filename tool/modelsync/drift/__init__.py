"""Schema x Schema -> drift findings (``check``)."""

from modelsync.drift.compare import compare, differences
from modelsync.drift.kinds import DRIFT_KINDS, DRIFT_RULES, KIND_CODES, drift

__all__ = ["DRIFT_KINDS", "DRIFT_RULES", "KIND_CODES", "compare", "differences", "drift"]
