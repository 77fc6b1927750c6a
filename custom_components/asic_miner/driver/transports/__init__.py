"""Wire transports: cgminer-style RPC, HTTP, and the Whatsminer APIs.

Each transport owns its deadlines and size bounds and raises only driver exceptions.
"""
