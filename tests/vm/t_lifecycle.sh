#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest: lifecycle faults while commands are in flight.
#  - rmmod during heavy KV + block I/O (and while a client holds the
#    injection files open: refused as "in use" or done cleanly)
#  - nvme reset and controller shutdown (driver unbind = CC.SHN, then bind)
#    during KV + block I/O: data stored before survives, the device works
#  - kill -9 of KV clients, iterators, fio and the hostile client mid-command
# Each leaves a working device (or a cleanly removed one), and every unload
# reports 0 allocations outstanding.
. "$NVMEV_DIR/tests/vm/lib.sh"

HOSTILE=$NVMEV_DIR/tools/out/hostile
KVCLIENT=$NVMEV_DIR/tools/out/kvclient
NCPU=$NVMEV_NCPU
PIDS=()

# start_load SECS: KV load on every CPU, an iterator, fio; pids in PIDS
start_load() {
	local secs=$1 i
	PIDS=()
	for ((i = 0; i < NCPU + 1; i++)); do
		taskset -c $((i % NCPU)) "$HOSTILE" load "$NVME_NS" --prefix $((0x30 + i)) --seconds "$secs" --seed $i \
			> $SCRATCH/load.$i 2>&1 &
		PIDS+=($!)
	done
	"$HOSTILE" iterate "$NVME_NS" --seconds "$secs" > $SCRATCH/iter.lc 2>&1 &
	PIDS+=($!)
	fio --name=lc --filename="$NVME_NS" --direct=1 --rw=randrw --bs=4k-64k --iodepth=16 --ioengine=libaio --allow_file_create=0 \
		--size=16M --offset=16M --time_based --runtime="$secs" --output-format=terse --terse-version=3 \
		> $SCRATCH/fio.lc 2>&1 &
	PIDS+=($!)
}

# wait_load SECS: every load process must end within SECS (SIGKILL works)
wait_load() {
	local secs=$1 p end=$((SECONDS + $1)) stuck=0
	for p in "${PIDS[@]}"; do
		while kill -0 $p 2>/dev/null && [ $SECONDS -lt $end ]; do sleep 0.5; done
	done
	for p in "${PIDS[@]}"; do
		if kill -0 $p 2>/dev/null; then
			kill -9 $p 2>/dev/null; sleep 2
			if kill -0 $p 2>/dev/null; then
				not_ok "process $p ($(cat /proc/$p/comm 2>/dev/null)) survives SIGKILL: stuck in the kernel"
				sed 's/^/    | /' /proc/$p/stack 2>/dev/null
				stuck=1
			fi
		fi
		wait $p 2>/dev/null
	done
	PIDS=()
	# a client that reopened the path after the node went away must not
	# have left a regular file where the next namespace node goes
	if [ -e "$NVME_NS" ] && [ ! -b "$NVME_NS" ]; then
		not_ok "$NVME_NS is a regular file now (a client created it): removed"
		rm -f "$NVME_NS"
	fi
	return $stuck
}

# kv_works WHEN: store and verify a fresh data set, a dd round trip
kv_works() {
	local pfx=$((0x50 + ${KV_WORKS_N:-0}))
	KV_WORKS_N=$((${KV_WORKS_N:-0} + 1))
	check "$1: store a data set" "$HOSTILE" fillset "$NVME_NS" --prefix $pfx --pool 100 || return 1
	check "$1: verify it" "$HOSTILE" checkset "$NVME_NS" --prefix $pfx --pool 100
	quick_io $((RANDOM % 200 + 600)) && ok "$1: dd round trip"
}

# close_all_handles: iterators of killed processes stay open (as on a real
# KV-SSD); any host may close them. One process for the 16 handles (16 nvme
# io-passthru processes cost ~5 s under TCG); each closes or is not open.
close_all_handles() {
	check "close every iterator handle" "$HOSTILE" closeiters "$NVME_NS"
}

