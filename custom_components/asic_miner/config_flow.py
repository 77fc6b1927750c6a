"""Config flow for ASIC Miner: one config entry per miner.

Ways in:

- **Scan a network**: sweep a subnet (filled in from Home Assistant's own network
  adapter when it has one), list the miners found that are not set up yet, and below
  them, not selectable, what was found but cannot be added (an unsupported make, a
  miner that failed to answer) and how many addresses answered nothing. Every ticked
  miner is added in one pass. Credentials are asked once per firmware family, and only
  for families whose default login the miners refuse for reading. One sub-flow per
  further miner (source ``scanned``) creates its entry directly; a last step lists
  every miner added before this flow creates its own entry.
- **Enter an address**: identify the miner at a host (ports can be moved for port
  forwarding), ask for a login only when reading needs one, create.

Identification and one successful read decide whether a miner can be added. The
controls' login and API (a Whatsminer's admin password and write API, an ePIC or LuxOS
session) are not tested here: a refusal there never blocks adding; setup checks them
and opens a repair issue that says what to do.
- **DHCP discovery**: a known miner seen at a new address has its entry updated
  silently; a new one is identified and offered for confirmation.
- **Reauthentication** when the stored login stops working, and **reconfiguration** to
  change address, ports or login without losing the device.

Every entry is keyed on the miner's MAC (lowercase hex, no separators), or its serial
number where the firmware reports no real MAC (none, or a placeholder), then a hostname
someone set, then the address (``naming.py``): the same miner cannot be added twice and
keeps its entities when DHCP moves it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from homeassistant.config_entries import ConfigEntry, ConfigFlowResult
from homeassistant.const import CONF_HOST, CONF_PASSWORD, CONF_USERNAME
from homeassistant.core import callback
from homeassistant.helpers.service_info.dhcp import DhcpServiceInfo

from .const import (
    CONF_FARM,
    CONF_IDENTITY,
    CONF_PORTS,
    CONF_RPC_PORT,
    CONF_WEB_PORT,
    DOMAIN,
    FARM_UNIQUE_ID,
)
from .driver import (
    Credentials,
    Ports,
    normalize_mac,
)
from .farm import FARM_TITLE, is_farm_entry
from .flow_forms import (
    ADDRESS_SCHEMA,
    DEFAULT_PORTS,
    LOGIN_SCHEMA,
    NONE,
    RECONFIGURE_SCHEMA,
    Failed,
    entry_data,
    entry_title,
    family_name,
    form_credentials,
    form_errors,
    form_ports,
    valid_host,
)
from .flow_miners import async_prove_login
from .flow_scan import ScanFlow
from .naming import unique_id_for
from .options_flow import AsicMinerOptionsFlow


class AsicMinerConfigFlow(ScanFlow, domain=DOMAIN):
    """Add ASIC miners: by scan, by address or from DHCP; reauth and reconfigure."""

    VERSION = 1

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> AsicMinerOptionsFlow:
        return AsicMinerOptionsFlow()

    # -- user: menu ------------------------------------------------------------------

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Let the user pick: scan a network, or enter an address."""
        return self.async_show_menu(step_id="user", menu_options=["scan", "manual"])

    # -- user: by address ------------------------------------------------------------

    async def async_step_manual(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Add the miner at an address."""
        errors: dict[str, str] = {}
        answered = NONE
        if user_input is not None:
            self._host = user_input[CONF_HOST].strip()
            self._ports = form_ports(user_input, DEFAULT_PORTS)
            if not valid_host(self._host):
                errors[CONF_HOST] = "invalid_host"
            else:
                outcome = await self._attempt(
                    self._async_identify(self._host, self._ports, Credentials())
                )
                if not isinstance(outcome, Failed):
                    return await self._async_create(outcome, Credentials())
                if outcome.error == "invalid_auth":
                    return await self.async_step_credentials()
                errors = form_errors(outcome.error, ADDRESS_SCHEMA.schema)
                answered = outcome.answered or NONE
        return self.async_show_form(
            step_id="manual",
            data_schema=self.add_suggested_values_to_schema(ADDRESS_SCHEMA, user_input),
            errors=errors,
            description_placeholders={"answered": answered},
        )

    async def async_step_credentials(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the login the miner wants, because the family's default was refused."""
        errors: dict[str, str] = {}
        if user_input is not None:
            login = form_credentials(user_input)
            outcome = await self._attempt(self._async_identify(self._host, self._ports, login))
            if not isinstance(outcome, Failed):
                return await self._async_create(outcome, login)
            errors = form_errors(outcome.error, LOGIN_SCHEMA.schema)
        return self._login_form("credentials", errors, {}, user_input)

    # -- DHCP discovery --------------------------------------------------------------

    async def async_step_dhcp(self, discovery_info: DhcpServiceInfo) -> ConfigFlowResult:
        """A miner asked DHCP for an address: update a known one, offer a new one."""
        mac = normalize_mac(discovery_info.macaddress)
        if mac is not None:
            await self.async_set_unique_id(mac.replace(":", "").lower())
            self._abort_if_unique_id_configured(updates={CONF_HOST: discovery_info.ip})
            if (known := self._entry_for(None, mac)) is not None:
                return self._async_follow(known, discovery_info.ip)
        self._dhcp_mac = mac
        self._host = discovery_info.ip
        self._ports = DEFAULT_PORTS
        outcome = await self._attempt(self._async_identify(self._host, self._ports, Credentials()))
        name = discovery_info.hostname or self._host
        if isinstance(outcome, Failed):
            if outcome.error != "invalid_auth":
                return self.async_abort(reason=outcome.error)
        else:
            # The flow keys on what identification reports, as every other way in does.
            if (known := self._entry_for(outcome.identity, mac)) is not None:
                return self._async_follow(known, self._host)
            unique_id = unique_id_for(outcome.identity, self._host)
            await self.async_set_unique_id(unique_id, raise_on_progress=False)
            self._abort_if_unique_id_configured(updates={CONF_HOST: self._host})
            name = entry_title(outcome.identity, self._host)
            self._miner = outcome
        self.context["title_placeholders"] = {"name": name}
        return await self.async_step_discovery_confirm()

    async def async_step_discovery_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Confirm a discovered miner, with its login where the default was refused."""
        miner = self._miner
        errors: dict[str, str] = {}
        if user_input is not None:
            if miner is not None:
                return await self._async_create(miner, Credentials(), self._dhcp_mac)
            login = form_credentials(user_input)
            outcome = await self._attempt(self._async_identify(self._host, self._ports, login))
            if not isinstance(outcome, Failed):
                return await self._async_create(outcome, login, self._dhcp_mac)
            errors = form_errors(outcome.error, LOGIN_SCHEMA.schema)
        if miner is None:
            return self._login_form("discovery_confirm", errors, {}, user_input)
        self._set_confirm_only()
        return self.async_show_form(
            step_id="discovery_confirm",
            description_placeholders={
                "name": entry_title(miner.identity, self._host),
                "family": miner.family.name,
                "host": self._host,
            },
        )

    # -- reauthentication ------------------------------------------------------------

    async def async_step_reauth(self, entry_data: Mapping[str, Any]) -> ConfigFlowResult:
        """The miner refused the stored login."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the miner's new login and check it before saving."""
        entry = self._get_reauth_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            login = form_credentials(user_input)
            outcome = await self._attempt(self._async_check_login(entry.data, login))
            if not isinstance(outcome, Failed):
                return self.async_update_reload_and_abort(
                    entry,
                    data_updates={CONF_USERNAME: login.username, CONF_PASSWORD: login.password},
                )
            errors = form_errors(outcome.error, LOGIN_SCHEMA.schema)
        family = entry.data[CONF_IDENTITY].get("family", "")
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=self.add_suggested_values_to_schema(
                LOGIN_SCHEMA, {CONF_USERNAME: entry.data.get(CONF_USERNAME)}
            ),
            errors=errors,
            description_placeholders={
                "family": family_name(family),
                "host": entry.data[CONF_HOST],
            },
        )

    # -- reconfiguration -------------------------------------------------------------

    # -- the farm device (farm.py starts this flow) ----------------------------------

    async def async_step_farm(self, data: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Create the farm device's entry, once."""
        await self.async_set_unique_id(FARM_UNIQUE_ID)
        self._abort_if_unique_id_configured()
        return self.async_create_entry(title=FARM_TITLE, data={CONF_FARM: True})

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the address, ports or login of a miner without removing it."""
        entry = self._get_reconfigure_entry()
        if is_farm_entry(entry):
            return self.async_abort(reason="farm_not_configurable")
        errors: dict[str, str] = {}
        if user_input is not None:
            host = user_input[CONF_HOST].strip()
            ports = form_ports(user_input, Ports.from_dict(entry.data.get(CONF_PORTS)))
            login = form_credentials(user_input)
            if login.password is None:
                # The form never shows the stored password: empty means "keep it".
                login = replace(login, password=entry.data.get(CONF_PASSWORD))
            outcome = await self._attempt(self._async_identify(host, ports, login))
            if not isinstance(outcome, Failed) and login.password:
                proven = await self._attempt(async_prove_login(outcome))
                if isinstance(proven, Failed):
                    outcome = proven
            if not isinstance(outcome, Failed):
                await self.async_set_unique_id(
                    unique_id_for(outcome.identity, host), raise_on_progress=False
                )
                self._abort_if_unique_id_mismatch(reason="wrong_miner")
                return self.async_update_reload_and_abort(
                    entry, data_updates=entry_data(outcome, login)
                )
            errors = form_errors(outcome.error, RECONFIGURE_SCHEMA.schema)
        else:
            ports = Ports.from_dict(entry.data.get(CONF_PORTS))
            user_input = {
                CONF_HOST: entry.data[CONF_HOST],
                CONF_RPC_PORT: ports.rpc,
                CONF_WEB_PORT: ports.web,
                CONF_USERNAME: entry.data.get(CONF_USERNAME),
            }
        # Never send a password back to the browser, not even the one just typed.
        suggested = {k: v for k, v in user_input.items() if k != CONF_PASSWORD}
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(RECONFIGURE_SCHEMA, suggested),
            errors=errors,
            description_placeholders={"name": entry.title},
        )
