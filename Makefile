# nsctl — one non-recursive Makefile. `make V=1` shows full command lines.
# Variables: CC=clang, SANITIZE=1 (ASan+UBSan), PREFIX, DESTDIR.

VERSION := 0.1.0
CC ?= cc
PREFIX ?= /usr/local
PKGS := yaml-0.1 libnl-3.0 libnl-route-3.0 libmnl

# One object tree per compiler/sanitizer combination, so switching never mixes objects.
BUILD := build/$(notdir $(CC))$(if $(SANITIZE),-san)

ifeq ($(V),1)
Q :=
else
Q := @
endif

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

WARN := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wstrict-prototypes -Wmissing-prototypes \
	-Wno-unused-parameter
ifeq ($(findstring clang,$(CC)),)
WARN += -Wjump-misses-init
endif
CFLAGS ?= -O2 -g
ALL_CFLAGS := -std=gnu11 $(WARN) $(CFLAGS) -iquote . -D_GNU_SOURCE -DNSCTL_VERSION=\"$(VERSION)\" \
	$(PKG_CFLAGS) -MMD -MP
ALL_LDFLAGS := $(LDFLAGS)
ifneq ($(SANITIZE),)
ALL_CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
ALL_LDFLAGS += -fsanitize=address,undefined
endif

COMMON_SRC := common/log.c common/util.c
TOPO_SRC := topo/parse.c topo/validate.c topo/diag.c topo/addr.c topo/model.c topo/index.c
NETLINK_SRC := $(wildcard netlink/*.c)
NSCTL_LIB_SRC := $(filter-out nsctl/main.c,$(wildcard nsctl/*.c))
NSCTL_SRC := nsctl/main.c $(NSCTL_LIB_SRC)

LIB_SRC := $(COMMON_SRC) $(TOPO_SRC) $(NETLINK_SRC) $(NSCTL_LIB_SRC)
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
LIB := $(BUILD)/libnsctl.a

UNIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(wildcard tests/unit/test-*.c))
INTEG_TESTS := $(patsubst tests/integ/%.c,$(BUILD)/tests/integ/%,$(wildcard tests/integ/test-*.c))
FUZZ_REPLAY := $(BUILD)/tests/fuzz/fuzz-topo-replay
TEST_OBJ := $(BUILD)/obj/tests/t.o

.PHONY: all check check-unit check-integ check-fuzz check-e2e check-headers check-layering \
	demo deps deps-check format format-check install clean fuzz valgrind help rootfs
.DEFAULT_GOAL := all

# The source folder nsctl/ takes the name ./nsctl, so the binary is build/nsctl: a link to the
# binary of the last configuration built (CC, SANITIZE).
all: deps-check $(BUILD)/nsctl $(BUILD)/nsctl-init
	$(Q)ln -sfn $(patsubst build/%,%,$(BUILD))/nsctl build/nsctl

deps-check:
	@pkg-config --exists $(PKGS) 2>/dev/null || { \
		echo "nsctl: missing build dependencies ($(PKGS))."; \
		echo "nsctl: run 'make deps' (as root) to install them with apt-get."; exit 1; }

# Debian 12 packages: build deps, test witnesses (ip, ping, tc, nsenter, python3-yaml for
# tests/e2e/labcheck.py), graphviz for graph checks, musl-tools for the node init.
DEB_PKGS := build-essential clang libyaml-dev libnl-3-dev libnl-route-3-dev libmnl-dev pkg-config \
	iproute2 iputils-ping util-linux graphviz valgrind clang-format busybox-static python3-yaml \
	musl-tools
deps:
	@if [ "$$(id -u)" != 0 ]; then echo "nsctl: 'make deps' needs root (apt-get)"; exit 1; fi
	DEBIAN_FRONTEND=noninteractive apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(DEB_PKGS)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(LIB): $(LIB_OBJ)
	$(Q)rm -f $@
	$(Q)ar rcs $@ $^

$(BUILD)/nsctl: $(BUILD)/obj/nsctl/main.o $(LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

# The node init (PID 1 of every node): libc only, static and small, never sanitized (ASan's
# runtime alone would be megabytes in every node). With musl where it is installed (musl-tools,
# which `make deps` installs): static glibc's start-up detects CPU features with CPUID, which
# traps to the hypervisor in a VM: ~0.9 ms per exec on the development machine, against a few
# system calls for musl's (docs/decisions.md). Else this CC's libc; dynamic where there is no
# static libc.
INIT_CC := $(or $(shell command -v musl-gcc 2>/dev/null),$(CC))
INIT_STATIC = $(shell printf 'int main(void){return 0;}' | $(INIT_CC) -static -x c - \
	-o /dev/null 2>/dev/null && echo -static)
$(BUILD)/nsctl-init: nsctl/init/nsctl-init.c nsctl/init/proto.h nsctl/init/execpath.h \
		nsctl/init/mountinfo.h
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(INIT_CC) -std=gnu11 $(WARN) -Os -iquote . -D_GNU_SOURCE $(INIT_STATIC) -o $@ $<

$(BUILD)/tests/%: $(BUILD)/obj/tests/%.o $(TEST_OBJ) $(LIB)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(FUZZ_REPLAY): $(BUILD)/obj/tests/fuzz/fuzz-topo.o $(BUILD)/obj/tests/fuzz/replay-main.o $(LIB)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

# A tiny root filesystem for nodes with `rootfs: <dir>` (examples/isolation.yaml uses it as
# ../build/rootfs-busybox; the e2e-isolation tier too): a static busybox, every applet as a
# symlink to it in bin/, and the empty mount points and directories a node expects. Built
# next to the final directory and renamed into place, so a half-built tree is never used.
BUSYBOX ?= /bin/busybox
ROOTFS := build/rootfs-busybox
ROOTFS_DIRS := bin etc proc sys dev tmp run var/tmp root
rootfs: $(ROOTFS)/bin/busybox

$(ROOTFS)/bin/busybox: $(wildcard $(BUSYBOX))
	@[ -x $(BUSYBOX) ] || { echo "nsctl: no $(BUSYBOX): install busybox-static ('make deps')"; exit 1; }
	@! LC_ALL=C readelf -l $(BUSYBOX) 2>/dev/null | grep -q 'Requesting program interpreter' || \
		{ echo "nsctl: $(BUSYBOX) is dynamically linked: install busybox-static"; exit 1; }
	@$(if $(Q),echo "  ROOTFS  $(ROOTFS)")
	$(Q)rm -rf $(ROOTFS).new && mkdir -p $(addprefix $(ROOTFS).new/,$(ROOTFS_DIRS))
	$(Q)cp $(BUSYBOX) $(ROOTFS).new/bin/busybox
	$(Q)for a in $$($(BUSYBOX) --list); do \
		case $$a in busybox|*/*|.*) continue ;; esac; \
		ln -s busybox $(ROOTFS).new/bin/$$a || exit 1; done
	$(Q)chmod 1777 $(ROOTFS).new/tmp $(ROOTFS).new/var/tmp && chmod 0700 $(ROOTFS).new/root
	$(Q)printf 'root:x:0:0:root:/root:/bin/sh\n' >$(ROOTFS).new/etc/passwd
	$(Q)printf 'root:x:0:\n' >$(ROOTFS).new/etc/group
	$(Q)rm -rf $(ROOTFS) && mv $(ROOTFS).new $(ROOTFS)

