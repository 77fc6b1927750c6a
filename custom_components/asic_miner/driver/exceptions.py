"""One exception tree for the whole driver.

Callers (the Home Assistant glue, the CLI) need to tell four situations apart: the
miner cannot be reached (show it unavailable, retry), it answered nonsense (log, keep
polling), it refused our credentials (ask the user), and it cannot do what was asked
(say so, never retry). Every transport converts its own errors into these, so nothing
above the transports ever sees an ``OSError`` or an ``aiohttp`` exception.
"""

from __future__ import annotations


class MinerError(Exception):
    """Root of every error the driver raises."""


class MinerConnectionError(MinerError):
    """The miner could not be reached or dropped the connection."""


class MinerTimeoutError(MinerConnectionError):
    """The miner did not answer before the deadline."""


class MinerResponseError(MinerError):
    """The miner answered, but with an error status or a reply we cannot parse."""


class MinerControlRefusedError(MinerResponseError):
    """The miner answered a control with a refusal (an error status, code or message)."""

    def __init__(self, control: str, said: str) -> None:
        super().__init__(f"{control}: the miner refused: {said}")
        self.control = control
        self.said = said


class MinerAuthenticationError(MinerResponseError):
    """The miner refused the credentials."""


class MinerWriteDisabledError(MinerResponseError):
    """The firmware has its write API switched off (Whatsminer); the user must enable it."""


class MinerUnsupportedError(MinerError):
    """The miner or its firmware cannot perform the requested control."""


class MinerValueError(MinerError, ValueError):
    """A control value the miner would not accept (outside its range, unknown preset)."""


class MinerNotIdentifiedError(MinerError):
    """Nothing at the address looked like a miner the driver knows.

    ``answered`` names what did answer when it looks like a miner of a make or firmware
    the driver does not support ("Auradine FluxOS"); ``None`` when nothing miner-like did.
    """

    def __init__(self, message: str, answered: str | None = None) -> None:
        super().__init__(message)
        self.answered = answered


class MinerScanRangeError(MinerError, ValueError):
    """A scan target that is malformed or larger than allowed."""


class MinerScanTooLargeError(MinerScanRangeError):
    """A well-formed scan target that covers more addresses than one scan may try.

    Its own type so callers (the config flow) can tell "too large" from "malformed"
    without reading the message.
    """


class MinerTruncatedError(MinerResponseError):
    """The reply was cut short: what arrived is not the whole answer.

    A repaired truncation would parse into a shorter, valid-looking reply (one board
    of three, one pool of two), so it fails the read instead of being shown as data.
    """
