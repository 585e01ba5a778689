#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest: iterate over 10^5 keys with prefixes and masks (keys only, keys and
# values, all keys, the delete option) returns exactly the matching set;
# handle and option errors. Issue 10: iterate and delete every other
# returned key (kv_max_keys=20000, 15,000 keys, 4 KiB reads), alone and
# while another process deletes and stores keys: no key twice, none missed.
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

# Issue 10, defect 2: a Delete of a key the iteration already returned
# shifted a later key back across the cursor; keys came back twice (40 of
# 15,000 on 6.1, 15 on 6.12) and their second Delete answered 0x310.
t_iterate_delete_returned() {
	local others=$1 desc="iterate, delete every other returned key"
	[ -n "$others" ] && desc="$desc, another process deletes/stores"
	load_module kv_max_keys=20000 || return 1
	run_client "kvclient iterdel: $desc" iterdel "$NVME_NS" --keys 15000 $others
	expect_eq "iterdel: keys returned twice" "$(client_field duplicates)" 0
	expect_eq "iterdel: keys present throughout missed" "$(client_field missed)" 0
	expect_eq "iterdel: mismatches" "$(client_field mismatches)" 0
	unload_module
}

run_test kv-client-build t_client
run_test kv-iterate t_iterate
run_test kv-iterate-delete-returned-key-returned-twice t_iterate_delete_returned
run_test kv-iterate-delete-while-another-process-deletes t_iterate_delete_returned --others
finish
