#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest: persistence (issue 14). The stores survive rmmod/insmod: 10^5
# keys of mixed sizes on namespace 1 and 10^4 on namespace 2 are all
# there, byte for byte, after a reload; deleted keys stay deleted; a reload
# while reclamation is moving records loses nothing; a writer killed with
# kill -9 leaves every key with its old or its new value; a load with other
# sizes is refused with the parameter named; fresh=1 starts empty.
# Then a warm reboot (sysrq b, the module loaded and a writer running; QEMU
# keeps guest RAM across the reset): the second boot runs this script again
# and finds every key with an intact value.
# kvclient put/del/verify: the value of key i is a function of (seed, i,
# generation), so no model has to be saved across loads.
# vmrun: reboots
. "$NVMEV_DIR/tests/vm/lib.sh"
. "$NVMEV_DIR/tests/vm/kv_lib.sh"

# The issue's 10^5 keys across a reload run in the one-worker
# configuration, which a spread CI run (scripts/vm-tests) gives this suite
# on exactly one kernel; the two-worker one (the other kernel) reloads
# 10^4 (2 x 10^3 on namespace 2): the same paths, a tenth of the keys.
# A 4-vCPU TCG guest is about five times slower at this (the 10^5 pass
# alone took ~450 s of its ~600 s there; 2 x 10^4 still ~110 s of CI time).
# TEST_ALL_CASES=1 or TEST_PERSIST_KEYS=100000 runs the full size anywhere.
if full_size; then
	KEYS=${TEST_PERSIST_KEYS:-100000}
	KEYS2=${TEST_PERSIST_KEYS2:-10000}
else
	KEYS=${TEST_PERSIST_KEYS:-10000}
	KEYS2=${TEST_PERSIST_KEYS2:-2000}
fi
# later steps work on the first SOME keys: every key was checked once
SOME=${TEST_PERSIST_SOME:-20000}
[ "$SOME" -gt "$KEYS" ] && SOME=$KEYS
STAGE2=/job/persist-rebooted	# written before the reboot: counts and seed
if [ -e $STAGE2 ]; then
	read -r PASSED FAILED SEED < $STAGE2
fi
SEED=${SEED:-${TEST_KV_SEED:-$(date +%s)}}
PAR=4	# client processes: more commands in flight than one QD1 client
# the default load line (1 GiB, blk_size 64M, namespace 2 a quarter) minus
# fresh=1: these loads must find what the last one left
KEEP="fresh=0"

# kv_par MODE DEV N [ARGS]: kvclient MODE over keys [0, N) in $PAR slices at once
kv_par() {
	local mode=$1 dev=$2 n=$3 j rc=0 per pid
	local -a pids=()
	shift 3
	per=$(( (n + PAR - 1) / PAR ))
	for j in $(seq 0 $((PAR - 1))); do
		"$KVCLIENT" "$mode" "$dev" --seed "$SEED" --from $((j * per)) \
			--keys $(( j == PAR - 1 ? n - j * per : per )) "$@" \
			> "$SCRATCH/par.$j" 2>&1 &
		pids+=($!)
	done
	for pid in "${pids[@]}"; do wait "$pid" || rc=1; done
	grep -hE "^(put|del|verify):|^MISMATCH" "$SCRATCH"/par.* | head -12 | sed 's/^/    | /'
	grep -q "^MISMATCH" "$SCRATCH"/par.* && rc=1
	rm -f "$SCRATCH"/par.*
	return $rc
}

# check_par DESC MODE DEV N [ARGS]
check_par() {
	local desc=$1 t0=$SECONDS
	shift
	if kv_par "$@"; then ok "$desc ($((SECONDS - t0)) s)"; else not_ok "$desc"; fi
}

ns2_dev() { NS2=$(ns_ngdev 2) || { not_ok "no namespace 2"; return 1; }; }

# "namespace N: rebuilt K keys ..." of the last load
rebuilt_keys() {
	dmesg | sed -n "s/.*nvmev_kv: namespace $1: rebuilt \([0-9]*\) keys.*/\1/p" | tail -1
}

reload() {
	local mark
	unload_module || return 1
	mark=$(dmesg_mark)
	load_module $KEEP "$@" || return 1
	dmesg_since "$mark" | grep -E "nvmev_kv: namespace [12]: " | sed 's/^\[[^]]*\] /    | /'
}

t_client() { kvclient_ready; }

