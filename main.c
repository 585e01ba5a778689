// SPDX-License-Identifier: GPL-2.0
/*
 * main.c - module parameters and their validation, init/exit order.
 *
 * Every parameter is checked in validate_params() before anything is mapped,
 * allocated or registered: a bad one fails insmod with -EINVAL and one line
 * naming the parameter and the reason, and leaves the kernel as it was.
 *
 * Init order: validate every device's parameters -> per device, in order:
 * claim and map the reserved region -> KV store -> PCI bus and function (not
 * yet visible) -> workers and dispatcher -> let the nvme driver bind. Exit
 * runs it backwards, last device first; the nvme driver unbinds first and
 * shuts each controller down through its still-running dispatcher. A device
 * that fails to come up takes the ones before it down with it.
 *
 * Several devices: memmap_start=1G,1536M memmap_size=512M,256M makes two,
 * one per region (params.h). Each has its own threads (cpus=1:2, groups by
 * colons), PCI domain (NVMEV_PCI_DOMAIN + index), debugfs directory
 * (nvmev_kv/ for device 0, nvmev_kv/devN/ for the others), trace filter and
 * timing directory. nvmev_devices[] and nr_devices change only in init and
 * exit, which the module loader serialises: no lock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/cpumask.h>
#include <linux/io.h>
#include <linux/ioport.h>
#include <linux/ktime.h>
#include <linux/sysfs.h>
#include "nvmev.h"
#include "params.h"
#include "kv_ftl.h"

/*
 * The per-device parameters take one value for every device or one per
 * device, comma-separated (params.h); memmap_start's length is the number
 * of devices. A list parameter that was not given has n = 0 and its default.
 */
struct size_param {
	struct nvmev_u64_list l;
	u64 def; /* shown, and used, while not given */
};

static struct size_param memmap_start;
static struct size_param memmap_size;
static struct size_param blk_size = { .def = 64ULL << 20 };
static struct size_param kv_std_size;
static struct size_param ns_pool_size; /* unallocated at load */
static struct size_param kv_max_keys; /* 0: one key per 2 KiB of KV area */
static struct size_param io_queues = { .def = NVMEV_MAX_IO_QUEUES };

static_assert(NVMEV_BAR_BYTES == NVMEV_BAR_WINDOW);
static char *cpus;
static unsigned int poll_spin_us = 50;
static bool dispatch_inline = true;
static struct {
	int v[NVMEV_MAX_DEVICES];
	int n;
} kv_coding; /* n = 0: bytes */
static bool inject;
static bool fresh;
static char *timing = "pm983";

/* Devices the parameters ask for: memmap_start's length, at least 1 */
static int nr_devs;

/*
 * The device a message is about, after the parameter's name; nothing with
 * one device, so its messages stay as they always were.
 */
static const char *dev_tag(int i)
{
	static const char *const tags[NVMEV_MAX_DEVICES] = {
		"device 0: ", "device 1: ", "device 2: ", "device 3: "
	};

	static_assert(NVMEV_MAX_DEVICES == 4);
	return nr_devs > 1 ? tags[i] : "";
}

static int size_param_set(const char *val, const struct kernel_param *kp)
{
	struct size_param *p = kp->arg;
	int bad, ret = nvmev_parse_size_list(val, &p->l, &bad);

	if (ret == -E2BIG) {
		pr_err("%s: '%s' has more than %d values: one module makes at most %d devices\n",
		       kp->name, val, NVMEV_MAX_DEVICES, NVMEV_MAX_DEVICES);
		return -EINVAL;
	}
	if (ret && strchr(val, NVMEV_LIST_SEP) && bad < 0) {
		pr_err("%s: cannot parse '%s' (an empty value): give numbers with an optional K, M, G or T (binary) suffix, separated by commas\n",
		       kp->name, val);
		return -EINVAL;
	}
	if (ret && strchr(val, NVMEV_LIST_SEP)) {
		pr_err("%s: cannot parse '%s' (value %d): give numbers with an optional K, M, G or T (binary) suffix, separated by commas\n",
		       kp->name, val, bad);
		return -EINVAL;
	}
	if (ret) {
		pr_err("%s: cannot parse '%s': give a number with an optional K, M, G or T (binary) suffix\n",
		       kp->name, val);
		return -EINVAL;
	}
	return 0;
}

static int size_param_get(char *buf, const struct kernel_param *kp)
{
	const struct size_param *p = kp->arg;
	int i, len = 0;

	if (!p->l.n)
		return sysfs_emit(buf, "%llu\n", p->def);
	for (i = 0; i < p->l.n; i++)
		len += sysfs_emit_at(buf, len, "%s%llu", i ? "," : "",
				     p->l.v[i]);
	return len + sysfs_emit_at(buf, len, "\n");
}

static const struct kernel_param_ops size_param_ops = {
	.set = size_param_set,
	.get = size_param_get,
};

static const char *const coding_names[] = {
	[NVMEV_KV_CODING_BYTES] = "bytes",
	[NVMEV_KV_CODING_SAMSUNG] = "samsung",
};

static int coding_param_set(const char *val, const struct kernel_param *kp)
{
	char items[NVMEV_MAX_DEVICES][NVMEV_ITEM_LEN];
	int v[NVMEV_MAX_DEVICES];
	int n, i;

	n = nvmev_list_split(val, NVMEV_LIST_SEP, items, NVMEV_MAX_DEVICES);
	if (n < 0) {
		pr_err("kv_coding: '%s' is neither 'bytes' nor 'samsung' (nor a list of at most %d of them)\n",
		       val, NVMEV_MAX_DEVICES);
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		v[i] = sysfs_match_string(coding_names, items[i]);
		if (v[i] < 0) {
			pr_err("kv_coding: '%s' is neither 'bytes' nor 'samsung'\n",
			       items[i]);
			return -EINVAL;
		}
	}
	memcpy(kv_coding.v, v, sizeof(v));
	kv_coding.n = n;
	return 0;
}

static int coding_param_get(char *buf, const struct kernel_param *kp)
{
	int i, len = 0;

	if (!kv_coding.n)
		return sysfs_emit(buf, "%s\n", coding_names[0]);
	for (i = 0; i < kv_coding.n; i++)
		len += sysfs_emit_at(buf, len, "%s%s", i ? "," : "",
				     coding_names[kv_coding.v[i]]);
	return len + sysfs_emit_at(buf, len, "\n");
}

static const struct kernel_param_ops coding_param_ops = {
	.set = coding_param_set,
	.get = coding_param_get,
};

module_param_cb(memmap_start, &size_param_ops, &memmap_start, 0444);
MODULE_PARM_DESC(memmap_start,
		 "physical start of the memory reserved with memmap=SIZE$START (required, not 0; 1 MiB aligned; K/M/G suffix); a list 1G,2G makes one device per region (at most 4)");
module_param_cb(memmap_size, &size_param_ops, &memmap_size, 0444);
MODULE_PARM_DESC(memmap_size,
		 "size of the reserved memory (required; >= 1 MiB + blk_size + 32 MiB KV area; K/M/G suffix); one for every device or one per device");
module_param_cb(blk_size, &size_param_ops, &blk_size, 0444);
MODULE_PARM_DESC(blk_size,
		 "block area of namespace 1 carved from the reserved memory (default 64M; 4 KiB multiple, >= 1M); one for every device or one per device");
module_param_cb(kv_std_size, &size_param_ops, &kv_std_size, 0444);
MODULE_PARM_DESC(
	kv_std_size,
	"KV area of namespace 2, the NVMe Key Value Command Set (/dev/ngXn2), cut from the end of the KV area (default: a quarter of it when both namespaces keep 32 MiB; 0: no namespace 2); one for every device or one per device");
module_param_cb(ns_pool_size, &size_param_ops, &ns_pool_size, 0444);
MODULE_PARM_DESC(
	ns_pool_size,
	"capacity left unallocated at load, at the end of the reserved memory, for namespaces made with nvme create-ns (default 0; 1 MiB multiple; namespace 1 keeps a 32 MiB KV area); one for every device or one per device");
module_param(cpus, charp, 0444);
MODULE_PARM_DESC(cpus,
		 "CPUs: dispatcher first, then workers, e.g. 0,1 (default: the last online CPU runs both; distinct, online, at most 17); per device separated by colons, e.g. 1:2,3");
