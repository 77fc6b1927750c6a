"""Simulated firmware families, mirroring ``driver/families``. One line per family."""

from __future__ import annotations

from ..miner import SimMiner

FAMILIES: dict[str, type[SimMiner]] = {}


def register(cls: type[SimMiner]) -> type[SimMiner]:
    FAMILIES[cls.family] = cls
    return cls


def load_all() -> dict[str, type[SimMiner]]:
    """Import every family module so each registers itself."""
    from . import (  # noqa: F401
        antminer,
        auradine,
        avalon,
        bitaxe,
        braiins,
        elphapex,
        epic,
        goldshell,
        hammer,
        hiveon,
        iceriver,
        innosilicon,
        luxos,
        marafw,
        mskminer,
        sealminer,
        unsupported,
        vnish,
        whatsminer,
    )

    return FAMILIES
