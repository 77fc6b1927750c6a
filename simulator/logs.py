"""The miner's own log, as the simulated firmware serves it (Braiins, VNish, ePIC).

Real logs are plain text lines, newest last: a timestamp, a level, a component and a
message; the mining daemon names the pool it connects to (URL and worker) and the
boards it starts. The lines here follow that shape and are built from the state, so
a paused miner logs that it stopped and every pool shows with its URL and worker
(which diagnostics must redact). Timestamps count back from now, one line a second.
"""

from __future__ import annotations

import time

from .state import MinerState

LOG_LINES = 16


def _stamp(at: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(at)) + "Z"


def log_lines(state: MinerState, daemon: str) -> list[str]:
    """About ``LOG_LINES`` lines of ``daemon``'s log for ``state``."""
    messages = [f"INFO {daemon}: starting, {state.spec.boards} hashboards expected"]
    for n, pool in enumerate(state.pools):
        status = "connected" if pool.alive else "connection refused"
        messages.append(f"INFO {daemon}::stratum: pool {n} {pool.url} user {pool.user}: {status}")
    for board in range(state.spec.boards):
        chips = state.spec.chips_per_board
        temp = state.board_temperature(board)
        messages.append(f"INFO {daemon}::hashchain: chain {board}: {chips} chips, {temp:.0f} C")
    for code, message in state.errors:
        messages.append(f"ERROR {daemon}: {code} {message}")
    while len(messages) < LOG_LINES - 1:
        messages.append(f"DEBUG {daemon}::stats: hashrate {state.hashrate:.2f} TH/s")
    messages.append(
        f"INFO {daemon}: hashing {state.hashrate:.2f} TH/s at {state.power:.0f} W"
        if state.hashing
        else f"WARN {daemon}: mining stopped"
    )
    now = state.now()
    count = len(messages)
    return [f"{_stamp(now - count + i)} {text}" for i, text in enumerate(messages)]


def log_text(state: MinerState, daemon: str) -> str:
    return "\n".join(log_lines(state, daemon)) + "\n"
