#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest: fio on the KV command set through tools/out/kvfio.so (fio's external
# ioengine: write = Store, read = Retrieve, trim = Delete, key from the
# offset). fio's own verify=crc32c over 4 MiB of 4 KiB values: io_uring
# passthrough at iodepth 8 on /dev/ngXnY and on /dev/nvmeXnY, and one ioctl
# per I/O (kv_sync=1); a value swapped behind fio's back must fail the
# verify; trim deletes the keys and a read of them then fails with EIO and
# the engine's message; the example jobs of tools/fio/; the samsung coding.
# IOPS and latencies are logged (TCG: compare within one run only).
. "$NVMEV_DIR/tests/vm/lib.sh"
. "$NVMEV_DIR/tests/vm/kv_lib.sh"

KVFIO=${KVFIO:-$NVMEV_DIR/tools/out/kvfio.so}
SIZE=4m          # 1024 values of 4 KiB per io_uring job
NKEYS=1024
SYNC_SIZE=1m     # 256 for a kv_sync=1 job (one command at a time: slow under TCG)
SYNC_KEYS=256

t_build() {
	local f out
	if [ ! -f "$KVFIO" ]; then
		not_ok "no $KVFIO (make -C tools on the host, after scripts/install-deps)"
		return 1
	fi
	for f in kvfio.c kvfio_key.c kvfio_key.h kvlib.c kvlib.h; do
		[ "$NVMEV_DIR/tools/$f" -nt "$KVFIO" ] || continue
		not_ok "$KVFIO is older than tools/$f: make -C tools on the host"
		return 1
	done
	out=$(fio --enghelp="$KVFIO" 2>&1)
	expect_match "fio loads the engine and lists its options" "$out" '^kv_sync +: ' ||
		printf '%s\n' "$out" | head -5 | sed 's/^/    | /'
}

# terse v3 field N of FIO_OUT's first terse line
terse() { printf '%s\n' "$FIO_OUT" | awk -F';' -v n="$1" '$1 == "3" { print $n; exit }'; }
pct() { terse "$1" | sed 's/.*=//'; }

# kvfio_run DESC pass|fail ARGS...: fio with the engine and ARGS; FIO_OUT is
# its output (normal, then one terse v3 line), FIO_RC its exit status. pass:
# exit 0, error 0, and I/O done; its IOPS and latencies are logged. fail: a
# non-zero exit or error. The output is shown when the outcome is wrong.
kvfio_run() {
	local desc=$1 want=$2 err line
	shift 2
	FIO_RC=0
	FIO_OUT=$(timeout "${FIO_TIMEOUT:-300}" fio --ioengine=external:"$KVFIO" \
		--output-format=normal,terse --terse-version=3 --group_reporting --verify_state_save=0 \
		"$@" 2>&1) || FIO_RC=$?
	err=$(terse 5)
	if [ "$want" = fail ]; then
		if [ $FIO_RC -ne 0 ] || [ "${err:-0}" != 0 ]; then
			ok "$desc: fails (fio exit $FIO_RC, error ${err:-?})"
			return 0
		fi
		not_ok "$desc: fio succeeded"
		printf '%s\n' "$FIO_OUT" | grep -v '^3;' | tail -25 | sed 's/^/    | /'
		return 1
	fi
	# terse v3 has no trim columns: trims show in the normal output
	if [ $FIO_RC -ne 0 ] || [ "$err" != 0 ] ||
		{ [ "$(terse 6)$(terse 47)" = 00 ] && ! printf '%s\n' "$FIO_OUT" | grep -q '^  trim: IOPS='; }; then
		not_ok "$desc: fio exit $FIO_RC, error ${err:-?}"
		printf '%s\n' "$FIO_OUT" | grep -v '^3;' | tail -25 | sed 's/^/    | /'
		return 1
	fi
	ok "$desc (read $(terse 6) KiB, written $(terse 47) KiB)"
	line=
	[ "$(terse 8)" != 0 ] && line="read $(terse 8) IOPS clat mean $(terse 16) us p99 $(pct 30) us max $(terse 15) us"
	[ "$(terse 49)" != 0 ] && line="$line${line:+; }write $(terse 49) IOPS clat mean $(terse 57) us p99 $(pct 71) us max $(terse 56) us"
	[ -z "$line" ] || log "$line"
	printf '%s\n' "$FIO_OUT" | grep -E '^  (read|write|trim): IOPS|^     (clat|lat) \(|^kvfio:|verify:' | head -8 | sed 's/^/    | /'
}

