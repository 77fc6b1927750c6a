"""The config flow's scan: ask for a subnet, sweep it, tick miners, log in, add them all.

Every ticked miner is read once; credentials are asked once per firmware family whose
default login the miners refuse. Adding the miners ticked is ``flow_scan_add.py``.
"""

from __future__ import annotations

import asyncio
import ipaddress
from typing import Any

import probatio
from homeassistant.components.network import async_get_adapters
from homeassistant.config_entries import ConfigEntry, ConfigFlowResult
from homeassistant.const import CONF_HOST
from homeassistant.core import callback
from homeassistant.helpers.selector import (
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
)

from .const import (
    CONF_MINERS,
    CONF_SUBNET,
    LOGGER,
)
from .driver import (
    MAX_SCAN_ADDRESSES,
    Credentials,
    MinerAuthenticationError,
    MinerScanRangeError,
    ScanProgress,
    ScanReport,
    ScanResult,
    ScanStage,
    parse_targets,
    scan_report,
)
from .flow_forms import (
    DEFAULT_PORTS,
    FALLBACK_PREFIX,
    LOGIN_SCHEMA,
    NONE,
    WIDEST_DEFAULT_PREFIX,
    Failed,
    bullet_list,
    error_key,
    form_credentials,
    form_errors,
    scan_label,
)
from .flow_scan_add import AddScannedFlow
from .naming import unique_id_for


