#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest: space comes back. Churn: overwrite a working set of 50 % of the KV
# area until 10x the KV area has been written, no 0x312, every value intact.
# Fill: store until 0x312 (log full, then index full), retrieve and delete
# still work, stores succeed again after deletes.
. "$NVMEV_DIR/tests/vm/lib.sh"
. "$NVMEV_DIR/tests/vm/kv_lib.sh"

# KV area = memmap_size - 1 MiB (BAR window) - blk_size
CHURN_MEMMAP=${TEST_KV_CHURN_MEMMAP:-130M}
CHURN_RATIO=${TEST_KV_CHURN_RATIO:-10}

t_client() { kvclient_ready; }

t_churn() {
	local cap written
	load_module memmap_size=$CHURN_MEMMAP blk_size=1M || return 1
	cap=$(kv_area_bytes)
	[ "$cap" -gt 0 ] || { not_ok "no KV area size in dmesg"; return 1; }
	log "capacity (KV area) $cap bytes; log capacity $(kv_stat log_capacity_bytes) bytes"
	run_client "kvclient churn: 50 % working set, ${CHURN_RATIO}x capacity written" \
		churn "$NVME_NS" --capacity "$cap" --ratio "$CHURN_RATIO"
	written=$(client_field written)
	if [ "${written:-0}" -ge $((cap * CHURN_RATIO)) ]; then
		ok "churn wrote $written bytes >= ${CHURN_RATIO} x $cap"
	else
		not_ok "churn wrote ${written:-0} bytes < ${CHURN_RATIO} x $cap"
	fi
	expect_eq "capacity_exceeded during churn" "$(kv_stat capacity_exceeded)" 0
	local runs; runs=$(kv_stat reclaim_runs)
	if [ "${runs:-0}" -gt 0 ]; then ok "reclamation ran ($runs runs)"; else not_ok "no reclamation runs reported"; fi
	unload_module
}

# log full: 64 KiB values until 0x312
t_fill_log() {
	local cap
	load_module memmap_size=256M blk_size=1M || return 1
	cap=$(kv_area_bytes)
	run_client "kvclient fill: 64 KiB values until 0x312" fill "$NVME_NS" --value-size 64K --capacity "$cap"
	unload_module
}

# index full: kv_max_keys small, 512-byte values
t_fill_index() {
	load_module memmap_size=256M blk_size=1M kv_max_keys=20000 || return 1
	run_client "kvclient fill: index full (kv_max_keys=20000)" fill "$NVME_NS" --value-size 512
	expect_match "fill stopped at the index size" "$CLIENT_OUT" 'value=512 B: 20000 stores'
	unload_module
}

run_test kv-client-build t_client
run_test kv-churn t_churn
run_test kv-fill-log t_fill_log
run_test kv-fill-index t_fill_index
finish
