"""Hardware facts per model: a table, not a class per model.

Used for what the firmware does not say: how many chips a healthy board has, the
power range a power-limit control may offer, the nominal figures. A model missing
here still works (its miner is marked partially supported); it just lacks those extras.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Hardware:
    boards: int
    chips_per_board: int
    fans: int
    nominal_hashrate: float  # TH/s
    nominal_power: int  # W
    min_power: int
    max_power: int


HARDWARE: dict[tuple[str, str], Hardware] = {
    # Bitmain
    ("Bitmain", "S9"): Hardware(3, 63, 2, 13.5, 1323, 600, 1500),
    ("Bitmain", "S9i"): Hardware(3, 63, 2, 14.0, 1320, 600, 1500),
    ("Bitmain", "S9j"): Hardware(3, 63, 2, 14.5, 1350, 600, 1500),
    ("Bitmain", "T9+"): Hardware(3, 54, 2, 10.5, 1432, 600, 1500),
    ("Bitmain", "S17"): Hardware(3, 48, 4, 56.0, 2520, 1200, 2900),
    ("Bitmain", "S17 Pro"): Hardware(3, 48, 4, 53.0, 2094, 1200, 2900),
    ("Bitmain", "T17"): Hardware(3, 30, 4, 40.0, 2200, 1200, 2600),
    ("Bitmain", "S19"): Hardware(3, 76, 4, 95.0, 3250, 1400, 3600),
    ("Bitmain", "S19 Pro"): Hardware(3, 114, 4, 110.0, 3250, 1400, 3600),
    ("Bitmain", "S19j Pro"): Hardware(3, 126, 4, 104.0, 3068, 1400, 3600),
    ("Bitmain", "S19 XP"): Hardware(3, 110, 4, 140.0, 3010, 1400, 3600),
    ("Bitmain", "S19k Pro"): Hardware(3, 77, 4, 120.0, 2760, 1400, 3400),
    ("Bitmain", "S21"): Hardware(3, 108, 4, 200.0, 3500, 1600, 4000),
    ("Bitmain", "S21 Pro"): Hardware(3, 65, 4, 234.0, 3510, 1600, 4000),
    ("Bitmain", "S21 XP"): Hardware(3, 91, 4, 270.0, 3645, 1600, 4100),
    ("Bitmain", "T21"): Hardware(3, 108, 4, 190.0, 3610, 1600, 4000),
    # MicroBT
    ("MicroBT", "M20S"): Hardware(3, 105, 2, 68.0, 3360, 3360, 3360),
    ("MicroBT", "M30S+"): Hardware(3, 215, 2, 100.0, 3400, 1500, 3800),
    ("MicroBT", "M30S++"): Hardware(3, 255, 2, 112.0, 3472, 1500, 3800),
    ("MicroBT", "M50"): Hardware(3, 105, 2, 114.0, 3306, 1500, 3800),
    ("MicroBT", "M50S"): Hardware(3, 129, 2, 126.0, 3276, 1500, 3800),
    ("MicroBT", "M53S"): Hardware(4, 105, 0, 260.0, 6760, 3000, 7500),
    ("MicroBT", "M56S"): Hardware(3, 156, 0, 212.0, 5550, 2500, 6200),
    ("MicroBT", "M60"): Hardware(3, 111, 2, 172.0, 3422, 1500, 3900),
    ("MicroBT", "M60S"): Hardware(3, 111, 2, 186.0, 3441, 1500, 3900),
    ("MicroBT", "M63S"): Hardware(4, 111, 0, 390.0, 7215, 3500, 8000),
    ("MicroBT", "M66S"): Hardware(3, 160, 0, 298.0, 5513, 2500, 6200),
    # Canaan (Avalon): chips per board as asic-rs lists them; power range = lowest to highest mode
    ("Canaan", "Nano 3"): Hardware(1, 10, 1, 4.0, 140, 70, 140),
    ("Canaan", "Nano 3S"): Hardware(1, 12, 1, 6.0, 140, 70, 140),
    ("Canaan", "Q"): Hardware(1, 160, 4, 90.0, 1674, 800, 1674),
    ("Canaan", "A1246"): Hardware(3, 120, 4, 90.0, 3420, 2500, 3700),
    ("Canaan", "A1466"): Hardware(3, 176, 2, 150.0, 3230, 2600, 3500),
    ("Canaan", "A1566"): Hardware(3, 160, 2, 185.0, 3420, 2800, 3700),
    # Bitaxe (AxeOS): nominal = default frequency * small cores * chips; max = maxPower
    ("Bitaxe", "Max"): Hardware(1, 1, 1, 0.286, 12, 5, 25),
    ("Bitaxe", "Ultra"): Hardware(1, 1, 1, 0.434, 12, 5, 25),
    ("Bitaxe", "Supra"): Hardware(1, 1, 1, 0.625, 15, 5, 40),
    ("Bitaxe", "Gamma"): Hardware(1, 1, 1, 1.071, 18, 5, 40),
    ("Bitaxe", "Gamma Turbo"): Hardware(1, 2, 1, 2.142, 36, 10, 60),
    ("NerdAxe", "NerdQAxe+"): Hardware(1, 4, 2, 2.501, 50, 30, 70),
    ("NerdAxe", "NerdQAxe++"): Hardware(1, 4, 2, 4.896, 76, 52, 100),
}


def lookup(make: str, model: str) -> Hardware | None:
    return HARDWARE.get((make, model))
