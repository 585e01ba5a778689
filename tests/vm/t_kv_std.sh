#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest: namespace 2, the NVMe Key Value Command Set (CSI 1), through the
# real nvme driver, which exposes it only as the generic char device
# /dev/ngXnY: the clients' --csi kv paths (kvclient, kvuring, kvbench,
# kvfio.so, scripts/kv), >= 10^5 randomized operations against a model
# with namespace 1 used at the same time, List's order and buffer rules,
# every status of the set (0x081 on a small namespace), EDNEK through
# nvme-cli's set-feature, an unprivileged user, both namespaces at once
# with the same keys, io_uring passthrough, and the hostile client.
. "$NVMEV_DIR/tests/vm/lib.sh"
. "$NVMEV_DIR/tests/vm/kv_lib.sh"

# >= 10^5 randomized operations in the one-worker configuration (in a
# spread CI run, scripts/vm-tests, exactly one kernel has it); 2.5 x 10^4
# with two workers, where a 4-vCPU TCG guest is several times slower
# (kv-std-random took ~100 s of t_kv_std@w2's ~310 s). TEST_ALL_CASES=1 or
# TEST_KV_OPS set: that many anywhere.
if full_size; then
	OPS=${TEST_KV_OPS:-100000}
else
	OPS=${TEST_KV_OPS:-25000}
fi
SEED=${TEST_KV_SEED:-$(date +%s)}
TOOLS=$NVMEV_DIR/tools/out
# the char devices of namespaces 2 and 1 (found at load: the N of ngXnN is
# the driver's instance number, which need not be the NSID)
NG2=
NG1=
# A 510 MiB KV area: namespace 2 gets a quarter (~127 MiB), far more than
# the random run keeps live (~20 MB), and a List scans a modest index.
PARAMS="memmap_size=512M blk_size=1M"

# wait_ng2: the KV namespace's char device (NSID 2) and namespace 1's
wait_ng2() {
	local end=$((SECONDS + 30))
	while [ $SECONDS -le $end ]; do
		NG2=$(ns_ngdev 2) && [ -c "$NG2" ] && NG1=$(ns_ngdev 1) && [ -c "$NG1" ] && return 0
		nap 0.2
	done
	return 1
}

# namespace 2's counters in the statistics (ns2_ lines)
ns2_stats() { grep -E '^ns2_' "$KV_STATS" 2>/dev/null | sed 's/: /=/' | tr '\n' ' '; }

load_std() {
	load_module "$@" || return 1
	if ! wait_ng2; then
		not_ok "no char device of namespace 2 after insmod $*"
		ls -l /dev/ng* /dev/nvme* 2>&1 | sed 's/^/    | /'
		return 1
	fi
	ok "namespace 2: $NG2, namespace 1: $NVME_NS and $NG1"
}

t_build() {
	local f s
	kvclient_ready || return 1
	for f in kvuring hostile kvbench; do
		[ -x "$TOOLS/$f" ] && ok "$f built" || not_ok "no $TOOLS/$f (make -C tools on the host)"
		for s in $f.c kvlib.c kvlib.h; do
			[ "$NVMEV_DIR/tools/$s" -nt "$TOOLS/$f" ] && not_ok "$TOOLS/$f is older than tools/$s"
		done
	done
	return 0
}

# The namespace: a char device only, namespace 2, CSI 1 seen by the driver
t_namespace() {
	local nsid
	load_std $PARAMS || return 1
	check "$NG2 is a character device" test -c $NG2
	if [ -b "/dev/${NG2#/dev/ng}" ] || [ -b "/dev/nvme${NG2#/dev/ng}" ]; then
		not_ok "namespace 2 has a block device: a KV namespace has none"
	else ok "namespace 2 has no block device (Linux exposes CSI 1 as ng only)"; fi
	nsid=$(nvme get-ns-id $NG2 2>&1)
	expect_match "nvme get-ns-id $NG2" "$nsid" 'namespace-id:2$'
	log "kv_std_size=$(cat /sys/module/nvmev_kv/parameters/kv_std_size 2>/dev/null || echo '?')"
	log "$(nvme list-ns $NVME_DEV 2>&1 | tr '\n' ' ')"
	# --csi kv refuses namespace 1 and block nodes: 0x01/0x02 would be Write/Read there
	CLIENT_OUT=$("$KVCLIENT" --csi kv list $NG1 2>&1)
	expect_match "kvclient --csi kv on $NG1 (namespace 1) is refused" "$CLIENT_OUT" 'KV namespace'
	expect_kvs "scripts/kv --csi kv on $NG1 is refused" 2 '' 'namespace 1, the NVM namespace' list $NG1
	expect_kvs "scripts/kv --csi kv on the block device is refused" 2 '' 'char device' list $NVME_NS
}

