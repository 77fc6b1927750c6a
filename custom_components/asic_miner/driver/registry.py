"""The ordered list of firmware families.

Order is priority: identification picks the first family that matches, so every
non-stock firmware that runs on someone else's hardware (Braiins, LuxOS, VNish, ePIC
on Antminers) comes before the stock firmware of that hardware. Adding a family is one
import and one line here.
"""

from __future__ import annotations

from .contract import Family
from .families.antminer import FAMILY as ANTMINER
from .families.auradine import FAMILY as AURADINE
from .families.avalon import FAMILY as AVALON
from .families.bitaxe import FAMILY as BITAXE
from .families.braiins import FAMILY as BRAIINS
from .families.elphapex import FAMILY as ELPHAPEX
from .families.epic import FAMILY as EPIC
from .families.goldshell import FAMILY as GOLDSHELL
from .families.hammer import FAMILY as HAMMER
from .families.hiveon import FAMILY as HIVEON
from .families.iceriver import FAMILY as ICERIVER
from .families.innosilicon import FAMILY as INNOSILICON
from .families.luxos import FAMILY as LUXOS
from .families.marafw import FAMILY as MARAFW
from .families.mskminer import FAMILY as MSKMINER
from .families.sealminer import FAMILY as SEALMINER
from .families.vnish import FAMILY as VNISH
from .families.whatsminer import FAMILY as WHATSMINER

FAMILIES: tuple[Family, ...] = (
    # non-stock firmware first
    BRAIINS,
    LUXOS,
    EPIC,
    VNISH,
    HIVEON,
    MSKMINER,
    MARAFW,
    # stock firmware
    WHATSMINER,
    AVALON,
    ANTMINER,
    HAMMER,
    SEALMINER,
    ELPHAPEX,
    AURADINE,
    INNOSILICON,
    GOLDSHELL,
    ICERIVER,
    BITAXE,
)


def family(key: str) -> Family:
    for candidate in FAMILIES:
        if candidate.key == key:
            return candidate
    raise KeyError(key)
