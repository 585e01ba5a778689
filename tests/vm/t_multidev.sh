#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest: several devices from one insmod. The VM's one reserved range
# (memmap=1G$1G) is split in two regions, memmap_start=1G,1536M
# memmap_size=512M,256M: two controllers of different sizes, each with its
# own data, statistics, threads, debugfs directory, trace filter and timing
# directory, used at once; bad lists refused before anything is touched;
# rmmod removes both without a leak. (One device: every other suite.)
. "$NVMEV_DIR/tests/vm/lib.sh"
. "$NVMEV_DIR/tests/vm/kv_lib.sh"

DBG=/sys/kernel/debug/nvmev_kv
P=/sys/module/nvmev_kv/parameters
# device 0: 512 MiB with a 64 MiB block area; device 1: 256 MiB with 32 MiB
MULTI="memmap_start=1G,1536M memmap_size=512M,256M blk_size=64M,32M"
# one worker: both devices share CPU 1 (allowed, warned); two workers:
# device 0 on CPUs 1 (dispatcher) and 2 (worker), device 1 on CPU 3
if need_workers 2; then MULTI_CPUS=1,2:3; else MULTI_CPUS=1; fi
OPS0=${TEST_MULTIDEV_OPS:-3000}
OPS1=$((OPS0 / 2))
SEED=${TEST_KV_SEED:-$(date +%s)}
NS0= NS1=

# stat FILE NAME: one counter of a stats file
stat_of() { sed -n "s/^$2: //p" "$1" 2>/dev/null | head -1; }

# kv_ops FILE: vendor KV commands a device completed (every kv-* slot)
kv_ops() { awk -F': ' '$1 ~ /^cmds_kv-/ { s += $2 } END { print s + 0 }' "$1" 2>/dev/null; }

# nothing of the module may be left after a refused load
untouched() {
	expect_eq "nvme controllers after the refused loads" "$(ls /sys/class/nvme 2>/dev/null | wc -l)" 0
	expect_eq "nvmev_kv ranges in /proc/iomem" "$(grep -c nvmev_kv /proc/iomem)" 0
	check "no nvmev_kv debugfs directory" test ! -e $DBG
}

# More refused loads: half of them on each kernel (spread_case; all with
# TEST_ALL_CASES=1); the unit tests of params.c cover the rest (separators,
# empty values, lengths of every list). param | why ERE | insmod parameters
MORE_BAD=(
	"timing|device 1: 'fast' is not a preset|$MULTI timing=pm983,fast cpus=1"
	"memmap_size|2 values for 1 device|memmap_start=1G memmap_size=512M,256M cpus=1"
	"cpus|3 values for 2 device|$MULTI cpus=1:1:1"
	"memmap_size|cannot parse .*value 1|memmap_start=1G,1536M memmap_size=512M,1Q cpus=1"
	"io_queues|device 1: 0 is outside|$MULTI io_queues=8,0 cpus=1"
	"memmap_start|more than 4 values|memmap_start=1G,1088M,1152M,1216M,1280M memmap_size=64M cpus=1"
)

t_bad_lists() {
	local c="cpus=1" i param why params
	# overlapping regions: device 1 starts inside device 0
	expect_insmod_fail_why memmap_start "regions of device 0 .* and device 1 .* overlap" \
		memmap_start=1G,1280M memmap_size=512M,256M $c
	# list lengths: memmap_start's is the number of devices
	expect_insmod_fail_why memmap_size "3 values for 2 device" memmap_start=1G,1536M memmap_size=256M,256M,256M $c
	# one bad entry: device 0's region is fine, device 1's is System RAM
	expect_insmod_fail_why memmap_start "device 1: .*System RAM" memmap_start=1G,2G memmap_size=512M,256M $c
	for i in "${!MORE_BAD[@]}"; do
		spread_case $i || continue
		IFS='|' read -r param why params <<< "${MORE_BAD[$i]}"
		# shellcheck disable=SC2086
		expect_insmod_fail_why "$param" "$why" $params
	done
	untouched
}