# scripts/kv --csi kv: every subcommand, exit statuses and messages. The
# script's own logic (user space) is what is tested here, so its cases are
# split between the kernels (spread_test below; ~40 processes per kernel
# instead of ~80: each costs ~1 s in a 4-vCPU TCG guest): the single-key
# subcommands on one, List on the other. Each half leaves namespace 2 empty.
t_scripts() {
	expect_kvs "store" 0 "stored 'hello' \\(5 bytes\\)" '' store $NG2 hello world
	expect_kvs "retrieve" 0 '^world$' '' retrieve $NG2 hello
	expect_kvs "retrieve --raw" 0 '^world$' '' retrieve $NG2 hello --raw
	expect_kvs "store an empty value" 0 "stored 'empty' \\(0 bytes\\)" '' store $NG2 empty ''
	expect_kvs "retrieve the empty value" 0 '' '' retrieve $NG2 empty
	[ -z "$KV_OUT" ] && ok "empty value read back empty" || not_ok "empty value read back as '$KV_OUT'"
	expect_kvs "exist" 0 'key exists' '' exist $NG2 hello
	expect_kvs "exist of a missing key: exit 1" 1 'does not exist' '' exist $NG2 nokey
	expect_kvs "retrieve of a missing key: 0x087, exit 1" 1 '' 'KV key does not exist \(status 0x087\)' retrieve $NG2 nokey
	expect_kvs "store --idempotent of an existing key: 0x089, exit 3" 3 '' 'key exists \(status 0x089\)' store $NG2 hello x --idempotent
	expect_kvs "store --update-only of a missing key: 0x087" 1 '' 'status 0x087' store $NG2 nokey x --update-only
	expect_kvs "store --update-only --idempotent: 0x002" 3 '' 'invalid field in command \(status 0x002\)' store $NG2 hello x --update-only --idempotent
	expect_kvs "store --no-compress" 0 'stored' '' store $NG2 hello world --no-compress
	expect_kvs "a 17-byte key is refused before sending" 2 '' '17 bytes' store $NG2 0123456789abcdefg x
	expect_kvs "append is not in the KV set" 2 '' 'no Append' append $NG2 hello x
	expect_kvs "iterate is not in the KV set" 2 '' 'use list' iterate $NG2
	expect_kvs "delete of a missing key (EDNEK off): success" 0 'deleted' '' delete $NG2 nokey
	expect_kvs "delete" 0 "deleted 'hello'" '' delete $NG2 hello
	expect_kvs "retrieve after delete: 0x087, exit 1" 1 '' 'status 0x087' retrieve $NG2 hello
	"$KV" --csi kv -q delete $NG2 empty || not_ok "delete empty"
	expect_kvs "list of the empty namespace" 0 '' 'list: 0 keys' list $NG2
}

