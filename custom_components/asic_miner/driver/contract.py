"""The contract every firmware family fulfils.

A family says how to recognise its firmware (``recognised_by``), how to name the
exact model and release (``identify``), and which backend talks to that release. A
backend is two tables: ``DATA_MAP`` (which request feeds which snapshot field, and how
to extract it) and ``CONTROLS`` (which controls it implements). ``collect.py`` turns the
data map into as few round trips as the firmware allows; nothing in a backend decides
how requests are batched.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol, TypedDict, Unpack, runtime_checkable

from . import fields, recognition, sources
from .context import MinerContext
from .exceptions import MinerUnsupportedError
from .hardware import lookup
from .limits import FAMILY_MAX_REPLY_BYTES
from .logs import NOT_OFFERED, MinerLog
from .models import (
    Algorithm,
    Control,
    Credentials,
    FanMode,
    MinerIdentity,
    PoolConfig,
    PowerLimitRange,
)
from .slow import SlowReplies

Field = fields.Field  # the snapshot fields (``fields.py``); families import them from here
# The sources a data map names and the poll's replies (``sources.py``), the same way.
Rpc = sources.Rpc
Web = sources.Web
Call = sources.Call
type Source = sources.Source
Replies = sources.Replies
Location = sources.Location
first_of = sources.first_of
read_from = sources.read_from
Probe = recognition.Probe  # how a family is recognised (``recognition.py``), the same way
Recognition = recognition.Recognition
Fingerprint = recognition.Fingerprint
type ProbeResults = recognition.ProbeResults


class Backend:
    """Talks to one firmware release. Subclasses fill the two tables and the controls."""

    name: ClassVar[str]
    DATA_MAP: ClassVar[Mapping[Field, Location]]
    CONTROLS: ClassVar[frozenset[Control]] = frozenset()
    # Controls after which the firmware restarts the miner by itself (documented
    # behaviour, not a fault): callers expect it to go silent for a while.
    RESTARTS_AFTER: ClassVar[frozenset[Control]] = frozenset({Control.REBOOT})
    # True where the reported power-limit range is the firmware's own list (profiles,
    # presets): then no table range stands in while it is unknown, as other values fail.
    BOUNDS_FROM_FIRMWARE: ClassVar[bool] = False
    # Whether the firmware answers `a+b+c` multicommands on one connection.
    RPC_MULTICOMMAND: ClassVar[bool] = True
    # Whether an RPC reply is used only once it is provably whole (every bracket it
    # opened closed). For firmware that ends a reply cut short as cleanly as a whole
    # one (LUXminer, Canaan's cgminer): the parser's repairs would otherwise turn a cut
    # reply into a shorter, valid-looking one, a miner with fewer boards or pools.
    RPC_WHOLE_REPLIES: ClassVar[bool] = False
    # Whether the RPC takes one command at a time (Canaan's API is single-threaded):
    # single commands then go one after the other inside the read's deadline, and once
    # one finds the miner unreachable the rest of the poll fail at once.
    RPC_ONE_AT_A_TIME: ClassVar[bool] = False
    # Extra top-level keys every RPC read carries (Antminer's "new_api").
    RPC_EXTRA: ClassVar[Mapping[str, Any]] = {}
    # How many user pools the firmware keeps (AxeOS: a pool and its fallback), and
    # the URL schemes it takes (``pools.SCHEMES`` where ``None``).
    MAX_POOLS: ClassVar[int] = 3
    POOL_SCHEMES: ClassVar[tuple[str, ...] | None] = None
    # Sources that change only when someone changes the miner and cost real work to
    # read: how many polls one read serves (see ``slow.py``; the reply is kept between).
    SLOW_SOURCES: ClassVar[Mapping[Source, int]] = {}

    def __init__(self, ctx: MinerContext, identity: MinerIdentity) -> None:
        self.ctx = ctx
        self.identity = identity
        # The controls this model can have at most; a poll may narrow them (Field.CONTROLS).
        self.controls = self.controls_for(identity)
        # Cleared after the firmware refuses one multicommand, so later polls don't retry.
        self.multicommand_ok = self.RPC_MULTICOMMAND
        # The kept replies of the slow sources, forgotten after a control or a failed poll.
        self.slow = SlowReplies(self.SLOW_SOURCES)

    @classmethod
    def controls_for(cls, identity: MinerIdentity) -> frozenset[Control]:
        """The controls of ``identity`` as far as its identity tells (its API version)."""
        return cls.CONTROLS

    @classmethod
    def power_range_for(cls, identity: MinerIdentity) -> PowerLimitRange | None:
        """The family's own table range for the model, before the shared tables."""
        return None

    @classmethod
    def accepts(cls, version: tuple[int, ...] | None) -> bool:
        """Whether this backend talks to the release ``version`` (``None``: not known).

        A family with several API generations picks the first backend that accepts the
        release it identified; one with a single generation takes every release.
        """
        return True

    async def check_credentials(self) -> None:
        """Prove the stored login opens the privileged API.

        A no-op for firmware whose controls need no login; backends that log in
        override it to log in afresh, so a wrong password is said at once.
        """

    # -- reading -------------------------------------------------------------------

    async def fetch_call(self, call: Call) -> Any:
        """Fetch a backend-specific source; backends that declare ``Call`` sources override."""
        raise NotImplementedError(call.name)

    async def fetch_web(self, path: str) -> Any:
        """Fetch a ``Web`` source; backends with auth override this."""
        return await self.ctx.web().get_json(path)

    async def read_log(self) -> MinerLog:
        """The firmware's own recent log, for diagnostics only (never in a poll).

        Families whose API offers one override it (``logs.py`` bounds what is read).
        """
        raise MinerUnsupportedError(NOT_OFFERED)

    # -- controls ------------------------------------------------------------------

    def _unsupported(self, control: Control) -> MinerUnsupportedError:
        return MinerUnsupportedError(
            f"{self.identity.model} on {self.identity.firmware} cannot {control.value.replace('_', ' ')}"
        )

    async def set_mining(self, on: bool) -> None:
        raise self._unsupported(Control.MINING)

    async def set_fault_light(self, on: bool) -> None:
        raise self._unsupported(Control.FAULT_LIGHT)

    async def set_power_limit(self, watts: int) -> None:
        raise self._unsupported(Control.POWER_LIMIT)

    async def set_work_mode(self, mode: str) -> None:
        raise self._unsupported(Control.WORK_MODE)

    async def set_hashrate_target(self, ths: float) -> None:
        raise self._unsupported(Control.HASHRATE_TARGET)

    async def set_throttle(self, percent: int) -> None:
        raise self._unsupported(Control.THROTTLE)

    async def reboot(self) -> None:
        raise self._unsupported(Control.REBOOT)

    # Fan controls: each reads back what it wrote; none touches pools or other settings.
    async def set_fan_mode(self, mode: FanMode) -> None:
        raise self._unsupported(Control.FAN_MODE)

    async def set_fan_speed(self, percent: int) -> None:
        raise self._unsupported(Control.FAN_SPEED)

    async def set_temperature_target(self, celsius: float) -> None:
        raise self._unsupported(Control.TEMPERATURE_TARGET)

    async def restart_backend(self) -> None:
        raise self._unsupported(Control.RESTART_BACKEND)

    # -- pools (``pools.py`` checks, reads back and restores around these) -------------

    async def read_pool_configs(self) -> list[PoolConfig]:
        """The configured pools, to compare and to restore: URL and user as a poll reads
        them; the password empty, as not read (backends whose firmware sends it back
        override). A backend writing an empty password keeps the one the miner has
        where the firmware can, else writes ``x``, which pools take as "none"."""
        from .pools import read_pools  # pools.py builds on this module

        return [PoolConfig(pool.url, pool.user or "", "") for pool in await read_pools(self)]

    async def write_pools(self, pools: Sequence[PoolConfig]) -> None:
        """Make ``pools`` the configured list, in order; the rest is ``pools.py``'s."""
        raise self._unsupported(Control.POOLS)

    async def read_back_pools(self) -> list[PoolConfig]:
        """The pools as kept after ``write_pools``: read anew, unless the firmware saves
        them for its next boot and confirms them in its reply (Avalon's ``setpool``)."""
        return await self.read_pool_configs()

    async def apply_pools(self) -> None:
        """After the pools written were read back: a restart, where the firmware needs one."""

    async def switch_pool(self, index: int) -> None:
        raise self._unsupported(Control.SWITCH_POOL)


