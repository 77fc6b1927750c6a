"""Polls one miner; the one place a driver error becomes Home Assistant's."""

from __future__ import annotations

import time
import zlib
from collections.abc import Callable
from datetime import timedelta
from typing import Any, Final

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from .const import DOMAIN, LOGGER, SCAN_INTERVAL
from .driver import (
    Miner,
    MinerAuthenticationError,
    MinerConnectionError,
    MinerError,
    MinerSnapshot,
    MinerWriteDisabledError,
)
from .repairs import WriteProblem, async_set_write_issue

type AsicMinerConfigEntry = ConfigEntry[AsicMinerDataUpdateCoordinator]

# While the write path is refused, look again this often: the owner may have fixed it
# on the miner (enabled the API, reset the password) without telling Home Assistant.
WRITE_RECHECK_INTERVAL: Final = timedelta(minutes=10)
# How long a miner may stay silent after a control that restarts it (a Whatsminer
# applying a new power limit reboots) before silence counts as a failure again.
EXPECTED_RESTART: Final = timedelta(minutes=5)
# Where in its second every miner's poll starts. Home Assistant staggers coordinators
# by a random 0.05-0.5 s so that unrelated ones don't wake together; a farm's miners
# gain from waking together. The event loop then takes many miners' replies in one
# wake-up, with its code and data still in the processor's caches: 200 simulated
# miners cost 1.84 % of a core in step against 2.58 % staggered
# (``benchmarks/ha_scale.py``). The price is a burst of loop work in each second
# that has polls: the due miners' timers all fire in one turn of the loop (tens of
# milliseconds for 200 miners).
POLL_PHASE: Final = 0.25
# The interval in whole seconds, each of which is some miners' own (``poll_slot``).
_PERIOD: Final = int(SCAN_INTERVAL.total_seconds())
# How much sooner than the interval a poll may come while its miner moves to its own
# second (never later: a poll is never more than the interval away).
_MAX_EARLY: Final = 7
_INTERVALS: Final = {s: timedelta(seconds=s) for s in range(_PERIOD - _MAX_EARLY, _PERIOD + 1)}


def poll_slot(unique_id: str) -> int:
    """The second of the interval (0-14) a miner polls in, from its unique id.

    Home Assistant schedules a coordinator's next poll one interval after its last one
    ended, so miners set up together (a restart) or refreshed together (a farm-wide
    pause) would all poll in the same second from then on: one burst of every miner's
    timers, connections and replies. Each miner's own second spreads a farm evenly
    over the interval (200 miners: about 13 a second, in step within it).
    """
    return zlib.crc32(unique_id.encode()) % _PERIOD


class AsicMinerDataUpdateCoordinator(DataUpdateCoordinator[MinerSnapshot]):
    """One full snapshot per interval; never re-identifies the miner."""

    config_entry: AsicMinerConfigEntry

    def __init__(self, hass: HomeAssistant, entry: AsicMinerConfigEntry, miner: Miner) -> None:
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} {miner.host}",
            update_interval=SCAN_INTERVAL,
        )
        self.miner = miner
        self._microsecond = POLL_PHASE  # the phase Home Assistant's scheduling adds
        self._slot = poll_slot(entry.unique_id or entry.entry_id)
        # Why controls are refused, or None while they work (or were not tried yet).
        self.write_problem: WriteProblem | None = None
        self._write_checked = 0.0  # monotonic time of the last write-path check
        self._restart_until = 0.0  # monotonic time a restart the miner announced ends

    def _aim(self) -> None:
        """Set the interval so that the poll Home Assistant schedules next falls in this
        miner's own second: the full interval once it is there, up to ``_MAX_EARLY``
        seconds less while it gets there (from a restart or a farm-wide refresh)."""
        behind = (int(self.hass.loop.time()) - self._slot) % _PERIOD
        self.update_interval = _INTERVALS[_PERIOD - min(behind, _MAX_EARLY)]

    @callback
    def async_add_listener(
        self, update_callback: CALLBACK_TYPE, context: Any = None
    ) -> Callable[[], None]:
        self._aim()  # the first listener schedules the first poll
        return super().async_add_listener(update_callback, context)

    @callback
    def async_set_updated_data(self, data: MinerSnapshot) -> None:
        self._aim()
        super().async_set_updated_data(data)

    @callback
    def async_start_from(self, snapshot: MinerSnapshot) -> None:
        """Start from a read another handle of this miner made moments ago (the scan's
        flow's): the driver's controls see it as their last poll, as after a refresh."""
        self.miner.identity = snapshot.identity
        self.miner.snapshot = snapshot
        self.async_set_updated_data(snapshot)

    def expect_restart(self) -> None:
        """A control made the miner restart itself: silence for a while is no failure."""
        self._restart_until = time.monotonic() + EXPECTED_RESTART.total_seconds()

    async def _async_update_data(self) -> MinerSnapshot:
        try:
            return await self._async_read()
        finally:
            self._aim()  # Home Assistant schedules the next poll right after

    async def _async_read(self) -> MinerSnapshot:
        try:
            snapshot = await self.miner.read()
        except MinerAuthenticationError as err:
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN,
                translation_key="invalid_auth",
                translation_placeholders={"host": self.miner.host},
            ) from err
        except MinerError as err:
            restarting = time.monotonic() < self._restart_until
            if isinstance(err, MinerConnectionError) and restarting and self.last_update_success:
                LOGGER.info(
                    "%s is restarting, as its firmware does after that control; "
                    "its entities are unavailable until it is back",
                    self.miner.host,
                )
                # Keeps the coordinator from logging the expected silence as an error.
                self.last_update_success = False
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="communication_error",
                translation_placeholders={"host": self.miner.host, "error": str(err)},
            ) from err
        self._restart_until = 0.0
        if (
            self.write_problem is not None
            and time.monotonic() - self._write_checked > WRITE_RECHECK_INTERVAL.total_seconds()
        ):
            await self.async_check_write_access()
        return snapshot

    async def async_check_write_access(self) -> None:
        """Prove the controls' login and API work; raise or clear the repair issue.

        Reads never depend on this: a miner whose write path is refused is still
        polled, only its controls are unavailable until the owner fixes it.
        """
        self._write_checked = time.monotonic()
        problem: WriteProblem | None
        detail = ""
        try:
            await self.miner.check_credentials()
        except MinerWriteDisabledError:
            problem = WriteProblem.API_DISABLED
        except MinerAuthenticationError as err:
            problem, detail = WriteProblem.LOGIN_REFUSED, str(err)
        except MinerConnectionError:
            return  # no answer says nothing about the write path; keep what we know
        except MinerError as err:
            problem, detail = WriteProblem.REFUSED, str(err)
        else:
            problem = None
        changed = problem is not self.write_problem
        if changed:
            if problem is None:
                LOGGER.info("%s accepts controls again", self.miner.host)
            else:
                LOGGER.warning(
                    "%s can be read but refuses controls (%s)%s; its controls are "
                    "unavailable until this is fixed, see the repair issue",
                    self.miner.host,
                    problem.value.replace("_", " "),
                    f": {detail}" if detail else "",
                )
        self.write_problem = problem
        async_set_write_issue(self.hass, self.config_entry, self.miner, problem, detail)
        if changed:  # the controls' availability follows; unchanged, nothing shown moves
            self.async_update_listeners()