t_reload() {
	load_module || return 1
	ns2_dev || return 1
	check_par "put $KEYS keys of mixed sizes on namespace 1" put "$NVME_NS" "$KEYS" --gen 1
	check_par "put $KEYS2 keys on namespace 2" put "$NS2" "$KEYS2" --csi kv --gen 1
	check_par "delete every 10th key of namespace 1" del "$NVME_NS" "$KEYS" --del-every 10
	log "device: $(kv_stats_line)"
	reload || return 1
	ns2_dev || return 1
	expect_eq "namespace 1 keys rebuilt" "$(rebuilt_keys 1)" $((KEYS - KEYS / 10))
	expect_eq "namespace 2 keys rebuilt" "$(rebuilt_keys 2)" "$KEYS2"
	check_par "namespace 1: every key intact, deleted keys absent" verify "$NVME_NS" "$KEYS" --gen 1 --del-every 10
	check_par "namespace 2: every key intact" verify "$NS2" "$KEYS2" --csi kv --gen 1
	# the reloaded store takes writes: overwrite a third, reload, check again
	check_par "overwrite every 3rd of the first $SOME keys" put "$NVME_NS" "$SOME" --gen 2 --every 3 --del-every 10
	reload || return 1
	check_par "the first $SOME keys after a second reload" verify "$NVME_NS" "$SOME" --gen 1 --over-every 3 --over-gen 2 --del-every 10
	unload_module
}

# A store made with other sizes is refused, naming the parameter; nothing
# is touched: the next load with the right sizes finds everything.
t_mismatch() {
	expect_insmod_fail blk_size $(merge_params $KEEP blk_size=32M)
	expect_insmod_fail kv_std_size $(merge_params $KEEP kv_std_size=64M)
	expect_insmod_fail kv_max_keys $(merge_params $KEEP kv_max_keys=200000)
	load_module $KEEP || return 1
	expect_eq "keys after the refused loads" "$(kv_stat kv_keys)" $((KEYS - KEYS / 10))
	check_par "namespace 1 intact after the refused loads" verify "$NVME_NS" 2000 --gen 1 --over-every 3 --over-gen 2 --del-every 10
	unload_module
}

# A writer killed with kill -9 between commands (the module completes the
# command in flight): after a reload every key holds its old or new value.
t_kill_writer() {
	local loop wpid r
	load_module $KEEP || return 1
	# the writer repeats its pass, so it is still writing whatever the
	# host's speed when kill -9 comes (the same values: old or new holds)
	rm -f "$SCRATCH"/writer.*
	(
		for r in $(seq 20); do
			"$KVCLIENT" put "$NVME_NS" --seed "$SEED" --keys "$KEYS" --gen 3 --del-every 10 \
				> "$SCRATCH/writer.$r" 2>&1 || exit $?
		done
	) &
	loop=$!
	sleep 4
	wpid=$(pgrep -P $loop -x kvclient | head -1)
	if [ -n "$wpid" ]; then
		ok "the writer is still writing"
		kill -9 "$wpid"
	else
		not_ok "the writer ended before kill -9: $(cat "$SCRATCH"/writer.* 2>/dev/null | tail -3 | tr '\n' ' ')"
	fi
	wait $loop 2>/dev/null
	log "killed the writer; device: $(kv_stats_line)"
	reload || return 1
	check_par "each of the first $SOME keys holds its old or its new value" verify "$NVME_NS" "$SOME" --gen 1 --over-every 3 --over-gen 2 --del-every 10 --alt-gen 3
	unload_module
}

# Reclamation moving records at rmmod: a small log where every second key
# is overwritten with large values (whole segments do not simply die, so
# records must be moved) until the device moves records, then unloaded at
# once (reclamation goes on from the idle worker after the writes).
t_reclaim() {
	local small="memmap_size=64M blk_size=1M kv_std_size=0" n=1500 g try
	load_module $small fresh=1 || return 1
	check_par "put $n keys of 4..32 KiB" put "$NVME_NS" $n --big --gen 1
	for g in 2 3 4 5 6 7; do
		kv_par put "$NVME_NS" $n --big --gen $g --every 2 > /dev/null || { not_ok "overwrite generation $g"; return 1; }
		[ "$(kv_stat reclaim_bytes_moved)" -gt 0 ] && break
	done
	log "unloading with reclaim_in_progress=$(kv_stat reclaim_in_progress): $(kv_stats_line)"
	expect_match "reclamation moved records" "$(kv_stat reclaim_bytes_moved)" '^[1-9]'
	unload_module || return 1
	load_module $small fresh=0 || return 1
	check_par "every value intact after a reload during reclamation" verify "$NVME_NS" $n --big --gen 1 --over-every 2 --over-gen $g
	# and reclamation goes on working over the rebuilt log
	kv_par put "$NVME_NS" $n --big --gen $((g + 1)) --every 2 > /dev/null || not_ok "overwrite after the reload"
	for try in 1 2; do
		unload_module || return 1
		load_module $small fresh=0 || return 1
	done
	check_par "intact after overwriting the rebuilt log and two reloads" verify "$NVME_NS" $n --big --gen 1 --over-every 2 --over-gen $((g + 1))
	unload_module
}

