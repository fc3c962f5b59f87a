"""datetime (aware by default), NaiveDatetime/AwareDatetime, Annotated forms, date, time, timedelta."""
import datetime as dt
from datetime import date, datetime, time, timedelta
from typing import Annotated, Optional

from pydantic import AwareDatetime, NaiveDatetime
from sqlmodel import Field, SQLModel


class InterviewSession(SQLModel, table=True):
    __tablename__ = "interview_sessions"

    id: Optional[int] = Field(default=None, primary_key=True)
    started_at: datetime
    ended_at: Optional[datetime] = None
    local_started_at: NaiveDatetime
    server_received_at: AwareDatetime
    legacy_ts: Annotated[datetime, NaiveDatetime]
    utc_ts: Annotated[datetime, AwareDatetime]
    last_wins: Annotated[datetime, AwareDatetime, NaiveDatetime]
    interview_date: date
    slot_start: time
    slot_length: timedelta
    module_dt: dt.datetime
    module_date: Optional[dt.date] = None
    module_time: dt.time = Field(default_factory=lambda: dt.time(9, 0))
    module_delta: Optional[dt.timedelta] = None
