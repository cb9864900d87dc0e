#!/usr/bin/python3
"""pylibmc (python3-pylibmc, libmemcached), binary protocol (binary=True): the
common operations (scenario.py)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pylibmc  # noqa: E402
import scenario  # noqa: E402


class Adapter:
    name = "pylibmc"
    errors = (pylibmc.Error,)

    def __init__(self):
        self.c = pylibmc.Client([os.environ["MEMCACHED_SERVERS"]],
                                binary=True, behaviors={"cas": True, "connect_timeout": 3000,
                                           "receive_timeout": 3000000,
                                           "send_timeout": 3000000})

    def set(self, k, v):
        return bool(self.c.set(k, v))

    def get(self, k):
        return self.c.get(k)

    def add(self, k, v):
        return bool(self.c.add(k, v))

    def replace(self, k, v):
        try:
            return bool(self.c.replace(k, v))
        except pylibmc.NotFound:
            # Text mode answers False; binary mode raises (the same against
            # memcached 1.6.18): kept as a finding, the miss read as False.
            scenario.finding("replace of a missing key raises NotFound "
                             "(text mode returns False)")
            return False

    def delete(self, k):
        return bool(self.c.delete(k))

    def incr(self, k, d):
        return self.c.incr(k, d)

    def decr(self, k, d):
        return self.c.decr(k, d)

    def gets(self, k):
        return self.c.gets(k)

    def cas(self, k, v, cas_id):
        return bool(self.c.cas(k, v, cas_id))

    def touch(self, k, t):
        return bool(self.c.touch(k, t))

    def get_multi(self, keys):
        return self.c.get_multi(keys)


scenario.main(Adapter)
