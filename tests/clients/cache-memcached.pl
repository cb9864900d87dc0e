#!/usr/bin/perl
# Cache::Memcached (libcache-memcached-perl): the common operations. It has
# no gets/cas or touch; the scenario skips those.
#
# Its known defect (README, client conformance, note 3): _write_and_read
# ends a reply when `rindex($ret, "\r\n") + 2 == length($ret)`, which is
# also true of a first read of exactly one byte (no CRLF: -1 + 2 == 1).
# A reply that arrives cut after its first byte ([faults.cut]) is taken as
# complete ("S"); its rest is read as the next operation's reply, and the
# connection stays out of step until the client closes it. A probe shows it
# deterministically (a server that sends "S", waits, then "TORED\r\n"); the
# scenario then watches for it under mcref's faults, and reads the values
# that follow it as its consequences, not as new desyncs.
use strict;
use warnings;
use FindBin;
use lib $FindBin::Bin;
use IO::Socket::INET;
use Cache::Memcached;
require 'perl-scenario.pl';

# True when a set answered "S", then 300 ms later "TORED\r\n", fails.
sub one_byte_read_ends_reply {
    my $listen = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0,
                                       Listen => 1, ReuseAddr => 1)
        or die "probe: listen: $!";
    my $port = $listen->sockport;
    my $pid = fork() // die "probe: fork: $!";
    if ($pid == 0) {
        $SIG{PIPE} = 'IGNORE';
        my $peer = $listen->accept or exit 1;
        my $req = '';
        while ($req !~ /\r\n.*\r\n/s) {
            sysread($peer, $req, 4096, length $req) or exit 1;
        }
        syswrite($peer, 'S');
        select(undef, undef, undef, 0.3);
        syswrite($peer, "TORED\r\n");
        1 while sysread($peer, my $rest, 4096); # until the client closes
        exit 0;
    }
    close $listen;
    my $c = Cache::Memcached->new({ servers => ["127.0.0.1:$port"],
                                    connect_timeout => 3, select_timeout => 3 });
    my $stored = $c->set('probe', 'v');
    $c->disconnect_all;
    waitpid($pid, 0);
    return !$stored;
}

if (one_byte_read_ends_reply()) {
    finding('a first read of one byte ends the reply (_write_and_read)');
    # Watch for it under mcref's cuts too: the connection is out of step
    # from then until the client drops that socket.
    no warnings 'redefine';
    my $write_and_read = \&Cache::Memcached::_write_and_read;
    my $dead_sock = \&Cache::Memcached::_dead_sock;
    my $close_sock = \&Cache::Memcached::_close_sock;
    *Cache::Memcached::_write_and_read = sub {
        my $ret = $write_and_read->(@_);
        if (defined $ret && substr($ret, -2) ne "\r\n") {
            finding('a first read of one byte ends the reply (_write_and_read)');
            out_of_step(1);
        }
        return $ret;
    };
    *Cache::Memcached::_dead_sock = sub { out_of_step(0); $dead_sock->(@_) };
    *Cache::Memcached::_close_sock = sub { out_of_step(0); $close_sock->(@_) };
}

run_scenario('Cache::Memcached', sub {
    Cache::Memcached->new({ servers => [ $ENV{MEMCACHED_SERVERS} ],
                            connect_timeout => 3, select_timeout => 3 });
});
