#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest: the KV command set through the real nvme driver with a C client
# (tools/kvclient, NVME_IOCTL_IO64_CMD): >= 10^5 randomized store/append/
# retrieve/delete/exist operations against an in-memory model with zero
# mismatches, then the samsung length coding.
. "$NVMEV_DIR/tests/vm/lib.sh"
. "$NVMEV_DIR/tests/vm/kv_lib.sh"

# >= 10^5 in the one-worker configuration (in a spread CI run,
# scripts/vm-tests, exactly one kernel has it); 3 x 10^4 with two workers,
# where a 4-vCPU TCG guest is slower (the 10^5 run took ~70 s of
# t_kv_random@w2's ~130 s). TEST_ALL_CASES=1 or TEST_KV_OPS: that many anywhere.
if full_size; then
	OPS=${TEST_KV_OPS:-100000}
else
	OPS=${TEST_KV_OPS:-30000}
fi
SEED=${TEST_KV_SEED:-$(date +%s)}

t_client() { kvclient_ready; }

# A 254 MiB KV area: the run writes ~0.6 GB, so the log wraps and
# reclamation works while the model checks every value.
t_random() {
	load_module memmap_size=256M blk_size=1M || return 1
	log "seed $SEED (rerun with TEST_KV_SEED=$SEED)"
	run_client "kvclient random: $OPS ops on $NVME_NS" random "$NVME_NS" --ops "$OPS" --seed "$SEED"
	expect_eq "random: ops" "$(client_field ops)" "$OPS"
	expect_eq "random: mismatches" "$(client_field mismatches)" 0
	unload_module
}

# The generic char device takes the same passthrough commands.
t_random_ng() {
	load_module memmap_size=256M blk_size=1M || return 1
	run_client "kvclient random: 10000 ops on ${NVME_NS/nvme/ng}" random "${NVME_NS/nvme/ng}" --ops 10000 --seed $((SEED + 1))
	unload_module
}

t_samsung() {
	load_module memmap_size=256M blk_size=1M kv_coding=samsung || return 1
	expect_eq "module parameter kv_coding" "$(cat /sys/module/nvmev_kv/parameters/kv_coding)" samsung
	run_client "kvclient samsung: every pad value, key lengths 1..16, 2 MiB" samsung "$NVME_NS"
	unload_module
	load_module memmap_size=256M blk_size=1M kv_coding=samsung || return 1
	run_client "kvclient random in the samsung coding: 20000 ops" random "$NVME_NS" --ops 20000 --seed $((SEED + 2))
	expect_eq "random (samsung): mismatches" "$(client_field mismatches)" 0
	unload_module
}

run_test kv-client-build t_client
run_test kv-random t_random
run_test kv-random-generic-char-device t_random_ng
run_test kv-samsung-coding t_samsung
finish
