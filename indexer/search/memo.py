"""Values worked out once per index state and shared by every search thread.

Some work depends only on the index state a search reads (its facet columns):
splitting the event-role terms, stemming every company name. Threads search
without a lock; the first search of a new state works the value out, under a
lock so it is done once, and every later one reads it without the lock. The
values go when their index state does.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from typing import Generic, TypeVar

Key = TypeVar("Key")
Value = TypeVar("Value")


class PerIndexState(Generic[Key, Value]):
    """A value per index-state object (``key``), computed on first use."""

    def __init__(self) -> None:
        self._values: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    def get(self, key: Key, compute: Callable[[], Value]) -> Value:
        found = self._values.get(key)
        if found is None:
            with self._lock:
                found = self._values.get(key)
                if found is None:
                    found = self._values[key] = compute()
        return found
