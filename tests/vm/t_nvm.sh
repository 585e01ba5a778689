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
# out of the namespace with their statuses, nothing changed by them.
. "$NVMEV_DIR/tests/vm/lib.sh"

PARAMS="blk_size=64M"
NB=$(( (64 << 20) / 512 ))   # namespace 1's blocks

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

# put FILE LBA: FILE's blocks at LBA (O_DIRECT)
put() { dd if="$1" of="$NVME_NS" bs=512 seek="$2" oflag=direct conv=notrunc status=none; }
# get LBA N FILE: N blocks from LBA into FILE
get() { dd if="$NVME_NS" of="$3" bs=512 skip="$1" count="$2" iflag=direct status=none; }
# rnd N FILE: N random blocks
rnd() { head -c $(($1 * 512)) /dev/urandom > "$2"; }

# reads_equal DESC LBA FILE: the blocks at LBA read back as FILE
reads_equal() {
	local n=$(( $(stat -c %s "$3") / 512 ))
	if get "$2" "$n" "$SCRATCH/re" && cmp -s "$SCRATCH/re" "$3"; then ok "$1"
	else not_ok "$1: blocks $2..$(($2 + n - 1)) differ"; fi
}

# reads_zero DESC LBA N: the N blocks at LBA read back as zeroes
reads_zero() {
	if get "$2" "$3" "$SCRATCH/rz" && cmp -s -n $(($3 * 512)) "$SCRATCH/rz" /dev/zero &&
	   [ "$(stat -c %s "$SCRATCH/rz")" = $(($3 * 512)) ]; then ok "$1"
	else not_ok "$1: blocks $2..$(($2 + $3 - 1)) are not zeroes"; fi
}

t_load() { load_module $PARAMS; }

