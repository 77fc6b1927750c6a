"""``python -m custom_components.asic_miner.driver``: see ``cli.py``."""

from __future__ import annotations

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
