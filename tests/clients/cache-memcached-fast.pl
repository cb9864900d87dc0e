#!/usr/bin/perl
# Cache::Memcached::Fast (libcache-memcached-fast-perl): the common operations.
use strict;
use warnings;
use FindBin;
use lib $FindBin::Bin;
use Cache::Memcached::Fast;
require 'perl-scenario.pl';

run_scenario('Cache::Memcached::Fast', sub {
    Cache::Memcached::Fast->new({ servers => [ $ENV{MEMCACHED_SERVERS} ],
                                  io_timeout => 3, connect_timeout => 3,
                                  max_size => 1024 * 1024 });
});
