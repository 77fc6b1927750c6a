"""On/off entities (binary sensors, switches): a state the snapshot says is on, off or unknown.

The description says where the snapshot holds the state; the entity shows it. A switch
adds how to set it, a binary sensor what else to show with it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .descriptions import NamedByKey
from .driver import MinerSnapshot
from .entity import AsicMinerEntity


@dataclass(frozen=True, kw_only=True)
class OnOffDescription(NamedByKey):
    """Mixin (listed before the platform's description): the state's place in the snapshot."""

    is_on_fn: Callable[[MinerSnapshot], bool | None]


class OnOffEntity(AsicMinerEntity):
    """Mixin (listed before the platform's entity): ``is_on`` from the description."""

    entity_description: OnOffDescription

    @property
    def is_on(self) -> bool | None:
        return self.entity_description.is_on_fn(self.coordinator.data)
