"""The farm device: every configured miner seen as one, for totals and farm-wide controls.

It is a config entry of its own (unique id ``farm``), created by the integration once a
second miner is set up. It never talks to a miner to read: every interval it gathers
what the miners' own coordinators last read. A miner that does not answer is left out
of the totals and named in their ``missing`` attribute, so one miner going offline
never drops a total to zero, and a total is unknown only when no miner reports it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, cast

from homeassistant.config_entries import ConfigEntry, ConfigEntryState
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator

from .const import CONF_FARM, DOMAIN, FARM_UNIQUE_ID, LOGGER, SCAN_INTERVAL
from .coordinator import AsicMinerDataUpdateCoordinator
from .driver import Algorithm, Control, MinerSnapshot, PowerLimitRange

FARM_TITLE: Final = "ASIC farm"
SOURCE_FARM: Final = "farm"
# A farm of one miner is that miner: the farm device appears with the second one.
FARM_MIN_MINERS: Final = 2

type FarmConfigEntry = ConfigEntry[FarmCoordinator]


def is_farm_entry(entry: ConfigEntry) -> bool:
    return bool(entry.data.get(CONF_FARM)) or entry.unique_id == FARM_UNIQUE_ID


def farm_device_info() -> DeviceInfo:
    return DeviceInfo(
        identifiers={(DOMAIN, FARM_UNIQUE_ID)},
        entry_type=DeviceEntryType.SERVICE,
        translation_key="farm",
        manufacturer="ASIC Miner integration",
        model="Farm",
    )


@callback
def async_ensure_farm(hass: HomeAssistant) -> None:
    """Start the flow that creates the farm entry, once there are miners to add up.

    An existing farm entry, even a disabled or ignored one, is left alone: disabling it
    is how an owner says no. A deleted one is offered again at the next start.

    Every miner's setup calls this. A miner joining a loaded farm asks for a refresh,
    which the coordinator's debouncer runs at once and then at most once per cooldown:
    200 miners added together gather the farm a few times, not 200 times (each gather
    reads every entry and recomputes every total).
    """
    entries = hass.config_entries.async_entries(DOMAIN, include_ignore=True)
    for entry in entries:
        if entry.unique_id == FARM_UNIQUE_ID:
            if entry.state is ConfigEntryState.LOADED:  # a miner joined: count it soon
                farm: FarmCoordinator = entry.runtime_data
                hass.async_create_task(farm.async_request_refresh(), eager_start=True)
            return
    if sum(1 for e in entries if not is_farm_entry(e)) < FARM_MIN_MINERS:
        return
    if hass.config_entries.flow.async_progress_by_handler(
        DOMAIN, match_context={"source": SOURCE_FARM}
    ):
        return
    hass.async_create_task(
        hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_FARM}),
        f"{DOMAIN} farm entry",
    )


def is_mining(snapshot: MinerSnapshot) -> bool:
    """The firmware's state, else a hashrate above zero."""
    if snapshot.mining is not None:
        return snapshot.mining
    return bool(snapshot.hashrate)


@dataclass(frozen=True, slots=True)
class FarmMiner:
    """One miner as the farm sees it at one moment."""

    unique_id: str
    name: str
    coordinator: AsicMinerDataUpdateCoordinator | None  # None while not set up
    snapshot: MinerSnapshot | None  # None while it does not answer

    @property
    def online(self) -> bool:
        return self.snapshot is not None

    @property
    def algorithm(self) -> Algorithm:
        """What it hashes, known from its stored identity even while it is offline."""
        if self.snapshot is not None:
            return self.snapshot.identity.algorithm
        if self.coordinator is not None:
            return self.coordinator.miner.identity.algorithm
        return Algorithm.SHA256

    def controllable(self, control: Control) -> bool:
        """Online, offers the control, and its write path is not refused."""
        return (
            self.snapshot is not None
            and self.coordinator is not None
            and control in self.snapshot.controls
            and self.coordinator.write_problem is None
        )


@dataclass(frozen=True, slots=True)
class FarmTotal:
    """A sum over the miners that reported the value; ``missing`` names the others.

    ``other_algorithms`` names the miners left out of a hashrate figure because they
    hash something else than SHA-256: TH/s of Scrypt and of SHA-256 do not add up.
    """

    value: float | None
    missing: tuple[str, ...]
    other_algorithms: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FarmSnapshot:
    """The farm at one gather; each figure is worked out once per gather.

    Every farm entity reads several figures of the same 200 miners (value, attributes,
    availability, bounds), and Home Assistant asks each property more than once.
    """

    miners: tuple[FarmMiner, ...]
    _memo: dict[Hashable, Any] = field(default_factory=dict, compare=False, repr=False)

    def memo[T](self, key: Hashable, compute: Callable[[], T]) -> T:
        """``compute()``, once per gather."""
        try:
            return cast("T", self._memo[key])
        except KeyError:
            value = self._memo[key] = compute()
            return value

    @property
    def online(self) -> tuple[FarmMiner, ...]:
        return self.memo("online", lambda: tuple(m for m in self.miners if m.online))

    def _sha256(self) -> tuple[tuple[FarmMiner, ...], tuple[str, ...]]:
        """The SHA-256 miners (or not read yet), and the names of the others."""
        return self.memo("sha256", self._split_sha256)

    def _split_sha256(self) -> tuple[tuple[FarmMiner, ...], tuple[str, ...]]:
        mine = tuple(m for m in self.miners if m.algorithm is Algorithm.SHA256)
        return mine, tuple(m.name for m in self.miners if m.algorithm is not Algorithm.SHA256)

    def total(self, field: str) -> FarmTotal:
        return self.memo(("total", field), lambda: self._total(field))

    def _total(self, field: str) -> FarmTotal:
        values: list[float] = []
        missing: list[str] = []
        miners, others = self._sha256() if field == "hashrate" else (self.miners, ())
        for miner in miners:
            value = None if miner.snapshot is None else getattr(miner.snapshot, field)
            if value is None:
                missing.append(miner.name)
            else:
                values.append(float(value))
        return FarmTotal(round(sum(values), 3) if values else None, tuple(missing), others)

    @property
    def efficiency(self) -> FarmTotal:
        """J/TH of the SHA-256 miners hashing: their total power over their hashrate."""
        return self.memo("efficiency", self._efficiency)

    def _efficiency(self) -> FarmTotal:
        power = hashrate = 0.0
        missing: list[str] = []
        miners, others = self._sha256()
        for miner in miners:
            s = miner.snapshot
            if s is None or s.power is None or not s.hashrate:
                missing.append(miner.name)
                continue
            power += s.power
            hashrate += s.hashrate
        value = round(power / hashrate, 2) if hashrate else None
        return FarmTotal(value, tuple(missing), others)

    @property
    def mining(self) -> tuple[FarmMiner, ...]:
        return self.memo(
            "mining",
            lambda: tuple(
                m for m in self.online if m.snapshot is not None and is_mining(m.snapshot)
            ),
        )


