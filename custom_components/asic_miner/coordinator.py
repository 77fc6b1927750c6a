"""Polls one miner; the one place a driver error becomes Home Assistant's."""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from .const import DOMAIN, LOGGER, SCAN_INTERVAL
from .driver.exceptions import MinerAuthenticationError, MinerError
from .driver.miner import Miner
from .driver.models import MinerSnapshot

type AsicMinerConfigEntry = ConfigEntry[AsicMinerDataUpdateCoordinator]


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

    async def _async_update_data(self) -> MinerSnapshot:
        try:
            return await self.miner.read()
        except MinerAuthenticationError as err:
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN,
                translation_key="invalid_auth",
                translation_placeholders={"host": self.miner.host},
            ) from err
        except MinerError as err:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="communication_error",
                translation_placeholders={"host": self.miner.host, "error": str(err)},
            ) from err
