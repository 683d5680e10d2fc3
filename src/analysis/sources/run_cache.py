"""What one `analysis extract` or `analysis validate` of all folders reads once, not once per folder.

Inside `with run_cache.scope():` (the workspace does not change during a run: extract holds the
workspace lock) `shared(key, fn)` calls `fn()` the first time and returns the same value after;
outside a scope it always calls `fn()`, so a single `validate.check` or a test that edits a file
between two calls always reads the file again. The values are shared: callers never change them.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Callable, TypeVar

T = TypeVar("T")
_values: dict | None = None


@contextmanager
def scope():
    """Share what is read inside the block (nested scopes share the outer one)."""
    global _values
    outer = _values
    if outer is None:
        _values = {}
    try:
        yield
    finally:
        _values = outer


def shared(key: tuple, fn: Callable[[], T]) -> T:
    """`fn()`, computed once per key inside a scope."""
    if _values is None:
        return fn()
    if key not in _values:
        _values[key] = fn()
    return _values[key]


def peek(key: tuple):
    """The value computed for `key` in this scope, or None."""
    return None if _values is None else _values.get(key)


def prime(key: tuple, value) -> None:
    """Give `key` its value in this scope (e.g. read from the extract cache); no-op outside one."""
    if _values is not None:
        _values[key] = value


def active() -> bool:
    """True inside a scope."""
    return _values is not None
