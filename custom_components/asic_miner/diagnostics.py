"""Diagnostics download: what the miner reported, with anything identifying removed.

Home Assistant's ``async_redact_data`` walks only dicts and lists, while a snapshot
keeps pools, boards and errors in tuples; and a secret also hides inside free text (an
error message naming the host, a pool URL in a status line). So redaction here is our
own and works at any depth, in any container, in two passes:

1. by key: every value under a sensitive key (``TO_REDACT``) is replaced, whatever
   its type;
2. by value: every string anywhere is scrubbed of the sensitive values found in pass 1
   and of anything shaped like an IPv4 address or a MAC address, a URL or a secret
   given as ``password=...`` / ``token: ...`` / ``Bearer ...``.

The miner's own log (``Miner.read_log``) is read here, when diagnostics are
downloaded, never in a poll; it is bounded by the driver and redacted with the rest.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable
from dataclasses import asdict, is_dataclass
from typing import Any, Final
from urllib.parse import urlsplit

from homeassistant.components.diagnostics import REDACTED
from homeassistant.const import CONF_HOST, CONF_PASSWORD, CONF_USERNAME
from homeassistant.core import HomeAssistant

from .coordinator import AsicMinerConfigEntry
from .driver import Miner, MinerError, MinerUnsupportedError
from .farm import farm_diagnostics, is_farm_entry

TO_REDACT: Final = frozenset(
    {
        CONF_PASSWORD,
        CONF_USERNAME,
        CONF_HOST,
        "title",
        "unique_id",
        "mac",
        "serial",
        "serial_number",
        "hostname",
        "url",
        "user",
        "worker",
        "token",
        "api_key",
        "address",
        "ip",
        "configuration_url",
    }
)
_IPV4: Final = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")
_MAC: Final = re.compile(r"(?<![0-9A-Fa-f])(?:[0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}(?![0-9A-Fa-f])")
# A URL (a pool with its user or password inside) and "key=value" secrets, as log lines
# and error messages write them.
_URL: Final = re.compile(r"\b[a-z][a-z0-9+.-]*://[^\s\"'<>]+", re.IGNORECASE)
_KEYED_SECRET: Final = re.compile(
    r"(?P<key>\b(?:(?:\w*(?:pass(?:word|wd)?|pwd|secret|token|api[_-]?key)|authorization)[\"']?"
    r"\s*[=:]\s*[\"']?|bearer\s+))(?P<value>(?:bearer\s+)?[^\s,;&\"']+)",
    re.IGNORECASE,
)
_SHORTEST_SECRET: Final = 3  # shorter values ("1", "ok") would scrub ordinary text


def _plain(value: Any) -> Any:
    """Dataclasses as dicts, every other container as a list, at any depth."""
    if is_dataclass(value) and not isinstance(value, type):
        value = asdict(value)
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else value
        return [_plain(item) for item in items]
    return value


def _strings(value: Any) -> Iterable[str]:
    """Every non-empty string inside ``value``; for a URL, its host name too."""
    if isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif value is not None and value != "":
        text = str(value)
        yield text
        if "://" in text:
            with contextlib.suppress(ValueError):
                parts = urlsplit(text)
                yield from filter(None, (parts.hostname, parts.username, parts.password))


def _by_key(value: Any, secrets: set[str]) -> Any:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if key.lower() in TO_REDACT and item not in (None, "", [], {}):
                secrets.update(_strings(item))
                out[key] = REDACTED
            else:
                out[key] = _by_key(item, secrets)
        return out
    if isinstance(value, list):
        return [_by_key(item, secrets) for item in value]
    return value


def _scrub(value: Any, secrets: list[str]) -> Any:
    if isinstance(value, dict):
        return {key: _scrub(item, secrets) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrub(item, secrets) for item in value]
    if isinstance(value, str) and value != REDACTED:
        for secret in secrets:
            value = value.replace(secret, REDACTED)
        value = _KEYED_SECRET.sub(lambda m: m["key"] + REDACTED, _URL.sub(REDACTED, value))
        return _MAC.sub(REDACTED, _IPV4.sub(REDACTED, value))
    return value


def redact(data: Any, extra_secrets: Iterable[str | None] = ()) -> Any:
    """``data`` as plain JSON with every sensitive value removed, wherever it sits."""
    secrets = {secret for secret in extra_secrets if secret}
    keyed = _by_key(_plain(data), secrets)
    # Longest first, so a URL goes before the host name inside it.
    ordered = sorted((s for s in secrets if len(s) >= _SHORTEST_SECRET), key=len, reverse=True)
    return _scrub(keyed, ordered)


async def _miner_log(miner: Miner) -> dict[str, Any]:
    """The miner's recent log, or why there is none (never an exception: a download
    must work most when the miner misbehaves)."""
    try:
        return (await miner.read_log()).as_dict()
    except MinerUnsupportedError as err:
        return {"error": str(err)}
    except MinerError as err:
        return {"error": f"log not read: {err}"}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: AsicMinerConfigEntry
) -> dict[str, Any]:
    if is_farm_entry(entry):
        return farm_diagnostics(entry)
    coordinator = entry.runtime_data
    snapshot = coordinator.data
    data = {
        "entry": {"data": dict(entry.data), "unique_id": entry.unique_id, "title": entry.title},
        "controls": sorted(c.value for c in coordinator.miner.controls),
        "last_update_success": coordinator.last_update_success,
        "write_problem": coordinator.write_problem,
        "snapshot": None if snapshot is None else snapshot.as_dict(),
        "log": await _miner_log(coordinator.miner),
    }
    result: dict[str, Any] = redact(
        data, (entry.title, entry.unique_id, entry.data.get(CONF_HOST), coordinator.miner.host)
    )
    return result
