"""A small inventory: stock levels and reorder rules."""

import dataclasses


@dataclasses.dataclass
class Item:
    sku: str
    quantity: int

    def restock(self, amount: int) -> int:
        self.quantity += amount
        return self.quantity


def reorder_needed(item: Item, threshold: int = 5) -> bool:
    """Whether an item's stock fell below the reorder threshold."""
    return item.quantity < threshold


async def fetch_prices(skus: list[str]) -> dict[str, float]:
    def parse(line):
        return line.split(",")
    return {}
