#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest: Format NVM (80h) and Sanitize (84h), issue 14. Identify and the
# effects log advertise them; `nvme format` of namespace 1 erases its block
# area and its vendor KV store and resets the statistics, namespace 2
# untouched; NSID FFFFFFFFh formats both; bad LBAF / PI / SES / NSID get
# their statuses and erase nothing; a format of namespace 2 while a random
# kvclient run works on namespace 1 neither hangs nor loses or garbles a
# command; `nvme sanitize -a 2` erases everything and the Sanitize Status
# log says so; the time of a 512 MiB block area erase is logged.
. "$NVMEV_DIR/tests/vm/lib.sh"
. "$NVMEV_DIR/tests/vm/kv_lib.sh"

SEED=${TEST_KV_SEED:-$(date +%s)}
NG2=
# 64 MiB block area, 191 MiB KV area: about 48 MiB of it namespace 2's
PARAMS="memmap_size=256M blk_size=64M"

wait_ng2() {
	local end=$((SECONDS + 30))
	while [ $SECONDS -le $end ]; do
		NG2=$(ns_ngdev 2) && [ -c "$NG2" ] && return 0
		nap 0.2
	done
	not_ok "no char device of namespace 2"
	return 1
}

# fill: a key on each namespace, a pattern in the block area (first and
# last MiB)
fill() {
	local i blocks
	for i in 1; do
		"$KV" -q store "$NVME_NS" "k1-$i" "one-$i" || not_ok "store k1-$i on namespace 1"
		"$KV" --csi kv -q store "$NG2" "k2-$i" "two-$i" || not_ok "store k2-$i on namespace 2"
	done
	blocks=$(( $(blockdev --getsize64 "$NVME_NS") >> 20 ))
	head -c 1M /dev/urandom > "$SCRATCH/pat"
	dd if="$SCRATCH/pat" of="$NVME_NS" bs=1M count=1 oflag=direct status=none || not_ok "dd at 0"
	dd if="$SCRATCH/pat" of="$NVME_NS" bs=1M count=1 seek=$((blocks - 1)) oflag=direct status=none || not_ok "dd at the end"
	BLK_MIB=$blocks
}

# blk_zero: the first and last MiB read back as zeros (O_DIRECT)
blk_zero() {
	local at
	for at in 0 $((BLK_MIB - 1)); do
		[ -f "$SCRATCH/zero" ] || head -c 1M /dev/zero > "$SCRATCH/zero"
		if dd if="$NVME_NS" bs=1M count=1 skip=$at iflag=direct status=none | cmp -s - "$SCRATCH/zero"; then
			ok "$1: block MiB $at reads zeros"
		else
			not_ok "$1: block MiB $at does not read zeros"
		fi
	done
}

# blk_kept: the pattern is still there
blk_kept() {
	if dd if="$NVME_NS" bs=1M count=1 iflag=direct status=none | cmp -s - "$SCRATCH/pat"; then
		ok "$1: block data kept"
	else
		not_ok "$1: block data changed"
	fi
}

# keys NS WANT: retrieve the key of namespace NS (1 or 2); WANT
# "kept" (values back) or "gone" (key does not exist: exit 1)
keys() {
	local ns=$1 want=$2 i v rc bad=
	for i in 1; do
		rc=0
		if [ "$ns" = 1 ]; then
			v=$("$KV" retrieve "$NVME_NS" "k1-$i" 2>/dev/null) || rc=$?
			[ "$want" = kept ] && [ "$v" != "one-$i" ] && bad+=" k1-$i=$v(rc $rc)"
		else
			v=$("$KV" --csi kv retrieve "$NG2" "k2-$i" 2>/dev/null) || rc=$?
			[ "$want" = kept ] && [ "$v" != "two-$i" ] && bad+=" k2-$i=$v(rc $rc)"
		fi
		[ "$want" = gone ] && [ $rc != 1 ] && bad+=" k$ns-$i: exit $rc"
	done
	[ -z "$bad" ] && ok "namespace $ns: keys $want" || not_ok "namespace $ns: keys not $want:$bad"
}

# erased_ms: the time of the last erase the device logged
erased_ms() { dmesg | sed -n 's/.*nvmev_kv: \(format\|sanitize\): .* erased in \([0-9]*\) ms.*/\2/p' | tail -1; }

t_load() {
	load_module $PARAMS || return 1
	wait_ng2 || return 1
	kvclient_ready
}

t_identify() {
	local out
	out=$(nvme id-ctrl "$NVME_DEV" 2>&1) || { not_ok "id-ctrl: $out"; return 1; }
	expect_eq "oacs: Format NVM (bit 1)" "$(( $(field "$out" oacs) & 2 ))" 2
	expect_eq "fna: 0 (per namespace, no crypto erase)" "$(( $(field "$out" fna) ))" 0
	expect_eq "sanicap: block erase only" "$(( $(field "$out" sanicap) ))" 2
	out=$(nvme effects-log "$NVME_DEV" --csi=0 2>&1) || { not_ok "effects-log: $out"; return 1; }
	expect_match "effects-log: Format NVM LBCC NCC CSE=2" "$out" '^ACS128 .* 0*20007'
	expect_match "effects-log: Sanitize LBCC CSE=2" "$out" '^ACS132 .* 0*20003'
	out=$(nvme get-log "$NVME_DEV" --log-id=0x81 --log-len=512 -b 2>&1 | od -An -tx1 -N4 | tr -d ' \n')
	expect_eq "sanitize log before any sanitize: SPROG ffff SSTAT 0" "$out" ffff0000
}

t_format_ns1() {
	local out t0 ms
	fill
	keys 1 kept
	keys 2 kept
	expect_eq "kv_keys before" "$(kv_stat kv_keys)" 1
	t0=$(date +%s%N)
	out=$(nvme format "$NVME_NS" --lbaf=0 --ses=1 --force 2>&1) || { not_ok "nvme format $NVME_NS --ses=1: $out"; return 1; }
	ok "nvme format $NVME_NS --ses=1: $(printf '%s' "$out" | head -1) ($(( ($(date +%s%N) - t0) / 1000000 )) ms in all)"
	ms=$(erased_ms)
	log "device: namespace 1 (64 MiB block area + KV store) erased in ${ms:-?} ms"
	# the statistics first: every read below counts again
	expect_eq "kv_keys after" "$(kv_stat kv_keys)" 0
	expect_eq "log_records_written after" "$(kv_stat log_records_written)" 0
	expect_eq "cmds_write after (counters reset)" "$(kv_stat cmds_write)" 0
	expect_eq "ns2_kv_keys after (namespace 2 untouched)" "$(kv_stat ns2_kv_keys)" 1
	wait_nvme "$NVMEV_WAIT" || { not_ok "namespace 1 gone after the format"; return 1; }
	keys 1 gone
	keys 2 kept
	blk_zero "format ns 1"
	"$KV" -q store "$NVME_NS" again value && expect_eq "store after the format" "$("$KV" retrieve "$NVME_NS" again)" value
}

t_format_all() {
	local out
	fill
	out=$(nvme format "$NVME_DEV" --namespace-id=0xffffffff --lbaf=0 --ses=0 --force 2>&1) || { not_ok "nvme format NSID FFFFFFFFh: $out"; return 1; }
	ok "nvme format --namespace-id=0xffffffff --ses=0 (every namespace)"
	log "device: both namespaces erased in $(erased_ms) ms (SES 0: KV logs forgotten, not zeroed)"
	wait_nvme "$NVMEV_WAIT" && wait_ng2 || return 1
	keys 1 gone
	keys 2 gone
	blk_zero "format all"
	expect_eq "ns2_kv_keys" "$(kv_stat ns2_kv_keys)" 0
}

t_format_invalid() {
	fill
	expect_eq "LBAF 1: Invalid Format" "$(nvme_status nvme admin-passthru "$NVME_DEV" --opcode=0x80 --namespace-id=1 --cdw10=1)" 0x410a
	expect_eq "LBAF 16 (upper bits): Invalid Format" "$(nvme_status nvme admin-passthru "$NVME_DEV" --opcode=0x80 --namespace-id=1 --cdw10=$((1 << 12)))" 0x410a
	expect_eq "PI 1: Invalid Format" "$(nvme_status nvme admin-passthru "$NVME_DEV" --opcode=0x80 --namespace-id=1 --cdw10=$((1 << 5)))" 0x410a
	expect_eq "SES 2 (crypto erase): Invalid Field" "$(nvme_status nvme admin-passthru "$NVME_DEV" --opcode=0x80 --namespace-id=1 --cdw10=$((2 << 9)))" 0x4002
	expect_eq "NSID 3: Invalid Namespace" "$(nvme_status nvme admin-passthru "$NVME_DEV" --opcode=0x80 --namespace-id=3 --cdw10=0)" 0x400b
	expect_eq "NSID 0: Invalid Namespace" "$(nvme_status nvme admin-passthru "$NVME_DEV" --opcode=0x80 --namespace-id=0 --cdw10=0)" 0x400b
	expect_eq "sanitize overwrite: Invalid Field" "$(nvme_status nvme admin-passthru "$NVME_DEV" --opcode=0x84 --cdw10=3)" 0x4002
	expect_eq "sanitize crypto erase: Invalid Field" "$(nvme_status nvme admin-passthru "$NVME_DEV" --opcode=0x84 --cdw10=4)" 0x4002
	keys 1 kept
	keys 2 kept
	blk_kept "after the refused formats"
}

# The host freezes every queue around a format (effects CSE); commands of
# namespace 1 in flight finish first. The client's model must see no loss.
# Namespace 2 is formatted with admin-passthru: nvme-cli 2.3's `nvme format`
# reads the NVM Identify Namespace of the target, which a KV namespace does
# not have (Invalid I/O Command Set).
t_format_under_io() {
	local pid n=0 rc=0 sc
	# the client's model starts from an empty namespace 1
	nvme format "$NVME_NS" --lbaf=0 --force > /dev/null 2>&1 || not_ok "format of namespace 1 before the run"
	wait_nvme "$NVMEV_WAIT" || return 1
	"$KVCLIENT" random "$NVME_NS" --ops 8000 --seed "$SEED" > "$SCRATCH/client.out" 2>&1 &
	pid=$!
	sleep 1
	while kill -0 $pid 2>/dev/null && [ $n -lt 4 ]; do
		# nvme-cli 2.3's format reads the NVM Identify Namespace first,
		# which namespace 2 (KV command set) does not have: passthrough
		sc=$(nvme_status nvme admin-passthru "$NVME_DEV" --opcode=0x80 --namespace-id=2 --cdw10=$(( (n % 2) << 9 )))
		[ "$sc" = 0x0 ] || { not_ok "format of namespace 2 under I/O: $sc"; break; }
		n=$((n + 1))
		sleep 1
	done
	wait $pid || rc=$?
	sed 's/^/    | /' "$SCRATCH/client.out" | grep -v MISMATCH | tail -5
	[ $n -gt 0 ] && ok "$n formats of namespace 2 while kvclient ran on namespace 1" || not_ok "kvclient ended before a format"
	expect_eq "kvclient exit" $rc 0
	expect_eq "kvclient mismatches" "$(grep -o 'mismatches=[0-9]*' "$SCRATCH/client.out" | tail -1 | cut -d= -f2)" 0
	expect_eq "commands in flight" "$(kv_stat commands_in_flight)" 0
}

t_sanitize() {
	local out raw
	fill
	out=$(nvme sanitize "$NVME_DEV" -a 2 2>&1) || { not_ok "nvme sanitize -a 2: $out"; return 1; }
	ok "nvme sanitize -a 2 (block erase)"
	log "device: sanitize in $(erased_ms) ms"
	wait_nvme "$NVMEV_WAIT" && wait_ng2 || return 1
	keys 1 gone
	keys 2 gone
	blk_zero "sanitize"
	out=$(nvme sanitize-log "$NVME_DEV" 2>&1) && ok "nvme sanitize-log" || not_ok "nvme sanitize-log: $out"
	printf '%s\n' "$out" | head -8 | sed 's/^/    | /'
	raw=$(nvme get-log "$NVME_DEV" --log-id=0x81 --log-len=512 -b 2>/dev/null | od -An -tx1 -N8 | tr -d ' \n')
	expect_eq "sanitize log: SPROG ffff, SSTAT 1 (completed), SCDW10 2" "$raw" ffff010002000000
	expect_eq "exit failure mode: success" "$(nvme_status nvme sanitize "$NVME_DEV" -a 1)" 0x0
}

# How long an erase takes: namespace 1 with a 512 MiB block area and a
# 383 MiB KV store whose log is zeroed (SES 1).
t_format_time() {
	unload_module || return 1
	load_module memmap_size=1G blk_size=512M || return 1
	nvme format "$NVME_NS" --lbaf=0 --ses=1 --force > /dev/null 2>&1 || { not_ok "format ses 1"; return 1; }
	log "format, SES 1: namespace 1 (512 MiB block area, KV log zeroed) in $(erased_ms) ms"
	quick_io && ok "I/O after"
	unload_module
}

run_test load t_load
run_test identify t_identify
run_test format-ns1 t_format_ns1
run_test format-all t_format_all
run_test format-invalid t_format_invalid
run_test format-under-io t_format_under_io
run_test sanitize t_sanitize
run_test format-time t_format_time
finish
