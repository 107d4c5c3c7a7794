"""How many bytes a plain value stands for: the host memory budget's yardstick.

:func:`approx_bytes` walks JSON-like data (dicts, lists, strings, numbers) and adds up a
conservative estimate of what building it as text or as engine values would take. A
container reached twice is counted twice — a table holding one 30 MB string 200 times
becomes 6 GB of JSON — and the walk stops as soon as the total passes ``limit``, so
sizing a huge value costs no more than sizing one just over the limit.
"""

from __future__ import annotations

from typing import Any

__all__ = ["approx_bytes"]

#: what one container entry or scalar adds besides its text (a separator, a key's quotes)
_ITEM = 8


def approx_bytes(value: Any, limit: int | None = None) -> int:
    """The approximate size of ``value`` in bytes; stops counting past ``limit``
    (returning a number above it)."""
    cap = limit if limit is not None else 1 << 62
    total = 0
    stack = [value]
    pop, push = stack.pop, stack.append
    while stack:
        v = pop()
        t = type(v)
        if t is str:
            total += len(v) + _ITEM
        elif t is dict:
            total += _ITEM
            for k, item in v.items():
                total += (len(k) if type(k) is str else 16) + _ITEM
                push(item)
        elif t is list or t is tuple:
            total += _ITEM
            for item in v:
                push(item)
        elif t is bytes or t is bytearray:
            total += len(v) + _ITEM
        elif t is int and (v > 1 << 63 or v < -(1 << 63)):
            total += v.bit_length() // 3 + _ITEM  # decimal digits as text
        else:
            total += _ITEM
        if total > cap:
            return total
    return total
