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

import asyncio
import ipaddress
import logging
from collections.abc import Awaitable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Final

import aiohttp
import probatio
from homeassistant.components.network import async_get_adapters
from homeassistant.config_entries import SOURCE_IGNORE, ConfigFlow, ConfigFlowResult
from homeassistant.const import CONF_HOST, CONF_PASSWORD, CONF_USERNAME
from homeassistant.core import callback
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.selector import (
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
from homeassistant.helpers.service_info.dhcp import DhcpServiceInfo

from .const import (
    CONF_FARM,
    CONF_IDENTITY,
    CONF_MINERS,
    CONF_PORTS,
    CONF_RPC_PORT,
    CONF_SUBNET,
    CONF_WEB_PORT,
    DOMAIN,
    FARM_UNIQUE_ID,
    LOGGER,
)
from .driver import (
    FAMILIES,
    MAX_SCAN_ADDRESSES,
    Credentials,
    Family,
    Miner,
    MinerAuthenticationError,
    MinerConnectionError,
    MinerContext,
    MinerError,
    MinerIdentity,
    MinerNotIdentifiedError,
    MinerResponseError,
    MinerScanRangeError,
    MinerScanTooLargeError,
    Ports,
    ScanProgress,
    ScanReport,
    ScanResult,
    ScanStage,
    detect_family,
    is_host_name,
    normalize_mac,
    parse_targets,
    scan_report,
)
from .farm import FARM_TITLE, is_farm_entry
from .naming import device_name, unique_id_for

# The ports a miner is looked for on; the address step can move RPC and web.
DEFAULT_PORTS: Final = Ports()
PROBE_TIMEOUT: Final = 3.0  # every family's probes, at once
IDENTIFY_TIMEOUT: Final = 10.0  # model and release lookups, plus the login check
REACH_TIMEOUT: Final = 2.0  # telling "nothing there" from "not a miner"
# Sub-flows the scan starts for its second and further miners.
SOURCE_SCANNED: Final = "scanned"
# A network wider than this is not offered as the scan default (too slow to sweep).
_WIDEST_DEFAULT_PREFIX: Final = 16
_FALLBACK_PREFIX: Final = 24

# Which form field an error belongs on; errors for fields a form lacks go on "base".
_ERROR_FIELDS: Final = {
    "cannot_connect": CONF_HOST,
    "not_a_miner": CONF_HOST,
    "unsupported_miner": CONF_HOST,
    "invalid_host": CONF_HOST,
    "invalid_auth": CONF_PASSWORD,
}
# Shown in a placeholder where a list is empty.
_NONE: Final = "\u2013"  # an en dash

_PORT_SELECTOR = NumberSelector(
    NumberSelectorConfig(min=1, max=65535, step=1, mode=NumberSelectorMode.BOX)
)
_HOST_SELECTOR = TextSelector(TextSelectorConfig(autocomplete="off"))
_USERNAME_SELECTOR = TextSelector(TextSelectorConfig(autocomplete="username"))
_PASSWORD_SELECTOR = TextSelector(
    TextSelectorConfig(type=TextSelectorType.PASSWORD, autocomplete="current-password")
)
_ADDRESS_SCHEMA = probatio.Schema(
    {
        probatio.Required(CONF_HOST): _HOST_SELECTOR,
        probatio.Optional(CONF_RPC_PORT): _PORT_SELECTOR,
        probatio.Optional(CONF_WEB_PORT): _PORT_SELECTOR,
    }
)
_LOGIN_SCHEMA = probatio.Schema(
    {
        probatio.Optional(CONF_USERNAME): _USERNAME_SELECTOR,
        probatio.Required(CONF_PASSWORD): _PASSWORD_SELECTOR,
    }
)
_RECONFIGURE_SCHEMA = probatio.Schema(
    {
        **_ADDRESS_SCHEMA.schema,
        probatio.Optional(CONF_USERNAME): _USERNAME_SELECTOR,
        probatio.Optional(CONF_PASSWORD): _PASSWORD_SELECTOR,
    }
)


def entry_title(identity: MinerIdentity, host: str) -> str:
    """The device's name (``garage-miner``, ``S19 XP .13``): titles tell miners apart."""
    return device_name(identity, host)


def _valid_host(text: str) -> bool:
    """One IPv4 address or a host name; ``999.1.1.1`` is neither (a mistyped address)."""
    try:
        return isinstance(ipaddress.ip_address(text), ipaddress.IPv4Address)
    except ValueError:
        return is_host_name(text)


def _family_name(key: str) -> str:
    return next((family.name for family in FAMILIES if family.key == key), key)


def _error_key(err: BaseException) -> str:
    """The translation key for a driver error; never a traceback for the user."""
    if isinstance(err, MinerAuthenticationError):
        return "invalid_auth"
    if isinstance(err, MinerConnectionError | TimeoutError):
        return "cannot_connect"
    if isinstance(err, MinerNotIdentifiedError):
        return "not_a_miner" if err.answered is None else "unsupported_miner"
    if isinstance(err, MinerResponseError):
        return "bad_reply"
    if isinstance(err, MinerScanTooLargeError):
        return "subnet_too_large"
    if isinstance(err, MinerScanRangeError):
        return "invalid_subnet"
    return "unknown"


def _errors(key: str, fields: Mapping[str, Any]) -> dict[str, str]:
    """Put an error on the field it concerns, or on the form when that field isn't there."""
    field = _ERROR_FIELDS.get(key, "base")
    return {field if field in fields else "base": key}


def _credentials(user_input: Mapping[str, Any]) -> Credentials:
    """The login typed into a form; an empty field means "the family's default"."""
    return Credentials(
        username=user_input.get(CONF_USERNAME) or None,
        password=user_input.get(CONF_PASSWORD) or None,
    )


def _ports(user_input: Mapping[str, Any], base: Ports) -> Ports:
    ports = base
    if (rpc := user_input.get(CONF_RPC_PORT)) is not None:
        ports = replace(ports, rpc=int(rpc))
    if (web := user_input.get(CONF_WEB_PORT)) is not None:
        ports = replace(ports, web=int(web))
    return ports


def _entry_data(miner: Miner, credentials: Credentials) -> dict[str, Any]:
    return {
        CONF_HOST: miner.host,
        CONF_USERNAME: credentials.username,
        CONF_PASSWORD: credentials.password,
        CONF_PORTS: miner.ctx.ports.as_dict(),
        CONF_IDENTITY: miner.identity.as_dict(),
    }


def _scan_label(result: ScanResult) -> str:
    """What a scan listing shows: make, model, firmware and address."""
    if (identity := result.identity) is None:
        # Found, but its firmware wants a login before it says what it is.
        return f"{result.family.name} · {result.host}"
    firmware = " ".join(filter(None, (identity.firmware, identity.firmware_version)))
    return f"{identity.make} {identity.model} · {firmware} · {result.host}"


async def _async_reachable(host: str, ports: Ports) -> bool:
    """Whether anything accepts a connection on the miner ports at ``host``."""

    async def accepts(port: int) -> bool:
        try:
            async with asyncio.timeout(REACH_TIMEOUT):
                _reader, writer = await asyncio.open_connection(host, port)
        except OSError, TimeoutError:
            return False
        writer.close()
        return True

    candidates = dict.fromkeys((ports.rpc, ports.web, ports.https, ports.whatsminer_v3))
    return any(await asyncio.gather(*(accepts(port) for port in candidates)))


def _list(lines: list[str]) -> str:
    """A Markdown list for a form's description, or a dash when there is nothing."""
    return "\n".join(f"- {line}" for line in lines) if lines else _NONE


async def _async_prove_login(miner: Miner) -> None:
    """Raise if the controls' login is refused; anything else on that path is for setup.

    Used where the user typed a password: a wrong one is said at once. A switched-off
    write API or a refused test command does not stop saving (setup opens a repair).
    """
    try:
        async with asyncio.timeout(IDENTIFY_TIMEOUT):
            await miner.check_credentials()
    except MinerAuthenticationError:
        raise
    except (MinerError, TimeoutError) as err:
        LOGGER.info("%s: controls not checked now (%s); setup checks them again", miner.host, err)


@dataclass(frozen=True, slots=True)
class _Failed:
    """A step's network work failed; ``error`` is the translation key to show."""

    error: str
    answered: str = ""  # for "unsupported_miner": what answered


class AsicMinerConfigFlow(ConfigFlow, domain=DOMAIN):
    """Add ASIC miners: by scan, by address or from DHCP; reauth and reconfigure."""

    VERSION = 1

    def __init__(self) -> None:
        self._host = ""
        self._ports = DEFAULT_PORTS
        self._family: Family | None = None  # the family whose login the miner wants
        self._miner: Miner | None = None  # a discovered miner the default login opens
        # Scan state.
        self._subnet = ""
        self._scan_task: asyncio.Task[ScanReport | _Failed] | None = None
        self._scan_error: str | None = None
        self._scan_progress = -1.0
        self._found: dict[str, ScanResult] = {}
        self._not_addable: list[str] = []  # "<what> at <host>" lines for the listing
        self._silent = 0  # addresses where nothing answered
        self._configured_found = 0  # miners found that are set up already
        self._login_needed: dict[str, list[ScanResult]] = {}
        self._ready: list[tuple[Miner, Credentials]] = []
        self._created: list[str] = []  # "<name> (<host>)" per miner the scan added
        self._own: tuple[str, dict[str, Any]] | None = None  # this flow's entry, last

    # -- talking to miners -----------------------------------------------------------

    @property
    def _session(self) -> aiohttp.ClientSession:
        return async_get_clientsession(self.hass, verify_ssl=False)

    async def _attempt[T](self, work: Awaitable[T]) -> T | _Failed:
        """Run network work; a failure comes back as the error key the form shows.

        The reason goes to the log once: at INFO for a refused login (the form asks
        for it), at WARNING for everything else the user is shown.
        """
        try:
            return await work
        except (MinerError, TimeoutError) as err:
            key = _error_key(err)
            level = logging.INFO if key == "invalid_auth" else logging.WARNING
            LOGGER.log(level, "Adding a miner: %s", err or type(err).__name__)
            answered = (err.answered or "") if isinstance(err, MinerNotIdentifiedError) else ""
            return _Failed(key, answered)
        except Exception:
            LOGGER.exception("Unexpected error while talking to the miner")
            return _Failed("unknown")

    async def _async_identify(self, host: str, ports: Ports, credentials: Credentials) -> Miner:
        """Identify the miner at ``host`` and read it once: what decides it can be added.

        Remembers the family in ``self._family`` as soon as it is known, so a refused
        login (which can only come after the family was recognised) can name it when
        asking for another.
        """
        ctx = MinerContext(host, self._session, ports, credentials)
        try:
            family, probes = await detect_family(ctx, FAMILIES, PROBE_TIMEOUT)
        except MinerNotIdentifiedError as err:
            if not await _async_reachable(host, ports):
                raise MinerConnectionError(f"{host}: nothing answers on the miner ports") from err
            raise
        self._family = family
        async with asyncio.timeout(IDENTIFY_TIMEOUT):
            miner = Miner(ctx, family, await family.identify(ctx, probes))
            await miner.read()
        return miner

    async def _async_verify(self, result: ScanResult, credentials: Credentials) -> Miner:
        """A scanned miner read once (identified now if the scan could not)."""
        if result.identity is None:
            return await self._async_identify(result.host, self._ports, credentials)
        miner = Miner.from_identity(
            result.host, self._session, result.identity, ports=self._ports, credentials=credentials
        )
        async with asyncio.timeout(IDENTIFY_TIMEOUT):
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
        async with asyncio.timeout(IDENTIFY_TIMEOUT):
            await miner.read()
        await _async_prove_login(miner)

    async def _async_create(self, miner: Miner, credentials: Credentials) -> ConfigFlowResult:
        """Create the entry for an identified miner that answered a read."""
        await self.async_set_unique_id(
            unique_id_for(miner.identity, miner.host), raise_on_progress=False
        )
        self._abort_if_unique_id_configured()
        return self.async_create_entry(
            title=entry_title(miner.identity, miner.host),
            data=_entry_data(miner, credentials),
        )

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
            data_schema=self.add_suggested_values_to_schema(_LOGIN_SCHEMA, suggested),
            errors=errors,
            description_placeholders={"family": family.name, "host": self._host, **placeholders},
        )

    # -- user: menu ------------------------------------------------------------------

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Let the user pick: scan a network, or enter an address."""
        return self.async_show_menu(step_id="user", menu_options=["scan", "manual"])

    # -- user: by address ------------------------------------------------------------

    async def async_step_manual(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Add the miner at an address."""
        errors: dict[str, str] = {}
        answered = _NONE
        if user_input is not None:
            self._host = user_input[CONF_HOST].strip()
            self._ports = _ports(user_input, DEFAULT_PORTS)
            if not _valid_host(self._host):
                errors[CONF_HOST] = "invalid_host"
            else:
                outcome = await self._attempt(
                    self._async_identify(self._host, self._ports, Credentials())
                )
                if not isinstance(outcome, _Failed):
                    return await self._async_create(outcome, Credentials())
                if outcome.error == "invalid_auth":
                    return await self.async_step_credentials()
                errors = _errors(outcome.error, _ADDRESS_SCHEMA.schema)
                answered = outcome.answered or _NONE
        return self.async_show_form(
            step_id="manual",
            data_schema=self.add_suggested_values_to_schema(_ADDRESS_SCHEMA, user_input),
            errors=errors,
            description_placeholders={"answered": answered},
        )

    async def async_step_credentials(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the login the miner wants, because the family's default was refused."""
        errors: dict[str, str] = {}
        if user_input is not None:
            login = _credentials(user_input)
            outcome = await self._attempt(self._async_identify(self._host, self._ports, login))
            if not isinstance(outcome, _Failed):
                return await self._async_create(outcome, login)
            errors = _errors(outcome.error, _LOGIN_SCHEMA.schema)
        return self._login_form("credentials", errors, {}, user_input)

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
                if prefix < _WIDEST_DEFAULT_PREFIX:
                    prefix = _FALLBACK_PREFIX  # a /8 is no sensible thing to sweep
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
                errors[CONF_SUBNET] = _error_key(err)
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
                "not_addable": ", ".join(self._not_addable) or _NONE,
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

    async def _async_scan(self) -> ScanReport | _Failed:
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
        if isinstance(outcome, _Failed):
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
                if unique_id_for(result.identity, result.host) in configured_ids:
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
            "not_addable": _list(self._not_addable),
            "silent": str(self._silent),
        }
        if user_input is not None:
            chosen = [self._found[host] for host in user_input[CONF_MINERS]]
            if not chosen:
                errors[CONF_MINERS] = "no_selection"
            else:
                failed = await self._async_check_defaults(chosen)
                if not failed:
                    return await self._async_next_scan_step()
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
            SelectOptionDict(value=host, label=_scan_label(result))
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
            outcome = checked.get(result.host, _Failed("invalid_auth"))
            if not isinstance(outcome, _Failed):
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
            login = _credentials(user_input)
            remaining: list[ScanResult] = []
            outcomes = await asyncio.gather(
                *(self._attempt(self._async_verify(result, login)) for result in waiting)
            )
            for result, outcome in zip(waiting, outcomes, strict=True):
                if isinstance(outcome, _Failed):
                    remaining.append(result)
                    errors.update(_errors(outcome.error, _LOGIN_SCHEMA.schema))
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

    async def _async_create_scanned(self) -> ConfigFlowResult:
        """Create every ready miner's entry: sub-flows for all but one, then the summary.

        The summary lists every miner added, so each reaches the user; this flow creates
        the last one itself when it is confirmed (and Home Assistant then offers to name
        and place it).
        """
        configured = {entry.unique_id for entry in self._async_current_entries(False)}
        entries: list[tuple[str, dict[str, Any]]] = []
        for miner, login in self._ready:
            unique_id = unique_id_for(miner.identity, miner.host)
            if unique_id in configured:  # set up before, or the same miner twice
                LOGGER.warning(
                    "%s is the same miner as one already set up or ticked (%s); not added twice",
                    miner.host,
                    unique_id,
                )
                continue
            configured.add(unique_id)
            entries.append((unique_id, _entry_data(miner, login)))
        if not entries:
            return self.async_abort(reason="already_configured")
        *others, self._own = entries
        self._created = []
        for _other_id, other in others:
            result = await self.hass.config_entries.flow.async_init(
                DOMAIN, context={"source": SOURCE_SCANNED}, data=other
            )
            if result["type"] is FlowResultType.CREATE_ENTRY:
                self._created.append(f"{result['title']} ({other[CONF_HOST]})")
        return await self.async_step_scan_done()

    async def async_step_scan_done(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """List every miner the scan added; confirming creates the last one."""
        assert self._own is not None
        unique_id, data = self._own
        identity = MinerIdentity.from_dict(data[CONF_IDENTITY])
        title = entry_title(identity, data[CONF_HOST])
        if user_input is not None or not self._created:
            await self.async_set_unique_id(unique_id, raise_on_progress=False)
            self._abort_if_unique_id_configured()
            return self.async_create_entry(title=title, data=data)
        return self.async_show_form(
            step_id="scan_done",
            description_placeholders={
                "count": str(len(self._created) + 1),
                "added": _list([*self._created, f"{title} ({data[CONF_HOST]})"]),
                "last": title,
            },
        )

    async def async_step_scanned(self, data: dict[str, Any]) -> ConfigFlowResult:
        """Create the entry for one more miner the scan verified; no form."""
        identity = MinerIdentity.from_dict(data[CONF_IDENTITY])
        existing = await self.async_set_unique_id(
            unique_id_for(identity, data[CONF_HOST]), raise_on_progress=False
        )
        if existing is not None and existing.source != SOURCE_IGNORE:
            return self.async_abort(reason="already_configured")
        return self.async_create_entry(title=entry_title(identity, data[CONF_HOST]), data=data)

    # -- DHCP discovery --------------------------------------------------------------

    async def async_step_dhcp(self, discovery_info: DhcpServiceInfo) -> ConfigFlowResult:
        """A miner asked DHCP for an address: update a known one, offer a new one."""
        mac = normalize_mac(discovery_info.macaddress)
        if mac is not None:
            await self.async_set_unique_id(mac.replace(":", "").lower())
            self._abort_if_unique_id_configured(updates={CONF_HOST: discovery_info.ip})
        self._host = discovery_info.ip
        self._ports = DEFAULT_PORTS
        outcome = await self._attempt(self._async_identify(self._host, self._ports, Credentials()))
        name = discovery_info.hostname or self._host
        if isinstance(outcome, _Failed):
            if outcome.error != "invalid_auth":
                return self.async_abort(reason=outcome.error)
        else:
            # The flow keys on what identification reports, as every other way in does.
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
                return await self._async_create(miner, Credentials())
            login = _credentials(user_input)
            outcome = await self._attempt(self._async_identify(self._host, self._ports, login))
            if not isinstance(outcome, _Failed):
                return await self._async_create(outcome, login)
            errors = _errors(outcome.error, _LOGIN_SCHEMA.schema)
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
            login = _credentials(user_input)
            outcome = await self._attempt(self._async_check_login(entry.data, login))
            if not isinstance(outcome, _Failed):
                return self.async_update_reload_and_abort(
                    entry,
                    data_updates={CONF_USERNAME: login.username, CONF_PASSWORD: login.password},
                )
            errors = _errors(outcome.error, _LOGIN_SCHEMA.schema)
        family = entry.data[CONF_IDENTITY].get("family", "")
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=self.add_suggested_values_to_schema(
                _LOGIN_SCHEMA, {CONF_USERNAME: entry.data.get(CONF_USERNAME)}
            ),
            errors=errors,
            description_placeholders={
                "family": _family_name(family),
                "host": entry.data[CONF_HOST],
            },
        )

    # -- the farm device (farm.py starts this flow) ----------------------------------

    async def async_step_farm(self, data: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Create the farm device's entry, once."""
        await self.async_set_unique_id(FARM_UNIQUE_ID)
        self._abort_if_unique_id_configured()
        return self.async_create_entry(title=FARM_TITLE, data={CONF_FARM: True})

    # -- reconfiguration -------------------------------------------------------------

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
            ports = _ports(user_input, Ports.from_dict(entry.data.get(CONF_PORTS)))
            login = _credentials(user_input)
            if login.password is None:
                # The form never shows the stored password: empty means "keep it".
                login = replace(login, password=entry.data.get(CONF_PASSWORD))
            outcome = await self._attempt(self._async_identify(host, ports, login))
            if not isinstance(outcome, _Failed) and login.password:
                proven = await self._attempt(_async_prove_login(outcome))
                if isinstance(proven, _Failed):
                    outcome = proven
            if not isinstance(outcome, _Failed):
                await self.async_set_unique_id(
                    unique_id_for(outcome.identity, host), raise_on_progress=False
                )
                self._abort_if_unique_id_mismatch(reason="wrong_miner")
                return self.async_update_reload_and_abort(
                    entry, data_updates=_entry_data(outcome, login)
                )
            errors = _errors(outcome.error, _RECONFIGURE_SCHEMA.schema)
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
            data_schema=self.add_suggested_values_to_schema(_RECONFIGURE_SCHEMA, suggested),
            errors=errors,
            description_placeholders={"name": entry.title},
        )
