"""The read a scan's flow made of a miner, handed to the entry it creates.

Adding miners from a scan read each one twice: once when ticked (whether the default
login reads it decides the login step) and again as its entry's first refresh a few
seconds later, 400 reads for 200 miners. The entry's setup now starts from the flow's
read when that is younger than one poll interval (what the entry would show until its
next poll anyway); a setup with none (a restart, a reload, a miner added by address,
the scan's last miner confirmed later) reads the miner itself, as before.
"""

from __future__ import annotations

import time

from homeassistant.core import HomeAssistant, callback
from homeassistant.util.hass_dict import HassKey

from .const import DOMAIN, SCAN_INTERVAL
from .driver import MinerSnapshot

# Unique ID to (monotonic time of the read, the read); taken by the entry's setup.
_READS: HassKey[dict[str, tuple[float, MinerSnapshot]]] = HassKey(f"{DOMAIN}_first_reads")


@callback
def async_keep_read(
    hass: HomeAssistant, unique_id: str, snapshot: MinerSnapshot, read_at: float | None = None
) -> None:
    """Keep a miner's read for the entry about to be created with ``unique_id``.

    ``read_at``: the monotonic time the read was made (now when not given). A read the
    flow made before a login step the user took minutes over is that old, not new.
    """
    at = time.monotonic() if read_at is None else read_at
    hass.data.setdefault(_READS, {})[unique_id] = (at, snapshot)


@callback
def async_take_read(hass: HomeAssistant, unique_id: str | None) -> MinerSnapshot | None:
    """The read kept for ``unique_id`` if it is younger than a poll interval (once).

    Drops every read kept too long ago as well, so what the flow kept for an entry it
    did not create in the end (set up meanwhile, or never confirmed) goes with the
    next setup: at most one scan's reads wait, never more.
    """
    reads = hass.data.get(_READS)
    if not reads:
        return None
    oldest = time.monotonic() - SCAN_INTERVAL.total_seconds()
    kept = reads.pop(unique_id, None) if unique_id is not None else None
    for key in [key for key, (at, _) in reads.items() if at < oldest]:
        del reads[key]
    if kept is None or kept[0] < oldest:
        return None
    return kept[1]
