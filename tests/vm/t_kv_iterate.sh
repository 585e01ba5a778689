#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest: iterate over 10^5 keys with prefixes and masks (keys only, keys and
# values, all keys, the delete option) returns exactly the matching set;
# handle and option errors.
. "$NVMEV_DIR/tests/vm/lib.sh"
. "$NVMEV_DIR/tests/vm/kv_lib.sh"

KEYS=${TEST_KV_ITER_KEYS:-100000}

t_client() { kvclient_ready; }

t_iterate() {
	load_module || return 1
	run_client "kvclient iterate: $KEYS keys" iterate "$NVME_NS" --keys "$KEYS"
	expect_eq "iterate: mismatches" "$(client_field mismatches)" 0
	unload_module
}

run_test kv-client-build t_client
run_test kv-iterate t_iterate
finish
