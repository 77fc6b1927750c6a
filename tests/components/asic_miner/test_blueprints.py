"""The shipped blueprints, loaded into a real Home Assistant, driving simulated miners.

Each replay runs the five kinds of miner together (Braiins OS power target, Whatsminer
API v3 power limit, LuxOS profiles, VNish presets, stock Antminer work modes only) on
the test clock, through the sequence a user's price helper or grid meter produces, and
checks the miners' real states in between, every write the automation sent, and that
Home Assistant never dropped a run with "Maximum number of runs exceeded".
"""

from __future__ import annotations

import shutil
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.automation import DOMAIN as AUTOMATION_DOMAIN
from homeassistant.const import EVENT_CALL_SERVICE
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.asic_miner.const import CONF_IDENTITY, DOMAIN
from simulator.miner import SimMiner
from tests.components.asic_miner.conftest import SIM_CLOCK, SIMULATED, entry_data_for
from tests.simhelpers import SimRunner

BLUEPRINTS = Path(__file__).parents[3] / "blueprints" / "automation" / "asic_miner"
PRICE = "input_number.electricity_price"
GRID = "sensor.grid_power"
FLEET = ["braiins-s19", "whatsminer-m60s", "luxos-s19xp", "vnish-s19", "antminer-s19pro"]
WATTS = {"unit_of_measurement": "W", "device_class": "power"}
LOG_PROBLEMS = ("Maximum number of runs exceeded", "Already running", "Error", "Traceback")


def _slug(sim_id: str) -> str:
    return sim_id.replace("-", "_")


