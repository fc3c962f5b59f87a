from inventory.models.stock import Stock
from inventory.models.warehouse import Warehouse

__all__ = ["Stock", "Warehouse"]
