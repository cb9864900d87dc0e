#!/usr/bin/perl
# Cache::Memcached (libcache-memcached-perl): the common operations. It has
# no gets/cas or touch; the scenario skips those.
use strict;
use warnings;
use FindBin;
use lib $FindBin::Bin;
use Cache::Memcached;
require 'perl-scenario.pl';

run_scenario('Cache::Memcached', sub {
    Cache::Memcached->new({ servers => [ $ENV{MEMCACHED_SERVERS} ],
                            connect_timeout => 3, select_timeout => 3 });
});
