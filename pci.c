// SPDX-License-Identifier: GPL-2.0
/*
 * pci.c - the virtual PCI side: a root bus of our own whose config-space
 * accessors read and write an in-memory header, one NVMe-class function
 * (class 0x010802) with a 64-bit BAR0 backed by the first pages of the
 * reserved region, an MSI-X capability whose table lives in BAR0, and the
 * raising of MSI-X interrupts.
 *
 * BAR0 is ordinary (reserved) memory: the host's nvme driver ioremaps it
 * and writes registers and doorbells; the dispatcher reads the same bytes
 * through a memremap. Interrupts are raised by asking the interrupt's chip
 * to retrigger it, which on x86 sends the vector to its target CPU: the
 * host handler runs exactly as for a real MSI-X message.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/io.h>
#include <linux/irq.h>
#include <linux/ioport.h>
#include <linux/pci_regs.h>
#include "nvmev.h"

#define CFG_MSIX_CAP 0x40

static struct nvmev_dev *bus_to_dev(struct pci_bus *bus)
{
	return container_of(bus->sysdata, struct nvmev_dev, sysdata);
}

/*
 * Bits of each config-space byte the host may change; everything else is
 * read-only. Shared by the devices, written before the first one is visible. Byte-granular so 1-, 2- and 4-byte accesses at any offset
 * behave alike, and BAR sizing (write all ones, read back) works.
 */
static u8 cfg_wmask[256];

static void cfg_mask16(unsigned int off, u16 mask)
{
	cfg_wmask[off] = mask & 0xff;
	cfg_wmask[off + 1] = mask >> 8;
}

static void cfg_mask32(unsigned int off, u32 mask)
{
	cfg_mask16(off, mask & 0xffff);
	cfg_mask16(off + 2, mask >> 16);
}

