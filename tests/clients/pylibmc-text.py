#!/usr/bin/python3
"""pylibmc (python3-pylibmc, libmemcached), text protocol: the common
operations (scenario.py)."""
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
                                behaviors={"cas": True, "connect_timeout": 3000,
                                           "receive_timeout": 3000000,
                                           "send_timeout": 3000000})


scenario.main(Adapter)
