"""The ASIC Miner integration: one config entry per miner."""

from __future__ import annotations

import random
from typing import Final

from homeassistant.const import (
    CONF_HOST,
    CONF_PASSWORD,
    CONF_USERNAME,
    EVENT_HOMEASSISTANT_CLOSE,
    Platform,
)
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed, ConfigEntryError
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.typing import ConfigType

from .const import CONF_IDENTITY, CONF_PORTS, DOMAIN
from .coordinator import AsicMinerConfigEntry, AsicMinerDataUpdateCoordinator
from .driver import POLL_KEEP_ALIVE, Credentials, Miner, MinerIdentity, Ports
from .farm import (
    async_ensure_farm,
    async_setup_farm_entry,
    async_unload_farm_entry,
    is_farm_entry,
)
from .first_read import async_take_read
from .repairs import async_check_partial_support
from .services import async_setup_services

# Seconds after its setup that a miner a scan added has its controls' path checked:
# after the whole batch is set up, spread so the logins do not land at once.
WRITE_CHECK_SPREAD: Final = (15.0, 45.0)

PLATFORMS: list[Platform] = [
    Platform.BINARY_SENSOR,
    Platform.BUTTON,
    Platform.CLIMATE,
    Platform.EVENT,
    Platform.NUMBER,
    Platform.SELECT,
    Platform.SENSOR,
    Platform.SWITCH,
]

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the actions; every miner is a config entry."""
    async_setup_services(hass)
    return True


def miner_from_entry(hass: HomeAssistant, entry: AsicMinerConfigEntry) -> Miner:
    """Build the driver handle from what the entry stored: no network, no identification."""
    identity = MinerIdentity.from_dict(entry.data[CONF_IDENTITY])
    try:
        return Miner.from_identity(
            entry.data[CONF_HOST],
            async_get_clientsession(hass, verify_ssl=False),
            identity,
            ports=Ports.from_dict(entry.data.get(CONF_PORTS)),
            credentials=Credentials(entry.data.get(CONF_USERNAME), entry.data.get(CONF_PASSWORD)),
            # Its own HTTP connections, kept past the poll interval; closed on unload.
            keep_alive=POLL_KEEP_ALIVE,
        )
    except KeyError as err:
        raise ConfigEntryError(
            translation_domain=DOMAIN,
            translation_key="unknown_family",
            translation_placeholders={"family": identity.family},
        ) from err


async def async_setup_entry(hass: HomeAssistant, entry: AsicMinerConfigEntry) -> bool:
    """Set up one miner.

    A miner that is off when Home Assistant starts still sets up, from the identity
    stored at configuration: its entities show unavailable and fill in when it answers.
    Only refused credentials stop the setup, so the user is asked for new ones. Whether
    the controls' login and API work is checked in the background: a refusal there
    leaves the readings alone, makes the controls unavailable and opens a repair issue.
    The farm device's entry (farm.py) is set up apart; a second miner creates it.
    An entry the scan's flow just created starts from the flow's read of the miner
    (``first_read.py``) instead of reading it a second time.
    """
    if is_farm_entry(entry):
        return await async_setup_farm_entry(hass, entry)
    miner = miner_from_entry(hass, entry)

    async def close_miner(_: Event) -> None:
        await miner.close()

    # The miner's own HTTP connections end with the entry, or with Home Assistant.
    entry.async_on_unload(miner.close)
    entry.async_on_unload(hass.bus.async_listen_once(EVENT_HOMEASSISTANT_CLOSE, close_miner))
    coordinator = AsicMinerDataUpdateCoordinator(hass, entry, miner)
    if (first := async_take_read(hass, entry.unique_id)) is not None:
        coordinator.async_start_from(first)  # the scan's flow read it moments ago
    else:
        await coordinator.async_refresh()
    if isinstance(coordinator.last_exception, ConfigEntryAuthFailed):
        raise coordinator.last_exception
    entry.runtime_data = coordinator
    async_check_partial_support(hass, entry)
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    if coordinator.last_update_success:
        _async_schedule_write_check(hass, entry, coordinator, added_by_scan=first is not None)
    async_ensure_farm(hass)
    return True


@callback
def _async_schedule_write_check(
    hass: HomeAssistant,
    entry: AsicMinerConfigEntry,
    coordinator: AsicMinerDataUpdateCoordinator,
    *,
    added_by_scan: bool,
) -> None:
    """Check the controls' path in the background: at once, or soon for a scan's add.

    A scan adds up to hundreds of miners at once; their logins (a few requests each)
    would compete with the entries' setup for the event loop. Those checks go out a
    little later, spread over ``WRITE_CHECK_SPREAD`` so they do not all land at once.
    """

    @callback
    def check(_now: object = None) -> None:
        entry.async_create_background_task(
            hass, coordinator.async_check_write_access(), f"{DOMAIN} write check {entry.title}"
        )

    if not added_by_scan:
        check()
        return
    low, high = WRITE_CHECK_SPREAD
    entry.async_on_unload(async_call_later(hass, random.uniform(low, high), check))


async def async_unload_entry(hass: HomeAssistant, entry: AsicMinerConfigEntry) -> bool:
    if is_farm_entry(entry):
        return await async_unload_farm_entry(hass, entry)
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
