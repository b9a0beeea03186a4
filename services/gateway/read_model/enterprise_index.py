"""The gateway's search index of listed enterprises, in memory: words, groups and orders.

Built from the read model's rows and kept in step with them by its follower (index_follow.py);
it knows nothing of databases. Every listed enterprise has a number (its ordinal); a sets of
ordinals is a compressed bitmap (pyroaring), so that:

- a word's enterprises are one bitmap, a term (a word's start) the union of the bitmaps of
  the words it starts, found in the sorted vocabulary; a search's matches are the
  intersection of its terms';
- the facets and the total come from the matches counted per group (facets.py): a count kept
  up to date for all listed enterprises, a `bincount` over the matches otherwise;
- a page is read in each order's list of ordinals: walking it and keeping the matches when
  they are many (a page needs only its offset's worth of them), or sorting the matches by
  their rank in it when they are few.

An enterprise that changes gets a new ordinal and its old one is retired: the old one stays in
its words' bitmaps, which is harmless since only listed ordinals are ever matched, and keeps
an update from having to know the words the row had before. The index is rebuilt once the
retired ordinals outnumber the listed ones (see `worn`).
"""

from __future__ import annotations

import bisect
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from pyroaring import BitMap

from services.gateway.read_model.facets import FacetTable, Filters, GroupKey, Tally

SortOrder = Literal["name", "newest", "ending"]
ORDERS: tuple[SortOrder, ...] = ("name", "newest", "ending")
_LAST = "\U0010ffff"
_TERMS_KEPT = 256
Ordinals = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Entry:
    """What the index keeps of one listed enterprise (its row's searched columns)."""

    enterprise_id: str
    sort_name: str
    search_text: str
    group: GroupKey
    listed_since: datetime | None
    listing_ends: date | None


@dataclass(frozen=True)
class Found:
    """A search's total, facets and page of enterprise ids, in order."""

    tally: Tally
    ids: list[str]


