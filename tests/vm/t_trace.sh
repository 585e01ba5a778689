#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest: call-flow tracing (seed format, filters, self-disabling bound),
# tracepoints, and statistics that move by exactly what a known sequence does.
. "$NVMEV_DIR/tests/vm/lib.sh"

P=/sys/module/nvmev_kv/parameters
KV="$NVMEV_DIR/scripts/kv -q"
TRACE_RE='nvmev_kv: +[+-](enter|exit)\{func: '

trace_reset() {
	echo 0 > $P/trace; echo 0 > $P/trace_cmds; echo all > $P/trace_queue
	echo -1 > $P/trace_opcode; echo > $P/trace_filter
}

# the +enter function names logged since MARK, one per line
entered_since() {
	dmesg_since "$1" | grep -E "$TRACE_RE" | grep -F '+enter' |
		sed -E "s/.*func: '([a-z0-9_]+) \[nvmev_kv\]'.*/\1/"
}

# expect_order DESC NAMES WANT...: WANT appears in NAMES in this order
expect_order() {
	local desc=$1 names=$2 want rest
	shift 2
	rest=$names
	for want in "$@"; do
		if ! printf '%s\n' "$rest" | grep -qx "$want"; then
			not_ok "$desc: '$want' missing or out of order; trace was:"
			printf '%s\n' "$names" | tr '\n' ' ' | fold -w 150 | sed 's/^/    | /'
			return 1
		fi
		rest=$(printf '%s\n' "$rest" | sed -n "/^$want\$/,\$p" | tail -n +2)
	done
	ok "$desc: $*"
}

wait_trace_off() {
	local i
	for ((i = 0; i < 30; i++)); do
		[ "$(cat $P/trace)" = 0 ] && return 0
		sleep 0.1
	done
	return 1
}

t_load() { load_module; }

t_trace_off_is_silent() {
	local mark
	trace_reset
	mark=$(dmesg_mark)
	$KV store $NVME_NS quiet-key quiet-value
	$KV retrieve $NVME_NS quiet-key > /dev/null
	expect_eq "trace lines with tracing off" "$(dmesg_since $mark | grep -cE "$TRACE_RE")" 0
}

t_trace_store_retrieve_layers() {
	local mark names
	trace_reset
	echo 2 > $P/trace_cmds; echo io > $P/trace_queue; echo 1 > $P/trace
	mark=$(dmesg_mark)
	$KV store $NVME_NS layer-key 0123456789
	$KV retrieve $NVME_NS layer-key > /dev/null
	wait_trace_off && ok "tracing switched itself off after 2 commands" ||
		not_ok "trace still on after its 2-command bound"
	names=$(entered_since $mark)
	expect_order "store layers" "$names" nvmev_proc_io_sq nvmev_dispatch_io \
		kv_nvme_dispatch kv_set_decode nvmev_timing_book nvmev_enqueue_io_req \
		nvmev_perform_io_req kv_nvme_perform kv_execute kv_do_store \
		hash_map_lookup log_append hash_map_insert nvmev_post_cqe \
		nvmev_signal_irq
	# the second traced command is the retrieve: lookup, no log allocation
	names=$(printf '%s\n' "$names" | sed -n '/^kv_do_store$/,$p' | sed -n '/^nvmev_proc_io_sq$/,$p')
	expect_order "retrieve layers" "$names" nvmev_proc_io_sq kv_nvme_dispatch \
		nvmev_enqueue_io_req nvmev_perform_io_req kv_do_retrieve \
		hash_map_lookup nvmev_post_cqe nvmev_signal_irq
	if printf '%s\n' "$names" | grep -qx log_append; then
		not_ok "retrieve allocated log space"
	else
		ok "retrieve allocated no log space"
	fi
	expect_eq "+enter/-exit balanced" \
		"$(dmesg_since $mark | grep -cE "$TRACE_RE" | awk '{print $1 % 2}')" 0
	mark=$(dmesg_mark)
	$KV exist $NVME_NS layer-key
	expect_eq "trace lines after the bound" "$(dmesg_since $mark | grep -cE "$TRACE_RE")" 0
}

