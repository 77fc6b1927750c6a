"""One event entity per miner: went offline, came back, stopped mining, lost a board...

The events are computed from consecutive polls (``miner_events``). Each is also fired
on the bus as ``asic_miner_event`` with the miner's device id, which is what the device
triggers listen to; so triggers work even when the event entity is disabled.
"""

from __future__ import annotations

from typing import Any

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.dispatcher import async_dispatcher_connect, async_dispatcher_send
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util

from .const import ATTR_PREVIOUS, DOMAIN, EVENT_MINER
from .coordinator import AsicMinerConfigEntry, AsicMinerDataUpdateCoordinator
from .entity import AsicMinerEntity
from .miner_events import EVENT_TYPES, MinerEvent, MinerEventTracker

PARALLEL_UPDATES = 0

# Disabled by default: device triggers and the notification blueprint listen to the
# bus event, which fires whether or not this entity is enabled; the entity is for a
# logbook or a dashboard, and each enabled entity costs a state per miner.
MINER_EVENT = EventEntityDescription(
    key="miner_event",
    translation_key="miner_event",
    event_types=list(EVENT_TYPES),
    entity_registry_enabled_default=False,
)


def _signal(entry: AsicMinerConfigEntry) -> str:
    return f"{DOMAIN}_miner_event_{entry.entry_id}"


async def async_setup_entry(
    hass: HomeAssistant,
    entry: AsicMinerConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    coordinator = entry.runtime_data
    tracker = MinerEventTracker()
    # What the miner looks like now is the baseline: nothing that was so before Home
    # Assistant started is an event.
    tracker.update(coordinator.last_update_success, coordinator.data)
    # When each event (type and subject) last happened on this miner, for cool-downs.
    last_fired: dict[tuple[str, str], str] = {}

    @callback
    def poll_done() -> None:
        events = tracker.update(coordinator.last_update_success, coordinator.data)
        if not events:
            return
        device = dr.async_get(hass).async_get_device_by_identifier(
            (DOMAIN, str(entry.unique_id)), entry.entry_id
        )
        now = dt_util.utcnow().isoformat()
        for event in events:
            subject = (event.type, ",".join(f"{k}={v}" for k, v in sorted(event.data.items())))
            data = {**event.data, ATTR_PREVIOUS: last_fired.get(subject)}
            last_fired[subject] = now
            async_dispatcher_send(hass, _signal(entry), MinerEvent(event.type, data))
            hass.bus.async_fire(
                EVENT_MINER,
                {
                    "device_id": device.id if device else None,
                    "entry_id": entry.entry_id,
                    # The name people see: the device's, as renamed.
                    "name": (device.name_by_user or device.name) if device else entry.title,
                    "type": event.type,
                    **data,
                },
            )

    entry.async_on_unload(coordinator.async_add_listener(poll_done))
    async_add_entities([AsicMinerEventEntity(coordinator)])


class AsicMinerEventEntity(AsicMinerEntity, EventEntity):
    """Available even while the miner is offline: going offline is one of its events."""

    def __init__(self, coordinator: AsicMinerDataUpdateCoordinator) -> None:
        super().__init__(coordinator, MINER_EVENT)

    @property
    def available(self) -> bool:
        return True

    async def async_added_to_hass(self) -> None:
        await super().async_added_to_hass()
        self.async_on_remove(
            async_dispatcher_connect(
                self.hass, _signal(self.coordinator.config_entry), self._handle_event
            )
        )

    @callback
    def _handle_coordinator_update(self) -> None:
        """Polls themselves change nothing here; only events do."""

    @callback
    def _handle_event(self, event: MinerEvent) -> None:
        attributes: dict[str, Any] = {k: v for k, v in event.data.items() if v is not None}
        self._trigger_event(event.type, attributes)
        self.async_write_ha_state()
