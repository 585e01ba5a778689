#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest: tools/kvbench, the YCSB-style workload generator (issue 12).
#  - ycsb-a with 2 threads x QD 8 through io_uring passthrough writes valid
#    JSON (read/update/insert objects with p99 in microseconds) and a PNG
#    (gnuplot: latency CDF, throughput), and so does the sync ioctl mode;
#  - both length codings, with --verify;
#  - ycsb-d, ycsb-e (scans through the iterate commands) and ycsb-f run
#    clean under --verify, and so do values of 1-2 MiB;
#  - --verify catches a wrong value: after a load, one key is overwritten
#    through nvme-cli (scripts/kv store), and a verified read pass must fail
#    naming that key (and pass before the overwrite);
#  - the QD1 invocation of scripts/bench (no --workload) prints its line.
# Small record counts: the suite must stay short under TCG.
. "$NVMEV_DIR/tests/vm/lib.sh"
. "$NVMEV_DIR/tests/vm/kv_lib.sh"

KVBENCH=${KVBENCH:-$NVMEV_DIR/tools/out/kvbench}
RECORDS=${TEST_KVBENCH_RECORDS:-2000}
OPS=${TEST_KVBENCH_OPS:-4000}
OUTD=$SCRATCH/kvbench
mkdir -p "$OUTD"

# jload FILE: parse JSON FILE once (perl's core JSON::PP: the guest runs the
# host's perl; jq may not be installed; perl starts slowly under TCG) into
# FILE.flat, one "a.b.c<TAB>value" line per scalar; fails if FILE is not
# valid JSON. jget FILE PATH: the value at PATH, "null" if absent.
jload() {
	perl -MJSON::PP -e '
		local $/; open(my $f, "<", $ARGV[0]) or die "open: $!\n";
		my $j = JSON::PP->new->decode(<$f>);
		sub walk { my ($p, $v) = @_;
			if (ref $v eq "HASH") { walk($p eq "" ? $_ : "$p.$_", $v->{$_}) for sort keys %$v; }
			elsif (!ref $v || JSON::PP::is_bool($v)) { print "$p\t", (defined $v ? "$v" : "null"), "\n"; } }
		walk("", $j);' "$1" > "$1.flat"
}
jget() { awk -F'\t' -v k="$2" '$1 == k { print $2; f = 1; exit } END { if (!f) print "null" }' "$1.flat"; }