class ScanFlow(AddScannedFlow):
    """The scan steps of the config flow."""

    # -- user: scan ------------------------------------------------------------------

    async def _async_default_subnet(self) -> str:
        """The network of Home Assistant's first enabled IPv4 adapter, e.g. 192.168.1.0/24."""
        for adapter in await async_get_adapters(self.hass):
            if not adapter["enabled"]:
                continue
            for ipv4 in adapter["ipv4"]:
                address = ipaddress.IPv4Address(ipv4["address"])
                if address.is_loopback or address.is_link_local:
                    continue  # no miner lives there
                prefix = ipv4["network_prefix"]
                if prefix < WIDEST_DEFAULT_PREFIX:
                    prefix = FALLBACK_PREFIX  # a /8 is no sensible thing to sweep
                return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))
        return ""

    async def async_step_scan(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Ask which network to scan."""
        errors: dict[str, str] = {}
        if self._scan_error is not None:
            errors[CONF_SUBNET] = self._scan_error
            self._scan_error = None
        if user_input is not None:
            self._subnet = user_input[CONF_SUBNET].strip()
            try:
                parse_targets(self._subnet)
            except MinerScanRangeError as err:
                errors[CONF_SUBNET] = error_key(err)
            else:
                return await self.async_step_scan_progress()
        if not self._subnet:
            self._subnet = await self._async_default_subnet()
        return self.async_show_form(
            step_id="scan",
            data_schema=probatio.Schema(
                {probatio.Required(CONF_SUBNET, default=self._subnet): TextSelector()}
            ),
            errors=errors,
            description_placeholders={
                "limit": f"{MAX_SCAN_ADDRESSES:,}",
                "not_addable": ", ".join(self._not_addable) or NONE,
                "silent": str(self._silent),
            },
        )

    @callback
    def _async_scan_progress(self, progress: ScanProgress) -> None:
        # The sweep is most of the time; identification of what answered is the rest.
        if progress.stage is ScanStage.SWEEP:
            fraction = 0.8 * progress.fraction
        else:
            fraction = 0.8 + 0.2 * progress.fraction
        fraction = round(fraction, 2)
        if fraction != self._scan_progress:
            self._scan_progress = fraction
            self.async_update_progress(fraction)

    async def _async_scan(self) -> ScanReport | Failed:
        return await self._attempt(
            scan_report(
                self._subnet,
                self._session,
                ports=self._ports,
                progress=self._async_scan_progress,
            )
        )

    async def async_step_scan_progress(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Scan, showing progress; then list what was found or go back with the reason."""
        if self._scan_task is None:
            self._ports = DEFAULT_PORTS
            self._not_addable = []
            self._silent = 0
            self._scan_progress = -1.0
            # Not started eagerly: the first answer must be the progress, never "done".
            self._scan_task = self.hass.async_create_task(self._async_scan(), eager_start=False)
        if not self._scan_task.done():
            return self.async_show_progress(
                step_id="scan_progress",
                progress_action="scan",
                progress_task=self._scan_task,
                description_placeholders={"subnet": self._subnet},
            )
        outcome = self._scan_task.result()
        self._scan_task = None
        if isinstance(outcome, Failed):
            self._scan_error = outcome.error
            return self.async_show_progress_done(next_step_id="scan")
        self._found = self._listable(outcome.miners)
        self._not_addable.extend(
            f"{found.answered} at {found.host}" for found in outcome.unsupported
        )
        self._silent = outcome.silent
        if not self._found:
            # "All set up already" only when that is why nothing is listed.
            self._scan_error = "no_new_miners" if self._configured_found else "no_miners_found"
        else:
            return self.async_show_progress_done(next_step_id="scan_select")
        return self.async_show_progress_done(next_step_id="scan")

    def _listable(self, results: list[ScanResult]) -> dict[str, ScanResult]:
        """The miners found that can be added and are not set up yet, by address."""
        entries = self._async_current_entries(include_ignore=False)
        configured_ids = {entry.unique_id for entry in entries}
        configured_hosts = {entry.data.get(CONF_HOST) for entry in entries}
        listable: dict[str, ScanResult] = {}
        self._configured_found = 0
        for result in results:
            if result.identity is not None:
                known = self._entry_for(result.identity)
                if known is not None and known.data.get(CONF_HOST) != result.host:
                    self._async_move(known, result.host)
                if (
                    known is not None
                    or unique_id_for(result.identity, result.host) in configured_ids
                ):
                    self._configured_found += 1
                    continue
            elif isinstance(result.error, MinerAuthenticationError):
                # Its login is refused: which miner it is shows after login.
                if result.host in configured_hosts:
                    self._configured_found += 1
                    continue
            else:
                LOGGER.warning(
                    "%s looks like %s but could not be identified: %s",
                    result.host,
                    result.family.name,
                    result.error,
                )
                self._not_addable.append(f"{result.family.name} at {result.host} (not identified)")
                continue
            listable[result.host] = result
        return listable

    async def async_step_scan_select(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Let the user tick the miners to add; check the default logins of those ticked."""
        errors: dict[str, str] = {}
        placeholders = {
            "subnet": self._subnet,
            "count": str(len(self._found)),
            "failed": "",
            "bad_reply": "",
            "not_addable": bullet_list(self._not_addable),
            "silent": str(self._silent),
        }
        if user_input is not None:
            chosen = [self._found[host] for host in user_input[CONF_MINERS]]
            if not chosen:
                errors[CONF_MINERS] = "no_selection"
            else:
                # Checked and added behind a progress step (flow_scan_add.py).
                return await self._async_check_and_add(chosen, self._async_check_defaults(chosen))
        elif failed := self._take_check_failures():
            user_input = {CONF_MINERS: list(self._ticked)}
            # Each reason on its own line of the form: no answer, or a reply not understood.
            silent = [host for host, key in failed.items() if key == "cannot_connect"]
            other = [host for host, key in failed.items() if key != "cannot_connect"]
            if silent:
                errors["base"] = "miner_failed"
                placeholders["failed"] = ", ".join(silent)
            if other:
                errors[CONF_MINERS] = "miner_bad_reply"
                placeholders["bad_reply"] = ", ".join(other)
        options = [
            SelectOptionDict(value=host, label=scan_label(result))
            for host, result in self._found.items()
        ]
        schema = probatio.Schema(
            {
                probatio.Required(CONF_MINERS, default=list(self._found)): SelectSelector(
                    SelectSelectorConfig(
                        options=options, multiple=True, mode=SelectSelectorMode.LIST
                    )
                )
            }
        )
        return self.async_show_form(
            step_id="scan_select",
            data_schema=self.add_suggested_values_to_schema(schema, user_input),
            errors=errors,
            description_placeholders=placeholders,
        )

    async def _async_check_defaults(self, chosen: list[ScanResult]) -> dict[str, str]:
        """Sort the ticked miners into ready and login-needed; return the failed ones.

        The result maps each failed miner's address to its error key.
        """
        self._ready = []
        self._login_needed = {}
        failed: dict[str, str] = {}
        # Those the scan saw refuse the default login go straight to the login step.
        identified = [result for result in chosen if result.identity is not None]
        outcomes = await asyncio.gather(
            *(self._attempt(self._async_verify(result, Credentials())) for result in identified)
        )
        checked = {r.host: o for r, o in zip(identified, outcomes, strict=True)}
        for result in chosen:
            outcome = checked.get(result.host, Failed("invalid_auth"))
            if not isinstance(outcome, Failed):
                self._ready.append((outcome, Credentials()))
            elif outcome.error == "invalid_auth":
                self._login_needed.setdefault(result.family.key, []).append(result)
            else:
                failed[result.host] = outcome.error
        return failed

    async def _async_next_scan_step(self) -> ConfigFlowResult:
        if self._login_needed:
            return await self.async_step_scan_login()
        return await self._async_create_scanned()

    async def async_step_scan_login(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask once for the login of one firmware family whose default was refused."""
        key, waiting = next(iter(self._login_needed.items()))
        self._family = waiting[0].family
        errors: dict[str, str] = {}
        if user_input is not None:
            login = form_credentials(user_input)
            remaining: list[ScanResult] = []
            outcomes = await asyncio.gather(
                *(self._attempt(self._async_verify(result, login)) for result in waiting)
            )
            for result, outcome in zip(waiting, outcomes, strict=True):
                if isinstance(outcome, Failed):
                    remaining.append(result)
                    errors.update(form_errors(outcome.error, LOGIN_SCHEMA.schema))
                else:
                    self._ready.append((outcome, login))
            self._family = waiting[0].family
            if not remaining:
                del self._login_needed[key]
                return await self._async_next_scan_step()
            self._login_needed[key] = waiting = remaining
        return self._login_form(
            "scan_login",
            errors,
            {"hosts": ", ".join(result.host for result in waiting)},
            user_input,
        )

    @callback
    def _async_move(self, entry: ConfigEntry, host: str) -> None:
        """A set-up miner the scan found at another address: its entry follows it."""
        LOGGER.info("%s found at %s; its entry follows it there", entry.title, host)
        self.hass.config_entries.async_update_entry(entry, data={**entry.data, CONF_HOST: host})
        self.hass.config_entries.async_schedule_reload(entry.entry_id)
