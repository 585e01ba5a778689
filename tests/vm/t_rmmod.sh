#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest: removing the module while the device is busy. fio is expected to see
# I/O errors; the kernel must stay healthy (no oops/warning/hang), rmmod must
# finish, the device must go away, and a fresh load must work afterwards.
. "$NVMEV_DIR/tests/vm/lib.sh"

# rmmod_under_fio ENGINE RW: start fio, rmmod after a few seconds, check the aftermath
rmmod_under_fio() {
	local engine=$1 rw=$2 pid rc=0 t0 out i
	load_module || return 1
	# allow_file_create=0: a job that opens the path after the device is
	# gone must fail, not create a regular file /dev/nvme0n1 for the next test
	timeout 180 fio --name=busy --filename="$NVME_NS" --allow_file_create=0 --direct=1 --rw=$rw --bs=4k --iodepth=32 --numjobs=2 \
		--size=16M --offset_increment=16M --ioengine=$engine --time_based --runtime=30 \
		--output-format=terse --terse-version=3 > $SCRATCH/fio-rmmod.out 2>&1 &
	pid=$!
	# rmmod once fio's I/O reaches the device (a loaded TCG host may take
	# longer than a fixed sleep to start both jobs), at most 30 s
	local dstat=/sys/block/${NVME_NS#/dev/}/stat
	for ((i = 0; i < 60; i++)); do
		sleep 0.5
		[ "$(awk '{print $1 + $5}' "$dstat" 2>/dev/null || echo 0)" -gt 1000 ] && break
	done
	sleep 1
	kill -0 $pid 2>/dev/null || { not_ok "fio ended before rmmod: $(tail -5 $SCRATCH/fio-rmmod.out)"; return 1; }
	t0=$(date +%s)
	out=$(timeout 120 rmmod nvmev_kv 2>&1) || rc=$?
	if [ $rc -eq 0 ]; then ok "rmmod with fio ($engine $rw) running returned in $(( $(date +%s) - t0 ))s"
	else not_ok "rmmod with fio running failed (exit $rc): $out"; fi
	# fio may stop on the first error (libaio writes) or keep reading 0-byte
	# EOFs from the dead disk (io_uring reads): give it 10s, then stop it. A
	# process that does not die on SIGKILL is stuck in the kernel: a failure.
	i=$((SECONDS + 10))
	while kill -0 $pid 2>/dev/null && [ $SECONDS -lt $i ]; do sleep 0.5; done
	if kill -0 $pid 2>/dev/null; then
		log "fio still running 10s after rmmod: killing it"
		kill -TERM $pid 2>/dev/null   # timeout(1) passes it on to fio, which stops its jobs
		i=$((SECONDS + 10))
		while kill -0 $pid 2>/dev/null && [ $SECONDS -lt $i ]; do sleep 0.5; done
		kill -KILL $(pgrep -x fio) $pid 2>/dev/null   # (inside the throwaway test VM)
		i=$((SECONDS + 20))
		while kill -0 $pid 2>/dev/null && [ $SECONDS -lt $i ]; do sleep 0.5; done
	fi
	if kill -0 $pid 2>/dev/null || pgrep -x fio > /dev/null; then
		not_ok "fio does not die after rmmod (stuck in the kernel?)"
		for i in $(pgrep -x fio); do grep State /proc/$i/status; cat /proc/$i/stack; done 2>/dev/null | sed 's/^/    | /'
		return 1
	fi
	wait $pid; rc=$?
	log "fio exit status $rc: $(grep -E 'err=|error' $SCRATCH/fio-rmmod.out | head -2 | tr '\n' ' ')"
	ok "fio gone after rmmod"
	wait_gone || return 1
	# the device comes back on a fresh load and works
	load_module || return 1
	quick_io 11 && ok "quick I/O after reload"
	fio_run "fio verify after reload" --name=after --filename="$NVME_NS" --direct=1 --rw=randwrite --bs=4k \
		--iodepth=8 --numjobs=2 --size=2M --offset_increment=2M --ioengine=libaio --verify=crc32c --verify_fatal=1
	unload_module
}

# wait_gone: module, block device and controller have disappeared
wait_gone() {
	local i
	i=$((SECONDS + 30))
	while { module_loaded || [ -e "$NVME_NS" ]; } && [ $SECONDS -lt $i ]; do sleep 0.5; done
	module_loaded && { not_ok "nvmev_kv still loaded"; return 1; }
	if [ -e "$NVME_NS" ]; then
		not_ok "$NVME_NS still present ${SECONDS}s into the test"
		diag_nvme | sed 's/^/    | /'
		return 1
	fi
	ok "module and $NVME_NS gone"
}

t_rmmod_fio_libaio_write() { rmmod_under_fio libaio randwrite; }
t_rmmod_fio_uring_read() { rmmod_under_fio io_uring randread; }

t_rmmod_held_open() {
	local rc=0 out
	load_module || return 1
	exec 7< "$NVME_NS"   # an idle open file descriptor on the namespace
	out=$(timeout 120 rmmod nvmev_kv 2>&1) || rc=$?
	[ $rc -eq 0 ] && ok "rmmod with $NVME_NS held open" || not_ok "rmmod with the device held open failed ($rc): $out"
	if dd if=/proc/self/fd/7 of=/dev/null bs=4k count=1 iflag=direct status=none 2>/dev/null; then
		not_ok "read through the stale descriptor succeeded after rmmod"
	else ok "read through the stale descriptor fails"; fi
	exec 7<&-
	wait_gone || return 1
	load_module || return 1
	quick_io 12 && ok "quick I/O after reload"
	unload_module
}

t_rmmod_during_reset() {
	local rc=0 out pid
	load_module || return 1
	expect_reset_begin
	( for i in 1 2 3 4 5 6; do nvme reset "$NVME_DEV" > /dev/null 2>&1; done ) &
	pid=$!
	sleep 0.5
	out=$(timeout 120 rmmod nvmev_kv 2>&1) || rc=$?
	timeout 60 tail --pid=$pid -f /dev/null
	expect_reset_end
	[ $rc -eq 0 ] && ok "rmmod during nvme resets" || not_ok "rmmod during resets failed ($rc): $out"
	wait_gone || return 1
	load_module || return 1
	quick_io 13 && ok "quick I/O after reload"
	unload_module
}

run_test rmmod-under-fio-libaio-randwrite t_rmmod_fio_libaio_write
run_test rmmod-under-fio-io_uring-randread t_rmmod_fio_uring_read
run_test rmmod-held-open t_rmmod_held_open
run_test rmmod-during-reset t_rmmod_during_reset
finish
