"""A mixin outside the package, reached through the configured root."""

from decimal import Decimal

from sqlmodel import Field, SQLModel

from common import MONEY_DIGITS
from common.units import CURRENCY_LEN


class MoneyMixin(SQLModel):
    amount: Decimal = Field(max_digits=MONEY_DIGITS, decimal_places=2)
    currency: str = Field(default="EUR", max_length=CURRENCY_LEN)
