# mcref - build, test, fuzz and benchmark.
#
#   make            the server and tools in build/release (gcc -O2)
#   make run        build, then run the server on 127.0.0.1:11211 with -m 64
#                   (PORT=, LISTEN=, ARGS="-m 128 ..." override)
#   make install    PREFIX=/usr/local, DESTDIR=; see packaging/
#   make deb        a Debian package in build/deb/
#   make test       the whole suite (installs what it needs); see ci/test.sh
#
# PROFILE selects the flags: release (default), debug (slow checks on),
# asan (clang, ASan+UBSan), cov (gcc --coverage). Each profile builds into
# build/<profile>/, so they never mix.

PROFILE ?= release
.DEFAULT_GOAL := all
B := build/$(PROFILE)

ifeq ($(PROFILE),asan)
CC := clang
PROFILE_FLAGS := -O1 -g -fno-omit-frame-pointer -DMCREF_SLOW_CHECKS \
	-fsanitize=address,undefined -fno-sanitize-recover=all
PROFILE_LDFLAGS := -fsanitize=address,undefined
else ifeq ($(PROFILE),fuzz)
CC := clang
PROFILE_FLAGS := -O1 -g -fno-omit-frame-pointer -DMCREF_SLOW_CHECKS \
	-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
PROFILE_LDFLAGS := -fsanitize=address,undefined
else ifeq ($(PROFILE),afl)
CC := afl-clang-fast
PROFILE_FLAGS := -O2 -g -DMCREF_SLOW_CHECKS
else ifeq ($(PROFILE),cov)
PROFILE_FLAGS := -O0 -g --coverage -DMCREF_SLOW_CHECKS -DMCREF_COVERAGE
PROFILE_LDFLAGS := --coverage
else ifeq ($(PROFILE),debug)
PROFILE_FLAGS := -O1 -g -DMCREF_SLOW_CHECKS
else
PROFILE_FLAGS := -O2 -g
endif

ifeq ($(origin CC),default)
CC := gcc
endif
WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wvla \
	-Wformat=2 -Wundef
CFLAGS := -std=c11 -D_GNU_SOURCE $(WARN) $(PROFILE_FLAGS) $(EXTRA_CFLAGS)
LDFLAGS := $(PROFILE_LDFLAGS) $(EXTRA_LDFLAGS)

# ---- layers: each builds into its own archive (design.md) -----------------

