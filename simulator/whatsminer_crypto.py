"""Moved to ``simulator/families/whatsminer/crypto.py``; this name stays for old imports.

The module object is the moved one itself, so every name (private ones included) and
every patch a test applies reach the same code.
"""

import sys

from .families.whatsminer import crypto

sys.modules[__name__] = crypto