t_load_two() {
	local mark out n0 n1 c0 c1 s0 s1
	mark=$(dmesg_mark)
	# shellcheck disable=SC2086
	load_module $MULTI cpus=$MULTI_CPUS || return 1
	if ! wait_nvmev_devs 2; then
		not_ok "two live controllers with namespace 1"
		diag_nvme | sed 's/^/    | /'
		return 1
	fi
	NS0=$(nvmev_ns_of 0) NS1=$(nvmev_ns_of 1)
	ok "device 0: $NS0, device 1: $NS1"
	check "the namespaces differ" test "$NS0" != "$NS1"
	out=$(dmesg_since "$mark")
	expect_match "ready line of device 0" "$out" "nvmev_kv: ready: device 0, 0x40000000\+0x20000000, block area 64 MiB"
	expect_match "ready line of device 1" "$out" "nvmev_kv: ready: device 1, 0x60000000\+0x10000000, block area 32 MiB"
	[ "$MULTI_CPUS" = 1 ] && expect_match "shared CPU warned" "$out" "cpus: devices 0 and 1 share a dispatcher CPU"
	out=$(nvme list 2>&1)
	printf '%s\n' "$out" | sed 's/^/    | /'
	expect_eq "nvme list: controllers of nvmev-kv" "$(printf '%s\n' "$out" | grep -c 'nvmev-kv Virtual KV-SSD')" 2
	c0=${NS0%n*} c1=${NS1%n*}
	s0=$(field "$(nvme id-ctrl "$c0")" sn) s1=$(field "$(nvme id-ctrl "$c1")" sn)
	expect_eq "device 0 serial" "$s0" NVMEVKV0000000000001
	expect_eq "device 1 serial" "$s1" NVMEVKV0000000000002
	n0=$(( $(field "$(nvme id-ns "$NS0")" nsze) )) n1=$(( $(field "$(nvme id-ns "$NS1")" nsze) ))
	expect_eq "Identify Namespace nsze of device 0 (64 MiB)" "$n0" $(( (64 << 20) / 512 ))
	expect_eq "Identify Namespace nsze of device 1 (32 MiB)" "$n1" $(( (32 << 20) / 512 ))
	expect_eq "block device size of device 1" "$(blockdev --getsize64 "$NS1")" $((32 << 20))
	# KV capacity: from each device's own stats file
	n0=$(stat_of $DBG/stats kv_capacity_bytes) n1=$(stat_of $DBG/dev1/stats kv_capacity_bytes)
	log "KV capacity: device 0 $n0 bytes, device 1 $n1 bytes"
	check "device 0 has more KV capacity than device 1" test "${n0:-0}" -gt "${n1:-0}"
	# threads: device 0 keeps the names of one device
	out=$(cat /proc/[0-9]*/comm 2>/dev/null | grep '^nvmev_kv' | sort | tr '\n' ' ')
	log "threads: $out"
	expect_match "device 0's threads" "$out" "nvmev_kv_disp .*nvmev_kv_w0|nvmev_kv_w0 .*nvmev_kv_disp|nvmev_kv_disp nvmev_kv_w0"
	expect_match "device 1's threads" "$out" "nvmev_kv1_disp"
	expect_match "device 1's worker" "$out" "nvmev_kv1_w0"
	# a timing directory per PCI function
	check "device 0 timing directory" test -r /sys/class/nvme/${c0#/dev/}/device/timing/preset
	check "device 1 timing directory" test -r /sys/class/nvme/${c1#/dev/}/device/timing/preset
	check "PCI domains 4b56 and 4b57" test -e /sys/bus/pci/devices/4b56:00:00.0 -a -e /sys/bus/pci/devices/4b57:00:00.0
}

# The same key on both devices holds each device's own value.
t_own_data() {
	local v
	[ -n "$NS1" ] || { not_ok "no second device"; return 1; }
	check "store K=zero on device 0" "$KV" store "$NS0" mdkey value-of-device-0
	check "store K=one on device 1" "$KV" store "$NS1" mdkey value-of-device-1
	v=$("$KV" retrieve "$NS0" mdkey 2>&1)
	expect_eq "retrieve K on device 0" "$v" value-of-device-0
	v=$("$KV" retrieve "$NS1" mdkey 2>&1)
	expect_eq "retrieve K on device 1" "$v" value-of-device-1
	check "delete K on device 0" "$KV" delete "$NS0" mdkey
	check "K is gone from device 0" bash -c "! '$KV' exist '$NS0' mdkey"
	check "K stays on device 1" "$KV" exist "$NS1" mdkey
	expect_eq "device 0 keys" "$(stat_of $DBG/stats kv_keys)" 0
	expect_eq "device 1 keys" "$(stat_of $DBG/dev1/stats kv_keys)" 1
	check "delete K on device 1" "$KV" delete "$NS1" mdkey
}

# kvclient random on both at once; each device's stats count its own ops.
t_concurrent() {
	local b0 b1 d0 d1 rc0=0 rc1=0 o0=$SCRATCH/md0.out o1=$SCRATCH/md1.out t0
	[ -n "$NS1" ] || { not_ok "no second device"; return 1; }
	kvclient_ready || return 1
	b0=$(kv_ops $DBG/stats) b1=$(kv_ops $DBG/dev1/stats)
	log "seed $SEED; $OPS0 ops on device 0, $OPS1 on device 1, concurrently"
	t0=$SECONDS
	timeout 600 "$KVCLIENT" random "$NS0" --ops "$OPS0" --seed "$SEED" > "$o0" 2>&1 &
	local p0=$!
	timeout 600 "$KVCLIENT" random "$NS1" --ops "$OPS1" --seed $((SEED + 1)) > "$o1" 2>&1 &
	local p1=$!
	wait $p0 || rc0=$?
	wait $p1 || rc1=$?
	log "both done in $((SECONDS - t0)) s"
	sed 's/^/    | dev0 /' "$o0" | grep -v MISMATCH | tail -4
	sed 's/^/    | dev1 /' "$o1" | grep -v MISMATCH | tail -4
	expect_eq "kvclient on device 0 exit status" $rc0 0
	expect_eq "kvclient on device 1 exit status" $rc1 0
	expect_eq "device 0 ops" "$(grep -o 'ops=[0-9]*' "$o0" | tail -1)" "ops=$OPS0"
	expect_eq "device 1 ops" "$(grep -o 'ops=[0-9]*' "$o1" | tail -1)" "ops=$OPS1"
	expect_eq "device 0 mismatches" "$(grep -o 'mismatches=[0-9]*' "$o0" | tail -1)" mismatches=0
	expect_eq "device 1 mismatches" "$(grep -o 'mismatches=[0-9]*' "$o1" | tail -1)" mismatches=0
	d0=$(( $(kv_ops $DBG/stats) - b0 )) d1=$(( $(kv_ops $DBG/dev1/stats) - b1 ))
	log "KV commands counted: device 0 $d0, device 1 $d1"
	# each device counts exactly the KV commands its own client sent
	expect_eq "device 0's stats: its client's commands" "commands=$d0" "$(grep -o 'commands=[0-9]*' "$o0" | tail -1)"
	expect_eq "device 1's stats: its client's commands" "commands=$d1" "$(grep -o 'commands=[0-9]*' "$o1" | tail -1)"
	log "device 0: $(KV_STATS=$DBG/stats kv_stats_line)"
	log "device 1: $(KV_STATS=$DBG/dev1/stats kv_stats_line)"
}

# Each device has its own filter; the module parameter sets all of them.
t_trace_filter() {
	check "device 0 filter files" test -w $DBG/trace_filter -a -w $DBG/trace_queue -a -w $DBG/trace_opcode
	check "device 1 filter files" test -w $DBG/dev1/trace_filter -a -w $DBG/dev1/trace_queue -a -w $DBG/dev1/trace_opcode
	echo admin > $DBG/dev1/trace_queue; echo kv_ > $DBG/dev1/trace_filter; echo 0x81 > $DBG/dev1/trace_opcode
	expect_eq "device 1 trace_queue" "$(cat $DBG/dev1/trace_queue)" admin
	expect_eq "device 1 trace_filter" "$(cat $DBG/dev1/trace_filter)" kv_
	expect_eq "device 1 trace_opcode" "$(cat $DBG/dev1/trace_opcode)" 129
	expect_eq "device 0 trace_queue unchanged" "$(cat $DBG/trace_queue)" all
	expect_eq "device 0 trace_filter unchanged" "$(cat $DBG/trace_filter)" ""
	check "a bad value is refused" bash -c "! echo nothing > $DBG/dev1/trace_queue"
	echo io > $P/trace_queue; echo > $P/trace_filter; echo -1 > $P/trace_opcode
	expect_eq "the parameter sets device 1's too" "$(cat $DBG/dev1/trace_queue)/$(cat $DBG/dev1/trace_filter)/$(cat $DBG/dev1/trace_opcode)" "io//-1"
	echo all > $P/trace_queue
	# a budget of one command: device 0's filter (opcode 0xff) lets none of
	# its commands through, so its store leaves the trace on; device 1's
	# store is traced and spends the budget
	local mark out
	echo 0xff > $DBG/trace_opcode; echo io > $DBG/dev1/trace_queue
	echo 1 > $P/trace_cmds; echo 1 > $P/trace
	mark=$(dmesg_mark)
	"$KV" store "$NS0" trkey v0 > /dev/null 2>&1
	sleep 0.5
	expect_eq "trace still on after device 0's store" "$(cat $P/trace)" 1
	"$KV" store "$NS1" trkey v1 > /dev/null 2>&1
	sleep 1
	expect_eq "trace off after device 1's store" "$(cat $P/trace)" 0
	echo 0 > $P/trace; echo 0 > $P/trace_cmds
	echo -1 > $DBG/trace_opcode; echo all > $DBG/dev1/trace_queue
	out=$(dmesg_since "$mark")
	expect_match "one command traced" "$out" "call-flow trace off: 1 command"
	expect_match "its call flow in dmesg" "$out" "nvmev_kv: +[+]enter\{func: "
	"$KV" delete "$NS0" trkey > /dev/null 2>&1; "$KV" delete "$NS1" trkey > /dev/null 2>&1
	return 0
}

t_unload_both() {
	unload_check_leaks || return 1
	expect_eq "nvme controllers left" "$(ls /sys/class/nvme 2>/dev/null | wc -l)" 0
	check "no device 1 namespace left" test ! -e "$NS1"
	expect_eq "nvmev_kv ranges in /proc/iomem" "$(grep -c nvmev_kv /proc/iomem)" 0
}

run_test multidev-bad-lists t_bad_lists
run_test multidev-load-two t_load_two
run_test multidev-own-data t_own_data
run_test multidev-concurrent-kvclient t_concurrent
run_test multidev-trace-filter t_trace_filter
run_test multidev-rmmod-both t_unload_both
finish
