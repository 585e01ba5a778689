# SPDX-License-Identifier: GPL-2.0
#
# make                 build nvmev_kv.ko for KVER (default: the running kernel)
# make KVER=6.12.x     build against another installed kernel's headers
# make unit            user-space unit tests under ASan/UBSan
# make fuzz            libFuzzer targets, bounded time each
# make vm              integration tests in QEMU VMs (Debian 6.1 and 6.12)
# make dkms-build      `dkms build` for 6.1 and 6.12 in a private tree (no root state)
# make install         build for KVER, install to /lib/modules/KVER/updates, depmod
#                      (root; INSTALL_MOD_PATH=dir stages it there instead)
# make uninstall       remove what make install put there, depmod
# make dkms-install    copy the module sources to /usr/src/nvmev-kv-VERSION,
#                      dkms add + install for KVER (root); dkms-uninstall undoes it
# make test            all of the above but install (what .ci/run calls)
# make bench           benchmarks in one VM run (ratios, not timed tests)
#
# Each kernel gets its own build directory, build/$(KVER)/, so modules for
# 6.1 and 6.12 can be built side by side from one tree.

KVER ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KVER)/build
BUILD := $(CURDIR)/build/$(KVER)
# NO_TRACE=1: call-flow tracing compiled out (for the overhead benchmark)
ifeq ($(NO_TRACE),1)
BUILD := $(CURDIR)/build/$(KVER)-notrace
KBUILD_VARS := NVMEV_NO_TRACE=1
endif
MODULE_SRCS := $(wildcard *.c *.h) Kbuild

.PHONY: all module clean unit fuzz vm test demo bench install uninstall dkms-build \
	dkms-install dkms-uninstall

all: module

module:
	@test -d $(KDIR) || { echo "no kernel headers at $(KDIR): install linux-headers-$(KVER) or set KVER/KDIR"; exit 1; }
	@mkdir -p $(BUILD)
	@cp -u $(MODULE_SRCS) $(BUILD)/
	$(MAKE) -C $(KDIR) M=$(BUILD) W=1 $(KBUILD_VARS) modules
	@echo "built $(BUILD)/nvmev_kv.ko"

# modules_install of the external module: /lib/modules/KVER/updates/ (Debian's
# depmod.d searches updates/ before the kernel's own modules)
INSTALL_MOD_DIR ?= updates
MOD_ROOT := $(INSTALL_MOD_PATH)/lib/modules/$(KVER)
DEPMOD = depmod $(if $(INSTALL_MOD_PATH),-b $(INSTALL_MOD_PATH)) -a $(KVER)

install: module
	$(MAKE) -C $(KDIR) M=$(BUILD) INSTALL_MOD_DIR=$(INSTALL_MOD_DIR) modules_install
	$(DEPMOD)
	@echo "installed $$(ls $(MOD_ROOT)/$(INSTALL_MOD_DIR)/nvmev_kv.ko*): modprobe nvmev_kv memmap_start=... memmap_size=..."

uninstall:
	rm -f $(MOD_ROOT)/$(INSTALL_MOD_DIR)/nvmev_kv.ko*
	$(DEPMOD)

dkms-build:
	tests/dkms_build.sh

# DKMS from this tree: only the files the build needs go to the source tree
# (`dkms add .` would copy build/ and tests/ as well). DKMS_TREES can name
# private trees: "--sourcetree S --dkmstree D --installtree I" with
# DKMS_SRCTREE=S.
DKMS_NAME := nvmev-kv
DKMS_VER := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"$$/\1/p' dkms.conf)
DKMS_SRCTREE ?= /usr/src
DKMS_TREES ?=
DKMS_SRC := $(DKMS_SRCTREE)/$(DKMS_NAME)-$(DKMS_VER)

dkms-install:
	-dkms $(DKMS_TREES) remove $(DKMS_NAME)/$(DKMS_VER) --all > /dev/null 2>&1
	rm -rf $(DKMS_SRC)
	mkdir -p $(DKMS_SRC)
	cp $(MODULE_SRCS) dkms.conf $(DKMS_SRC)/
	dkms $(DKMS_TREES) add $(DKMS_NAME)/$(DKMS_VER)
	dkms $(DKMS_TREES) install $(DKMS_NAME)/$(DKMS_VER) -k $(KVER)

dkms-uninstall:
	dkms $(DKMS_TREES) remove $(DKMS_NAME)/$(DKMS_VER) --all
	rm -rf $(DKMS_SRC)

clean:
	rm -rf build
	$(MAKE) -C tests clean

unit:
	$(MAKE) -C tests unit

fuzz:
	$(MAKE) -C tests fuzz

vm:
	scripts/vm-tests

demo:
	scripts/demo

bench:
	scripts/bench

test:
	scripts/run-tests
