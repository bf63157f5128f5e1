# SPDX-License-Identifier: GPL-2.0
PREFIX ?= /usr/local
DESTDIR ?=
SBINDIR ?= $(PREFIX)/sbin
DATADIR ?= $(PREFIX)/share
MANDIR ?= $(DATADIR)/man
DOCDIR ?= $(DATADIR)/doc/wgphys
LIBEXECDIR ?= $(PREFIX)/libexec
PKG_CONFIG ?= pkg-config
# Where systemd and bash-completion look, as they say themselves.
UNITDIR ?= $(or $(shell $(PKG_CONFIG) --variable=systemdsystemunitdir systemd 2>/dev/null),/lib/systemd/system)
COMPLETIONDIR ?= $(or $(shell $(PKG_CONFIG) --variable=completionsdir bash-completion 2>/dev/null),$(PREFIX)/share/bash-completion/completions)
VERSION := 0.1

PKGS := libmnl libnftnl libnl-genl-3.0 libcap-ng
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS))
PKG_LIBS := $(shell $(PKG_CONFIG) --libs $(PKGS))

CFLAGS ?= -O2 -g
WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2
override CFLAGS += -std=gnu11 $(WARN) -D_GNU_SOURCE -DWGPHYS_VERSION='"$(VERSION)"' $(PKG_CFLAGS) -MMD -MP
# Where the front finds the core once installed (paths.h, handoff.c).
override CPPFLAGS += -DWGPHYS_CORE='"$(LIBEXECDIR)/wgphys/wgphys-core"'
override LDLIBS += $(PKG_LIBS)
# The front links libc and libcap-ng only.
FRONT_LIBS := $(shell $(PKG_CONFIG) --libs libcap-ng)

# The test build: sanitizers, and failure injection (WGPHYS_FAIL_AT).
TEST_CFLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
	-fno-sanitize-recover=undefined -DWGPHYS_FAULT_INJECTION

# Two programs. wgphys, the front: exec, and the file that may carry
# capabilities, so it holds only what exec needs (FRONT_SRCS). wgphys-core:
# everything; the front runs it for every other command.
# Everything but the command layer; unit tests link against this.
CLI_SRCS := wgphys.c front.c cli.c cliexec.c
LIB_SRCS := $(filter-out $(CLI_SRCS),$(sort $(wildcard *.c)))
CORE_SRCS := wgphys.c cli.c cliexec.c $(LIB_SRCS)
FRONT_SRCS := front.c cli.c cliexec.c handoff.c exec.c nsenter.c privdrop.c pty.c \
	state.c netns.c pathcheck.c wgphysconf.c ini.c values.c model.c secfile.c \
	fault.c err.c
