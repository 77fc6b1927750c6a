"""The config flow's last scan steps: create every ticked miner's entry, then a summary.

Ticking miners returns at once with a progress step; behind it, every ticked miner is
read once with the default login (those refused go to the login step, those failing
back to the listing, nothing added), then the entries are created by sub-flows
(``SOURCE_SCANNED``), a bounded pool at once: adding 200 miners never holds the flow's
request, and a last step lists every miner added.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
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
    ScanResult,
)
from .first_read import async_keep_read
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

    # The addresses ticked, and those the check behind the progress found failing
    # (address to error key) for the listing to show; None while none did.
    _ticked: tuple[str, ...] = ()
    _check_failed: dict[str, str] | None = None

    async def _async_check_and_add(
        self, chosen: list[ScanResult], check: Coroutine[Any, Any, dict[str, str]]
    ) -> ConfigFlowResult:
        """Check the ticked miners (``check``) and add the ready ones behind the progress."""
        self._ticked = tuple(result.host for result in chosen)
        self._check_failed = None
        self._add_task = self.hass.async_create_task(
            self._async_checked_add(check), eager_start=False
        )
        return await self.async_step_scan_adding()

    async def _async_checked_add(self, check: Coroutine[Any, Any, dict[str, str]]) -> None:
        """Add the ticked miners once all passed the check; else leave them for the user."""
        failed = await check
        if failed or self._login_needed:
            self._check_failed = failed
            return
        await self._async_add_ready()

    def _take_check_failures(self) -> dict[str, str]:
        """The failures the last check found (once), for the listing to show."""
        failed, self._check_failed = self._check_failed or {}, None
        return failed

    async def _async_create_scanned(self) -> ConfigFlowResult:
        """After the login step: add the ready miners behind the progress step."""
        entries = self._entries_to_add()
        if not entries:
            return self.async_abort(reason="already_configured")
        self._add_task = self.hass.async_create_task(
            self._async_add_entries(entries), eager_start=False
        )
        return await self.async_step_scan_adding()

    async def _async_add_ready(self) -> None:
        """Add the ready miners; none left to add, the summary step says so."""
        entries = self._entries_to_add()
        if not entries:
            self._own = None
            return
        await self._async_add_entries(entries)

    async def _async_add_entries(self, entries: list[tuple[str, dict[str, Any]]]) -> None:
        """Create every entry but the last by sub-flows; the summary step lists them all.

        The summary lists every miner added, so each reaches the user; this flow creates
        the last one itself when it is confirmed (and Home Assistant then offers to name
        and place it).
        """
        *others, self._own = entries
        self._created = []
        if others:
            await self._async_add_all([data for _uid, data in others])

    def _entries_to_add(self) -> list[tuple[str, dict[str, Any]]]:
        """The ready miners' unique IDs and entry data, each miner once, none set up before.

        Keeps each one's read for its entry's setup (``first_read.py``): not read twice.
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
            if miner.snapshot is not None and miner.read_at is not None:
                async_keep_read(self.hass, unique_id, miner.snapshot, miner.read_at)
        return entries

    async def async_step_scan_adding(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show progress while the ticked miners are checked and added; then the summary.

        Or, when the check found some failing, the listing saying which; or the login
        step for those whose default login was refused.
        """
        assert self._add_task is not None
        if not self._add_task.done():
            return self.async_show_progress(
                step_id="scan_adding",
                progress_action="add",
                progress_task=self._add_task,
                description_placeholders={"count": str(len(self._ticked) or len(self._ready))},
            )
        self._add_task = None
        if self._check_failed:
            return self.async_show_progress_done(next_step_id="scan_select")
        if self._login_needed:
            return self.async_show_progress_done(next_step_id="scan_login")
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
        if self._own is None:
            return self.async_abort(reason="already_configured")
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
        """Create the entry for one more miner the scan verified; no form.

        The scan's flow compared it with every entry before (``_entries_to_add``), so
        only its unique ID is checked again: comparing every sibling's stored identity
        in each sub-flow made adding 200 miners quadratic.
        """
        identity = MinerIdentity.from_dict(data[CONF_IDENTITY])
        existing = await self.async_set_unique_id(
            unique_id_for(identity, data[CONF_HOST]), raise_on_progress=False
        )
        if existing is not None and existing.source != SOURCE_IGNORE:
            return self.async_abort(reason="already_configured")
        return self.async_create_entry(title=entry_title(identity, data[CONF_HOST]), data=data)
