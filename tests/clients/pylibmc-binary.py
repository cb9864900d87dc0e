#!/usr/bin/python3
"""pylibmc (python3-pylibmc, libmemcached), binary protocol (binary=True): the
common operations (scenario.py)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pylibmc  # noqa: E402
import scenario  # noqa: E402


class Adapter(scenario.ClientAdapter):
    name = "pylibmc"
    errors = (pylibmc.Error,)

    def __init__(self):
        self.c = pylibmc.Client([os.environ["MEMCACHED_SERVERS"]],
                                binary=True, behaviors={"cas": True, "connect_timeout": 3000,
                                           "receive_timeout": 3000000,
                                           "send_timeout": 3000000})

    def replace(self, k, v):
        try:
            return bool(self.c.replace(k, v))
        except pylibmc.NotFound:
            # Text mode answers False; binary mode raises (the same against
            # memcached 1.6.18): kept as a finding, the miss read as False.
            scenario.finding("replace of a missing key raises NotFound "
                             "(text mode returns False)")
            return False


scenario.main(Adapter)
