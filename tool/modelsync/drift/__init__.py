"""Schema x Schema -> drift findings (``check``): ``compare`` (the generic differ), ``kinds``
(the kinds, their codes and the Finding each becomes) and ``pending`` (the models against the
schema state: ``migration_missing``)."""

from modelsync.drift.compare import compare, differences
from modelsync.drift.kinds import DRIFT_KINDS, DRIFT_RULES, KIND_CODES, drift

__all__ = ["DRIFT_KINDS", "DRIFT_RULES", "KIND_CODES", "compare", "differences", "drift"]
