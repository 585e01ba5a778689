#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest: Namespace Management and Attachment (issue 15) through the real
# nvme CLI: Identify's OACS, NN, TNVMCAP/UNVMCAP; `nvme create-ns` of a
# block namespace (CSI 0) and a KV namespace (CSI 1) from the capacity
# ns_pool_size leaves unallocated; `attach-ns` makes the host see them (a
# block device for CSI 0, a char device for CSI 1), fio verifies on the
# block one, kvclient's randomized KV Command Set client runs on the KV
# one, the LBA Status Information log lists the block one's uncorrectable
# blocks beside namespace 1's; `detach-ns` makes them go, `delete-ns` returns the capacity.
# Created namespaces (extent, attachment, data) survive an unload. Then
# the limits: capacity exhausted (Namespace Insufficient Capacity), NSIDs
# exhausted (Namespace Identifier Unavailable), the bad requests with
# their statuses; a deleted namespace 2 stays deleted across a load,
# fresh=1 forgets it all. Namespace 1's blocks and namespace 2's keys are
# checked untouched throughout, until namespace 2 itself is deleted.
. "$NVMEV_DIR/tests/vm/lib.sh"
. "$NVMEV_DIR/tests/vm/kv_lib.sh"

POOL_MIB=256
PARAMS="ns_pool_size=${POOL_MIB}M blk_size=64M"
MIB=$((1 << 20))

idctrl() { nvme id-ctrl "$NVME_DEV" 2>&1; }
unvmcap() { field "$(idctrl)" unvmcap; }

# create CSI SIZE: create-ns, the new NSID in NSID (nsze in blocks for
# CSI 0, bytes for CSI 1, as the specification has them)
create() {
	local out
	out=$(nvme create-ns "$NVME_DEV" --nsze="$2" --ncap="$2" --flbas=0 --csi="$1" 2>&1)
	NSID=$(printf '%s\n' "$out" | sed -n 's/.*created nsid:[ ]*\([0-9]*\).*/\1/p')
	[ -n "$NSID" ] || { not_ok "create-ns csi $1 nsze $2: $out"; return 1; }
	ok "create-ns csi $1 nsze $2: nsid $NSID"
}

