from sqlmodel import Field, SQLModel

from jobs.common import JobStatus, Priority

__all__ = ["Job"]


class Job(SQLModel, table=True):
    __tablename__ = "jobs"

    id: int | None = Field(default=None, primary_key=True)
    status: JobStatus = JobStatus.QUEUED
    priority: Priority = Field(default=Priority.HIGH, index=True)