# PNG signature: 89 50 4e 47 0d 0a 1a 0a
is_png() { [ "$(head -c 8 "$1" 2>/dev/null | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]; }

t_build() {
	local f
	if [ ! -x "$KVBENCH" ]; then
		not_ok "no $KVBENCH (make -C tools on the host)"
		return 1
	fi
	for f in kvbench.c kvgen.c kvgen.h kvlib.c kvlib.h kvuring_lib.c kvuring_lib.h; do
		[ "$NVMEV_DIR/tools/$f" -nt "$KVBENCH" ] || continue
		not_ok "$KVBENCH is older than tools/$f: make -C tools on the host"
		return 1
	done
	ok "kvbench built"
	if command -v gnuplot > /dev/null; then
		ok "gnuplot: $(gnuplot --version)"
	else
		not_ok "no gnuplot for --plot (scripts/install-deps installs gnuplot-nox)"
	fi
}

# run_bench DESC WANT_RC ARGS...: kvbench ARGS; its stdout is shown, its
# stderr kept in BENCH_ERR; ok when the exit status is WANT_RC.
run_bench() {
	local desc=$1 want=$2 rc=0
	shift 2
	BENCH_OUT=$(timeout 300 "$KVBENCH" "$@" --progress 0 2> "$OUTD/stderr") || rc=$?
	BENCH_ERR=$(cat "$OUTD/stderr")
	printf '%s\n' "$BENCH_OUT" | sed 's/^/    | /'
	[ -n "$BENCH_ERR" ] && printf '%s\n' "$BENCH_ERR" | head -20 | sed 's/^/    ! /'
	if [ "$rc" = "$want" ]; then
		ok "$desc (exit $rc)"
		return 0
	fi
	not_ok "$desc: exit $rc, want $want"
	return 1
}

# check_json FILE OPS...: valid JSON, unit us, no errors, each OP with count
# > 0 and 0 < p50 <= p99 <= max
check_json() {
	local j=$1 op cnt p50 p99 max
	shift
	if ! jload "$j" 2> "$OUTD/json.err"; then
		not_ok "$j is not valid JSON: $(head -3 "$OUTD/json.err")"
		return 1
	fi
	ok "$j is valid JSON"
	expect_eq "JSON unit" "$(jget "$j" unit)" us
	expect_eq "JSON errors" "$(jget "$j" errors)" 0
	expect_eq "JSON verify_failures" "$(jget "$j" verify_failures)" 0
	for op in "$@"; do
		cnt=$(jget "$j" "$op.count")
		p50=$(jget "$j" "$op.p50")
		p99=$(jget "$j" "$op.p99")
		max=$(jget "$j" "$op.max")
		if awk -v c="$cnt" -v a="$p50" -v b="$p99" -v m="$max" \
			'BEGIN { exit !(c > 0 && a > 0 && a <= b && b <= m) }'; then
			ok "$op: count $cnt, p50 $p50 us, p99 $p99 us, max $max us"
		else
			not_ok "$op: count '$cnt' p50 '$p50' p99 '$p99' max '$max'"
		fi
	done
}

check_png() {
	if is_png "$1"; then
		ok "$1 is a PNG ($(wc -c < "$1") bytes)"
	else
		not_ok "$1 is not a PNG: $(head -c 16 "$1" 2>/dev/null | od -An -c | head -1)"
	fi
}

# check_ops FILE RECORDS OPS: the load inserted RECORDS, the run did OPS
check_ops() {
	local j=$1 n
	n=$(( $(jget "$j" read.count) + $(jget "$j" update.count) ))
	expect_eq "run phase: read + update" "$n" "$3"
	expect_eq "load phase: inserts" "$(jget "$j" insert.count)" "$2"
}

# ycsb_a MODE CODING RECORDS OPS [--plot]: ycsb-a with --verify, 2 threads
# (x qd 8 with uring); JSON and CSV checked, the PNG with --plot
ycsb_a() {
	local mode=$1 coding=$2 records=$3 ops=$4 plot=${5:-}
	local j="$OUTD/a-$1-$2.json" p="$OUTD/a-$1-$2.png" c="$OUTD/a-$1-$2.csv" qd=8
	[ "$mode" = sync ] && qd=1
	rm -f "$j" "$p" "$c"
	run_bench "ycsb-a, $mode, 2 threads x qd $qd, $coding coding, --verify" 0 "$NVME_NS" \
		--workload ycsb-a --records "$records" --ops "$ops" --threads 2 --qd "$qd" \
		--mode "$mode" --verify --json "$j" --csv "$c" ${plot:+--plot "$p"} || return 1
	check_json "$j" read update insert
	expect_eq "JSON mode" "$(jget "$j" mode)" "$mode"
	expect_eq "JSON coding" "$(jget "$j" coding)" "$coding"
	check_ops "$j" "$records" "$ops"
	[ -n "$plot" ] && check_png "$p"
	expect_match "CSV: a row per operation and phase" "$(grep -c '^op,' "$c")" '^3$'
}

# The interface tests outside the project use, exactly; then the sync mode.
t_ycsb_a() {
	local j="$OUTD/ext.json" p="$OUTD/ext.png"
	load_module memmap_size=256M blk_size=1M || return 1
	check "generic char device ${NVME_NS/nvme/ng}" test -c "${NVME_NS/nvme/ng}"
	run_bench "the external interface: ycsb-a, 2 threads x qd 8" 0 "$NVME_NS" \
		--workload ycsb-a --records "$RECORDS" --ops "$OPS" --threads 2 --qd 8 \
		--json "$j" --plot "$p" || { unload_module; return 1; }
	check_json "$j" read update insert
	expect_eq "JSON mode" "$(jget "$j" mode)" uring
	check_ops "$j" "$RECORDS" "$OPS"
	check_png "$p"
	# sync ioctls are slower under TCG: fewer records and ops
	ycsb_a sync bytes 800 1200 --plot
	log "device: $(kv_stats_line)"
	unload_module
}

t_samsung() {
	load_module memmap_size=256M blk_size=1M kv_coding=samsung || return 1
	ycsb_a uring samsung "$RECORDS" "$OPS"
	ycsb_a sync samsung 600 600
	# iterate reads in the samsung coding: scans
	run_bench "ycsb-e (scans), uring 2 x qd 4, samsung coding, --verify" 0 "$NVME_NS" \
		--workload ycsb-e --records 1000 --ops 400 --threads 2 --qd 4 --verify \
		--scan-len 20 --json "$OUTD/e-samsung.json" && check_json "$OUTD/e-samsung.json" scan insert
	unload_module
}

# YCSB D (latest, inserts), E (scans through iterate), F (read-modify-write)
t_ycsb_def() {
	local w ops
	load_module memmap_size=256M blk_size=1M || return 1
	for w in d e f; do
		ops=800
		[ "$w" = e ] && ops=400
		run_bench "ycsb-$w, uring 2 x qd 4, --verify" 0 "$NVME_NS" --workload "ycsb-$w" \
			--records 1000 --ops "$ops" --threads 2 --qd 4 --verify --scan-len 20 \
			--value-size 100:5,4096:3,16K:2 --key-len 8-16 --json "$OUTD/$w.json" || continue
		case $w in
		d) check_json "$OUTD/$w.json" read insert ;;
		e) check_json "$OUTD/$w.json" scan insert
		   expect_match "scans returned records" "$BENCH_OUT" 'scanned records [1-9]' ;;
		f) check_json "$OUTD/$w.json" read rmw insert ;;
		esac
	done
	# the largest values: 1..2 MiB through io_uring (huge-page buffers)
	run_bench "values of 1-2 MiB, uring qd 4, --verify" 0 "$NVME_NS" --workload update \
		--phase both --records 8 --ops 16 --qd 4 --value-size 1M-2M --verify \
		--json "$OUTD/big.json" && check_json "$OUTD/big.json" update insert
	unload_module
}