module_param_cb(io_queues, &size_param_ops, &io_queues, 0444);
MODULE_PARM_DESC(io_queues, "I/O queue pairs offered to the host (default 32; 1..32); one for every device or one per device");
module_param(poll_spin_us, uint, 0444);
MODULE_PARM_DESC(poll_spin_us,
		 "microseconds the dispatcher keeps polling after the last command before backing off (default 50; 0..100000)");
module_param(dispatch_inline, bool, 0444);
MODULE_PARM_DESC(dispatch_inline,
		 "the dispatcher performs a command itself when it is the only one in flight (queue depth 1), sparing a worker wake-up (default Y)");
module_param_cb(kv_coding, &coding_param_ops, &kv_coding, 0444);
MODULE_PARM_DESC(kv_coding,
		 "length coding of the vendor KV commands: bytes (default) or samsung (words + pad, key length - 1); one for every device or one per device");
module_param_cb(kv_max_keys, &size_param_ops, &kv_max_keys, 0444);
MODULE_PARM_DESC(kv_max_keys,
		 "capacity of the KV index in keys (default 0: one key per 2 KiB of KV area); one for every device or one per device");

module_param(timing, charp, 0444);
MODULE_PARM_DESC(timing,
		 "timing model preset: pm983 (default, a PM983-class KV-SSD) or none (zero cost); tuned later under /sys/class/nvme/nvmeX/device/timing/; one for every device or one per device");

module_param(fresh, bool, 0444);
MODULE_PARM_DESC(fresh,
		 "erase the KV stores the reserved memory holds and start empty (default 0: rebuild them; a store made with other sizes is refused)");

module_param(inject, bool, 0444);
MODULE_PARM_DESC(inject,
		 "tests only: raw SQE and doorbell injection under debugfs nvmev_kv/inject (default 0)");

/* The devices this module created, nr_devices of them, in index order. */
static struct nvmev_dev *nvmev_devices[NVMEV_MAX_DEVICES];
static int nr_devices;

/* ---------------------------------------------------------------------- */
/* Validation */

/* What validation hands to the devices; allocated, too big for the stack. */
struct nvmev_load {
	struct nvmev_config cfg[NVMEV_MAX_DEVICES];
	char timing[NVMEV_MAX_DEVICES][NVMEV_ITEM_LEN];
	int nr_timing;
	char cpus[NVMEV_MAX_DEVICES][NVMEV_ITEM_LEN]; /* groups of cpus= */
	int nr_cpus; /* 0: not given */
};

static int add_reserved(struct resource *res, void *arg)
{
	*(u64 *)arg += resource_size(res);
	return 0;
}

/* Is [start, start + size) reserved memory that nobody else uses? */
static int check_region(int i, u64 start, u64 size)
{
	u64 end = start + size - 1, covered = 0;
	struct resource *probe;

	if (region_intersects(start, size, IORESOURCE_SYSTEM_RAM,
			      IORES_DESC_NONE) != REGION_DISJOINT) {
		pr_err("memmap_start: %s%#llx-%#llx overlaps System RAM: reserve it with memmap=SIZE$START on the kernel command line\n",
		       dev_tag(i), start, end);
		return -EINVAL;
	}
	walk_iomem_res_desc(IORES_DESC_RESERVED, IORESOURCE_MEM, start, end,
			    &covered, add_reserved);
	if (covered < size) {
		pr_err("memmap_size: %s%#llx-%#llx is not entirely reserved memory (%llu of %llu bytes are): check memmap= on the kernel command line\n",
		       dev_tag(i), start, end, covered, size);
		return -EINVAL;
	}
	probe = request_mem_region(start, size, NVMEV_DRV_NAME);
	if (!probe) {
		pr_err("memmap_start: %s%#llx-%#llx is already in use (another nvmev_kv or driver)\n",
		       dev_tag(i), start, end);
		return -EINVAL;
	}
	release_mem_region(start, size);
	return 0;
}