t_rmmod_under_kv_load() {
	local rc=0 out
	load_module || return 1
	check "fill a data set" "$HOSTILE" fillset "$NVME_NS" --prefix 0x41 --pool 300
	start_load 40
	sleep 8
	out=$(timeout 120 rmmod nvmev_kv 2>&1) || rc=$?
	[ $rc -eq 0 ] && ok "rmmod during KV + fio load" || not_ok "rmmod during load: exit $rc: $out"
	wait_load 30 && ok "every client ended after rmmod"
	grep -h 'load prefix' $SCRATCH/load.* | sed 's/^/    | /'
	local line; line=$(dmesg | grep -o 'allocations outstanding at unload: [0-9]*' | tail -1)
	expect_eq "after rmmod under load: $line" "${line##*: }" 0
	module_loaded && { not_ok "module still loaded"; return 1; }
	if ! load_module; then
		log "after the failed reload:"
		{ ls /sys/block; for c in /sys/class/nvme*/*; do echo "$c: $(cat $c/state 2>/dev/null)"; done
		  ps -eo pid,stat,wchan:30,args | grep -E 'fio|hostile' | grep -v grep; } 2>&1 | sed 's/^/    | /'
		return 1
	fi
	kv_works "after reload"
	unload_check_leaks
}

t_rmmod_with_injection() {
	local rc=0 out pid
	load_module inject=1 || return 1
	"$HOSTILE" run "$NVME_NS" "$NVME_DEV" --ops 1000000 --seconds 60 --skip-known-bugs --seed 3 > $SCRATCH/hostile.lc 2>&1 &
	pid=$!
	sleep 12
	out=$(timeout 120 rmmod nvmev_kv 2>&1) || rc=$?
	if [ $rc -eq 0 ]; then
		ok "rmmod while the hostile client injects: removed"
	else
		ok "rmmod while the injection files are open: refused ($out)"
		module_loaded || not_ok "rmmod failed but the module is gone"
	fi
	kill -9 $pid 2>/dev/null
	PIDS=($pid); wait_load 20 && ok "hostile client gone"
	if module_loaded; then
		kv_works "after the refused rmmod"
		unload_check_leaks
	else
		local line; line=$(dmesg | grep -o 'allocations outstanding at unload: [0-9]*' | tail -1)
		expect_eq "$line" "${line##*: }" 0
	fi
}

t_reset_under_load() {
	local i out
	load_module || return 1
	check "fill a data set" "$HOSTILE" fillset "$NVME_NS" --prefix 0x42 --pool 300
	start_load 20
	sleep 3
	expect_reset_begin
	for i in 1 2 3; do
		out=$(timeout 60 nvme reset "$NVME_DEV" 2>&1) && ok "nvme reset #$i under load" || not_ok "nvme reset #$i: $out"
		sleep 2
	done
	wait_load 60 && ok "clients ended"
	wait_nvme 30 || not_ok "controller not live after the resets"
	expect_reset_end
	grep -h 'load prefix' $SCRATCH/load.* | sed 's/^/    | /'
	check "data set stored before the resets is intact" "$HOSTILE" checkset "$NVME_NS" --prefix 0x42 --pool 300
	close_all_handles
	kv_works "after resets"
	check "iterate works" "$HOSTILE" iterate "$NVME_NS" --seconds 3
	unload_check_leaks
}

t_shutdown_under_load() {
	local bdf drv=/sys/bus/pci/drivers/nvme i
	load_module || return 1
	bdf=$(basename "$(readlink -f /sys/class/nvme/${NVME_DEV#/dev/}/device)")
	check "fill a data set" "$HOSTILE" fillset "$NVME_NS" --prefix 0x43 --pool 300
	for i in 1 2; do
		start_load 15
		sleep 4
		expect_reset_begin
		# unbind: the driver shuts the controller down (CC.SHN) with I/O in flight
		echo "$bdf" > $drv/unbind 2>/dev/null && ok "unbind $bdf (controller shutdown) under load #$i" || not_ok "unbind $bdf failed"
		wait_load 40 && ok "clients ended after the shutdown #$i"
		local t=$((SECONDS + 20))
		while [ -e /sys/class/nvme/${NVME_DEV#/dev/} ] && [ $SECONDS -lt $t ]; do sleep 0.5; done
		[ -e /sys/class/nvme/${NVME_DEV#/dev/} ] && not_ok "controller ${NVME_DEV#/dev/} still present 20s after unbind"
		echo "$bdf" > $drv/bind 2>/dev/null && ok "bind $bdf again" || not_ok "bind $bdf failed"
		if wait_nvme 60; then ok "controller live after shutdown + bind #$i ($NVME_DEV)"; else
			not_ok "no live controller with a namespace 60s after bind"
			ls -l /dev/nvme* 2>&1 | sed 's/^/    | /'
			for c in /sys/class/nvme/*; do echo "$c: $(cat $c/state)"; done 2>&1 | sed 's/^/    | /'
			expect_reset_end; return 1
		fi
		expect_reset_end
	done
	check "data set stored before the shutdowns is intact" "$HOSTILE" checkset "$NVME_NS" --prefix 0x43 --pool 300
	close_all_handles
	kv_works "after shutdowns"
	unload_check_leaks
}

t_kill9() {
	local round p victims
	load_module inject=1 || return 1
	check "fill a data set" "$HOSTILE" fillset "$NVME_NS" --prefix 0x44 --pool 300
	for round in 1 2; do
		start_load 30
		"$KVCLIENT" random "$NVME_NS" --ops 100000 --seed $round > $SCRATCH/kvc.$round 2>&1 &
		PIDS+=($!)
		"$HOSTILE" run "$NVME_NS" "$NVME_DEV" --ops 1000000 --seconds 30 --skip-known-bugs --seed $((round + 50)) \
			> $SCRATCH/hostile.k$round 2>&1 &
		PIDS+=($!)
		sleep $((3 + round))
		victims=${#PIDS[@]}
		for p in "${PIDS[@]}"; do kill -9 $p 2>/dev/null; done
		wait_load 30 && ok "round $round: $victims clients killed with SIGKILL mid-command"
	done
	# the private injection queue may have a command of a killed writer in
	# flight: injection must recover by itself within its timeout
	sleep 1
	close_all_handles
	check "data set intact after the kills" "$HOSTILE" checkset "$NVME_NS" --prefix 0x44 --pool 300
	kv_works "after kill -9"
	check "hostile client (short) works after the kills" \
		"$HOSTILE" run "$NVME_NS" "$NVME_DEV" --ops 3000 --seconds 60 --skip-known-bugs --seed 99
	unload_check_leaks
}

for t in "$HOSTILE" "$KVCLIENT"; do [ -x "$t" ] || { echo "no $t (make -C tools)"; exit 1; }; done
run_test rmmod-under-kv-load t_rmmod_under_kv_load
run_test rmmod-with-injection-open t_rmmod_with_injection
run_test reset-under-load t_reset_under_load
run_test shutdown-under-load t_shutdown_under_load
run_test kill-9-mid-command t_kill9
finish
