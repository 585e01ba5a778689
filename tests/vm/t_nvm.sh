#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest: the optional NVM commands on namespace 1 (issue 15), through the
# real tools on its block device: Identify's ONCS, DLFEAT, MSSRL/MCL/MSRC
# and OCFS, and the effects log; `nvme compare` (equal data passes,
# different data gets Compare Failure); `nvme dsm --ad`, `blkdiscard` and
# fio trims read back zeroes; `nvme verify`; `nvme write-uncor` makes reads,
# compares, verifies and copies fail with Unrecovered Read Error until a
# write, Write Zeroes or a deallocate heals the blocks; `nvme copy` of one
# and of several ranges, overlapping ones, and past its limits; requests
# out of the namespace with their statuses, nothing changed by them; Get LBA
# Status and the LBA Status Information log list exactly the uncorrectable
# blocks, and none once they are rewritten.
. "$NVMEV_DIR/tests/vm/lib.sh"

PARAMS="blk_size=64M"
NB=$(( (64 << 20) / 512 ))   # namespace 1's blocks
# Under TCG every process start costs ~0.4 s: the checks use shell builtins
# and read a region once, comparing its parts with `cmp -i`.

# fld OUT NAME: "name : value" of nvme-cli's output, into FLD (no process)
fld() {
	local re=$'(^|\n)'"$2"$'[ \t]*:[ \t]*([^\n]*)'
	FLD=
	[[ $1 =~ $re ]] && FLD=${BASH_REMATCH[2]%%[[:space:]]*}
}

# has RE OUT: OUT has a line matching RE (no process)
has() { [[ $'\n'"$2"$'\n' =~ $'\n'$1$'\n' ]]; }

# put FILE LBA [SKIP COUNT]: FILE's blocks (from block SKIP) at LBA
put() {
	dd if="$1" of="$NVME_NS" bs=512 seek="$2" ${3:+skip=$3 count=$4} oflag=direct conv=notrunc status=none
}
# get LBA N: N blocks from LBA into $SCRATCH/g
get() { dd if="$NVME_NS" of="$SCRATCH/g" bs=512 skip="$1" count="$2" iflag=direct status=none; }
# rnd N FILE: N random blocks
rnd() { head -c $(($1 * 512)) /dev/urandom > "$2"; }

# same DESC OFF N FILE FOFF: blocks OFF..OFF+N-1 of the last get() are
# FILE's from block FOFF (FILE /dev/zero: zeroes)
same() {
	if cmp -s -n $(($3 * 512)) -i $(($2 * 512)):$(($5 * 512)) "$SCRATCH/g" "$4"; then ok "$1"
	else not_ok "$1: $3 blocks at +$2 of the read differ from $4 at block $5"; fi
}

t_load() { load_module $PARAMS; }

t_identify() {
	local out q=/sys/block/${NVME_NS#/dev/}/queue v
	out=$(nvme id-ctrl "$NVME_DEV" 2>&1) || { not_ok "id-ctrl: $out"; return 1; }
	# Compare, Write Uncorrectable, DSM, Write Zeroes, Save/Select,
	# Timestamp, Verify, Copy
	fld "$out" oncs; expect_eq "id-ctrl oncs" "$((FLD))" $((0x1df))
	fld "$out" ocfs; expect_eq "id-ctrl ocfs (copy format 0)" "$((FLD))" 1
	fld "$out" vwc; expect_eq "id-ctrl vwc" "$((FLD & 1))" 1
	out=$(nvme id-ns "$NVME_NS" 2>&1) || { not_ok "id-ns: $out"; return 1; }
	fld "$out" dlfeat; expect_eq "id-ns dlfeat (deallocated reads zeroes, DEAC)" "$((FLD))" 9
	fld "$out" mssrl; expect_eq "id-ns mssrl" "$((FLD))" 2048
	fld "$out" mcl; expect_eq "id-ns mcl" "$((FLD))" 4096
	fld "$out" msrc; expect_eq "id-ns msrc (0-based)" "$((FLD))" 127
	# the block layer took DSM for discard
	read -r v < $q/discard_granularity; expect_eq "discard_granularity" "$v" 512
	read -r v < $q/max_discard_segments; expect_eq "max_discard_segments" "$v" 256
	read -r v < $q/discard_max_hw_bytes
	[ "$v" -gt 0 ] && ok "discard_max_hw_bytes $v" || not_ok "no discard: discard_max_hw_bytes 0"
}

t_effects() {
	local out op
	out=$(nvme effects-log "$NVME_DEV" --csi=0 2>&1) || { not_ok "effects-log: $out"; return 1; }
	# CSUPP, and LBCC where blocks change
	for op in 4 9 25 1 8; do
		has "IOCS$op +\\[[^]]*\\] +0*3" "$out" && ok "effects-log: IOCS$op CSUPP LBCC" ||
			not_ok "effects-log: IOCS$op not CSUPP LBCC"
	done
	for op in 5 12 2; do
		has "IOCS$op +\\[[^]]*\\] +0*1" "$out" && ok "effects-log: IOCS$op CSUPP" ||
			not_ok "effects-log: IOCS$op not CSUPP"
	done
	has "IOCS(13|17|20|21) .*" "$out" && not_ok "effects-log lists a command that is not supported" ||
		ok "effects-log: nothing else of the NVM set"
}

t_compare() {
	rnd 16 "$SCRATCH/c"
	put "$SCRATCH/c" 64 0 8 || { not_ok "write"; return 1; }
	expect_status "compare equal data" 0x0 \
		nvme compare "$NVME_NS" -s 64 -c 7 -z 4096 -d "$SCRATCH/c"
	# the second half of the file: different data
	expect_status "compare different data" 0x4285 \
		nvme compare "$NVME_NS" -s 72 -c 7 -z 4096 -d "$SCRATCH/c"
	expect_status "compare beyond the namespace" 0x4080 \
		nvme compare "$NVME_NS" -s $((NB - 4)) -c 7 -z 4096 -d "$SCRATCH/c"
}

t_dsm() {
	local s="" b="" i
	rnd 600 "$SCRATCH/d"
	put "$SCRATCH/d" 1024 || { not_ok "write"; return 1; }
	expect_status "dsm --ad of two ranges" 0x0 \
		nvme dsm "$NVME_NS" -n 1 --ad -s 1032,1064 -b 8,16
	# integral read/write hints without AD: accepted, nothing changes
	expect_status "dsm --idr --idw (hints only)" 0x0 \
		nvme dsm "$NVME_NS" -n 1 --idr --idw -s 1024 -b 8
	# 256 ranges of one block each (every other block): the most NR says
	for ((i = 0; i < 256; i++)); do s+="$((1100 + 2 * i)),"; b+="1,"; done
	expect_status "dsm --ad of 256 ranges" 0x0 \
		nvme dsm "$NVME_NS" -n 1 --ad -s "${s%,}" -b "${b%,}"
	# a range beyond the namespace: LBA Out of Range, nothing deallocated
	expect_status "dsm with a range beyond the namespace" 0x4080 \
		nvme dsm "$NVME_NS" -n 1 --ad -s 1024,$((NB - 4)) -b 8,8
	get 1024 600
	same "blocks before range 1 kept (hints, refused dsm)" 0 8 "$SCRATCH/d" 0
	same "range 1 reads zeroes" 8 8 /dev/zero 0
	same "blocks between the ranges kept" 16 24 "$SCRATCH/d" 16
	same "range 2 reads zeroes" 40 16 /dev/zero 0
	same "range 0 of 256 reads zeroes" 76 1 /dev/zero 0
	same "the block after it kept" 77 1 "$SCRATCH/d" 77
	same "range 255 of 256 reads zeroes" $((76 + 510)) 1 /dev/zero 0
	same "the blocks after it kept" $((77 + 510)) 13 "$SCRATCH/d" $((77 + 510))
}

t_discard() {
	rnd 16 "$SCRATCH/b"
	put "$SCRATCH/b" $((8192 + 2040)) || { not_ok "write"; return 1; }
	check "blkdiscard 1 MiB at 4 MiB" blkdiscard -o $((4 << 20)) -l $((1 << 20)) "$NVME_NS"
	get $((8192 + 2040)) 16
	same "discarded blocks read zeroes" 0 8 /dev/zero 0
	same "the blocks after them kept" 8 8 "$SCRATCH/b" 8
	put "$SCRATCH/b" 300
	expect_status "write-zeroes --deac" 0x0 nvme write-zeroes "$NVME_NS" -s 300 -c 15 --deac
	get 300 16
	same "write-zeroes --deac range reads zeroes" 0 16 /dev/zero 0
}

t_fio_trim() {
	local common="--filename=$NVME_NS --direct=1 --ioengine=libaio --iodepth=8 --offset=16M --size=4M"
	local out rc=0
	dd if=/dev/urandom of="$NVME_NS" bs=1M seek=16 count=4 oflag=direct status=none || not_ok "fill"
	# terse output has no trim figures: fio's exit status and err= say it
	out=$(timeout 120 fio --name=trim $common --rw=trim --bs=128k 2>&1) || rc=$?
	if [ $rc -eq 0 ] && has ".*err= 0.*" "$out" && has ".*trim: IOPS=.*" "$out"; then ok "fio --rw=trim"
	else not_ok "fio --rw=trim: exit $rc"; printf '%s\n' "$out" | tail -15 | sed 's/^/    | /'; fi
	# what the trim left, checked by fio: a verify-only pass of pattern 00h
	fio_run "fio verify_only: the trimmed 4 MiB read pattern 0x00" --name=trimchk $common \
		--rw=write --bs=128k --verify=pattern --verify_pattern=0x00 --verify_only=1 --verify_fatal=1
}

t_verify() {
	expect_status "verify of 65536 blocks" 0x0 nvme verify "$NVME_NS" -s 0 -c 65535
	expect_status "verify beyond the namespace" 0x4080 nvme verify "$NVME_NS" -s $((NB - 8)) -c 8
}

t_write_uncor() {
	local out before after
	out=$(nvme smart-log "$NVME_DEV" 2>&1); fld "$out" media_errors; before=${FLD//,/}
	rnd 16 "$SCRATCH/u"
	put "$SCRATCH/u" 4096 || { not_ok "write"; return 1; }
	expect_status "write-uncor of blocks 4100..4103" 0x0 nvme write-uncor "$NVME_NS" -s 4100 -c 3
	expect_status "read over uncorrectable blocks" 0x4281 \
		nvme read "$NVME_NS" -s 4096 -c 15 -z 8192 -d "$SCRATCH/ur"
	if get 4103 1 2>/dev/null; then not_ok "dd read of an uncorrectable block succeeded"
	else ok "dd read of an uncorrectable block fails (EIO)"; fi
	expect_status "compare of an uncorrectable block" 0x4281 \
		nvme compare "$NVME_NS" -s 4096 -c 7 -z 4096 -d "$SCRATCH/u"
	expect_status "verify of an uncorrectable block" 0x4281 nvme verify "$NVME_NS" -s 4000 -c 127
	out=$(nvme smart-log "$NVME_DEV" 2>&1); fld "$out" media_errors; after=${FLD//,/}
	[ "$((after))" -gt "$((before))" ] && ok "SMART media_errors $before -> $after" ||
		not_ok "SMART media_errors did not grow: $before -> $after"
	# healed by a write (one block), Write Zeroes (one), deallocate (two)
	put "$SCRATCH/u" 4100 4 1
	expect_status "the next block still fails" 0x4281 nvme read "$NVME_NS" -s 4101 -c 0 -z 512 -d "$SCRATCH/ur"
	expect_status "write-zeroes of 4101" 0x0 nvme write-zeroes "$NVME_NS" -s 4101 -c 0
	expect_status "dsm --ad of 4102..4103" 0x0 nvme dsm "$NVME_NS" -n 1 --ad -s 4102 -b 2
	expect_status "verify after healing" 0x0 nvme verify "$NVME_NS" -s 4000 -c 127
	get 4096 16
	same "blocks before and the rewritten one" 0 5 "$SCRATCH/u" 0
	same "zeroed and deallocated blocks" 5 3 /dev/zero 0
	same "blocks after" 8 8 "$SCRATCH/u" 8
	expect_status "write-uncor beyond the namespace" 0x4080 \
		nvme write-uncor "$NVME_NS" -s $((NB - 2)) -c 3
	# 65536 blocks at once (not block 0: blkdiscard reads it first), healed
	# by a discard of them all
	expect_status "write-uncor of 65536 blocks" 0x0 nvme write-uncor "$NVME_NS" -s 32768 -c 65535
	expect_status "read of the last of them" 0x4281 nvme read "$NVME_NS" -s 98303 -c 0 -z 512 -d "$SCRATCH/ur"
	check "blkdiscard heals them" blkdiscard -o $((32768 * 512)) -l $((65536 * 512)) "$NVME_NS"
	expect_status "verify of the 65536" 0x0 nvme verify "$NVME_NS" -s 32768 -c 65535
}

t_copy() {
	local i s="" b=""
	# sources: 10000..10007 (A), ..10011 (B), ..10027 (C), ..10029 (D)
	rnd 32 "$SCRATCH/s"
	put "$SCRATCH/s" 10000 || { not_ok "write"; return 1; }
	expect_status "copy of one range (8 blocks)" 0x0 nvme copy "$NVME_NS" -d 20000 -s 10000 -b 7
	expect_status "copy of four ranges (D A C B)" 0x0 \
		nvme copy "$NVME_NS" -d 20008 -s 10028,10000,10012,10008 -b 1,7,15,3
	get 20000 38
	same "destination reads back the source" 0 8 "$SCRATCH/s" 0
	same "four ranges in list order: D" 8 2 "$SCRATCH/s" 28
	same "four ranges in list order: A" 10 8 "$SCRATCH/s" 0
	same "four ranges in list order: C" 18 16 "$SCRATCH/s" 12
	same "four ranges in list order: B" 34 4 "$SCRATCH/s" 8
	# overlapping source and destination: as if read before written
	expect_status "copy 16 blocks 4 blocks forward onto themselves" 0x0 \
		nvme copy "$NVME_NS" -d 20004 -s 20000 -b 15
	get 20004 16
	same "overlapping copy: A" 0 8 "$SCRATCH/s" 0
	same "overlapping copy: D, read before it was overwritten" 8 2 "$SCRATCH/s" 28
	same "overlapping copy: A's first 6" 10 6 "$SCRATCH/s" 0
	# the limits: MSSRL 2048, MCL 4096 blocks, MSRC 127 (128 ranges)
	expect_status "copy of MCL in two ranges of MSSRL" 0x0 \
		nvme copy "$NVME_NS" -d 40000 -s 30000,34000 -b 2047,2047
	expect_status "copy of a range beyond MSSRL" 0x4183 nvme copy "$NVME_NS" -d 40000 -s 30000 -b 2048
	expect_status "copy beyond MCL" 0x4183 \
		nvme copy "$NVME_NS" -d 40000 -s 30000,34000,38000 -b 2047,2047,0
	for ((i = 0; i < 128; i++)); do s+="$((10000 + (i & 31))),"; b+="0,"; done
	expect_status "copy of 128 one-block ranges (MSRC)" 0x0 nvme copy "$NVME_NS" -d 51000 -s "${s%,}" -b "${b%,}"
	get 51000 128
	same "128 ranges: the first 32" 0 32 "$SCRATCH/s" 0
	same "128 ranges: the last 32" 96 32 "$SCRATCH/s" 0
	head -c $((129 * 32)) /dev/zero > "$SCRATCH/ranges129"
	expect_status "copy of 129 ranges (io-passthru)" 0x4183 \
		nvme io-passthru "$NVME_NS" --opcode=0x19 --namespace-id=1 --cdw10=60000 \
		--cdw12=128 --data-len=$((129 * 32)) --input-file="$SCRATCH/ranges129" -w
	expect_status "copy with descriptor format 1" 0x4002 \
		nvme copy "$NVME_NS" -d 40000 -s 30000 -b 0 -F 1
	expect_status "copy to beyond the namespace" 0x4080 nvme copy "$NVME_NS" -d $((NB - 4)) -s 10000 -b 7
	expect_status "copy from beyond the namespace" 0x4080 nvme copy "$NVME_NS" -d 20000 -s $((NB - 4)) -b 7
	# an uncorrectable source fails the copy; a copy onto it heals it
	expect_status "write-uncor of a source block" 0x0 nvme write-uncor "$NVME_NS" -s 10013 -c 0
	expect_status "copy from an uncorrectable block" 0x4281 \
		nvme copy "$NVME_NS" -d 24000 -s 10000,10012 -b 7,15
	expect_status "copy onto it heals it" 0x0 nvme copy "$NVME_NS" -d 10013 -s 10000 -b 0
	get 20000 8
	same "refused copies left the destination" 0 4 "$SCRATCH/s" 0
	same "refused copies left the destination (2)" 4 4 "$SCRATCH/s" 0
	get 10013 1
	same "the healed block has the copied data" 0 1 "$SCRATCH/s" 0
}

# gls SLBA MNDW ATYPE RL: Get LBA Status of namespace 1 through
# admin-passthru (nvme-cli 2.3's get-lba-status sends no data buffer, see
# t_lba_status), (MNDW + 1) dwords read back. GLS: "nlsd=N cmpc=C" and a
# "DSLBA+NLB/Status" per descriptor; GLS_SC: the NVMe status
gls() {
	local f=$SCRATCH/gls i dw out rc=0
	out=$(nvme admin-passthru "$NVME_DEV" --opcode=0x86 --namespace-id=1 \
		--cdw10=$(($1 & 0xffffffff)) --cdw11=$(($1 >> 32)) --cdw12="$2" \
		--cdw13=$(($3 << 24 | $4)) --data-len=$((($2 + 1) * 4)) -r -b 2>&1 > "$f") || rc=$?
	GLS= GLS_SC=0x0
	if [ $rc -ne 0 ]; then
		[[ $out =~ \((0x[0-9a-fA-F]+)\) ]] && GLS_SC=${BASH_REMATCH[1]} || GLS_SC="error: $out"
		return
	fi
	# shellcheck disable=SC2207 # numbers only; no /dev/fd for < <() here
	dw=($(od -A n -t u4 -v "$f"))
	GLS="nlsd=${dw[0]} cmpc=$((dw[1] & 0xff))"
	for ((i = 0; i < dw[0] && 5 + 4 * i < ${#dw[@]}; i++)); do
		GLS+=" $((dw[2 + 4 * i] + (dw[3 + 4 * i] << 32)))+${dw[4 + 4 * i]}/$(((dw[5 + 4 * i] >> 8) & 0xff))"
	done
}

# expect_gls DESC WANT SLBA MNDW ATYPE RL: gls answers WANT
expect_gls() {
	local desc=$1 want=$2; shift 2
	gls "$@"
	expect_eq "get lba status: $desc" "$GLS_SC $GLS" "0x0 $want"
}

# lsi: the LBA Status Information log (nvme lba-status-log), one line:
# "len=LSLPLEN ns=NLSLNE est=ESTULB" and "nsid/RATYPE" and "RSLBA+RNLB" per
# range; its LSGC in LSGC
lsi() {
	local out i n
	out=$(nvme lba-status-log "$NVME_DEV" 2>&1) || { LSI="error: $out"; return; }
	fld "$out" 'LBA Status Log Page Length'; LSI="len=$FLD"
	fld "$out" 'Number of LBA Status Log Namespace Elements'; LSI+=" ns=$FLD"
	fld "$out" 'Estimate of Unrecoverable Logical Blocks'; LSI+=" est=$FLD"
	fld "$out" 'LBA Status Generation Counter'; LSGC=$FLD
	fld "$out" 'Namespace Element Identifier'; [ -n "$FLD" ] && LSI+=" $FLD"
	fld "$out" 'Recommended Action Type'; [ -n "$FLD" ] && LSI+="/$FLD"
	fld "$out" 'Number of LBA Range Descriptors'; n=${FLD:-0}
	for ((i = 0; i < n; i++)); do
		fld "$out" "RSLBA\\[$i\\]"; LSI+=" $FLD"
		fld "$out" "RNLB\\[$i\\]"; LSI+="+$FLD"
	done
}

# Get LBA Status (86h) and the LBA Status Information log (0Eh) list the
# blocks of Write Uncorrectable, exactly, until they are written again
t_lba_status() {
	local out gen
	out=$(nvme id-ctrl "$NVME_DEV" 2>&1); fld "$out" oacs
	expect_eq "id-ctrl oacs: Get LBA Status (bit 9)" "$(((FLD >> 9) & 1))" 1
	out=$(nvme effects-log "$NVME_DEV" --csi=0 2>&1)
	has "ACS134 +\\[Get LBA Status *\\] +0*1" "$out" && ok "effects-log: ACS134 (Get LBA Status) CSUPP" ||
		not_ok "effects-log: Get LBA Status not CSUPP"
	out=$(nvme supported-log-pages "$NVME_DEV" 2>&1)
	has "LID 0xe \\(LBA Status Information\\), supports 0x1" "$out" && ok "supported-log-pages: 0Eh" ||
		not_ok "supported-log-pages: no LBA Status Information"
	# the earlier tests healed every block they made uncorrectable
	expect_gls "none yet" "nlsd=0 cmpc=2" 0 15 0x11 0
	lsi; expect_eq "lba-status-log: none yet" "$LSI" "len=16 ns=0 est=0"
	gen=$LSGC
	expect_status "write-uncor 4100..4103" 0x0 nvme write-uncor "$NVME_NS" -s 4100 -c 3
	expect_status "write-uncor 6000" 0x0 nvme write-uncor "$NVME_NS" -s 6000 -c 0
	expect_status "write-uncor 70000..70009" 0x0 nvme write-uncor "$NVME_NS" -s 70000 -c 9
	# room for 3 descriptors and a half: all three, Completion Condition 2h
	local all="4100+4/1 6000+1/1 70000+10/1"
	expect_gls "tracked (11h), whole namespace (RL 0)" "nlsd=3 cmpc=2 $all" 0 15 0x11 0
	expect_gls "scan (10h), whole namespace" "nlsd=3 cmpc=2 $all" 0 15 0x10 0
	expect_gls "room for one: CMPC 1h" "nlsd=1 cmpc=1 4100+4/1" 0 5 0x11 0
	expect_gls "room for none (MNDW 1)" "nlsd=0 cmpc=1" 0 1 0x11 0
	expect_gls "SLBA and RL cut the runs" "nlsd=2 cmpc=2 4102+2/1 6000+1/1" 4102 15 0x11 1899
	expect_gls "a range with none" "nlsd=0 cmpc=2" 4104 15 0x11 1896
	expect_gls "RL past the end" "nlsd=0 cmpc=2" $((NB - 1)) 15 0x11 0xffff
	lsi; expect_eq "lba-status-log lists them" "$LSI" "len=80 ns=1 est=0 1/17 4100+4 6000+1 70000+10"
	[ "$LSGC" != "$gen" ] && ok "LSGC changed ($gen -> $LSGC)" || not_ok "LSGC unchanged ($gen)"
	# bad fields: ATYPE 02h (Invalid Field, CDW13 byte 3), SLBA, NSID
	expect_status "get-lba-status --action=2" 0x4002 \
		nvme get-lba-status "$NVME_DEV" -n 1 -s 0 -m 15 -a 2 -l 0
	out=$(nvme error-log "$NVME_DEV" -e 1 2>&1); fld "$out" 'parm_err[a-z_]*'
	expect_eq "error-log: ATYPE's location (byte 55)" "$((FLD))" 55
	expect_status "get-lba-status past the namespace" 0x4080 \
		nvme get-lba-status "$NVME_DEV" -n 1 -s "$NB" -m 15 -a 17
	expect_status "get-lba-status of namespace 3" 0x400b \
		nvme get-lba-status "$NVME_DEV" -n 3 -s 0 -m 15 -a 17
	# nvme-cli 2.3 itself: libnvme 1.3's nvme_get_lba_status() sets no
	# data_len, so the kernel maps no buffer and PRP1 is 0; the controller
	# answers Data Transfer Error. A later nvme-cli must list the ranges.
	out=$(nvme get-lba-status "$NVME_DEV" -n 1 -s 0 -m 15 -a 17 -l 0 2>&1)
	if [[ $out =~ \(0x4\) ]]; then
		ok "get-lba-status (nvme-cli $(nvme version | head -1 | cut -d' ' -f3)): no data buffer sent, Data Transfer Error"
	elif [[ $out == *4100* && $out == *6000* && $out == *70000* ]]; then
		ok "get-lba-status lists the three ranges"
	else
		not_ok "get-lba-status: $out"
	fi
	# rewritten: none left
	rnd 10 "$SCRATCH/l"
	put "$SCRATCH/l" 4100 0 4 && put "$SCRATCH/l" 6000 0 1 && put "$SCRATCH/l" 70000 0 10 ||
		not_ok "rewrite"
	expect_gls "none after the rewrite" "nlsd=0 cmpc=2" 0 15 0x11 0
	gen=$LSGC
	lsi; expect_eq "lba-status-log: none after the rewrite" "$LSI" "len=16 ns=0 est=0"
	[ "$LSGC" != "$gen" ] && ok "LSGC changed again ($gen -> $LSGC)" || not_ok "LSGC unchanged ($gen)"
}

# Format NVM forgets the uncorrectable blocks with the data
t_format_heals() {
	expect_status "write-uncor" 0x0 nvme write-uncor "$NVME_NS" -s 5000 -c 7
	check "nvme format" nvme format "$NVME_NS" --lbaf=0 --ses=0 --force
	udev_settle_ns
	expect_status "read after format" 0x0 nvme read "$NVME_NS" -s 5000 -c 7 -z 4096 -d "$SCRATCH/ur"
}

t_unload() { unload_module; }

run_test load t_load
run_test identify t_identify
run_test effects_log t_effects
run_test compare t_compare
run_test dsm t_dsm
run_test discard t_discard
run_test fio_trim t_fio_trim
run_test verify t_verify
run_test write_uncor t_write_uncor
run_test copy t_copy
run_test lba_status t_lba_status
run_test format_heals t_format_heals
run_test unload t_unload
finish
