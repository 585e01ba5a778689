#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest: block I/O on namespace 1: dd round trips, fio verify with libaio and
# io_uring, controller resets under load; with two workers, torn sectors.
#
# TEST_TEAR_SECONDS: how long blk_write_torn_sector writes (default 20).
. "$NVMEV_DIR/tests/vm/lib.sh"

BLK_BYTES=$(to_bytes $NVMEV_BLK_SIZE)

t_load() { load_module; }

# dd_roundtrip BS COUNT SEEK_BYTES: write random data with O_DIRECT, read back, compare
dd_roundtrip() {
	local bs=$1 count=$2 off=$3 w=$SCRATCH/dd.w r=$SCRATCH/dd.r bytes
	bytes=$(( $(to_bytes $bs) * count ))
	head -c "$bytes" /dev/urandom > $w
	timeout 120 dd if=$w of="$NVME_NS" bs=$bs count=$count seek=$off oflag=direct,seek_bytes conv=notrunc status=none \
		|| { not_ok "dd write bs=$bs count=$count at $off failed"; return 1; }
	timeout 120 dd if="$NVME_NS" of=$r bs=$bs count=$count skip=$off iflag=direct,skip_bytes status=none \
		|| { not_ok "dd read bs=$bs count=$count at $off failed"; return 1; }
	if cmp -s $w $r; then ok "dd bs=$bs x$count at byte $off: read back equals written"; else
		not_ok "dd bs=$bs x$count at byte $off: data differs"; cmp $w $r | head -3 | sed 's/^/    | /'; return 1; fi
}

t_dd() {
	dd_roundtrip 4k 256 0
	dd_roundtrip 128k 32 $((1 << 20))
	dd_roundtrip 1M 8 $((8 << 20))
	dd_roundtrip 4M 2 $((20 << 20))          # larger than MDTS: the driver splits it
	dd_roundtrip 512 64 $((5 * 512 + (40 << 20)))  # 512-byte, non-4k-aligned LBAs
	dd_roundtrip 4k 16 $((BLK_BYTES - 65536)) # the last 64 KiB of the namespace
	# reading/writing past the end must fail cleanly
	if timeout 60 dd if=/dev/zero of="$NVME_NS" bs=4k count=2 seek=$((BLK_BYTES / 4096)) oflag=direct conv=notrunc status=none 2>/dev/null; then
		not_ok "dd write past the end of the namespace succeeded"
	else ok "dd write past the end fails"; fi
	local n; n=$(timeout 60 dd if="$NVME_NS" bs=4k skip=$((BLK_BYTES / 4096)) count=1 iflag=direct status=none 2>/dev/null | wc -c)
	expect_eq "bytes read past the end" "$n" 0
	# data written before persists across a second, buffered (page cache) read
	echo 3 > /proc/sys/vm/drop_caches
	dd_roundtrip 64k 16 $((30 << 20))
}

FIO_COMMON="--filename=$NVME_NS --direct=1 --rw=randwrite --bsrange=4k-64k --iodepth=16 --numjobs=2 --size=8M --offset_increment=8M --verify=crc32c --verify_fatal=1 --do_verify=1"

t_fio_libaio() { fio_run "fio randwrite verify=crc32c libaio numjobs=2" --name=aio $FIO_COMMON --ioengine=libaio; }
t_fio_io_uring() { fio_run "fio randwrite verify=crc32c io_uring numjobs=2" --name=uring $FIO_COMMON --ioengine=io_uring --offset=16M; }

t_fio_mixed() {
	# reads and writes interleaved, verify in the backlog while writing
	fio_run "fio randrw verify_backlog io_uring" --name=mixed --filename="$NVME_NS" --direct=1 --rw=randrw \
		--bs=4k --iodepth=32 --numjobs=2 --size=4M --offset=32M --offset_increment=4M \
		--ioengine=io_uring --verify=crc32c --verify_backlog=64 --verify_fatal=1
}