t_identify() {
	local out
	out=$(nvme id-ctrl "$NVME_DEV" 2>&1) || { not_ok "id-ctrl: $out"; return 1; }
	# Compare, Write Uncorrectable, DSM, Write Zeroes, Save/Select,
	# Timestamp, Verify, Copy
	expect_eq "id-ctrl oncs" "$(( $(field "$out" oncs) ))" $((0x1df))
	expect_eq "id-ctrl ocfs (copy format 0)" "$(( $(field "$out" ocfs) ))" 1
	expect_eq "id-ctrl vwc" "$(( $(field "$out" vwc) & 1 ))" 1
	out=$(nvme id-ns "$NVME_NS" 2>&1) || { not_ok "id-ns: $out"; return 1; }
	expect_eq "id-ns dlfeat (deallocated reads zeroes, DEAC)" "$(( $(field "$out" dlfeat) ))" 9
	expect_eq "id-ns mssrl" "$(( $(field "$out" mssrl) ))" 2048
	expect_eq "id-ns mcl" "$(( $(field "$out" mcl) ))" 4096
	expect_eq "id-ns msrc (0-based)" "$(( $(field "$out" msrc) ))" 127
	# the block layer took DSM for discard
	local q=/sys/block/${NVME_NS#/dev/}/queue
	expect_eq "discard_granularity" "$(cat $q/discard_granularity)" 512
	[ "$(cat $q/discard_max_hw_bytes)" -gt 0 ] && ok "discard_max_hw_bytes $(cat $q/discard_max_hw_bytes)" ||
		not_ok "no discard: discard_max_hw_bytes 0"
	expect_eq "max_discard_segments" "$(cat $q/max_discard_segments)" 256
}

t_effects() {
	local out op
	out=$(nvme effects-log "$NVME_DEV" --csi=0 2>&1) || { not_ok "effects-log: $out"; return 1; }
	# CSUPP, and LBCC where blocks change
	for op in 4 9 25 1 8; do
		expect_match "effects-log: IOCS$op CSUPP LBCC" "$out" "^IOCS$op +\\[.*\\] +0*3\$"
	done
	for op in 5 12 2; do
		expect_match "effects-log: IOCS$op CSUPP" "$out" "^IOCS$op +\\[.*\\] +0*1\$"
	done
	if printf '%s\n' "$out" | grep -Eq '^IOCS(13|17|20|21) '; then
		not_ok "effects-log lists a command that is not supported"
	else ok "effects-log: nothing else of the NVM set"; fi
}

t_compare() {
	rnd 8 "$SCRATCH/c"
	put "$SCRATCH/c" 64 || { not_ok "write"; return 1; }
	expect_status "compare equal data" 0x0 \
		nvme compare "$NVME_NS" -s 64 -c 7 -z 4096 -d "$SCRATCH/c"
	cp "$SCRATCH/c" "$SCRATCH/c2"
	printf 'X' | dd of="$SCRATCH/c2" bs=1 seek=4000 conv=notrunc status=none
	expect_status "compare data differing in the last block" 0x4285 \
		nvme compare "$NVME_NS" -s 64 -c 7 -z 4096 -d "$SCRATCH/c2"
	expect_status "compare beyond the namespace" 0x4080 \
		nvme compare "$NVME_NS" -s $((NB - 4)) -c 7 -z 4096 -d "$SCRATCH/c"
	reads_equal "compare changed nothing" 64 "$SCRATCH/c"
}

t_dsm() {
	rnd 64 "$SCRATCH/d"
	put "$SCRATCH/d" 1024 || { not_ok "write"; return 1; }
	expect_status "dsm --ad of two ranges" 0x0 \
		nvme dsm "$NVME_NS" -n 1 --ad -s 1032,1064 -b 8,16
	reads_zero "deallocated range 1 reads zeroes" 1032 8
	reads_zero "deallocated range 2 reads zeroes" 1064 16
	head -c 4096 "$SCRATCH/d" > "$SCRATCH/d0"
	reads_equal "blocks before the ranges kept" 1024 "$SCRATCH/d0"
	dd if="$SCRATCH/d" of="$SCRATCH/d1" bs=512 skip=16 count=24 status=none
	reads_equal "blocks between the ranges kept" 1040 "$SCRATCH/d1"
	dd if="$SCRATCH/d" of="$SCRATCH/d2" bs=512 skip=56 count=8 status=none
	reads_equal "blocks after the ranges kept" 1080 "$SCRATCH/d2"
	# integral read/write hints without AD: accepted, nothing changes
	expect_status "dsm --idr --idw (hints only)" 0x0 \
		nvme dsm "$NVME_NS" -n 1 --idr --idw -s 1024 -b 8
	reads_equal "hints changed nothing" 1024 "$SCRATCH/d0"
	# 256 ranges of one block each: the most NR says
	local s="" b="" i
	for ((i = 0; i < 256; i++)); do s+="$((2048 + 2 * i)),"; b+="1,"; done
	rnd 512 "$SCRATCH/d256"
	put "$SCRATCH/d256" 2048
	expect_status "dsm --ad of 256 ranges" 0x0 \
		nvme dsm "$NVME_NS" -n 1 --ad -s "${s%,}" -b "${b%,}"
	reads_zero "range 0 of 256 zeroed" 2048 1
	reads_zero "range 255 of 256 zeroed" $((2048 + 510)) 1
	dd if="$SCRATCH/d256" of="$SCRATCH/d3" bs=512 skip=511 count=1 status=none
	reads_equal "block between ranges 255 and the end kept" 2559 "$SCRATCH/d3"
	# a range beyond the namespace: LBA Out of Range, nothing deallocated
	put "$SCRATCH/d" 1024
	expect_status "dsm with a range beyond the namespace" 0x4080 \
		nvme dsm "$NVME_NS" -n 1 --ad -s 1024,$((NB - 4)) -b 8,8
	reads_equal "refused dsm deallocated nothing" 1024 "$SCRATCH/d"
}

t_blkdiscard() {
	rnd 2048 "$SCRATCH/b"
	put "$SCRATCH/b" 8192 || { not_ok "write"; return 1; }
	check "blkdiscard 1 MiB at 4 MiB" blkdiscard -o $((4 << 20)) -l $((1 << 20)) "$NVME_NS"
	reads_zero "discarded MiB reads zeroes" 8192 2048
	rnd 16 "$SCRATCH/b"
	put "$SCRATCH/b" $((NB - 16))
	check "blkdiscard of the whole namespace" blkdiscard "$NVME_NS"
	reads_zero "last blocks read zeroes" $((NB - 16)) 16
	# Write Zeroes through the block layer and with DEAC from nvme-cli
	put "$SCRATCH/b" 300
	check "blkdiscard -z (Write Zeroes)" blkdiscard -z -o $((300 * 512)) -l 8192 "$NVME_NS"
	reads_zero "zeroed range" 300 16
	put "$SCRATCH/b" 300
	expect_status "write-zeroes --deac" 0x0 nvme write-zeroes "$NVME_NS" -s 300 -c 15 --deac
	reads_zero "write-zeroes --deac range reads zeroes" 300 16
}

t_fio_trim() {
	local common="--filename=$NVME_NS --direct=1 --ioengine=libaio --iodepth=8 --offset=16M --size=4M"
	fio_run "fio write pattern" --name=fill $common --rw=write --bs=64k --verify_pattern=0xa5
	# terse output has no trim figures: fio's exit status and err= say it
	local out rc=0
	out=$(timeout 120 fio --name=trim $common --rw=trim --bs=128k 2>&1) || rc=$?
	if [ $rc -eq 0 ] && printf '%s\n' "$out" | grep -q 'err= 0' &&
	   printf '%s\n' "$out" | grep -Eq 'trim: IOPS='; then ok "fio --rw=trim"
	else not_ok "fio --rw=trim: exit $rc"; printf '%s\n' "$out" | tail -15 | sed 's/^/    | /'; fi
	reads_zero "trimmed 4 MiB reads zeroes (first MiB)" $(((16 << 20) / 512)) 2048
	reads_zero "trimmed 4 MiB reads zeroes (last MiB)" $(((19 << 20) / 512)) 2048
	# what the trim left, checked by fio: a verify-only pass of pattern 00h
	fio_run "fio verify_only: the trimmed range reads pattern 0x00" --name=trimchk $common \
		--rw=write --bs=128k --verify=pattern --verify_pattern=0x00 --verify_only=1 --verify_fatal=1
	# trims and writes interleaved on the same blocks, verified
	fio_run "fio --rw=trimwrite verify=crc32c" --name=trimw --filename="$NVME_NS" \
		--direct=1 --ioengine=libaio --iodepth=4 --offset=24M --size=2M \
		--rw=trimwrite --bs=16k --verify=crc32c --verify_fatal=1 --do_verify=1
}

t_verify() {
	expect_status "verify of readable blocks" 0x0 nvme verify "$NVME_NS" -s 0 -c 1023
	expect_status "verify of 65536 blocks" 0x0 nvme verify "$NVME_NS" -s 0 -c 65535
	expect_status "verify beyond the namespace" 0x4080 nvme verify "$NVME_NS" -s $((NB - 8)) -c 8
}

t_write_uncor() {
	local before after
	before=$(field "$(nvme smart-log "$NVME_DEV" 2>&1)" media_errors)
	rnd 16 "$SCRATCH/u"
	put "$SCRATCH/u" 4096 || { not_ok "write"; return 1; }
	expect_status "write-uncor of blocks 4100..4103" 0x0 nvme write-uncor "$NVME_NS" -s 4100 -c 3
	expect_status "read of an uncorrectable block" 0x4281 \
		nvme read "$NVME_NS" -s 4103 -c 0 -z 512 -d "$SCRATCH/ur"
	expect_status "read over uncorrectable blocks" 0x4281 \
		nvme read "$NVME_NS" -s 4096 -c 15 -z 8192 -d "$SCRATCH/ur"
	expect_status "read next to them" 0x0 \
		nvme read "$NVME_NS" -s 4096 -c 3 -z 2048 -d "$SCRATCH/ur"
	if get 4096 16 "$SCRATCH/ur" 2>/dev/null; then not_ok "dd read over uncorrectable blocks succeeded"
	else ok "dd read over uncorrectable blocks fails (EIO)"; fi
	expect_status "compare of an uncorrectable block" 0x4281 \
		nvme compare "$NVME_NS" -s 4096 -c 7 -z 4096 -d "$SCRATCH/u"
	expect_status "verify of an uncorrectable block" 0x4281 nvme verify "$NVME_NS" -s 4000 -c 127
	after=$(field "$(nvme smart-log "$NVME_DEV" 2>&1)" media_errors)
	[ "$((after))" -gt "$((before))" ] && ok "SMART media_errors $before -> $after" ||
		not_ok "SMART media_errors did not grow: $before -> $after"
	# healed by a write (one block), Write Zeroes (one), deallocate (two)
	dd if="$SCRATCH/u" of="$SCRATCH/u1" bs=512 skip=4 count=1 status=none
	put "$SCRATCH/u1" 4100
	expect_status "read of the rewritten block" 0x0 nvme read "$NVME_NS" -s 4100 -c 0 -z 512 -d "$SCRATCH/ur"
	expect_status "the next block still fails" 0x4281 nvme read "$NVME_NS" -s 4101 -c 0 -z 512 -d "$SCRATCH/ur"
	expect_status "write-zeroes of 4101" 0x0 nvme write-zeroes "$NVME_NS" -s 4101 -c 0
	expect_status "dsm --ad of 4102..4103" 0x0 nvme dsm "$NVME_NS" -n 1 --ad -s 4102 -b 2
	expect_status "verify after healing" 0x0 nvme verify "$NVME_NS" -s 4000 -c 127
	reads_equal "rewritten block" 4100 "$SCRATCH/u1"
	reads_zero "zeroed and deallocated blocks" 4101 3
	expect_status "write-uncor beyond the namespace" 0x4080 \
		nvme write-uncor "$NVME_NS" -s $((NB - 2)) -c 3
	# 65536 blocks at once (not block 0: blkdiscard reads it first), healed
	# by a discard of them all
	expect_status "write-uncor of 65536 blocks" 0x0 nvme write-uncor "$NVME_NS" -s 32768 -c 65535
	expect_status "read of the last of them" 0x4281 nvme read "$NVME_NS" -s 98303 -c 0 -z 512 -d "$SCRATCH/ur"
	check "blkdiscard heals" blkdiscard -o $((32768 * 512)) -l $((65536 * 512)) "$NVME_NS"
	expect_status "verify of all 65536" 0x0 nvme verify "$NVME_NS" -s 32768 -c 65535
}

t_copy() {
	rnd 8 "$SCRATCH/s1"; rnd 4 "$SCRATCH/s2"; rnd 16 "$SCRATCH/s3"; rnd 2 "$SCRATCH/s4"
	put "$SCRATCH/s1" 10000; put "$SCRATCH/s2" 10100; put "$SCRATCH/s3" 10200; put "$SCRATCH/s4" 10300
	expect_status "copy of one range (8 blocks)" 0x0 nvme copy "$NVME_NS" -d 20000 -s 10000 -b 7
	reads_equal "destination reads back the source" 20000 "$SCRATCH/s1"
	reads_equal "source unchanged" 10000 "$SCRATCH/s1"
	expect_status "copy of four ranges" 0x0 \
		nvme copy "$NVME_NS" -d 21000 -s 10300,10000,10200,10100 -b 1,7,15,3
	cat "$SCRATCH/s4" "$SCRATCH/s1" "$SCRATCH/s3" "$SCRATCH/s2" > "$SCRATCH/all"
	reads_equal "destination is the ranges in list order" 21000 "$SCRATCH/all"
	# overlapping source and destination: as if read before written
	put "$SCRATCH/s3" 22000
	expect_status "copy 16 blocks 4 blocks forward onto themselves" 0x0 \
		nvme copy "$NVME_NS" -d 22004 -s 22000 -b 15
	reads_equal "overlapping copy forward" 22004 "$SCRATCH/s3"
	put "$SCRATCH/s3" 23004
	expect_status "copy 16 blocks 4 blocks back onto themselves" 0x0 \
		nvme copy "$NVME_NS" -d 23000 -s 23004 -b 15
	reads_equal "overlapping copy back" 23000 "$SCRATCH/s3"
	# the limits: MSSRL 2048, MCL 4096 blocks, MSRC 127 (128 ranges)
	expect_status "copy of the most one range may hold" 0x0 nvme copy "$NVME_NS" -d 40000 -s 30000 -b 2047
	expect_status "copy of MCL in two ranges" 0x0 nvme copy "$NVME_NS" -d 40000 -s 30000,34000 -b 2047,2047
	expect_status "copy of a range beyond MSSRL" 0x4183 nvme copy "$NVME_NS" -d 40000 -s 30000 -b 2048
	expect_status "copy beyond MCL" 0x4183 \
		nvme copy "$NVME_NS" -d 40000 -s 30000,34000,38000 -b 2047,2047,0
	local i s="" b=""
	for ((i = 0; i < 128; i++)); do s+="$((50000 + i)),"; b+="0,"; done
	expect_status "copy of 128 ranges (MSRC)" 0x0 nvme copy "$NVME_NS" -d 51000 -s "${s%,}" -b "${b%,}"
	dd if="$NVME_NS" of="$SCRATCH/r128" bs=512 skip=50000 count=128 iflag=direct status=none
	reads_equal "128 one-block ranges" 51000 "$SCRATCH/r128"
	head -c $((129 * 32)) /dev/zero > "$SCRATCH/ranges129"
	expect_status "copy of 129 ranges (io-passthru)" 0x4183 \
		nvme io-passthru "$NVME_NS" --opcode=0x19 --namespace-id=1 --cdw10=60000 \
		--cdw12=128 --data-len=$((129 * 32)) --input-file="$SCRATCH/ranges129" -w
	expect_status "copy with descriptor format 1" 0x4002 \
		nvme copy "$NVME_NS" -d 40000 -s 30000 -b 0 -F 1
	expect_status "copy to beyond the namespace" 0x4080 nvme copy "$NVME_NS" -d $((NB - 4)) -s 10000 -b 7
	expect_status "copy from beyond the namespace" 0x4080 nvme copy "$NVME_NS" -d 20000 -s $((NB - 4)) -b 7
	reads_equal "refused copies left the destination" 20000 "$SCRATCH/s1"
	# an uncorrectable source fails the copy; the destination is healed by
	# a copy of readable blocks
	expect_status "write-uncor of a source block" 0x0 nvme write-uncor "$NVME_NS" -s 10205 -c 0
	expect_status "copy from an uncorrectable block" 0x4281 \
		nvme copy "$NVME_NS" -d 24000 -s 10000,10200 -b 7,15
	expect_status "copy onto it heals it" 0x0 nvme copy "$NVME_NS" -d 10205 -s 10000 -b 0
	expect_status "read of the copied-onto block" 0x0 nvme read "$NVME_NS" -s 10205 -c 0 -z 512 -d "$SCRATCH/ur"
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
run_test blkdiscard t_blkdiscard
run_test fio_trim t_fio_trim
run_test verify t_verify
run_test write_uncor t_write_uncor
run_test copy t_copy
run_test format_heals t_format_heals
run_test unload t_unload
finish
