# SPDX-License-Identifier: GPL-2.0
PREFIX ?= /usr/local
DESTDIR ?=
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
UNITDIR ?= /lib/systemd/system
PKG_CONFIG ?= pkg-config
VERSION := 0.1

PKGS := libmnl libnftnl libnl-genl-3.0 libcap-ng
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS))
PKG_LIBS := $(shell $(PKG_CONFIG) --libs $(PKGS))

CFLAGS ?= -O2 -g
WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2
override CFLAGS += -std=gnu11 $(WARN) -D_GNU_SOURCE -DWGPHYS_VERSION='"$(VERSION)"' $(PKG_CFLAGS) -MMD -MP
override LDLIBS += $(PKG_LIBS)

# The test build: sanitizers, and failure injection (WGPHYS_FAIL_AT).
TEST_CFLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
	-fno-sanitize-recover=undefined -DWGPHYS_FAULT_INJECTION

# Everything but the command layer; unit tests link against this.
CLI_SRCS := wgphys.c
LIB_SRCS := $(filter-out $(CLI_SRCS),$(sort $(wildcard *.c)))
UNIT_SRCS := $(wildcard tests/unit/test-*.c)

ifeq ($(V),1)
Q :=
qecho := @true
else
Q := @
qecho := @echo
endif

all: wgphys

build/rel/%.o: %.c
	@mkdir -p $(@D)
	$(qecho) "  CC      $@"
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

build/test/%.o: %.c
	@mkdir -p $(@D)
	$(qecho) "  CC      $@"
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(TEST_CFLAGS) -I. -c -o $@ $<

wgphys: $(patsubst %.c,build/rel/%.o,$(CLI_SRCS) $(LIB_SRCS))
	$(qecho) "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

build/test/wgphys: $(patsubst %.c,build/test/%.o,$(CLI_SRCS) $(LIB_SRCS))
	$(qecho) "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -fsanitize=address,undefined -o $@ $^ $(LDLIBS)

build/test/tests/unit/%: build/test/tests/unit/%.o $(patsubst %.c,build/test/%.o,$(LIB_SRCS))
	$(qecho) "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -fsanitize=address,undefined -o $@ $^ $(LDLIBS)

UNIT_BINS := $(patsubst %.c,build/test/%,$(UNIT_SRCS))

test-build: build/test/wgphys $(UNIT_BINS)

# libFuzzer harnesses, tests/fuzz/fuzz-*.c: each built with clang against
# the library (instrumented for coverage) and run on its seed corpus
# (tests/fuzz/corpus/NAME/) for FUZZ_SECONDS. make check runs each briefly.
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_FLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
	-fno-sanitize-recover=undefined
FUZZ_BINS := $(patsubst tests/fuzz/%.c,build/fuzz/%,$(wildcard tests/fuzz/fuzz-*.c))

build/fuzz/lib/%.o: %.c
	@mkdir -p $(@D)
	$(qecho) "  FUZZCC  $@"
	$(Q)$(FUZZ_CC) $(CPPFLAGS) $(CFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

build/fuzz/fuzz-%: tests/fuzz/fuzz-%.c $(patsubst %.c,build/fuzz/lib/%.o,$(LIB_SRCS))
	@mkdir -p $(@D)
	$(qecho) "  FUZZLD  $@"
	$(Q)$(FUZZ_CC) $(CPPFLAGS) $(CFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer -I. -o $@ $(filter %.c %.o,$^) $(LDLIBS)

fuzz-build: $(FUZZ_BINS)

fuzz:
	tests/fuzz/run $(FUZZ_SECONDS)

# Every test: unit, host, and the real-kernel ones under QEMU.
check: all test-build
	tests/run

check-host: all test-build
	tests/run --no-vm

# Speed against the published shell script, as ratios in one run.
# BENCH_ROUNDS=N: rounds of bench/updown.sh (default 3, a minute or two each).
bench: all test-build
	bench/exec.sh
	tests/vm/run -t 1500 bench/updown.sh $(if $(BENCH_ROUNDS),BENCH_ROUNDS=$(BENCH_ROUNDS))

# The installed wgphys, shown in the VM's test world.
demo:
	tests/vm/run scripts/demo.sh

analyze:
	cppcheck --quiet --enable=warning,portability --error-exitcode=1 \
		--suppress=missingIncludeSystem $(LIB_SRCS) $(CLI_SRCS)

install: wgphys
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(UNITDIR)
	install -m 0755 wgphys $(DESTDIR)$(SBINDIR)/wgphys
	install -m 0644 wgphys.8 $(DESTDIR)$(MANDIR)/man8/wgphys.8
	sed 's|@SBINDIR@|$(SBINDIR)|g' scripts/wgphys.service.in > $(DESTDIR)$(UNITDIR)/wgphys.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/wgphys.service

# exec for members of group wgphys, without sudo: file capabilities, never
# setuid. sys_admin: enter the namespace, mount /sys and /etc/netns files;
# dac_read_search: read the root-only state that says which namespace up
# made; setpcap: empty the bounding set before the command runs. Permitted
# only (+p): wgphys raises each when needed. setcap last: install, chown
# and chmod clear file capabilities.
install-caps: wgphys
	getent group wgphys >/dev/null || groupadd --system wgphys
	install -d $(DESTDIR)$(SBINDIR)
	install -o root -g wgphys -m 0750 wgphys $(DESTDIR)$(SBINDIR)/wgphys
	setcap cap_sys_admin,cap_dac_read_search,cap_setpcap+p $(DESTDIR)$(SBINDIR)/wgphys

clean:
	rm -rf build wgphys

-include $(shell find build -name '*.d' 2>/dev/null)

.PHONY: all check check-host test-build fuzz fuzz-build bench demo analyze install install-caps clean
.SECONDARY:
