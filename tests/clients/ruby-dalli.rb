#!/usr/bin/ruby
# Ruby Dalli 3 (ruby-dalli; binary protocol only): the common operations,
# judged as scenario.py judges them (tests/clients/README.md). Dalli's
# own defaults (socket_timeout 1 s, down_retry_delay 30 s) are kept: they
# are what an application gets. Values are stored raw (per request: 3.0.6
# ignores a client-wide raw: true on stores and Marshals, so incr would meet
# a non-numeric value).
#
# A defect of Dalli's own is a FINDING (exit 3 when nothing worse happened):
# replace of a missing key returns 0 (the failed response's CAS, truthy in
# Ruby) instead of false - the same against memcached 1.6.18.
require 'dalli'

Dalli.logger.level = Logger::FATAL
STRICT = (ENV['MCREF_PROFILE'] || 'strict') == 'strict'
SERVERS = ENV.fetch('MEMCACHED_SERVERS')
LARGE = 'L' * (512 * 1024)
FAILED = Object.new
$possible = Hash.new { |h, k| h[k] = [] }
$bad = []
$ok = 0
$clean = 0
$findings = []

def note(kind, s)
  $bad << "#{kind} #{s}"
  warn "#{kind}: #{s}"
end

def short(v)
  v.is_a?(String) && v.size > 40 ? v[0, 20] + '...' : v.inspect
end

def call(name)
  yield
rescue Dalli::DalliError => e
  note('CRASH', "#{name} raised #{e.inspect} without faults") if STRICT
  FAILED
rescue StandardError => e
  note('CRASH', "#{name} raised #{e.class}: #{e.message}")
  FAILED
end

def expect(name, got, want, allowed = [])
  if got == want
    $ok += 1
  elsif !STRICT && (got.equal?(FAILED) || got.nil? || got == false || allowed.include?(got))
    $clean += 1
  else
    note(STRICT ? 'FAIL' : 'WRONG', "#{name}: got #{short(got)}, wanted #{short(want)}")
  end
end

def read(c, name, key, want)
  got = call(name) { c.get(key, raw: true) }
  if !STRICT && !got.equal?(FAILED) && !got.nil?
    unless $possible[key].include?(got)
      note('WRONG', "#{name}: #{short(got)} was never stored under #{key}")
      return
    end
    got == want ? $ok += 1 : $clean += 1
    return
  end
  expect(name, got, want)
end

# Dalli answers a store with the new CAS (an Integer) or false.
def stored(v)
  v.equal?(FAILED) ? v : (v.is_a?(Integer) ? true : v)
end

R = { raw: true }.freeze

def client
  Dalli::Client.new(SERVERS)
end

def one_round(c, p)
  k1, k2, n, big = "#{p}k1", "#{p}k2", "#{p}n", "#{p}big"
  $possible[k1] << 'v1'
  expect('set', stored(call('set') { c.set(k1, 'v1', 0, R) }), true)
  read(c, 'get', k1, 'v1')
  $possible[k1] << 'x'
  expect('add existing', stored(call('add') { c.add(k1, 'x', 0, R) }), false, [true])
  $possible[k2] << 'v2'
  expect('add new', stored(call('add') { c.add(k2, 'v2', 0, R) }), true)
  $possible[k2] << 'v2b'
  expect('replace', stored(call('replace') { c.replace(k2, 'v2b', 0, R) }), true)
  got = call('replace') { c.replace("#{p}none", 'x', 0, R) }
  if got == 0
    # Dalli's defect (see the top): the miss is reported as CAS 0.
    $findings << 'replace of a missing key returned 0, not false'
  else
    expect('replace missing', stored(got), false)
  end
  read(c, 'get replaced', k2, 'v2b')
  expect('delete', call('delete') { c.delete(k2) }, true)
  read(c, 'get deleted', k2, nil)
  $possible[n] << '10'
  expect('set number', stored(call('set') { c.set(n, '10', 0, R) }), true)
  expect('incr', call('incr') { c.incr(n, 5) }, 15, (0..99).to_a)
  expect('decr', call('decr') { c.decr(n, 20) }, 0, (0..99).to_a)
  got = call('gets') { c.get_cas(k1) }
  if !got.equal?(FAILED) && got.is_a?(Array) && !got[0].nil?
    $possible[k1] << 'v1cas'
    expect('cas', stored(call('cas') { c.set_cas(k1, 'v1cas', got[1], 0, R) }), true)
    read(c, 'get after cas', k1, 'v1cas')
  elsif STRICT
    note('FAIL', "gets: got #{got.inspect}")
  else
    $clean += 1
  end
  expect('touch', call('touch') { c.touch(k1, 100) }, true)
  want = { k1 => 'v1cas', n => '0' }
  got = call('get_multi') { c.get_multi(k1, n, "#{p}none") }
  if got.is_a?(Hash)
    got.each do |k, v|
      next if $possible[k].include?(v) || (k == n && v =~ /\A\d+ *\z/)
      note('WRONG', "get_multi: #{short(v)} under #{k}")
    end
    expect('get_multi', got, want, [got])
  else
    expect('get_multi', got, want)
  end
  $possible[big] << LARGE
  expect('set large', stored(call('set') { c.set(big, LARGE, 0, R) }), true)
  read(c, 'get large', big, LARGE)
end

c = nil
8.times do |i|
  c = client
  one_round(c, "cc#{Process.pid}_#{i}_")
end
k = "cc#{Process.pid}_end"
recovered = false
deadline = Time.now + 5
while !recovered && Time.now < deadline
  $possible[k] << 'end'
  if stored(call('set') { c.set(k, 'end', 0, R) }) == true && call('get') { c.get(k) } == 'end'
    recovered = true
  else
    sleep 0.05
  end
end
$findings.uniq.each { |f| warn "FINDING: #{f}" }
warn format('dalli: %d ok, %d clean failures, %d problems, %d findings%s', $ok, $clean,
            $bad.size, $findings.size, recovered ? '' : ', NO RECOVERY')
exit 1 unless $bad.empty?
exit 2 unless recovered
exit($findings.empty? ? 0 : 3)