static void cfg_init_wmask(void)
{
	memset(cfg_wmask, 0, sizeof(cfg_wmask));
	cfg_mask16(PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY |
					PCI_COMMAND_MASTER | PCI_COMMAND_PARITY |
					PCI_COMMAND_SERR |
					PCI_COMMAND_INTX_DISABLE);
	cfg_wmask[PCI_CACHE_LINE_SIZE] = 0xff;
	cfg_wmask[PCI_LATENCY_TIMER] = 0xff;
	cfg_mask32(PCI_BASE_ADDRESS_0, ~(NVMEV_BAR_SIZE - 1) & ~0xfu);
	cfg_mask32(PCI_BASE_ADDRESS_1, 0xffffffff);
	cfg_wmask[PCI_INTERRUPT_LINE] = 0xff;
	cfg_mask16(CFG_MSIX_CAP + PCI_MSIX_FLAGS,
		   PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
}

static void cfg_put16(u8 *cfg, unsigned int off, u16 v)
{
	cfg[off] = v & 0xff;
	cfg[off + 1] = v >> 8;
}

static void cfg_put32(u8 *cfg, unsigned int off, u32 v)
{
	cfg_put16(cfg, off, v & 0xffff);
	cfg_put16(cfg, off + 2, v >> 16);
}

static void cfg_init_header(struct nvmev_dev *dev)
{
	u8 *cfg = dev->config_space;
	u64 bar = dev->cfg.memmap_start;

	memset(cfg, 0, sizeof(dev->config_space));
	cfg_put16(cfg, PCI_VENDOR_ID, NVMEV_PCI_VENDOR);
	cfg_put16(cfg, PCI_DEVICE_ID, NVMEV_PCI_DEVICE);
	cfg_put16(cfg, PCI_STATUS, PCI_STATUS_CAP_LIST);
	cfg[PCI_CLASS_PROG] = 0x02; /* NVM Express */
	cfg_put16(cfg, PCI_CLASS_DEVICE, PCI_CLASS_STORAGE_EXPRESS >> 8);
	cfg[PCI_HEADER_TYPE] = PCI_HEADER_TYPE_NORMAL;
	cfg_put32(cfg, PCI_BASE_ADDRESS_0,
		  lower_32_bits(bar) | PCI_BASE_ADDRESS_MEM_TYPE_64);
	cfg_put32(cfg, PCI_BASE_ADDRESS_1, upper_32_bits(bar));
	cfg_put16(cfg, PCI_SUBSYSTEM_VENDOR_ID, NVMEV_PCI_VENDOR);
	cfg_put16(cfg, PCI_SUBSYSTEM_ID, NVMEV_PCI_DEVICE);
	cfg[PCI_CAPABILITY_LIST] = CFG_MSIX_CAP;

	/* MSI-X: one vector per queue, table and PBA in BAR0 */
	cfg[CFG_MSIX_CAP + PCI_CAP_LIST_ID] = PCI_CAP_ID_MSIX;
	cfg[CFG_MSIX_CAP + PCI_CAP_LIST_NEXT] = 0;
	cfg_put16(cfg, CFG_MSIX_CAP + PCI_MSIX_FLAGS, NVMEV_MSIX_VECTORS - 1);
	cfg_put32(cfg, CFG_MSIX_CAP + PCI_MSIX_TABLE, NVMEV_MSIX_TABLE_OFFSET);
	cfg_put32(cfg, CFG_MSIX_CAP + PCI_MSIX_PBA, NVMEV_MSIX_PBA_OFFSET);
}

static int nvmev_pci_read(struct pci_bus *bus, unsigned int devfn, int where,
			  int size, u32 *val)
{
	struct nvmev_dev *dev = bus_to_dev(bus);
	u32 v = 0;
	int i;

	if (devfn != 0) {
		*val = ~0u;
		return PCIBIOS_DEVICE_NOT_FOUND;
	}
	if (where < 0 || size < 1 || size > 4 || where + size > 256) {
		*val = 0;
		return PCIBIOS_SUCCESSFUL; /* no extended config space */
	}
	for (i = size - 1; i >= 0; i--)
		v = (v << 8) | dev->config_space[where + i];
	*val = v;
	return PCIBIOS_SUCCESSFUL;
}

static int nvmev_pci_write(struct pci_bus *bus, unsigned int devfn, int where,
			   int size, u32 val)
{
	struct nvmev_dev *dev = bus_to_dev(bus);
	int i;

	if (devfn != 0)
		return PCIBIOS_DEVICE_NOT_FOUND;
	if (where < 0 || size < 1 || size > 4 || where + size > 256)
		return PCIBIOS_SUCCESSFUL;
	for (i = 0; i < size; i++, val >>= 8) {
		u8 *b = &dev->config_space[where + i];
		u8 m = cfg_wmask[where + i];

		*b = (*b & ~m) | (val & m);
	}
	return PCIBIOS_SUCCESSFUL;
}

static struct pci_ops nvmev_pci_ops = {
	.read = nvmev_pci_read,
	.write = nvmev_pci_write,
};

u32 nvmev_reg_read32(struct nvmev_dev *dev, u32 off)
{
	return READ_ONCE(*(u32 *)(dev->bar + off));
}

u64 nvmev_reg_read64(struct nvmev_dev *dev, u32 off)
{
	/* the host may write the halves separately; read them the same way */
	return nvmev_reg_read32(dev, off) |
	       ((u64)nvmev_reg_read32(dev, off + 4) << 32);
}

void nvmev_reg_write32(struct nvmev_dev *dev, u32 off, u32 val)
{
	WRITE_ONCE(*(u32 *)(dev->bar + off), val);
}

void nvmev_reg_write64(struct nvmev_dev *dev, u32 off, u64 val)
{
	nvmev_reg_write32(dev, off, lower_32_bits(val));
	nvmev_reg_write32(dev, off + 4, upper_32_bits(val));
}

static void init_ctrl_regs(struct nvmev_dev *dev)
{
	memset(dev->bar, 0, NVMEV_BAR_SIZE);
	dev->cap = NVMEV_MQES | /* MQES */
		   (1ULL << 16) | /* CQR: queues must be contiguous */
		   (20ULL << 24) | /* TO: 10 s to become ready */
		   (1ULL << 37) | /* CSS: NVM command set */
		   (1ULL << 43); /* CSS: I/O command sets (CSI) */
	/* DSTRD = 0 (4-byte doorbells), MPSMIN = MPSMAX = 0 (4 KiB) */
	nvmev_reg_write64(dev, NVME_REG_CAP, dev->cap);
	nvmev_reg_write32(dev, NVME_REG_VS, NVME_VS(1, 4, 0));
	dev->db = (u32 *)(dev->bar + NVMEV_DB_OFFSET);
}

/**
 * nvmev_pci_create - build the bus and function, not yet visible to drivers
 * @dev: device with a validated config
 *
 * Return: 0 or -errno; on error nothing is left behind.
 */
int nvmev_pci_create(struct nvmev_dev *dev)
{
	struct pci_dev *pdev;
	int ret;

	dev->bar = memremap(dev->cfg.memmap_start, NVMEV_BAR_SIZE, MEMREMAP_WT);
	if (!dev->bar)
		return -ENOMEM;
	init_ctrl_regs(dev);
	/*
	 * The mask is the same for every device: made once, with device 0,
	 * before any host access; rewriting it later would race with the
	 * host's config writes to the devices already visible.
	 */
	if (!dev->index)
		cfg_init_wmask();
	cfg_init_header(dev);

	dev->sysdata.domain = NVMEV_PCI_DOMAIN + dev->index;
	dev->sysdata.node = NUMA_NO_NODE;
	dev->bus = pci_scan_bus(0, &nvmev_pci_ops, &dev->sysdata);
	if (!dev->bus) {
		pr_err("cannot create the virtual PCI bus\n");
		ret = -ENODEV;
		goto err_unmap;
	}
	pdev = list_first_entry_or_null(&dev->bus->devices, struct pci_dev,
					bus_list);
	if (!pdev) {
		pr_err("virtual PCI function not found on its bus\n");
		ret = -ENODEV;
		goto err_bus;
	}
	/* Claim BAR0 inside the reserved range so the driver can request it. */
	ret = insert_resource(&iomem_resource, &pdev->resource[0]);
	if (ret) {
		pr_err("cannot claim BAR0 %pR: %d\n", &pdev->resource[0], ret);
		goto err_bus;
	}
	dev->pdev = pdev;
	return 0;

err_bus:
	pci_remove_root_bus(dev->bus);
	dev->bus = NULL;
err_unmap:
	memunmap(dev->bar);
	dev->bar = NULL;
	return ret;
}

/* Let drivers bind: the nvme driver probes from here on. */
void nvmev_pci_add(struct nvmev_dev *dev)
{
	pci_bus_add_devices(dev->bus);
}

/*
 * Unbind the driver (it deletes its queues and shuts the controller down
 * through the dispatcher, which must still be running) and remove the bus.
 */
void nvmev_pci_remove(struct nvmev_dev *dev)
{
	struct pci_host_bridge *bridge;

	if (!dev->bus)
		return;
	bridge = to_pci_host_bridge(dev->bus->bridge);
	pci_stop_root_bus(dev->bus);
	pci_remove_root_bus(dev->bus);
	/*
	 * pci_remove_root_bus() only device_del()s the host bridge that
	 * pci_scan_bus() registered; drop its last reference (kmemleak found
	 * it leaking at every rmmod).
	 */
	pci_free_host_bridge(bridge);
	dev->bus = NULL;
	dev->pdev = NULL;
}

/* Unmap BAR0: only once no thread polls it any more. */
void nvmev_pci_unmap(struct nvmev_dev *dev)
{
	if (dev->bar)
		memunmap(dev->bar);
	dev->bar = NULL;
	dev->db = NULL;
}

#ifdef CONFIG_GENERIC_IRQ_INJECTION
static void raise_msi(int virq)
{
	irq_inject_interrupt(virq);
}
#else
/*
 * Kernels without irq_inject_interrupt() (a minimal debug config): the
 * chip's retrigger directly, skipped while the host has the irq disabled.
 * Without the descriptor's lock this races with a concurrent disable; the
 * Debian kernels this is built for have the injection interface.
 */
static void raise_msi(int virq)
{
	struct irq_data *data = irq_get_irq_data(virq);
	struct irq_chip *chip = data ? irq_data_get_irq_chip(data) : NULL;

	if (chip && chip->irq_retrigger && !irqd_irq_disabled(data))
		chip->irq_retrigger(data);
}
#endif

/**
 * nvmev_signal_irq - raise MSI-X vector @vector of the function
 * @dev: device
 * @vector: MSI-X table index
 *
 * Process context only (looking up the Linux irq takes a mutex). A vector
 * the host has not allocated, or MSI-X being off, raises nothing: the host
 * will find the completion when it polls or enables the vector.
 *
 * The message is "sent" by irq_inject_interrupt(): under the irq
 * descriptor's lock it checks that the irq is activated and resends it
 * through the chip's retrigger (an IPI with the vector, on x86), or marks
 * it pending if the host has disabled it, as a masked MSI-X vector would.
 * An interrupt already on its way (-EBUSY) covers this completion too: its
 * handler has not started yet, so it will see the entry.
 */
void nvmev_signal_irq(struct nvmev_dev *dev, u16 vector)
{
	struct pci_dev *pdev = dev->pdev;
	u16 ctrl;
	int virq;
	NVMEV_TRACE_FUNC();

	if (!pdev || !pdev->msix_enabled)
		return;
	ctrl = dev->config_space[CFG_MSIX_CAP + PCI_MSIX_FLAGS + 1] << 8;
	if (ctrl & PCI_MSIX_FLAGS_MASKALL)
		return;
	virq = pci_irq_vector(pdev, vector);
	if (virq <= 0)
		return;
	raise_msi(virq);
}