# blkdev_of NSID: the block device of namespace NSID, if the host has one
blkdev_of() {
	local b id
	for b in /sys/block/nvme${NVME_DEV#/dev/nvme}n[0-9]*; do
		sysfs_get id $b/nsid
		[ "$id" = "$1" ] && [ -b "/dev/${b##*/}" ] &&
			{ echo "/dev/${b##*/}"; return 0; }
	done
	return 1
}

# wait_for COND...: up to 20 s for COND to succeed
wait_for() {
	local end=$((SECONDS + 20))
	while [ $SECONDS -le $end ]; do "$@" > /dev/null 2>&1 && return 0; nap 0.2; done
	return 1
}
gone() { ! "$@"; }

# the host driver's AEN tracepoint, to see the notices arrive
TRACEFS=/sys/kernel/tracing
aen_trace_on() {
	[ -d $TRACEFS/events ] || mount -t tracefs nodev $TRACEFS 2>/dev/null
	echo > $TRACEFS/trace
	echo 1 > $TRACEFS/events/nvme/nvme_async_event/enable ||
		not_ok "no nvme_async_event tracepoint"
}

t_load() {
	load_module $PARAMS || return 1
	# namespace 1's first MiB and a key in namespace 2: checked at the end
	head -c $MIB /dev/urandom > "$SCRATCH/ns1"
	dd if="$SCRATCH/ns1" of="$NVME_NS" bs=$MIB count=1 oflag=direct conv=nocreat status=none
	NG2=$(ns_ngdev 2) || { not_ok "no char device of namespace 2"; return 1; }
	expect_kvs "a key in namespace 2" 0 "stored" '' store "$NG2" keep-me value-of-ns2
}

t_identify() {
	local out
	out=$(idctrl)
	fld=$(field "$out" oacs)
	expect_eq "OACS: Namespace Management (bit 3)" $(( fld >> 3 & 1 )) 1
	expect_eq "NN" "$(field "$out" nn)" 16
	expect_eq "TNVMCAP (the region but the 1 MiB BAR window)" "$(field "$out" tnvmcap)" $(( (1024 - 1) * MIB ))
	expect_eq "UNVMCAP (ns_pool_size)" "$(field "$out" unvmcap)" $((POOL_MIB * MIB))
	expect_eq "OAES: Namespace Attribute Notices (bit 8)" $(( $(field "$out" oaes) >> 8 & 1 )) 1
	out=$(nvme list-ctrl "$NVME_DEV" -n 1 2>&1)
	expect_match "list-ctrl of namespace 1" "$out" '0x1'
	expect_match "Identify NS 1: NVMCAP = blk_size" "$(nvme id-ns "$NVME_DEV" -n 1 2>&1)" "nvmcap *: $((64 * MIB))"
}

# A block namespace: made, seen after attach, used (fio verify), detached
t_block_ns() {
	local dev out
	create 0 $((64 * MIB / 512)) || return 1
	BLK=$NSID
	expect_eq "UNVMCAP after 64 MiB" "$(unvmcap)" $(((POOL_MIB - 64) * MIB))
	expect_match "list-ns --all lists it" "$(nvme list-ns "$NVME_DEV" --all 2>&1)" ":0x$(printf %x $BLK)\$"
	out=$(nvme list-ns "$NVME_DEV" 2>&1)
	if [[ $out =~ :0x$(printf %x $BLK)$'\n' || $out =~ :0x$(printf %x $BLK)$ ]]; then
		not_ok "list-ns (active) lists the detached namespace $BLK"
	else ok "list-ns (active) does not list it before attach"; fi
	expect_match "id-ns before attach: zeros" "$(nvme id-ns "$NVME_DEV" -n $BLK 2>&1)" 'nsze *: 0$'
	aen_trace_on
	expect_status "attach-ns" 0x0 nvme attach-ns "$NVME_DEV" -n $BLK -c 1
	wait_for blkdev_of $BLK || { not_ok "no block device for namespace $BLK after attach"; return 1; }
	# the host enabled Namespace Attribute Notices (OAES bit 8): one came
	# (type 2h notice, info 0h, log 04h) and the driver read the log
	wait_for grep -q 'NVME_AEN=0x0*40002' "$TRACEFS/trace" &&
		ok "a Namespace Attribute Notice (AEN 0x040002)" ||
		not_ok "no Namespace Attribute Notice: $(grep -i aen "$TRACEFS/trace" | tail -3)"
	echo 0 > "$TRACEFS/events/nvme/nvme_async_event/enable"
	dev=$(blkdev_of $BLK)
	expect_eq "its size" "$(blockdev --getsize64 "$dev")" $((64 * MIB))
	expect_match "list-ctrl of it" "$(nvme list-ctrl "$NVME_DEV" -n $BLK 2>&1)" '0x1'
	cmp -s -n $MIB /dev/zero "$dev" && ok "a new namespace reads zeroes" || not_ok "a new namespace does not read zeroes"
	fio_run "fio verify on namespace $BLK" --name=ns --filename="$dev" --direct=1 --rw=randwrite \
		--bs=4k --size=8M --iodepth=8 --ioengine=libaio --verify=crc32c --do_verify=1
	# its uncorrectable blocks are its own: the LBA Status Information log
	# has an element for it and one for namespace 1 (Get LBA Status: t_nvm)
	expect_status "write-uncor on it" 0x0 nvme write-uncor "$dev" -s 40000 -c 1
	expect_status "write-uncor on namespace 1" 0x0 nvme write-uncor "$NVME_NS" -s 5000 -c 0
	out=$(nvme lba-status-log "$NVME_DEV" -o json 2>&1 | tr -d ' \n')
	expect_match "lba-status-log: namespace 1 and $BLK" "$out" \
		"\"nlslne\":2,.*\\{\"neid\":1,\"nlrd\":1,\"ratype\":17,\"descs\":\\[\\{\"rslba\":5000,\"rnlb\":1\\}\\]\\},\\{\"neid\":$BLK,\"nlrd\":1,\"ratype\":17,\"descs\":\\[\\{\"rslba\":40000,\"rnlb\":2\\}\\]\\}\\]"
	expect_status "get-lba-status past its end" 0x4080 \
		nvme get-lba-status "$NVME_DEV" -n $BLK -s $((64 * MIB / 512)) -m 15 -a 17
	expect_status "detach-ns" 0x0 nvme detach-ns "$NVME_DEV" -n $BLK -c 1
	wait_for gone blkdev_of $BLK && ok "its block device went" || not_ok "block device of $BLK still there"
	out=$(nvme lba-status-log "$NVME_DEV" -o json 2>&1 | tr -d ' \n')
	expect_match "lba-status-log after detach: namespace 1 only" "$out" \
		"\"nlslne\":1,.*\"neid\":1,\"nlrd\":1,"
	expect_status "get-lba-status of the detached one" 0x400b \
		nvme get-lba-status "$NVME_DEV" -n $BLK -s 0 -m 15 -a 17
	dd if=/dev/zero of="$NVME_NS" bs=512 seek=5000 count=1 oflag=direct conv=nocreat status=none
	expect_match "lba-status-log after namespace 1's rewrite: none" \
		"$(nvme lba-status-log "$NVME_DEV" -o json 2>&1 | tr -d ' \n')" '"lslplen":16,"nlslne":0,'
}

# A KV namespace: the KV Command Set and the vendor commands, its own keys
t_kv_ns() {
	local ng
	create 1 $((48 * MIB)) || return 1
	KVNS=$NSID
	expect_status "attach-ns" 0x0 nvme attach-ns "$NVME_DEV" -n $KVNS -c 1
	wait_for ns_ngdev $KVNS || { not_ok "no char device for namespace $KVNS"; return 1; }
	ng=$(ns_ngdev $KVNS)
	expect_match "its CSI" "$(nvme id-ns "$NVME_DEV" -n $KVNS 2>&1; nvme ns-descs "$NVME_DEV" -n $KVNS 2>&1)" 'csi *: 0x1'
	run_client "kvclient --csi kv random on namespace $KVNS" --csi kv random "$ng" --ops 1500 --seed 7 --wipe
	expect_eq "random: mismatches" "$(client_field mismatches)" 0
	expect_kvs "a KV Command Set store" 0 "stored" '' store "$ng" only-here in-ns-$KVNS
	expect_kvs "namespace 2 does not have it" 1 '' '' retrieve "$NG2" only-here
	expect_kvs "namespace $KVNS has it" 0 "^in-ns-$KVNS\$" '' retrieve "$ng" only-here
	grep -q "^ns${KVNS}_kv_keys:" "$KV_STATS" && ok "its statistics (ns${KVNS}_)" || not_ok "no ns${KVNS}_ lines in $KV_STATS"
	expect_status "detach-ns" 0x0 nvme detach-ns "$NVME_DEV" -n $KVNS -c 1
	wait_for gone ns_ngdev $KVNS && ok "its char device went" || not_ok "char device of $KVNS still there"
}

# Created namespaces survive an unload (fresh=0; the suites load with
# fresh=1): extent, kind, attachment, data
t_reload() {
	local dev ng out
	expect_status "attach $BLK" 0x0 nvme attach-ns "$NVME_DEV" -n $BLK -c 1
	wait_for blkdev_of $BLK || { not_ok "no block device for $BLK"; return 1; }
	dev=$(blkdev_of $BLK)
	head -c $MIB /dev/urandom > "$SCRATCH/blk"
	dd if="$SCRATCH/blk" of="$dev" bs=$MIB seek=3 oflag=direct conv=nocreat status=none
	expect_status "attach $KVNS" 0x0 nvme attach-ns "$NVME_DEV" -n $KVNS -c 1
	wait_for ns_ngdev $KVNS || { not_ok "no char device for $KVNS"; return 1; }
	expect_kvs "a key to keep" 0 stored '' store "$(ns_ngdev $KVNS)" persist-me kept-value
	expect_status "detach $KVNS" 0x0 nvme detach-ns "$NVME_DEV" -n $KVNS -c 1
	unload_module || return 1
	load_module $PARAMS fresh=0 || return 1
	out=$(nvme list-ns "$NVME_DEV" --all 2>&1 | tr '\n' ' ')
	expect_match "allocated after the reload" "$out" "0x$(printf %x $BLK) .*0x$(printf %x $KVNS)"
	wait_for blkdev_of $BLK && ok "namespace $BLK attached again" || { not_ok "no block device for $BLK after reload"; return 1; }
	dev=$(blkdev_of $BLK)
	dd if="$dev" of="$SCRATCH/blk-after" bs=$MIB skip=3 count=1 iflag=direct status=none
	cmp -s "$SCRATCH/blk" "$SCRATCH/blk-after" && ok "its data kept" || not_ok "namespace $BLK's data changed"
	ns_ngdev $KVNS > /dev/null && not_ok "namespace $KVNS attached after reload (was detached)" ||
		ok "namespace $KVNS still detached"
	expect_status "attach $KVNS" 0x0 nvme attach-ns "$NVME_DEV" -n $KVNS -c 1
	wait_for ns_ngdev $KVNS || { not_ok "no char device for $KVNS"; return 1; }
	ng=$(ns_ngdev $KVNS)
	expect_kvs "its key kept" 0 '^kept-value$' '' retrieve "$ng" persist-me
	expect_match "dmesg: the table" "$(dmesg | grep 'namespace table' | tail -3)" "namespace $KVNS: KV"
	expect_status "detach $KVNS" 0x0 nvme detach-ns "$NVME_DEV" -n $KVNS -c 1
	expect_status "detach $BLK" 0x0 nvme detach-ns "$NVME_DEV" -n $BLK -c 1
	wait_for gone blkdev_of $BLK
	NG2=$(ns_ngdev 2) || not_ok "no namespace 2 after the reload"
}

# A deleted namespace 2 stays deleted across a load; fresh=1 makes it again
t_reload_deleted() {
	unload_module || return 1
	load_module $PARAMS fresh=0 || return 1
	expect_match "allocated: namespace 1 only" "$(nvme list-ns "$NVME_DEV" --all 2>&1 | tr '\n' ' ')" '^ *\[ *0\]:0x1 *$'
	unload_module || return 1
	load_module $PARAMS fresh=1 || return 1
	wait_for ns_ngdev 2 && ok "fresh=1: namespace 2 from the parameters" || not_ok "fresh=1: no namespace 2"
	expect_eq "fresh=1: UNVMCAP" "$(unvmcap)" $((POOL_MIB * MIB))
}

# Detach and delete while the host is busy on the namespace: fio on a
# block namespace, kvclient on a KV one, the statistics read meanwhile.
# The device drains what it fetched; the host's driver removes the
# namespace under its users (their I/O fails), nothing WARNs or hangs.
# Format NVM of a created namespace, and of all of them (FFFFFFFFh)
t_format_created() {
	local dev ng
	create 0 $((8 * MIB / 512)) || return 1
	local b=$NSID
	create 1 $((36 * MIB)) || return 1
	local k=$NSID
	use_ns $b write
	expect_status "attach $b" 0x0 nvme attach-ns "$NVME_DEV" -n $b -c 1
	expect_status "attach $k" 0x0 nvme attach-ns "$NVME_DEV" -n $k -c 1
	wait_for blkdev_of $b && wait_for ns_ngdev $k || { not_ok "namespaces $b/$k not seen"; return 1; }
	dev=$(blkdev_of $b); ng=$(ns_ngdev $k)
	expect_kvs "a key in namespace $k" 0 stored '' store "$ng" fmt-key v
	check "format namespace $b (SES 1)" nvme format "$dev" --lbaf=0 --ses=1 --force
	wait_for blkdev_of $b; dev=$(blkdev_of $b)
	dd if="$dev" of="$SCRATCH/fmt" bs=$MIB skip=1 count=1 iflag=direct status=none
	cmp -s -n $MIB /dev/zero "$SCRATCH/fmt" && ok "namespace $b reads zeroes" || not_ok "namespace $b not erased"
	expect_kvs "namespace $k's key survives namespace $b's format" 0 '^v$' '' retrieve "$ng" fmt-key
	expect_status "format all namespaces (FFFFFFFFh)" 0x0 nvme admin-passthru "$NVME_DEV" --opcode=0x80 --namespace-id=0xffffffff --cdw10=0
	wait_for ns_ngdev $k; ng=$(ns_ngdev $k)
	expect_kvs "namespace $k's key gone" 1 '' '' retrieve "$ng" fmt-key
	expect_status "detach $b" 0x0 nvme detach-ns "$NVME_DEV" -n $b -c 1
	expect_status "detach $k" 0x0 nvme detach-ns "$NVME_DEV" -n $k -c 1
	expect_status "delete $b" 0x0 nvme delete-ns "$NVME_DEV" -n $b
	expect_status "delete $k" 0x0 nvme delete-ns "$NVME_DEV" -n $k
	# namespace 1 was formatted too: its sentinel goes; write it again
	dd if="$SCRATCH/ns1" of="$NVME_NS" bs=$MIB count=1 oflag=direct conv=nocreat status=none
	NG2=$(ns_ngdev 2) && expect_kvs "namespace 2's key again" 0 stored '' store "$NG2" keep-me value-of-ns2
}

t_detach_under_io() {
	local dev ng fpid cpid spid i
	create 0 $((32 * MIB / 512)) || return 1
	local b=$NSID
	create 1 $((40 * MIB)) || return 1
	local k=$NSID
	expect_status "attach $b" 0x0 nvme attach-ns "$NVME_DEV" -n $b -c 1
	expect_status "attach $k" 0x0 nvme attach-ns "$NVME_DEV" -n $k -c 1
	wait_for blkdev_of $b && wait_for ns_ngdev $k || { not_ok "namespaces $b/$k not seen"; return 1; }
	dev=$(blkdev_of $b); ng=$(ns_ngdev $k)
	# allow_file_create=0: when the node goes, fio must not make a regular
	# file in its place (devtmpfs could then not make the next node there)
	timeout 60 fio --name=busy --filename="$dev" --direct=1 --rw=randrw --bs=4k --size=16M \
		--iodepth=16 --ioengine=libaio --time_based --runtime=15 --allow_file_create=0 \
		> /dev/null 2>&1 &
	fpid=$!
	timeout 60 "$KVCLIENT" --csi kv random "$ng" --ops 30000 --seed 9 > /dev/null 2>&1 &
	cpid=$!
	( for ((i = 0; i < 400; i++)); do read -r -d '' _ < "$KV_STATS"; done; true ) &
	spid=$!
	sleep 3
	kill -0 $fpid 2>/dev/null && kill -0 $cpid 2>/dev/null && ok "fio and kvclient running" ||
		not_ok "fio or kvclient ended before the detach: nothing was under I/O"
	expect_status "detach $b under fio" 0x0 nvme detach-ns "$NVME_DEV" -n $b -c 1
	expect_status "delete $k under kvclient (attached)" 0x0 nvme delete-ns "$NVME_DEV" -n $k
	wait $fpid; wait $cpid
	ok "fio and kvclient ended (their I/O failed with the namespace gone)"
	[ -e "$dev" ] && ! [ -b "$dev" ] && not_ok "$dev is left as a non-device file" && rm -f "$dev"
	wait $spid && ok "the statistics read meanwhile" || not_ok "statistics reader failed"
	expect_status "delete $b" 0x0 nvme delete-ns "$NVME_DEV" -n $b
	# away from the first MiB, the sentinel others_untouched compares (a
	# random offset hit it one run in 16)
	quick_io 100 && ok "namespace 1 still works" || not_ok "namespace 1 I/O failed after the deletes"
}

t_bad_requests() {
	expect_status "create nsze 0" 0x4002 nvme create-ns "$NVME_DEV" --nsze=0 --ncap=0 --flbas=0
	expect_status "create ncap < nsze: Thin Provisioning Not Supported" 0x411b nvme create-ns "$NVME_DEV" --nsze=4096 --ncap=2048 --flbas=0
	expect_status "create ncap > nsze" 0x4002 nvme create-ns "$NVME_DEV" --nsze=2048 --ncap=4096 --flbas=0
	expect_status "create LBA format 1" 0x410a nvme create-ns "$NVME_DEV" --nsze=4096 --ncap=4096 --flbas=1
	expect_status "create above capacity" 0x4115 nvme create-ns "$NVME_DEV" --nsze=$((1 << 40)) --ncap=$((1 << 40)) --flbas=0
	expect_status "create CSI 2" 0x4029 nvme create-ns "$NVME_DEV" --nsze=4096 --ncap=4096 --flbas=0 --csi=2
	expect_status "create KV below 32 MiB" 0x4002 nvme create-ns "$NVME_DEV" --nsze=$MIB --ncap=$MIB --flbas=0 --csi=1
	expect_status "attach twice" 0x0 nvme attach-ns "$NVME_DEV" -n $BLK -c 1
	expect_status "attach twice (2)" 0x4118 nvme attach-ns "$NVME_DEV" -n $BLK -c 1
	expect_status "detach it" 0x0 nvme detach-ns "$NVME_DEV" -n $BLK -c 1
	expect_status "detach a detached one" 0x411a nvme detach-ns "$NVME_DEV" -n $BLK -c 1
	expect_status "attach to controller 5" 0x411c nvme attach-ns "$NVME_DEV" -n $BLK -c 5
	expect_status "attach unallocated 9" 0x400b nvme attach-ns "$NVME_DEV" -n 9 -c 1
	expect_status "delete namespace 1" 0x4002 nvme delete-ns "$NVME_DEV" -n 1
	expect_status "delete unallocated 9" 0x400b nvme delete-ns "$NVME_DEV" -n 9
}

# Deleting returns the capacity; then fill it, then every NSID
# use_ns NSID write|check: attach, write a MiB of the NSID's own pattern
# at block 2048 (or check it is there), detach
use_ns() {
	local dev rc=0
	nvme attach-ns "$NVME_DEV" -n "$1" -c 1 > /dev/null 2>&1 || { not_ok "attach $1"; return 1; }
	wait_for blkdev_of "$1" || { not_ok "no block device for $1"; return 1; }
	dev=$(blkdev_of "$1")
	yes "namespace $1 " | head -c $MIB > "$SCRATCH/pat.$1"
	if [ "$2" = write ]; then
		dd if="$SCRATCH/pat.$1" of="$dev" bs=$MIB seek=1 oflag=direct conv=nocreat status=none || rc=1
	else
		dd if="$dev" of="$SCRATCH/got.$1" bs=$MIB skip=1 count=1 iflag=direct status=none
		cmp -s "$SCRATCH/pat.$1" "$SCRATCH/got.$1" && ok "namespace $1 kept its own data" ||
			{ not_ok "namespace $1's data changed"; rc=1; }
	fi
	nvme detach-ns "$NVME_DEV" -n "$1" -c 1 > /dev/null 2>&1 || { not_ok "detach $1"; return 1; }
	wait_for gone blkdev_of "$1"
	return $rc
}

t_capacity() {
	local n=0 st out
	expect_status "delete $BLK" 0x0 nvme delete-ns "$NVME_DEV" -n $BLK
	expect_status "delete $KVNS" 0x0 nvme delete-ns "$NVME_DEV" -n $KVNS
	expect_eq "UNVMCAP back" "$(unvmcap)" $((POOL_MIB * MIB))
	# nvme-cli picks FLBAS from Identify Namespace FFFFFFFFh (common fields)
	expect_status "create-ns --block-size 512" 0x0 nvme create-ns "$NVME_DEV" --nsze=2048 --ncap=2048 --block-size=512
	expect_status "delete it" 0x0 nvme delete-ns "$NVME_DEV" -n $BLK
	# create, attach, use, detach, until the capacity is gone; then each
	# still has its own data
	local made=() id
	while out=$(nvme create-ns "$NVME_DEV" --nsze=$((64 * MIB / 512)) --ncap=$((64 * MIB / 512)) --flbas=0 2>&1); do
		id=$(printf '%s\n' "$out" | sed -n 's/.*created nsid:[ ]*\([0-9]*\).*/\1/p')
		made+=("$id")
		use_ns "$id" write || break
		[ ${#made[@]} -gt 8 ] && break
	done
	[[ $out =~ \((0x[0-9a-fA-F]+)\) ]] && st=${BASH_REMATCH[1]} || st="error: $out"
	expect_eq "64 MiB namespaces that fit in $POOL_MIB MiB" ${#made[@]} $((POOL_MIB / 64))
	expect_eq "then: Namespace Insufficient Capacity" "$st" 0x4115
	expect_eq "UNVMCAP when full" "$(unvmcap)" 0
	for id in "${made[@]}"; do use_ns "$id" check; done
	expect_status "delete them all (FFFFFFFFh, namespace 2 too)" 0x0 nvme delete-ns "$NVME_DEV" -n 0xffffffff
	wait_for gone ns_ngdev 2 && ok "namespace 2 went" || not_ok "namespace 2 still there"
	n=0
	while st=$(nvme_status nvme create-ns "$NVME_DEV" --nsze=2048 --ncap=2048 --flbas=0); [ "$st" = 0x0 ]; do
		n=$((n + 1)); [ $n -gt 16 ] && break
	done
	expect_eq "1 MiB namespaces: every NSID but 1" $n 15
	expect_eq "then: Namespace Identifier Unavailable" "$st" 0x4116
	expect_status "delete them all" 0x0 nvme delete-ns "$NVME_DEV" -n 0xffffffff
	expect_match "allocated: namespace 1 only" "$(nvme list-ns "$NVME_DEV" --all 2>&1 | tr '\n' ' ')" '^ *\[ *0\]:0x1 *$'
	create 1 $((300 * MIB)) && ok "a KV namespace in namespace 2's old place and the pool" &&
		expect_status "delete it" 0x0 nvme delete-ns "$NVME_DEV" -n $NSID
}

t_others_untouched() {
	dd if="$NVME_NS" of="$SCRATCH/ns1-after" bs=$MIB count=1 iflag=direct status=none
	cmp -s "$SCRATCH/ns1" "$SCRATCH/ns1-after" && ok "namespace 1's data untouched" ||
		not_ok "namespace 1's first MiB changed"
}

t_ns2_untouched() {
	expect_kvs "namespace 2's key" 0 '^value-of-ns2$' '' retrieve "$NG2" keep-me
}

t_unload() { unload_module; }

run_test load t_load
run_test identify t_identify
run_test block_ns t_block_ns
run_test kv_ns t_kv_ns
run_test reload t_reload
run_test ns2_untouched t_ns2_untouched
run_test format_created t_format_created
run_test detach_under_io t_detach_under_io
run_test bad_requests t_bad_requests
run_test capacity t_capacity
run_test others_untouched t_others_untouched
run_test reload_deleted t_reload_deleted
run_test unload t_unload
finish
