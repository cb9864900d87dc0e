#!/usr/bin/php
<?php
// php-memcached (php-memcached, libmemcached), text protocol, or binary
// (OPT_BINARY_PROTOCOL) when MCREF_SCENARIO_BINARY=1 (php-memcached-binary):
// the common operations, judged as scenario.py judges them
// (tests/clients/README.md).
// The extension reports failures as false plus a result code, never by
// exceptions, so a CRASH here is a PHP error.
$strict = (getenv('MCREF_PROFILE') ?: 'strict') === 'strict';
list($host, $port) = explode(':', getenv('MEMCACHED_SERVERS'));
$possible = [];
$bad = [];
$ok = 0;
$clean = 0;
$large = str_repeat('L', 512 * 1024);
const MISS = "\0miss";

function note_bad($s) { global $bad; $bad[] = $s; fwrite(STDERR, "$s\n"); }
function show($v) { if ($v === null) return 'null'; if ($v === false) return 'false';
    if (is_string($v) && strlen($v) > 40) return substr($v, 0, 20) . '...';
    return var_export($v, true); }
function stores($k, $v) { global $possible; $possible[$k][] = $v; }

function expect($name, $got, $want, $allowed = []) {
    global $strict, $ok, $clean;
    if ($got === $want) { $ok++; return; }
    if (!$strict && ($got === false || $got === null || in_array($got, $allowed, true))) {
        $clean++; return;
    }
    note_bad(($strict ? 'FAIL' : 'WRONG') . " $name: got " . show($got) . ', wanted ' . show($want));
}

function get_key($m, $k) {
    $v = $m->get($k);
    if ($v === false) {
        return $m->getResultCode() === Memcached::RES_NOTFOUND ? null : false;
    }
    return $v;
}

function read_key($m, $name, $k, $want) {
    global $strict, $possible, $ok, $clean;
    $got = get_key($m, $k);
    if (!$strict && is_string($got)) {
        if (!in_array($got, $possible[$k] ?? [], true)) {
            note_bad("WRONG $name: " . show($got) . " was never stored under $k");
            return;
        }
        if ($got === $want) $ok++; else $clean++;
        return;
    }
    expect($name, $got, $want);
}

function client() {
    global $host, $port;
    $m = new Memcached();
    if (getenv('MCREF_SCENARIO_BINARY') === '1') {
        $m->setOption(Memcached::OPT_BINARY_PROTOCOL, true);
    }
    $m->setOption(Memcached::OPT_CONNECT_TIMEOUT, 3000);
    $m->setOption(Memcached::OPT_RECV_TIMEOUT, 3000000);
    $m->setOption(Memcached::OPT_SEND_TIMEOUT, 3000000);
    $m->addServer($host, (int)$port);
    return $m;
}

function one_round($m, $p) {
    global $strict, $large, $ok, $clean, $possible;
    $k1 = "{$p}k1"; $k2 = "{$p}k2"; $n = "{$p}n"; $big = "{$p}big";
    stores($k1, 'v1');
    expect('set', $m->set($k1, 'v1'), true);
    read_key($m, 'get', $k1, 'v1');
    stores($k1, 'x');
    expect('add existing', $m->add($k1, 'x'), false, [true]);
    stores($k2, 'v2');
    expect('add new', $m->add($k2, 'v2'), true);
    stores($k2, 'v2b');
    expect('replace', $m->replace($k2, 'v2b'), true);
    expect('replace missing', $m->replace("{$p}none", 'x'), false);
    read_key($m, 'get replaced', $k2, 'v2b');
    expect('delete', $m->delete($k2), true);
    read_key($m, 'get deleted', $k2, null);
    stores($n, '10');
    expect('set number', $m->set($n, '10'), true);
    expect('incr', $m->increment($n, 5), 15, range(0, 99));
    expect('decr', $m->decrement($n, 20), 0, range(0, 99));
    $g = $m->get($k1, null, Memcached::GET_EXTENDED);
    if (is_array($g)) {
        stores($k1, 'v1cas');
        expect('cas', $m->cas($g['cas'], $k1, 'v1cas'), true);
        read_key($m, 'get after cas', $k1, 'v1cas');
    } elseif ($strict) {
        note_bad('FAIL gets: no value');
    } else {
        $clean++;
    }
    expect('touch', $m->touch($k1, 100), true);
    $multi = $m->getMulti([$k1, $n, "{$p}none"]);
    if (is_array($multi)) {
        foreach ($multi as $k => $v) {
            if (!in_array($v, $possible[$k] ?? [], true) && !($k === $n && ctype_digit((string)$v))) {
                note_bad("WRONG get_multi: " . show($v) . " under $k");
            }
        }
        $full = ($multi[$k1] ?? null) === 'v1cas' && (string)($multi[$n] ?? '') === '0' && count($multi) === 2;
        if ($full) $ok++; elseif ($strict) note_bad('FAIL get_multi: ' . show(json_encode($multi))); else $clean++;
    } else {
        expect('get_multi', $multi, 'an array');
    }
    stores($big, $large);
    expect('set large', $m->set($big, $large), true);
    read_key($m, 'get large', $big, $large);
}

$m = null;
for ($i = 0; $i < 8; $i++) {
    $m = client();
    one_round($m, 'cc' . getmypid() . "_{$i}_");
}
$k = 'cc' . getmypid() . '_end';
$recovered = false;
$until = microtime(true) + 5;
while (!$recovered && microtime(true) < $until) {
    stores($k, 'end');
    if ($m->set($k, 'end') === true && $m->get($k) === 'end') {
        $recovered = true;
    } else {
        usleep(50000);
    }
}
fprintf(STDERR, (getenv('MCREF_SCENARIO_BINARY') === '1' ? "php-memcached binary" : "php-memcached") . ": %d ok, %d clean failures, %d problems%s\n", $ok, $clean,
        count($bad), $recovered ? '' : ', NO RECOVERY');
exit(count($bad) ? 1 : ($recovered ? 0 : 2));
