"""A small Pyramid app whose sessions and cache regions live in mcref (or
any memcached) through Beaker.

pyramid_beaker is not packaged in Debian, so this app configures Beaker
from its settings the way pyramid_beaker does: `session.*` settings make
the session factory, `cache.*` settings make the cache regions (each region
takes the `cache.*` defaults and its own `cache.<region>.*` overrides).
Switching memcached client is one setting: session.memcache_module and
cache.memcache_module (memcache = python-memcache, pylibmc = pylibmc).

A cache server that restarts loses its data; the app must then see a miss,
never an error. python-memcache turns a dropped connection into a miss by
itself (and skips the server for its dead_retry, 30 s); pylibmc raises once
on the dropped connection and reconnects on the next call, so the session
load and the cached function below try once more, then treat a second
failure as a miss.

Run it:  python3 app.py 127.0.0.1:11211 [memcache|pylibmc]   (port 6543)
"""

import sys
import time

from beaker.cache import cache_region, cache_regions
from beaker.session import SessionObject
from beaker.util import coerce_session_params, parse_cache_config_options
from pyramid.config import Configurator
from pyramid.interfaces import ISession
from pyramid.response import Response
from zope.interface import implementer

try:
    import pylibmc
    CACHE_ERRORS = (pylibmc.Error,)
except ImportError:  # python-memcache alone: it raises nothing of this kind
    CACHE_ERRORS = ()


def settings_for(servers, module="memcache", timeout=600,
                 lock_dir="/tmp/mcref-pyramid-demo/lock"):
    """The settings an .ini file would hold, pointing at `servers`."""
    return {
        "session.type": "ext:memcached",
        "session.url": servers,
        "session.memcache_module": module,
        "session.key": "demo_session",
        "session.secret": "change-me",
        "session.timeout": str(timeout),
        "session.lock_dir": lock_dir,
        "cache.regions": "short_term, long_term",
        "cache.type": "ext:memcached",
        "cache.url": servers,
        "cache.memcache_module": module,
        "cache.lock_dir": lock_dir,
        "cache.short_term.expire": "60",
        "cache.long_term.expire": "3600",
    }


# ---- Beaker from settings, as pyramid_beaker would do it ---------------------------

def session_factory_from_settings(settings):
    options = {k[len("session."):]: v for k, v in settings.items()
               if k.startswith("session.")}
    coerce_session_params(options)

    @implementer(ISession)
    class BeakerSession(SessionObject):
        """A Beaker session as Pyramid's ISession; saved and its cookie set
        by a response callback when the request touched it."""

        def __init__(self, request):
            SessionObject.__init__(self, request.environ, **options)
            request.add_response_callback(self._persist)

        def _session(self):
            try:
                return SessionObject._session(self)
            except CACHE_ERRORS:
                # A dropped connection (the server restarted): the client
                # reconnects on this second call.
                return SessionObject._session(self)

        def _persist(self, request, response):
            if not self.accessed():
                return
            self.persist()
            headers = self.__dict__["_headers"]
            if headers.get("set_cookie") and headers.get("cookie_out"):
                response.headerlist.append(("Set-Cookie", headers["cookie_out"]))

        # ISession
        @property
        def new(self):
            return self.last_accessed is None

        @property
        def created(self):
            return self["_creation_time"]

        def changed(self):
            self.save()

        def invalidate(self):
            self._session().invalidate()
            self.save()

        def flash(self, msg, queue="", allow_duplicate=True):
            key = "_f_" + queue
            messages = self.setdefault(key, [])
            if allow_duplicate or msg not in messages:
                messages.append(msg)
            self.save()

        def pop_flash(self, queue=""):
            messages = self.pop("_f_" + queue, [])
            self.save()
            return messages

        def peek_flash(self, queue=""):
            return self.get("_f_" + queue, [])

        def new_csrf_token(self):
            import os
            token = os.urandom(20).hex()
            self["_csrft_"] = token
            self.save()
            return token

        def get_csrf_token(self):
            return self.get("_csrft_") or self.new_csrf_token()

    return BeakerSession


def set_cache_regions_from_settings(settings):
    options = parse_cache_config_options(settings)
    regions = options.pop("cache_regions", {})
    defaults = {k: v for k, v in options.items() if k != "enabled"}
    for name, region in regions.items():
        merged = dict(defaults)
        merged.update({k: v for k, v in region.items() if v is not None})
        cache_regions[name] = merged


# ---- the app -----------------------------------------------------------------------

# How often the "expensive" function really ran: the test checks the cache.
COMPUTED = {"square": 0}


def compute_square(n):
    COMPUTED["square"] += 1
    return n * n


@cache_region("short_term", "square")
def cached_square(n):
    return compute_square(n)


def expensive_square(n):
    """The cached value; a cache that fails twice is a miss."""
    for _ in range(2):
        try:
            return cached_square(n)
        except CACHE_ERRORS:
            pass
    return compute_square(n)


def login(request):
    user = request.params.get("user", "")
    if not user:
        return Response("who are you?\n", status=400)
    request.session["user"] = user
    request.session["count"] = 0
    request.session.changed()
    return Response("hello %s\n" % user)


def count(request):
    if "user" not in request.session:
        return Response("log in first\n", status=403)
    request.session["count"] = request.session.get("count", 0) + 1
    request.session.changed()
    return Response("%s: %d\n" % (request.session["user"], request.session["count"]))


def logout(request):
    request.session.invalidate()
    return Response("bye\n")


def square(request):
    n = int(request.matchdict["n"])
    return Response("%d\n" % expensive_square(n))


def main(global_config=None, **settings):
    set_cache_regions_from_settings(settings)
    config = Configurator(settings=settings)
    config.set_session_factory(session_factory_from_settings(settings))
    config.add_route("login", "/login")
    config.add_route("count", "/count")
    config.add_route("logout", "/logout")
    config.add_route("square", "/square/{n:\\d+}")
    config.add_view(login, route_name="login")
    config.add_view(count, route_name="count")
    config.add_view(logout, route_name="logout")
    config.add_view(square, route_name="square")
    return config.make_wsgi_app()


if __name__ == "__main__":
    from wsgiref.simple_server import make_server
    servers = sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1:11211"
    module = sys.argv[2] if len(sys.argv) > 2 else "memcache"
    app = main(**settings_for(servers, module))
    print("serving on http://127.0.0.1:6543 (sessions in %s via %s)" % (servers, module))
    make_server("127.0.0.1", 6543, app).serve_forever()
