"""The config flow's talking to miners: identify, read once, check a login, create.

Identification is the driver's one orchestration (``identify_host``, also behind
``Miner.connect`` and the scan); it has its own deadline and the first read its own,
so a slow identification never eats the read's time. Errors come back as the driver's
exception types, mapped to the form's error keys in ``flow_forms.py``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Mapping
from typing import Any

import aiohttp
from homeassistant.config_entries import ConfigEntry, ConfigFlow, ConfigFlowResult
from homeassistant.const import CONF_HOST, CONF_PASSWORD, CONF_USERNAME
from homeassistant.helpers.aiohttp_client import async_get_clientsession

from .const import (
    CONF_IDENTITY,
    CONF_PORTS,
    LOGGER,
)
from .driver import (
    FAMILIES,
    Credentials,
    Family,
    Miner,
    MinerAuthenticationError,
    MinerContext,
    MinerError,
    MinerIdentity,
    MinerNotIdentifiedError,
    Ports,
    ScanReport,
    ScanResult,
    identify_host,
    normalize_mac,
)
from .flow_forms import (
    CONF_DHCP_MAC,
    DEFAULT_PORTS,
    IDENTIFY_TIMEOUT,
    LOGIN_SCHEMA,
    LOGIN_TIMEOUT,
    PROBE_TIMEOUT,
    READ_TIMEOUT,
    Failed,
    entry_data,
    entry_title,
    error_key,
)
from .naming import stable_keys, unique_id_for


async def async_prove_login(miner: Miner) -> None:
    """Raise if the controls' login is refused; anything else on that path is for setup.

    Used where the user typed a password: a wrong one is said at once. A switched-off
    write API or a refused test command does not stop saving (setup opens a repair).
    """
    try:
        async with asyncio.timeout(LOGIN_TIMEOUT):
            await miner.check_credentials()
    except MinerAuthenticationError:
        raise
    except (MinerError, TimeoutError) as err:
        LOGGER.info("%s: controls not checked now (%s); setup checks them again", miner.host, err)


def _entry_keys(entry: ConfigEntry) -> frozenset[str]:
    """An entry's stable keys: its unique ID, its stored identity's, its DHCP MAC."""
    keys = {f"mac:{entry.unique_id}", f"serial:{entry.unique_id}"} if entry.unique_id else set()
    identity: MinerIdentity | None
    try:
        identity = MinerIdentity.from_dict(entry.data[CONF_IDENTITY])
    except AttributeError, KeyError, TypeError, ValueError:
        identity = None  # stored by an older release, or by hand
    mac = normalize_mac(entry.data.get(CONF_DHCP_MAC))
    return frozenset(keys | stable_keys(identity, mac=mac))


class MinerFlow(ConfigFlow):
    """What every way in shares: the state, and the work that talks to miners."""

    def __init__(self) -> None:
        self._host = ""
        self._ports = DEFAULT_PORTS
        self._family: Family | None = None  # the family whose login the miner wants
        self._miner: Miner | None = None  # a discovered miner the default login opens
        self._dhcp_mac: str | None = None  # the MAC its DHCP request showed
        # Scan state.
        self._subnet = ""
        self._scan_task: asyncio.Task[ScanReport | Failed] | None = None
        self._scan_error: str | None = None
        self._scan_progress = -1.0
        self._found: dict[str, ScanResult] = {}
        self._not_addable: list[str] = []  # "<what> at <host>" lines for the listing
        self._silent = 0  # addresses where nothing answered
        self._configured_found = 0  # miners found that are set up already
        self._login_needed: dict[str, list[ScanResult]] = {}
        self._ready: list[tuple[Miner, Credentials]] = []
        self._created: list[str] = []
        self._add_task: asyncio.Task[None] | None = (
            None  # creating the scanned entries  # "<name> (<host>)" per miner the scan added
        )
        self._own: tuple[str, dict[str, Any]] | None = None  # this flow's entry, last

    # -- talking to miners -----------------------------------------------------------

    @property
    def _session(self) -> aiohttp.ClientSession:
        return async_get_clientsession(self.hass, verify_ssl=False)

    async def _attempt[T](self, work: Awaitable[T]) -> T | Failed:
        """Run network work; a failure comes back as the error key the form shows.

        The reason goes to the log once: at INFO for a refused login (the form asks
        for it), at WARNING for everything else the user is shown.
        """
        try:
            return await work
        except (MinerError, TimeoutError) as err:
            key = error_key(err)
            level = logging.INFO if key == "invalid_auth" else logging.WARNING
            LOGGER.log(level, "Adding a miner: %s", err or type(err).__name__)
            answered = (err.answered or "") if isinstance(err, MinerNotIdentifiedError) else ""
            return Failed(key, answered)
        except Exception:
            LOGGER.exception("Unexpected error while talking to the miner")
            return Failed("unknown")

    async def _async_identify(self, host: str, ports: Ports, credentials: Credentials) -> Miner:
        """Identify the miner at ``host`` and read it once: what decides it can be added.

        Remembers the family in ``self._family`` as soon as it is known, so a refused
        login (which can only come after the family was recognised) can name it when
        asking for another. No socket of its own: the driver's identification tells
        "nothing answers" (``MinerConnectionError``) from "not a miner".
        """
        ctx = MinerContext(host, self._session, ports, credentials)
        found = await identify_host(
            ctx, FAMILIES, timeout=IDENTIFY_TIMEOUT, probe_timeout=PROBE_TIMEOUT
        )
        self._family = found.family
        miner = Miner(ctx, found.family, found.unwrap())
        async with asyncio.timeout(READ_TIMEOUT):
            await miner.read()
        return miner

    async def _async_verify(self, result: ScanResult, credentials: Credentials) -> Miner:
        """A scanned miner read once (identified now if the scan could not)."""
        if result.identity is None:
            return await self._async_identify(result.host, self._ports, credentials)
        miner = Miner.from_identity(
            result.host, self._session, result.identity, ports=self._ports, credentials=credentials
        )
        async with asyncio.timeout(READ_TIMEOUT):
            await miner.read()
        return miner

    async def _async_check_login(self, entry_data: Mapping[str, Any], login: Credentials) -> None:
        """A login typed to fix a refusal: it must read the miner and pass the controls' login."""
        miner = Miner.from_identity(
            entry_data[CONF_HOST],
            self._session,
            MinerIdentity.from_dict(entry_data[CONF_IDENTITY]),
            ports=Ports.from_dict(entry_data.get(CONF_PORTS)),
            credentials=login,
        )
        async with asyncio.timeout(READ_TIMEOUT):
            await miner.read()
        await async_prove_login(miner)

    def _entry_for(
        self, identity: MinerIdentity | None, mac: str | None = None
    ) -> ConfigEntry | None:
        """The entry set up for this unit, found by MAC or serial whatever its address.

        An entry keyed on an address (its firmware reported neither) is found too when
        its stored identity or the DHCP MAC recorded with it names the same unit, so a
        DHCP move updates it instead of adding a second entry.
        """
        keys = stable_keys(identity, mac=mac)
        if not keys:
            return None
        for entry in self._async_current_entries(include_ignore=False):
            if keys & _entry_keys(entry):
                return entry
        return None

    def _async_follow(self, entry: ConfigEntry, host: str) -> ConfigFlowResult:
        """A known miner found again: point its entry at ``host``, add nothing."""
        if entry.data.get(CONF_HOST) == host:
            return self.async_abort(reason="already_configured")
        LOGGER.info("%s moved to %s; its entry follows", entry.title, host)
        return self.async_update_reload_and_abort(
            entry, data_updates={CONF_HOST: host}, reason="already_configured"
        )

    async def _async_create(
        self, miner: Miner, credentials: Credentials, dhcp_mac: str | None = None
    ) -> ConfigFlowResult:
        """Create the entry for an identified miner that answered a read."""
        if (known := self._entry_for(miner.identity, dhcp_mac)) is not None:
            return self._async_follow(known, miner.host)
        await self.async_set_unique_id(
            unique_id_for(miner.identity, miner.host), raise_on_progress=False
        )
        self._abort_if_unique_id_configured()
        data = entry_data(miner, credentials)
        if dhcp_mac is not None:
            data[CONF_DHCP_MAC] = dhcp_mac
        return self.async_create_entry(title=entry_title(miner.identity, miner.host), data=data)

    def _login_form(
        self,
        step_id: str,
        errors: dict[str, str],
        placeholders: dict[str, str],
        user_input: Mapping[str, Any] | None,
    ) -> ConfigFlowResult:
        family = self._family
        assert family is not None
        suggested = {CONF_USERNAME: family.default_credentials.username, **(user_input or {})}
        suggested.pop(CONF_PASSWORD, None)
        return self.async_show_form(
            step_id=step_id,
            data_schema=self.add_suggested_values_to_schema(LOGIN_SCHEMA, suggested),
            errors=errors,
            description_placeholders={"family": family.name, "host": self._host, **placeholders},
        )
