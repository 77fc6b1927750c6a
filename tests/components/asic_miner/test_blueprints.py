"""The shipped blueprints, loaded into a real Home Assistant, driving simulated miners."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.automation import DOMAIN as AUTOMATION_DOMAIN
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.asic_miner.const import CONF_IDENTITY, DOMAIN
from simulator.miner import SimMiner
from tests.components.asic_miner.conftest import SIM_CLOCK, SIMULATED, entry_data_for
from tests.simhelpers import SimRunner

BLUEPRINTS = Path(__file__).parents[3] / "blueprints" / "automation" / "asic_miner"
PRICE = "sensor.electricity_price"
EXPORT = "sensor.grid_export"


async def _add_miners(
    hass: HomeAssistant, sim_runner: SimRunner, ids: list[str]
) -> dict[str, tuple[SimMiner, str]]:
    """Start simulated miners and set each up as an entry; return (sim, device id) per id."""
    out: dict[str, tuple[SimMiner, str]] = {}
    registry = dr.async_get(hass)
    for index, sim_id in enumerate(ids):
        family, model = SIMULATED[sim_id]
        sim = await sim_runner.start(
            family, model, hostname=f"sim-{sim_id}", mac=f"02:AA:BB:CC:01:{index:02X}",
            clock=SIM_CLOCK, boot_time=SIM_CLOCK - 3600,
        )  # fmt: skip
        data = await entry_data_for(sim)
        identity = data[CONF_IDENTITY]
        assert isinstance(identity, dict)
        entry = MockConfigEntry(domain=DOMAIN, unique_id=f"bp{index}", data=data, title=sim_id)
        entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        [device] = dr.async_entries_for_config_entry(registry, entry.entry_id)
        out[sim_id] = (sim, device.id)
    return out


async def _use_blueprint(
    hass: HomeAssistant, tmp_path: Path, name: str, inputs: dict[str, object]
) -> None:
    target = tmp_path / "blueprints" / "automation" / "asic_miner"
    target.mkdir(parents=True)
    shutil.copy(BLUEPRINTS / name, target / name)
    hass.config.config_dir = str(tmp_path)
    assert await async_setup_component(hass, "trace", {})
    assert await async_setup_component(
        hass,
        AUTOMATION_DOMAIN,
        {
            AUTOMATION_DOMAIN: {
                "alias": name,
                "id": "blueprint_test",
                "use_blueprint": {"path": f"asic_miner/{name}", "input": inputs},
            }
        },
    )
    await hass.async_block_till_done()


async def _settle(hass: HomeAssistant) -> None:
    await hass.async_block_till_done(wait_background_tasks=True)


async def _wait(hass: HomeAssistant, freezer: FrozenDateTimeFactory, minutes: float) -> None:
    freezer.tick(timedelta(minutes=minutes))
    async_fire_time_changed(hass, dt_util.utcnow())
    await _settle(hass)


@pytest.fixture(autouse=True)
def frozen(freezer: FrozenDateTimeFactory) -> None:
    freezer.move_to(datetime.fromtimestamp(SIM_CLOCK, UTC))


async def test_price_throttle(
    hass: HomeAssistant, sim_runner: SimRunner, tmp_path: Path, freezer: FrozenDateTimeFactory
) -> None:
    hass.states.async_set(PRICE, "0.20")
    miners = await _add_miners(hass, sim_runner, ["braiins-s19", "antminer-s19pro"])
    braiins, braiins_device = miners["braiins-s19"]
    antminer, antminer_device = miners["antminer-s19pro"]
    await _use_blueprint(
        hass,
        tmp_path,
        "price_throttle.yaml",
        {
            "price_sensor": PRICE,
            "miners": [braiins_device, antminer_device],
            "low_price": 0.10,
            "high_price": 0.30,
            "min_on_off_minutes": 15,
            "power_step": 50,
        },
    )
    limit = hass.states.get("number.sim_braiins_s19_power_limit")
    top, bottom = limit.attributes["max"], limit.attributes["min"]

    # Cheap: full power, highest work mode.
    hass.states.async_set(PRICE, "0.05")
    await _settle(hass)
    assert braiins.state.power_limit == top
    assert antminer.state.work_mode == "high"

    # Half way between the thresholds: half way down the range, the middle mode.
    hass.states.async_set(PRICE, "0.20")
    await _settle(hass)
    assert braiins.state.power_limit == pytest.approx((top + bottom) / 2, abs=50)
    assert antminer.state.work_mode == "normal"

    # Expensive, but the miners only just started: they keep running (anti-cycling).
    hass.states.async_set(PRICE, "0.40")
    await _settle(hass)
    assert braiins.state.mining
    # After the minimum on time, the next evaluation pauses them.
    await _wait(hass, freezer, 16)
    assert not braiins.state.mining
    assert not antminer.state.mining

    # Cheap again at once: they stay paused until the minimum off time has passed.
    hass.states.async_set(PRICE, "0.05")
    await _settle(hass)
    assert not braiins.state.mining
    await _wait(hass, freezer, 16)
    assert braiins.state.mining
    assert antminer.state.mining
    assert braiins.state.power_limit == top
    assert antminer.state.work_mode == "high"


async def test_price_throttle_ignores_unknown_price(
    hass: HomeAssistant, sim_runner: SimRunner, tmp_path: Path
) -> None:
    miners = await _add_miners(hass, sim_runner, ["braiins-s19"])
    braiins, device = miners["braiins-s19"]
    before = braiins.state.power_limit
    await _use_blueprint(
        hass,
        tmp_path,
        "price_throttle.yaml",
        {"price_sensor": PRICE, "miners": [device], "low_price": 0.1, "high_price": 0.3},
    )
    hass.states.async_set(PRICE, "unavailable")
    await _settle(hass)
    assert braiins.state.power_limit == before
    assert braiins.state.mining


async def test_solar_surplus(
    hass: HomeAssistant, sim_runner: SimRunner, tmp_path: Path, freezer: FrozenDateTimeFactory
) -> None:
    watts = {"unit_of_measurement": "W", "device_class": "power"}
    hass.states.async_set(EXPORT, "0", watts)
    miners = await _add_miners(hass, sim_runner, ["braiins-s19", "whatsminer-m60s"])
    braiins, braiins_device = miners["braiins-s19"]
    whatsminer, whatsminer_device = miners["whatsminer-m60s"]
    limit = hass.states.get("number.sim_braiins_s19_power_limit")
    low, high = limit.attributes["min"], limit.attributes["max"]
    start = float(limit.state)
    await _use_blueprint(
        hass,
        tmp_path,
        "solar_surplus.yaml",
        {
            "grid_sensor": EXPORT,
            "miners": [braiins_device, whatsminer_device],
            "reserve": 100,
            "power_step": 100,
            "min_on_off_minutes": 15,
        },
    )

    # 1 kW exported: the first miner takes 900 W of it (1 kW less the reserve).
    hass.states.async_set(EXPORT, "1.0", {**watts, "unit_of_measurement": "kW"})
    await _settle(hass)
    assert braiins.state.power_limit == min(start + 900, high)

    # Importing 20 kW: both miners drop to their lowest limits, but stay on (they only
    # just changed state).
    hass.states.async_set(EXPORT, "-20000", watts)
    await _settle(hass)
    assert braiins.state.power_limit == low
    assert braiins.state.mining
    w_low = hass.states.get("number.sim_whatsminer_m60s_power_limit").attributes["min"]
    assert whatsminer.state.power_limit == w_low

    # Still importing after the minimum on time: they pause.
    await _wait(hass, freezer, 16)
    assert not braiins.state.mining
    assert not whatsminer.state.mining

    # Surplus back, enough for one miner at its lowest limit: the first resumes.
    hass.states.async_set(EXPORT, str(low + 200), watts)
    await _wait(hass, freezer, 16)
    assert braiins.state.mining
    assert braiins.state.power_limit == low
    assert not whatsminer.state.mining