LAYERS := common store proto engine net app
define layer_objs
$(patsubst src/%.c,$(B)/obj/%.o,$(wildcard src/$(1)/*.c))
endef
$(foreach l,$(LAYERS),$(eval OBJS_$(l) := $(call layer_objs,$(l))))

MODEL_OBJS := $(B)/obj/spec/model/model.o

$(B)/obj/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(B)/obj/spec/%.o: spec/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(B)/obj/fuzz/%.o: fuzz/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(B)/obj/tests/%.o: tests/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(EXTRA_INCLUDES) -MMD -MP -c $< -o $@

$(B)/lib%.a:
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

$(B)/libcommon.a: $(OBJS_common)
$(B)/libstore.a: $(OBJS_store)
$(B)/libproto.a: $(OBJS_proto)
$(B)/libengine.a: $(OBJS_engine)
$(B)/libnet.a: $(OBJS_net)
$(B)/libapp.a: $(filter-out $(B)/obj/app/main.o,$(OBJS_app))
$(B)/libmodel.a: $(MODEL_OBJS)

# Tools (src/tools/<tool>/): everything but <tool>_main.c goes into an
# archive that the tool's unit tests (tests/unit/test_<tool>_*.c) link.
TOOLS := $(patsubst src/tools/%/,%,$(dir $(wildcard src/tools/*/*_main.c)))
# What the tools share (src/tools/common: the server address).
$(B)/libtoolcommon.a: $(patsubst src/%.c,$(B)/obj/%.o,$(wildcard src/tools/common/*.c))
# A tool that also links server layers names them in TOOL_LAYERS_<tool>
# (mcref-fuzz runs mcref's own session in-process as its oracle).
TOOL_LAYERS_fuzz := $(B)/libengine.a $(B)/libproto.a $(B)/libstore.a \
	$(B)/libcommon.a
define tool_rules
OBJS_tool_$(1) := $$(patsubst src/%.c,$$(B)/obj/%.o,$$(filter-out src/tools/$(1)/$(1)_main.c,$$(wildcard src/tools/$(1)/*.c)))
$$(B)/lib$(1).a: $$(OBJS_tool_$(1))
$$(B)/mcref-$(1): $$(B)/obj/tools/$(1)/$(1)_main.o $$(B)/lib$(1).a \
		$$(B)/libtoolcommon.a $$(TOOL_LAYERS_$(1))
	$$(CC) $$(LDFLAGS) $$^ -lm -o $$@
UNIT_$(1) := $$(B)/lib$(1).a $$(B)/libtoolcommon.a $$(TOOL_LAYERS_$(1))
$$(B)/obj/tests/unit/test_$(1)_%.o: EXTRA_INCLUDES := -Isrc/tools/$(1)
endef
$(foreach t,$(TOOLS),$(eval $(call tool_rules,$(t))))
UNIT_toolcommon := $(B)/libtoolcommon.a
$(B)/obj/tests/unit/test_toolcommon_%.o: EXTRA_INCLUDES := -Isrc/tools/common

-include $(shell find build/$(PROFILE) -name '*.d' 2>/dev/null)

.PHONY: all
all: $(B)/mcref $(addprefix $(B)/mcref-,$(TOOLS))

$(B)/mcref: $(B)/obj/app/main.o $(B)/libapp.a $(B)/libnet.a \
		$(B)/libengine.a $(B)/libproto.a $(B)/libstore.a $(B)/libcommon.a
	$(CC) $(LDFLAGS) $^ -o $@

# ---- tests ----------------------------------------------------------------

# Unit tests: one cmocka binary per module, linked with that module's layer
# only (plus common and, for the store, nothing else).
UNIT_store := $(B)/libstore.a $(B)/libcommon.a
UNIT_common := $(B)/libcommon.a
UNIT_proto := $(B)/libproto.a $(B)/libcommon.a
UNIT_engine := $(B)/libengine.a $(B)/libproto.a $(B)/libstore.a $(B)/libcommon.a
UNIT_net := $(B)/libnet.a $(B)/libengine.a $(B)/libproto.a $(B)/libstore.a \
	$(B)/libcommon.a
UNIT_app := $(B)/libapp.a $(B)/libengine.a $(B)/libproto.a $(B)/libstore.a \
	$(B)/libcommon.a

UNIT_TESTS := $(patsubst tests/unit/%.c,%,$(wildcard tests/unit/test_*.c))
UNIT_BINS := $(addprefix $(B)/tests/unit/,$(UNIT_TESTS))

# test_<layer>_<thing>.c links the archives of <layer>.
unit_deps = $(UNIT_$(word 2,$(subst _, ,$(1))))

# Every unit test can make allocations fail on demand (tests/unit/alloc_fail.h).
UNIT_WRAP := -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc
$(B)/tests/unit/%: $(B)/obj/tests/unit/%.o $(B)/obj/tests/unit/alloc_fail.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $(UNIT_WRAP) $< $(B)/obj/tests/unit/alloc_fail.o \
		$(call unit_deps,$*) -lcmocka -lm -o $@

.SECONDEXPANSION:
$(UNIT_BINS): $$(call unit_deps,$$(notdir $$@))

PROP_BINS := $(B)/tests/prop/prop_store $(B)/tests/prop/prop_session \
	$(B)/tests/prop/prop_binary

# prop_store takes the poisoned memory from the fuzzer's comparer.
$(B)/tests/prop/prop_store: $(B)/obj/tests/prop/prop_store.o \
		$(B)/obj/fuzz/store_compare.o $(B)/libmodel.a $(B)/libstore.a $(B)/libcommon.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $^ -o $@

$(B)/tests/prop/prop_binary: $(B)/obj/tests/prop/prop_binary.o \
		$(B)/libmodel.a $(B)/libengine.a $(B)/libproto.a $(B)/libstore.a \
		$(B)/libcommon.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $^ -o $@

$(B)/tests/prop/prop_session: $(B)/obj/tests/prop/prop_session.o \
		$(B)/libmodel.a $(B)/libengine.a $(B)/libproto.a $(B)/libstore.a \
		$(B)/libcommon.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $^ -o $@

# The soak client (tests/soak/soak.c): a verifying epoll load generator.
SOAK_BIN := $(B)/tests/soak/soak
$(SOAK_BIN): $(B)/obj/tests/soak/soak.o $(B)/obj/tests/soak/soak_binary.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $^ -o $@

# Reliability (README "Reliability at scale"): `make soak` is the long
# form by hand (10,000 connections for 10 minutes; SOAK_CONNS, SOAK_SECONDS,
# SOAK_MEM override); `make soak-short` and `make faults` are what `make
# test` runs (stage soak), soak-short against the ASan+UBSan server too.
# Both send text, meta and (on 25% of the connections) binary traffic.
.PHONY: soak soak-short faults
soak: build/release/mcref build/release/tests/soak/soak
	tests/soak/run.sh build/release/mcref build/release/tests/soak/soak long

soak-short:
	$(MAKE) -s PROFILE=release build/release/mcref build/release/tests/soak/soak
	$(MAKE) -s PROFILE=asan build/asan/mcref
	tests/soak/run.sh build/release/mcref build/release/tests/soak/soak short
	SOAK_CONNS=$${SOAK_ASAN_CONNS:-1000} SOAK_SECONDS=$${SOAK_ASAN_SECONDS:-20} \
		SOAK_SELFCHECK=0 SOAK_ARGS="--rss-growth-kb 100000000 -q" \
		ASAN_OPTIONS=detect_leaks=1 \
		tests/soak/run.sh build/asan/mcref build/release/tests/soak/soak short

faults: build/release/mcref
	MCREF_BIN=build/release/mcref tests/soak/faults.py

.PHONY: unit prop check-purity test run integration bench mutation mutation-smoke
integration: $(B)/mcref $(B)/mcref-bench
	MCREF_BIN=$(B)/mcref tests/integration/run.sh
	BENCH_BIN=$(B)/mcref-bench REQUIRE_META=1 tests/integration/bench_smoke.sh $(B)/mcref
	tests/integration/bench_smoke_needs_meta.sh $(B)/mcref $(B)/mcref-bench

bench:
	@ci/deps.sh test
	$(MAKE) PROFILE=release build/release/mcref build/release/mcref-bench \
		build/release/mcref-null
	ci/bench.sh

unit: $(UNIT_BINS)
	@ci/run-units.sh $(UNIT_BINS)

prop: $(PROP_BINS)
	@ci/run-prop.sh $(B)

# Mutation testing (ci/mutate.py): MUTATION_ARGS="--sample 300 --seed 1"
# runs a reproducible sample; the report is build/mutation/report.txt.
MUTATION_ARGS ?=
mutation:
	nice -n 10 ci/mutate.py $(MUTATION_ARGS)

mutation-smoke:
	nice -n 10 ci/mutate.py --smoke --timeout 120 --jobs 2 --work build/mutation-smoke

check-purity: $(B)/libstore.a $(B)/libproto.a $(B)/libcommon.a
	@ci/check-purity.sh $(B)

test:
	@ci/test.sh

# make run PORT=11311 ARGS="-m 128 -vv" (LISTEN=0.0.0.0 for every interface)
PORT ?= 11211
LISTEN ?= 127.0.0.1
ARGS ?=
run:
	@ci/deps.sh server
	@$(MAKE) -s PROFILE=release build/release/mcref
	@PORT='$(PORT)' LISTEN='$(LISTEN)' ARGS='$(ARGS)' ci/run.sh build/release/mcref

# ---- install and package (packaging/, man/; README "Installing") -----------

PREFIX ?= /usr/local
DESTDIR ?=
SYSCONFDIR ?= /etc
UNITDIR ?= $(PREFIX)/lib/systemd/system
BINDIR := $(PREFIX)/bin
DATADIR := $(PREFIX)/share/mcref
SCRIPTSDIR := $(DATADIR)/scripts
MANDIR := $(PREFIX)/share/man
# The paths the wrapper and the unit name, filled in at install time.
SUBST := sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
	-e 's|@SCRIPTSDIR@|$(SCRIPTSDIR)|g'

.PHONY: install deb
install: $(B)/mcref $(B)/mcref-conform $(B)/mcref-bench $(B)/mcref-clientcheck \
		$(B)/mcref-fuzz
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/cases \
		$(DESTDIR)$(SCRIPTSDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSCONFDIR)
	install -m 755 $(B)/mcref $(B)/mcref-conform $(B)/mcref-bench \
		$(B)/mcref-clientcheck $(B)/mcref-fuzz $(DESTDIR)$(BINDIR)/
	install -m 644 spec/cases/*.case $(DESTDIR)$(DATADIR)/cases/
	install -m 644 man/mcref.1 man/mcref-conform.1 man/mcref-bench.1 \
		man/mcref-clientcheck.1 man/mcref-fuzz.1 \
		$(DESTDIR)$(MANDIR)/man1/
	$(SUBST) packaging/mcref-start > $(DESTDIR)$(SCRIPTSDIR)/mcref-start
	chmod 755 $(DESTDIR)$(SCRIPTSDIR)/mcref-start
	$(SUBST) packaging/mcref.service > $(DESTDIR)$(UNITDIR)/mcref.service
	chmod 644 $(DESTDIR)$(UNITDIR)/mcref.service
	@# An operator's conf is never overwritten.
	if [ ! -e $(DESTDIR)$(SYSCONFDIR)/mcref.conf ]; then \
		install -m 644 packaging/mcref.conf $(DESTDIR)$(SYSCONFDIR)/; \
	else echo "make install: kept $(DESTDIR)$(SYSCONFDIR)/mcref.conf"; fi

# A .deb in build/deb/, with dpkg-deb (packaging/debian/).
deb:
	@ci/deps.sh deb
	$(MAKE) -s PROFILE=release all
	packaging/build-deb.sh build/release build/deb

# ---- fuzzing (fuzz/README.md) -----------------------------------------------

FUZZ_HARNESSES := $(patsubst fuzz/fuzz_%.c,fuzz_%,$(wildcard fuzz/fuzz_*.c))
# Every fuzz/*.c that is neither a harness nor the replay driver supports
# the harnesses (output_check.c, generators, ...).
FUZZ_SUPPORT := $(patsubst fuzz/%.c,$(B)/obj/fuzz/%.o,$(filter-out \
	fuzz/fuzz_%.c fuzz/replay_main.c,$(wildcard fuzz/*.c)))
FUZZ_ARCHIVES := $(B)/libmodel.a $(B)/libengine.a $(B)/libproto.a \
	$(B)/libstore.a $(B)/libcommon.a
FUZZ_SECONDS ?= 20
# fuzz_settings also links the command-line parser, from the app layer (and
# the fault plan parser it calls, after it).
FUZZ_EXTRA_fuzz_settings := $(B)/obj/app/settings.o $(B)/obj/engine/faults.o
$(B)/fuzz/fuzz_settings $(B)/fuzz/fuzz_settings-replay: $(FUZZ_EXTRA_fuzz_settings)

# libFuzzer binaries (PROFILE=fuzz), AFL++ binaries (PROFILE=afl), and plain
# replay drivers (any other profile, normally asan).
ifeq ($(PROFILE),fuzz)
$(B)/fuzz/%: $(B)/obj/fuzz/%.o $(FUZZ_SUPPORT) $(FUZZ_ARCHIVES)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -fsanitize=fuzzer $^ -o $@
else ifeq ($(PROFILE),afl)
$(B)/fuzz/%: $(B)/obj/fuzz/%.o $(FUZZ_SUPPORT) $(FUZZ_ARCHIVES)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $^ /usr/lib/afl/libAFLDriver.a -o $@
else
$(B)/fuzz/%-replay: $(B)/obj/fuzz/%.o $(B)/obj/fuzz/replay_main.o \
		$(FUZZ_SUPPORT) $(FUZZ_ARCHIVES)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $^ -o $@
endif

.PHONY: fuzz fuzz-replay fuzz-smoke
fuzz:
	$(MAKE) PROFILE=fuzz $(addprefix build/fuzz/fuzz/,$(FUZZ_HARNESSES))
	$(MAKE) PROFILE=afl $(addprefix build/afl/fuzz/,$(FUZZ_HARNESSES))

fuzz-replay: $(addprefix $(B)/fuzz/,$(addsuffix -replay,$(FUZZ_HARNESSES)))
	@ci/fuzz-replay.sh $(B) $(FUZZ_HARNESSES)

fuzz-smoke:
	$(MAKE) PROFILE=fuzz $(addprefix build/fuzz/fuzz/,$(FUZZ_HARNESSES))
	@ci/fuzz-smoke.sh $(FUZZ_SECONDS) $(FUZZ_HARNESSES)

# ---- coverage (ci/coverage.sh) ----------------------------------------------

.PHONY: unit-bins prop-bins fuzz-replay-bins coverage
unit-bins: $(UNIT_BINS)
prop-bins: $(PROP_BINS)
fuzz-replay-bins: $(addprefix $(B)/fuzz/,$(addsuffix -replay,$(FUZZ_HARNESSES)))

coverage:
	@ci/deps.sh test
	@ci/coverage.sh

.PHONY: clean
clean:
	rm -rf build
