"""The binary protocol with php-memcached (OPT_BINARY_PROTOCOL) and Ruby's
Dalli 3 (binary only): Debian php-memcached, ruby-dalli. Each script's output
is checked line by line; against memcached 1.6.18 the same scripts print the
same lines (MCREF_BIN=/usr/bin/memcached)."""

import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mcharness import Server, SkipTest, eq, is_memcached, test, main  # noqa: E402

P = "binary-clients/"

PHP = r"""<?php
$m = new Memcached();
$m->setOption(Memcached::OPT_BINARY_PROTOCOL, true);
$m->setOption(Memcached::OPT_COMPRESSION, false);
$m->addServer('127.0.0.1', (int)$argv[1]);
$out = [];
$out[] = var_export($m->set('a', 'hello'), true);
$out[] = var_export($m->get('a'), true);
$out[] = json_encode($m->getMulti(['a', 'nope', 'b']));
$out[] = var_export($m->increment('n', 5, 10), true);
$out[] = var_export($m->increment('n', 5), true);
$out[] = var_export($m->decrement('n', 100), true);
$out[] = var_export($m->add('a', 'x'), true);
$out[] = var_export($m->append('a', '!'), true);
$out[] = var_export($m->prepend('a', '<'), true);
$out[] = var_export($m->get('a'), true);
$out[] = var_export($m->replace('zz', 'x'), true);
$out[] = var_export($m->delete('a'), true);
$out[] = var_export($m->delete('a'), true);
$out[] = var_export($m->touch('n', 100), true);
$v = $m->get('n', null, Memcached::GET_EXTENDED);
$out[] = var_export($v['cas'] > 0, true);
$out[] = var_export($m->cas($v['cas'], 'n', 99), true);
$out[] = var_export($m->cas($v['cas'], 'n', 98), true);
$out[] = var_export($m->get('n'), true);
$out[] = var_export($m->setMulti(['m1' => 1, 'm2' => 'two']), true);
$out[] = json_encode($m->getMulti(['m1', 'm2']));
$out[] = var_export(isset(array_values($m->getStats())[0]['curr_items']), true);
$out[] = var_export($m->flush(), true);
$out[] = var_export($m->get('m1'), true);
echo implode("\n", $out), "\n";
"""

PHP_WANT = ["true", "'hello'", '{"a":"hello"}', "10", "15", "0", "false",
            "true", "true", "'<hello!'", "false", "true", "false", "true",
            "true", "true", "false", "99", "true", '{"m1":1,"m2":"two"}',
            "true", "true", "false"]

RUBY = r"""
require "dalli"
c = Dalli::Client.new("127.0.0.1:#{ARGV[0]}", socket_timeout: 5)
out = []
out << (c.set("a", "hello") ? "stored" : "not")
out << c.get("a").inspect
out << c.get_multi("a", "nope", "b").inspect
out << c.add("a", "x").inspect
out << c.incr("n", 5, nil, 10).inspect
out << c.incr("n", 5).inspect
out << c.decr("n", 100).inspect
out << c.delete("a").inspect
out << c.delete("a").inspect
out << c.touch("n", 100).inspect
out << c.fetch("f") { "computed" }.inspect
v, cas = c.get_cas("f")
out << (cas > 0).inspect
out << (c.set_cas("f", "new", cas) ? "swapped" : "not")
out << c.set_cas("f", "newer", cas).inspect
out << c.get("f").inspect
c.multi { c.set("m1", 1); c.set("m2", 2) }
out << c.get_multi("m1", "m2").inspect
big = "x" * 300_000
c.set("big", big)
out << (c.get("big") == big).inspect
out << c.stats.values.first.key?("curr_items").inspect
c.flush
out << c.get("m1").inspect
puts out
"""

RUBY_WANT = ["stored", '"hello"', '{"a"=>"hello"}', "false", "10", "15", "0",
             "true", "nil", "true", '"computed"', "true", "swapped", "false",
             '"new"', '{"m1"=>1, "m2"=>2}', "true", "true", "nil"]


def run_script(argv, want, what):
    with Server() as s:
        r = subprocess.run(argv + [str(s.port)], capture_output=True,
                           timeout=60, stdin=subprocess.DEVNULL)
        got = r.stdout.decode(errors="replace").splitlines()
        eq(r.returncode, 0, "%s exit status (stderr %r)"
           % (what, r.stderr[-300:]))
        for i, (g, w) in enumerate(zip(got, want)):
            eq(g, w, "%s line %d" % (what, i + 1))
        eq(len(got), len(want), "%s lines" % what)


