#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest: the controller as nvme-cli sees it: list, identify, log pages, features.
. "$NVMEV_DIR/tests/vm/lib.sh"

t_load() { load_module; }

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
	expect_eq "id-ctrl nn" "$(( $(field "$out" nn) ))" 1
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
	out=$(nvme id-ns "$NVME_DEV" -n 2 2>&1) && not_ok "id-ns of absent nsid 2 succeeded: $out" || ok "id-ns nsid 2 rejected: $(echo "$out" | head -1)"
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
ADMIN_FIDS=" 01 02 04 05 06 07 08 09 0a 0b 0e "
ADMIN_LIDS=" 00 01 02 03 05 12 "
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
	expect_eq "id-ctrl oncs (write zeroes, save/select, timestamp)" "$(( $(field "$out" oncs) ))" $((0x58))
	expect_eq "id-ctrl vwc" "$(( $(field "$out" vwc) & 1 ))" 1
	expect_eq "id-ctrl elpe" "$(( $(field "$out" elpe) ))" 15
	expect_eq "Supported Log Pages (LID 0)" "$(supported_ids 0)" "$ADMIN_LIDS"
	expect_eq "FID Supported and Effects (LID 0x12)" "$(supported_ids 18)" "$ADMIN_FIDS"
}

t_unload() { quick_io && ok "I/O works before unload"; unload_module; }

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
finish
