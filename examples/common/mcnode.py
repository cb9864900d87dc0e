"""Starting and stopping mcref nodes for the examples' tests.

A node is started with -p -1 (any free port) and MEMCACHED_PORT_FILENAME,
and its port read back from the ports file, as memcached's own test
harnesses do; or on a given port (for a restart). Stopped by PID."""

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

MCREF = os.environ.get("MCREF_BIN", "build/release/mcref")


class Node:
    def __init__(self, port=None, args=()):
        self.port = port
        self.args = list(args)
        self.proc = None
        self.dir = tempfile.mkdtemp(prefix="mcref-example-")

    def start(self):
        ports = os.path.join(self.dir, "ports")
        if os.path.exists(ports):
            os.unlink(ports)
        argv = [os.path.abspath(MCREF) if os.path.exists(MCREF) else MCREF,
                "-p", str(self.port) if self.port else "-1",
                "-l", "127.0.0.1", "-U", "0", "-m", "16"] + self.args
        if os.geteuid() == 0:
            argv += ["-u", "root"]
        env = dict(os.environ, MEMCACHED_PORT_FILENAME=ports)
        self.proc = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE)
        end = time.monotonic() + 10
        while not os.path.exists(ports):
            if self.proc.poll() is not None or time.monotonic() > end:
                err = self.proc.stderr.read().decode(errors="replace")
                self.stop()
                raise RuntimeError("mcref did not start: %s" % err)
            time.sleep(0.02)
        for line in open(ports):
            if line.startswith("TCP INET: "):
                self.port = int(line.split(": ")[1])
        return self

    @property
    def address(self):
        return "127.0.0.1:%d" % self.port

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None

    def close(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def command(self, line):
        """One text-protocol command; the reply up to its end."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=3) as s:
            s.sendall(line.encode() + b"\r\n")
            buf = b""
            while not (buf.endswith(b"END\r\n") or buf.endswith(b"OK\r\n")
                       or (buf.endswith(b"\r\n") and not buf.startswith((b"VALUE", b"STAT")))):
                chunk = s.recv(65536)
                if not chunk:
                    break
                buf += chunk
            return buf

    def stats(self):
        out = {}
        for line in self.command("stats").decode().split("\r\n"):
            if line.startswith("STAT "):
                _, k, v = line.split(" ", 2)
                out[k] = v
        return out

    def has(self, key):
        return self.command("get " + key).startswith(b"VALUE ")