@test(P + "php_memcached_binary", timeout=90)
def _():
    if shutil.which("php") is None:
        raise SkipTest("php not installed (apt-get install php-cli php-memcached)")
    r = subprocess.run(["php", "-m"], capture_output=True, timeout=30)
    if b"memcached" not in r.stdout:
        raise SkipTest("the php memcached extension is not installed")
    with tempfile.NamedTemporaryFile("w", suffix=".php", delete=False) as f:
        f.write(PHP)
    try:
        run_script(["php", f.name], PHP_WANT, "php-memcached")
    finally:
        os.unlink(f.name)


@test(P + "ruby_dalli", timeout=90)
def _():
    if shutil.which("ruby") is None:
        raise SkipTest("ruby not installed (apt-get install ruby ruby-dalli)")
    r = subprocess.run(["ruby", "-e", "require 'dalli'"], capture_output=True,
                       timeout=30)
    if r.returncode != 0:
        raise SkipTest("ruby-dalli is not installed")
    with tempfile.NamedTemporaryFile("w", suffix=".rb", delete=False) as f:
        f.write(RUBY)
    try:
        run_script(["ruby", f.name], RUBY_WANT, "dalli")
    finally:
        os.unlink(f.name)


class SaslServer(Server):
    """Under -S: ready when a binary version request is answered."""

    def _wait_ready(self):
        end = time.monotonic() + self.ready_timeout
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                return False, "exited rc=%s" % self.proc.returncode
            try:
                with socket.create_connection(("127.0.0.1", self.port),
                                              timeout=1.0) as sock:
                    sock.sendall(struct.pack(">BB22x", 0x80, 0x0b))
                    head = sock.recv(24)
                    return len(head) >= 8 and head[7] == 0, "version"
            except OSError:
                time.sleep(0.02)
        return False, "timeout"


RUBY_SASL = r"""
require "dalli"
require "logger"
Dalli.logger = Logger.new(nil)
good = Dalli::Client.new("127.0.0.1:#{ARGV[0]}", username: "alice",
                         password: "secret", socket_timeout: 5)
puts(good.set("k", "v") ? "stored" : "not")
puts good.get("k").inspect
bad = Dalli::Client.new("127.0.0.1:#{ARGV[0]}", username: "alice",
                        password: "wrong", socket_timeout: 5)
begin
  bad.get("k")
  puts "no error"
rescue Dalli::DalliError
  puts "refused"
end
"""

PHP_SASL = r"""<?php
$m = new Memcached();
$m->setOption(Memcached::OPT_BINARY_PROTOCOL, true);
$m->addServer('127.0.0.1', (int)$argv[1]);
$m->setSaslAuthData('alice', 'secret');
echo var_export($m->set('p', 'q'), true), "\n", var_export($m->get('p'), true), "\n";
$b = new Memcached();
$b->setOption(Memcached::OPT_BINARY_PROTOCOL, true);
$b->addServer('127.0.0.1', (int)$argv[1]);
$b->setSaslAuthData('alice', 'wrong');
echo var_export($b->get('p'), true), "\n";
"""


@test(P + "sasl_dalli_and_php", timeout=90)
def _():
    if is_memcached():
        raise SkipTest("memcached reads SASL users through Cyrus SASL, not "
                       "MEMCACHED_SASL_PWDB")
    have_ruby = shutil.which("ruby") is not None and subprocess.run(
        ["ruby", "-e", "require 'dalli'"], capture_output=True,
        timeout=30).returncode == 0
    have_php = shutil.which("php") is not None and b"memcached" in \
        subprocess.run(["php", "-m"], capture_output=True, timeout=30).stdout
    if not have_ruby and not have_php:
        raise SkipTest("neither ruby-dalli nor php-memcached is installed")
    fd, pw = tempfile.mkstemp(prefix="mcref-it-pw-")
    os.write(fd, b"alice:secret\n")
    os.close(fd)
    os.environ["MEMCACHED_SASL_PWDB"] = pw
    scripts = []
    try:
        with SaslServer(["-S"]) as s:
            for ok, suffix, text, argv0, want in (
                    (have_ruby, ".rb", RUBY_SASL, "ruby",
                     ["stored", '"v"', "refused"]),
                    (have_php, ".php", PHP_SASL, "php",
                     ["true", "'q'", "false"])):
                if not ok:
                    continue
                with tempfile.NamedTemporaryFile("w", suffix=suffix,
                                                 delete=False) as f:
                    f.write(text)
                scripts.append(f.name)
                r = subprocess.run([argv0, f.name, str(s.port)],
                                   capture_output=True, timeout=60,
                                   stdin=subprocess.DEVNULL)
                eq(r.stdout.decode(errors="replace").splitlines(), want,
                   "%s with SASL (stderr %r)" % (argv0, r.stderr[-300:]))
    finally:
        del os.environ["MEMCACHED_SASL_PWDB"]
        os.unlink(pw)
        for name in scripts:
            os.unlink(name)


if __name__ == "__main__":
    main()
