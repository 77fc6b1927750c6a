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
  it changed is read on the next poll. A poll that was already under way when the
  control ran keeps nothing it fetched (it may hold the value from before).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the contract builds one per backend: no import at run time
    from .contract import Source

# Polls one read of a setting serves (at Home Assistant's 15 s interval, a minute): the
# pool configuration, fan and tuner settings, work mode and power limit, the locate
# light. Ours are read back at once (a control forgets every kept reply); one made on
# the miner's own page shows within this many polls.
SETTINGS_EVERY = 4
# Polls one read of what only the hardware or a firmware update changes serves (five
# minutes): chip counts, frequency presets, capability and bound tables.
HARDWARE_EVERY = 20


@dataclass(slots=True)
class _Kept:
    reply: Any
    polls_left: int  # polls this reply still serves before the source is read again


class SlowReplies:
    """One miner's kept replies of its slow sources, and when each is due again."""

    def __init__(self, every: Mapping[Source, int]) -> None:
        self._every = {source: n for source, n in every.items() if n > 1}
        self._kept: dict[Source, _Kept] = {}
        # Counts ``clear`` calls: a poll's replies are kept only if none came between
        # the poll's ``due`` and its ``merge``.
        self.generation = 0

    def due(self, sources: set[Source]) -> set[Source]:
        """The sources this poll must fetch: all but the slow ones whose reply serves."""
        if not self._kept:
            return sources
        kept = self._kept
        return {s for s in sources if s not in kept or kept[s].polls_left <= 0}

    def merge(
        self, fetched: Mapping[Source, Any], generation: int | None = None
    ) -> dict[Source, Any]:
        """This poll's replies: the fetched ones, plus the kept replies still serving.

        Fresh slow replies are kept (failed ones dropped), unless a control cleared
        the kept replies since the poll began (``generation``, read before fetching):
        then they may predate the control. A poll where nothing fetched answered gets
        no kept reply, so it fails as a whole as it would without them.
        """
        if fetched and all(isinstance(v, Exception) for v in fetched.values()):
            self.clear()
            return dict(fetched)
        replies = dict(fetched)
        for source, kept in list(self._kept.items()):
            if source not in fetched:
                replies[source] = kept.reply
            kept.polls_left -= 1
            if kept.polls_left <= 0:
                del self._kept[source]
        if generation is not None and generation != self.generation:
            return replies  # a control ran meanwhile: what this poll fetched may predate it
        for source, every in self._every.items():
            reply = fetched.get(source, KeyError)
            if isinstance(reply, Exception):
                self._kept.pop(source, None)
            elif reply is not KeyError:
                self._kept[source] = _Kept(reply, every - 1)
        return replies

    def clear(self) -> None:
        """Let every kept reply go: the next poll reads every source.

        A poll already under way still gets the kept replies, as it gets what it
        fetched before a control, so no field of it turns unknown; none is kept after.
        """
        for kept in self._kept.values():
            kept.polls_left = 0
        self.generation += 1
