"""Pool writes, the same for every family: check, write, read back, restore.

A miner whose pools are wrong mines for nobody, so a pool change is the one control
that must never half-happen. Every family's write runs through ``replace_pools``:
the URLs are checked before anything is sent, what the miner has is read first, the
new list is written and read back, and when the write or the read-back fails the list
read first is written again before the driver's own error leaves. Passwords travel
only in ``PoolConfig`` (whose ``repr`` leaves them out) and never in an error text.

Firmware that does not send its pool passwords back restores a pool without one: AxeOS
keeps the password it has, the others are sent ``x``, which pools take as "none".
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from .collect import fetch_sources
from .contract import Field, Replies
from .exceptions import MinerError, MinerResponseError, MinerValueError
from .models import Pool, PoolConfig

if TYPE_CHECKING:
    from .contract import Backend

MAX_POOLS = 3
"""Every firmware here keeps at most three user pools (cgminer's, AxeOS's two less)."""

SCHEMES = ("stratum+tcp", "stratum+ssl", "stratum+tls", "stratum2+tcp", "stratum2+ssl")
_MAX_URL = 255
_MAX_FIELD = 128
# host (a name or an IPv4 address, or an IPv6 one in brackets) and a port; Stratum V2
# URLs may name the pool's public key as a path.
_URL = re.compile(
    r"(?P<scheme>[a-z0-9+]+)://(?P<host>\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)"
    r":(?P<port>[0-9]{1,5})(?P<path>/[A-Za-z0-9]+)?"
)
# Characters no firmware takes inside a field: its own separators (LuxOS and cgminer
# split parameters at commas) and anything that ends a line.
_FORBIDDEN = re.compile(r"[,\s\"'\\]|[\x00-\x1f\x7f]")


def parse_pool_url(url: str, schemes: Sequence[str] = SCHEMES) -> str:
    """The URL trimmed, or ``MinerValueError`` saying what is wrong with it."""
    text = url.strip()
    if not text or len(text) > _MAX_URL:
        raise MinerValueError("a pool URL must be 1 to 255 characters")
    match = _URL.fullmatch(text)
    if match is None:
        raise MinerValueError(
            f"pool URL {text!r} is not scheme://host:port (e.g. stratum+tcp://pool.example:3333)"
        )
    scheme = match["scheme"].lower()
    if scheme not in schemes:
        raise MinerValueError(f"pool URL {text!r}: the scheme must be one of {', '.join(schemes)}")
    if match["path"] and not scheme.startswith("stratum2"):
        raise MinerValueError(f"pool URL {text!r}: only Stratum V2 URLs carry a key after the port")
    if not 0 < int(match["port"]) < 65536:
        raise MinerValueError(f"pool URL {text!r}: the port must be 1 to 65535")
    return text


def _field(value: str, what: str, *, required: bool) -> str:
    text = value.strip()
    if required and not text:
        raise MinerValueError(f"a pool {what} must not be empty")
    if len(text) > _MAX_FIELD or _FORBIDDEN.search(text):
        # The value itself is not repeated: it may be a password.
        raise MinerValueError(
            f"a pool {what} must be at most {_MAX_FIELD} characters without spaces, commas or quotes"
        )
    return text


def checked_pools(
    pools: Sequence[PoolConfig], most: int = MAX_POOLS, schemes: Sequence[str] | None = None
) -> tuple[PoolConfig, ...]:
    """The pools to write, every field checked; ``MinerValueError`` before anything is sent."""
    if not pools:
        raise MinerValueError(
            "at least one pool is needed: a miner without a pool mines for nobody"
        )
    if len(pools) > most:
        raise MinerValueError(f"this miner keeps at most {most} pools, not {len(pools)}")
    return tuple(
        PoolConfig(
            parse_pool_url(pool.url, schemes or SCHEMES),
            _field(pool.user, "user", required=True),
            _field(pool.password, "password", required=False) or "x",
        )
        for pool in pools
    )


def keep_passwords(pools: Sequence[PoolConfig], now: Sequence[PoolConfig]) -> list[PoolConfig]:
    """A pool without a password gets the one the same pool (URL and user) has now, else
    ``x``: a restore where the firmware sends passwords back puts them back exactly."""
    kept = {(p.url, p.user): p.password for p in now}
    return [
        PoolConfig(p.url, p.user, p.password or kept.get((p.url, p.user)) or "x") for p in pools
    ]


async def read_pools(backend: Backend) -> list[Pool]:
    """The pools as a poll reads them, through the backend's own data map."""
    location = backend.DATA_MAP[Field.POOLS]
    replies = await fetch_sources(backend, set(location.every_source))
    try:
        found = location.extract(Replies(replies))
    except MinerError:
        raise
    except Exception as err:
        raise MinerResponseError(f"{backend.ctx.host}: pools unreadable: {err!r}") from err
    return list(found or ())


def _key(url: str) -> str:
    return url.strip().rstrip("/").lower()


def _matches(wanted: Sequence[PoolConfig], got: Sequence[PoolConfig]) -> bool:
    """Whether the miner kept the pools written, in order (slots after them may stay)."""
    if len(got) < len(wanted):
        return False
    return all(
        _key(w.url) == _key(g.url) and w.user == g.user for w, g in zip(wanted, got, strict=False)
    )


async def replace_pools(backend: Backend, pools: Sequence[PoolConfig]) -> None:
    """Write ``pools`` (checked already) and prove they were kept; restore on failure."""
    before = await backend.read_pool_configs()
    try:
        await backend.write_pools(pools)
        after = await backend.read_back_pools()
        if not _matches(pools, after):
            raise MinerResponseError(
                f"{backend.ctx.host}: the miner did not keep the pools written"
            )
    except MinerError as err:
        if not before:  # nothing was configured: nothing to put back
            raise
        try:
            await backend.write_pools(before)
        except MinerError as restore_err:
            raise MinerResponseError(
                f"{err}; restoring the previous pools failed too: {restore_err}"
            ) from err
        raise MinerResponseError(f"{err}; the previous pools are restored") from err
    await backend.apply_pools()


async def switch_to(backend: Backend, index: int) -> None:
    """Make configured pool ``index`` the one mined on; read back and switch back on failure."""
    pools = await read_pools(backend)
    if index not in {pool.index for pool in pools}:
        numbers = ", ".join(str(pool.index) for pool in pools) or "none"
        raise MinerValueError(f"there is no pool {index} (configured: {numbers})")
    previous = next((pool.index for pool in pools if pool.active), None)
    try:
        await backend.switch_pool(index)
        chosen = next((pool for pool in await read_pools(backend) if pool.index == index), None)
        if chosen is None or not (chosen.active or chosen.priority == 0):
            raise MinerResponseError(f"{backend.ctx.host}: pool {index} did not become the first")
    except MinerError:
        if previous is not None and previous != index:
            with contextlib.suppress(MinerError):
                await backend.switch_pool(previous)
        raise