t_scripts_list() {
	local k
	for k in a ab abc b hello; do "$KV" --csi kv -q store $NG2 "$k" "v$k" || not_ok "store $k"; done
	"$KV" --csi kv -q store $NG2 empty '' || not_ok "store empty"
	expect_kvs "list: all keys in key order" 0 '' 'list: 6 keys' list $NG2
	expect_eq "list output" "$(echo $KV_OUT)" "a ab abc b empty hello"
	expect_kvs "list from 'ab' into 16 bytes (count 4 + 'ab' 4 + 'abc' 8)" 0 '' 'list: 2 keys' list $NG2 ab --buffer 16
	expect_eq "list from 'ab' into 16 bytes" "$(echo $KV_OUT)" "ab abc"
	expect_kvs "list --all with a 12-byte buffer" 0 '' 'list: 6 keys' list $NG2 --buffer 12 --all
	expect_eq "list --all, 12 bytes at a time" "$(echo $KV_OUT)" "a ab abc b empty hello"
	expect_kvs "list -x from 0x6163 ('ac', absent)" 0 '' 'list: 3 keys' -x list $NG2 6163
	expect_eq "list from 'ac'" "$(echo $KV_OUT)" "0x62 0x656d707479 0x68656c6c6f"
	expect_kvs "list buffer 3 is refused" 2 '' 'buffer takes 4' list $NG2 --buffer 3
	for k in a ab abc b empty hello; do "$KV" --csi kv -q delete $NG2 "$k" || not_ok "delete $k"; done
	expect_kvs "list of the empty namespace" 0 '' 'list: 0 keys' list $NG2
}

# EDNEK through nvme-cli's set-feature (FID 0x20, namespace 2)
t_ednek() {
	local out
	out=$(nvme set-feature $NVME_DEV -n 2 -f 0x20 -v 1 2>&1) && ok "nvme set-feature -n 2 -f 0x20 -v 1: $out" ||
		not_ok "nvme set-feature -n 2 -f 0x20 -v 1: $out"
	log "get-feature: $(nvme get-feature $NVME_DEV -n 2 -f 0x20 2>&1 | tr '\n' ' ')"
	expect_kvs "EDNEK on: delete of a missing key is 0x087" 1 '' 'KV key does not exist \(status 0x087\)' delete $NG2 nokey
	"$KV" --csi kv -q store $NG2 ednek-key v
	expect_kvs "EDNEK on: delete of an existing key" 0 'deleted' '' delete $NG2 ednek-key
	out=$(nvme set-feature $NVME_DEV -n 2 -f 0x20 -v 0 2>&1) && ok "nvme set-feature -n 2 -f 0x20 -v 0" ||
		not_ok "nvme set-feature -n 2 -f 0x20 -v 0: $out"
	expect_kvs "EDNEK off: delete of a missing key succeeds" 0 'deleted' '' delete $NG2 nokey
}

# List's rules and every status of the set but 0x081 (kvclient check)
t_check() {
	run_client "kvclient --csi kv check: List rules and statuses, namespace 1 beside" \
		--csi kv check $NG2 --ns1 "$NVME_NS"
	expect_eq "check: mismatches" "$(client_field mismatches)" 0
}

# >= 10^5 randomized operations of the KV set with namespace 1 used between them
t_random() {
	log "seed $SEED (rerun with TEST_KV_SEED=$SEED)"
	run_client "kvclient --csi kv random: $OPS ops on $NG2, vendor commands on $NVME_NS between" \
		--csi kv random $NG2 --ops "$OPS" --seed "$SEED" --ns1 "$NVME_NS" --wipe
	expect_eq "random: ops" "$(client_field ops)" "$OPS"
	expect_eq "random: mismatches" "$(client_field mismatches)" 0
	printf '%s\n' "$CLIENT_OUT" | grep -q 'counts: ns2 opcode 0x06 list' && ok "counts printed" ||
		not_ok "no counts per opcode in the output"
	log "device: $(ns2_stats)"
}