# ---- tests ----
# Each tier prints "tier: N passed, N failed, N skipped"; tests/run-tiers adds them up last.
export NSCTL := $(CURDIR)/$(BUILD)/nsctl
export NSCTL_SRCDIR := $(CURDIR)

check: all rootfs $(UNIT_TESTS) $(INTEG_TESTS) $(FUZZ_REPLAY)
	$(Q)tests/run-tiers $(UNIT_TESTS) tests/e2e/cli.sh $(FUZZ_REPLAY) $(INTEG_TESTS) \
		$(wildcard tests/e2e/lab-*.sh)

check-unit: all $(UNIT_TESTS)
	$(Q)tests/run-tiers $(UNIT_TESTS) tests/e2e/cli.sh

check-integ: all rootfs $(INTEG_TESTS)
	$(Q)tests/run-tiers $(INTEG_TESTS) $(wildcard tests/e2e/lab-*.sh)

check-fuzz: $(FUZZ_REPLAY)
	$(Q)tests/run-tiers $(FUZZ_REPLAY)

# libFuzzer build (clang only): make fuzz FUZZ_SECONDS=60
FUZZ_SECONDS ?= 30
fuzz:
	@mkdir -p build/fuzz
	clang -std=gnu11 -g -O1 -iquote . -D_GNU_SOURCE $(PKG_CFLAGS) \
		-fsanitize=fuzzer,address,undefined -DNSCTL_VERSION=\"$(VERSION)\" \
		tests/fuzz/fuzz-topo.c $(COMMON_SRC) $(TOPO_SRC) -o build/fuzz/fuzz-topo $(PKG_LIBS)
	@mkdir -p build/fuzz/corpus
	build/fuzz/fuzz-topo -max_len=65536 -max_total_time=$(FUZZ_SECONDS) \
		build/fuzz/corpus tests/fuzz/corpus

