"""The platforms' builders run only when a poll reports other things than the last."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import replace
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.asic_miner import entity
from custom_components.asic_miner.driver import (
    Board,
    Control,
    Cooling,
    Fan,
    MinerIdentity,
    MinerSnapshot,
    Pool,
)
from custom_components.asic_miner.reported_shape import reported_shape
from simulator.miner import SimMiner
from tests.components.asic_miner.conftest import async_poll


@pytest.fixture
def built() -> Iterator[Counter[str]]:
    """Counts every platform ``build`` run, by the platform's builder."""
    counts: Counter[str] = Counter()
    original = entity.async_add_when_reported

    def counting(entry: Any, add: Any, build: entity.Build) -> None:
        name = f"{build.__module__}.{build.__qualname__}#{len(counts)}"
        counts[name] = 0

        def counted(snapshot: MinerSnapshot) -> Iterable[entity.Reported]:
            counts[name] += 1
            return build(snapshot)

        original(entry, add, counted)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(entity, "async_add_when_reported", counting)
        yield counts


async def test_unchanged_polls_build_nothing(
    hass: HomeAssistant,
    simulated_miner: SimMiner,
    built: Counter[str],
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Readings move every poll; what the miner reports does not: no platform builds."""
    at_setup = built.copy()
    assert len(at_setup) >= 6  # sensor, binary sensor, button, number, select, switch...
    assert set(at_setup.values()) == {1}
    for _ in range(3):
        await async_poll(hass, freezer)
    assert built == at_setup
    # A board that stops reporting changes the shape: every platform looks once.
    state = simulated_miner.state
    state.spec = replace(state.spec, boards=state.spec.boards - 1)
    await async_poll(hass, freezer)
    assert built == Counter(dict.fromkeys(at_setup, 2))


IDENTITY = MinerIdentity(
    make="Bitmain", model="S19", family="antminer", firmware="Stock", backend="stock"
)
SNAPSHOT = MinerSnapshot(
    identity=IDENTITY,
    hashrate=100.0,
    power=3000.0,
    boards=(Board(index=0, hashrate=33.0, chip_temperature=70.0), Board(index=1, hashrate=33.0)),
    fans=(Fan(index=0, rpm=4000), Fan(index=0, rpm=3000, psu=True)),
    pools=(Pool(index=0, url="stratum+tcp://pool.example:3333", active=True, accepted=5),),
    cooling=Cooling(speed=50, speed_range=(10, 100)),
    controls=frozenset({Control.POWER_LIMIT}),
    work_modes=("low", "normal"),
)


def test_readings_keep_the_shape() -> None:
    later = replace(
        SNAPSHOT,
        hashrate=101.5,
        power=3010.0,
        boards=(replace(SNAPSHOT.boards[0], hashrate=34.0), SNAPSHOT.boards[1]),
        fans=(replace(SNAPSHOT.fans[0], rpm=4100), SNAPSHOT.fans[1]),
        pools=(replace(SNAPSHOT.pools[0], accepted=9),),
        cooling=replace(SNAPSHOT.cooling, speed=60),  # type: ignore[arg-type]
    )
    assert reported_shape(later) == reported_shape(SNAPSHOT)


@pytest.mark.parametrize(
    "changes",
    [
        {"power": None},
        {"boards": SNAPSHOT.boards[:1]},
        {"boards": (SNAPSHOT.boards[0], replace(SNAPSHOT.boards[1], chip_temperature=60.0))},
        {"fans": (Fan(index=0, rpm=4000), Fan(index=0, rpm=3000))},
        {"fans": (Fan(index=0, rpm=4000, percent=50), SNAPSHOT.fans[1])},
        {"pools": ()},
        {"cooling": None},
        {"cooling": Cooling(speed=50)},
        {"controls": frozenset()},
        {"work_modes": ("low",)},
        {"identity": replace(IDENTITY, model="S21")},
        {"errors": ()},
        {"hashrate_target_range": (1.0, 2.0)},
    ],
)
def test_what_is_reported_changes_the_shape(changes: dict[str, Any]) -> None:
    assert reported_shape(replace(SNAPSHOT, **changes)) != reported_shape(SNAPSHOT)
