"""The config flow's forms: schemas, selectors, error keys, and what a form's input means."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Final

import probatio
from homeassistant.const import CONF_HOST, CONF_PASSWORD, CONF_USERNAME
from homeassistant.helpers.selector import (
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)

from .const import (
    CONF_IDENTITY,
    CONF_PORTS,
    CONF_RPC_PORT,
    CONF_WEB_PORT,
)
from .driver import (
    FAMILIES,
    Credentials,
    Miner,
    MinerAuthenticationError,
    MinerConnectionError,
    MinerIdentity,
    MinerNotIdentifiedError,
    MinerResponseError,
    MinerScanRangeError,
    MinerScanTooLargeError,
    Ports,
    ScanResult,
    is_host_name,
)
from .naming import device_name

# The ports a miner is looked for on; the address step can move RPC and web.
DEFAULT_PORTS: Final = Ports()
# Each stage has its own deadline: a slow identification never eats the first read's.
PROBE_TIMEOUT: Final = 3.0  # every family's probes, at once
IDENTIFY_TIMEOUT: Final = 10.0  # the probes, then the model and release lookups
READ_TIMEOUT: Final = 10.0  # the first read, which decides the miner can be added
LOGIN_TIMEOUT: Final = 10.0  # the controls' login check
# Entry data: the MAC a DHCP request showed, for an entry whose firmware reports none.
CONF_DHCP_MAC: Final = "dhcp_mac"
# Sub-flows the scan starts for its second and further miners.
SOURCE_SCANNED: Final = "scanned"
# A network wider than this is not offered as the scan default (too slow to sweep).
WIDEST_DEFAULT_PREFIX: Final = 16
FALLBACK_PREFIX: Final = 24

# Which form field an error belongs on; errors for fields a form lacks go on "base".
_ERROR_FIELDS: Final = {
    "cannot_connect": CONF_HOST,
    "not_a_miner": CONF_HOST,
    "unsupported_miner": CONF_HOST,
    "invalid_host": CONF_HOST,
    "invalid_auth": CONF_PASSWORD,
}
# Shown in a placeholder where a list is empty.
NONE: Final = "\u2013"  # an en dash

_PORT_SELECTOR = NumberSelector(
    NumberSelectorConfig(min=1, max=65535, step=1, mode=NumberSelectorMode.BOX)
)
_HOST_SELECTOR = TextSelector(TextSelectorConfig(autocomplete="off"))
_USERNAME_SELECTOR = TextSelector(TextSelectorConfig(autocomplete="username"))
_PASSWORD_SELECTOR = TextSelector(
    TextSelectorConfig(type=TextSelectorType.PASSWORD, autocomplete="current-password")
)
ADDRESS_SCHEMA = probatio.Schema(
    {
        probatio.Required(CONF_HOST): _HOST_SELECTOR,
        probatio.Optional(CONF_RPC_PORT): _PORT_SELECTOR,
        probatio.Optional(CONF_WEB_PORT): _PORT_SELECTOR,
    }
)
LOGIN_SCHEMA = probatio.Schema(
    {
        probatio.Optional(CONF_USERNAME): _USERNAME_SELECTOR,
        probatio.Required(CONF_PASSWORD): _PASSWORD_SELECTOR,
    }
)
RECONFIGURE_SCHEMA = probatio.Schema(
    {
        **ADDRESS_SCHEMA.schema,
        probatio.Optional(CONF_USERNAME): _USERNAME_SELECTOR,
        probatio.Optional(CONF_PASSWORD): _PASSWORD_SELECTOR,
    }
)


def entry_title(identity: MinerIdentity, host: str) -> str:
    """The device's name (``garage-miner``, ``S19 XP .13``): titles tell miners apart."""
    return device_name(identity, host)


def valid_host(text: str) -> bool:
    """One IPv4 address or a host name; ``999.1.1.1`` is neither (a mistyped address)."""
    try:
        return isinstance(ipaddress.ip_address(text), ipaddress.IPv4Address)
    except ValueError:
        return is_host_name(text)


def family_name(key: str) -> str:
    return next((family.name for family in FAMILIES if family.key == key), key)


def error_key(err: BaseException) -> str:
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


def form_errors(key: str, fields: Mapping[str, Any]) -> dict[str, str]:
    """Put an error on the field it concerns, or on the form when that field isn't there."""
    field = _ERROR_FIELDS.get(key, "base")
    return {field if field in fields else "base": key}


def form_credentials(user_input: Mapping[str, Any]) -> Credentials:
    """The login typed into a form; an empty field means "the family's default"."""
    return Credentials(
        username=user_input.get(CONF_USERNAME) or None,
        password=user_input.get(CONF_PASSWORD) or None,
    )


def form_ports(user_input: Mapping[str, Any], base: Ports) -> Ports:
    ports = base
    if (rpc := user_input.get(CONF_RPC_PORT)) is not None:
        ports = replace(ports, rpc=int(rpc))
    if (web := user_input.get(CONF_WEB_PORT)) is not None:
        ports = replace(ports, web=int(web))
    return ports


def entry_data(miner: Miner, credentials: Credentials) -> dict[str, Any]:
    return {
        CONF_HOST: miner.host,
        CONF_USERNAME: credentials.username,
        CONF_PASSWORD: credentials.password,
        CONF_PORTS: miner.ctx.ports.as_dict(),
        CONF_IDENTITY: miner.identity.as_dict(),
    }


def scan_label(result: ScanResult) -> str:
    """What a scan listing shows: make, model, firmware and address."""
    if (identity := result.identity) is None:
        # Found, but its firmware wants a login before it says what it is.
        return f"{result.family.name} · {result.host}"
    firmware = " ".join(filter(None, (identity.firmware, identity.firmware_version)))
    return f"{identity.make} {identity.model} · {firmware} · {result.host}"


def bullet_list(lines: list[str]) -> str:
    """A Markdown list for a form's description, or a dash when there is nothing."""
    return "\n".join(f"- {line}" for line in lines) if lines else NONE


@dataclass(frozen=True, slots=True)
class Failed:
    """A step's network work failed; ``error`` is the translation key to show."""

    error: str
    answered: str = ""  # for "unsupported_miner": what answered