# --verify must catch a wrong value: overwrite one loaded key with a value
# kvbench did not write (nvme-cli, through scripts/kv), then read every
# record with --verify. Then the QD1 line of scripts/bench's trace part.
t_verify_catches() {
	local key n=1000 rec=700
	load_module memmap_size=256M blk_size=1M || return 1
	run_bench "load $n records (random order)" 0 "$NVME_NS" --workload load \
		--records $n --load-order random --threads 2 --qd 8 || { unload_module; return 1; }
	run_bench "verified read of every record before the overwrite" 0 "$NVME_NS" \
		--workload read --dist sequential --records $n --ops $n \
		--threads 2 --qd 8 --verify
	key=$("$KVBENCH" --key-of $rec)
	log "record $rec has key '$key'"
	check "overwrite key '$key' through nvme-cli" "$KV" -q store "$NVME_NS" "$key" \
		"a value kvbench never wrote, same key"
	run_bench "verified read after the overwrite fails (uring)" 1 "$NVME_NS" \
		--workload read --dist sequential --records $n --ops $n \
		--threads 2 --qd 8 --verify
	expect_match "the failure names the key" "$BENCH_ERR" "VERIFY FAILED: key '$key' \\(record $rec\\)"
	expect_eq "exactly one failure" "$(printf '%s\n' "$BENCH_ERR" | grep -c 'VERIFY FAILED')" 1
	run_bench "verified read after the overwrite fails (sync)" 1 "$NVME_NS" \
		--workload read --dist sequential --records $n --ops $n \
		--mode sync --threads 2 --verify
	expect_match "the failure names the key" "$BENCH_ERR" "VERIFY FAILED: key '$key'"
	# without --verify the same run passes: the check is what failed
	run_bench "the same read without --verify" 0 "$NVME_NS" --workload read \
		--dist sequential --records $n --ops $n --threads 2 --qd 8
	# scripts/bench's trace part: kvbench DEV --ops N --size 4096
	run_bench "QD1 store+retrieve loop (no --workload)" 0 "$NVME_NS" --ops 400 --size 4096
	expect_match "its line" "$BENCH_OUT" '^kvbench: ops=400 size=4096 seconds=[0-9.]+ ops_per_s=[0-9]+$'
	unload_module
}

# the JSON, CSV and PNG files next to out.txt in the job directory
keep_outputs() {
	[ -d /job ] && [ -w /job ] || return 0
	mkdir -p /job/kvbench && cp "$OUTD"/*.json "$OUTD"/*.csv "$OUTD"/*.png /job/kvbench/ 2>/dev/null
	log "kvbench's JSON, CSV and PNG files are kept in the job directory, kvbench/"
}

run_test kvbench-build t_build
run_test kvbench-ycsb-a-uring-2x8-and-sync t_ycsb_a
# the samsung coding and workloads D, E, F: one kernel each (user-space
# paths the kernels do not change; TEST_ALL_CASES=1 runs both here)
spread_test 0 kvbench-samsung-coding t_samsung
spread_test 1 kvbench-ycsb-d-e-f t_ycsb_def
run_test kvbench-verify-catches-wrong-value t_verify_catches
keep_outputs
finish