class EnterpriseIndex:
    """Listed enterprises by word, group and order. Not thread-safe: the follower holds a lock
    around every use."""

    def __init__(self, sort_below: int = 5_000) -> None:
        # Matches up to this many are sorted rather than found by walking an order.
        self.sort_below = sort_below
        self._ordinal: dict[str, int] = {}
        self._ids: list[str | None] = []
        self._names: list[str] = []
        self._since: list[int | None] = []
        self._ends: list[int | None] = []
        self._group_of: list[int] = []
        self._listed = BitMap()
        self._postings: dict[str, BitMap] = {}
        self._vocabulary: list[str] = []
        self._new_words: set[str] = set()
        self._facets = FacetTable()
        self._members: list[BitMap] = []
        self._orders: dict[SortOrder, list[int]] = {order: [] for order in ORDERS}
        self._arrays: dict[str, Ordinals] = {}
        self._terms: OrderedDict[str, BitMap] = OrderedDict()
        self._keys: dict[SortOrder, Callable[[int], tuple[Any, ...]]] = {
            "name": lambda o: (self._names[o], self._ids[o]),
            # Newest first, then by name; a listing without a date last.
            "newest": lambda o: (
                self._since[o] is None,
                -(self._since[o] or 0),
                self._names[o],
                self._ids[o],
            ),
            # Soonest end first; without an end first, as SQLite sorts NULLs.
            "ending": lambda o: (self._ends[o] is not None, self._ends[o] or 0, *self._key(o)),
        }

    def __len__(self) -> int:
        return len(self._ordinal)

    @property
    def worn(self) -> bool:
        """True when retired ordinals outnumber listed ones: time to build anew."""
        return len(self._ids) > 1_000 and len(self._ids) > 2 * len(self._ordinal)

    def load(self, entries: Iterable[Entry]) -> None:
        """Add many listed enterprises at once (into an empty index: building it)."""
        postings: dict[str, list[int]] = {}
        for entry in entries:
            ordinal = self._append(entry)
            for word in entry.search_text.split():
                postings.setdefault(word, []).append(ordinal)
        for word, ordinals in postings.items():
            self._postings[word] = BitMap(ordinals)
        self._vocabulary = sorted(self._postings)
        for order, ordinals in self._orders.items():
            ordinals.extend(sorted(self._ordinal.values(), key=self._keys[order]))
        self._changed()

    def put(self, enterprise_id: str, entry: Entry | None) -> None:
        """The enterprise's current state: listed (`entry`) or not (None)."""
        self._retire(enterprise_id)
        if entry is None:
            return
        ordinal = self._append(entry)
        for word in entry.search_text.split():
            bitmap = self._postings.get(word)
            if bitmap is None:
                self._postings[word] = bitmap = BitMap()
                self._new_words.add(word)
            bitmap.add(ordinal)
        for order, ordinals in self._orders.items():
            bisect.insort(ordinals, ordinal, key=self._keys[order])
        self._changed()

    def search(
        self, terms: list[str], filters: Filters, order: SortOrder, offset: int, limit: int
    ) -> Found:
        """The enterprises where every term starts a word, passing `filters`: their total,
        facets, and the ids of `limit` of them from `offset` in `order`."""
        matches = self.matching(terms)
        tally = self._facets.tally(self._counts(matches), filters)
        if tally.total <= offset:
            return Found(tally, [])
        wanted = min(offset + limit, tally.total)
        # Walking an order costs the position of the page's last match, sorting the number
        # of matches: walk only when matches are dense (words cluster in the name order, so
        # a sparse set may lie far down it) and the page is not too deep for their density.
        listed, total = len(self._ordinal), tally.total
        walk = total > self.sort_below and 8 * total >= listed and wanted * listed <= 4 * total**2
        passing = tally.passing
        found = (
            self._walk(order, passing, matches, wanted)
            if walk
            else self._sort(order, passing, matches, wanted)
        )
        return Found(tally, [self._ids[o] or "" for o in found[offset:wanted]])

    def matching(self, terms: list[str]) -> BitMap | None:
        """The listed enterprises where every term starts a word; None: all of them."""
        if not terms:
            return None
        found = self._listed
        for term in sorted(set(terms), key=len, reverse=True):
            found = found & self._term(term)
            if not found:
                break
        return found

    def _term(self, term: str) -> BitMap:
        cached = self._terms.get(term)
        if cached is not None:
            self._terms.move_to_end(term)
            return cached
        vocabulary = self._sorted_vocabulary()
        start = bisect.bisect_left(vocabulary, term)
        end = bisect.bisect_left(vocabulary, term + _LAST, lo=start)
        found = BitMap().union(*(self._postings[w] for w in vocabulary[start:end]))
        self._terms[term] = found
        while len(self._terms) > _TERMS_KEPT:
            self._terms.popitem(last=False)
        return found

    def _sorted_vocabulary(self) -> list[str]:
        if self._new_words:
            if len(self._new_words) < 1_000:
                for word in self._new_words:
                    bisect.insort(self._vocabulary, word)
            else:
                self._vocabulary = sorted(self._postings)
            self._new_words.clear()
        return self._vocabulary

    def _counts(self, matches: BitMap | None) -> npt.NDArray[np.int64]:
        groups = len(self._facets)
        if matches is None:
            return np.array([len(m) for m in self._members], dtype=np.int64)
        if not matches:
            return np.zeros(groups, dtype=np.int64)
        return np.bincount(self._array("groups")[_array(matches)], minlength=groups)

    def _walk(
        self, order: SortOrder, passing: npt.NDArray[np.bool_], matches: BitMap | None, wanted: int
    ) -> list[int]:
        """The first `wanted` matches in `order`, walking it in chunks."""
        ordinals, groups = self._array(order), self._array("groups")
        member = None
        if matches is not None:
            member = np.zeros(len(self._ids), dtype=np.bool_)
            member[_array(matches)] = True
        found: list[int] = []
        # Doubling: the matches may cluster far down the order (all "Kringloop …" by name).
        start, chunk = 0, max(1_024, wanted * 2)
        while start < len(ordinals) and len(found) < wanted:
            part = ordinals[start : start + chunk]
            keep = passing[groups[part]]
            if member is not None:
                keep &= member[part]
            found += part[keep].tolist()
            start, chunk = start + chunk, chunk * 2
        return found[:wanted]

    def _sort(
        self, order: SortOrder, passing: npt.NDArray[np.bool_], matches: BitMap | None, wanted: int
    ) -> list[int]:
        """The first `wanted` matches in `order`, by their rank in it."""
        if matches is None:
            members = [self._members[g] for g in np.flatnonzero(passing).tolist()]
            candidates = _array(BitMap().union(*members))
        else:
            candidates = _array(matches)
            candidates = candidates[passing[self._array("groups")[candidates]]]
        ranks = self._array(f"rank-{order}")[candidates]
        if wanted < len(candidates):
            nearest = np.argpartition(ranks, wanted - 1)[:wanted]
            candidates, ranks = candidates[nearest], ranks[nearest]
        result: list[int] = candidates[np.argsort(ranks, kind="stable")].tolist()
        return result

    def _array(self, name: str) -> Ordinals:
        """An order's ordinals, a rank per ordinal in an order, or each ordinal's group, as
        numpy arrays made once per change."""
        made = self._arrays.get(name)
        if made is None:
            if name == "groups":
                made = np.array(self._group_of, dtype=np.int64)
            elif name.startswith("rank-"):
                ordinals = self._array(name.removeprefix("rank-"))
                made = np.zeros(len(self._ids), dtype=np.int64)
                made[ordinals] = np.arange(len(ordinals))
            else:
                made = np.array(self._orders[name], dtype=np.int64)  # type: ignore[index]
            self._arrays[name] = made
        return made

    def _append(self, entry: Entry) -> int:
        ordinal = len(self._ids)
        group = self._facets.group(entry.group)
        if group == len(self._members):
            self._members.append(BitMap())
        self._members[group].add(ordinal)
        self._ordinal[entry.enterprise_id] = ordinal
        self._ids.append(entry.enterprise_id)
        self._names.append(entry.sort_name)
        self._since.append(_timestamp(entry.listed_since))
        self._ends.append(entry.listing_ends.toordinal() if entry.listing_ends else None)
        self._group_of.append(group)
        self._listed.add(ordinal)
        return ordinal

    def _retire(self, enterprise_id: str) -> None:
        ordinal = self._ordinal.pop(enterprise_id, None)
        if ordinal is None:
            return
        for order, ordinals in self._orders.items():
            key = self._keys[order]
            del ordinals[bisect.bisect_left(ordinals, key(ordinal), key=key)]
        self._listed.discard(ordinal)
        self._members[self._group_of[ordinal]].discard(ordinal)
        self._ids[ordinal] = None
        self._changed()

    def _key(self, ordinal: int) -> tuple[str, str | None]:
        return self._names[ordinal], self._ids[ordinal]

    def _changed(self) -> None:
        self._arrays = {}
        self._terms.clear()


def _array(bitmap: BitMap) -> Ordinals:
    return np.frombuffer(bitmap.to_array(), dtype=np.uint32).astype(np.int64)


def _timestamp(moment: datetime | None) -> int | None:
    if moment is None:
        return None
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return int(aware.timestamp() * 1_000_000)
