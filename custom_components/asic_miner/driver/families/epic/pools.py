"""PowerPlay's pool list as ``POST /coin`` writes it and ``/summary`` reads it back.

``StratumConfigs`` in ``/summary`` lists the pools written, passwords included, which
the poll's pool list (``parse.py``) leaves out; ``coin`` takes the coin and up to three
stratum configs at once (API descriptions 1.22.5 and 1.30.0).
"""

from __future__ import annotations

from typing import Any

from ...exceptions import MinerResponseError
from ...models import Algorithm, PoolConfig
from ...values import clean_str


def pool_configs(summary: dict[str, Any]) -> list[PoolConfig]:
    """``StratumConfigs`` as written: URL, login and the password, which PowerPlay sends
    back, so a restore puts it back exactly."""
    configs = summary.get("StratumConfigs")
    if not isinstance(configs, list):
        raise MinerResponseError("/summary has no StratumConfigs")  # unknown, not "none"
    return [
        PoolConfig(url, clean_str(c.get("login")) or "", str(c.get("password") or ""))
        for c in configs
        if isinstance(c, dict) and (url := clean_str(c.get("pool")))
    ]


def coin_body(
    pools: list[PoolConfig], algorithm: Algorithm, summary: dict[str, Any]
) -> dict[str, Any]:
    """``POST /coin``'s param (1.30.0's API description: up to three stratum configs);
    the worker-name suffix setting (``unique_id``) stays as the miner has it."""
    stratum = summary.get("Stratum")
    unique = stratum.get("Worker Unique Id") if isinstance(stratum, dict) else None
    return {
        "coin": "LTC" if algorithm is Algorithm.SCRYPT else "BTC",
        "stratum_configs": [
            {"pool": p.url, "login": p.user, "password": p.password or "x"} for p in pools
        ],
        "unique_id": unique if isinstance(unique, bool) else False,
    }
