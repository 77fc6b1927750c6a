"""Whether anything accepts a TCP connection at a host: the sweep's probe.

Shared by the scan (which sweeps thousands of hosts with it) and identification
(which tells "nothing there" from "not a miner" with it), so neither opens sockets
of its own and both read the same outcome.
"""

from __future__ import annotations

import asyncio
import errno
import ipaddress
import socket
from collections.abc import Callable
from enum import Enum
from typing import Final

STAGGER: Final = 0.05  # wait this long for a port before also trying the next

_ABSENT_ERRNOS = frozenset({errno.ECONNREFUSED, errno.EHOSTUNREACH, errno.ENETUNREACH})


class Reach(Enum):
    OPEN = "open"  # a port accepted
    CLOSED = "closed"  # every port refused (or the host is known unreachable)
    SILENT = "silent"  # some port neither accepted nor refused in time


def _ignore(_err: OSError) -> None:
    return None


class PortProbe:
    """Non-blocking connects to one host's ports, settled by selector callbacks.

    Ports are tried in order, the next one as soon as the previous refuses or after
    ``stagger`` seconds without an answer, and the probe stops at the first that
    accepts: a live miner gets one bare connection, an empty address costs one RST
    per port, a silent one has every port tried within ``2 * stagger``.

    No task per port: a sweep of a /22 is ~3,000 connects, and the callbacks run in
    the loop iteration the kernel reports them, so a busy loop does not turn an
    accepted connection into a timeout. A connect still pending when time is up is
    checked once more (``getpeername``) before it counts as silent.
    """

    __slots__ = (
        "failed",
        "future",
        "host",
        "loop",
        "on_error",
        "open",
        "order",
        "pending",
        "queue",
        "stagger",
        "stagger_timer",
        "timer",
    )

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        host: str,
        ports: tuple[int, ...],
        *,
        timeout: float,
        stagger: float,
        on_error: Callable[[OSError], None],
    ) -> None:
        self.loop = loop
        self.order = ports
        self.host = host
        self.on_error = on_error
        self.stagger = stagger
        self.future: asyncio.Future[None] = loop.create_future()
        self.open = False
        self.failed: list[int] = []  # ports that neither accepted nor refused in time
        self.pending: dict[int, tuple[socket.socket, int]] = {}
        self.queue = list(ports)
        self.stagger_timer: asyncio.TimerHandle | None = None
        self.timer = loop.call_later(timeout, self._settle)
        self._next()

    def _next(self) -> None:
        """Start the next port (several, if they fail at once); re-arm the stagger."""
        if self.stagger_timer is not None:
            self.stagger_timer.cancel()
            self.stagger_timer = None
        while self.queue and not self.open:
            if self._start(self.queue.pop(0)):
                break
        if self.queue and not self.open:
            self.stagger_timer = self.loop.call_later(self.stagger, self._next)
        self._check()

    def _start(self, port: int) -> bool:
        """Begin one connect; ``True`` when it is in flight."""
        try:
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        except OSError as err:
            self.on_error(err)
            self.failed.append(port)
            return False
        try:
            sock.setblocking(False)
            sock.connect((self.host, port))
        except BlockingIOError:
            fd = sock.fileno()
            self.pending[fd] = (sock, port)
            self.loop.add_writer(fd, self._ready, fd)
            return True
        except OSError as err:
            sock.close()
            if err.errno not in _ABSENT_ERRNOS:
                self.on_error(err)
                self.failed.append(port)
            return False
        sock.close()
        self.open = True
        return False

    def _ready(self, fd: int) -> None:
        sock, port = self.pending.pop(fd)
        self.loop.remove_writer(fd)
        error = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        sock.close()
        if error == 0:
            self.open = True
            self._check()
            return
        if error not in _ABSENT_ERRNOS:
            self.failed.append(port)
        self._next()  # refused: no reason to wait for the stagger

    def _check(self) -> None:
        if self.open or not (self.pending or self.queue):
            self._settle()

    def _settle(self) -> None:
        if not self.future.done():
            self.future.set_result(None)

    def close(self) -> None:
        self.timer.cancel()
        if self.stagger_timer is not None:
            self.stagger_timer.cancel()
        for fd, (sock, port) in self.pending.items():
            self.loop.remove_writer(fd)
            try:
                sock.getpeername()
            except OSError:
                self.failed.append(port)
            else:
                self.open = True
            sock.close()
        self.pending.clear()
        self.failed.extend(self.queue)  # never tried: time ran out first
        self.queue.clear()

    def outcome(self) -> tuple[Reach, tuple[int, ...]]:
        if self.open:
            return Reach.OPEN, ()
        if self.failed:
            return Reach.SILENT, tuple(p for p in self.order if p in self.failed)
        return Reach.CLOSED, ()


async def reach(
    host: str,
    ports: tuple[int, ...],
    timeout: float,
    *,
    stagger: float = STAGGER,
    on_error: Callable[[OSError], None] = _ignore,
) -> tuple[Reach, tuple[int, ...]]:
    """Try ``ports`` at ``host`` until one accepts or ``timeout`` is up.

    Returns the outcome and, when silent, the ports that neither accepted nor refused
    (worth a retry). A host name is resolved first (the scan only passes addresses).
    """
    loop = asyncio.get_running_loop()
    try:
        address = await _resolve(loop, host, timeout)
    except OSError:
        return Reach.CLOSED, ()
    probe = PortProbe(loop, address, ports, timeout=timeout, stagger=stagger, on_error=on_error)
    try:
        await probe.future
    finally:
        probe.close()
    return probe.outcome()


async def _resolve(loop: asyncio.AbstractEventLoop, host: str, timeout: float) -> str:
    try:
        return str(ipaddress.IPv4Address(host))
    except ValueError:
        pass  # a host name
    async with asyncio.timeout(timeout):
        infos = await loop.getaddrinfo(host, None, family=socket.AF_INET, type=socket.SOCK_STREAM)
    if not infos:
        raise OSError(errno.EHOSTUNREACH, f"{host} has no IPv4 address")
    return str(infos[0][4][0])
