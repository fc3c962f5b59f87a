from typing import Optional

from sqlmodel import Field

from common.columns import MoneyMixin
from domain import accounts

ALL: list = []


class Entry(MoneyMixin, table=True):
    __tablename__ = "ledger_entries"

    id: Optional[int] = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="accounts.id", ondelete="CASCADE")
    # A constant of the other module of the cycle (defined before it imported this one).
    memo: str = Field(default="", max_length=accounts.OWNER_LEN * 2)
