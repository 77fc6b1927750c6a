"""The driver's public face: what a caller (the Home Assistant glue, a script) uses.

Everything here is plain asyncio + aiohttp and never imports Home Assistant, so the
folder also loads by path as a package of another name (``scripts/asic-miner``).
Callers import from this package only; the modules behind it (families, transports,
collection) may move without the callers noticing.
"""

from __future__ import annotations

from .bounds import THROTTLE_RANGE
from .context import POLL_KEEP_ALIVE, MinerContext
from .contract import Family
from .exceptions import (
    MinerAuthenticationError,
    MinerConnectionError,
    MinerControlRefusedError,
    MinerError,
    MinerNotIdentifiedError,
    MinerResponseError,
    MinerScanRangeError,
    MinerScanTooLargeError,
    MinerTimeoutError,
    MinerTruncatedError,
    MinerUnsupportedError,
    MinerValueError,
    MinerWriteDisabledError,
)
from .hardware import lookup as lookup_hardware
from .hardware import nominal_efficiency
from .identify import (
    DEFAULT_IDENTIFY_TIMEOUT,
    Identification,
    detect_family,
    identify,
    identify_host,
)
from .miner import Miner
from .models import (
    Algorithm,
    Board,
    Control,
    Cooling,
    Credentials,
    Fan,
    FanMode,
    MinerIdentity,
    MinerSnapshot,
    Pool,
    PoolConfig,
    Ports,
    PowerLimitRange,
)
from .pools import parse_pool_url
from .registry import FAMILIES
from .scan import (
    MAX_SCAN_ADDRESSES,
    NeighbourTable,
    ScanProgress,
    ScanReport,
    ScanResult,
    ScanStage,
    UnsupportedMiner,
    parse_targets,
    scan,
    scan_all,
    scan_report,
)
from .units import MinerUnits, ShownUnit, miner_units, shown
from .values import clean_str, is_host_name, normalize_mac

__all__ = [
    "DEFAULT_IDENTIFY_TIMEOUT",
    "FAMILIES",
    "MAX_SCAN_ADDRESSES",
    "POLL_KEEP_ALIVE",
    "THROTTLE_RANGE",
    "Algorithm",
    "Board",
    "Control",
    "Cooling",
    "Credentials",
    "Family",
    "Fan",
    "FanMode",
    "Identification",
    "Miner",
    "MinerAuthenticationError",
    "MinerConnectionError",
    "MinerContext",
    "MinerControlRefusedError",
    "MinerError",
    "MinerIdentity",
    "MinerNotIdentifiedError",
    "MinerResponseError",
    "MinerScanRangeError",
    "MinerScanTooLargeError",
    "MinerSnapshot",
    "MinerTimeoutError",
    "MinerTruncatedError",
    "MinerUnits",
    "MinerUnsupportedError",
    "MinerValueError",
    "MinerWriteDisabledError",
    "NeighbourTable",
    "Pool",
    "PoolConfig",
    "Ports",
    "PowerLimitRange",
    "ScanProgress",
    "ScanReport",
    "ScanResult",
    "ScanStage",
    "ShownUnit",
    "UnsupportedMiner",
    "clean_str",
    "detect_family",
    "identify",
    "identify_host",
    "is_host_name",
    "lookup_hardware",
    "miner_units",
    "nominal_efficiency",
    "normalize_mac",
    "parse_pool_url",
    "parse_targets",
    "scan",
    "scan_all",
    "scan_report",
    "shown",
]