class IdentityDetails(TypedDict, total=False):
    """The identity fields a family reads from its replies (each may be unknown)."""

    firmware_version: str | None
    api_version: str | None
    mac: str | None
    serial: str | None
    hostname: str | None
    control_board: str | None
    algorithm: Algorithm  # only where the replies say; else the hardware table's


type IdentifyFn = Callable[[MinerContext, ProbeResults], Awaitable[MinerIdentity]]


@runtime_checkable
class Declared(Protocol):
    """An identification declared as data (``families._identity.Naming``)."""

    def bind(self, family: Family) -> IdentifyFn: ...


@dataclass(frozen=True, slots=True)
class Family:
    """A firmware family: how to recognise it and which backend serves which release.

    ``key`` is the family's package (``families/<key>/``, where its backends live) unless
    said; ``stock``: the maker's own firmware. ``default_credentials``: the login the
    config flow suggests, where the family logs in. ``max_reply_bytes`` bounds one reply
    (RPC reply, HTTP body), see ``limits``.
    """

    name: str
    recognised_by: Recognition
    identify: IdentifyFn  # a function, or a ``Declared`` naming the family binds
    backends: tuple[type[Backend], ...]
    stock: bool = True
    default_credentials: Credentials = field(default_factory=Credentials)
    key: str = ""
    max_reply_bytes: int = FAMILY_MAX_REPLY_BYTES

    def __post_init__(self) -> None:
        if not self.key:
            object.__setattr__(self, "key", _package_of(self.backends))
        declared: object = self.identify  # bound once: a naming needs its family
        if isinstance(declared, Declared):
            object.__setattr__(self, "identify", declared.bind(self))

    @property
    def probes(self) -> tuple[Probe, ...]:
        return self.recognised_by.probes

    def matches(self, results: ProbeResults) -> bool:
        return self.recognised_by.matches(results)

    def identity(
        self, make: str, model: str, firmware: str, backend: str, **details: Unpack[IdentityDetails]
    ) -> MinerIdentity:
        """The identity a family's ``identify`` returns.

        Whether the model is supported is decided here, once for every family, from the
        hardware table: a family only says what its replies name.
        """
        hardware = lookup(make, model)
        if "algorithm" not in details and hardware is not None:
            details["algorithm"] = hardware.algorithm
        return MinerIdentity(
            make=make,
            model=model,
            family=self.key,
            firmware=firmware,
            backend=backend,
            supported=hardware is not None,
            **details,
        )

    def backend(self, name: str) -> type[Backend]:
        for backend in self.backends:
            if backend.name == name:
                return backend
        raise MinerUnsupportedError(f"{self.name} has no backend {name!r}")


def _package_of(backends: tuple[type[Backend], ...]) -> str:
    """``families/<key>/…``: the package the family's backends live in."""
    packages = {b.__module__.partition(".families.")[2].partition(".")[0] for b in backends}
    if len(packages) != 1 or "" in packages:
        raise TypeError(f"no family package in {sorted(packages)}: say the key")
    return packages.pop()