# keys_now: the device's key count (debugfs stats)
keys_now() { kv_stat kv_keys; }

# expect_keys DESC BEFORE DELTA
expect_keys() {
	local now
	now=$(keys_now)
	if [ -z "$now" ]; then
		log "$1: no $KV_STATS, key count not checked"
		return 0
	fi
	expect_eq "$1: keys on the device" "$now" $(($2 + $3))
}

# kv_exists KEY -> scripts/kv exist's exit status (0 yes, 1 no)
kv_exists() { "$KV" -q exist "$NVME_NS" "$1" > /dev/null 2>&1; }

# The verify job of the io_uring tests; the corruption test repeats it with
# verify_only=1 (same name and options: fio regenerates the same blocks).
VERIFY_JOB=(--name=kvverify --rw=randwrite --bs=4k --size=$SIZE --verify=crc32c --do_verify=1)

t_uring() {
	local k0
	load_module memmap_size=256M blk_size=1M || return 1
	check "generic char device ${NVME_NS/nvme/ng}" test -c "${NVME_NS/nvme/ng}"
	k0=$(keys_now)
	kvfio_run "io_uring iodepth 8 on ${NVME_NS/nvme/ng}: $SIZE randwrite, verify=crc32c" pass \
		--filename="${NVME_NS/nvme/ng}" --iodepth=8 "${VERIFY_JOB[@]}" || return 1
	expect_eq "verify read back all of it (KiB)" "$(terse 6)" 4096
	expect_keys "$NKEYS Stores" "${k0:-0}" $NKEYS
	if kv_exists fio0000000003000 && ! kv_exists fio0000000400000; then
		ok "key of offset 0x3000 is fio0000000003000; none past the $SIZE"
	else
		not_ok "keys fio0000000003000 (want present) / fio0000000400000 (want absent)"
	fi
	# the block node: the engine sends io_uring commands to its ng node
	k0=$(keys_now)
	kvfio_run "io_uring iodepth 8 on $NVME_NS (block node): write, verify=crc32c, key prefix fib" pass \
		--filename="$NVME_NS" --iodepth=8 --kv_key_prefix=fib --name=kvblk --rw=write --bs=4k \
		--size=$SYNC_SIZE --verify=crc32c --do_verify=1
	expect_keys "$SYNC_KEYS Stores with prefix fib" "${k0:-0}" $SYNC_KEYS
	check "key fib0000000000000 exists" kv_exists fib0000000000000
}

t_sync() {
	local k0
	module_loaded || { not_ok "module not loaded (t_uring failed?)"; return 1; }
	k0=$(keys_now)
	# iodepth 8 with ioctls: fio caps it (the engine declares itself synchronous)
	kvfio_run "kv_sync=1 (ioctls) on $NVME_NS: $SYNC_SIZE randwrite, verify=crc32c, key prefix fis" pass \
		--filename="$NVME_NS" --kv_sync=1 --iodepth=8 --kv_key_prefix=fis --name=kvsync \
		--rw=randwrite --bs=4k --size=$SYNC_SIZE --verify=crc32c --do_verify=1
	expect_keys "$SYNC_KEYS Stores with prefix fis" "${k0:-0}" $SYNC_KEYS
	expect_match "fio caps the depth of the synchronous engine" "$FIO_OUT" 'queue depth will be capped at 1'
	kvfio_run "kv_sync=1 on ${NVME_NS/nvme/ng}: randread of those keys" pass \
		--filename="${NVME_NS/nvme/ng}" --kv_sync=1 --kv_key_prefix=fis \
		--name=kvsyncread --rw=randread --bs=4k --size=$SYNC_SIZE
}

# A value fio did not write (another key's, with a valid header and crc)
# must fail fio's verify: the header names the other offset.
t_corrupt() {
	local good=$SCRATCH/v2000 out
	module_loaded || { not_ok "module not loaded"; return 1; }
	kvfio_run "verify_only of the io_uring job's values" pass \
		--filename="${NVME_NS/nvme/ng}" --iodepth=8 "${VERIFY_JOB[@]}" --verify_only=1 || return 1
	out=$("$KV" -q retrieve "$NVME_NS" fio0000000002000 -o "$good" 2>&1) ||
		{ not_ok "kv retrieve fio0000000002000: $out"; return 1; }
	check "value of offset 0x2000 is 4096 bytes" test "$(stat -c %s "$good")" = 4096
	out=$("$KV" -q store "$NVME_NS" fio0000000003000 @"$good" 2>&1) ||
		{ not_ok "kv store fio0000000003000: $out"; return 1; }
	ok "stored the value of offset 0x2000 under the key of offset 0x3000"
	kvfio_run "verify_only after the swap" fail \
		--filename="${NVME_NS/nvme/ng}" --iodepth=8 "${VERIFY_JOB[@]}" --verify_only=1
	expect_match "fio's verify names the block of offset 12288" "$FIO_OUT" \
		'verify: bad header .* at file .* offset 12288, length 4096'
}

