"""Texts that name municipalities stay short at any number of them.

Up to `LIMIT` parts a text lists each one (as before: the real municipalities' texts are unchanged);
above it, the first `SHOWN` and how many more, pointing to the tables and downloads that hold all:

    brief.join(parts)                    'A 2023; B 2022; ...; E 2023 and 495 more (...)' above LIMIT
    brief.lines(lines, "municipalities") the first SHOWN lines and one line saying how many more
    brief.names(["Aaa", "Bbb", ...])     'Aaa, Bbb and Ccc' / 'Aaa, Bbb, Ccc, Ddd, Eee and 407 more'

So a page's caveats and findings grow no faster than a fixed bound, whatever N is.
"""
from __future__ import annotations

LIMIT = 25   # parts listed one by one (as many as a chart draws one by one: distribution.THRESHOLD)
SHOWN = 5    # parts named before "and N more"
WHERE = "the tables and downloads of this page list each"


def more(n: int, what: str = "", where: str = WHERE) -> str:
    return f"{n} more{' ' + what if what else ''} ({where})" if where else f"{n} more{' ' + what if what else ''}"


def join(parts, sep: str = "; ", what: str = "", where: str = WHERE, limit: int = LIMIT, shown: int = SHOWN) -> str:
    """`parts` joined by `sep`; above `limit` parts the first `shown` and 'and N more'."""
    parts = [str(p) for p in parts]
    if len(parts) <= limit:
        return sep.join(parts)
    return sep.join(parts[:shown]) + f" and {more(len(parts) - shown, what, where)}"


def names(items, what: str = "", where: str = WHERE, limit: int = LIMIT, shown: int = SHOWN) -> str:
    """'A', 'A and B', 'A, B and C'; above `limit` items 'A, B, C, D, E and N more'."""
    items = [str(i) for i in items if i]
    if len(items) > limit:
        return ", ".join(items[:shown]) + f" and {more(len(items) - shown, what, where)}"
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1] if items else ""


def lines(items: list[str], what: str = "municipalities", where: str = WHERE, limit: int = LIMIT,
          shown: int = SHOWN) -> list[str]:
    """A list of sentences (one per municipality); above `limit` the first `shown` and one more line."""
    items = list(items)
    if len(items) <= limit:
        return items
    return items[:shown] + [f"The same for {more(len(items) - shown, what, where)}."]
