"""Sources read every few polls only, their last good reply kept in between.

Some replies change only when someone changes the miner (VNish's per-chip list, read
for chip counts; its autotune presets) yet cost real work to fetch and parse every
poll. A backend marks them in ``SLOW_SOURCES`` with how many polls one read serves;
the collector then fetches them on the first poll and once every that many polls, and
hands the kept reply to the extractors in between, so every field comes out as if
it had been read.

What is kept never outlives a doubt about it:

* a slow source whose read failed keeps nothing: its fields are unknown for that poll
  (as for any failed source) and it is read again on the next poll;
* a poll that fails as a whole (the miner unreachable, every reply refused, no usable
  data) forgets every kept reply: a miner that comes back is read afresh;
* a control (power limit, work mode, pool switch, reboot ...) forgets them too: what
  it changed is read on the next poll.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the contract builds one per backend: no import at run time
    from .contract import Source


@dataclass(slots=True)
class _Kept:
    reply: Any
    polls_left: int  # polls this reply still serves before the source is read again


class SlowReplies:
    """One miner's kept replies of its slow sources, and when each is due again."""

    def __init__(self, every: Mapping[Source, int]) -> None:
        self._every = {source: n for source, n in every.items() if n > 1}
        self._kept: dict[Source, _Kept] = {}

    def due(self, sources: set[Source]) -> set[Source]:
        """The sources this poll must fetch: all but the slow ones whose reply serves."""
        if not self._kept:
            return sources
        return {s for s in sources if s not in self._kept}

    def merge(self, fetched: Mapping[Source, Any]) -> dict[Source, Any]:
        """This poll's replies: the fetched ones, plus the kept replies still serving.

        Fresh slow replies are kept (failed ones dropped); a poll where nothing fetched
        answered gets no kept reply, so it fails as a whole as it would without them.
        """
        if fetched and all(isinstance(v, Exception) for v in fetched.values()):
            self.clear()
            return dict(fetched)
        replies = dict(fetched)
        for source, kept in list(self._kept.items()):
            replies[source] = kept.reply
            kept.polls_left -= 1
            if kept.polls_left <= 0:
                del self._kept[source]
        for source, every in self._every.items():
            reply = fetched.get(source, KeyError)
            if isinstance(reply, Exception):
                self._kept.pop(source, None)
            elif reply is not KeyError:
                self._kept[source] = _Kept(reply, every - 1)
        return replies

    def clear(self) -> None:
        """Forget every kept reply: the next poll reads every source."""
        self._kept.clear()