t_trace_filters() {
	local mark names
	# queue filter: admin only -> an I/O command prints nothing, Identify does
	trace_reset
	echo admin > $P/trace_queue; echo 1 > $P/trace
	mark=$(dmesg_mark)
	$KV store $NVME_NS filter-key v
	expect_eq "admin-only trace lines for an I/O command" "$(entered_since $mark | wc -l)" 0
	nvme id-ctrl $NVME_DEV > /dev/null
	names=$(entered_since $mark)
	expect_order "admin trace of Identify" "$names" nvmev_proc_admin_cmd \
		admin_exec admin_identify nvmev_post_cqe nvmev_signal_irq
	# opcode filter: only retrieve (0x90)
	trace_reset
	echo 0x90 > $P/trace_opcode; echo 1 > $P/trace
	mark=$(dmesg_mark)
	$KV store $NVME_NS filter-key v2
	expect_eq "opcode-0x90 trace lines for a store" "$(entered_since $mark | wc -l)" 0
	$KV retrieve $NVME_NS filter-key > /dev/null
	expect_order "opcode-0x90 trace of a retrieve" "$(entered_since $mark)" kv_do_retrieve
	# function-name filter: only the index
	trace_reset
	echo hash_map_ > $P/trace_filter; echo 1 > $P/trace_cmds; echo 1 > $P/trace
	mark=$(dmesg_mark)
	$KV store $NVME_NS filter-key v3
	wait_trace_off
	names=$(entered_since $mark)
	expect_eq "functions outside the hash_map_ filter" \
		"$(printf '%s\n' "$names" | grep -vc '^hash_map_')" 0
	expect_match "hash map traced" "$names" '^hash_map_(lookup|update|insert)$'
	trace_reset
}

t_tracepoints() {
	local T=/sys/kernel/tracing out
	[ -d $T/events/nvmev_kv ] || { not_ok "no tracepoints under $T/events/nvmev_kv"; return 1; }
	echo > $T/trace
	echo 1 > $T/events/nvmev_kv/enable
	$KV store $NVME_NS tpkey 'twelve bytes'
	$KV retrieve $NVME_NS tpkey > /dev/null
	$KV retrieve $NVME_NS tp-missing > /dev/null 2>&1
	echo 0 > $T/events/nvmev_kv/enable
	out=$(cat $T/trace)
	# key "tpkey" = 74 70 6b 65 79
	expect_match "submit of the store" "$out" 'nvmev_kv_submit: qid=[0-9]+ cid=[0-9]+ opcode=0x81 key=74706b6579 bytes=12 model_ns=[1-9]'
	expect_match "completion of the store" "$out" 'nvmev_kv_complete: .*opcode=0x81 key=74706b6579 bytes=12 status=0x000 dw0=0x0 model_ns=[1-9][0-9]* actual_ns=[1-9]'
	expect_match "completion of the retrieve, DW0 = value size" "$out" 'nvmev_kv_complete: .*opcode=0x90 key=74706b6579 .*status=0x000 dw0=0xc '
	expect_match "completion of a missing key: 0x310 with DNR" "$out" 'nvmev_kv_complete: .*opcode=0x90 key=74702d6d697373696e67 .*status=0x4310'
}

stat() { awk -F': ' -v k="$1" '$1 == k { print $2; f = 1 } END { if (!f) print 0 }' "$2"; }
smart() { nvme smart-log $NVME_DEV | awk -F: -v k="$1" '$1 ~ "^"k { gsub(/[ ,]/, "", $2); print $2 }'; }

t_stats_exact() {
	local S=/sys/kernel/debug/nvmev_kv/stats a=$SCRATCH/stats.a b=$SCRATCH/stats.b k
	local hw0 hr0
	[ -r $S ] || { not_ok "no $S"; return 1; }
	cat $S > $a; hw0=$(smart host_write_commands); hr0=$(smart host_read_commands)
	$KV store $NVME_NS st-a 0123456789
	$KV store $NVME_NS st-b 01234567890123456789
	$KV store $NVME_NS st-c 012345678901234567890123456789
	$KV retrieve $NVME_NS st-b > /dev/null
	$KV retrieve $NVME_NS st-missing > /dev/null 2>&1
	$KV delete $NVME_NS st-c
	$KV exist $NVME_NS st-a
	cat $S > $b
	for k in "cmds_kv-store 3" "bytes_kv-store 60" "cmds_kv-retrieve 2" \
		 "bytes_kv-retrieve 20" "cmds_kv-delete 1" "cmds_kv-exist 1" \
		 "status_0x310 1" "kv_keys 2" "log_records_written 3"; do
		set -- $k
		expect_eq "stats $1 moved by" "$(( $(stat $1 $b) - $(stat $1 $a) ))" $2
	done
	expect_eq "SMART host_write_commands moved by" "$(( $(smart host_write_commands) - hw0 ))" 3
	expect_eq "SMART host_read_commands moved by" "$(( $(smart host_read_commands) - hr0 ))" 1
	expect_match "latency percentiles reported" "$(cat $b)" '^lat_p999_ns_kv-store: [1-9]'
}

run_test load t_load
run_test trace-off-is-silent t_trace_off_is_silent
run_test trace-store-retrieve-layers t_trace_store_retrieve_layers
run_test trace-filters t_trace_filters
run_test tracepoints t_tracepoints
run_test stats-exact t_stats_exact
run_test unload unload_module
finish
