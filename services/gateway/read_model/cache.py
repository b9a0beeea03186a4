"""A small LRU cache of answers, keyed by what was asked and how many events were applied.

A search's key holds the read model's processed-event count, raised in the same transaction as
every projected write, and the search index's generation, raised with every change it follows
(whoever wrote it), so an answer is only ever served for the exact state it was computed from:
after any change the key differs and the old entries are simply never asked for again.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Generic, TypeVar

from services.gateway.read_model.views import EnterprisePage

V = TypeVar("V")


class AnswerCache(Generic[V]):
    """At most `size` answers, least recently used dropped first; safe across threads."""

    def __init__(self, size: int = 256) -> None:
        self._size = size
        self._answers: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_compute(self, key: Hashable, compute: Callable[[], V]) -> V:
        """The cached answer for `key`, or `compute()`'s, stored for next time."""
        with self._lock:
            if key in self._answers:
                self._answers.move_to_end(key)
                return self._answers[key]
        # Computed outside the lock: two threads may compute the same answer once each,
        # which is cheaper than making every search wait for the slowest one.
        answer = compute()
        with self._lock:
            self._answers[key] = answer
            self._answers.move_to_end(key)
            while len(self._answers) > self._size:
                self._answers.popitem(last=False)
        return answer

    def __len__(self) -> int:
        return len(self._answers)


@dataclass(frozen=True)
class SearchCache:
    """Recent search answers, the number of listed enterprises and the registries' last
    checks, of one process."""

    pages: AnswerCache[EnterprisePage] = field(default_factory=AnswerCache)
    checked: AnswerCache[dict[str, datetime | None]] = field(
        default_factory=lambda: AnswerCache(size=4)
    )
    listed: AnswerCache[int] = field(default_factory=lambda: AnswerCache(size=4))