# Both namespaces at once, the same keys: two io_uring clients in parallel
t_both_at_once() {
	local p1 p2 r1=0 r2=0 o1 o2
	"$TOOLS/kvuring" $NG1 --qd 8 --ops 6000 --keys 512 --size 2048 --prefix 77 --seed $((SEED + 1)) > "$SCRATCH/u1" 2>&1 &
	p1=$!
	"$TOOLS/kvuring" $NG2 --csi kv --qd 8 --ops 6000 --keys 512 --size 2048 --prefix 77 --seed $((SEED + 2)) > "$SCRATCH/u2" 2>&1 &
	p2=$!
	wait $p1 || r1=$?
	wait $p2 || r2=$?
	o1=$(cat "$SCRATCH/u1"); o2=$(cat "$SCRATCH/u2")
	printf '%s\n%s\n' "$o1" "$o2" | sed 's/^/    | /'
	expect_eq "namespace 1 (vendor, io_uring) beside namespace 2: exit" $r1 0
	expect_eq "namespace 2 (KV set, io_uring) beside namespace 1, same keys: exit" $r2 0
	expect_match "namespace 2 run" "$o2" 'mismatches=0 errors=0 csi=kv'
	# the same key, different values
	"$KV" -q store "$NVME_NS" samekey 'namespace one'
	"$KV" --csi kv -q store $NG2 samekey 'namespace two'
	expect_eq "namespace 1 'samekey'" "$("$KV" retrieve "$NVME_NS" samekey)" 'namespace one'
	expect_eq "namespace 2 'samekey'" "$("$KV" --csi kv retrieve $NG2 samekey)" 'namespace two'
	"$KV" --csi kv -q delete $NG2 samekey
	expect_eq "namespace 1 'samekey' after its delete on namespace 2" "$("$KV" retrieve "$NVME_NS" samekey)" 'namespace one'
	"$KV" -q delete "$NVME_NS" samekey
}

# io_uring passthrough on namespace 2 at queue depths 1, 8, 32
t_uring() {
	local qd out rc
	for qd in 1 8 32; do
		rc=0
		out=$("$TOOLS/kvuring" $NG2 --csi kv --qd $qd --ops 5000 --keys 1024 --size 4096 \
			--prefix $((qd + 100)) --seed $((SEED + qd)) 2>&1) || rc=$?
		printf '%s\n' "$out" | sed 's/^/    | /'
		expect_eq "kvuring --csi kv qd $qd: exit" $rc 0
		expect_match "kvuring --csi kv qd $qd" "$out" 'ops=5000 .*mismatches=0 errors=0 csi=kv'
	done
}

# kvbench and kvfio.so with the KV set
t_bench_fio() {
	local out rc=0
	out=$(timeout 600 "$TOOLS/kvbench" $NG2 --csi kv --workload ycsb-a --records 500 --ops 2000 \
		--qd 8 --verify --key-len 8-16 --value-size 100-8192 --progress 0 2>&1) || rc=$?
	printf '%s\n' "$out" | head -12 | sed 's/^/    | /'
	expect_eq "kvbench --csi kv ycsb-a --verify: exit" $rc 0
	expect_match "kvbench: no errors" "$out" 'errors 0, not found 0, verify failures 0'
	rc=0
	out=$(timeout 600 "$TOOLS/kvbench" $NG2 --csi kv --workload ycsb-e --records 300 --ops 300 \
		--scan-len 20 --verify --progress 0 2>&1) || rc=$?
	printf '%s\n' "$out" | grep -E '^(kvbench|scan|insert|errors)' | sed 's/^/    | /'
	expect_eq "kvbench --csi kv ycsb-e (scans through List): exit" $rc 0
	if [ -f "$TOOLS/kvfio.so" ]; then
		fio_run "kvfio kv_csi=kv randwrite + verify" --ioengine=external:"$TOOLS/kvfio.so" \
			--filename=$NG2 --name=kvstd --kv_csi=kv --rw=randwrite --bs=4k --size=1m \
			--iodepth=8 --verify=crc32c --do_verify=1
	else
		not_ok "no $TOOLS/kvfio.so"
	fi
	"$KVCLIENT" --csi kv list $NG2 --all 2>/dev/null | wc -l | sed 's/^/  # keys left by kvbench and fio: /'
}

