"""__table_args__ as a bare dict (table options only) and `__tablename__: str = ...` with an annotation."""
from typing import Optional

from sqlmodel import Field, SQLModel


class AuditLog(SQLModel, table=True):
    __tablename__: str = "audit_logs"
    __table_args__ = {"comment": "Append-only audit trail of admin actions"}

    id: Optional[int] = Field(default=None, primary_key=True)
    actor_id: Optional[int] = Field(default=None, index=True)
    action: str = Field(max_length=50)
    payload: Optional[str] = None


class LoginEvent(SQLModel, table=True):
    __table_args__ = {"comment": "Raw login events", "info": {"owner": "auth"}}

    id: Optional[int] = Field(default=None, primary_key=True)
    user_id: int = Field(index=True)
    ip: str = Field(max_length=45)
