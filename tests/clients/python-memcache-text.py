#!/usr/bin/python3
"""python-memcache (python3-memcache): the common operations (scenario.py)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import memcache  # noqa: E402
import scenario  # noqa: E402


class Adapter(scenario.ClientAdapter):
    name = "python-memcache"
    errors = (memcache.Client.MemcachedKeyError, OSError)

    def __init__(self):
        self.c = memcache.Client([os.environ["MEMCACHED_SERVERS"]],
                                 cache_cas=True, socket_timeout=3)

    def gets(self, k):
        v = self.c.gets(k)
        return (v, self.c.cas_ids.get(k))

    def cas(self, k, v, _cas_id):
        return bool(self.c.cas(k, v))

    def get_multi(self, keys):
        got = self.c.get_multi(keys)
        return {k: (str(v).encode() if isinstance(v, int) else v)
                for k, v in got.items()}


scenario.main(Adapter)
