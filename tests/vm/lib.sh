# SPDX-License-Identifier: GPL-2.0
# tests/vm/lib.sh: helpers for guest-side integration tests (bash).
#
# A guest script (tests/vm/t_*.sh, run by scripts/vmrun inside the VM) does
#
#   . "$NVMEV_DIR/tests/vm/lib.sh"
#   t_something() { load_module || return 1; check "nvme list" nvme list; ...; unload_module; }
#   run_test something t_something
#   finish                      # prints "N passed, N failed", exits 1 on any failure
#
# Per test, output is "PASS: name (Ns)" or "FAIL: name (Ns)" with the failed
# checks ("  not ok - ...") above it; scripts/vm-tests collects those lines.
# After each test the dmesg lines it produced are scanned for kernel trouble
# (WARNING:, BUG:, Oops, Call Trace, nvme timeouts, unexpected resets, ...);
# any hit fails that test.

NVMEV_DIR=${NVMEV_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
# uname -r and nproc without a process each (~0.3 s apiece in a TCG guest,
# and every suite sources this file)
read -r KVER < /proc/sys/kernel/osrelease 2>/dev/null || KVER=$(uname -r)
# NVMEV_NCPU: the number of online CPUs, from /sys (what nproc says here)
if read -r NVMEV_NCPU < /sys/devices/system/cpu/online 2>/dev/null; then
	_l=$NVMEV_NCPU NVMEV_NCPU=0
	for _r in ${_l//,/ }; do NVMEV_NCPU=$((NVMEV_NCPU + ${_r#*-} - ${_r%-*} + 1)); done
	unset _l _r
else
	NVMEV_NCPU=$(nproc)
fi
NVMEV_KO=${NVMEV_KO:-$NVMEV_DIR/build/$KVER/nvmev_kv.ko}
# Worker configuration of this run. scripts/vm-tests runs each suite with
# NVMEV_WORKERS=1 (2 vCPUs) or 2 (SMP=4); scripts/vmrun exports every NVMEV_*
# variable into the guest. The module's cpus= lists the dispatcher CPU first,
# then the worker CPUs (one CPU may run both):
#   1 worker:  cpus=1      dispatcher and worker share CPU 1
#   N workers: cpus=1,2,..,N+1  dispatcher on CPU 1, workers on CPUs 2..N+1
# so N >= 2 needs N + 2 vCPUs (CPU 0 stays free for the test programs).
# Suites load with $NVMEV_CPUS (the default below does); only a suite that
# tests cpus= itself (t_params) passes its own lists.
NVMEV_WORKERS=${NVMEV_WORKERS:-1}
nvmev_cpus_for() { # N -> the cpus= list of an N-worker configuration
	local n=$1 i l=1
	[ "$n" -le 1 ] && { echo 1; return; }
	for ((i = 2; i <= n + 1; i++)); do l=$l,$i; done
	echo "$l"
}
NVMEV_CPUS=${NVMEV_CPUS:-$(nvmev_cpus_for "$NVMEV_WORKERS")}
NVMEV_CONFIG="workers=$NVMEV_WORKERS cpus=$NVMEV_CPUS vcpus=$NVMEV_NCPU"
# Default load line for a guest booted with memmap=1G$1G (scripts/vmrun default).
# fresh=1: suites load many times with different sizes in one VM, and the
# module keeps its stores across loads (a store made with other sizes is
# refused); a suite that tests persistence passes fresh=0 (t_persist).
NVMEV_DEFAULT_PARAMS=${NVMEV_DEFAULT_PARAMS:-"memmap_start=1G memmap_size=1G cpus=$NVMEV_CPUS fresh=1"}
NVMEV_BLK_SIZE=${NVMEV_BLK_SIZE:-64M}   # the module's default blk_size
NVMEV_WAIT=${NVMEV_WAIT:-60}            # seconds to wait for /dev/nvmeXn1
NVME_DEV=/dev/nvme0
NVME_NS=/dev/nvme0n1
SCRATCH=${SCRATCH:-/tmp/nvmev-test}
mkdir -p "$SCRATCH"

# nap SECS: sleep without a process (read -t on a FIFO no one writes to),
# for the polling loops of this file (wait_nvme at every load_module,
# unload_module, ...): /bin/sleep is a process start, ~0.3 s under TCG,
# per round. Suites keep the real sleep where a wait's length matters;
# a loop that uses nap must bound its wait with a $SECONDS deadline, not a
# count of rounds. No FIFO (or not a plain number): the real sleep.
# (The guest has no /dev/fd, so no <(:) trick.)
NVMEV_NAP_FD=
if { [ -p "$SCRATCH/.nap" ] || mkfifo "$SCRATCH/.nap"; } 2>/dev/null; then
	exec {NVMEV_NAP_FD}<>"$SCRATCH/.nap" || NVMEV_NAP_FD=
fi
nap() {
	local _unused
	if [ -n "$NVMEV_NAP_FD" ] && [[ $1 =~ ^[0-9]+(\.[0-9]+)?$ ]]; then
		read -r -t "$1" -u "$NVMEV_NAP_FD" _unused
		return 0
	fi
	sleep "$1"
}

PASSED=0
FAILED=0
FAILED_NAMES=()
T_NAME=
T_FAILS=0

FATAL_RE='WARNING:|BUG:|Oops|general protection|hung task|blocked for more than|soft lockup|hard LOCKUP|RCU stall|rcu_sched self-detected stall|rcu.*detected stall|Call Trace|segfault|nvme.*timeout|Kernel panic|UBSAN|KASAN'

log() { echo "  # $*"; }
kmsg() { echo "$*" > /dev/kmsg 2>/dev/null || true; }

# ok/not_ok: record one check of the current test.
ok() { echo "  ok - $*"; }
not_ok() { echo "  not ok - $*"; T_FAILS=$((T_FAILS + 1)); }

# check DESC CMD...: run CMD (output shown indented), record ok/not ok by its status.
check() {
	local desc=$1; shift
	local out rc=0
	out=$("$@" 2>&1) || rc=$?
	if [ $rc -eq 0 ]; then ok "$desc"; else
		not_ok "$desc (exit $rc: $*)"
		[ -n "$out" ] && printf '%s\n' "$out" | tail -20 | sed 's/^/    | /'
	fi
	return $rc
}

# expect_eq DESC GOT WANT
expect_eq() {
	if [ "$2" = "$3" ]; then ok "$1 = $3"; else not_ok "$1: got '$2', want '$3'"; return 1; fi
}

# expect_match DESC STRING ERE
# A line of up to 8 KiB of text is matched with bash's own ERE (glibc's, as
# grep's): no process, where grep cost ~0.3 s under TCG. A miss, or longer
# text, goes to grep -E, so grep has the last word on every failure.
expect_match() {
	local line
	if [ ${#2} -le 8192 ]; then
		while IFS= read -r line; do
			[[ $line =~ $3 ]] && { ok "$1"; return 0; }
		done <<< "$2"
	fi
	if printf '%s\n' "$2" | grep -Eq -- "$3"; then ok "$1"; else
		not_ok "$1: /$3/ not found in:"; printf '%s\n' "$2" | head -20 | sed 's/^/    | /'; return 1; fi
}

# --- dmesg bookkeeping -------------------------------------------------------
# A mark is a unique line written to the kernel log (no process started:
# each one costs ~0.3 s in a TCG guest, and every test takes a mark);
# dmesg_since prints what follows it, or the whole log if it has been
# overwritten since.
dmesg_mark() {
	local m="NVMEV-MARK-$BASHPID.$RANDOM$RANDOM;"
	kmsg "$m"
	echo "$m"
}
dmesg_since() {
	dmesg | awk -v m="$1" '
		found { print; next }
		index($0, m) { found = 1; n = 0; next }
		{ buf[n++] = $0 }
		END { if (!found) for (i = 0; i < n; i++) print buf[i] }'
}

# expect_reset_begin/end: controller resets between these are expected
# (scripts/vmrun and the per-test scan both honour the markers).
expect_reset_begin() { kmsg "NVMEV-EXPECT-RESET-BEGIN"; }
expect_reset_end() { kmsg "NVMEV-EXPECT-RESET-END"; }

# fatal_lines MARK: kernel-trouble lines logged since MARK. Run after
# every test: when nothing after the mark could be trouble (a line that
# matches alone matches the whole text too), no awk is started (one
# process start less per test, ~0.3 s under TCG); else awk picks the lines.
fatal_lines() {
	# bytes, not UTF-8: '.' must match any byte of the log (a key's bytes
	# in a message would end (.*) early otherwise)
	local LC_ALL=C all rest
	all=$(dmesg)
	if [[ $all =~ "$1"(.*) ]]; then
		rest=${BASH_REMATCH[1]}
		[[ $rest =~ $FATAL_RE ]] || [[ $rest == *"resetting controller"* ]] || return 0
	else
		rest=$all   # the mark was overwritten: the whole log (as dmesg_since)
	fi
	printf '%s\n' "$rest" | awk -v re="$FATAL_RE" '
		/NVMEV-EXPECT-RESET-BEGIN/ { win = 1; next }
		/NVMEV-EXPECT-RESET-END/   { win = 0; next }
		$0 ~ re { print; next }
		/resetting controller/ && !win { print }'
}

# --- test runner -------------------------------------------------------------
# run_test NAME FUNC [ARGS...]: runs FUNC in this shell (so module state carries
# over between tests); the test fails if FUNC returns non-zero, if any check
# failed, or if the kernel logged trouble meanwhile.
run_test() {
	local name=$1; shift
	local mark t0 rc=0 bad
	T_NAME=$name; T_FAILS=0
	echo "=== $name"
	kmsg "NVMEV-TEST BEGIN $name"
	mark=$(dmesg_mark); t0=$SECONDS
	"$@" || rc=$?
	[ $rc -ne 0 ] && [ $T_FAILS -eq 0 ] && not_ok "test returned $rc"
	bad=$(fatal_lines "$mark")
	if [ -n "$bad" ]; then
		not_ok "kernel log shows trouble during the test:"
		printf '%s\n' "$bad" | head -30 | sed 's/^/    | /'
	fi
	kmsg "NVMEV-TEST END $name"
	if [ $T_FAILS -eq 0 ]; then
		PASSED=$((PASSED + 1)); echo "PASS: $name ($((SECONDS - t0))s)"
	else
		FAILED=$((FAILED + 1)); FAILED_NAMES+=("$name")
		echo "FAIL: $name ($((SECONDS - t0))s)"
		echo "  --- dmesg during $name (last 40 lines):"
		dmesg_since "$mark" | tail -40 | sed 's/^/    | /'
	fi
}

# skip_test NAME REASON
skip_test() { echo "=== $1"; echo "SKIP: $1: $2"; }

# finish: summary line and exit status for the whole guest script
finish() {
	# leave nothing loaded behind (a leftover module is a failure of the last test)
	if module_loaded; then
		run_test cleanup-unload unload_module
	fi
	[ $FAILED -gt 0 ] && echo "failed tests: ${FAILED_NAMES[*]}"
	echo "$PASSED passed, $FAILED failed"
	[ $FAILED -eq 0 ]
	exit $?
}

# nvme_status CMD...: the NVMe status nvme-cli printed ("0x0" on success)
nvme_status() {
	local out
	if out=$("$@" 2>&1); then echo 0x0; return; fi
	[[ $out =~ \((0x[0-9a-fA-F]+)\) ]] && echo "${BASH_REMATCH[1]}" || echo "error: $out"
}

# expect_status DESC WANT CMD...: CMD answers NVMe status WANT
expect_status() {
	local desc=$1 want=$2; shift 2
	expect_eq "$desc: status" "$(nvme_status "$@")" "$want"
}

# --- module handling ---------------------------------------------------------
module_loaded() { [ -d /sys/module/nvmev_kv ]; }

# merge_params [k=v...]: defaults with the given keys overridden/added.
# A bare "-k" drops key k from the defaults (e.g. -memmap_start).
merge_params() {
	local -a keys=() vals=()
	local kv k i found
	for kv in $NVMEV_DEFAULT_PARAMS "$@"; do
		case $kv in
		-*) k=${kv#-}
			for i in "${!keys[@]}"; do [ "${keys[$i]}" = "$k" ] && keys[$i]= ; done
			continue ;;
		esac
		k=${kv%%=*}; found=0
		for i in "${!keys[@]}"; do
			[ "${keys[$i]}" = "$k" ] && { vals[$i]=$kv; found=1; }
		done
		[ $found = 1 ] || { keys+=("$k"); vals+=("$kv"); }
	done
	for i in "${!keys[@]}"; do [ -n "${keys[$i]}" ] && printf '%s ' "${vals[$i]}"; done
}

# sysfs_get VAR FILE: VAR := the first line of FILE, "" if it cannot be
# read; a builtin, where $(cat FILE) started a process (~0.3 s under TCG)
# in loops that poll (wait_nvme: every load_module)
sysfs_get() {
	local -n _sg_var=$1
	_sg_var=
	{ IFS= read -r _sg_var < "$2"; } 2>/dev/null
	return 0
}

# find_nvme: set NVME_DEV/NVME_NS to the first controller's block device of
# namespace 1. Linux names a namespace's nodes (nvmeXnY, ngXnY) by the order
# it set them up, not by NSID: 6.12 scans namespaces in parallel, and with
# namespace 2 (kv_std_size) NSID 1 is nvme0n2 in about one load of four.
find_nvme() {
	local b n id
	for b in /sys/block/nvme[0-9]*; do
		n=${b##*/}
		[[ $n =~ ^nvme[0-9]+n[0-9]+$ ]] && [ -b /dev/$n ] || continue
		sysfs_get id $b/nsid
		[ "$id" = 1 ] || continue
		NVME_NS=/dev/$n; NVME_DEV=${NVME_NS%n*}
		return 0
	done
	return 1
}

# ns_ngdev NSID: the generic char device (/dev/ngXnY) of namespace NSID of
# $NVME_DEV (its hidden disk nvmeXnY has the NSID in sysfs, CSI 1 too)
ns_ngdev() {
	local b id
	for b in /sys/block/nvme${NVME_DEV#/dev/nvme}n[0-9]*; do
		sysfs_get id $b/nsid
		[ "$id" = "$1" ] || continue
		echo "/dev/ng${b##*/nvme}"
		return 0
	done
	return 1
}

# diag_nvme: what the controller, its block devices and any stuck task look like
diag_nvme() {
	local c p
	for c in /sys/class/nvme/nvme*; do
		[ -e "$c" ] && echo "$c: state=$(cat $c/state 2>&1) model=$(cat $c/model 2>/dev/null | sed 's/ *$//')"
	done
	ls -l /dev/nvme* 2>&1
	for c in /sys/block/nvme*; do [ -e "$c" ] && echo "$c: dev=$(cat $c/dev) size=$(cat $c/size)"; done
	[ -e "$NVME_NS" ] && echo "blockdev --getsize64 $NVME_NS: $(timeout 10 blockdev --getsize64 "$NVME_NS" 2>&1)"
	for p in /proc/[0-9]*; do   # tasks in uninterruptible sleep, with their kernel stacks
		if [ "$(awk '{print $3}' $p/stat 2>/dev/null)" = D ]; then
			echo "D-state: ${p#/proc/} $(cat $p/comm 2>/dev/null)"; sed 's/^/    /' $p/stack 2>/dev/null | head -12
		fi
	done
}

# wait_nvme [SECS]: wait for a live controller with its namespace block device
wait_nvme() {
	local secs=${1:-$NVMEV_WAIT} end c st
	end=$((SECONDS + secs))
	while [ $SECONDS -le $end ]; do
		if find_nvme; then
			c=${NVME_DEV#/dev/}
			sysfs_get st /sys/class/nvme/$c/state
			if [ "$st" = live ]; then
				udev_settle_ns && return 0
			fi
		fi
		nap 0.2
	done
	return 1
}

# there is no udev in the guest: devtmpfs creates the node; make sure it opens
udev_settle_ns() { [ -b "$NVME_NS" ] && blockdev --getsize64 "$NVME_NS" > /dev/null 2>&1; }

# load_module [k=v...]: insmod with the defaults (overridable), modprobe nvme,
# wait for the namespace. Fails clearly (and shows dmesg) if anything is off.
load_module() {
	local params mark out rc=0
	params=$(merge_params "$@")
	if module_loaded; then not_ok "load_module: nvmev_kv is already loaded"; return 1; fi
	[ -f "$NVMEV_KO" ] || { not_ok "load_module: no module at $NVMEV_KO (build it: make KVER=$KVER)"; return 1; }
	mark=$(dmesg_mark)
	# shellcheck disable=SC2086
	out=$(timeout 120 insmod "$NVMEV_KO" $params 2>&1) || rc=$?
	if [ $rc -ne 0 ]; then
		not_ok "insmod nvmev_kv $params failed (exit $rc): $out"
		dmesg_since "$mark" | tail -20 | sed 's/^/    | /'
		return 1
	fi
	if [ ! -d /sys/module/nvme ]; then
		out=$(timeout 60 modprobe nvme 2>&1) || { not_ok "modprobe nvme: $out"; return 1; }
	fi
	if ! wait_nvme "$NVMEV_WAIT"; then
		not_ok "no live block device of nsid 1 within ${NVMEV_WAIT}s after insmod $params"
		diag_nvme | sed 's/^/    | /'
		dmesg_since "$mark" | tail -30 | sed 's/^/    | /'
		# leave a clean slate for the next test
		if timeout 60 rmmod nvmev_kv 2>/dev/null; then log "rmmod'ed nvmev_kv after the failed load"
		else log "rmmod after the failed load failed too"; fi
		return 1
	fi
	ok "loaded: insmod nvmev_kv $params -> $NVME_DEV, $NVME_NS"
}

# --- several devices (memmap_start=A,B,...; t_multidev) ---------------------
# nvmev_ns_of INDEX: namespace 1's block device of the module's device INDEX
# (PCI domain 4b56 + INDEX); fails while it has none
nvmev_ns_of() {
	local dom c e n v
	dom=$(printf '%04x' $((0x4b56 + $1)))
	for c in /sys/class/nvme/nvme[0-9]*; do
		[[ $(readlink -f $c/device) == */$dom:* ]] || continue
		sysfs_get v $c/state
		[ "$v" = live ] || continue
		# its namespaces: nvmeXnY, or with multipath the path nvmeXcZnY
		for e in $c/nvme[0-9]*n[0-9]*; do
			sysfs_get v $e/nsid
			[ "$v" = 1 ] || continue
			n=${e##*/}
			n=${n/c[0-9]*n/n}
			[ -b /dev/$n ] && { echo /dev/$n; return 0; }
		done
	done
	return 1
}

# wait_nvmev_devs N [SECS]: devices 0..N-1 each have a live controller
# with a namespace 1 block device that opens
wait_nvmev_devs() {
	local n=$1 end i ns
	end=$((SECONDS + ${2:-$NVMEV_WAIT}))
	while [ $SECONDS -le $end ]; do
		for ((i = 0; i < n; i++)); do
			ns=$(nvmev_ns_of $i) || break
			blockdev --getsize64 "$ns" > /dev/null 2>&1 || break
		done
		[ $i -eq $n ] && return 0
		nap 0.2
	done
	return 1
}

# unload_module: rmmod, then make sure the module and its devices are gone
unload_module() {
	local out rc=0 end
	module_loaded || { not_ok "unload_module: nvmev_kv is not loaded"; return 1; }
	out=$(timeout 120 rmmod nvmev_kv 2>&1) || rc=$?
	if [ $rc -ne 0 ]; then not_ok "rmmod nvmev_kv failed (exit $rc): $out"; return 1; fi
	# rmmod removes the device before it returns: this rarely waits
	end=$((SECONDS + 20))
	while [ $SECONDS -le $end ]; do
		module_loaded || [ -e "$NVME_NS" ] || break
		nap 0.2
	done
	if module_loaded; then not_ok "/sys/module/nvmev_kv still present after rmmod"; return 1; fi
	if [ -e "$NVME_NS" ]; then not_ok "$NVME_NS still present after rmmod"; return 1; fi
	ok "unloaded"
}

# unload_check_leaks: rmmod, then the module's own allocation count must be 0
unload_check_leaks() {
	local mark line
	mark=$(dmesg_mark)
	unload_module || return 1
	line=$(dmesg_since "$mark" | grep -o 'allocations outstanding at unload: [0-9]*' | tail -1)
	if [ -z "$line" ]; then not_ok "no 'allocations outstanding at unload' line after rmmod"; return 1; fi
	expect_eq "$line" "${line##*: }" 0
}

# finit_module_errno KO PARAMS: load KO like insmod does (finit_module(2)) and
# print the errno name it failed with, or "OK". kmod's insmod prints EINVAL as
# "Invalid parameters", so the errno is taken from the system call itself.
finit_module_errno() {
	# the C tool when built (a perl start costs ~1.5 s under TCG)
	if [ -x "$NVMEV_DIR/tools/out/finit_module" ]; then
		"$NVMEV_DIR/tools/out/finit_module" "$@"
		return
	fi
	perl -e 'use POSIX; open(my $f, "<", $ARGV[0]) or die "$ARGV[0]: $!\n";
		my $r = syscall(313, fileno($f), $ARGV[1], 0);   # SYS_finit_module on x86_64
		if ($r == 0) { print "OK\n" } else { my $e = $! + 0;
			my %n = (1,"EPERM",2,"ENOENT",8,"ENOEXEC",12,"ENOMEM",14,"EFAULT",16,"EBUSY",17,"EEXIST",19,"ENODEV",22,"EINVAL",28,"ENOSPC",34,"ERANGE",38,"ENOSYS");
			printf "%s (%d: %s)\n", $n{$e} // "errno", $e, $!; }' "$@"
}

# expect_insmod_fail_why PARAM WHY_ERE [k=v...]: expect_insmod_fail, and the
# first "nvmev_kv: <param>: ..." line must start with PARAM and say /WHY_ERE/
expect_insmod_fail_why() {
	local param=$1 why=$2 mark line
	shift 2
	mark=$(dmesg_mark)
	# shellcheck disable=SC2068
	expect_insmod_fail "$param" $@
	line=$(dmesg_since "$mark" | grep -oE "nvmev_kv: [a-z_]+: .*" | head -1)
	expect_match "the dmesg line starts with '$param:' and says /$why/" "$line" "^nvmev_kv: $param: .*$why"
}

# expect_insmod_fail PARAM_ERE [k=v...]: loading with exactly these parameters
# (no defaults) must fail with EINVAL ("Invalid argument"), leave no module
# behind, and log the contract line "nvmev_kv: <param>: <why>" naming a
# parameter that matches PARAM_ERE (in the prefix or, for a value that only
# conflicts with another parameter, in the explanation).
expect_insmod_fail() {
	local pat=$1; shift
	local mark res lines why
	mark=$(dmesg_mark)
	res=$(finit_module_errno "$NVMEV_KO" "$*" 2>&1)
	lines=$(dmesg_since "$mark")
	case $res in
	OK)
		not_ok "insmod $* succeeded, expected EINVAL"
		printf '%s\n' "$lines" | tail -10 | sed 's/^/    | /'
		module_loaded && unload_module > /dev/null
		return 1 ;;
	EINVAL*) ok "insmod $* -> $res" ;;
	*) not_ok "insmod $*: expected EINVAL (Invalid argument), got: $res" ;;
	esac
	why=$(printf '%s\n' "$lines" | grep -E "nvmev_kv: [a-z_]+: " | grep -E "$pat" | head -1 | sed 's/^\[[^]]*\] //')
	if [ -z "$why" ]; then
		not_ok "no dmesg line 'nvmev_kv: <param>: ...' naming /$pat/ for insmod $*; new dmesg lines:"
		printf '%s\n' "$lines" | tail -10 | sed 's/^/    | /'
	elif printf '%s\n' "$why" | grep -Eq "^nvmev_kv: ($pat): "; then
		ok "dmesg: $why"
	else
		ok "dmesg (names it in the text, not the prefix): $why"
	fi
	module_loaded && { not_ok "module is loaded after a failed insmod"; return 1; }
	[ $T_FAILS -eq 0 ]
}

# --- I/O helpers -------------------------------------------------------------
# quick_io [OFFSET_BLOCKS]: write 64 KiB of random data with O_DIRECT, read it back, compare
quick_io() {
	local off=${1:-$((RANDOM % 256))} f=$SCRATCH/qio.$$
	head -c 65536 /dev/urandom > "$f.w"
	timeout 60 dd if="$f.w" of="$NVME_NS" bs=64k seek="$off" count=1 oflag=direct conv=notrunc status=none || { not_ok "quick_io: write at block $off failed"; return 1; }
	timeout 60 dd if="$NVME_NS" of="$f.r" bs=64k skip="$off" count=1 iflag=direct status=none || { not_ok "quick_io: read at block $off failed"; return 1; }
	# (the two 64 KiB files stay for the next call to overwrite: an rm was
	# one more process start, ~0.3 s under TCG)
	cmp -s "$f.w" "$f.r" && return 0
	not_ok "quick_io: data read back at 64k-block $off differs from what was written"
	cmp "$f.w" "$f.r" | head -3 | sed 's/^/    | /'
	return 1
}

# to_bytes 64M -> 67108864
to_bytes() {
	local v=${1^^} m=1
	case $v in
	*K) m=1024; v=${v%K} ;;
	*M) m=$((1024 * 1024)); v=${v%M} ;;
	*G) m=$((1024 * 1024 * 1024)); v=${v%G} ;;
	esac
	echo $((v * m))
}

# field OUTPUT NAME: value of "name : value" in nvme-cli's normal output
# Shell builtins only: the pipeline it replaces (printf | sed | head | sed)
# started three processes per call, ~1 s under TCG, and t_admin calls it
# dozens of times. NAME is a plain identifier (no regex characters).
field() {
	local LC_ALL=C line v
	while IFS= read -r line; do
		[[ $line =~ ^$2[[:space:]]*:[[:space:]]* ]] || continue
		v=${line#"${BASH_REMATCH[0]}"}
		printf '%s\n' "${v%"${v##*[![:space:]]}"}"
		return 0
	done <<< "$1"
	return 0
}

# fio_run DESC ARGS...: run fio (terse output); fails on a non-zero exit,
# any reported error, or no data moved. Sets FIO_OUT.
fio_run() {
	local desc=$1; shift
	local rc=0 err rkb wkb
	FIO_OUT=$(timeout "${FIO_TIMEOUT:-300}" fio --output-format=terse --terse-version=3 --group_reporting "$@" 2>&1) || rc=$?
	# terse v3: field 5 = error, 6 = read KiB, 47 = write KiB
	err=$(printf '%s\n' "$FIO_OUT" | awk -F';' '$1 == "3" { print $5 }' | head -1)
	rkb=$(printf '%s\n' "$FIO_OUT" | awk -F';' '$1 == "3" { print $6 }' | head -1)
	wkb=$(printf '%s\n' "$FIO_OUT" | awk -F';' '$1 == "3" { print $47 }' | head -1)
	if [ $rc -eq 0 ] && [ "$err" = 0 ] && [ "${rkb:-0}${wkb:-0}" != 00 ]; then
		ok "$desc (read ${rkb}KiB, written ${wkb}KiB)"
		return 0
	fi
	not_ok "$desc: fio exit $rc, error=${err:-?}, read=${rkb:-?}KiB written=${wkb:-?}KiB"
	printf '%s\n' "$FIO_OUT" | grep -v '^3;' | tail -20 | sed 's/^/    | /'
	return 1
}

# --- worker configuration ----------------------------------------------------
# need_workers N: true if this run has at least N workers (else the caller skips)
need_workers() { [ "$NVMEV_WORKERS" -ge "$1" ]; }

# full_size: whether this configuration runs the sizes an issue states
# (10^5 keys, commands, ...): the one-worker one, which a spread CI run
# gives each suite on exactly one kernel, or any with TEST_ALL_CASES=1;
# with two workers a suite runs a smaller size (tests/vm/README.md)
full_size() { [ "$NVMEV_WORKERS" -le 1 ] || [ "${TEST_ALL_CASES:-0}" = 1 ]; }

# spread_case INDEX: whether case INDEX of a long list of independent cases
# runs on this kernel. Even cases run on 6.1, odd ones on the others (6.12),
# so the two kernels of a CI run cover the list between them at half the VM
# time; TEST_ALL_CASES=1 runs every case.
spread_case() {
	[ "${TEST_ALL_CASES:-0}" = 1 ] && return 0
	local slot=1
	case $KVER in 6.1.*) slot=0 ;; esac
	[ $(( ($1 + slot) % 2 )) -eq 0 ]
}

# spread_test INDEX NAME FUNC [ARGS...]: run_test on the kernel spread_case
# picks, a SKIP line on the other
spread_test() {
	local i=$1; shift
	if spread_case "$i"; then run_test "$@"
	else skip_test "$1" "runs on the other kernel (TEST_ALL_CASES=1 runs it here)"; fi
}

# worker_of_qid QID: the worker the module runs I/O SQ QID on
worker_of_qid() { echo $(( ($1 - 1) % NVMEV_WORKERS )); }

# hctx_map: "hctxN qid=N+1 worker=W cpus=LIST" per hardware queue of $NVME_NS
# (the nvme driver's default queue set: hctx N is I/O queue N + 1)
hctx_map() {
	local d n
	for d in /sys/block/${NVME_NS#/dev/}/mq/*; do
		[ -d "$d" ] || continue
		n=${d##*/}
		echo "hctx$n qid=$((n + 1)) worker=$(worker_of_qid $((n + 1))) cpus=$(cat $d/cpu_list)"
	done | sort -V
}

# qid_of_cpu CPU: the I/O queue a process pinned to CPU submits on
qid_of_cpu() {
	hctx_map | awk -v c="$1" '{ split($4, a, "="); n = split(a[2], l, ","); for (i = 1; i <= n; i++) if (l[i] == c) { sub("qid=", "", $2); print $2; exit } }'
}

# cpu_on_worker W [SKIP_CPU...]: a CPU whose hardware queue the module runs on
# worker W (empty if none)
cpu_on_worker() {
	local w=$1 c q; shift
	for ((c = 0; c < NVMEV_NCPU; c++)); do
		case " $* " in *" $c "*) continue ;; esac
		q=$(qid_of_cpu $c)
		[ -n "$q" ] && [ "$(worker_of_qid $q)" = "$w" ] && { echo $c; return 0; }
	done
	return 1
}

# queue_counts: "QID INTERRUPTS" per I/O queue of the controller: the MSI-X
# interrupts of nvmeXqN in /proc/interrupts, one (or fewer, when the driver
# reaps several) per completion the module posted on CQ N
queue_counts() {
	local c=${NVME_DEV#/dev/}
	awk -v c="$c" '{ for (i = NF; i > 1; i--) if ($i ~ "^" c "q[0-9]+$") {
			q = substr($i, length(c) + 2); n = 0
			for (j = 2; j <= NF && $j ~ /^[0-9]+$/; j++) n += $j
			if (q > 0) print q, n } }' /proc/interrupts | sort -n
}

# worker_switches: "nvmev_kv_wN SWITCHES RUNTIME_NS" per worker kthread
# (context switches from /proc/PID/status, CPU time from /proc/PID/schedstat)
worker_switches() {
	local p comm sw rt
	for p in /proc/[0-9]*; do   # no fork per process: forks are slow under TCG
		read -r comm < $p/comm 2>/dev/null || continue
		case $comm in nvmev_kv_w*) ;; *) continue ;; esac
		sw=$(awk '/ctxt_switches/ { s += $2 } END { print s + 0 }' $p/status 2>/dev/null)
		rt=$(awk '{ print $1 }' $p/schedstat 2>/dev/null)
		echo "$comm ${sw:-0} ${rt:-0}"
	done | sort -V
}

# worker_evidence BEFORE_Q BEFORE_W: which queues/workers did work since the
# snapshots (queue_counts, worker_switches); not ok unless every worker ran
# and completed commands on its queues
worker_evidence() {
	local q0=$1 w0=$2 q1 w1 line n0 n1 qid w sw0 sw1 rt0 rt1 i
	local -a per_w
	q1=$(queue_counts); w1=$(worker_switches)
	log "hardware queues of $NVME_NS:"
	hctx_map | sed 's/^/    | /'
	for ((i = 0; i < NVMEV_WORKERS; i++)); do per_w[$i]=0; done
	while read -r qid n1; do
		[ -n "$qid" ] || continue
		n0=$(printf '%s\n' "$q0" | awk -v q="$qid" '$1 == q { print $2 }')
		w=$(worker_of_qid $qid)
		log "qid $qid (worker $w): $((n1 - ${n0:-0})) completion interrupts"
		per_w[$w]=$((per_w[$w] + n1 - ${n0:-0}))
	done <<< "$q1"
	[ -n "$q1" ] || not_ok "no ${NVME_DEV#/dev/}qN lines in /proc/interrupts"
	while read -r line; do
		[ -n "$line" ] || continue
		read -r w sw1 rt1 <<< "$line"
		read -r _ sw0 rt0 <<< "$(printf '%s\n' "$w0" | awk -v n="$w" '$1 == n')"
		log "$w: $((sw1 - ${sw0:-0})) context switches, $(((rt1 - ${rt0:-0}) / 1000000)) ms on CPU"
		if [ $((sw1 - ${sw0:-0})) -gt 0 ] && [ $((rt1 - ${rt0:-0})) -gt 0 ]; then ok "$w ran"
		else not_ok "$w did not run"; fi
	done <<< "$w1"
	expect_eq "worker kthreads" "$(printf '%s\n' "$w1" | grep -c .)" "$NVMEV_WORKERS"
	for ((i = 0; i < NVMEV_WORKERS; i++)); do
		if [ "${per_w[$i]}" -gt 0 ]; then ok "worker $i: ${per_w[$i]} completion interrupts on its queues"
		else not_ok "worker $i: no completions on its queues"; fi
	done
}

# The configuration must fit the guest: N >= 2 workers need N + 2 vCPUs.
echo "  # configuration: $NVMEV_CONFIG kernel=$KVER"
if [ "$NVMEV_WORKERS" -ge 2 ] && [ "$NVMEV_NCPU" -lt $((NVMEV_WORKERS + 2)) ]; then
	t_bad_config() { not_ok "NVMEV_WORKERS=$NVMEV_WORKERS needs $((NVMEV_WORKERS + 2)) vCPUs, the guest has $NVMEV_NCPU (SMP=$((NVMEV_WORKERS + 2)))"; }
	run_test configuration t_bad_config
	finish
fi
