#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest: the KV command set through io_uring passthrough (tools/kvuring:
# IORING_OP_URING_CMD / NVME_URING_CMD_IO on /dev/ngXnY) with many commands
# in flight: random store/retrieve/exist/delete checked against a model at
# queue depths 1, 8 and 32, large values, and the samsung coding. The rates
# per queue depth are logged (a benchmark, not a timed test).
. "$NVMEV_DIR/tests/vm/lib.sh"
. "$NVMEV_DIR/tests/vm/kv_lib.sh"

KVURING=${KVURING:-$NVMEV_DIR/tools/out/kvuring}
SEED=${TEST_KV_SEED:-$(date +%s)}
OPS=${TEST_URING_OPS:-20000}

t_build() {
	local f
	if [ -x "$KVURING" ]; then
		for f in kvuring.c kvlib.c kvlib.h; do
			[ "$NVMEV_DIR/tools/$f" -nt "$KVURING" ] || continue
			not_ok "$KVURING is older than tools/$f: make -C tools on the host"
			return 1
		done
		ok "kvuring built"
	else
		not_ok "no $KVURING (make -C tools on the host)"
	fi
}

# run_uring DESC ARGS: kvuring ARGS; ok by its exit status (0 = no
# mismatch, no error) and by the op count it reports.
run_uring() {
	local desc=$1 rc=0 out
	shift
	out=$(timeout 600 "$KVURING" "$@" 2>&1) || rc=$?
	printf '%s\n' "$out" | sed 's/^/    | /'
	URING_OUT=$out
	if [ $rc -ne 0 ]; then
		not_ok "$desc (kvuring exit $rc)"
		return 1
	fi
	expect_eq "$desc: mismatches" "$(uring_field mismatches)" 0
	expect_eq "$desc: errors" "$(uring_field errors)" 0
}

uring_field() { printf '%s\n' "$URING_OUT" | grep -o "$1=[^ ]*" | tail -1 | cut -d= -f2; }

# Each depth uses its own key prefix: the model starts from no keys.
t_depths() {
	local qd rate1=0 rate
	load_module memmap_size=256M blk_size=1M || return 1
	check "generic char device ${NVME_NS/nvme/ng}" test -c "${NVME_NS/nvme/ng}"
	for qd in 1 8 32; do
		run_uring "io_uring qd $qd: $OPS ops, 4 KiB values" "$NVME_NS" \
			--qd $qd --ops "$OPS" --keys 4096 --size 4096 \
			--seed $((SEED + qd)) --prefix $qd || continue
		expect_eq "qd $qd: ops completed" "$(uring_field ops)" "$OPS"
		rate=$(uring_field ops_per_s)
		[ $qd = 1 ] && rate1=$rate
		log "qd $qd: $rate ops/s ($(awk -v a="$rate" -v b="$rate1" 'BEGIN { printf "%.2f", b ? a / b : 0 }') x qd 1)"
	done
	log "device: $(kv_stats_line)"
	unload_module
}

# Values up to 256 KiB: PRP lists built by the driver for io_uring buffers.
t_large() {
	load_module memmap_size=256M blk_size=1M || return 1
	run_uring "io_uring qd 4: 3000 ops, values up to 256 KiB" "$NVME_NS" \
		--qd 4 --ops 3000 --keys 64 --size 262144 --seed $((SEED + 100))
	unload_module
}

t_samsung() {
	load_module memmap_size=256M blk_size=1M kv_coding=samsung || return 1
	run_uring "io_uring qd 16 in the samsung coding: 10000 ops" "$NVME_NS" \
		--qd 16 --ops 10000 --keys 1024 --size 1000 --seed $((SEED + 200))
	unload_module
}

log "seed $SEED (rerun with TEST_KV_SEED=$SEED)"
run_test kvuring-build t_build
run_test uring-queue-depths t_depths
run_test uring-large-values t_large
run_test uring-samsung-coding t_samsung
finish
