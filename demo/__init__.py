"""A demo Home Assistant with a simulated fleet: ``scripts/demo`` runs it.

Not shipped to users and not part of the test suite. ``python -m demo`` (from the
repository root, with ``.venv-demo``'s Python) starts the fleet of
``simulator/fleets/demo.toml`` on loopback, a Home Assistant on http://127.0.0.1:8123
with the integration loaded from the working tree, onboards it, adds the fleet through
the integration's own config flow (a scan of the fleet's subnet) and builds a dashboard.
``python -m demo.screenshots`` takes the README's screenshots of a running demo.
"""
