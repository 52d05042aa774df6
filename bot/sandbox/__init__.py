"""Demo mode: the fake platforms inside the service (``/sandbox`` and a loopback API port), or
forwarded to the primary worker's copy.
"""