# libnl allocates translation tables in its constructors and never frees them ("possibly
# lost" from _dl_init); only definite and indirect leaks count as ours.
valgrind: all $(UNIT_TESTS)
	@set -e; for t in $(UNIT_TESTS); do \
		NSCTL_UNDER_VALGRIND=1 valgrind -q --error-exitcode=1 --leak-check=full \
			--errors-for-leak-kinds=definite,indirect $$t >/dev/null; done; \
	for f in examples/*.yaml; do for v in validate plan graph; do \
		valgrind -q --error-exitcode=1 --leak-check=full \
			--show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect \
			$(BUILD)/nsctl $$v $$f >/dev/null; done; done; \
	echo "valgrind: clean"

# Every header compiles on its own.
check-headers:
	@set -e; for h in common/*.h topo/*.h netlink/*.h nsctl/*.h; do \
		echo "#include \"$$h\"" | $(CC) $(ALL_CFLAGS) -MMD -MF /dev/null -fsyntax-only -x c - ; done
	@echo "headers: self-contained"

# topo/ and netlink/ never include each other; only netlink/ sees libnl/libmnl, only parse.c libyaml.
check-layering:
	@! grep -nE '#include "(netlink|nsctl)/' topo/*.[ch] || { echo "layering: topo includes netlink/nsctl"; exit 1; }
	@! grep -nE '#include "(topo|nsctl)/' netlink/*.[ch] || { echo "layering: netlink includes topo/nsctl"; exit 1; }
	@! grep -nE '#include <(netlink|libmnl)/' topo/*.[ch] nsctl/*.[ch] common/*.[ch] || { echo "layering: libnl outside netlink/"; exit 1; }
	@! grep -nE '#include <yaml.h>' $$(ls topo/*.[ch] netlink/*.[ch] nsctl/*.[ch] | grep -v topo/parse.c) || { echo "layering: yaml.h outside topo/parse.c"; exit 1; }
	@echo "layering: ok"

DEMO_FILE ?= examples/routed.yaml
demo:
	@pkg-config --exists $(PKGS) 2>/dev/null || $(MAKE) deps
	@$(MAKE) --no-print-directory all
	@tests/demo.sh build/nsctl $(DEMO_FILE)

FORMAT_FILES = $(wildcard common/*.[ch] topo/*.[ch] netlink/*.[ch] nsctl/*.[ch] nsctl/init/*.[ch] \
	tests/*.[ch] \
	tests/*/*.[ch])
format:
	clang-format -i $(FORMAT_FILES)
format-check:
	clang-format --dry-run -Werror $(FORMAT_FILES)

install: all
	install -Dm755 $(BUILD)/nsctl $(DESTDIR)$(PREFIX)/bin/nsctl
	install -Dm755 $(BUILD)/nsctl-init $(DESTDIR)$(PREFIX)/libexec/nsctl/nsctl-init
	install -Dm644 docs/nsctl.1 $(DESTDIR)$(PREFIX)/share/man/man1/nsctl.1

# ---- benchmark (tests/bench/): BENCH_N="50 200 1000" BENCH_TOPO="star ring" BENCH_RUNS=3 ----
# bench-floor execs bench-pause (next to it) as each node's process: static and small, built
# like nsctl-init (same libc), so that the floor's processes start as cheaply as nsctl's
BENCH_FLOOR := $(BUILD)/bench/bench-floor
BENCH_PAUSE := $(BUILD)/bench/bench-pause
$(BENCH_FLOOR): tests/bench/floor.c nsctl/init/mountinfo.h nsctl/init/proto.h | $(BENCH_PAUSE)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) -std=gnu11 $(WARN) -O2 -iquote . -D_GNU_SOURCE $(shell pkg-config --cflags libmnl) \
		-o $@ $< $(shell pkg-config --libs libmnl)
$(BENCH_PAUSE): tests/bench/pause.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(INIT_CC) -std=gnu11 $(WARN) -Os -D_GNU_SOURCE $(INIT_STATIC) -o $@ $<
bench: all $(BENCH_FLOOR) $(BENCH_PAUSE)
	$(Q)BENCH_FLOOR=$(CURDIR)/$(BENCH_FLOOR) tests/bench/run.sh
bench-deps:
	@if [ "$$(id -u)" != 0 ]; then echo "nsctl: 'make bench-deps' needs root (apt-get)"; exit 1; fi
	@# mininet without its Recommends (openvswitch-switch): the runner (tests/bench/mn.py) uses
	@# Linux-bridge switches (brctl, bridge-utils) and no controller
	apt-cache show mininet >/dev/null 2>&1 || apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mininet \
		bridge-utils
.PHONY: bench bench-deps

clean:
	rm -rf build

help:
	@echo "targets: all check check-unit check-integ check-fuzz fuzz demo deps install clean rootfs"
	@echo "         format format-check check-headers check-layering valgrind"
	@echo "variables: CC=clang SANITIZE=1 V=1 PREFIX=... DESTDIR=..."

-include $(shell find build -name '*.d' 2>/dev/null)
.SECONDARY:
