#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest: NVMe over Fabrics (issue 14). scripts/fabric exports the controller
# through nvmet's passthru subsystem over TCP on loopback and connects to it;
# the seed's store_retrieve.sh, the KV command set and a randomized kvclient
# run go through the fabric namespace, QD1 latency is compared with the local
# path, then disconnect, teardown and rmmod. On kernels whose nvmet has no
# passthru (Debian 6.1) the suite skips with the reason.
# scripts/vm-tests does not even boot a VM for it there:
# vm-tests: requires CONFIG_NVME_TARGET_PASSTHRU=y
. "$NVMEV_DIR/tests/vm/lib.sh"
. "$NVMEV_DIR/tests/vm/kv_lib.sh"

FABRIC=$NVMEV_DIR/scripts/fabric
KVLAT=${KVLAT:-$NVMEV_DIR/tools/out/kvlat}
NQN=nqn.2014-08.io.nvmev:kv-test
OPS=${TEST_FABRIC_OPS:-3000}
SEED=${TEST_KV_SEED:-$(date +%s)}
SEED_SCRIPT=${TEST_SEED_SCRIPT:-$(cd "$NVMEV_DIR/.." && pwd)/shared/seed/store_retrieve.sh}
LAT_S=${TEST_FABRIC_LAT_SECONDS:-3}

FCTRL='' FNS='' FNG2=''

t_load() { load_module kv_std_size=32M; }

# The issue's symptom, kept as a regression check: without clear_ids the
# loopback host sees namespace 1 and 2 with the same NGUID/EUI-64/UUID in
# two subsystems (PCIe and fabric) and ignores the fabric's copies.
t_duplicate_ids() {
	local out rc=0 mark c end
	mark=$(dmesg_mark)
	out=$("$FABRIC" export "$NVME_DEV" --nqn "$NQN" --clear-ids 0 2>&1) || rc=$?
	expect_eq "fabric export --clear-ids 0: exit status" "$rc" 0 || return 1
	modprobe nvme-tcp
	check "nvme connect (IDs not cleared)" nvme connect -t tcp -a 127.0.0.1 -s 4420 -n "$NQN"
	end=$((SECONDS + 30))
	until dmesg_since "$mark" | grep -q 'ignoring nsid 2 because of duplicate IDs' &&
		dmesg_since "$mark" | grep -q 'ignoring nsid 1 because of duplicate IDs'; do
		[ $SECONDS -lt $end ] || break
		sleep 0.5
	done
	out=$(dmesg_since "$mark" | grep 'duplicate IDs')
	printf '%s
' "$out" | sed 's/^/    | /'
	expect_eq "namespaces the host ignored for duplicate IDs" "$(printf '%s
' "$out" | grep -c 'ignoring nsid')" 2
	for c in /sys/class/nvme/nvme*; do
		[ "$(cat $c/transport)" = tcp ] || continue
		expect_eq "namespaces of ${c##*/} without clear_ids" "$(ls -d $c/nvme*n* 2>/dev/null | wc -l)" 0
	done
	out=$("$FABRIC" teardown --nqn "$NQN" 2>&1) || not_ok "teardown: $out"
}

t_export_connect() {
	local out rc=0 mark descs
	mark=$(dmesg_mark)
	out=$("$FABRIC" export "$NVME_DEV" --nqn "$NQN" 2>&1) || rc=$?
	printf '%s\n' "$out" | sed 's/^/    | /'
	expect_eq "fabric export exit status" "$rc" 0 || return 1
	expect_match "loopback export hides the namespace IDs" "$out" 'clear_ids=1'
	rc=0
	out=$("$FABRIC" connect --nqn "$NQN" 2>&1) || rc=$?
	printf '%s\n' "$out" | sed 's/^/    | /'
	expect_eq "fabric connect exit status" "$rc" 0 || return 1
	FCTRL=$(printf '%s\n' "$out" | awk '$1 == "controller" { print $2 }')
	FNS=$(printf '%s\n' "$out" | awk '$1 == "namespace" && $2 == 1 { print $5 }')
	FNG2=$(printf '%s\n' "$out" | awk '$1 == "namespace" && $2 == 2 && $3 == 1 { print $4 }')
	[ -n "$FCTRL" ] && [ "$FCTRL" != "$NVME_DEV" ] && ok "fabric controller $FCTRL" ||
		{ not_ok "no fabric controller in: $out"; return 1; }
	[ -b "$FNS" ] && ok "namespace 1 through the fabric: $FNS" ||
		{ not_ok "no block device of namespace 1 on $FCTRL"; return 1; }
	[ -c "$FNG2" ] && ok "namespace 2 (KV command set, CSI 1) through the fabric: $FNG2" ||
		not_ok "no generic device of namespace 2 (CSI 1) on $FCTRL"
	expect_eq "transport of $FCTRL" "$(cat /sys/class/nvme/${FCTRL#/dev/}/transport)" tcp
	expect_eq "subsystem NQN of $FCTRL" "$(cat /sys/class/nvme/${FCTRL#/dev/}/subsysnqn)" "$NQN"
	expect_match "model through the fabric" "$(cat /sys/class/nvme/${FCTRL#/dev/}/model)" '^nvmev-kv'
	expect_eq "namespace 1 size through the fabric" "$(blockdev --getsize64 "$FNS")" \
		"$(blockdev --getsize64 "$NVME_NS")"
	descs=$(nvme ns-descs "$FNS" 2>&1)
	expect_match "namespace 1 descriptors through the fabric: CSI only (clear_ids)" "$descs" '^csi +: 0$'
	if printf '%s\n' "$descs" | grep -Eq '^(eui64|nguid|uuid)'; then
		not_ok "IDs visible through the fabric despite clear_ids: $descs"
	fi
	out=$(dmesg_since "$mark")
	if printf '%s\n' "$out" | grep -q 'duplicate IDs'; then
		not_ok "the host dropped a namespace: $(printf '%s\n' "$out" | grep 'duplicate IDs' | head -2)"
	fi
	# nvmet's passthru parser itself answers Identify CNS 06h (I/O command
	# set specific controller) of CSI 0 with Invalid Opcode before anything
	# reaches the device (it forwards CNS 05h/06h for ZNS only); the host
	# then skips those limits. Any other refused command is a failure.
	printf '%s\n' "$out" | grep 'nvmet_tcp: failed cmd' | sed 's/^/    | (nvmet) /'
	if printf '%s\n' "$out" | grep 'nvmet_tcp: failed cmd' | grep -vq 'opcode 6,'; then
		not_ok "nvmet refused a command other than Identify during connect"
	fi
}

t_seed_script() {
	local copy=$SCRATCH/store_retrieve.sh out rc=0 n
	[ -b "$FNS" ] || { not_ok "not connected"; return 1; }
	if [ ! -f "$SEED_SCRIPT" ]; then
		not_ok "seed script not found at $SEED_SCRIPT (set TEST_SEED_SCRIPT)"
		return 1
	fi
	# only the device path and the -v that nvme-cli 2.3 lacks change
	sed -e "s|^DEV=.*|DEV=$FNS|" -e 's/^-svw$/-sw/' -e 's/^-svr$/-sr/' "$SEED_SCRIPT" > "$copy"
	# (the seed names /dev/nvme1n1, which may be the fabric namespace itself)
	n=$(diff "$SEED_SCRIPT" "$copy" | grep '^>' | grep -cvE '^> (DEV=|-sw$|-sr$)')
	expect_eq "lines of the copy of store_retrieve.sh changed other than DEV= and -v" "$n" 0
	if ! command -v sudo > /dev/null; then
		mkdir -p "$SCRATCH/bin"
		printf '#!/bin/sh\nexec "$@"\n' > "$SCRATCH/bin/sudo"
		chmod +x "$SCRATCH/bin/sudo"
	fi
	out=$(PATH=$SCRATCH/bin:$PATH bash "$copy" 2>&1) || rc=$?
	printf '%s\n' "$out" | grep -v '^[a-z0-9_ ]*: ' | head -8 | sed 's/^/    | /'
	expect_eq "store_retrieve.sh on $FNS: exit status" "$rc" 0
	expect_eq "commands reported successful" "$(printf '%s\n' "$out" | grep -c 'is Success')" 2
	# what it stored through the fabric is on the device: read it locally
	out=$("$KV" iterate "$NVME_NS" --values 2>/dev/null | grep -E '^[0-9a-f]{15}	[0-9a-f-]{36}$' | head -1)
	if [ -n "$out" ]; then
		ok "the seed's key, stored through the fabric, read on $NVME_NS: ${out%%	*}"
		"$KV" -q delete "$FNS" "${out%%	*}" || not_ok "delete the seed's key through the fabric"
	else
		not_ok "the seed's key/UUID pair is not on $NVME_NS"
	fi
}

t_both_paths() {
	local out
	check "vendor store through the fabric" "$KV" -q store "$FNS" fabkey "over tcp"
	expect_eq "retrieve it locally" "$("$KV" retrieve "$NVME_NS" fabkey 2>&1)" "over tcp"
	check "vendor store locally" "$KV" -q store "$NVME_NS" lockey "over pcie"
	expect_eq "retrieve it through the fabric" "$("$KV" retrieve "$FNS" lockey 2>&1)" "over pcie"
	check "delete through the fabric" "$KV" -q delete "$FNS" fabkey
	out=$("$KV" exist "$NVME_NS" fabkey 2>&1)
	expect_eq "gone locally" "$out" "key does not exist"
	"$KV" -q delete "$NVME_NS" lockey
	[ -c "$FNG2" ] || { not_ok "no fabric namespace 2"; return 1; }
	check "KV command set store through the fabric ($FNG2)" "$KV" --csi kv -q store "$FNG2" stdkey "kv set"
	expect_eq "KV set retrieve through the fabric" "$("$KV" --csi kv retrieve "$FNG2" stdkey 2>&1)" "kv set"
	expect_eq "KV set retrieve locally" "$("$KV" --csi kv retrieve "$(ns_ngdev 2)" stdkey 2>&1)" "kv set"
	expect_match "KV set list through the fabric" "$("$KV" --csi kv list "$FNG2" 2>&1)" '^stdkey$'
	check "KV set delete through the fabric" "$KV" --csi kv -q delete "$FNG2" stdkey
	# block I/O on namespace 1 as well
	local f=$SCRATCH/fab
	head -c 65536 /dev/urandom > "$f.w"
	dd if="$f.w" of="$FNS" bs=64k seek=5 count=1 oflag=direct conv=notrunc status=none &&
		dd if="$NVME_NS" of="$f.r" bs=64k skip=5 count=1 iflag=direct status=none &&
		cmp -s "$f.w" "$f.r" && ok "64 KiB block write through the fabric reads back locally" ||
		not_ok "block write through the fabric does not read back locally"
}

t_random() {
	local mdts max
	kvclient_ready || return 1
	mdts=$(field "$(nvme id-ctrl "$FCTRL")" mdts)
	max=$((4096 << mdts))
	[ "$mdts" -gt 0 ] && [ $max -lt $((2 << 20)) ] || max=$((2 << 20))
	log "fabric MDTS $mdts: largest transfer $max bytes (local: 2 MiB values)"
	log "seed $SEED (rerun with TEST_KV_SEED=$SEED)"
	run_client "kvclient random: $OPS ops on $FNS (through the fabric)" \
		random "$FNS" --ops "$OPS" --seed "$SEED" --fabric "$max"
	expect_eq "random: ops" "$(client_field ops)" "$OPS"
	expect_eq "random: mismatches" "$(client_field mismatches)" 0
}

# sat_field LINE NAME
sat_field() { printf '%s\n' "$1" | grep -o "$2=[0-9]*" | cut -d= -f2; }

# sat DEV: one QD1 run of kvlat (retrieves of 64-byte values, one thread,
# not pinned: the TCP and nvmet work items need a CPU too), its line in SAT
sat() {
	SAT=$("$KVLAT" sat "$1" --threads 1 --seconds "$LAT_S" --size 64 2>&1) ||
		{ not_ok "kvlat sat on $1: $SAT"; return 1; }
	log "$(printf '%-14s' "$1:") $SAT"
}

t_latency() {
	local lp50=0 lp99=0 fp50=0 fp99=0
	[ -x "$KVLAT" ] || { not_ok "no $KVLAT (make -C tools on the host)"; return 1; }
	# local and fabric alternate, twice; the means of the two runs each
	for _ in 1 2; do
		sat "$NVME_NS" || return 1
		lp50=$((lp50 + $(sat_field "$SAT" p50_ns) / 2)) lp99=$((lp99 + $(sat_field "$SAT" p99_ns) / 2))
		sat "$FNS" || return 1
		fp50=$((fp50 + $(sat_field "$SAT" p50_ns) / 2)) fp99=$((fp99 + $(sat_field "$SAT" p99_ns) / 2))
	done
	echo "  # fabric_latency qd1 retrieve 64B: local_p50_us=$((lp50 / 1000)) local_p99_us=$((lp99 / 1000)) fabric_p50_us=$((fp50 / 1000)) fabric_p99_us=$((fp99 / 1000)) ratio_p50=$(awk -v a="$fp50" -v b="$lp50" 'BEGIN { printf "%.2f", a / b }') ratio_p99=$(awk -v a="$fp99" -v b="$lp99" 'BEGIN { printf "%.2f", a / b }') (TCG: compare ratios only)"
	# the fabric path is the local path plus a TCP round trip and nvmet
	if [ "$fp50" -gt "$lp50" ]; then ok "fabric QD1 median above the local one"; else
		not_ok "fabric QD1 median $fp50 ns not above the local $lp50 ns"; fi
}

t_teardown() {
	local out rc=0 c
	out=$("$FABRIC" teardown --nqn "$NQN" 2>&1) || rc=$?
	printf '%s\n' "$out" | sed 's/^/    | /'
	expect_eq "fabric teardown exit status" "$rc" 0
	for c in /sys/class/nvme/nvme*; do
		[ "$(cat $c/transport 2>/dev/null)" = tcp ] && not_ok "${c##*/} (tcp) still present"
	done
	[ -e "/sys/kernel/config/nvmet/subsystems/$NQN" ] && not_ok "subsystem $NQN still in configfs"
	[ -n "$(ls /sys/kernel/config/nvmet/ports 2>/dev/null)" ] && not_ok "an nvmet port is left"
	[ -e "$FNS" ] && not_ok "$FNS still present"
	for m in nvme_tcp nvmet_tcp nvmet; do
		[ -d /sys/module/$m ] || continue
		out=$(rmmod $m 2>&1) && ok "rmmod $m" || not_ok "rmmod $m: $out"
	done
	unload_module
}

# rmmod while the controller is exported and a fabric reader is busy: the
# module goes (nvmet holds the nvme core's controller, not the device), the
# fabric host's next commands fail with Invalid Namespace from nvmet, the
# fabric controller stays until teardown, and a reload exports again.
t_rmmod_exported() {
	local out rc=0 ns pid
	load_module kv_std_size=32M || return 1
	"$FABRIC" export "$NVME_DEV" --nqn "$NQN" > /dev/null || { not_ok "export"; return 1; }
	out=$("$FABRIC" connect --nqn "$NQN" 2>&1) || { not_ok "connect: $out"; return 1; }
	ns=$(printf '%s\n' "$out" | awk '$1 == "namespace" && $2 == 1 { print $5 }')
	timeout 120 dd if="$ns" of=/dev/null bs=4k iflag=direct count=200000 status=none 2> "$SCRATCH/dd.err" &
	pid=$!
	sleep 2
	out=$(timeout 120 rmmod nvmev_kv 2>&1) || rc=$?
	expect_eq "rmmod nvmev_kv while exported and read through the fabric: exit status" "$rc" 0
	rc=0
	wait $pid || rc=$?
	if [ $rc != 0 ] && [ $rc != 124 ]; then ok "the fabric reader stopped with an error (exit $rc): $(head -1 "$SCRATCH/dd.err")"
	else not_ok "the fabric reader did not fail after rmmod (exit $rc)"; fi
	out=$(nvme io-passthru "$ns" --namespace-id=1 --opcode=0xb3 2>&1) && not_ok "a command through the fabric succeeded after rmmod"
	log "a command through the fabric after rmmod: $out"
	out=$("$FABRIC" teardown --nqn "$NQN" 2>&1) || not_ok "teardown after rmmod: $out"
	load_module kv_std_size=32M || return 1
	check "export again after the reload" "$FABRIC" export "$NVME_DEV" --nqn "$NQN"
	check "teardown" "$FABRIC" teardown --nqn "$NQN"
	unload_module
}

out=$("$FABRIC" check 2>&1)
rc=$?
echo "  # $out"
if [ $rc = 3 ]; then
	skip_test fabric "${out#fabric: no: }"
	finish
fi
if [ $rc != 0 ]; then
	t_check() { not_ok "scripts/fabric check: $out"; }
	run_test fabric-check t_check
	finish
fi
run_test fabric-load t_load
run_test fabric-duplicate-ids t_duplicate_ids
run_test fabric-export-connect t_export_connect
run_test fabric-seed-store_retrieve t_seed_script
run_test fabric-both-paths t_both_paths
run_test fabric-random t_random
run_test fabric-latency t_latency
run_test fabric-teardown t_teardown
run_test fabric-rmmod-while-exported t_rmmod_exported
finish