t_fresh() {
	load_module fresh=1 || return 1
	expect_eq "fresh=1: namespace 1 empty" "$(kv_stat kv_keys)" 0
	expect_eq "fresh=1: namespace 2 empty" "$(kv_stat ns2_kv_keys)" 0
	unload_module || return 1
	load_module $KEEP || return 1
	expect_eq "and it stays empty on the next load" "$(kv_stat kv_keys)" 0
	unload_module
}

# Before the warm reboot: both namespaces filled, a writer overwriting.
# 10^4 keys (was 2 x 10^4: ~90 s of CI time for the two stages); the
# writer loops, so it is still writing when the reboot comes.
RB_KEYS=${TEST_PERSIST_REBOOT_KEYS:-10000}
t_before_reboot() {
	load_module fresh=1 || return 1
	ns2_dev || return 1
	check_par "put $RB_KEYS keys on namespace 1" put "$NVME_NS" "$RB_KEYS" --gen 1
	check_par "put 5000 keys on namespace 2" put "$NS2" 5000 --csi kv --gen 1
	# passes over and over (the same generation-2 values): a QD1 pass can
	# take under 3 s, and the writer must still be writing at the reboot
	( while "$KVCLIENT" put "$NVME_NS" --seed "$SEED" --keys "$RB_KEYS" --gen 2 > /dev/null 2>&1; do :; done ) &
	WRITER=$!
	sleep 3
	kill -0 $WRITER 2>/dev/null && ok "a writer is running" || not_ok "the writer ended early"
}

# After it: the stores are rebuilt, "stopped without unload"; every key of
# namespace 1 has its old or its new value, whole; namespace 2 all there.
t_after_reboot() {
	local mark
	mark=$(dmesg_mark)
	load_module $KEEP || return 1
	dmesg_since "$mark" | grep -E "nvmev_kv: namespace [12]: " | sed 's/^\[[^]]*\] /    | /'
	expect_match "rebuilt after a reboot" "$(dmesg_since "$mark" | grep 'namespace 1: rebuilt')" 'stopped without unload'
	ns2_dev || return 1
	check_par "namespace 1: every key whole, old or new value" verify "$NVME_NS" "$RB_KEYS" --gen 1 --alt-gen 2
	check_par "namespace 2: every key intact" verify "$NS2" 5000 --csi kv --gen 1
	unload_module
}

if [ -e $STAGE2 ]; then
	log "second boot after the warm reboot (seed $SEED)"
	rm -f $STAGE2
	run_test persist-warm-reboot t_after_reboot
	finish
fi

run_test persist-client-build t_client
case $KEYS in 100000) RELOAD_NAME=persist-reload-1e5-keys ;; *) RELOAD_NAME=persist-reload-$KEYS-keys ;; esac
run_test "$RELOAD_NAME" t_reload
run_test persist-mismatch-refused t_mismatch
# VM time: the kill -9 on one kernel, the reload during reclamation and
# the warm reboot on the other (spread_case; TEST_ALL_CASES=1 runs all here)
spread_test 0 persist-kill-9-writer t_kill_writer
spread_test 1 persist-reload-during-reclamation t_reclaim
run_test persist-fresh t_fresh
if ! spread_case 1; then
	skip_test persist-warm-reboot "runs on the other kernel (TEST_ALL_CASES=1 runs it here)"
elif [ -d /job ] && [ -w /job ] && [ "${TEST_PERSIST_REBOOT:-1}" = 1 ]; then
	run_test persist-warm-reboot-prepare t_before_reboot
	echo "$PASSED $FAILED $SEED" > $STAGE2
	dmesg > /job/dmesg-boot1.txt
	sync
	log "warm reboot (sysrq b) with the module loaded and a writer running"
	echo b > /proc/sysrq-trigger
	sleep 30
	not_ok "still running 30 s after sysrq b"
fi
finish
