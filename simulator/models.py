"""Every simulated model in one table: family, figures, layout and the firmware it runs.

A family's ``models`` are the rows with its name (``models_of``); what a firmware
release serves beyond these figures (API generation, quirks) stays in the family's own
package, keyed by the firmware string given here. ``firmware`` is the version the
model's real firmware reports out of the box, in that firmware's own form: stock X19
and S9 Antminers report their build date (``system_filesystem_version`` equals the RPC
``CompileTime``), an S21 on 2025 firmware its ``FR-`` tag (the asic-rs v2020
``system_info`` capture, see tests/driver/fixtures/antminer/x19_bmminer/SOURCE.md).
No S9 capture is among the fixtures: its date is illustrative, its form the stock one.
"""

from __future__ import annotations

from .state import ModelSpec

ANTMINER_X19_BUILD = "Mon Jul 31 16:12:30 CST 2023"
ANTMINER_S9_BUILD = "Wed Dec  5 15:12:45 CST 2018"
ANTMINER_S21_FIRMWARE = "FR-1.12(251009-S21)"
HAMMER_BUILD = "2023-05-28 17-20-35 CST"  # the RPC CompileTime of pyasic's D10 capture
HIVEON_BUILD = "Thu Apr 10 18:12:59 UTC 2025"  # bmminer's build date, as stock reports it
LUXOS_VERSION = "2025.6.12.184512-3f2a9c1d"
BOS_25_07 = "2025-08-06-0-3881c51d-25.07-plus"
BOS_25_05_1 = "2025-06-25-0-45f356ea-25.05.1-plus"
BOS_21_09 = "2021-10-14-0-9b2a0d61-21.09-plus"

type _Row = tuple[str, str, str, float, int, int, int, int, int, int, str]

