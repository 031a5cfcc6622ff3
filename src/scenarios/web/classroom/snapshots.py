"""Snapshots of a session's model between rounds, so that an Advance simulates one year, not all of them.

After round r runs, the model at the end of year r is kept in memory, under a key that is the hash
of the seed and the config of rounds 1..r as played (the frozen inputs). Round r+1, and each team's
counterfactual of round r+1, start from a copy of it when the key still matches; otherwise (a server
restarted, a round undone and played again with other inputs, a session pushed out of the cache)
the round is replayed from the start, which gives the same numbers bit for bit
(:mod:`scenarios.model.resume`).

Memory is bounded: the last two rounds' snapshots (round r for the next Advance, round r-1 for the
counterfactuals of round r) of at most ``sessions`` sessions, the least recently advanced dropped
first. A snapshot is the whole model (about 2 MB at 10,000 citizens, see docs/classroom.md).
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from typing import Any

KEEP_SESSIONS = 8
"""Sessions whose snapshots are kept (the least recently advanced beyond it lose theirs)."""
KEEP_ROUNDS = 2
"""Snapshots per session: the last played round and the one before."""


def key(cfg: dict[str, Any], seed: int) -> str:
    """The hash that names a snapshot: the seed and the config as played up to its round."""
    text = json.dumps([seed, cfg], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


class Snapshots:
    """Models at the end of a session's rounds, in memory, bounded (thread-safe).

    Args:
        sessions: sessions kept (0 keeps none: every round is replayed from the start).
    """

    def __init__(self, sessions: int = KEEP_SESSIONS):
        self.sessions = sessions
        self._kept: OrderedDict[str, dict[int, tuple[str, Any]]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, sid: str, round_: int, name: str) -> Any:
        """The model at the end of ``round_`` if one was kept under the key ``name``, else None.
        Never change it: copy it (``run_years`` does)."""
        with self._lock:
            found = self._kept.get(sid, {}).get(round_)
        return found[1] if found is not None and found[0] == name else None

    def put(self, sid: str, round_: int, name: str, model: Any) -> None:
        """Keep ``model`` (the end of ``round_``, under the key ``name``); rounds before the last two go."""
        if self.sessions <= 0:
            return
        with self._lock:
            rounds = self._kept.pop(sid, {})
            rounds[round_] = (name, model)
            for old in sorted(rounds)[:-KEEP_ROUNDS]:
                del rounds[old]
            self._kept[sid] = rounds
            while len(self._kept) > self.sessions:
                self._kept.popitem(last=False)

    def drop(self, sid: str) -> None:
        """Forget a session's snapshots (a deleted session)."""
        with self._lock:
            self._kept.pop(sid, None)

    def count(self) -> int:
        """Snapshots held now."""
        with self._lock:
            return sum(len(r) for r in self._kept.values())
