#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest: the controller as nvme-cli sees it: list, identify, log pages, features;
# first with namespace 1 only (kv_std_size=0), then with namespace 2 of the
# NVMe KV command set (CSI 1, kv_std_size, issue 13).
. "$NVMEV_DIR/tests/vm/lib.sh"

NVMEV_KV_STD_SIZE=${NVMEV_KV_STD_SIZE:-64M} # namespace 2's key space

t_load() { load_module kv_std_size=0; }

t_nvme_list() {
	local out
	out=$(nvme list 2>&1) || { not_ok "nvme list failed: $out"; return 1; }
	expect_match "nvme list shows $NVME_NS" "$out" "^$NVME_NS "
	out=$(nvme list -o json 2>&1) || { not_ok "nvme list -o json failed"; return 1; }
	expect_match "nvme list -o json: 512-byte sectors" "$out" '"SectorSize" *: *512'
	expect_match "nvme list -o json: size $(to_bytes $NVMEV_BLK_SIZE)" "$out" "\"PhysicalSize\" *: *$(to_bytes $NVMEV_BLK_SIZE)"
}

t_id_ctrl() {
	local out v
	out=$(nvme id-ctrl "$NVME_DEV" 2>&1) || { not_ok "nvme id-ctrl failed: $out"; return 1; }
	for v in mn sn fr; do
		if [ -n "$(field "$out" $v)" ]; then ok "id-ctrl $v = '$(field "$out" $v)'"; else not_ok "id-ctrl $v is empty"; fi
	done
	v=$(field "$out" mdts)
	if [[ $v =~ ^[0-9]+$ ]]; then ok "id-ctrl mdts = $v"; else not_ok "id-ctrl mdts not a number: '$v'"; fi
	expect_eq "id-ctrl nn (Namespace Management: up to 16)" "$(( $(field "$out" nn) ))" 16
	expect_eq "id-ctrl sqes" "$(field "$out" sqes)" 0x66
	expect_eq "id-ctrl cqes" "$(field "$out" cqes)" 0x44
	v=$(field "$out" vid)
	[ -n "$v" ] && ok "id-ctrl vid = $v" || not_ok "id-ctrl vid missing"
	# the sysfs view must agree with Identify
	expect_eq "sysfs model" "$(sed 's/ *$//' /sys/class/nvme/${NVME_DEV#/dev/}/model)" "$(field "$out" mn)"
}

t_id_ns() {
	local out want
	out=$(nvme id-ns "$NVME_NS" 2>&1) || { not_ok "nvme id-ns failed: $out"; return 1; }
	want=$(( $(to_bytes $NVMEV_BLK_SIZE) / 512 ))
	expect_eq "id-ns nsze" "$(( $(field "$out" nsze) ))" "$want"
	expect_eq "id-ns ncap" "$(( $(field "$out" ncap) ))" "$want"
	expect_match "id-ns: LBA format in use has lbads:9 (512 B)" "$out" 'lbads:9 .*in use'
	expect_eq "blockdev --getsize64" "$(blockdev --getsize64 "$NVME_NS")" "$(to_bytes $NVMEV_BLK_SIZE)"
	expect_eq "blockdev --getss" "$(blockdev --getss "$NVME_NS")" 512
	# NN is 16 (Namespace Management): 2 is a valid NSID, not allocated
	# here (kv_std_size=0), so inactive: a zero-filled structure; 17 is
	# beyond NN: Invalid Namespace
	out=$(nvme id-ns "$NVME_DEV" -n 2 2>&1)
	expect_match "id-ns of inactive nsid 2: zeros" "$out" '^nsze *: 0$'
	out=$(nvme id-ns "$NVME_DEV" -n 17 2>&1) && not_ok "id-ns of nsid 17 (> NN) succeeded: $out" || ok "id-ns nsid 17 rejected: $(echo "$out" | head -1)"
	out=$(nvme list-ns "$NVME_DEV" 2>&1) || { not_ok "nvme list-ns failed: $out"; return 1; }
	expect_match "list-ns shows nsid 1 only" "$(echo "$out" | tr -s ' \n' ' ')" '^ ?\[ *0\]:0x1 ?$'
}

t_smart_log() {
	local out
	out=$(nvme smart-log "$NVME_DEV" 2>&1) || { not_ok "nvme smart-log failed: $out"; return 1; }
	expect_eq "smart-log critical_warning" "$(field "$out" critical_warning)" 0
	expect_match "smart-log temperature" "$out" '^temperature[[:space:]]*: [0-9]+'
	expect_match "smart-log host_write_commands" "$out" '^host_write_commands[[:space:]]*: [0-9]+'
	out=$(nvme smart-log "$NVME_DEV" -o json 2>&1) || { not_ok "nvme smart-log -o json failed"; return 1; }
	expect_match "smart-log json has data_units_written" "$out" '"data_units_written"'
}

t_error_log() {
	local out
	out=$(nvme error-log "$NVME_DEV" -e 4 2>&1) || { not_ok "nvme error-log failed: $out"; return 1; }
	expect_match "error-log prints entries" "$out" 'error_count'
}

t_fw_log() {
	local out
	out=$(nvme fw-log "$NVME_DEV" 2>&1) || { not_ok "nvme fw-log failed: $out"; return 1; }
	expect_match "fw-log shows afi and frs1" "$out" '^frs1 *: '
	expect_match "fw-log afi" "$out" '^afi *: '
}

t_effects_log() {
	local out
	# nvme-cli 2.3 prints nothing without --csi (for any controller, QEMU's too)
	out=$(nvme effects-log "$NVME_DEV" --csi=0 2>&1) || { not_ok "nvme effects-log --csi=0 failed: $out"; return 1; }
	expect_match "effects-log: admin commands listed" "$out" '^Admin Commands'
	expect_match "effects-log: Identify (ACS6) supported" "$out" '^ACS6 +\[Identify'
	expect_match "effects-log: Get Log Page (ACS2) supported" "$out" '^ACS2 +\[Get Log Page'
	expect_match "effects-log: I/O commands listed" "$out" '^I/O Commands'
	expect_match "effects-log: Write (IOCS1) supported" "$out" '^IOCS1 +\[Write'
	expect_match "effects-log: Read (IOCS2) supported" "$out" '^IOCS2 +\[Read'
}

# get_feature FID: sets GF_VAL (the "Current value") or fails
get_feature() {
	local out
	out=$(nvme get-feature "$NVME_DEV" -f "$1" 2>&1) || { not_ok "get-feature -f $1 failed: $out"; return 1; }
	GF_VAL=$(printf '%s\n' "$out" | sed -n 's/.*Current value:\(0x\)\{0,1\}\([0-9a-fA-F]*\).*/0x\2/p' | head -1)
	[ -n "$GF_VAL" ] || { not_ok "get-feature -f $1: no 'Current value' in: $out"; return 1; }
	GF_OUT=$out
	ok "get-feature -f $1: $(printf '%s\n' "$out" | head -1)"
}

t_features() {
	local nsq ncq
	if get_feature 7; then   # Number of Queues: 0-based counts, must cover what the driver uses
		nsq=$(( (GF_VAL & 0xffff) + 1 )); ncq=$(( (GF_VAL >> 16) + 1 ))
		[ $nsq -ge 1 ] && [ $nsq -le 65535 ] && [ $ncq -ge 1 ] && ok "number of queues: $nsq SQs, $ncq CQs" || not_ok "number of queues nonsense: $GF_VAL"
		local used; used=$(ls -d /sys/block/${NVME_NS#/dev/}/mq/* 2>/dev/null | wc -l)
		[ "$used" -ge 1 ] && [ "$used" -le "$nsq" ] && ok "driver uses $used I/O queues (<= $nsq)" || not_ok "driver uses $used I/O queues but controller grants $nsq"
	fi
	if get_feature 6; then   # Volatile Write Cache: bit 0 only
		[ $((GF_VAL & ~1)) -eq 0 ] && ok "VWC value $GF_VAL" || not_ok "VWC reserved bits set: $GF_VAL"
	fi
	get_feature 0xb          # Async Event Configuration
	get_feature 8            # Interrupt Coalescing
	get_feature 1            # Arbitration
	if get_feature 2; then   # Power Management: PS must be a valid state (npss from id-ctrl)
		local npss; npss=$(( $(field "$(nvme id-ctrl "$NVME_DEV")" npss) ))
		[ $((GF_VAL & 0x1f)) -le "$npss" ] && ok "power state $((GF_VAL & 0x1f)) <= npss $npss" || not_ok "power state $((GF_VAL & 0x1f)) > npss $npss"
	fi
	if get_feature 0xe; then # Timestamp: 8 bytes of data follow
		expect_match "timestamp data dumped" "$GF_OUT" '^0000: '
	fi
	# an unsupported feature must fail cleanly (and not hang or crash)
	local out
	out=$(timeout 30 nvme get-feature "$NVME_DEV" -f 0x7f 2>&1) && log "get-feature 0x7f succeeded: $out" || ok "get-feature 0x7f rejected: $(echo "$out" | head -1)"
}

# nvme_sc CMD...: run an nvme-cli command; print its NVMe status as
# "0x<hex>" including DNR (0x0 on success, "errno" if it failed otherwise).
nvme_sc() {
	local out
	out=$("$@" 2>&1) && { echo 0x0; return; }
	status_of "$out"
}

# status_of OUT: the NVMe status nvme-cli printed in OUT, else "errno"
status_of() {
	local sc
	sc=$(printf '%s\n' "$1" | sed -n 's/^NVMe status:.*(\(0x[0-9a-fA-F]*\))$/\1/p' | head -1)
	echo "${sc:-errno}"
}

# Issue 10, defect 1: Identify says KAS = 0, yet Set Features Keep Alive
# Timer succeeded; the driver then started keep-alive on a PCIe admin queue
# without reserved tags (6.1: WARN in blk_mq_get_tag, "keep-alive failed:
# -11", controller resets). The feature must be rejected: Invalid Field, DNR.
t_set_features_kato_rejected() {
	local kas sc out
	kas=$(( $(field "$(nvme id-ctrl "$NVME_DEV")" kas) ))
	expect_eq "id-ctrl kas" "$kas" 0
	pt --opcode=0x09 --cdw10=0x0f --cdw11=2000
	if [ "$PT_SC" = refused ]; then
		log "this kernel's driver refuses Set Features KATO itself (EACCES): the device is not asked"
	else
		expect_eq "Set Features 0x0f (KATO 2 s) status" "$PT_SC" 0x4002
	fi
	out=$(nvme set-feature "$NVME_DEV" -f 0x0f -v 10000 2>&1) && not_ok "nvme set-feature -f 0x0f succeeded: $out" || ok "nvme set-feature -f 0x0f failed: $(printf '%s\n' "$out" | head -1)"
	sc=$(nvme_sc nvme get-feature "$NVME_DEV" -f 0x0f)
	expect_eq "get-feature 0x0f status" "$sc" 0x4002
	# a keep-alive started by the driver would fire within 1 s (KATO / 2)
	sleep 3
	quick_io || not_ok "I/O after set-feature 0x0f"
}

# What the controller has: keep in step with the tables in admin.c
# (feat_table, log_table) and with tests/unit/test_sqe.c. Every feature
# listed is changeable; Number of Queues only before I/O queues exist.
ADMIN_FIDS=" 01 02 04 05 06 07 08 09 0a 0b 0e 19 "
ADMIN_LIDS=" 00 01 02 03 04 05 0e 12 81 "
ADMSWEEP=$NVMEV_DIR/tools/out/admsweep # one process for the sweeps

# in_list LIST N: is N (decimal) in LIST (two-digit hex)?
in_list() { local h; printf -v h '%02x' "$2"; [[ $1 == *" $h "* ]]; }

# pt ARGS...: nvme admin-passthru ARGS on the controller, without extra
# forks (each costs milliseconds under TCG): PT_SC is the status ("0x0",
# "0x4002" with DNR, "refused" (EACCES from the driver), or "errno"), PT_DW0 the result on success. Data read
# (-r -b) goes to the file PT_DATA, else nowhere; nvme-cli prints status
# and result on stderr.
pt() {
	local out
	if out=$(nvme admin-passthru "$NVME_DEV" "$@" 2>&1 > "${PT_DATA:-/dev/null}"); then
		PT_SC=0x0
		[[ $out =~ result:\ *(0x[0-9a-fA-F]+) ]] && PT_DW0=${BASH_REMATCH[1]} || PT_DW0=
	elif [[ $out =~ NVMe\ status:[^$'\n']*\((0x[0-9a-fA-F]+)\) ]]; then
		PT_SC=${BASH_REMATCH[1]}
	elif [[ $out == *"Permission denied"* ]]; then
		PT_SC=refused # the driver's own choice (6.12: some Set Features)
	else
		PT_SC=errno
	fi
}

# expect_sc_list DESC: report the mismatches collected in SC_BAD
expect_sc_list() {
	if [ -z "$SC_BAD" ]; then ok "$1"; else not_ok "$1: wrong status for:$SC_BAD"; fi
}

# Every FID: Get Features (SEL 0); Set Features with the value just read
# (Timestamp: the 8 bytes just read, via a file), so the sweep changes
# nothing; unknown FIDs: Invalid Field for both.
t_feature_sweep() {
	local op fid sc want out n=0 refused=
	SC_BAD=
	out=$("$ADMSWEEP" features "$NVME_DEV") || { not_ok "admsweep features failed"; return 1; }
	while read -r op fid sc; do
		if in_list "$ADMIN_FIDS" "$fid"; then
			want=0x0
			[ "$op" = set ] && [ "$fid" -eq 7 ] && want=0x400c # I/O queues exist
		else
			want=0x4002
		fi
		n=$((n + 1))
		if [ "$sc" = refused ] && [ "$op" = set ]; then
			refused+=" $fid"
		elif [ "$sc" != "$want" ]; then
			SC_BAD+=" $op:$fid=$sc(want $want)"
		fi
	done <<< "$out"
	expect_eq "commands in the feature sweep" $n 512
	[ -n "$refused" ] && log "Set Features refused by the host driver (EACCES) for FIDs:$refused"
	expect_sc_list "$n Get/Set Features over FIDs 0..255: 0x0 for$ADMIN_FIDS(Set 07: 0x400c), else 0x4002"
	quick_io || not_ok "I/O after the feature sweep"
}

# Every LID: Get Log Page of 512 bytes from offset 0.
t_log_page_sweep() {
	local op lid sc want out n=0
	SC_BAD=
	out=$("$ADMSWEEP" logs "$NVME_DEV") || { not_ok "admsweep logs failed"; return 1; }
	while read -r op lid sc; do
		in_list "$ADMIN_LIDS" "$lid" && want=0x0 || want=0x4109
		[ "$sc" = "$want" ] || SC_BAD+=" $lid=$sc"
		n=$((n + 1))
	done <<< "$out"
	expect_eq "commands in the log page sweep" $n 256
	expect_sc_list "$n Get Log Page over LIDs 0..255: 0x0 for$ADMIN_LIDS, else 0x4109"
}

# supported_ids LID: the IDs whose dword has bit 0 set in that 1 KiB log
supported_ids() {
	local f=$SCRATCH/log.$1 i=0 w list=" "
	nvme admin-passthru "$NVME_DEV" --opcode=0x02 --namespace-id=0xffffffff --cdw10=$(($1 | 255 << 16)) --data-len=1024 -r -b > "$f" 2>/dev/null || { echo failed; return; }
	for w in $(od -An -v -tu4 -w4 "$f"); do
		[ $((w & 1)) -eq 1 ] && list+="$(printf '%02x' $i) "
		i=$((i + 1))
	done
	echo "$list"
}

# Identify Controller, Supported Log Pages and FID Supported and Effects
# advertise exactly the lists above.
t_advertised() {
	local out
	out=$(nvme id-ctrl "$NVME_DEV" 2>&1) || { not_ok "id-ctrl failed"; return 1; }
	expect_eq "id-ctrl kas (no Keep Alive Timer)" "$(( $(field "$out" kas) ))" 0
	expect_eq "id-ctrl lpa (effects, extended data, supported logs)" "$(( $(field "$out" lpa) ))" $((0x26))
	expect_eq "id-ctrl oncs (compare, write uncorrectable, dsm, write zeroes, save/select, timestamp, verify, copy)" "$(( $(field "$out" oncs) ))" $((0x1df))
	expect_eq "id-ctrl vwc" "$(( $(field "$out" vwc) & 1 ))" 1
	expect_eq "id-ctrl elpe" "$(( $(field "$out" elpe) ))" 15
	expect_eq "Supported Log Pages (LID 0)" "$(supported_ids 0)" "$ADMIN_LIDS"
	expect_eq "FID Supported and Effects (LID 0x12)" "$(supported_ids 18)" "$ADMIN_FIDS"
}

t_unload() { quick_io && ok "I/O works before unload"; unload_module; }

# --- namespace 2: the NVMe KV command set (CSI 1), issue 13 -------------------
# Before, NN was 1, every NSID but 1 was Invalid Namespace and CSI 1 Invalid
# Field, so the driver never saw namespace 2 and there was no /dev/ngXn2.

NVME_NG2=/dev/ng0n2

# wait_ng2: NVME_NG2 = namespace 2's /dev/ngXnY (6.12 may name it ng0n1)
wait_ng2() {
	local i
	for ((i = 0; i < 50; i++)); do
		NVME_NG2=$(ns_ngdev 2) && [ -c "$NVME_NG2" ] && return 0
		sleep 0.2
	done
	return 1
}

t_load_kv() {
	load_module kv_std_size=$NVMEV_KV_STD_SIZE || return 1
	wait_ng2 && ok "namespace 2 is $NVME_NG2, namespace 1 $NVME_NS" || not_ok "no char device of nsid 2: $(ls /dev/ng* 2>&1 | tr '\n' ' ')"
}

# pt_id CNS NSID CSI: raw Identify into $SCRATCH/id (PT_SC, PT_DATA as pt)
pt_id() {
	PT_DATA=$SCRATCH/id pt --opcode=0x06 --namespace-id=$(($2)) --cdw10=$(($1)) --cdw11=$(($3 << 24)) --data-len=4096 -r -b
}

# le OFF LEN: little-endian unsigned integer at OFF in $SCRATCH/id
le() { od -An -v -j "$1" -N "$2" -tu"$2" "$SCRATCH/id" | tr -d ' '; }
# hex OFF LEN: bytes at OFF as one hex string
hex() { od -An -v -j "$1" -N "$2" -tx1 "$SCRATCH/id" | tr -d ' \n'; }
# nsids: the non-zero NSIDs of the list in $SCRATCH/id
nsids() { od -An -v -tu4 -w4 "$SCRATCH/id" | awk '$1 != 0 { printf " %s", $1 } END { print "" }'; }

# The driver set namespace 2 up as a generic char device only.
t_kv_ns_scan() {
	local out
	expect_eq "id-ctrl nn" "$(( $(field "$(nvme id-ctrl "$NVME_DEV")" nn) ))" 16
	[ -c "$NVME_NG2" ] && ok "$NVME_NG2 is a char device" || not_ok "no $NVME_NG2: $(ls /dev/ng* 2>&1 | tr '\n' ' ')"
	expect_eq "block devices (nsid 1 only)" "$(echo $(ls -d ${NVME_DEV}n* | while read -r b; do [ -b "$b" ] && echo "$b"; done))" "$NVME_NS"
	out=$(dmesg)
	expect_match "driver: no block device for csi 1" "$out" "block device for nsid 2 not supported \(csi 1\)"
	if printf '%s\n' "$out" | grep -Eiq "command set not reported|Identify Descriptors failed|Identify NS List failed"; then
		not_ok "driver complained: $(printf '%s\n' "$out" | grep -Ei 'command set not reported|Identify.*failed' | head -2)"
	else
		ok "no Identify complaint from the driver"
	fi
	out=$(nvme list 2>&1) || { not_ok "nvme list failed: $out"; return 1; }
	expect_match "nvme list shows $NVME_NS" "$out" "^$NVME_NS "
	quick_io || not_ok "namespace 1 I/O with namespace 2 present"
}

# CNS 02h: every active NSID; CNS 07h: those of one command set.
t_kv_ns_lists() {
	local out
	out=$(nvme list-ns "$NVME_DEV" 2>&1) || { not_ok "list-ns failed: $out"; return 1; }
	expect_eq "list-ns" "$(echo $out)" "[ 0]:0x1 [ 1]:0x2"
	out=$(nvme list-ns "$NVME_DEV" --csi=1 2>&1) || { not_ok "list-ns --csi=1 failed: $out"; return 1; }
	expect_eq "list-ns --csi=1 (CNS 07h)" "$(echo $out)" "[ 0]:0x2"
	out=$(nvme list-ns "$NVME_DEV" --csi=0 2>&1) || { not_ok "list-ns --csi=0 failed: $out"; return 1; }
	expect_eq "list-ns --csi=0" "$(echo $out)" "[ 0]:0x1"
	pt_id 2 1 0; expect_eq "CNS 02h after nsid 1: status" "$PT_SC" 0x0
	expect_eq "CNS 02h after nsid 1" "$(nsids)" " 2"
	pt_id 7 0 1; expect_eq "CNS 07h csi 1: status" "$PT_SC" 0x0
	expect_eq "CNS 07h csi 1" "$(nsids)" " 2"
	pt_id 7 2 1; expect_eq "CNS 07h csi 1 after nsid 2" "$(nsids)" ""
	pt_id 7 0 2; expect_eq "CNS 07h csi 2 (no such set)" "$PT_SC" 0x4002
	pt_id 2 0xfffffffe 0; expect_eq "CNS 02h from fffffffe" "$PT_SC" 0x400b
}

# CNS 03h: CSI 1 and identifiers of its own.
t_kv_ns_descs() {
	local d1 d2 f
	d2=$(nvme ns-descs "$NVME_DEV" -n 2 2>&1) || { not_ok "ns-descs -n 2 failed: $d2"; return 1; }
	d1=$(nvme ns-descs "$NVME_DEV" -n 1 2>&1) || { not_ok "ns-descs -n 1 failed: $d1"; return 1; }
	expect_eq "ns-descs -n 2 csi" "$(field "$d2" csi)" 0x1
	expect_eq "ns-descs -n 1 csi" "$(field "$d1" csi)" 0
	for f in eui64 nguid uuid; do
		if [ -n "$(field "$d2" $f)" ] && [ "$(field "$d2" $f)" != "$(field "$d1" $f)" ]; then
			ok "ns-descs $f of nsid 2 ($(field "$d2" $f)) differs from nsid 1's"
		else
			not_ok "ns-descs $f: nsid 2 '$(field "$d2" $f)', nsid 1 '$(field "$d1" $f)'"
		fi
	done
	KV_NGUID=$(field "$d2" nguid); KV_EUI64=$(field "$d2" eui64)
	pt_id 3 3 0; expect_eq "CNS 03h nsid 3 (inactive)" "$PT_SC" 0x4002
	pt_id 3 17 0; expect_eq "CNS 03h nsid 17 (> NN)" "$PT_SC" 0x400b
}

# CNS 05h CSI 1: the KV namespace data structure (KV_PROTOCOL.md section 3).
t_kv_id_ns() {
	local out size nsze
	size=$(to_bytes "$NVMEV_KV_STD_SIZE")
	pt_id 5 2 1; expect_eq "CNS 05h csi 1 nsid 2: status" "$PT_SC" 0x0
	nsze=$(le 0 8)
	[ "$nsze" -gt 0 ] && [ "$nsze" -le "$size" ] && ok "NSZE $nsze bytes (0 < NSZE <= kv_std_size $size)" || not_ok "NSZE $nsze not in (0, $size]"
	[ "$(le 16 8)" -le "$nsze" ] && ok "NUSE $(le 16 8) <= NSZE" || not_ok "NUSE $(le 16 8) > NSZE $nsze"
	expect_eq "NKVF (0-based)" "$(le 25 1)" 0
	expect_eq "NOVG" "$(le 32 4)" 4096
	expect_eq "NGUID (as in ns-descs)" "$(hex 48 16)" "${KV_NGUID:-?}"
	expect_eq "EUI64 (as in ns-descs)" "$(hex 64 8)" "${KV_EUI64:-?}"
	expect_eq "KV format 0 KML" "$(le 72 2)" 16
	expect_eq "KV format 0 VML" "$(le 76 4)" $((2 << 20))
	[ "$(le 80 4)" -gt 0 ] && ok "KV format 0 MNK $(le 80 4)" || not_ok "KV format 0 MNK is 0 (no limit)"
	expect_eq "KV format 1 (none)" "$(hex 88 16)" 00000000000000000000000000000000
	# structures of the other command set: Invalid I/O Command Set (12Ch)
	pt_id 5 2 0; expect_eq "CNS 05h csi 0 nsid 2" "$PT_SC" 0x412c
	pt_id 5 1 1; expect_eq "CNS 05h csi 1 nsid 1" "$PT_SC" 0x412c
	pt_id 5 2 2; expect_eq "CNS 05h csi 2" "$PT_SC" 0x4002
	out=$(nvme id-ns "$NVME_DEV" -n 2 2>&1) && not_ok "id-ns -n 2 (NVM structure of a KV namespace) succeeded" || expect_eq "id-ns -n 2 status" "$(status_of "$out")" 0x412c
	out=$(nvme id-ns "$NVME_DEV" -n 17 2>&1) && not_ok "id-ns -n 17 succeeded" || expect_eq "id-ns -n 17 status" "$(status_of "$out")" 0x400b
	out=$(nvme cmdset-ind-id-ns "$NVME_DEV" -n 2 2>&1) || { not_ok "cmdset-ind-id-ns -n 2 failed: $out"; return 1; }
	expect_eq "cmdset-ind-id-ns -n 2 nstat (ready)" "$(field "$out" nstat)" 0x1
	# what xNVMe sends on first use: CNS 06h with CSI 0, 1, 2, 1Fh
	pt_id 6 0 1; expect_eq "CNS 06h csi 1: status" "$PT_SC" 0x0
	expect_eq "CNS 06h csi 1: zeros" "$(od -An -v -tx1 "$SCRATCH/id" | tr -d ' \n0')" ""
	pt_id 6 0 0; expect_eq "CNS 06h csi 0" "$PT_SC" 0x0
	pt_id 6 0 2; expect_eq "CNS 06h csi 2" "$PT_SC" 0x4002
	pt_id 6 0 0x1f; expect_eq "CNS 06h csi 1fh" "$PT_SC" 0x4002
	pt_id 1 0 0; expect_eq "CNS 01h" "$PT_SC" 0x0
}

# CNS 1Ch: command set combination 0 = NVM | KV.
t_kv_id_iocs() {
	local out
	out=$(nvme id-iocs "$NVME_DEV" 2>&1) || { not_ok "id-iocs failed: $out"; return 1; }
	expect_match "id-iocs: combination 0 = NVM | KV (3)" "$out" 'Combination\[0\]:3$'
	pt_id 0x1c 0 0; expect_eq "CNS 1Ch vector 0" "$(le 0 8)" 3
	expect_eq "CNS 1Ch vector 1 (none)" "$(le 8 8)" 0
}

# kv_io OPCODE [io-passthru args]: a KV command set command on namespace 2,
# key "nsvk" (4 bytes in CDW2); prints its status as nvme_sc does
kv_io() {
	local op=$1; shift
	nvme_sc nvme io-passthru "$NVME_NG2" --opcode="$op" --namespace-id=2 --cdw2=0x6b76736e --cdw11=4 "$@"
}

# NUSE of the KV namespace structure follows the key space.
t_kv_nuse() {
	local f=$SCRATCH/val nuse0 nuse1 nuse2
	head -c 4096 /dev/urandom > "$f"
	pt_id 5 2 1; nuse0=$(le 16 8)
	expect_eq "Store 4 KiB on $NVME_NG2" "$(kv_io 0x01 --cdw10=4096 --data-len=4096 -w -i "$f")" 0x0
	pt_id 5 2 1; nuse1=$(le 16 8)
	[ "$nuse1" -ge $((nuse0 + 4096)) ] && ok "NUSE $nuse0 -> $nuse1 after a 4 KiB store" || not_ok "NUSE $nuse0 -> $nuse1 after a 4 KiB store"
	expect_eq "Delete" "$(kv_io 0x10)" 0x0
	pt_id 5 2 1; nuse2=$(le 16 8)
	[ "$nuse2" -lt "$nuse1" ] && ok "NUSE $nuse1 -> $nuse2 after the delete" || not_ok "NUSE $nuse1 -> $nuse2 after the delete"
}

# sc_is OUT SC: does status OUT (0x..., DNR or not) carry status code SC?
sc_is() { [[ $1 == 0x* ]] && (( ($1 & 0x7ff) == $2 )); }

# feat_val OUT: the "Current value" nvme get-feature printed, as 0x...
feat_val() { printf '%s\n' "$1" | sed -n 's/.*Current value:\(0x\)\{0,1\}\([0-9a-fA-F]*\).*/0x\2/p' | head -1; }

# 20h Key Value Configuration (per namespace, EDNEK) and 19h I/O Command Set Profile.
t_kv_features() {
	local out
	out=$(nvme get-feature "$NVME_DEV" -f 0x20 -n 2 2>&1) || { not_ok "get-feature 0x20 -n 2 failed: $out"; return 1; }
	expect_eq "KV configuration default" "$(( $(feat_val "$out") ))" 0
	out=$(nvme set-feature "$NVME_DEV" -f 0x20 -n 2 -v 1 2>&1) || not_ok "set-feature 0x20 -n 2 -v 1 (EDNEK) failed: $out"
	out=$(nvme get-feature "$NVME_DEV" -f 0x20 -n 2 2>&1)
	expect_eq "KV configuration after set" "$(( $(feat_val "$out") ))" 1
	# EDNEK reached namespace 2: Delete of a missing key is 87h now
	out=$(kv_io 0x10)
	sc_is "$out" 0x87 && ok "Delete of a missing key with EDNEK: $out" || not_ok "Delete of a missing key with EDNEK: $out, want 87h"
	out=$(nvme get-feature "$NVME_DEV" -f 0x20 -n 2 -s 3 2>&1)
	expect_match "0x20 capabilities: per namespace, changeable" "$out" 'Supported capabilities value:0x0*6$'
	expect_eq "set 0x20 reserved bit" "$(nvme_sc nvme set-feature "$NVME_DEV" -f 0x20 -n 2 -v 2)" 0x4002
	expect_eq "set 0x20 on the NVM namespace" "$(nvme_sc nvme set-feature "$NVME_DEV" -f 0x20 -n 1 -v 1)" 0x4002
	expect_eq "get 0x20 nsid 3 (inactive)" "$(nvme_sc nvme get-feature "$NVME_DEV" -f 0x20 -n 3)" 0x4002
	expect_eq "get 0x20 nsid 17 (> NN)" "$(nvme_sc nvme get-feature "$NVME_DEV" -f 0x20 -n 17)" 0x400b
	expect_eq "get 0x20 all namespaces" "$(nvme_sc nvme get-feature "$NVME_DEV" -f 0x20 -n 0xffffffff)" 0x0
	out=$(nvme get-feature "$NVME_DEV" -f 0x19 2>&1) || not_ok "get-feature 0x19 failed: $out"
	expect_eq "I/O command set profile" "$(( $(feat_val "$out") ))" 0
	expect_eq "set 0x19 index 0" "$(nvme_sc nvme set-feature "$NVME_DEV" -f 0x19 -v 0)" 0x0
	expect_eq "set 0x19 index 1 (combination rejected)" "$(nvme_sc nvme set-feature "$NVME_DEV" -f 0x19 -v 1)" 0x412b
	# a controller reset brings the default back (and namespace 2 with it)
	expect_reset_begin
	nvme reset "$NVME_DEV" || not_ok "nvme reset failed"
	wait_nvme 30 || not_ok "controller not live after reset"
	expect_reset_end
	out=$(nvme get-feature "$NVME_DEV" -f 0x20 -n 2 2>&1)
	expect_eq "KV configuration after reset" "$(( $(feat_val "$out") ))" 0
	wait_ng2 && ok "$NVME_NG2 back after reset" || not_ok "no char device of nsid 2 after reset"
	expect_eq "Delete of a missing key after reset (EDNEK 0)" "$(kv_io 0x10)" 0x0
}

# Get Log Page 05h with CSI 1: what Linux reads to set namespace 2 up.
t_kv_effects_log() {
	local out op line
	out=$(nvme effects-log "$NVME_DEV" --csi=1 2>&1) || { not_ok "effects-log --csi=1 failed: $out"; return 1; }
	expect_match "effects-log --csi=1: Identify (ACS6) supported" "$out" '^ACS6 +\[Identify'
	for op in 1 2 6 16 20; do # Store, Retrieve, List, Delete, Exist
		line=$(printf '%s\n' "$out" | grep -E "^IOCS$op +\[")
		if [[ $line =~ \]\ +([0-9a-fA-F]{8})$ ]] && (( 0x${BASH_REMATCH[1]} & 1 )); then
			ok "effects-log --csi=1: opcode $(printf '%02xh' $op) supported ($line)"
		else
			not_ok "effects-log --csi=1: opcode $(printf '%02xh' $op) not supported: '$line'"
		fi
	done
	expect_eq "effects-log --csi=2" "$(nvme_sc nvme effects-log "$NVME_DEV" --csi=2)" 0x4002
}

# FID Supported and Effects: 20h now, with namespace scope.
t_kv_advertised() {
	local f=$SCRATCH/log.18
	expect_eq "FID Supported and Effects (LID 0x12)" "$(supported_ids 18)" "${ADMIN_FIDS}20 "
	expect_eq "FID 20h: supported, namespace scope" "$(od -An -v -j $((0x20 * 4)) -N 4 -tx4 "$f" | tr -d ' ')" 00100001
	expect_eq "FID 19h: supported, controller scope" "$(od -An -v -j $((0x19 * 4)) -N 4 -tx4 "$f" | tr -d ' ')" 00200001
}

# Identify CNS 13h/12h (issue 15): nvme list-ctrl, of the subsystem and of
# each namespace; our controller (ID 1) where the namespace is attached.
t_kv_list_ctrl() {
	local out n
	out=$(nvme list-ctrl "$NVME_DEV" 2>&1) || { not_ok "nvme list-ctrl failed: $out"; return 1; }
	expect_match "list-ctrl: one controller, ID 1" "$(echo "$out" | tr -s ' \n' ' ')" 'present: 1 \[ *0\]:0x1 ?$'
	for n in 1 2; do
		out=$(nvme list-ctrl "$NVME_DEV" -n $n 2>&1) || { not_ok "nvme list-ctrl -n $n failed: $out"; continue; }
		expect_match "list-ctrl -n $n: controller 1 attached" "$(echo "$out" | tr -s ' \n' ' ')" 'present: 1 \[ *0\]:0x1 ?$'
	done
	out=$(nvme list-ctrl "$NVME_DEV" -n 3 2>&1) || not_ok "nvme list-ctrl -n 3 failed: $out"
	expect_match "list-ctrl -n 3 (no such namespace): empty" "$out" 'present: 0'
	out=$(nvme list-ctrl "$NVME_DEV" --cntid=2 2>&1) || not_ok "nvme list-ctrl --cntid=2 failed: $out"
	expect_match "list-ctrl from controller ID 2: empty" "$out" 'present: 0'
	expect_eq "list-ctrl -n 0xffffffff: Invalid Field" "$(nvme_sc nvme list-ctrl "$NVME_DEV" -n 0xffffffff)" 0x4002
}

run_test load t_load
if module_loaded; then
	run_test nvme-list t_nvme_list
	run_test id-ctrl t_id_ctrl
	run_test id-ns t_id_ns
	run_test smart-log t_smart_log
	run_test error-log t_error_log
	run_test fw-log t_fw_log
	run_test effects-log t_effects_log
	run_test get-features t_features
	run_test set_features_kato_rejected t_set_features_kato_rejected
	run_test advertised t_advertised
	run_test feature-sweep t_feature_sweep
	run_test log-page-sweep t_log_page_sweep
	run_test unload t_unload
fi
run_test load-kv t_load_kv
if module_loaded; then
	run_test kv-ns-scan t_kv_ns_scan
	run_test kv-ns-lists t_kv_ns_lists
	run_test kv-ns-descs t_kv_ns_descs
	run_test kv-id-ns t_kv_id_ns
	run_test kv-id-iocs t_kv_id_iocs
	run_test kv-nuse t_kv_nuse
	run_test kv-features t_kv_features
	run_test kv-effects-log t_kv_effects_log
	run_test kv-advertised t_kv_advertised
	run_test kv-list-ctrl t_kv_list_ctrl
	run_test unload-kv t_unload
fi
finish
