"""Device names and unique IDs that tell a fleet of factory-configured miners apart."""

from __future__ import annotations

from dataclasses import replace

import pytest

from custom_components.asic_miner.driver.models import MinerIdentity
from custom_components.asic_miner.naming import device_name, real_mac, unique_id_for, user_hostname

BASE = MinerIdentity("Bitmain", "S19 XP", "antminer", "Stock", "modern")


@pytest.mark.parametrize(
    ("mac", "real"),
    [
        ("02:13:aa:ff:91:f3", "02:13:AA:FF:91:F3"),
        ("AA:BB:CC:DD:EE:FF", None),
        ("00:00:00:00:00:00", None),
        ("FF:FF:FF:FF:FF:FF", None),
        ("11:11:11:11:11:11", None),
        ("01:00:5E:00:00:01", None),  # multicast
        (None, None),
        ("not a mac", None),
    ],
)
def test_real_mac(mac: str | None, real: str | None) -> None:
    assert real_mac(replace(BASE, mac=mac)) == real


@pytest.mark.parametrize(
    ("hostname", "kept"),
    [
        ("Antminer", None),
        ("antMiner", None),
        ("WhatsMiner", None),
        ("S19 XP", None),  # the model's own name
        ("s19xp", None),
        ("antminer", None),
        ("  ", None),
        (None, None),
        ("garage-rig", "garage-rig"),
        ("antminer-garage", "antminer-garage"),
    ],
)
def test_user_hostname(hostname: str | None, kept: str | None) -> None:
    assert user_hostname(replace(BASE, hostname=hostname)) == kept


@pytest.mark.parametrize(
    ("identity", "host", "name"),
    [
        (replace(BASE, hostname="garage-rig"), "192.0.2.13", "garage-rig"),
        (replace(BASE, hostname="Antminer"), "192.0.2.13", "S19 XP .13"),
        (replace(BASE, mac="02:13:AA:FF:91:F3"), "miner.example", "S19 XP FF:91:F3"),
        (replace(BASE, mac="AA:BB:CC:DD:EE:FF"), "miner.example", "S19 XP miner.example"),
        (replace(BASE, model=""), "192.0.2.7", "Bitmain .7"),
        (replace(BASE, model="", make=""), "192.0.2.7", "Miner .7"),
    ],
)
def test_device_name(identity: MinerIdentity, host: str, name: str) -> None:
    assert device_name(identity, host) == name


def test_unique_id_order() -> None:
    full = replace(BASE, mac="02:13:AA:FF:91:F3", serial="SN1", hostname="rig")
    assert unique_id_for(full, "192.0.2.1") == "0213aaff91f3"
    assert unique_id_for(replace(full, mac="AA:BB:CC:DD:EE:FF"), "192.0.2.1") == "SN1"
    assert unique_id_for(replace(full, mac=None, serial=""), "192.0.2.1") == "antminer-rig"
    anonymous = replace(full, mac=None, serial=None, hostname="Antminer")
    assert unique_id_for(anonymous, " 192.0.2.1 ") == "antminer-192.0.2.1"
