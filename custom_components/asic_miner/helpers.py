"""Turns driver errors raised by an action into translated Home Assistant errors."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from functools import wraps
from typing import Any, Concatenate

from homeassistant.exceptions import HomeAssistantError, ServiceValidationError

from .const import DOMAIN
from .driver import (
    MinerAuthenticationError,
    MinerConnectionError,
    MinerError,
    MinerUnsupportedError,
    MinerValueError,
    MinerWriteDisabledError,
)
from .entity import AsicMinerEntity
from .repairs import (
    WriteProblem,
    async_create_write_api_issue,
    async_delete_write_api_issue,
)

# The translated error a failed control shows, first match wins, and whether it
# names the driver's own message.
_ERRORS: tuple[tuple[type[MinerError], str, bool], ...] = (
    (MinerWriteDisabledError, "write_api_disabled", False),
    (MinerAuthenticationError, "invalid_auth", False),
    (MinerConnectionError, "communication_error", True),
    (MinerError, "control_failed", True),
)


def _translated(err: MinerError, placeholders: dict[str, str]) -> HomeAssistantError:
    key, named = next((key, named) for kind, key, named in _ERRORS if isinstance(err, kind))
    return HomeAssistantError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders={**placeholders, "error": str(err)} if named else placeholders,
    )


def asic_miner_exception_handler[EntityT: AsicMinerEntity, **P](
    func: Callable[Concatenate[EntityT, P], Coroutine[Any, Any, Any]],
) -> Callable[Concatenate[EntityT, P], Coroutine[Any, Any, None]]:
    """Run a control, map its failure to a translated error, then show the real state."""

    @wraps(func)
    async def handler(self: EntityT, /, *args: P.args, **kwargs: P.kwargs) -> None:
        coordinator = self.coordinator
        placeholders = {"host": coordinator.miner.host}
        login_refused = False
        try:
            await func(self, *args, **kwargs)
            # A control that worked proves the write path is open (again).
            async_delete_write_api_issue(coordinator.hass, coordinator.config_entry)
            coordinator.write_problem = None
        except (MinerUnsupportedError, MinerValueError) as err:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="invalid_value",
                translation_placeholders={**placeholders, "error": str(err)},
            ) from err
        except MinerError as err:
            if isinstance(err, MinerWriteDisabledError):
                # As when setup finds it: controls unavailable, and the coordinator checks
                # the write path again (every 10 minutes) until the owner switched it on.
                coordinator.write_problem = WriteProblem.API_DISABLED
                async_create_write_api_issue(
                    coordinator.hass, coordinator.config_entry, coordinator.miner
                )
            login_refused = isinstance(err, MinerAuthenticationError)
            raise _translated(err, placeholders) from err
        finally:
            # Show what the miner really does now, whether the control worked or not.
            await coordinator.async_refresh()
            if login_refused and coordinator.last_update_success:
                # Reads work but the controls' login was refused: as when setup finds
                # it, a repair and unavailable controls, not a reauth. (Where reading
                # needs that login too, the refresh failed and started the reauth.)
                await coordinator.async_check_write_access()

    return handler
