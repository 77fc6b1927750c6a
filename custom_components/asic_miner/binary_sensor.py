"""Binary sensors: is it mining, does it need attention, is it on a pool."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from homeassistant.components.binary_sensor import (
    BinarySensorDeviceClass,
    BinarySensorEntity,
    BinarySensorEntityDescription,
)

from .driver import MinerSnapshot
from .entity import each_description, setup_when_reported
from .on_off import OnOffDescription, OnOffEntity
from .pool_actions import PoolActions

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class AsicMinerBinarySensorEntityDescription(OnOffDescription, BinarySensorEntityDescription):
    attributes_fn: Callable[[MinerSnapshot], dict[str, Any]] | None = None


def _problems(snapshot: MinerSnapshot) -> list[str]:
    """What a miner owner would want to hear about: faults, dead boards, no pool.

    A miner paused on purpose (mining off, sleep, curtail, soft-off) is not a problem:
    its idle boards and unused pools are what the owner asked for.
    """
    problems = [e.message for e in snapshot.errors or ()]
    if snapshot.mining is not False:
        problems += [
            f"board {b.index + 1} not hashing" for b in snapshot.boards if b.active is False
        ]
    if snapshot.mining and _pool_connected(snapshot) is False:
        problems.append("no pool reachable")
    return problems


def _pool_connected(snapshot: MinerSnapshot) -> bool | None:
    """On while the miner mines on a pool or reaches one; unknown where it says neither.

    Off only where the firmware said so: every pool dead (or none in use) by its own
    words, not because a firmware leaves the status out (AxeOS sends none).
    """
    if not snapshot.pools:
        return None
    said = [v for p in snapshot.pools for v in (p.active, p.alive) if v is not None]
    if not said:
        return None
    return any(said)


def _problem(snapshot: MinerSnapshot) -> bool | None:
    """On for any problem; unknown, not off, while the firmware's errors are unknown.

    Errors that could not be read may hide a fault, so "no problem" would be a guess;
    a problem seen elsewhere (a board not hashing, no pool) still turns it on.
    """
    if _problems(snapshot):
        return True
    return None if snapshot.errors is None else False


def _mining(snapshot: MinerSnapshot) -> bool | None:
    """The firmware's state, else a hashrate; unknown when the miner says neither."""
    if snapshot.mining is not None:
        return snapshot.mining
    if snapshot.hashrate is None:
        return None
    return snapshot.hashrate > 0


BINARY_SENSORS: tuple[AsicMinerBinarySensorEntityDescription, ...] = (
    AsicMinerBinarySensorEntityDescription(
        key="mining",
        device_class=BinarySensorDeviceClass.RUNNING,
        is_on_fn=_mining,
    ),
    # Also the target of the pool actions (services.py): enabled and one per miner,
    # without an entity category (an action aimed at a device or area skips those).
    AsicMinerBinarySensorEntityDescription(
        key="problem",
        device_class=BinarySensorDeviceClass.PROBLEM,
        is_on_fn=_problem,
        attributes_fn=lambda s: {"problems": _problems(s)},
    ),
    # Problem already says "no pool reachable": one click away, within the footprint.
    AsicMinerBinarySensorEntityDescription(
        key="pool_connected",
        device_class=BinarySensorDeviceClass.CONNECTIVITY,
        entity_registry_enabled_default=False,
        is_on_fn=_pool_connected,
    ),
)


class AsicMinerBinarySensor(PoolActions, OnOffEntity, BinarySensorEntity):
    entity_description: AsicMinerBinarySensorEntityDescription

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        if self.entity_description.attributes_fn is None:
            return None
        return self.entity_description.attributes_fn(self.coordinator.data)


async_setup_entry = setup_when_reported(each_description(AsicMinerBinarySensor, BINARY_SENSORS))
