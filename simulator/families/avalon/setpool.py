"""Canaan's ``ascset 0,setpool,…`` on the racks: pools saved for the next boot.

Mirrors Canaan's A10 API manual §2.5 (reply STATUS "I", code 118, the URL, worker and
worker password repeated, "Please reboot miner to make config work.") with the pool slot
later firmware asks for (``<user>,<password>,<slot>,<url>,<worker>,<workerpasswd>``;
"we need 6 arguments" otherwise, as a user reported to Canaan). The refusal of a wrong
web login is ours: no public reply shows it. ``pools`` keeps the running pools until
``reboot`` puts the saved ones to work.
"""

from __future__ import annotations

from ...state import SimPool

WEB_LOGIN = ("root", "root")
SLOTS = 3
ARGUMENTS = 6


def save_pool(
    saved: list[SimPool], running: list[SimPool], args: list[str]
) -> tuple[str, int, str]:
    """Save one pool into ``saved`` (a copy of ``running`` at first); the reply's
    message, code and status letter."""
    if len(args) != ARGUMENTS:
        why = f"we need {ARGUMENTS} arguments, your input is {len(args)} arguments."
        return f"ASC 0 set failed: {why}", 120, "E"
    user, password, slot, url, worker, worker_password = args
    if (user, password) != WEB_LOGIN:
        return "ASC 0 set failed: username or password error", 120, "E"
    if not slot.isdigit() or int(slot) >= SLOTS:
        return f"ASC 0 set failed: invalid pool number {slot}", 120, "E"
    if not saved:
        saved.extend(SimPool(p.url, p.user, p.password) for p in running)
    number = int(slot)
    while len(saved) <= number:
        saved.append(SimPool("", ""))
    saved[number] = SimPool(url, worker, worker_password)
    msg = (
        f"ASC 0 set info:\npool success set to {url}\nworker is {worker}\n"
        f"workerpassword is {worker_password}\nPlease reboot miner to make config work.\n"
    )
    return msg, 118, "I"
