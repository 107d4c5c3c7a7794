// Shopping cart totals and discounts.
export function cartTotal(items) {
  return items.reduce((sum, item) => sum + item.price * item.qty, 0);
}

class Cart {
  constructor() {
    this.items = [];
  }
  addItem(item) {
    this.items.push(item);
  }
}

const applyDiscount = (total, percent) => total * (1 - percent / 100);
