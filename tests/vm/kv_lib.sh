# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0
# tests/vm/kv_lib.sh: helpers for the KV command set tests (t_kv_*.sh), on
# top of tests/vm/lib.sh (source that first).
#
#   KV        scripts/kv          KVCLIENT  tools/out/kvclient (see kvclient_ready)
#   kvclient_ready        make sure the client binary exists and is current
#   kv_area_bytes         the KV area of the loaded device (from its dmesg line)
#   kv_stat NAME          one counter of /sys/kernel/debug/nvmev_kv/stats
#   kv_stats_line         the KV store counters on one line (for the log)
#   run_client DESC ARGS  run kvclient, show its output, ok/not ok by exit status

KV=$NVMEV_DIR/scripts/kv # shellcheck disable=SC2034
KVCLIENT=${KVCLIENT:-$NVMEV_DIR/tools/out/kvclient}

# The guest sees the host tree read-only through an overlay with a tmpfs on
# top; build the client on the host (make -C tools). If it is missing or
# older than its sources, build a private copy in $SCRATCH instead.
kvclient_ready() {
	local src=$NVMEV_DIR/tools f stale=0
	if [ -x "$KVCLIENT" ]; then
		for f in "$src"/kvclient.c "$src"/kvlib.c "$src"/kvlib.h; do
			[ "$f" -nt "$KVCLIENT" ] && stale=1
		done
		[ $stale = 0 ] && return 0
		log "$KVCLIENT is older than its sources: building a copy in the guest"
	else
		log "no $KVCLIENT (make -C tools on the host): building it in the guest"
	fi
	if ! make -s -C "$src" OUT="$SCRATCH/tools" "$SCRATCH/tools/kvclient" >"$SCRATCH/tools-build.log" 2>&1; then
		not_ok "cannot build kvclient:"
		tail -20 "$SCRATCH/tools-build.log" | sed 's/^/    | /'
		return 1
	fi
	KVCLIENT=$SCRATCH/tools/kvclient
}

# Bytes of the KV area: the "ready: ... KV area N MiB" line of the last load.
kv_area_bytes() {
	local mib
	mib=$(dmesg | sed -n 's/.*nvmev_kv: ready: .*KV area \([0-9]*\) MiB.*/\1/p' | tail -1)
	echo $(( ${mib:-0} << 20 ))
}

KV_STATS=/sys/kernel/debug/nvmev_kv/stats

# kv_stat NAME: one statistic (builtins: one read of the file, no process)
kv_stat() {
	local all= line
	IFS= read -r -d '' all 2>/dev/null < "$KV_STATS"
	while IFS= read -r line; do
		[[ $line == "$1: "* ]] && { printf '%s\n' "${line#"$1: "}"; return 0; }
	done <<< "$all"
	return 0
}

# kv_stats_line: the main statistics on one line (builtins: grep | sed | tr
# was three processes after every client run)
kv_stats_line() {
	[ -r "$KV_STATS" ] || { echo "(no $KV_STATS)"; return; }
	local all= line out=
	IFS= read -r -d '' all 2>/dev/null < "$KV_STATS"
	while IFS= read -r line; do
		[[ $line =~ ^(kv_keys|kv_capacity_bytes|kv_index_bytes_per_key|log_raw_bytes|log_live_bytes|log_user_bytes|reclaim_runs|reclaim_bytes_moved|reclaim_forced|capacity_exceeded|capacity_exceeded_index|capacity_exceeded_log): ]] &&
			out+="${line/: /=} "
	done <<< "$all"
	printf '%s' "$out"
}

# run_client DESC ARGS...: kvclient ARGS; its output is shown (indented) and
# kept in CLIENT_OUT; ok/not ok by its exit status.
run_client() {
	local desc=$1 rc=0
	shift
	CLIENT_OUT=$(timeout "${CLIENT_TIMEOUT:-900}" "$KVCLIENT" "$@" 2>&1) || rc=$?
	printf '%s\n' "$CLIENT_OUT" | sed -e '/^MISMATCH/d' -e 's/^/    | /'
	if [ $rc -eq 0 ]; then
		ok "$desc"
	else
		not_ok "$desc (kvclient exit $rc)"
		printf '%s\n' "$CLIENT_OUT" | grep '^MISMATCH' | head -30 | sed 's/^/    | /'
	fi
	log "device: $(kv_stats_line)"
	return $rc
}

# client_field NAME: the value of NAME=... in the client's output
# (the last NAME=VALUE, VALUE up to a space, comma or '='; builtins only:
# grep | tail | cut was three processes, ~1 s under TCG)
client_field() {
	local line m v= found=0
	while IFS= read -r line; do
		while [[ $line =~ $1=([^ ,]*) ]]; do
			m=${BASH_REMATCH[0]}; v=${BASH_REMATCH[1]}; found=1
			line=${line#*"$m"}
		done
	done <<< "$CLIENT_OUT"
	[ $found = 1 ] && printf '%s\n' "${v%%=*}"
	return 0
}

# kvs ARGS...: scripts/kv --csi kv; KV_OUT, KV_ERR, KV_RC
kvs() {
	KV_RC=0
	KV_OUT=$("$KV" --csi kv "$@" 2>"$SCRATCH/kv.err") || KV_RC=$?
	KV_ERR=$(cat "$SCRATCH/kv.err")
}

# expect_kvs DESC RC OUT_ERE ERR_ERE ARGS...: exit status and output of scripts/kv --csi kv
expect_kvs() {
	local desc=$1 rc=$2 out=$3 err=$4 bad=
	shift 4
	kvs "$@"
	[ "$KV_RC" = "$rc" ] || bad="exit $KV_RC, want $rc"
	if [ -n "$out" ] && ! printf '%s\n' "$KV_OUT" | grep -Eq -- "$out"; then bad="$bad; stdout !~ /$out/"; fi
	if [ -n "$err" ] && ! printf '%s\n' "$KV_ERR" | grep -Eq -- "$err"; then bad="$bad; stderr !~ /$err/"; fi
	if [ -z "$bad" ]; then
		ok "$desc"
	else
		not_ok "$desc: ${bad#; } (kv --csi kv $*)"
		{ printf 'stdout: %s\n' "$KV_OUT"; printf 'stderr: %s\n' "$KV_ERR"; } | head -10 | sed 's/^/    | /'
	fi
}
