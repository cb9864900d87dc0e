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
# scenario then watches for it under mcref's faults, closes the socket when
# it happens (the leftover is dropped with it) and excuses only the
# operation it hit.
use strict;
use warnings;
use FindBin;
use lib $FindBin::Bin;
use IO::Socket::INET;
use Cache::Memcached;
require 'perl-scenario.pl';

# The probe: a server that answers a first set whole ("STORED\r\n", the
# control: it must succeed, or the probe itself is broken and the script
# dies), a second set cut ("S", 1 s, "TORED\r\n"), and a third set whole.
# True when the cut set fails and the third set's reply is the leftover
# "TORED\r\n": the connection really went out of step. False when the
# client read the cut reply whole (a fixed client).
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
        my $read_set = sub { # one whole "set" request (line and data)
            while ($req !~ /\r\n.*?\r\n/s) {
                sysread($peer, $req, 4096, length $req) or exit 1;
            }
            $req =~ s/^.*?\r\n.*?\r\n//s;
        };
        $read_set->();
        syswrite($peer, "STORED\r\n");
        $read_set->();
        syswrite($peer, 'S');
        select(undef, undef, undef, 1.0);
        syswrite($peer, "TORED\r\n");
        $read_set->();
        syswrite($peer, "STORED\r\n");
        1 while sysread($peer, my $rest, 4096); # until the client closes
        exit 0;
    }
    close $listen;
    my @replies;
    my $probe_result;
    {
        no warnings 'redefine';
        my $write_and_read = \&Cache::Memcached::_write_and_read;
        local *Cache::Memcached::_write_and_read = sub {
            my $ret = $write_and_read->(@_);
            push @replies, $ret // 'undef';
            return $ret;
        };
        my $c = Cache::Memcached->new({ servers => ["127.0.0.1:$port"],
                                        connect_timeout => 3, select_timeout => 3 });
        my $control = $c->set('probe1', 'v');
        my $cut = $c->set('probe2', 'v');
        my $next = $c->set('probe3', 'v');
        $c->disconnect_all;
        waitpid($pid, 0);
        die "probe broken: the control set failed (replies: @replies)\n"
            unless $control && @replies && $replies[0] eq "STORED\r\n";
        if ($cut) {
            $probe_result = 0; # read whole: no defect
        } elsif (@replies == 3 && $replies[1] eq 'S'
                 && index($replies[2], "TORED\r\n") == 0 && !$next) {
            $probe_result = 1;
        } else {
            die "probe broken: the cut set failed without the one-byte "
                . "reply and its leftover (replies: @replies)\n";
        }
    }
    return $probe_result;
}

if (one_byte_read_ends_reply()) {
    finding('a first read of one byte ends the reply (_write_and_read)');
    # Watch for it under mcref's cuts too. When it happens, close that
    # socket at once (the client reconnects in step on its next operation)
    # and excuse that one operation's result; any other wrong value is a
    # WRONG.
    no warnings 'redefine';
    my $write_and_read = \&Cache::Memcached::_write_and_read;
    *Cache::Memcached::_write_and_read = sub {
        my ($self, $sock) = @_;
        my $ret = $write_and_read->(@_);
        if (defined $ret && substr($ret, -2) ne "\r\n") {
            finding('a first read of one byte ends the reply (_write_and_read)');
            $self->_close_sock($sock);
            excuse_this_operation();
        }
        return $ret;
    };
}

run_scenario('Cache::Memcached', sub {
    Cache::Memcached->new({ servers => [ $ENV{MEMCACHED_SERVERS} ],
                            connect_timeout => 3, select_timeout => 3 });
});
