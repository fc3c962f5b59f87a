"""Annotated aliases; __all__ leaves ``Money`` out of ``from .types import *``."""

from decimal import Decimal
from typing import Annotated

from sqlmodel import Field

from ._palette.sizes import CODE_LEN

__all__ = ["Sku", "Title", "CODE_LEN"]

Sku = Annotated[str, Field(max_length=CODE_LEN, index=True)]
Title = Annotated[str, Field(max_length=CODE_LEN * 4)]
Money = Annotated[Decimal, Field(max_digits=12, decimal_places=2)]
