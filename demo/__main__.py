"""``python -m demo``: see demo/run.py."""

import sys

from .run import main

sys.exit(main())
