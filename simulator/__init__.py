"""Simulated ASIC miners speaking the real wire protocols on loopback addresses.

Not shipped to users: the tests, benchmarks and the demo run against it. It never
imports the driver, so a misunderstanding of a protocol cannot hide by being shared
by both sides.
"""
