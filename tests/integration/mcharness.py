"""Shared helpers for the mcref integration tests.

Everything here uses only the Python standard library, so it runs under
Debian's /usr/bin/python3 next to the Debian-packaged memcached clients.

* server_bin() / is_memcached(): which server is under test.  MCREF_BIN picks
  the binary (default build/release/mcref relative to the repository root).
* Server: starts the binary on a free 127.0.0.1 port in 22000-22999 (or
  MCREF_IT_PORTS=LO-HI, e.g. a helper's own range), waits
  until it answers `version` (and, when possible, checks that `stats pid` is
  the process we started), stops it by PID.  Every child is started with
  PR_SET_PDEATHSIG=SIGKILL so nothing outlives a killed test process.
* Conn: a raw text-protocol connection with a timeout on every operation.
* test() / main(): a tiny registry + runner printing `PASS name` /
  `FAIL name: reason`, one line per test, with a per-test SIGALRM guard.
"""

import ctypes
import os
import random
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
PORT_LO, PORT_HI = (int(p) for p in os.environ.get(
    "MCREF_IT_PORTS", "22000-22999").split("-"))
HOST = "127.0.0.1"

_libc = ctypes.CDLL(None, use_errno=True)
PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36


# --------------------------------------------------------------------------
# which server


def server_bin():
    b = os.environ.get("MCREF_BIN", "build/release/mcref")
    if not os.path.isabs(b):
        b = os.path.join(REPO, b)
    return b


_is_mc = None


def is_memcached():
    """True when the binary under test is the real memcached.

    Used only where memcached 1.6.18's behaviour is approximate or
    version-specific; mcref is then held to an exact rule.  Override with
    MCREF_IS_MEMCACHED=0/1.  Otherwise: a `-V` output naming mcref means
    mcref; else a binary whose real name starts with "memcached" and whose
    `-V` says "memcached 1." is memcached; anything else is treated as mcref
    (i.e. the exact rules apply)."""
    global _is_mc
    if _is_mc is not None:
        return _is_mc
    env = os.environ.get("MCREF_IS_MEMCACHED")
    if env in ("0", "1"):
        _is_mc = env == "1"
        return _is_mc
    try:
        out = subprocess.run([server_bin(), "-V"], capture_output=True,
                             timeout=5).stdout.decode("latin-1")
    except Exception:
        out = ""
    name = os.path.basename(os.path.realpath(server_bin()))
    if "mcref" in out.lower():
        _is_mc = False
    else:
        _is_mc = name.startswith("memcached") and out.startswith("memcached 1.")
    return _is_mc


def server_kind():
    return "memcached" if is_memcached() else "mcref"


def user_args(args):
    """`-u root` when running as root and the test did not choose -u."""
    if os.geteuid() == 0 and "-u" not in args and not any(
            a.startswith("--user") for a in args):
        return ["-u", "root"]
    return []


# --------------------------------------------------------------------------
# ports


def port_free(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind((HOST, port))
        return True
    except OSError:
        return False
    finally:
        s.close()


_used_ports = set()


def pick_port():
    for _ in range(500):
        p = random.randint(PORT_LO, PORT_HI)
        if p in _used_ports:
            if len(_used_ports) > (PORT_HI - PORT_LO) // 2:
                _used_ports.clear()  # a small range (MCREF_IT_PORTS): reuse
            continue
        if port_free(p):
            _used_ports.add(p)
            return p
    raise RuntimeError("no free port in %d-%d" % (PORT_LO, PORT_HI))


# --------------------------------------------------------------------------
# processes


def _child_setup():
    # die with the test process, whatever kills it
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    os.setpgid(0, 0)  # own process group: terminal ^C goes to the runner only


def become_subreaper():
    """Orphaned descendants (a daemonized server) get re-parented to us, so
    we can waitpid() them and see their exit status."""
    return _libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0


def raise_nofile(n):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(max(soft, n), hard) if hard != resource.RLIM_INFINITY else max(soft, n)
    if want > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def pid_alive(pid):
    """True while pid exists and is not a zombie."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            st = f.read()
    except OSError:
        return False
    state = st[st.rindex(")") + 2:].split()[0]
    return state not in ("Z", "X")


def wait_pid_exit(pid, timeout):
    """Wait for a pid that may or may not be our child.  Returns the exit
    status when we could reap it (child or re-parented orphan), True when it
    vanished otherwise, None on timeout."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            wpid, status = os.waitpid(pid, os.WNOHANG)
            if wpid == pid:
                return os.waitstatus_to_exitcode(status)
        except ChildProcessError:
            if not pid_alive(pid):
                return True
        time.sleep(0.02)
    return None


def kill_pid(pid, sig=signal.SIGKILL):
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


class ServerError(Exception):
    pass


class Server:
    """One server process on its own port.

    args: extra command-line flags.  -p/-l are added by Server (unless
    port/listen are given as None), and `-u root` when euid is 0 and args
    has no -u.  stderr/stdout go to temp files (self.stderr_text())."""

    def __init__(self, args=(), port=None, listen=HOST, check_pid=True,
                 add_user=True, ready_timeout=8.0):
        self.args = list(args)
        self.fixed_port = port
        self.port = port
        self.listen = listen
        self.check_pid = check_pid
        self.add_user = add_user
        self.ready_timeout = ready_timeout
        self.proc = None
        self.pid = None
        self.expect_exit = False  # set by tests that stop the server themselves
        self._tmp = tempfile.mkdtemp(prefix="mcref-it-")
        self.stderr_path = os.path.join(self._tmp, "stderr")
        self.stdout_path = os.path.join(self._tmp, "stdout")

    # argv -------------------------------------------------------------
    def argv(self):
        a = [server_bin(), "-p", str(self.port)]
        if self.listen:
            a += ["-l", self.listen]
        if self.add_user:
            a += user_args(self.args)
        return a + self.args

    # lifecycle ---------------------------------------------------------
    def start(self):
        tries = 1 if self.fixed_port else 4
        last = ""
        for _ in range(tries):
            if not self.fixed_port:
                self.port = pick_port()
            self._spawn()
            ok, last = self._wait_ready()
            if ok:
                return self
            self._reap()
            # exited early (port raced away?) -> another port
        raise ServerError("server did not come up: %s; argv=%s; stderr=%r" % (
            last, " ".join(self.argv()), self.stderr_text()[-400:]))

    def _spawn(self):
        self._err = open(self.stderr_path, "wb")
        self._out = open(self.stdout_path, "wb")
        self.proc = subprocess.Popen(self.argv(), stdin=subprocess.DEVNULL,
                                     stdout=self._out, stderr=self._err,
                                     preexec_fn=_child_setup, close_fds=True)
        self.pid = self.proc.pid

    def _wait_ready(self):
        end = time.monotonic() + self.ready_timeout
        why = "timeout"
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                return False, "exited rc=%s" % self.proc.returncode
            try:
                c = Conn(self.port, timeout=1.0)
            except OSError as e:
                why = "connect: %s" % e
                time.sleep(0.02)
                continue
            try:
                v = c.cmd("version")
                if not v.startswith("VERSION "):
                    return False, "bad version reply %r" % v
                if self.check_pid:
                    st = c.stats()
                    if st.get("pid") and int(st["pid"]) != self.pid:
                        return False, "port answered by pid %s, not %d" % (st["pid"], self.pid)
                return True, ""
            except OSError as e:
                why = "version: %s" % e
                time.sleep(0.02)
            finally:
                c.close()
        return False, why

    def _reap(self):
        if self.proc and self.proc.poll() is None:
            kill_pid(self.proc.pid, signal.SIGKILL)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                pass
        for f in (getattr(self, "_err", None), getattr(self, "_out", None)):
            if f:
                f.close()

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def send_signal(self, sig):
        if self.alive():
            os.kill(self.proc.pid, sig)

    def wait(self, timeout):
        """Exit code, or None if still running after timeout."""
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self, sig=signal.SIGTERM, timeout=5.0):
        """Signal by PID, wait; SIGKILL if it does not exit.  Returns rc."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            try:
                os.kill(self.proc.pid, sig)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                kill_pid(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        self._reap()
        return self.proc.returncode

    def stderr_text(self):
        try:
            with open(self.stderr_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    # helpers -----------------------------------------------------------
    def conn(self, timeout=5.0):
        return Conn(self.port, timeout=timeout)

    def stats(self, sub=None):
        c = self.conn()
        try:
            return c.stats(sub)
        finally:
            c.close()

    def close(self):
        """Stop (by PID) if still running and remove the temp files.

        mcref is stopped with SIGTERM, so that it exits through main (its
        coverage data and leak checks depend on that); memcached, which
        takes up to a second to notice SIGTERM, is killed."""
        self.stop(signal.SIGKILL if is_memcached() else signal.SIGTERM)
        shutil.rmtree(self._tmp, ignore_errors=True)

    def __enter__(self):
        try:
            return self.start()
        except BaseException:
            self.close()
            raise

    def __exit__(self, *exc):
        # A server that died during a passing test fails the test.  The
        # teardown stops mcref with SIGTERM and memcached with SIGKILL (see
        # close()).
        died = self.proc is not None and self.proc.poll() is not None
        rc = self.proc.returncode if died else None
        tail = self.stderr_text()[-300:] if died else ""
        self.close()
        if died and exc[0] is None and not self.expect_exit:
            raise AssertionError("server exited during the test (rc=%s); stderr tail: %r"
                                 % (rc, tail))
        return False


# --------------------------------------------------------------------------
# raw connection


class Conn:
    def __init__(self, port, timeout=5.0, host=HOST):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.settimeout(timeout)
        self.buf = b""

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.close()

    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.sock.sendall(data)

    def _fill(self):
        d = self.sock.recv(65536)
        if not d:
            raise EOFError("connection closed by server")
        self.buf += d

    def readline(self):
        while b"\r\n" not in self.buf:
            self._fill()
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def read_exact(self, n):
        while len(self.buf) < n:
            self._fill()
        d, self.buf = self.buf[:n], self.buf[n:]
        return d

    def cmd(self, line):
        self.send(line + "\r\n" if isinstance(line, str) else line + b"\r\n")
        return self.readline().decode("latin-1")

    def store(self, cmd, key, value, flags=0, exptime=0):
        if isinstance(value, str):
            value = value.encode()
        self.send(b"%s %s %d %d %d\r\n%s\r\n" % (cmd.encode(), key.encode(), flags,
                                                   exptime, len(value), value))
        return self.readline().decode("latin-1")

    def get_multi(self, *keys):
        self.send("get %s\r\n" % " ".join(keys))
        out = {}
        while True:
            line = self.readline()
            if line == b"END":
                return out
            parts = line.split()
            if len(parts) < 4 or parts[0] != b"VALUE":
                raise AssertionError("unexpected get reply line %r" % line[:80])
            data = self.read_exact(int(parts[3]) + 2)
            if data[-2:] != b"\r\n":
                raise AssertionError("value block not CRLF-terminated")
            out[parts[1].decode()] = data[:-2]

    def get(self, key):
        return self.get_multi(key).get(key)

    def stats(self, sub=None):
        self.send("stats%s\r\n" % (" " + sub if sub else ""))
        st = {}
        while True:
            line = self.readline().decode("latin-1")
            if line == "END":
                return st
            parts = line.split(" ", 2)
            if parts[0] != "STAT" or len(parts) < 3:
                raise AssertionError("unexpected stats line %r" % line)
            st[parts[1]] = parts[2]

    def is_closed(self, timeout):
        """True if the server closes (EOF/RST) within timeout seconds without
        sending anything; raises if it sends data."""
        self.sock.settimeout(timeout)
        try:
            d = self.sock.recv(4096)
        except socket.timeout:
            return False
        except ConnectionResetError:
            return True
        if d:
            raise AssertionError("unexpected data %r" % d[:80])
        return True


def read_all_until_close(sock, timeout):
    """Read until EOF (or RST) or timeout; returns (data, how)."""
    sock.settimeout(timeout)
    data = b""
    end = time.monotonic() + timeout
    while True:
        left = end - time.monotonic()
        if left <= 0:
            return data, "timeout"
        sock.settimeout(left)
        try:
            d = sock.recv(65536)
        except socket.timeout:
            return data, "timeout"
        except ConnectionResetError:
            return data, "reset"
        if not d:
            return data, "eof"
        data += d


# --------------------------------------------------------------------------
# assertions


def check(cond, msg):
    if not cond:
        raise AssertionError(msg)


def eq(got, want, what):
    if got != want:
        g, w = repr(got), repr(want)
        raise AssertionError("%s: got %s, want %s" % (what, g[:200], w[:200]))


def raises(exc, fn, *a, **kw):
    try:
        r = fn(*a, **kw)
    except exc as e:
        return e
    raise AssertionError("%s did not raise %s (returned %r)" % (
        getattr(fn, "__name__", fn), exc.__name__, r))


def wait_until(fn, timeout, interval=0.05):
    end = time.monotonic() + timeout
    while True:
        v = fn()
        if v:
            return v
        if time.monotonic() >= end:
            return v
        time.sleep(interval)


# --------------------------------------------------------------------------
# registry + runner

_TESTS = []


def test(name, timeout=30):
    def deco(fn):
        _TESTS.append((name, fn, timeout))
        return fn
    return deco


class TestTimeout(Exception):
    pass


def _alarm(signum, frame):
    raise TestTimeout("test exceeded its time limit")


def _term(signum, frame):
    # let finally blocks stop servers when the runner's timeout fires
    raise SystemExit(124)


def _one_line(s):
    return re.sub(r"\s+", " ", str(s)).strip()[:400]


def main():
    pattern = None
    argv = sys.argv[1:]
    if len(argv) >= 2 and argv[0] == "-k":
        pattern = argv[1].lower()
    signal.signal(signal.SIGALRM, _alarm)
    signal.signal(signal.SIGTERM, _term)
    verbose = os.environ.get("MCREF_IT_VERBOSE") == "1"
    failed = 0
    for name, fn, timeout in _TESTS:
        if pattern and pattern not in name.lower():
            continue
        t0 = time.monotonic()
        # Under valgrind (MCREF_IT_SLOW=1) servers start and stop several
        # times slower: each test gets three times its limit.
        signal.alarm(timeout * (3 if os.environ.get("MCREF_IT_SLOW") == "1" else 1))
        try:
            fn()
            signal.alarm(0)
            print("PASS %s" % name, flush=True)
        except SkipTest as e:
            signal.alarm(0)
            print("SKIP %s: %s" % (name, _one_line(e)), flush=True)
        except BaseException as e:  # noqa: B902 - report everything
            signal.alarm(0)
            if isinstance(e, (KeyboardInterrupt, SystemExit)):
                print("FAIL %s: interrupted" % name, flush=True)
                raise
            failed += 1
            reason = "%s: %s" % (type(e).__name__, e) if not isinstance(
                e, AssertionError) else str(e)
            print("FAIL %s: %s" % (name, _one_line(reason)), flush=True)
            if verbose:
                traceback.print_exc()
        if verbose:
            sys.stderr.write("  %s took %.2fs\n" % (name, time.monotonic() - t0))
    sys.exit(1 if failed else 0)


class SkipTest(Exception):
    pass