UNIT_SRCS := $(wildcard tests/unit/test-*.c)
# Small programs the tests drive (one per file), linked like the unit tests.
TOOL_SRCS := $(wildcard tests/tools/*.c)
TOOL_BINS := $(patsubst %.c,build/test/%,$(TOOL_SRCS))

ifeq ($(V),1)
Q :=
qecho := @true
else
Q := @
qecho := @echo
endif

all: wgphys wgphys-core

build/rel/%.o: %.c
	@mkdir -p $(@D)
	$(qecho) "  CC      $@"
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

build/test/%.o: %.c
	@mkdir -p $(@D)
	$(qecho) "  CC      $@"
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(TEST_CFLAGS) -I. -c -o $@ $<

wgphys: $(patsubst %.c,build/rel/%.o,$(FRONT_SRCS))
	$(qecho) "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(FRONT_LIBS)

wgphys-core: $(patsubst %.c,build/rel/%.o,$(CORE_SRCS))
	$(qecho) "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

build/test/wgphys: $(patsubst %.c,build/test/%.o,$(FRONT_SRCS))
	$(qecho) "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -fsanitize=address,undefined -o $@ $^ $(FRONT_LIBS)

build/test/wgphys-core: $(patsubst %.c,build/test/%.o,$(CORE_SRCS))
	$(qecho) "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -fsanitize=address,undefined -o $@ $^ $(LDLIBS)

build/test/tests/unit/%: build/test/tests/unit/%.o $(patsubst %.c,build/test/%.o,$(LIB_SRCS))
	$(qecho) "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -fsanitize=address,undefined -o $@ $^ $(LDLIBS)

UNIT_BINS := $(patsubst %.c,build/test/%,$(UNIT_SRCS))

build/test/tests/tools/%: build/test/tests/tools/%.o $(patsubst %.c,build/test/%.o,$(LIB_SRCS))
	$(qecho) "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -fsanitize=address,undefined -o $@ $^ $(LDLIBS)

test-build: build/test/wgphys build/test/wgphys-core $(UNIT_BINS) $(TOOL_BINS)

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

# Every test: the static analyser, unit, host, and the real-kernel ones
# under QEMU.
check: all test-build analyze
	tests/run

check-host: all test-build analyze
	tests/run --no-vm

# Speed against the published shell script, as ratios in one run.
# BENCH_ROUNDS=N: rounds of bench/updown.sh (default 3, a minute or two each).
# HOTPLUG_ROUNDS=N: radios per series of bench/hotplug.sh (default 20; some
# 6 minutes in all under TCG).
bench: all test-build
	bench/exec.sh
	bench/handoff.sh
	tests/vm/run bench/handoff.sh
	tests/vm/run -t 1500 bench/updown.sh $(if $(BENCH_ROUNDS),BENCH_ROUNDS=$(BENCH_ROUNDS))
	tests/vm/run -t 1500 bench/hotplug.sh $(if $(HOTPLUG_ROUNDS),HOTPLUG_ROUNDS=$(HOTPLUG_ROUNDS))

# The installed wgphys, shown in the VM's test world.
demo:
	tests/vm/run scripts/demo.sh
	tests/vm/run scripts/demo-cafe.sh

analyze:
	cppcheck --quiet --enable=warning,portability --error-exitcode=1 \
		--suppress=missingIncludeSystem $(LIB_SRCS) $(CLI_SRCS)

# Every installed file, one "MODE SOURCE DEST" per line: install and
# uninstall both read this list, so they cannot disagree. The sources under
# build/ are scripts/ files with @SBINDIR@, @LIBEXECDIR@ and @DATADIR@
# filled in.
INSTALL_FILES = \
	0755 wgphys                              $(SBINDIR)/wgphys \
	0755 wgphys-core                         $(LIBEXECDIR)/wgphys/wgphys-core \
	0644 wgphys.8                            $(MANDIR)/man8/wgphys.8 \
	0644 wgphys.conf.5                       $(MANDIR)/man5/wgphys.conf.5 \
	0644 build/wgphys.service                $(UNITDIR)/wgphys.service \
	0644 completion/wgphys.bash              $(COMPLETIONDIR)/wgphys \
	0644 doc/wgphys.conf.example             $(DOCDIR)/wgphys.conf.example \
	0644 scripts/NetworkManager/90-wgphys.conf $(DATADIR)/wgphys/NetworkManager/90-wgphys.conf \
	0755 build/nm-unmanaged                  $(LIBEXECDIR)/wgphys/nm-unmanaged \
	0755 build/install-caps                  $(LIBEXECDIR)/wgphys/install-caps

# Made anew every time: they hold the paths of this make's variables.
SUBST = sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@LIBEXECDIR@|$(LIBEXECDIR)|g' \
	-e 's|@DATADIR@|$(DATADIR)|g'
GENERATED := build/wgphys.service build/nm-unmanaged build/install-caps

build/wgphys.service: scripts/wgphys.service.in FORCE
build/nm-unmanaged: scripts/NetworkManager/nm-unmanaged FORCE
build/install-caps: scripts/install-caps FORCE
$(GENERATED):
	@mkdir -p $(@D)
	$(qecho) "  GEN     $@"
	$(Q)$(SUBST) $< >$@

install: wgphys wgphys-core $(GENERATED)
	@set -e; set -- $(INSTALL_FILES); while [ $$# -ge 3 ]; do \
		echo "  INSTALL $(DESTDIR)$$3"; \
		install -D -m $$1 $$2 "$(DESTDIR)$$3"; shift 3; \
	done

# Removes what install put there, and the directories of wgphys's own that
# it leaves empty; never a shared directory such as $(SBINDIR).
uninstall:
	@set -e; set -- $(INSTALL_FILES); while [ $$# -ge 3 ]; do \
		if [ -e "$(DESTDIR)$$3" ]; then echo "  RM      $(DESTDIR)$$3"; rm -f "$(DESTDIR)$$3"; fi; \
		shift 3; \
	done
	@for d in $(DATADIR)/wgphys/NetworkManager $(DATADIR)/wgphys $(LIBEXECDIR)/wgphys $(DOCDIR); do \
		rmdir "$(DESTDIR)$$d" 2>/dev/null || true; \
	done

# exec for members of group wgphys, without sudo: file capabilities on the
# installed binary, never setuid. scripts/install-caps says what it does
# and why each capability; run it again after every install.
install-caps: install
	scripts/install-caps "$(DESTDIR)$(SBINDIR)/wgphys"

# The README's picture, from its text source (Graphviz). Committed, so
# that reading the README needs no Graphviz; run after editing the .dot.
doc: doc/namespaces.svg

doc/namespaces.svg: doc/namespaces.dot
	$(qecho) "  DOT     $@"
	$(Q)dot -Tsvg -o $@.tmp $< && mv -f $@.tmp $@

clean:
	rm -rf build wgphys wgphys-core

-include $(shell find build -name '*.d' 2>/dev/null)

.PHONY: all check check-host test-build fuzz fuzz-build bench demo analyze install uninstall install-caps doc clean FORCE
.SECONDARY:
