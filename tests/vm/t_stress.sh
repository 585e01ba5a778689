#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest: concurrency stress. Several processes pinned to different CPUs (so
# the nvme driver submits on different I/O queues) run random KV operations
# on disjoint key sets (tools/out/hostile model --prefix P) against their own
# in-memory models, while others iterate over all keys, block I/O runs on
# the same namespace, and a small KV area (40 MiB log, limited index) makes
# the log reclaim all the time. Every model verifies all its keys at the
# end; the reclamation counters must have moved; the device must unload
# with no allocation outstanding.
#
# With two workers (NVMEV_WORKERS=2, cpus=1,2,3) the model processes are
# pinned to every CPU, so their hardware queues (qid = hctx + 1) land on
# both workers (worker = (qid - 1) % 2); the test prints the queue -> worker
# map, the completion interrupts per queue (/proc/interrupts) and each worker
# kthread's context switches and CPU time, and fails unless both workers
# performed commands.
#
# TEST_STRESS_OPS (per model process, default 6000), TEST_SEED.
. "$NVMEV_DIR/tests/vm/lib.sh"

HOSTILE=$NVMEV_DIR/tools/out/hostile
OPS=${TEST_STRESS_OPS:-6000}
SEED=${TEST_SEED:-$(date +%s)}
STATS=/sys/kernel/debug/nvmev_kv/stats
NCPU=$NVMEV_NCPU

stat_of() { sed -n "s/^$1: //p" $STATS 2>/dev/null | head -1; }

# stress CPUS_PARAM NMODEL NITER: one round with the module on CPUS_PARAM
stress() {
	local cpus=$1 nmodel=$2 niter=$3 i pid rc cpu pids=() names=() runs0 runs1 moved0 moved1 fails=0 q0 w0
	# 1 MiB BAR + 64 MiB block area + 40 MiB KV area; 3000 keys in the index
	load_module memmap_size=105M blk_size=64M kv_max_keys=3000 cpus=$cpus || return 1
	runs0=$(stat_of reclaim_runs); moved0=$(stat_of reclaim_bytes_moved)
	log "seed $SEED; $nmodel model processes x $OPS ops, $niter iterators, fio; module cpus=$cpus"
	q0=$(queue_counts); w0=$(worker_switches)
	for ((i = 0; i < nmodel; i++)); do
		cpu=$((i % NCPU))
		taskset -c $cpu "$HOSTILE" model "$NVME_NS" --prefix $((0x10 + i)) --ops "$OPS" \
			--seed $((SEED + i)) --pool 400 --max-value 131072 > $SCRATCH/model.$i 2>&1 &
		pids+=($!); names+=("model prefix $((0x10 + i)) on CPU $cpu (qid $(qid_of_cpu $cpu), worker $(worker_of_qid $(qid_of_cpu $cpu)))")
	done
	for ((i = 0; i < niter; i++)); do
		cpu=$(((i + 1) % NCPU))
		taskset -c $cpu "$HOSTILE" iterate "$NVME_NS" --seconds 45 --seed $((SEED + 100 + i)) > $SCRATCH/iter.$i 2>&1 &
		pids+=($!); names+=("iterate #$i on CPU $cpu")
	done
	taskset -c 0 fio --name=stress-blk --filename="$NVME_NS" --direct=1 --rw=randrw --bs=4k --iodepth=8 \
		--ioengine=libaio --allow_file_create=0 --size=8M --offset=8M --time_based --runtime=40 --verify=crc32c \
		--verify_backlog=16 --verify_fatal=1 --output-format=terse --terse-version=3 > $SCRATCH/fio.stress 2>&1 &
	pids+=($!); names+=("fio randrw verify")
	for i in "${!pids[@]}"; do
		rc=0
		timeout 170 tail --pid=${pids[$i]} -f /dev/null || { not_ok "${names[$i]} still running after 170s"; kill -9 ${pids[$i]}; }
		wait ${pids[$i]} || rc=$?
		if [ $rc -eq 0 ]; then ok "${names[$i]}"; else not_ok "${names[$i]}: exit $rc"; fails=$((fails + 1)); fi
	done
	for ((i = 0; i < nmodel; i++)); do
		tail -3 $SCRATCH/model.$i | sed 's/^/    | /'
		grep -q 'mismatches 0$' $SCRATCH/model.$i || not_ok "model prefix $((0x10 + i)): mismatches (or no summary line)"
	done
	for ((i = 0; i < niter; i++)); do
		grep -h '^ITERATE' $SCRATCH/iter.$i | sed 's/handle [0-9]*/handle H/' | sort | uniq -c | sort -rn | head -5 | sed 's/^/    | /'
		tail -1 $SCRATCH/iter.$i | sed 's/^/    | /'
	done
	grep -v '^3;' $SCRATCH/fio.stress | tail -3 | sed 's/^/    | /'
	runs1=$(stat_of reclaim_runs); moved1=$(stat_of reclaim_bytes_moved)
	log "reclaim_runs $runs0 -> $runs1, reclaim_bytes_moved $moved0 -> $moved1, capacity_exceeded $(stat_of capacity_exceeded), keys $(stat_of kv_keys)"
	if [ -n "$runs1" ] && [ "$runs1" -gt "${runs0:-0}" ]; then ok "the log reclaimed during the run ($((runs1 - runs0)) runs)"
	else not_ok "no reclamation during the stress run (reclaim_runs ${runs0:-?} -> ${runs1:-?})"; fi
	worker_evidence "$q0" "$w0"
	quick_io 500 && ok "dd round trip after the stress"
	unload_check_leaks
	[ $fails -eq 0 ]
}

t_stress_one_cpu() { stress 1 4 2; }
t_stress_two_cpus() { stress 0,1 3 1; }
# every CPU runs a model process, so every hardware queue (and worker) is busy
t_stress_workers() { stress "$NVMEV_CPUS" "$NCPU" 2; }

[ -x "$HOSTILE" ] || { echo "no $HOSTILE (make -C tools)"; exit 1; }
if need_workers 2; then
	run_test "stress-$NVMEV_WORKERS-workers-cpus-$NVMEV_CPUS" t_stress_workers
else
	# the one-worker placements: dispatcher and worker on one CPU, or apart
	run_test stress-dispatcher-and-worker-on-cpu1 t_stress_one_cpu
	if [ "$NCPU" -ge 2 ]; then run_test stress-dispatcher-cpu0-worker-cpu1 t_stress_two_cpus; fi
fi
finish