# fmt: off
_TABLE: tuple[_Row, ...] = (
    # family      make        model          TH/s    W     min   max  boards chips fans firmware
    ("antminer", "Bitmain", "S19 Pro",      110.0, 3250, 1400, 3600, 3, 114, 4, ANTMINER_X19_BUILD),
    ("antminer", "Bitmain", "S21",          200.0, 3500, 1600, 4000, 3, 108, 4, ANTMINER_S21_FIRMWARE),
    ("antminer", "Bitmain", "S9",            13.5, 1323,  600, 1500, 3,  63, 2, ANTMINER_S9_BUILD),
    ("avalon",   "Canaan",  "A1566",        185.0, 3420, 2800, 3700, 3, 160, 2, "24102401_25462b2_9ddf522"),
    ("avalon",   "Canaan",  "Nano 3S",        6.0,  140,   70,  140, 1,  12, 1, "25021401_56abae7"),
    ("avalon",   "Canaan",  "Q",             90.0, 1674,  800, 1674, 1, 160, 4, "25052801_14a19a2"),
    ("bitaxe",   "Bitaxe",  "Gamma",        1.071,   18,    5,   40, 1,   1, 1, "v2.14.2"),
    ("bitaxe",   "Bitaxe",  "Gamma Turbo",  2.142,   36,   10,   60, 1,   2, 1, "v2.12.0"),
    ("bitaxe",   "Bitaxe",  "Supra",        0.625,   15,    5,   40, 1,   1, 1, "v2.4.5"),
    ("bitaxe",   "NerdAxe", "NerdQAxe++",   4.896,   76,   52,  100, 1,   4, 2, "v2.2.2"),
    ("braiins",  "Bitmain", "S19",           95.0, 3250, 1400, 3600, 3,  76, 4, BOS_25_07),
    ("braiins",  "Bitmain", "S19j Pro",     104.0, 3068, 1400, 3600, 3, 126, 4, BOS_25_05_1),
    ("braiins",  "Bitmain", "S9",            13.5, 1323,  600, 1500, 3,  63, 2, BOS_21_09),
    ("braiins",  "Bitmain", "S19 XP",       141.0, 3010, 1400, 3600, 3, 110, 4, BOS_25_07),
    ("braiins",  "Bitmain", "S21 Pro",      234.0, 3510, 1600, 4000, 3,  65, 4, BOS_25_07),
    ("braiins",  "Bitmain", "S21+",         216.0, 3564, 1600, 4000, 3,  55, 4, BOS_25_07),
    ("epic",     "Bitmain", "S19j Pro",     104.0, 3068, 1400, 3600, 3, 126, 4, "1.8.2"),
    ("epic",     "Bitmain", "S21",          200.0, 3500, 1600, 4000, 3, 108, 4, "1.8.2"),
    ("epic",     "MicroBT", "M30S++",       112.0, 3472, 1500, 3800, 3, 255, 2, "1.8.2"),
    ("hammer",   "Hammer",  "D10",          0.005, 3400, 1500, 3800, 3, 108, 4, HAMMER_BUILD),
    ("hiveon",   "Bitmain", "S19j Pro",     104.0, 3068, 1400, 3600, 3, 126, 4, HIVEON_BUILD),
    ("hiveon",   "Bitmain", "S19",           95.0, 3250, 1400, 3600, 3,  76, 4, HIVEON_BUILD),
    ("luxos",    "Bitmain", "S19 XP",       140.0, 3010, 1400, 3600, 3, 110, 4, LUXOS_VERSION),
    ("luxos",    "Bitmain", "S21",          200.0, 3500, 1600, 4000, 3, 108, 4, LUXOS_VERSION),
    ("mskminer", "Bitmain", "S19-88",      100.0, 3350, 1500, 3700, 3,  88, 4, "2.6.0.39"),
    ("sealminer", "SealMiner", "A2",       230.5, 3500, 1500, 3900, 3, 153, 4, "2025091001"),
    ("vnish",    "Bitmain", "S19",           95.0, 3250, 1400, 3600, 3,  76, 4, "1.2.6"),
    ("vnish",    "Bitmain", "S19j Pro",     104.0, 3068, 1400, 3600, 3, 126, 4, "1.2.7"),
    ("vnish",    "Bitmain", "S21",          200.0, 3500, 1600, 4000, 3, 108, 4, "1.3.4"),
    ("whatsminer", "MicroBT", "M20S",        68.0, 3360, 3360, 3360, 3, 105, 2, "20210322.22.REL"),
    ("whatsminer", "MicroBT", "M30S+",      100.0, 3400, 1500, 3800, 3, 215, 2, "20230803.11.REL"),
    ("whatsminer", "MicroBT", "M60S",       186.0, 3441, 1500, 3900, 3, 111, 2, "20241210.17.Rel"),
    ("elphapex", "Elphapex", "DG Home 1", 0.0021,  630,  630,  630, 1, 120, 4, "DG-Home1_V1.0.5"),
    ("elphapex", "Elphapex", "DG1+",      0.0144, 3950, 3950, 3950, 4, 210, 4, "DG1+_SW_V1.0.2"),
    ("innosilicon", "Innosilicon", "T3H+",  52.0, 2800, 1200, 3100, 3, 114, 4, "4.9.2"),
    ("auradine", "Auradine", "AT1500",      180.0, 3400, 1500, 3800, 3, 132, 4, "2023-12.27"),
    ("auradine", "Auradine", "AT2880",      260.0, 4160, 1800, 4600, 3, 132, 4, "2024-06.11"),
    ("goldshell", "Goldshell", "KD5",        18.0, 2250, 2250, 2250, 4,  46, 4, "2.2.0"),
    ("goldshell", "Goldshell", "Mini DOGE", 0.000185, 233,  233,  233, 1,  40, 2, "2.2.3"),
    ("iceriver", "IceRiver", "AL3",          15.0, 3500, 3500, 3500, 3,  18, 4, "ICM168_04_02_1810_10306_miner"),
    ("iceriver", "IceRiver", "KS5L",         12.0, 3400, 3400, 3400, 3,  18, 4, "ICM168_04_01_1720_KS5Lminer"),
    ("marafw", "Bitmain", "KS5 Pro",       21.0, 3150, 1400, 3500, 3,  92, 4, "MaraFW rel 3.14_584"),
    # Makes the driver does not support: only what identification sees is simulated.
    ("proto",    "Proto",    "Rig",         200.0, 3500, 1500, 3700, 3,  76, 4, "1.8.0"),
)
# fmt: on

MODELS: tuple[ModelSpec, ...] = tuple(
    ModelSpec(*row[1:10], family=row[0], firmware=row[10]) for row in _TABLE
)


def models_of(family: str) -> dict[str, ModelSpec]:
    """A family's models by name, in table order."""
    return {spec.model: spec for spec in MODELS if spec.family == family}
