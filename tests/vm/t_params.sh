#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest: module parameter validation (each bad load fails with -EINVAL and a
# "nvmev_kv: <param>: why" line, leaving the kernel healthy), then good loads:
# a correct insmod after the failures, non-default blk_size and cpus, and 12
# insmod/rmmod cycles with I/O each time (CYCLES=N for more). Each kernel
# runs half of the bad loads (spread_case in lib.sh).
# Guest booted with memmap=1G$1G and -m 3G: RAM is 0-1G and 2G-3G.
. "$NVMEV_DIR/tests/vm/lib.sh"

# name | param regex the dmesg line must name | insmod parameters (exactly these)
BAD_CASES=(
	"missing-memmap_start|memmap_start|memmap_size=1G cpus=1"
	"missing-memmap_size|memmap_size|memmap_start=1G cpus=1"
	"memmap_size-too-small-1M|memmap_size|memmap_start=1G memmap_size=1M cpus=1"
	"memmap_start-overlaps-RAM-2G|memmap_start|memmap_size|memmap_start=2G memmap_size=512M cpus=1"
	"memmap_start-0-is-RAM|memmap_start|memmap_size|memmap_start=0 memmap_size=512M cpus=1"
	"memmap_start-unaligned|memmap_start|memmap_start=1073745920 memmap_size=512M cpus=1"
	"memmap_size-past-reservation-2G|memmap_size|memmap_start|memmap_start=1G memmap_size=2G cpus=1"
	"memmap_start-garbage|memmap_start|memmap_start=1X memmap_size=1G cpus=1"
	"memmap_size-suffix-1Q|memmap_size|memmap_start=1G memmap_size=1Q cpus=1"
	"cpus-offline-7|cpus|memmap_start=1G memmap_size=1G cpus=7"
	"cpus-duplicate-1,1|cpus|memmap_start=1G memmap_size=1G cpus=1,1"
	"cpus-garbage-abc|cpus|memmap_start=1G memmap_size=1G cpus=abc"
	"cpus-empty|cpus|memmap_start=1G memmap_size=1G cpus="
	"blk_size-bigger-than-memmap_size|blk_size|memmap_start=1G memmap_size=1G cpus=1 blk_size=2G"
	"blk_size-unaligned|blk_size|memmap_start=1G memmap_size=1G cpus=1 blk_size=12345"
	"kv_coding-foo|kv_coding|memmap_start=1G memmap_size=1G cpus=1 kv_coding=foo"
	"kv_max_keys-index-fills-the-KV-area|kv_max_keys|memmap_start=1G memmap_size=64M blk_size=1M cpus=1 kv_max_keys=2000000"
	"kv_max_keys-garbage|kv_max_keys|memmap_start=1G memmap_size=1G cpus=1 kv_max_keys=lots"
	"kv_std_size-garbage|kv_std_size|memmap_start=1G memmap_size=1G cpus=1 kv_std_size=some"
)

# Regressions: memmap_size=1M was blamed on blk_size, memmap_start=0 was
# called missing. Here the dmesg line must name the parameter in its prefix
# and say why: name | param | why ERE | insmod parameters
PREFIX_CASES=(
	"memmap_size-1M-default-blk_size|memmap_size|below the minimum|memmap_start=1G memmap_size=1M cpus=1"
	"memmap_size-40M-default-blk_size|memmap_size|default blk_size|memmap_start=1G memmap_size=40M cpus=1"
	"blk_size-given-too-big-for-memmap_size|blk_size|KV area|memmap_start=1G memmap_size=40M blk_size=16M cpus=1"
	"memmap_start-0-not-reserved|memmap_start|0 is not a reserved range|memmap_start=0 memmap_size=512M cpus=1"
	"kv_std_size-below-32M|kv_std_size|at least 32 MiB|memmap_start=1G memmap_size=1G kv_std_size=16M cpus=1"
	"kv_std_size-whole-KV-area|kv_std_size|leave namespace 1 less than 32 MiB|memmap_start=1G memmap_size=1G kv_std_size=959M cpus=1"
)

t_bad_prefix() { expect_insmod_fail_why "$@"; }

t_bad() { # PARAM_RE PARAMS...
	local re=$1; shift
	# shellcheck disable=SC2068
	expect_insmod_fail "$re" $@
}

t_good_after_bad() {
	load_module || return 1
	quick_io && ok "quick I/O"
	unload_module
}

t_blk_size() {
	NVMEV_BLK_SIZE=32M load_module blk_size=32M || return 1
	local out; out=$(nvme id-ns "$NVME_NS")
	expect_eq "id-ns nsze with blk_size=32M" "$(( $(field "$out" nsze) ))" $(( (32 << 20) / 512 ))
	expect_eq "blockdev size" "$(blockdev --getsize64 "$NVME_NS")" $((32 << 20))
	quick_io && ok "quick I/O"
	unload_module
}

t_cpus_two() {
	load_module cpus=0,1 kv_coding=samsung || return 1
	quick_io && ok "quick I/O with dispatcher on CPU 0, worker on CPU 1"
	fio_run "fio verify, cpus=0,1" --name=c2 --filename="$NVME_NS" --direct=1 --rw=randwrite --bs=4k \
		--iodepth=8 --numjobs=2 --size=2M --offset_increment=2M --ioengine=libaio --verify=crc32c --verify_fatal=1
	unload_module
}

t_cycles() {
	local i n=${CYCLES:-12}
	for ((i = 1; i <= n; i++)); do
		load_module > $SCRATCH/cycle.log 2>&1 || { cat $SCRATCH/cycle.log; not_ok "cycle $i: load failed"; return 1; }
		quick_io $((i * 3)) || { not_ok "cycle $i: I/O failed"; unload_module; return 1; }
		# the data written in the previous cycle lives in reserved memory: the
		# block area is not promised to persist across loads, so do not check it
		unload_module > $SCRATCH/cycle.log 2>&1 || { cat $SCRATCH/cycle.log; not_ok "cycle $i: unload failed"; return 1; }
	done
	ok "$n insmod / I/O / rmmod cycles"
	expect_eq "nvme controllers left" "$(ls /sys/class/nvme 2>/dev/null | wc -l)" 0
}

# each kernel runs half of the bad cases (spread_case; TEST_ALL_CASES=1: all)
i=0
for c in "${BAD_CASES[@]}"; do
	IFS='|' read -r name rest <<< "$c"
	params=${rest##*|}; re=${rest%|*}
	if spread_case $i; then
		run_test "badparam:$name" t_bad "$re" $params
	else
		skip_test "badparam:$name" "runs on the other kernel (TEST_ALL_CASES=1 runs it here)"
	fi
	i=$((i + 1))
done
for c in "${PREFIX_CASES[@]}"; do
	IFS='|' read -r name param why params <<< "$c"
	if spread_case $i; then
		run_test "badparam-prefix:$name" t_bad_prefix "$param" "$why" $params
	else
		skip_test "badparam-prefix:$name" "runs on the other kernel (TEST_ALL_CASES=1 runs it here)"
	fi
	i=$((i + 1))
done
run_test good-load-after-bad-params t_good_after_bad
run_test blk_size-32M t_blk_size
run_test cpus-0,1-samsung t_cpus_two
run_test insmod-rmmod-cycles t_cycles
finish
