"""Group commit: label events that arrive together are recorded in one transaction.

The subscriber fetches a batch of messages and FastStream hands each to its own task; every
task resolves its event's place, then waits here. The first task to arrive becomes the group's
leader: it lets the others of the batch join, records them all in stream order in one
transaction (in a thread), and hands each task its own result, so each message is still
acknowledged on its own, only after the commit that holds its effect.

A task that reaches the group late (after the others were taken) is committed in the next
group, after messages that came later in the stream. Events about one holding still end in the
right state, since the registry ignores an event older than what the holding reflects.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

MAX_YIELDS = 50
QUIET_YIELDS = 3
Item = TypeVar("Item")
Result = TypeVar("Result")


@dataclass
class _Waiting(Generic[Item, Result]):
    order: int
    item: Item
    result: asyncio.Future[Result] = field(repr=False)


class CommitGroups(Generic[Item, Result]):
    """Feeds `commit` with every item submitted while the previous group was committing.

    `commit` returns one result per item, in the order given; an item whose result is an
    exception makes its submitter raise it.
    """

    def __init__(self, commit: Callable[[Sequence[Item]], Sequence[Result | Exception]]) -> None:
        self.commit = commit
        self._waiting: list[_Waiting[Item, Result]] = []
        self._leading = False

    async def submit(self, item: Item, order: int) -> Result:
        """Record `item` with the others of its group; `order` (the stream sequence) decides
        where it goes in the group."""
        future: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        waiting = _Waiting(order, item, future)
        self._waiting.append(waiting)
        if not self._leading:
            self._leading = True
            try:
                await self._lead()
            finally:
                self._leading = False
        return await waiting.result

    async def _lead(self) -> None:
        while self._waiting:
            await self._let_others_join()
            group = sorted(self._waiting, key=lambda w: w.order)
            self._waiting = []
            try:
                results = await asyncio.to_thread(self.commit, [w.item for w in group])
            except Exception as exc:  # commit reports per item; this is a bug, fail them all
                results = [exc] * len(group)
            for waiting, result in zip(group, results, strict=True):
                if isinstance(result, Exception):
                    waiting.result.set_exception(result)
                else:
                    waiting.result.set_result(result)

    async def _let_others_join(self) -> None:
        """Yield to the event loop until no more tasks join: the other messages of a fetched
        batch pass through a few awaits before they get here, and committing them in one
        group is what keeps them in stream order."""
        quiet = 0
        for _ in range(MAX_YIELDS):
            arrived = len(self._waiting)
            await asyncio.sleep(0)
            quiet = quiet + 1 if len(self._waiting) == arrived else 0
            if quiet == QUIET_YIELDS:
                return