t_trim() {
	local k0
	module_loaded || { not_ok "module not loaded"; return 1; }
	k0=$(keys_now)
	kvfio_run "trim of the io_uring job's $SIZE: Deletes" pass \
		--filename="${NVME_NS/nvme/ng}" --iodepth=8 --name=kvtrim --rw=trim --bs=4k --size=$SIZE
	# terse v3 has no trim columns: the keys tell
	expect_keys "$NKEYS Deletes" "${k0:-0}" -$NKEYS
	if kv_exists fio0000000003000; then not_ok "fio0000000003000 still exists"; else ok "fio0000000003000 is gone"; fi
	kvfio_run "read of the trimmed keys (continue_on_error=read)" fail \
		--filename="${NVME_NS/nvme/ng}" --iodepth=8 --name=kvtrimmed --rw=read --bs=4k --size=$SIZE \
		--continue_on_error=read
	expect_match "fails with EIO" "$FIO_OUT" 'Input/output error'
	expect_match "the engine names the missing key" "$FIO_OUT" \
		"kvfio: kvtrimmed: retrieve of key 'fio[0-9a-f]{13}' \(offset [0-9]+, 4096 bytes\): key does not exist \(status 0x310\)"
	expect_match "every read failed" "$FIO_OUT" "kvfio: kvtrimmed: $NKEYS retrieves of missing keys"
	kvfio_run "trim again: Deletes of missing keys are not errors" pass \
		--filename="${NVME_NS/nvme/ng}" --iodepth=8 --name=kvtrim --rw=trim --bs=4k --size=$SIZE ||
		true
	expect_match "and are counted" "$FIO_OUT" "kvfio: kvtrim: $NKEYS deletes of missing keys"
}

# The example jobs of tools/fio, shrunk (size $SYNC_SIZE, 1 s per timed
# job), in the order a user runs them.
t_examples() {
	local j f
	module_loaded || { not_ok "module not loaded"; return 1; }
	for j in kv-load kv-randread kv-ycsb kv-verify; do
		f=$SCRATCH/$j.fio
		sed -e "s/^size=.*/size=$SYNC_SIZE/" -e 's/^runtime=.*/runtime=1/' \
			"$NVMEV_DIR/tools/fio/$j.fio" > "$f"
		KVFIO=$KVFIO KV_DEV=${NVME_NS/nvme/ng} kvfio_run "tools/fio/$j.fio (size $SYNC_SIZE, runtime 1 s)" pass "$f"
	done
	unload_module
}

t_samsung() {
	local k0
	load_module memmap_size=256M blk_size=1M kv_coding=samsung || return 1
	k0=$(keys_now)
	kvfio_run "samsung coding (kv_coding=auto), io_uring iodepth 8: verify=crc32c" pass \
		--filename="${NVME_NS/nvme/ng}" --iodepth=8 "${VERIFY_JOB[@]}"
	expect_keys "$NKEYS Stores" "${k0:-0}" $NKEYS
	kvfio_run "samsung coding, kv_sync=1: verify=crc32c, key prefix fis" pass \
		--filename="$NVME_NS" --kv_sync=1 --kv_key_prefix=fis --name=kvsync --rw=write --bs=4k \
		--size=$SYNC_SIZE --verify=crc32c --do_verify=1
	kvfio_run "kv_coding=bytes on the samsung device" fail \
		--filename="${NVME_NS/nvme/ng}" --iodepth=8 --kv_coding=bytes --name=kvwrong --rw=write \
		--bs=4k --size=64k
	expect_match "the engine reports the device's status" "$FIO_OUT" 'kvfio: kvwrong: store of key .*\(status 0x[0-9a-f]{3}'
	unload_module
}

run_test kvfio-build t_build
run_test fio-uring-verify t_uring
run_test fio-sync-verify t_sync
run_test fio-verify-catches-swap t_corrupt
run_test fio-trim t_trim
run_test fio-example-jobs t_examples
run_test fio-samsung t_samsung
finish
