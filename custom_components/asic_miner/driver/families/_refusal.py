"""Every control names itself when the miner refuses it.

Each family checks its own reply status (a cgminer ``STATUS`` letter, a Whatsminer v3
``code``, an HTTP status, ePIC's ``result: false``); what it raises then says what the
miner said, in the firmware's words (``set_led``, ``ascset``, ``/identify``). A backend
that inherits :class:`NamedRefusals` has each control it defines turn such an error
into :class:`MinerControlRefusedError`, which names the control as the user knows it
("stop mining", "fault light on") beside the miner's own reason. Errors that already
say what went wrong in other terms pass through untouched: a refused login, a write
API switched off, a value out of range, an unreachable miner.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Coroutine
from typing import Any

from ..exceptions import (
    MinerAuthenticationError,
    MinerControlRefusedError,
    MinerResponseError,
    MinerWriteDisabledError,
)

type _Control = Callable[..., Coroutine[Any, Any, None]]


def _on_off(what: str) -> Callable[..., str]:
    return lambda on, *_: f"{what} {'on' if on else 'off'}"


LABELS: dict[str, Callable[..., str]] = {
    "set_mining": lambda on, *_: "start mining" if on else "stop mining",
    "set_fault_light": _on_off("fault light"),
    "set_power_limit": lambda watts, *_: f"power limit {watts} W",
    "set_work_mode": lambda mode, *_: f"work mode {mode}",
    "reboot": lambda *_: "reboot",
    "restart_backend": lambda *_: "restart the mining software",
}
_PASS = (MinerAuthenticationError, MinerWriteDisabledError, MinerControlRefusedError)


def named(name: str, method: _Control) -> _Control:
    """``method`` with its refusals named after the control ``name`` implements."""
    label = LABELS[name]

    @functools.wraps(method)
    async def control(self: Any, *args: Any) -> None:
        try:
            await method(self, *args)
        except _PASS:
            raise
        except MinerResponseError as err:
            raise MinerControlRefusedError(label(*args), str(err)) from err

    control.__dict__["_named"] = True
    return control


class NamedRefusals:
    """Mixin: the control methods a subclass defines are wrapped by :func:`named`."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name in LABELS:
            method = cls.__dict__.get(name)
            if method is not None and not getattr(method, "_named", False):
                setattr(cls, name, named(name, method))