class Fleet:
    """The simulated miners, their devices, and every write the automation sent them."""

    def __init__(self, hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
        self.hass = hass
        self.freezer = freezer
        self.sims: dict[str, SimMiner] = {}
        self.devices: dict[str, str] = {}
        self.writes: dict[str, list[tuple[str, Any]]] = defaultdict(list)
        self.start = dt_util.utcnow()
        hass.bus.async_listen(EVENT_CALL_SERVICE, self._record)

    @callback
    def _record(self, event: Event) -> None:
        data = event.data["service_data"]
        entity_ids = data.get("entity_id")
        for entity_id in [entity_ids] if isinstance(entity_ids, str) else entity_ids or []:
            for sim_id in self.sims:
                if entity_id.startswith(f"{event.data['domain']}.sim_{_slug(sim_id)}_"):
                    what = {
                        "turn_on": "on",
                        "turn_off": "off",
                        "set_value": data.get("value"),
                        "select_option": data.get("option"),
                    }[event.data["service"]]
                    self.writes[sim_id].append((entity_id.rsplit("_", 2)[-1], what))

    @property
    def seconds(self) -> float:
        return (dt_util.utcnow() - self.start).total_seconds()

    async def add(self, sim_runner: SimRunner, ids: list[str]) -> None:
        registry = dr.async_get(self.hass)
        for index, sim_id in enumerate(ids):
            family, model = SIMULATED[sim_id]
            sim = await sim_runner.start(
                family, model, hostname=f"sim-{sim_id}", mac=f"02:AA:BB:CC:01:{index:02X}",
                clock=SIM_CLOCK, boot_time=SIM_CLOCK - 3600,
            )  # fmt: skip
            data = await entry_data_for(sim)
            assert isinstance(data[CONF_IDENTITY], dict)
            entry = MockConfigEntry(domain=DOMAIN, unique_id=f"bp{index}", data=data, title=sim_id)
            entry.add_to_hass(self.hass)
            assert await self.hass.config_entries.async_setup(entry.entry_id)
            await self.hass.async_block_till_done()
            [device] = dr.async_entries_for_config_entry(registry, entry.entry_id)
            self.sims[sim_id] = sim
            self.devices[sim_id] = device.id

    async def run(self, seconds: float, step: float = 5) -> None:
        """Let ``seconds`` of test time pass, in small steps, timers and polls firing."""
        end = dt_util.utcnow() + timedelta(seconds=seconds)
        while dt_util.utcnow() < end:
            self.freezer.tick(timedelta(seconds=min(step, (end - dt_util.utcnow()).total_seconds())))
            async_fire_time_changed(self.hass, dt_util.utcnow())
            await self.settle()

    async def settle(self) -> None:
        await self.hass.async_block_till_done(wait_background_tasks=True)

    def limit(self, sim_id: str) -> float | None:
        return self.sims[sim_id].state.power_limit

    def mining(self, sim_id: str) -> bool:
        return self.sims[sim_id].state.mining

    def entity(self, domain: str, sim_id: str, key: str) -> Any:
        state = self.hass.states.get(f"{domain}.sim_{_slug(sim_id)}_{key}")
        assert state is not None
        return state

    def take_writes(self) -> dict[str, list[tuple[str, Any]]]:
        """The writes since the last call, per miner (miners without any left out)."""
        out = {k: v for k, v in self.writes.items() if v}
        self.writes = defaultdict(list)
        return out


async def _use_blueprint(
    hass: HomeAssistant, tmp_path: Path, name: str, inputs: dict[str, object]
) -> None:
    target = tmp_path / "blueprints" / "automation" / "asic_miner"
    target.mkdir(parents=True, exist_ok=True)
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
    assert hass.states.get("automation.price_throttle_yaml" if "price" in name else
                           "automation.solar_surplus_yaml").state == "on"  # fmt: skip


def _assert_clean_log(caplog: pytest.LogCaptureFixture) -> None:
    for record in caplog.records:
        assert not any(problem in record.getMessage() for problem in LOG_PROBLEMS), record


@pytest.fixture(autouse=True)
def frozen(freezer: FrozenDateTimeFactory) -> None:
    freezer.move_to(datetime.fromtimestamp(SIM_CLOCK, UTC))


@pytest.fixture
async def fleet(
    hass: HomeAssistant, sim_runner: SimRunner, freezer: FrozenDateTimeFactory
) -> Fleet:
    fleet = Fleet(hass, freezer)
    await fleet.add(sim_runner, FLEET)
    return fleet


async def _price(hass: HomeAssistant, value: float) -> None:
    hass.states.async_set(PRICE, str(value), {"unit_of_measurement": "EUR/kWh"})


async def _until(fleet: Fleet, done: Any, limit: float, step: float = 5) -> float:
    """Run until ``done()`` holds (at most ``limit`` seconds); the seconds it took."""
    began = fleet.seconds
    while not done():
        assert fleet.seconds - began < limit, "condition not reached in time"
        await fleet.run(step, step)
    return fleet.seconds - began


def _limits(fleet: Fleet, ids: list[str]) -> dict[str, float | None]:
    return {m: fleet.limit(m) for m in ids}


POWER_MINERS = FLEET[:4]


async def test_price_replay(
    hass: HomeAssistant, fleet: Fleet, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The issue's price sequence on all five kinds of miner at once."""
    antminer = "antminer-s19pro"
    await _price(hass, 0.20)
    await _use_blueprint(
        hass,
        tmp_path,
        "price_throttle.yaml",
        {
            "price_entity": PRICE,
            "miners": [fleet.devices[m] for m in FLEET],
            "low_price": 0.10,
            "high_price": 0.30,
            "min_on_off_minutes": 15,
            "power_step": 100,
            "min_write_seconds": 60,
            "settle_seconds": 10,
        },
    )

    # Half way between the prices: half way down each range, on a reachable level.
    # LuxOS's 2620 W lies between its 2480 W and 2720 W profiles: it gets 2720 W,
    # VNish's 2950 W becomes its 3000 W preset. The work-mode-only Antminer stays in
    # normal. Then five quiet minutes: not one write more (nothing unreachable re-sent).
    await fleet.run(90)
    assert _limits(fleet, POWER_MINERS) == {
        "braiins-s19": 2500, "whatsminer-m60s": 2700, "luxos-s19xp": 2720, "vnish-s19": 3000,
    }  # fmt: skip
    assert fleet.sims[antminer].state.work_mode == "normal"
    assert fleet.take_writes() == {
        "braiins-s19": [("limit", 2500)],
        "whatsminer-m60s": [("limit", 2700)],
        "luxos-s19xp": [("limit", 2720)],
        "vnish-s19": [("limit", 3000)],
    }
    await fleet.run(300)
    assert fleet.take_writes() == {}

    # Cheap: full power. Nothing moves before the price held still for the settle time.
    await _price(hass, 0.05)
    await fleet.run(5)
    assert fleet.take_writes() == {}
    await fleet.run(10)
    assert _limits(fleet, POWER_MINERS) == {
        "braiins-s19": 3600, "whatsminer-m60s": 3900, "luxos-s19xp": 3290, "vnish-s19": 3400,
    }  # fmt: skip
    assert fleet.sims[antminer].state.work_mode == "high"
    assert {m: len(w) for m, w in fleet.take_writes().items()} == dict.fromkeys(FLEET, 1)

    # A burst of four prices within four seconds, 60 s after the last writes: one
    # decision, on the last price (0.25: three quarters of the way up).
    await fleet.run(50)
    for value in (0.21, 0.23, 0.24, 0.25):
        await _price(hass, value)
        await fleet.run(1, step=1)
    await fleet.run(15)
    assert _limits(fleet, POWER_MINERS) == {
        "braiins-s19": 1950, "whatsminer-m60s": 2100, "luxos-s19xp": 2480, "vnish-s19": 2800,
    }  # fmt: skip
    assert fleet.sims[antminer].state.work_mode == "low"
    assert fleet.take_writes() == {
        "braiins-s19": [("limit", 1950)],
        "whatsminer-m60s": [("limit", 2100)],
        "luxos-s19xp": [("limit", 2480)],
        "vnish-s19": [("limit", 2800)],
        antminer: [("mode", "low")],
    }
    await fleet.run(300)
    assert fleet.take_writes() == {}

    # Expensive once the minimum on time (from the start) is over: all pause at once.
    await fleet.run(900 - fleet.seconds)
    await _price(hass, 0.40)
    await fleet.run(15)
    assert not any(fleet.mining(m) for m in FLEET)
    assert fleet.take_writes() == {m: [("mining", "off")] for m in FLEET}
    paused_at = fleet.seconds

    # Cheap again two minutes later: nobody is woken during the minimum off time, not
    # even the Antminer by a work-mode write; they resume as soon as the hold ends.
    await fleet.run(120)
    await _price(hass, 0.05)
    await _until(fleet, lambda: fleet.mining("braiins-s19"), 900)
    held_for = fleet.seconds - paused_at
    assert 900 <= held_for <= 900 + 30, held_for  # the next 30 s tick after the hold
    assert all(fleet.mining(m) for m in FLEET)
    assert _limits(fleet, POWER_MINERS) == {
        "braiins-s19": 3600, "whatsminer-m60s": 3900, "luxos-s19xp": 3290, "vnish-s19": 3400,
    }  # fmt: skip
    assert fleet.sims[antminer].state.work_mode == "high"
    writes = fleet.take_writes()
    assert writes == {
        "braiins-s19": [("mining", "on"), ("limit", 3600)],
        "whatsminer-m60s": [("mining", "on"), ("limit", 3900)],
        "luxos-s19xp": [("mining", "on"), ("limit", 3290)],
        "vnish-s19": [("mining", "on"), ("limit", 3400)],
        # Resuming puts a stock Antminer in normal mode; high follows, once it runs.
        antminer: [("mining", "on"), ("mode", "high")],
    }
    resumed_at = fleet.seconds

    # A spike 16 s after the resume. Pausing waits for the minimum on time, but the
    # power does not: every miner is at its lowest level as soon as the minimum time
    # between writes (60 s from the resume's own writes) allows, not 15 minutes later.
    await fleet.run(16, step=1)
    await _price(hass, 0.31)
    await _until(fleet, lambda: fleet.limit("braiins-s19") == 1400, 120)
    assert fleet.seconds - resumed_at <= 60 + 30
    assert _limits(fleet, POWER_MINERS) == {
        "braiins-s19": 1400, "whatsminer-m60s": 1500, "luxos-s19xp": 1950, "vnish-s19": 2500,
    }  # fmt: skip
    assert fleet.sims[antminer].state.work_mode == "low"
    assert all(fleet.mining(m) for m in FLEET)
    # ... and they pause at the first tick after the minimum on time.
    await _until(fleet, lambda: not fleet.mining("braiins-s19"), 900)
    assert 900 <= fleet.seconds - resumed_at <= 900 + 30
    assert not any(fleet.mining(m) for m in FLEET)
    assert fleet.take_writes() == {
        **{m: [("limit", lo), ("mining", "off")] for m, lo in
           zip(POWER_MINERS, (1400, 1500, 1950, 2500), strict=True)},
        antminer: [("mode", "low"), ("mining", "off")],
    }  # fmt: skip

    # Paused and expensive: ten minutes without a single write.
    await fleet.run(600)
    assert fleet.take_writes() == {}
    assert not any(fleet.mining(m) for m in FLEET)
    _assert_clean_log(caplog)
    await _stop_automations(hass)


async def _stop_automations(hass: HomeAssistant) -> None:
    """Turn the automation off so its tick leaves no timer behind."""
    await hass.services.async_call(
        AUTOMATION_DOMAIN, "turn_off", {"entity_id": "all"}, blocking=True
    )
    await hass.async_block_till_done()


async def test_price_ignores_unknown_price(
    hass: HomeAssistant, fleet: Fleet, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    await _price(hass, 0.05)
    await _use_blueprint(
        hass,
        tmp_path,
        "price_throttle.yaml",
        {
            "price_entity": PRICE,
            "miners": list(fleet.devices.values()),
            "low_price": 10,  # ct/kWh
            "high_price": 30,
        },
    )
    hass.states.async_set(PRICE, "unavailable")
    await fleet.run(300)
    assert fleet.take_writes() == {}
    assert all(fleet.mining(m) for m in FLEET)
    _assert_clean_log(caplog)
    await _stop_automations(hass)
