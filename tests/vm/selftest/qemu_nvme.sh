#!/bin/bash
# Guest (harness self-test): QEMU's own emulated NVMe controller must show up
# and work with the same checks the module is held to.
. "$NVMEV_DIR/tests/vm/lib.sh"

t_qemu_nvme() {
	modprobe nvme || { not_ok "modprobe nvme"; return 1; }
	wait_nvme 30 || { not_ok "no QEMU NVMe namespace"; return 1; }
	local out; out=$(nvme list 2>&1)
	expect_match "nvme list shows $NVME_NS" "$out" "^$NVME_NS "
	out=$(nvme id-ctrl "$NVME_DEV")
	expect_eq "id-ctrl mn" "$(field "$out" mn)" "QEMU NVMe Ctrl"
	expect_eq "id-ctrl sqes" "$(field "$out" sqes)" 0x66
	quick_io 5 && ok "dd O_DIRECT round trip"
	fio_run "fio verify" --name=q --filename="$NVME_NS" --direct=1 --rw=randwrite --bs=4k --size=2M \
		--ioengine=libaio --iodepth=4 --verify=crc32c --verify_fatal=1
}

t_reset_window() {
	# an intended reset between the markers is not kernel trouble (vmrun's
	# fatal-pattern exit is checked from the host by scripts/vmrun-selftest)
	expect_reset_begin
	check "nvme reset" nvme reset "$NVME_DEV"
	expect_reset_end
	wait_nvme 30 && quick_io 9 && ok "I/O after reset"
}

run_test qemu-nvme t_qemu_nvme
run_test reset-window t_reset_window
finish
