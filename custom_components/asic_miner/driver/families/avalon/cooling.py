"""Avalon fan speed: ``ascset 0,fan-spd,<%>``, read back from ``FanR`` in ``estats``.

Sources: the Avalon Q's ``ascset 0,help`` capture (asic-rs) lists ``fan-spd``; clients
that drive it send ``0,fan-spd,<n>`` with ``-1`` for the firmware's own curve and
15-100 % (some say 25-100) otherwise. The ``MM ID0`` string reports ``FanR[<n>%]``, the
ratio the fans run at (asic-rs's Avalon 1246 capture: ``FanR[72%]``), and ``Fan1..4``
in RPM. Nothing in ``estats`` says whether that ratio is a manual setting or the
curve's, so the automatic mode could not be read back after a write: only the manual
speed is offered (``Cooling.mode`` stays unknown), each write checked against ``FanR``.
"""

from __future__ import annotations

from ...bounds import MIN_AIR_FAN_PERCENT
from ...contract import Replies
from ...exceptions import MinerResponseError
from ...models import Cooling
from ...values import to_int
from .client import AvalonClient
from .parse import ESTATS, estats_item, figures, mm_values

# Canaan's lowest speed is 15 %; ours, which protects air-cooled hardware, is higher.
SPEED_RANGE = (MIN_AIR_FAN_PERCENT, 100)


def cooling(replies: Replies) -> Cooling | None:
    """The running ratio as the speed; ``None`` where the MM string has no ``FanR``."""
    ratio = to_int(figures(replies).get("FanR"))
    return None if ratio is None else Cooling(speed=ratio, speed_range=SPEED_RANGE)


async def set_fan_speed(client: AvalonClient, percent: int) -> None:
    """Set the manual speed, then check ``FanR`` in a fresh ``estats``."""
    await client.ascset(f"fan-spd,{percent}")
    try:
        kept = to_int(mm_values(estats_item(await client.command(ESTATS.command))).get("FanR"))
    except (KeyError, IndexError, TypeError) as err:
        raise MinerResponseError(f"{client.ctx.host}: estats without the MM figures") from err
    if kept != percent:
        raise MinerResponseError(f"{client.ctx.host}: the fans run at {kept} %, not {percent} %")
