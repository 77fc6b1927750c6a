"""Firmware families: one module or package each, registered in ``registry.py``."""
