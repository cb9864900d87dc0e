# perl-scenario.pl - the common operations for the Perl clients, judged as
# scenario.py judges them (tests/clients/README.md). Loaded by
# cache-memcached.pl and cache-memcached-fast.pl with the client's
# constructor in $main::make_client; both clients report failures as
# undef/false (no exceptions), so a CRASH is a die.
#
# A client script may report a defect of its own client with finding()
# (exit 3 unless something worse happened). When the defect hit the
# operation under way (and the script has put the connection back in step),
# excuse_this_operation() turns that one operation's WRONG/FAIL into a
# single AFTER-FINDING (tests/clients/README.md). The excuse lasts until the
# next operation starts (start_operation, called by call and read_key), so a
# wrong value read later is a WRONG.
use strict;
use warnings;

my $strict = ($ENV{MCREF_PROFILE} // 'strict') eq 'strict';
my (%possible, @bad, @findings);
my ($ok, $clean, $after, $excused) = (0, 0, 0, 0);
my $large = 'L' x (512 * 1024);

sub note_bad {
    if ($excused && $_[0] =~ /^(WRONG|FAIL) /) {
        $excused = 0; # one operation, one excuse
        $after++;
        print STDERR "AFTER-FINDING @_\n";
        return;
    }
    push @bad, "@_"; print STDERR "@_\n";
}

sub finding {
    my $what = shift;
    push @findings, $what unless grep { $_ eq $what } @findings;
    print STDERR "FINDING $what\n";
}

sub excuse_this_operation { $excused = 1; }

sub start_operation { $excused = 0; }

sub show { my $v = shift; return 'undef' unless defined $v;
    return length($v) > 40 ? substr($v, 0, 20) . '...' : $v; }

sub expect {
    my ($name, $got, $want, @allowed) = @_;
    my $g = defined $got ? $got : '';
    my $w = defined $want ? $want : '';
    if ((defined $got) == (defined $want) && $g eq $w) { $ok++; return; }
    if (!$strict && (!defined $got || !$got || grep { $g eq $_ } @allowed)) {
        $clean++; return;
    }
    note_bad(($strict ? 'FAIL' : 'WRONG') . " $name: got " . show($got)
             . ', wanted ' . show($want));
}

sub read_key {
    my ($c, $name, $key, $want) = @_;
    start_operation();
    my $got = eval { $c->get($key) };
    if ($@) { note_bad("CRASH $name: $@"); return; }
    if (!$strict && defined $got) {
        if (!grep { $_ eq $got } @{ $possible{$key} // [] }) {
            note_bad("WRONG $name: " . show($got) . " was never stored under $key");
            return;
        }
        $got eq ($want // '') ? $ok++ : $clean++;
        return;
    }
    expect($name, $got, $want);
}

sub stores { my ($k, $v) = @_; push @{ $possible{$k} }, $v; }

sub call {
    my ($name, $fn) = @_;
    start_operation();
    my $r = eval { $fn->() };
    if ($@) { note_bad("CRASH $name: $@"); return undef; }
    return $r;
}

sub one_round {
    my ($c, $p) = @_;
    my ($k1, $k2, $n, $big) = ("${p}k1", "${p}k2", "${p}n", "${p}big");
    stores($k1, 'v1');
    expect('set', call('set', sub { $c->set($k1, 'v1') ? 1 : 0 }), 1);
    read_key($c, 'get', $k1, 'v1');
    stores($k1, 'x');
    expect('add existing', call('add', sub { $c->add($k1, 'x') ? 1 : 0 }), 0, 1);
    stores($k2, 'v2');
    expect('add new', call('add', sub { $c->add($k2, 'v2') ? 1 : 0 }), 1);
    stores($k2, 'v2b');
    expect('replace', call('replace', sub { $c->replace($k2, 'v2b') ? 1 : 0 }), 1);
    expect('replace missing',
           call('replace', sub { $c->replace("${p}none", 'x') ? 1 : 0 }), 0);
    read_key($c, 'get replaced', $k2, 'v2b');
    expect('delete', call('delete', sub { $c->delete($k2) ? 1 : 0 }), 1);
    read_key($c, 'get deleted', $k2, undef);
    stores($n, '10');
    expect('set number', call('set', sub { $c->set($n, '10') ? 1 : 0 }), 1);
    # Numbers compared as numbers: ::Fast answers 0 as "0E0" (zero but true).
    expect('incr', call('incr', sub { my $r = $c->incr($n, 5); defined $r ? $r + 0 : undef }),
           15, 0 .. 99);
    expect('decr', call('decr', sub { my $r = $c->decr($n, 20); defined $r ? $r + 0 : undef }),
           0, 0 .. 99);
    if ($c->can('gets') && $c->can('cas')) {
        my $g = call('gets', sub { $c->gets($k1) });
        if ($g && ref $g eq 'ARRAY') {
            stores($k1, 'v1cas');
            expect('cas', call('cas', sub { $c->cas($k1, $g->[0], 'v1cas') ? 1 : 0 }), 1);
            read_key($c, 'get after cas', $k1, 'v1cas');
        } elsif ($strict) {
            note_bad('FAIL gets: no value');
        } else { $clean++; }
    } else {
        stores($k1, 'v1cas');
        expect('set', call('set', sub { $c->set($k1, 'v1cas') ? 1 : 0 }), 1);
    }
    if ($c->can('touch')) {
        expect('touch', call('touch', sub { $c->touch($k1, 100) ? 1 : 0 }), 1);
    }
    my $m = call('get_multi', sub { $c->get_multi($k1, $n, "${p}none") });
    if ($m && ref $m eq 'HASH') {
        for my $k (keys %$m) {
            my $v = $m->{$k};
            note_bad("WRONG get_multi: " . show($v) . " under $k")
                unless grep({ $_ eq $v } @{ $possible{$k} // [] })
                || ($k eq $n && $v =~ /^\d+$/);
        }
        my $full = (($m->{$k1} // '') eq 'v1cas' && ($m->{$n} // '') eq '0'
                    && keys(%$m) == 2);
        $full ? $ok++ : $strict ? note_bad('FAIL get_multi: incomplete') : $clean++;
    } else {
        expect('get_multi', $m, 'a hash');
    }
    stores($big, $large);
    expect('set large', call('set', sub { $c->set($big, $large) ? 1 : 0 }), 1);
    read_key($c, 'get large', $big, $large);
}

sub run_scenario {
    my ($name, $make) = @_;
    my $c;
    for my $i (0 .. 7) {
        $c = $make->();
        one_round($c, "cc$$" . "_${i}_");
    }
    my $k = "cc$$" . '_end';
    my $recovered = 0;
    my $until = time + 5;
    while (!$recovered && time < $until) {
        stores($k, 'end');
        if (call('set', sub { $c->set($k, 'end') }) &&
            (call('get', sub { $c->get($k) }) // '') eq 'end') {
            $recovered = 1;
        } else {
            select(undef, undef, undef, 0.05);
        }
    }
    printf STDERR "%s: %d ok, %d clean failures, %d problems, %d findings, "
        . "%d results after a finding%s\n", $name, $ok, $clean, scalar @bad,
        scalar @findings, $after, $recovered ? '' : ', NO RECOVERY';
    exit 1 if @bad;
    exit 2 unless $recovered;
    exit(@findings ? 3 : 0);
}

1;