_SET_UP: Final = (ConfigEntryState.LOADED, ConfigEntryState.SETUP_IN_PROGRESS)


class FarmCoordinator(DataUpdateCoordinator[FarmSnapshot]):
    """Gathers the miners' last readings every interval; no network of its own."""

    config_entry: FarmConfigEntry

    def __init__(self, hass: HomeAssistant, entry: FarmConfigEntry) -> None:
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} farm",
            update_interval=SCAN_INTERVAL,
        )

    def gather(self) -> FarmSnapshot:
        miners: list[FarmMiner] = []
        devices = dr.async_get(self.hass)
        for entry in self.hass.config_entries.async_entries(DOMAIN):
            if is_farm_entry(entry) or entry.disabled_by is not None:
                continue
            coordinator: AsicMinerDataUpdateCoordinator | None = None
            snapshot: MinerSnapshot | None = None
            # A miner still being set up already polled once; count it from then on.
            if entry.state in _SET_UP and hasattr(entry, "runtime_data"):
                coordinator = entry.runtime_data
                if coordinator.last_update_success:
                    snapshot = coordinator.data
            # The name people see: the device's, as renamed, else the entry's title.
            device = devices.async_get_device_by_identifier(
                (DOMAIN, str(entry.unique_id)), entry.entry_id
            )
            name = (device.name_by_user or device.name) if device else None
            miners.append(
                FarmMiner(str(entry.unique_id), name or entry.title, coordinator, snapshot)
            )
        return FarmSnapshot(tuple(miners))

    async def _async_update_data(self) -> FarmSnapshot:
        return self.gather()


def _fit(range_: PowerLimitRange, target: float) -> int:
    """The highest value this miner accepts at or below ``target``, within its bounds."""
    if range_.levels:
        below = [level for level in range_.levels if level <= target]
        return max(below) if below else min(range_.levels)
    step = max(range_.step, 1)
    steps = math.floor((min(target, range_.maximum) - range_.minimum) / step + 1e-9)
    return max(range_.minimum, range_.minimum + steps * step)


def farm_power_bounds(ranges: Iterable[PowerLimitRange]) -> tuple[int, int]:
    """The lowest and highest budget the farm can spread: sums of the miners' bounds."""
    ranges = list(ranges)
    return sum(r.minimum for r in ranges), sum(r.maximum for r in ranges)


def spread_power_budget(budget: float, ranges: Mapping[str, PowerLimitRange]) -> dict[str, int]:
    """Share a farm power budget among miners, in proportion to their power ranges.

    Every miner is placed at the same fraction of its own range: with a budget of
    ``sum(min) + f * (sum(max) - sum(min))`` each miner gets ``min + f * (max - min)``,
    then rounded down to a value it accepts (its step, or the highest of its preset
    levels at or below it), so the sum never exceeds the budget where the miners'
    steps allow. A budget below the sum of the minimums puts every miner at its
    minimum; one above the sum of the maximums, at its maximum.
    """
    low, high = farm_power_bounds(ranges.values())
    fraction = 1.0 if high <= low else min(1.0, max(0.0, (budget - low) / (high - low)))
    return {
        key: _fit(r, r.minimum + fraction * (r.maximum - r.minimum)) for key, r in ranges.items()
    }


FARM_PLATFORMS: Final = ("number", "sensor", "switch")


async def async_setup_farm_entry(hass: HomeAssistant, entry: ConfigEntry) -> bool:
    coordinator = FarmCoordinator(hass, entry)
    await coordinator.async_refresh()
    entry.runtime_data = coordinator
    await hass.config_entries.async_forward_entry_setups(entry, FARM_PLATFORMS)
    return True


async def async_unload_farm_entry(hass: HomeAssistant, entry: ConfigEntry) -> bool:
    return await hass.config_entries.async_unload_platforms(entry, FARM_PLATFORMS)


def farm_diagnostics(entry: ConfigEntry) -> dict[str, Any]:
    """Counts only: the miners' own diagnostics hold their details, redacted."""
    snapshot: FarmSnapshot = entry.runtime_data.data
    return {
        "farm": True,
        "miners": len(snapshot.miners),
        "online": len(snapshot.online),
        "mining": len(snapshot.mining),
    }