/* @group: device @i's cpus= group, NULL if cpus= was not given */
static int validate_cpus(int i, const char *group, struct nvmev_config *cfg)
{
	unsigned int list[NVMEV_MAX_WORKERS + 1];
	int n, c;

	if (!group) {
		cfg->dispatcher_cpu = cpumask_last(cpu_online_mask);
		cfg->worker_cpus[0] = cfg->dispatcher_cpu;
		cfg->nr_workers = 1;
		return 0;
	}
	n = nvmev_parse_cpu_list(group, list, ARRAY_SIZE(list));
	if (n < 0) {
		pr_err("cpus: %s'%s' is not a list of at most %d distinct CPU numbers such as 0,1\n",
		       dev_tag(i), group, NVMEV_MAX_WORKERS + 1);
		return -EINVAL;
	}
	for (c = 0; c < n; c++) {
		if (list[c] >= nr_cpu_ids || !cpu_online(list[c])) {
			pr_err("cpus: %sCPU %u is not online\n", dev_tag(i),
			       list[c]);
			return -EINVAL;
		}
	}
	cfg->dispatcher_cpu = list[0];
	cfg->nr_workers = n == 1 ? 1 : n - 1;
	for (c = 0; c < cfg->nr_workers; c++)
		cfg->worker_cpus[c] = list[n == 1 ? 0 : c + 1];
	return 0;
}

static bool cfg_uses_cpu(const struct nvmev_config *cfg, unsigned int cpu)
{
	unsigned int w;

	if (cfg->dispatcher_cpu == cpu)
		return true;
	for (w = 0; w < cfg->nr_workers; w++)
		if (cfg->worker_cpus[w] == cpu)
			return true;
	return false;
}

/*
 * Devices may share CPUs (one cpus= group, or none, is for every device):
 * allowed, but their polling threads take turns, so say so once.
 */
static void warn_shared_cpus(const struct nvmev_load *ld)
{
	const struct nvmev_config *a, *b;
	int i, j;

	for (i = 0; i < nr_devs; i++) {
		a = &ld->cfg[i];
		for (j = i + 1; j < nr_devs; j++) {
			b = &ld->cfg[j];
			if (cfg_uses_cpu(b, a->dispatcher_cpu) ||
			    cfg_uses_cpu(a, b->dispatcher_cpu)) {
				pr_warn("cpus: devices %d and %d share a dispatcher CPU: their threads take turns (give each its own, e.g. cpus=1:2)\n",
					i, j);
				return;
			}
		}
	}
}

static int validate_sizes(int i)
{
	const struct nvmev_sizes sizes = {
		.memmap_start = nvmev_list_get(&memmap_start.l, i, 0),
		.memmap_size = nvmev_list_get(&memmap_size.l, i, 0),
		.blk_size = nvmev_list_get(&blk_size.l, i, blk_size.def),
		.memmap_start_set = memmap_start.l.n,
		.memmap_size_set = memmap_size.l.n,
		.blk_size_set = blk_size.l.n,
	};
	char why[NVMEV_WHY_LEN];
	const char *param = nvmev_check_sizes(&sizes, why, sizeof(why));

	if (param) {
		pr_err("%s: %s%s\n", param, dev_tag(i), why);
		return -EINVAL;
	}
	return 0;
}

/* [KV area of namespace 1 | KV area of namespace 2 | unallocated] */
static int validate_kv_split(int i, struct nvmev_config *cfg)
{
	char why[NVMEV_WHY_LEN];
	const char *param;

	cfg->pool_size = nvmev_list_get(&ns_pool_size.l, i, 0);
	param = nvmev_check_pool(cfg->kv_size, cfg->pool_size, why,
				 sizeof(why));
	if (!param) {
		cfg->kv_size -= cfg->pool_size;
		param = nvmev_split_kv(cfg->kv_size,
				       nvmev_list_get(&kv_std_size.l, i, 0),
				       kv_std_size.l.n, &cfg->kv_std_size, why,
				       sizeof(why));
	}
	if (param) {
		pr_err("%s: %s%s\n", param, dev_tag(i), why);
		return -EINVAL;
	}
	cfg->kv_size -= cfg->kv_std_size;
	cfg->kv_std_offset = cfg->kv_offset + cfg->kv_size;
	return 0;
}

/*
 * The lists: memmap_start's length is the number of devices; every other
 * list parameter gives one value for all or one per device. The string
 * lists (timing, cpus groups) are split into @ld here.
 */
