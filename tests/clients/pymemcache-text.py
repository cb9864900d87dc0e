#!/usr/bin/python3
"""pymemcache (python3-pymemcache): the common operations (scenario.py),
with its default noreply on sets and a noreply set of its own."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pymemcache.client.base import Client  # noqa: E402
from pymemcache import exceptions  # noqa: E402
import scenario  # noqa: E402


class Adapter:
    name = "pymemcache"
    errors = (exceptions.MemcacheError, OSError)

    def __init__(self):
        host, port = os.environ["MEMCACHED_SERVERS"].rsplit(":", 1)
        self.c = Client((host, int(port)), connect_timeout=3, timeout=3)

    def set(self, k, v):
        return bool(self.c.set(k, v, noreply=False))

    def set_noreply(self, k, v):
        return self.c.set(k, v, noreply=True)

    def get(self, k):
        return self.c.get(k)

    def add(self, k, v):
        return bool(self.c.add(k, v, noreply=False))

    def replace(self, k, v):
        return bool(self.c.replace(k, v, noreply=False))

    def delete(self, k):
        return bool(self.c.delete(k, noreply=False))

    def incr(self, k, d):
        return self.c.incr(k, d)

    def decr(self, k, d):
        return self.c.decr(k, d)

    def gets(self, k):
        return self.c.gets(k)

    def cas(self, k, v, cas_id):
        return bool(self.c.cas(k, v, cas_id, noreply=False))

    def touch(self, k, t):
        return bool(self.c.touch(k, t, noreply=False))

    def get_multi(self, keys):
        return self.c.get_many(keys)


scenario.main(Adapter)
