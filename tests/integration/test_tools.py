"""The command lines of mcref-conform and mcref-bench: help, bad options,
output formats and address forms, against a running server."""

import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mcharness import REPO, Server, SkipTest, check, eq, test, main  # noqa: E402

P = "tools/"


def tool(name, env_var):
    b = os.environ.get(env_var, "build/release/" + name)
    b = b if os.path.isabs(b) else os.path.join(REPO, b)
    if not os.path.exists(b):
        raise SkipTest("%s not built" % b)
    return b


def run(argv, timeout=60):
    p = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=timeout, cwd=REPO)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


@test(P + "conform_help_list_and_bad_options")
def _():
    conform = tool("mcref-conform", "CONFORM_BIN")
    rc, out, err = run([conform, "-h"])
    eq(rc, 0, "-h exit status")
    check("--format" in out + err, "-h lists --format")
    rc, out, err = run([conform, "--list"])
    eq(rc, 0, "--list exit status")
    check("get-" in out, "--list names cases")
    for bad in (["--format", "xml", "127.0.0.1:1"], ["--bogus"], []):
        rc, out, err = run([conform] + bad)
        check(rc != 0, "%r refused" % bad)


@test(P + "conform_formats_and_selection")
def _():
    conform = tool("mcref-conform", "CONFORM_BIN")
    with Server(["-o", "test_clock"]) as s:
        addr = "127.0.0.1:%d" % s.port
        rc, out, err = run([conform, "--format", "tap", "--clause", "store.add", addr])
        eq(rc, 0, "tap run: %s" % err[-300:])
        check(out.startswith("TAP version") or "1.." in out, "TAP output: %r" % out[:80])
        check("ok 1" in out, "a TAP result line")
        rc, out, err = run([conform, "--format", "json", "--case", "store-add", addr])
        eq(rc, 0, "json run: %s" % err[-300:])
        doc = json.loads(out)
        check(isinstance(doc, (dict, list)), "JSON document")
        rc, out, err = run([conform, "-v", "--case", "get-bget-is-get", "--time", "debugtime", addr])
        eq(rc, 0, "verbose run: %s" % err[-300:])
        rc, out, err = run([conform, "--case", "no-such-case-name", addr])
        eq(rc, 2, "an empty selection is refused")
        check("no case matches" in err, "and said so: %r" % err)


@test(P + "conform_reports_a_dead_server")
def _():
    conform = tool("mcref-conform", "CONFORM_BIN")
    s = Server()
    s.start()
    port = s.port
    s.close()
    rc, out, err = run([conform, "--timeout", "500", "127.0.0.1:%d" % port])
    check(rc != 0, "a closed port is a failure")


@test(P + "bench_help_bad_options_json_and_unix")
def _():
    bench = tool("mcref-bench", "BENCH_BIN")
    rc, out, err = run([bench, "-h"])
    eq(rc, 0, "-h exit status")
    for bad in (["--ratio", "x"], ["-c", "0"], ["--key-dist", "pareto"], ["-s", "[::1"]):
        rc, out, err = run([bench] + bad)
        eq(rc, 1, "%r refused with status 1" % bad)
    with Server() as s:
        rc, out, err = run([bench, "-s", "127.0.0.1:%d" % s.port, "-n", "2000", "-c", "4",
                            "--json", "--warmup", "--key-dist", "zipf:0.9", "--mget", "3",
                            "--server-pid", str(s.pid)])
        eq(rc, 0, "json run: %s" % err[-300:])
        doc = json.loads(out.strip().splitlines()[-1])
        eq(doc["errors"], 0, "errors")
        check(doc["ops"] >= 2000, "ops counted")
        rc, out, err = run([bench, "-s", "127.0.0.1:%d" % s.port, "-n", "500", "--rate", "2000",
                            "-c", "3", "--active", "2"])
        eq(rc, 0, "rate-limited run: %s" % err[-300:])
    d = tempfile.mkdtemp(prefix="mcref-it-tools-")
    path = os.path.join(d, "s.sock")
    from mcharness import server_bin, user_args  # noqa: E402
    p = subprocess.Popen([server_bin(), "-s", path] + user_args([]), stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        import time
        end = time.monotonic() + 8
        while not os.path.exists(path) and time.monotonic() < end:
            time.sleep(0.05)
        rc, out, err = run([bench, "-s", path, "-n", "1000", "-P", "4"])
        eq(rc, 0, "unix socket run: %s" % err[-300:])
    finally:
        p.terminate()
        p.wait(timeout=10)


if __name__ == "__main__":
    main()
