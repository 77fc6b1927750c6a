"""The config flow's last scan steps: create every ticked miner's entry, then a summary.

The entries are created by sub-flows (``SOURCE_SCANNED``), a bounded pool at once, in
the background behind a progress step: adding 200 miners never holds the flow's
request while each entry is set up, and a last step lists every miner added.
"""

from __future__ import annotations

import asyncio
from typing import Any, Final

from homeassistant.config_entries import SOURCE_IGNORE, ConfigFlowResult
from homeassistant.const import CONF_HOST
from homeassistant.data_entry_flow import FlowResultType

from .const import (
    CONF_IDENTITY,
    DOMAIN,
    LOGGER,
)
from .driver import (
    MinerIdentity,
)
from .flow_forms import (
    SOURCE_SCANNED,
    bullet_list,
    entry_data,
    entry_title,
)
from .flow_miners import MinerFlow
from .naming import stable_keys, unique_id_for

# Sub-flows creating entries at once: each awaits its entry's setup (a first read).
ADD_CONCURRENCY: Final = 16


class AddScannedFlow(MinerFlow):
    """Creating the entries of the miners a scan found and the user ticked."""

    async def _async_create_scanned(self) -> ConfigFlowResult:
        """Create every ready miner's entry: sub-flows for all but one, then the summary.

        The summary lists every miner added, so each reaches the user; this flow creates
        the last one itself when it is confirmed (and Home Assistant then offers to name
        and place it).
        """
        configured = {entry.unique_id for entry in self._async_current_entries(False)}
        ticked: set[str] = set()  # stable keys of the miners taken so far
        entries: list[tuple[str, dict[str, Any]]] = []
        for miner, login in self._ready:
            unique_id = unique_id_for(miner.identity, miner.host)
            keys = stable_keys(miner.identity)
            if unique_id in configured or keys & ticked or self._entry_for(miner.identity):
                # Set up before, or the same miner twice (found at two addresses).
                LOGGER.warning(
                    "%s is the same miner as one already set up or ticked (%s); not added twice",
                    miner.host,
                    unique_id,
                )
                continue
            configured.add(unique_id)
            ticked |= keys
            entries.append((unique_id, entry_data(miner, login)))
        if not entries:
            return self.async_abort(reason="already_configured")
        *others, self._own = entries
        self._created = []
        if not others:
            return await self.async_step_scan_done()
        # In the background: the request returns at once and the user sees progress.
        self._add_task = self.hass.async_create_task(
            self._async_add_all([data for _uid, data in others]), eager_start=False
        )
        return await self.async_step_scan_adding()

    async def async_step_scan_adding(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show progress while the ticked miners' entries are created; then the summary."""
        assert self._add_task is not None
        if not self._add_task.done():
            return self.async_show_progress(
                step_id="scan_adding",
                progress_action="add",
                progress_task=self._add_task,
                description_placeholders={"count": str(len(self._ready))},
            )
        self._add_task = None
        return self.async_show_progress_done(next_step_id="scan_done")

    async def _async_add_all(self, others: list[dict[str, Any]]) -> None:
        """Create the entries by sub-flows, a bounded pool at once, in the listing's order."""
        pool = asyncio.Semaphore(ADD_CONCURRENCY)
        done = 0

        async def add(data: dict[str, Any]) -> str | None:
            nonlocal done
            line = await self._async_add_scanned(pool, data)
            done += 1
            self.async_update_progress(round(done / len(others), 2))
            return line

        created = await asyncio.gather(*(add(data) for data in others))
        self._created = [line for line in created if line is not None]

    async def _async_add_scanned(self, pool: asyncio.Semaphore, data: dict[str, Any]) -> str | None:
        """One sub-flow creating one miner's entry (and setting it up): its summary line."""
        async with pool:
            try:
                result = await self.hass.config_entries.flow.async_init(
                    DOMAIN, context={"source": SOURCE_SCANNED}, data=data
                )
            except Exception:
                LOGGER.exception("Adding the miner at %s failed", data[CONF_HOST])
                return None
        if result["type"] is not FlowResultType.CREATE_ENTRY:
            return None
        return f"{result['title']} ({data[CONF_HOST]})"

    async def async_step_scan_done(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """List every miner the scan added; confirming creates the last one."""
        assert self._own is not None
        unique_id, data = self._own
        identity = MinerIdentity.from_dict(data[CONF_IDENTITY])
        title = entry_title(identity, data[CONF_HOST])
        if user_input is not None or not self._created:
            await self.async_set_unique_id(unique_id, raise_on_progress=False)
            self._abort_if_unique_id_configured()
            return self.async_create_entry(title=title, data=data)
        return self.async_show_form(
            step_id="scan_done",
            description_placeholders={
                "count": str(len(self._created) + 1),
                "added": bullet_list([*self._created, f"{title} ({data[CONF_HOST]})"]),
                "last": title,
            },
        )

    async def async_step_scanned(self, data: dict[str, Any]) -> ConfigFlowResult:
        """Create the entry for one more miner the scan verified; no form."""
        identity = MinerIdentity.from_dict(data[CONF_IDENTITY])
        if (known := self._entry_for(identity)) is not None:
            return self._async_follow(known, data[CONF_HOST])
        existing = await self.async_set_unique_id(
            unique_id_for(identity, data[CONF_HOST]), raise_on_progress=False
        )
        if existing is not None and existing.source != SOURCE_IGNORE:
            return self.async_abort(reason="already_configured")
        return self.async_create_entry(title=entry_title(identity, data[CONF_HOST]), data=data)
