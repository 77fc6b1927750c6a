"""Hardware facts per model: a table, not a class per model.

Used for what the firmware does not say: how many chips a healthy board has, the
power range a power-limit control may offer, the nominal figures. A model missing
here still works (its miner is marked partially supported); it just lacks those extras.

Where the figures come from:

- boards, chips per board and fans: pyasic's per-model device table
  (``pyasic/miners/device/models``). A Whatsminer model name covers several chip
  generations (``M30S+`` is ``V10`` ... ``VJ40``) with different chip counts; where
  those disagree the chip count is ``None`` here (the firmware's own count is used);
- nominal hashrate and power: the maker's launch specification for the standard
  configuration, rounded;
- power range: measured bounds for the first models; for the rest (rows built with
  :func:`_spec`) 45 % of nominal power rounded down to 100 W, up to 110 % rounded up,
  the span btminer and Braiins OS accept on the models where both are known; models
  without a power limit (rows built with :func:`_fixed`) run at their one power figure.

A model missing here falls back to :func:`make_power_range`: one range per maker that
covers every model of that maker in this table, the firmware refusing what its model
cannot do.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .models import Algorithm, PowerLimitRange


@dataclass(frozen=True, slots=True)
class Hardware:
    boards: int
    chips_per_board: int | None  # None: the model's variants differ
    fans: int
    nominal_hashrate: float  # TH/s
    nominal_power: int  # W
    min_power: int
    max_power: int
    algorithm: Algorithm = Algorithm.SHA256  # decides the hashrate unit shown


def _spec(boards: int, chips: int | None, fans: int, ths: float, watts: int) -> Hardware:
    """A row whose power range follows the rule in the module docstring."""
    low = math.floor(watts * 0.45 / 100) * 100
    high = math.ceil(watts * 1.10 / 100) * 100
    return Hardware(boards, chips, fans, ths, watts, low, high)


def _fixed(
    boards: int, chips: int | None, fans: int, rate: float, watts: int, *, algorithm: Algorithm
) -> Hardware:
    """A row for a fixed power plan (no power limit): the range is the one power figure."""
    return Hardware(boards, chips, fans, rate, watts, watts, watts, algorithm)


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
    ("Bitmain", "S19j"): _spec(3, 114, 4, 90.0, 3100),
    ("Bitmain", "S19i"): _spec(3, 80, 4, 91.0, 3003),
    ("Bitmain", "S19+"): _spec(3, 80, 4, 104.0, 3068),
    ("Bitmain", "S19a"): _spec(3, 72, 4, 96.0, 3168),
    ("Bitmain", "S19a Pro"): _spec(3, 100, 4, 110.0, 3250),
    ("Bitmain", "S19 Pro+"): _spec(3, 120, 4, 120.0, 3355),
    ("Bitmain", "S19j Pro+"): _spec(3, 120, 4, 122.0, 3355),
    ("Bitmain", "S19j XP"): _spec(3, 110, 4, 151.0, 3247),
    ("Bitmain", "S19 XP+"): _spec(3, 108, 4, 150.0, 3225),
    ("Bitmain", "S19L"): _spec(3, 76, 4, 95.0, 3250),
    ("Bitmain", "S19 Hydro"): _spec(4, 104, 0, 158.0, 5451),
    ("Bitmain", "S19 Pro Hydro"): _spec(4, 180, 0, 177.0, 5428),
    ("Bitmain", "S19 Pro+ Hydro"): _spec(4, 180, 0, 198.0, 5445),
    ("Bitmain", "S19 XP Hydro"): _spec(3, 204, 0, 255.0, 5304),
    ("Bitmain", "T19"): _spec(3, 76, 4, 84.0, 3150),
    ("Bitmain", "S21+"): _spec(3, 55, 4, 216.0, 3564),
    ("Bitmain", "S21 Hydro"): _spec(3, 216, 0, 335.0, 5360),
    ("Bitmain", "S21+ Hydro"): _spec(3, 95, 0, 358.0, 5370),
    # KS5 Pro (kHeavyHash): 21 TH/s at 3150 W, the maker's figures; 3 boards of 92 chips
    # and 4 fans (asic-rs's model table; MaraFW rel 3.14 reports 92 chips a board too);
    # power range by _spec's rule
    ("Bitmain", "KS5 Pro"): Hardware(3, 92, 4, 21.0, 3150, 1400, 3500, Algorithm.KHEAVYHASH),
    # MSKMiner's name for the S19 on 88-chip boards (pyasic: S19 NoPIC, 3 x 88 chips, 4
    # fans); nominal figures from its 2.6.0.39 capture (total_rateideal, total_power).
    ("Bitmain", "S19-88"): _spec(3, 88, 4, 100.0, 3350),
    # MicroBT
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
    ("MicroBT", "M20S"): _spec(3, None, 2, 68.0, 3360),
    ("MicroBT", "M21S"): _spec(3, None, 2, 56.0, 3360),
    ("MicroBT", "M30S"): _spec(3, None, 2, 88.0, 3344),
    ("MicroBT", "M31S"): _spec(3, None, 2, 76.0, 3220),
    ("MicroBT", "M31S+"): _spec(3, None, 2, 82.0, 3362),
    ("MicroBT", "M32"): _spec(3, None, 2, 62.0, 3348),
    ("MicroBT", "M33S+"): _spec(4, None, 0, 202.0, 6464),
    ("MicroBT", "M33S++"): _spec(4, None, 0, 242.0, 7260),
    ("MicroBT", "M50S+"): _spec(3, None, 2, 140.0, 3360),
    ("MicroBT", "M50S++"): _spec(3, None, 2, 150.0, 3300),
    ("MicroBT", "M53"): _spec(4, None, 0, 226.0, 6554),
    ("MicroBT", "M53S+"): _spec(4, None, 0, 320.0, 7040),
    ("MicroBT", "M53S++"): _spec(4, None, 0, 320.0, 6080),
    ("MicroBT", "M56"): _spec(4, 108, 0, 194.0, 5550),
    ("MicroBT", "M56S+"): _spec(4, None, 0, 242.0, 5566),
    ("MicroBT", "M56S++"): _spec(4, None, 0, 254.0, 5588),
    ("MicroBT", "M60S+"): _spec(3, None, 2, 200.0, 3400),
    ("MicroBT", "M60S++"): _spec(3, None, 2, 212.0, 3392),
    ("MicroBT", "M61"): _spec(3, None, 2, 158.0, 3560),
    ("MicroBT", "M61S"): _spec(3, None, 2, 180.0, 3420),
    ("MicroBT", "M63"): _spec(4, None, 0, 334.0, 6646),
    ("MicroBT", "M63S+"): _spec(4, None, 0, 424.0, 7208),
    ("MicroBT", "M63S++"): _spec(4, 380, 0, 464.0, 7200),
    ("MicroBT", "M66"): _spec(4, None, 0, 240.0, 5280),
    ("MicroBT", "M66S+"): _spec(4, None, 0, 318.0, 5247),
    ("MicroBT", "M66S++"): _spec(3, 368, 0, 356.0, 5518),
    # Canaan (Avalon): chips per board as asic-rs lists them; power range = lowest to highest mode
    ("Canaan", "Nano 3"): Hardware(1, 10, 1, 4.0, 140, 70, 140),
    ("Canaan", "Nano 3S"): Hardware(1, 12, 1, 6.0, 140, 70, 140),
    ("Canaan", "Q"): Hardware(1, 160, 4, 90.0, 1674, 800, 1674),
    ("Canaan", "A1246"): Hardware(3, 120, 4, 90.0, 3420, 2500, 3700),
    ("Canaan", "A1466"): Hardware(3, 176, 2, 150.0, 3230, 2600, 3500),
    ("Canaan", "A1566"): Hardware(3, 160, 2, 185.0, 3420, 2800, 3700),
    # Hammer (Scrypt): 5 GH/s at 3400 W, the maker's figures (pyasic's 2023-05-28 capture
    # hashes 4.69-4.89 GH/s, which fits); 3 boards of 108 chips (pyasic's model table and
    # capture); 4 fans: pyasic's table says 2, but its capture reports fan1-fan4 spinning
    ("Hammer", "D10"): Hardware(3, 108, 4, 0.005, 3400, 1500, 3800, Algorithm.SCRYPT),
    # SealMiner: 3 boards of 153 chips, 4 fans, rated 230.8 TH/s at a 3500 W limit (the
    # asic-rs capture of firmware 2025091001: MHS(Rated), Power Limit)
    ("SealMiner", "A2"): _spec(3, 153, 4, 230.8, 3500),
    # Bitaxe (AxeOS): nominal = default frequency * small cores * chips; max = maxPower
    ("Bitaxe", "Max"): Hardware(1, 1, 1, 0.286, 12, 5, 25),
    ("Bitaxe", "Ultra"): Hardware(1, 1, 1, 0.434, 12, 5, 25),
    ("Bitaxe", "Supra"): Hardware(1, 1, 1, 0.625, 15, 5, 40),
    ("Bitaxe", "Gamma"): Hardware(1, 1, 1, 1.071, 18, 5, 40),
    ("Bitaxe", "Gamma Turbo"): Hardware(1, 2, 1, 2.142, 36, 10, 60),
    ("NerdAxe", "NerdQAxe+"): Hardware(1, 4, 2, 2.501, 50, 30, 70),
    ("NerdAxe", "NerdQAxe++"): Hardware(1, 4, 2, 4.896, 76, 52, 100),
    # Auradine Teraflux: 3 boards (asic-rs's AT1500 asccount: 396 chips on 3 boards)
    ("Auradine", "AT1500"): _spec(3, 132, 4, 180.0, 3400),
    ("Auradine", "AT2880"): _spec(3, None, 4, 260.0, 4160),
    # Elphapex (Scrypt): boards, chips and fans from asic-rs's model table (the DG Home
    # fills one of its four slots, as its 1.0.5 capture shows); no power limit.
    ("Elphapex", "DG1"): _fixed(4, 144, 4, 0.011, 3420, algorithm=Algorithm.SCRYPT),
    ("Elphapex", "DG1+"): _fixed(4, 210, 4, 0.0144, 3950, algorithm=Algorithm.SCRYPT),
    ("Elphapex", "DG Home 1"): _fixed(1, 120, 4, 0.0021, 630, algorithm=Algorithm.SCRYPT),
    # Innosilicon: 3 chains of 114 chips and 4 fans (pyasic's T3H+ table, checked 2026-12);
    # 52 TH/s at 2800 W is the T3 series' published sheet, not read from a capture: no
    # public source here names the T3H+'s own figures.
    ("Innosilicon", "T3H+"): _spec(3, 114, 4, 52.0, 2800),
    # Goldshell: boards, chips and fans from pyasic's model table (KD5 4 x 46 chips, 4 fans,
    # Kadena; Mini DOGE 1 x 40 chips, 2 fans, Scrypt: checked 2026-12), rates and power the
    # maker's; no power limit (a fixed power plan), so one power figure
    ("Goldshell", "KD5"): _fixed(4, 46, 4, 18.0, 2250, algorithm=Algorithm.BLAKE2S),
    ("Goldshell", "Mini DOGE"): _fixed(1, 40, 2, 0.000185, 233, algorithm=Algorithm.SCRYPT),
    # IceRiver: the maker's launch figures; fans, the KS3/AL3 boards and the KS3M/KS5L chips
    # from pyasic's model table (its KS0 lists no fan), the AL3's 18 chips a board from the
    # live 10306 capture (pyasic says 156); one board for KS0-KS2 and three for KS5 are
    # ours (pyasic names none); no power limit, so one power figure. kHeavyHash, Blake3.
    ("IceRiver", "KS0"): _fixed(1, None, 0, 0.1, 65, algorithm=Algorithm.KHEAVYHASH),
    ("IceRiver", "KS0 Pro"): _fixed(1, None, 0, 0.2, 100, algorithm=Algorithm.KHEAVYHASH),
    ("IceRiver", "KS1"): _fixed(1, None, 4, 1.0, 600, algorithm=Algorithm.KHEAVYHASH),
    ("IceRiver", "KS2"): _fixed(1, None, 4, 2.0, 1200, algorithm=Algorithm.KHEAVYHASH),
    ("IceRiver", "KS3"): _fixed(3, None, 4, 8.0, 3200, algorithm=Algorithm.KHEAVYHASH),
    ("IceRiver", "KS3L"): _fixed(3, None, 4, 5.0, 3200, algorithm=Algorithm.KHEAVYHASH),
    ("IceRiver", "KS3M"): _fixed(3, 18, 4, 6.0, 3400, algorithm=Algorithm.KHEAVYHASH),
    ("IceRiver", "KS5L"): _fixed(3, 18, 4, 12.0, 3400, algorithm=Algorithm.KHEAVYHASH),
    ("IceRiver", "KS5M"): _fixed(3, None, 4, 15.0, 3400, algorithm=Algorithm.KHEAVYHASH),
    ("IceRiver", "AL3"): _fixed(3, 18, 4, 15.0, 3500, algorithm=Algorithm.BLAKE3),
}


def lookup(make: str, model: str) -> Hardware | None:
    return HARDWARE.get((make, model))


def model_power_range(make: str, model: str) -> PowerLimitRange | None:
    """The model's power range from the table, ``None`` for a model not in it."""
    hardware = lookup(make, model)
    if hardware is None:
        return None
    return PowerLimitRange(hardware.min_power, hardware.max_power)


def make_power_range(make: str) -> PowerLimitRange | None:
    """One range covering every model of ``make`` in the table; ``None`` for another make.

    For a model the table does not know yet: wide enough for whichever model it is,
    and the firmware itself refuses a value its model cannot do.
    """
    rows = [hw for (row_make, _model), hw in HARDWARE.items() if row_make == make]
    if not rows:
        return None
    return PowerLimitRange(min(hw.min_power for hw in rows), max(hw.max_power for hw in rows))


def nominal_efficiency(make: str, model: str) -> float | None:
    """The model's nominal J/TH (nominal W / nominal TH/s); ``None`` for a model not in it.

    For firmware that reports no watts (stock Antminer): nominal efficiency times the
    live hashrate is the one honest estimate of its power, and it is named an estimate.
    """
    hardware = lookup(make, model)
    if hardware is None or hardware.nominal_hashrate <= 0:
        return None
    return hardware.nominal_power / hardware.nominal_hashrate
