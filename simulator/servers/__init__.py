"""Servers for each wire protocol, applying the miner's faults and reboot state."""