static int validate_lists(struct nvmev_load *ld)
{
	static const char *const names[] = {
		"memmap_size", "blk_size", "kv_std_size", "kv_max_keys",
		"io_queues", "kv_coding", "timing", "cpus", "ns_pool_size",
	};
	const int lens[] = {
		memmap_size.l.n, blk_size.l.n, kv_std_size.l.n,
		kv_max_keys.l.n, io_queues.l.n, kv_coding.n,
		ld->nr_timing, ld->nr_cpus, ns_pool_size.l.n,
	};
	char why[NVMEV_WHY_LEN];
	const char *param;

	static_assert(ARRAY_SIZE(names) == ARRAY_SIZE(lens));
	param = nvmev_check_list_lens(names, lens, ARRAY_SIZE(names), nr_devs,
				      why, sizeof(why));
	if (param) {
		pr_err("%s: %s\n", param, why);
		return -EINVAL;
	}
	return 0;
}

static int split_strings(struct nvmev_load *ld)
{
	ld->nr_timing = nvmev_list_split(timing, NVMEV_LIST_SEP, ld->timing,
					 NVMEV_MAX_DEVICES);
	if (ld->nr_timing < 0) {
		pr_err("timing: '%s' is not a preset (pm983, none)%s\n",
		       timing ?: "", ld->nr_timing == -E2BIG ?
		       ", or more than one per device" : "");
		return -EINVAL;
	}
	if (!cpus)
		return 0;
	ld->nr_cpus = nvmev_list_split(cpus, NVMEV_CPUS_SEP, ld->cpus,
				       NVMEV_MAX_DEVICES);
	if (ld->nr_cpus == -E2BIG) {
		pr_err("cpus: '%s' has more than %d groups (one per device, separated by colons)\n",
		       cpus, NVMEV_MAX_DEVICES);
		return -EINVAL;
	}
	if (ld->nr_cpus < 0) {
		pr_err("cpus: '%s' is not a list of at most %d distinct CPU numbers such as 0,1\n",
		       cpus, NVMEV_MAX_WORKERS + 1);
		return -EINVAL;
	}
	return 0;
}

/* Device @i's parameters on their own, before the system is asked. */
static int validate_dev(struct nvmev_load *ld, int i)
{
	struct nvmev_config *cfg = &ld->cfg[i];
	const char *preset = ld->timing[nvmev_list_idx(ld->nr_timing, i)];
	u64 queues = nvmev_list_get(&io_queues.l, i, io_queues.def);
	int ret;

	ret = validate_sizes(i);
	if (ret)
		return ret;
	if (!queues || queues > NVMEV_MAX_IO_QUEUES) {
		pr_err("io_queues: %s%llu is outside 1..%d\n", dev_tag(i),
		       queues, NVMEV_MAX_IO_QUEUES);
		return -EINVAL;
	}
	ret = validate_cpus(i, ld->nr_cpus ?
			       ld->cpus[nvmev_list_idx(ld->nr_cpus, i)] : NULL,
			    cfg);
	if (ret)
		return ret;
	if (strscpy(cfg->timing_preset, preset, sizeof(cfg->timing_preset)) < 0 ||
	    nvmev_timing_preset(cfg->timing_preset, &(struct nvmev_timing_params){})) {
		pr_err("timing: %s'%s' is not a preset (pm983, none)\n",
		       dev_tag(i), preset);
		return -EINVAL;
	}
	cfg->memmap_start = nvmev_list_get(&memmap_start.l, i, 0);
	cfg->memmap_size = nvmev_list_get(&memmap_size.l, i, 0);
	cfg->blk_size = nvmev_list_get(&blk_size.l, i, blk_size.def);
	cfg->nr_io_queues = queues;
	return 0;
}

/* Device @i's layout in its region, once the region is known to be free. */
static int validate_layout(struct nvmev_load *ld, int i)
{
	struct nvmev_config *cfg = &ld->cfg[i];
	int ret;

	cfg->blk_offset = NVMEV_BAR_WINDOW;
	cfg->kv_offset = NVMEV_BAR_WINDOW + cfg->blk_size;
	cfg->kv_size = cfg->memmap_size - cfg->kv_offset;
	ret = validate_kv_split(i, cfg);
	if (ret)
		return ret;
	cfg->kv_coding = kv_coding.n ?
		kv_coding.v[nvmev_list_idx(kv_coding.n, i)] :
		NVMEV_KV_CODING_BYTES;
	cfg->kv_max_keys = nvmev_list_get(&kv_max_keys.l, i, 0);
	cfg->inject = inject;
	cfg->fresh = fresh;
	cfg->poll_spin_us = poll_spin_us;
	cfg->dispatch_inline = dispatch_inline;
	return nvmev_kv_check_config(cfg);
}

