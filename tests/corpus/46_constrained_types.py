"""pydantic constrained types (condecimal, constr, conint, ...) as annotations."""
from decimal import Decimal
from typing import Optional
from pydantic import condecimal, constr, conint, confloat, conbytes, condate
from sqlmodel import Field, SQLModel
class Offer(SQLModel, table=True):
    __tablename__ = "offers"
    id: Optional[int] = Field(default=None, primary_key=True)
    price: condecimal(max_digits=8, decimal_places=2)
    code: constr(max_length=12)
    qty: conint(ge=0)
    ratio: Optional[confloat(ge=0)] = None
    blob: conbytes(max_length=10)
    day: condate()
    code2: constr(max_length=12) = Field(max_length=7)
