"""A set of ids with bounded memory, for finding repeated transaction ids in a file of any size.

Up to `memory_ids` ids are kept in a Python set. Beyond that the set spills to a private temporary
SQLite database on disk (deleted when the set is closed), and new ids are gathered in memory and
written in batches. A Bloom filter of fixed size answers "certainly not seen" for most new ids without
reading the disk; only an id the filter may have seen (a repeat, or about one new id in a hundred at
ten million ids) is looked up in the database. Memory is then the batch, the filter and SQLite's page
cache, whatever the number of ids.
"""

from __future__ import annotations

import sqlite3
from types import TracebackType

MEMORY_IDS = 200_000
"""Ids kept in memory before the set spills to disk (about 20 MB of short ids)."""

FILTER_BITS = 1 << 27
"""The Bloom filter's size once spilled: 16 MB, about 1 % false positives at ten million ids."""


class IdSet:
    """Ids seen so far; `add` says whether an id is new. Memory is bounded (see the module's docstring).

    >>> seen = IdSet()
    >>> seen.add("T-1"), seen.add("T-2"), seen.add("T-1")
    (True, True, False)
    """

    def __init__(self, memory_ids: int = MEMORY_IDS, filter_bits: int = FILTER_BITS) -> None:
        assert memory_ids > 0 and filter_bits >= 64
        self.memory_ids = memory_ids
        self.filter_bits = filter_bits
        self._memory: set[str] = set()  # every id, until spilled; then the batch not yet written
        self._db: sqlite3.Connection | None = None
        self._filter = bytearray()
        self.count = 0

    @property
    def spilled(self) -> bool:
        """Whether the set has spilled to disk."""
        return self._db is not None

    def add(self, item: str) -> bool:
        """Add an id; True when it was not in the set before."""
        if item in self._memory:
            return False
        if self._db is not None:
            positions = self._positions(item)
            if self._marked(positions) and self._on_disk(item):
                return False
            self._mark(positions)
        self._memory.add(item)
        self.count += 1
        if len(self._memory) >= self.memory_ids:
            self._spill()
        return True

    def __contains__(self, item: object) -> bool:
        if not isinstance(item, str):
            return False
        return item in self._memory or (self._db is not None and self._marked(self._positions(item))
                                        and self._on_disk(item))

    def __len__(self) -> int:
        return self.count

    def close(self) -> None:
        """Forget every id and delete the database on disk, if there is one."""
        if self._db is not None:
            self._db.close()
            self._db = None
        self._memory.clear()
        self._filter = bytearray()

    def __enter__(self) -> IdSet:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    # --- on disk ---

    def _spill(self) -> None:
        if self._db is None:
            # An empty name: a private temporary database on disk, deleted when it is closed.
            self._db = sqlite3.connect("", isolation_level=None)
            self._db.execute("PRAGMA journal_mode = OFF")
            self._db.execute("PRAGMA synchronous = OFF")
            self._db.execute("CREATE TABLE ids (id TEXT PRIMARY KEY) WITHOUT ROWID")
            self._filter = bytearray(self.filter_bits // 8)
            for item in self._memory:
                self._mark(self._positions(item))
        self._db.execute("BEGIN")
        self._db.executemany("INSERT INTO ids VALUES (?)", ((item,) for item in sorted(self._memory)))
        self._db.execute("COMMIT")
        self._memory.clear()

    def _positions(self, item: str) -> tuple[int, int, int]:
        """The filter's bits for an id (three, by double hashing)."""
        h = hash(item) & 0xFFFF_FFFF_FFFF_FFFF
        first, step, m = h & 0xFFFF_FFFF, (h >> 32) | 1, self.filter_bits
        return first % m, (first + step) % m, (first + 2 * step) % m

    def _mark(self, positions: tuple[int, int, int]) -> None:
        f = self._filter
        for p in positions:
            f[p >> 3] |= 1 << (p & 7)

    def _marked(self, positions: tuple[int, int, int]) -> bool:
        f = self._filter
        a, b, c = positions
        return bool(f[a >> 3] & (1 << (a & 7)) and f[b >> 3] & (1 << (b & 7)) and f[c >> 3] & (1 << (c & 7)))

    def _on_disk(self, item: str) -> bool:
        assert self._db is not None
        return self._db.execute("SELECT 1 FROM ids WHERE id = ?", (item,)).fetchone() is not None
