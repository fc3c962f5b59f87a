from sqlmodel import Field, SQLModel

from jobs import common
from jobs.common.enums import Channel

Via = Channel
Default = common.JobStatus


class Step(SQLModel, table=True):
    __tablename__ = "steps"

    id: int | None = Field(default=None, primary_key=True)
    job_id: int = Field(foreign_key="jobs.id", ondelete="CASCADE")
    via: Via = Via.SMS
    state: Default = Field(default=Default.RUNNING)
