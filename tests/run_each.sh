#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/run_each.sh JOBS LOGDIR BUILD RUN T...: for each T, the shell
# commands BUILD and then RUN with $t set to T, up to JOBS at a time (the
# unit tests and fuzz targets are independent processes; two at a time on
# the 2-core CI machine halve the stage). Each one's output goes to
# LOGDIR/T.log and is printed as a block, "== T" first, when it ends; one
# that does not build or fails counts as failed ("FAILED: T"), the others
# still run. Ends with "N passed, N failed"; exits non-zero on any failure.
set -u
jobs=$1 logdir=$2 build=$3 run=$4
shift 4
[[ $jobs =~ ^[1-9][0-9]*$ ]] || jobs=1
mkdir -p "$logdir"
pass=0 fail=0
declare -A pid_of=()   # pid -> target

one() { # T: build and run one target, output to its log
	local t=$1 rc=0 t0=$SECONDS
	{ (eval "$build") && (eval "$run"); } > "$logdir/$t.log" 2>&1 || rc=$?
	echo "($t: exit $rc, $((SECONDS - t0)) s)" >> "$logdir/$t.log"
	return $rc
}

reap() { # wait for one target to end, print its block
	local pid rc=0 t
	wait -n -p pid "${!pid_of[@]}" || rc=$?
	t=${pid_of[$pid]}
	unset "pid_of[$pid]"
	echo "== $t"
	cat "$logdir/$t.log"
	if [ $rc -eq 0 ]; then pass=$((pass + 1)); else echo "FAILED: $t"; fail=$((fail + 1)); fi
}

for t in "$@"; do
	while [ ${#pid_of[@]} -ge "$jobs" ]; do reap; done
	one "$t" &
	pid_of[$!]=$t
done
while [ ${#pid_of[@]} -gt 0 ]; do reap; done
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