# Defect 6e: Identify says AWUN = 0 (one LBA is written atomically), but two
# writes to the same LBAs from SQs on different workers are copied at the
# same time and can tear a 512-byte sector. tools/out/tear writes 256 KiB ..
# 1 MiB buffers of one 8-byte word per sector from a CPU on each worker's
# hardware queue into one 1 MiB range, reads it from a third CPU, and counts
# sectors that are not one word: while writing (read/write tears) for half
# the time, then at rest after lockstep rounds of overlapping writes
# (write/write tears).
t_torn_sector() {
	local tear=$NVMEV_DIR/tools/out/tear c0 c1 rd out rc=0 q0 w0
	[ -x "$tear" ] || { not_ok "no $tear (make -C tools)"; return 1; }
	c0=$(cpu_on_worker 0) && c1=$(cpu_on_worker 1 $c0) ||
		{ not_ok "no CPUs whose hardware queues run on workers 0 and 1:"; hctx_map | sed 's/^/    | /'; return 1; }
	rd=$(cpu_on_worker 0 $c0 $c1 || cpu_on_worker 1 $c0 $c1 || echo $c0)
	log "writers on CPU $c0 (qid $(qid_of_cpu $c0), worker 0) and CPU $c1 (qid $(qid_of_cpu $c1), worker 1), reader on CPU $rd"
	q0=$(queue_counts); w0=$(worker_switches)
	out=$(timeout $((${TEST_TEAR_SECONDS:-20} + 120)) "$tear" "$NVME_NS" --cpus "$c0,$c1" --reader-cpu "$rd" \
		--offset 56M --range 1M --min 256K --max 1M --seconds "${TEST_TEAR_SECONDS:-20}" 2>&1) || rc=$?
	printf '%s\n' "$out" | grep -vE '^tear: (read|round) [0-9]* at' | head -30 | sed 's/^/    | /'
	worker_evidence "$q0" "$w0"
	case $rc in
	0) ok "no torn sector: $(printf '%s\n' "$out" | grep '^TEAR-RESULT')" ;;
	1) not_ok "torn sectors (AWUN = 0 promises single-LBA atomicity): $(printf '%s\n' "$out" | grep '^TEAR-RESULT')" ;;
	*) not_ok "tear failed (exit $rc)" ;;
	esac
}

t_reset_under_fio() {
	local pid i rc=0 out
	expect_reset_begin
	fio --output-format=terse --terse-version=3 --group_reporting --name=reset --filename="$NVME_NS" --direct=1 \
		--rw=randwrite --bs=4k --iodepth=16 --numjobs=2 --size=4M --offset=40M --offset_increment=4M \
		--ioengine=libaio --verify=crc32c --verify_backlog=32 --verify_fatal=1 \
		--time_based --runtime=18 > $SCRATCH/fio-reset.out 2>&1 &
	pid=$!
	sleep 3
	for i in 1 2 3; do
		out=$(timeout 60 nvme reset "$NVME_DEV" 2>&1) && ok "nvme reset #$i" || not_ok "nvme reset #$i failed: $out"
		kill -0 $pid 2>/dev/null || log "fio already finished after reset #$i"
		sleep 3
	done
	timeout 120 tail --pid=$pid -f /dev/null; wait $pid || rc=$?
	expect_reset_end
	FIO_OUT=$(cat $SCRATCH/fio-reset.out)
	local err wkb; err=$(printf '%s\n' "$FIO_OUT" | awk -F';' '$1=="3"{print $5}' | head -1)
	wkb=$(printf '%s\n' "$FIO_OUT" | awk -F';' '$1=="3"{print $47}' | head -1)
	if [ $rc -eq 0 ] && [ "$err" = 0 ] && [ "${wkb:-0}" -gt 0 ]; then ok "fio during 3 resets: no errors, ${wkb}KiB written and verified"
	else not_ok "fio during resets: exit $rc error=${err:-?} written=${wkb:-?}KiB"; printf '%s\n' "$FIO_OUT" | grep -v '^3;' | tail -20 | sed 's/^/    | /'; fi
	wait_nvme 30 && ok "controller live after resets" || not_ok "controller not live after resets: $(cat /sys/class/nvme/${NVME_DEV#/dev/}/state)"
	check "id-ctrl after reset" nvme id-ctrl "$NVME_DEV"
	quick_io 7 && ok "quick I/O after reset"
	fio_run "fio verify after resets" --name=after $FIO_COMMON --ioengine=io_uring --size=2M --offset=48M
}

t_reset_idle() {
	local i out
	expect_reset_begin
	for i in 1 2 3 4 5; do
		out=$(timeout 60 nvme reset "$NVME_DEV" 2>&1) || { not_ok "idle nvme reset #$i: $out"; break; }
		wait_nvme 30 || { not_ok "not live after idle reset #$i"; break; }
	done
	expect_reset_end
	ok "5 idle resets"
	quick_io 3 && ok "quick I/O after idle resets"
	# data written before the resets is still there
	dd_roundtrip 64k 4 $((60 << 20))
}

t_unload() { unload_module; }

run_test load t_load
if module_loaded; then
	run_test dd-roundtrip t_dd
	run_test fio-verify-libaio t_fio_libaio
	run_test fio-verify-io_uring t_fio_io_uring
	run_test fio-randrw-backlog t_fio_mixed
	if need_workers 2; then run_test blk_write_torn_sector t_torn_sector
	else skip_test blk_write_torn_sector "needs two workers (NVMEV_WORKERS=2, cpus=1,2,3)"; fi
	run_test reset-under-fio t_reset_under_fio
	run_test reset-idle t_reset_idle
	run_test unload t_unload
fi
finish
