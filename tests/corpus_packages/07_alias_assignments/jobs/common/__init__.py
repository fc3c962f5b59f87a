from . import enums as _enums

JobStatus = _enums.JobStatus
Priority = _enums.Priority