static int check_regions(const struct nvmev_load *ld)
{
	u64 start[NVMEV_MAX_DEVICES], size[NVMEV_MAX_DEVICES];
	char why[NVMEV_WHY_LEN];
	int i;

	for (i = 0; i < nr_devs; i++) {
		start[i] = ld->cfg[i].memmap_start;
		size[i] = ld->cfg[i].memmap_size;
	}
	if (nvmev_check_regions(start, size, nr_devs, why, sizeof(why))) {
		pr_err("memmap_start: %s\n", why);
		return -EINVAL;
	}
	for (i = 0; i < nr_devs; i++)
		if (check_region(i, start[i], size[i]))
			return -EINVAL;
	return 0;
}

/* Every parameter of every device, before anything is touched. */
static int validate_params(struct nvmev_load *ld)
{
	int ret, i;

	nr_devs = memmap_start.l.n ?: 1; /* none: validate_sizes() says so */
	if (poll_spin_us > 100000) {
		pr_err("poll_spin_us: %u is above 100000\n", poll_spin_us);
		return -EINVAL;
	}
	ret = split_strings(ld);
	if (!ret && memmap_start.l.n)
		ret = validate_lists(ld);
	for (i = 0; !ret && i < nr_devs; i++)
		ret = validate_dev(ld, i);
	if (!ret)
		ret = check_regions(ld);
	for (i = 0; !ret && i < nr_devs; i++)
		ret = validate_layout(ld, i);
	if (ret)
		return ret;
	warn_shared_cpus(ld);
	/* what the parameter file shows: each device's namespace 2 */
	for (i = 0; i < nr_devs; i++)
		kv_std_size.l.v[i] = ld->cfg[i].kv_std_size;
	kv_std_size.l.n = nr_devs;
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Init and exit */

static int map_storage(struct nvmev_dev *dev)
{
	u64 start = dev->cfg.memmap_start + NVMEV_BAR_WINDOW;
	u64 size = dev->cfg.memmap_size - NVMEV_BAR_WINDOW;

	dev->storage_res = request_mem_region(start, size, NVMEV_DRV_NAME);
	if (!dev->storage_res)
		return -EBUSY;
	dev->storage = memremap(start, size, MEMREMAP_WB);
	if (!dev->storage) {
		release_mem_region(start, size);
		dev->storage_res = NULL;
		return -ENOMEM;
	}
	return 0;
}

static void unmap_storage(struct nvmev_dev *dev)
{
	memunmap(dev->storage);
	release_mem_region(dev->cfg.memmap_start + NVMEV_BAR_WINDOW,
			   dev->cfg.memmap_size - NVMEV_BAR_WINDOW);
}

static void dev_ready(struct nvmev_dev *dev)
{
	struct kv_stats kst;

	nvmev_kv_get_stats(dev, NVMEV_NSID, &kst);
	pr_info("ready: device %u, %#llx+%#llx, block area %llu MiB, KV area %llu MiB (capacity %llu MiB, %llu keys), KV command set namespace 2 %llu MiB, dispatcher on CPU %u, %u worker(s), timing %s\n",
		dev->index, dev->cfg.memmap_start, dev->cfg.memmap_size,
		dev->cfg.blk_size >> 20, dev->cfg.kv_size >> 20,
		kst.capacity >> 20, kst.max_keys, dev->cfg.kv_std_size >> 20,
		dev->cfg.dispatcher_cpu, dev->cfg.nr_workers,
		dev->cfg.timing_preset);
}

/*
 * One device, from a validated config: storage -> KV store -> PCI bus and
 * function (not yet visible) -> workers and dispatcher -> debugfs -> let
 * the nvme driver bind. Devices 1.. put their debugfs directory under
 * device 0's, which exists by then.
 */
static struct nvmev_dev *dev_create(const struct nvmev_config *cfg,
				    unsigned int index)
{
	struct nvmev_dev *dev;
	int ret;

	dev = nvmev_kzalloc(sizeof(*dev), GFP_KERNEL);
	if (!dev)
		return ERR_PTR(-ENOMEM);
	dev->index = index;
	dev->cfg = *cfg;
	spin_lock_init(&dev->err_lock);
	dev->power_on_ns = ktime_get_ns();
	dev->timestamp_set_ns = dev->power_on_ns;
	nvmev_ns_setup(dev);

	ret = map_storage(dev);
	if (ret)
		goto err_free;
	ret = nvmev_timing_dev_init(dev);
	if (ret)
		goto err_unmap;
	ret = nvmev_kv_init(dev);
	if (ret)
		goto err_timing;
	ret = nvmev_inject_init(dev);
	if (ret)
		goto err_kv;
	ret = nvmev_pci_create(dev);
	if (ret)
		goto err_inject;
	ret = nvmev_dispatcher_start(dev);
	if (ret)
		goto err_pci;
	nvmev_stats_init(dev, index ? nvmev_devices[0]->debugfs : NULL);
	nvmev_trace_debugfs(dev);
	nvmev_inject_debugfs(dev);
	nvmev_pci_add(dev);
	if (nvmev_timing_sysfs_add(dev))
		pr_warn("timing: %sno sysfs directory; the model runs with its preset\n",
			dev_tag(index));
	dev_ready(dev);
	return dev;

err_pci:
	nvmev_pci_remove(dev);
	nvmev_pci_unmap(dev);
err_inject:
	nvmev_inject_exit(dev);
err_kv:
	nvmev_kv_exit(dev);
err_timing:
	nvmev_timing_dev_exit(dev);
err_unmap:
	unmap_storage(dev);
err_free:
	nvmev_kfree(dev);
	return ERR_PTR(ret);
}

/*
 * The nvme driver unbinds first and shuts the controller down through the
 * still-running dispatcher; the rest runs backwards.
 */
static void dev_destroy(struct nvmev_dev *dev)
{
	nvmev_timing_sysfs_remove(dev);
	nvmev_pci_remove(dev);
	nvmev_stats_exit(dev);
	nvmev_dispatcher_stop(dev);
	nvmev_pci_unmap(dev);
	nvmev_inject_exit(dev);
	nvmev_kv_exit(dev);
	nvmev_timing_dev_exit(dev);
	unmap_storage(dev);
	nvmev_kfree(dev);
}

/* Every device, last first: device 0's debugfs directory holds the others'. */
static void destroy_devices(void)
{
	while (nr_devices) {
		nr_devices--;
		dev_destroy(nvmev_devices[nr_devices]);
		nvmev_devices[nr_devices] = NULL;
	}
	nvmev_trace_exit();
}

static int __init nvmev_init(void)
{
	struct nvmev_load *ld;
	struct nvmev_dev *dev;
	int ret = 0;

	ld = nvmev_kzalloc(sizeof(*ld), GFP_KERNEL);
	if (!ld)
		return -ENOMEM;
	ret = validate_params(ld);
	while (!ret && nr_devices < nr_devs) {
		dev = dev_create(&ld->cfg[nr_devices], nr_devices);
		if (IS_ERR(dev)) {
			ret = PTR_ERR(dev);
			pr_err("%scannot create the device: %d\n",
			       dev_tag(nr_devices), ret);
			destroy_devices();
			break;
		}
		nvmev_devices[nr_devices++] = dev;
	}
	nvmev_kfree(ld);
	return ret;
}

static void __exit nvmev_exit(void)
{
	destroy_devices();
	if (atomic_long_read(&nvmev_live_allocs))
		pr_err("allocations outstanding at unload: %ld (a leak)\n",
		       atomic_long_read(&nvmev_live_allocs));
	else
		pr_info("allocations outstanding at unload: 0\n");
	pr_info("removed\n");
}

module_init(nvmev_init);
module_exit(nvmev_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Emulated NVMe Key-Value SSD on reserved memory");
MODULE_AUTHOR("nvmev-kv developers");
MODULE_VERSION("0.1.0");