# The unprivileged user. Linux 6.2 ("nvme: fine-granular CAP_SYS_ADMIN for
# nvme io commands") lets a user who can open the node send an I/O command
# the effects log marks supported; 6.1 requires CAP_SYS_ADMIN for every
# passthrough command (nvme_user_cmd64 / nvme_uring_cmd_io: -EACCES).
t_perm() {
	local out rc=0 v std want_std
	chmod 0666 $NG2
	out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$KVCLIENT" --csi kv perm $NG2 2>&1) || rc=$?
	printf '%s\n' "$out" | sed 's/^/    | /'
	expect_match "perm ran as uid 65534" "$out" 'perm: uid=65534 '
	v=$(uname -r)
	case $v in
	6.1.*) want_std=EACCES; log "$v: every passthrough command needs CAP_SYS_ADMIN" ;;
	*) want_std=0x000; log "$v: the effects log decides (6.2+): the KV set's commands are allowed" ;;
	esac
	for std in store exist retrieve list delete; do
		expect_eq "unprivileged $std" "$(printf '%s\n' "$out" | grep -o " $std=[^ ]*" | cut -d= -f2)" $want_std
	done
	expect_eq "unprivileged vendor store (opcode 0x81)" "$(printf '%s\n' "$out" | grep -o ' vendor_store=[^ ]*' | cut -d= -f2)" EACCES
	expect_eq "unprivileged vendor exist (opcode 0xb3)" "$(printf '%s\n' "$out" | grep -o ' vendor_exist=[^ ]*' | cut -d= -f2)" EACCES
	# io_uring passthrough: the same rule
	rc=0
	out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$TOOLS/kvuring" $NG2 --csi kv --qd 4 \
		--ops 400 --keys 64 --size 512 --prefix 200 2>&1) || rc=$?
	printf '%s\n' "$out" | tail -3 | sed 's/^/    | /'
	if [ $want_std = 0x000 ]; then
		expect_eq "unprivileged kvuring --csi kv: exit" $rc 0
	else
		expect_match "unprivileged kvuring --csi kv refused" "$out" 'Permission denied'
	fi
	chmod 0600 $NG2
}

# 0x081: a small namespace filled up (kv_std_size), namespace 1 unaffected
t_capacity() {
	unload_module || return 1
	load_std memmap_size=128M blk_size=1M kv_std_size=32M || return 1
	run_client "kvclient --csi kv fill: stores until 0x081, then delete half" \
		--csi kv fill $NG2 --value-size 65536
	expect_match "fill ended with 0x081" "$CLIENT_OUT" 'then 0x81 after'
	"$KV" -q store "$NVME_NS" ns1-while-2-full 'still room' && ok "namespace 1 stores while namespace 2 is full" ||
		not_ok "namespace 1 store while namespace 2 is full"
	unload_module
}

# The hostile client on namespace 2 (with injection: malformed PRPs, bad nsids):
# its 47 crafted cases everywhere, then 12000 random commands with one
# worker, 4000 with two (~27 s less VM time there; TEST_ALL_CASES=1: 12000)
if full_size; then
	HOSTILE_OPS=${TEST_KV_HOSTILE_OPS:-12000}
else
	HOSTILE_OPS=${TEST_KV_HOSTILE_OPS:-4000}
fi
t_hostile() {
	local out rc=0
	load_std $PARAMS inject=1 || return 1
	out=$(timeout 900 "$TOOLS/hostile" std $NG2 --ns1 "$NVME_NS" --ops "$HOSTILE_OPS" --seed $((SEED + 7)) 2>&1) || rc=$?
	printf '%s\n' "$out" | tail -12 | sed 's/^/    | /'
	expect_eq "hostile std: exit" $rc 0
	expect_match "hostile std: no violations" "$out" '^hostile: 0 violations'
	expect_kvs "the KV namespace works after it" 0 'stored' '' store $NG2 after-hostile ok
	expect_kvs "and reads back" 0 '^ok$' '' retrieve $NG2 after-hostile
	unload_module
}

log "seed $SEED (rerun with TEST_KV_SEED=$SEED)"
run_test kv-std-build t_build
run_test kv-std-namespace t_namespace
spread_test 0 kv-std-scripts t_scripts
spread_test 1 kv-std-scripts-list t_scripts_list
run_test kv-std-ednek t_ednek
run_test kv-std-check t_check
run_test kv-std-random t_random
run_test kv-std-both-namespaces-at-once t_both_at_once
run_test kv-std-uring t_uring
run_test kv-std-bench-fio t_bench_fio
run_test kv-std-unprivileged t_perm
run_test kv-std-capacity t_capacity
run_test kv-std-hostile t_hostile
finish
