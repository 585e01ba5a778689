// SPDX-License-Identifier: GPL-2.0
/*
 * main.c - module parameters and their validation, init/exit order.
 *
 * Every parameter is checked in validate_params() before anything is mapped,
 * allocated or registered: a bad one fails insmod with -EINVAL and one line
 * naming the parameter and the reason, and leaves the kernel as it was.
 *
 * Init order: validate -> claim and map the reserved region -> KV store ->
 * PCI bus and function (not yet visible) -> workers and dispatcher -> let
 * the nvme driver bind. Exit runs it backwards; the nvme driver unbinds first
 * and shuts the controller down through the still-running dispatcher.
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

static u64 memmap_start;
static u64 memmap_size;
static u64 blk_size = 64ULL << 20;
/* which size parameters the user gave: a rejection names the one at fault */
static bool memmap_start_set, memmap_size_set, blk_size_set;
static u64 kv_std_size;
static bool kv_std_size_set;

static_assert(NVMEV_BAR_BYTES == NVMEV_BAR_WINDOW);
static char *cpus;
static unsigned int io_queues = NVMEV_MAX_IO_QUEUES;
static unsigned int poll_spin_us = 50;
static int kv_coding = NVMEV_KV_CODING_BYTES;
static u64 kv_max_keys;
static bool inject;
static bool fresh;
static char *timing = "pm983";

static int size_param_set(const char *val, const struct kernel_param *kp)
{
	u64 v;

	if (nvmev_parse_size(val, &v)) {
		pr_err("%s: cannot parse '%s': give a number with an optional K, M, G or T (binary) suffix\n",
		       kp->name, val);
		return -EINVAL;
	}
	*(u64 *)kp->arg = v;
	if (kp->arg == &memmap_start)
		memmap_start_set = true;
	else if (kp->arg == &memmap_size)
		memmap_size_set = true;
	else if (kp->arg == &blk_size)
		blk_size_set = true;
	else if (kp->arg == &kv_std_size)
		kv_std_size_set = true;
	return 0;
}

static int size_param_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%llu\n", *(u64 *)kp->arg);
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
	int i = sysfs_match_string(coding_names, val);

	if (i < 0) {
		pr_err("kv_coding: '%s' is neither 'bytes' nor 'samsung'\n", val);
		return -EINVAL;
	}
	*(int *)kp->arg = i;
	return 0;
}

static int coding_param_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n", coding_names[*(int *)kp->arg]);
}

static const struct kernel_param_ops coding_param_ops = {
	.set = coding_param_set,
	.get = coding_param_get,
};

module_param_cb(memmap_start, &size_param_ops, &memmap_start, 0444);
MODULE_PARM_DESC(memmap_start,
		 "physical start of the memory reserved with memmap=SIZE$START (required, not 0; 1 MiB aligned; K/M/G suffix)");
module_param_cb(memmap_size, &size_param_ops, &memmap_size, 0444);
MODULE_PARM_DESC(memmap_size,
		 "size of the reserved memory (required; >= 1 MiB + blk_size + 32 MiB KV area; K/M/G suffix)");
module_param_cb(blk_size, &size_param_ops, &blk_size, 0444);
MODULE_PARM_DESC(blk_size,
		 "block area of namespace 1 carved from the reserved memory (default 64M; 4 KiB multiple, >= 1M)");
module_param_cb(kv_std_size, &size_param_ops, &kv_std_size, 0444);
MODULE_PARM_DESC(
	kv_std_size,
	"KV area of namespace 2, the NVMe Key Value Command Set (/dev/ngXn2), cut from the end of the KV area (default: a quarter of it when both namespaces keep 32 MiB; 0: no namespace 2)");
module_param(cpus, charp, 0444);
MODULE_PARM_DESC(cpus,
		 "CPUs: dispatcher first, then workers, e.g. 0,1 (default: the last online CPU runs both; distinct, online, at most 17)");
module_param(io_queues, uint, 0444);
MODULE_PARM_DESC(io_queues, "I/O queue pairs offered to the host (default 32; 1..32)");
module_param(poll_spin_us, uint, 0444);
MODULE_PARM_DESC(poll_spin_us,
		 "microseconds the dispatcher keeps polling after the last command before backing off (default 50; 0..100000)");
module_param_cb(kv_coding, &coding_param_ops, &kv_coding, 0444);
MODULE_PARM_DESC(kv_coding,
		 "length coding of the vendor KV commands: bytes (default) or samsung (words + pad, key length - 1)");
module_param_cb(kv_max_keys, &size_param_ops, &kv_max_keys, 0444);
MODULE_PARM_DESC(kv_max_keys,
		 "capacity of the KV index in keys (default 0: one key per 2 KiB of KV area)");

module_param(timing, charp, 0444);
MODULE_PARM_DESC(timing,
		 "timing model preset: pm983 (default, a PM983-class KV-SSD) or none (zero cost); tuned later under /sys/class/nvme/nvmeX/device/timing/");

module_param(fresh, bool, 0444);
MODULE_PARM_DESC(fresh,
		 "erase the KV stores the reserved memory holds and start empty (default 0: rebuild them; a store made with other sizes is refused)");

module_param(inject, bool, 0444);
MODULE_PARM_DESC(inject,
		 "tests only: raw SQE and doorbell injection under debugfs nvmev_kv/inject (default 0)");

/* The one instance this module creates. */
static struct nvmev_dev *nvmev_device;

/* ---------------------------------------------------------------------- */
/* Validation */

static int add_reserved(struct resource *res, void *arg)
{
	*(u64 *)arg += resource_size(res);
	return 0;
}

/* Is [start, start + size) reserved memory that nobody else uses? */
static int check_region(u64 start, u64 size)
{
	u64 end = start + size - 1, covered = 0;
	struct resource *probe;

	if (region_intersects(start, size, IORESOURCE_SYSTEM_RAM,
			      IORES_DESC_NONE) != REGION_DISJOINT) {
		pr_err("memmap_start: %#llx-%#llx overlaps System RAM: reserve it with memmap=SIZE$START on the kernel command line\n",
		       start, end);
		return -EINVAL;
	}
	walk_iomem_res_desc(IORES_DESC_RESERVED, IORESOURCE_MEM, start, end,
			    &covered, add_reserved);
	if (covered < size) {
		pr_err("memmap_size: %#llx-%#llx is not entirely reserved memory (%llu of %llu bytes are): check memmap= on the kernel command line\n",
		       start, end, covered, size);
		return -EINVAL;
	}
	probe = request_mem_region(start, size, NVMEV_DRV_NAME);
	if (!probe) {
		pr_err("memmap_start: %#llx-%#llx is already in use (another nvmev_kv or driver)\n",
		       start, end);
		return -EINVAL;
	}
	release_mem_region(start, size);
	return 0;
}

static int validate_cpus(struct nvmev_config *cfg)
{
	unsigned int list[NVMEV_MAX_WORKERS + 1];
	int n, i;

	if (!cpus) {
		cfg->dispatcher_cpu = cpumask_last(cpu_online_mask);
		cfg->worker_cpus[0] = cfg->dispatcher_cpu;
		cfg->nr_workers = 1;
		return 0;
	}
	n = nvmev_parse_cpu_list(cpus, list, ARRAY_SIZE(list));
	if (n < 0) {
		pr_err("cpus: '%s' is not a list of at most %d distinct CPU numbers such as 0,1\n",
		       cpus, NVMEV_MAX_WORKERS + 1);
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		if (list[i] >= nr_cpu_ids || !cpu_online(list[i])) {
			pr_err("cpus: CPU %u is not online\n", list[i]);
			return -EINVAL;
		}
	}
	cfg->dispatcher_cpu = list[0];
	cfg->nr_workers = n == 1 ? 1 : n - 1;
	for (i = 0; i < cfg->nr_workers; i++)
		cfg->worker_cpus[i] = list[n == 1 ? 0 : i + 1];
	return 0;
}

static int validate_sizes(void)
{
	const struct nvmev_sizes sizes = {
		.memmap_start = memmap_start,
		.memmap_size = memmap_size,
		.blk_size = blk_size,
		.memmap_start_set = memmap_start_set,
		.memmap_size_set = memmap_size_set,
		.blk_size_set = blk_size_set,
	};
	char why[NVMEV_WHY_LEN];
	const char *param = nvmev_check_sizes(&sizes, why, sizeof(why));

	if (param) {
		pr_err("%s: %s\n", param, why);
		return -EINVAL;
	}
	return 0;
}

/* [KV area of namespace 1 | KV area of namespace 2] */
static int validate_kv_split(struct nvmev_config *cfg)
{
	char why[NVMEV_WHY_LEN];
	const char *param = nvmev_split_kv(cfg->kv_size, kv_std_size,
					   kv_std_size_set, &cfg->kv_std_size,
					   why, sizeof(why));

	if (param) {
		pr_err("%s: %s\n", param, why);
		return -EINVAL;
	}
	cfg->kv_size -= cfg->kv_std_size;
	cfg->kv_std_offset = cfg->kv_offset + cfg->kv_size;
	kv_std_size = cfg->kv_std_size; /* what the parameter file shows */
	return 0;
}

static int validate_params(struct nvmev_config *cfg)
{
	int ret;

	ret = validate_sizes();
	if (ret)
		return ret;
	if (!io_queues || io_queues > NVMEV_MAX_IO_QUEUES) {
		pr_err("io_queues: %u is outside 1..%d\n", io_queues,
		       NVMEV_MAX_IO_QUEUES);
		return -EINVAL;
	}
	if (poll_spin_us > 100000) {
		pr_err("poll_spin_us: %u is above 100000\n", poll_spin_us);
		return -EINVAL;
	}
	ret = validate_cpus(cfg);
	if (ret)
		return ret;
	if (!timing || strscpy(cfg->timing_preset, timing,
			       sizeof(cfg->timing_preset)) < 0 ||
	    nvmev_timing_preset(cfg->timing_preset, &(struct nvmev_timing_params){})) {
		pr_err("timing: '%s' is not a preset (pm983, none)\n",
		       timing ?: "");
		return -EINVAL;
	}
	ret = check_region(memmap_start, memmap_size);
	if (ret)
		return ret;

	cfg->memmap_start = memmap_start;
	cfg->memmap_size = memmap_size;
	cfg->blk_offset = NVMEV_BAR_WINDOW;
	cfg->blk_size = blk_size;
	cfg->kv_offset = NVMEV_BAR_WINDOW + blk_size;
	cfg->kv_size = memmap_size - cfg->kv_offset;
	ret = validate_kv_split(cfg);
	if (ret)
		return ret;
	cfg->kv_coding = kv_coding;
	cfg->kv_max_keys = kv_max_keys;
	cfg->inject = inject;
	cfg->fresh = fresh;
	cfg->nr_io_queues = io_queues;
	cfg->poll_spin_us = poll_spin_us;
	return nvmev_kv_check_config(cfg);
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

static int __init nvmev_init(void)
{
	struct nvmev_dev *dev;
	struct kv_stats kst;
	int ret;

	dev = nvmev_kzalloc(sizeof(*dev), GFP_KERNEL);
	if (!dev)
		return -ENOMEM;
	ret = validate_params(&dev->cfg);
	if (ret)
		goto err_free;
	spin_lock_init(&dev->err_lock);
	dev->power_on_ns = ktime_get_ns();
	dev->timestamp_set_ns = dev->power_on_ns;

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
	nvmev_stats_init(dev);
	nvmev_inject_debugfs(dev);
	nvmev_device = dev;
	nvmev_pci_add(dev);
	if (nvmev_timing_sysfs_add(dev))
		pr_warn("timing: no sysfs directory; the model runs with its preset\n");
	nvmev_kv_get_stats(dev, NVMEV_NSID, &kst);
	pr_info("ready: %#llx+%#llx, block area %llu MiB, KV area %llu MiB (capacity %llu MiB, %llu keys), KV command set namespace 2 %llu MiB, dispatcher on CPU %u, %u worker(s), timing %s\n",
		dev->cfg.memmap_start, dev->cfg.memmap_size,
		dev->cfg.blk_size >> 20, dev->cfg.kv_size >> 20,
		kst.capacity >> 20, kst.max_keys, dev->cfg.kv_std_size >> 20,
		dev->cfg.dispatcher_cpu, dev->cfg.nr_workers,
		dev->cfg.timing_preset);
	return 0;

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
	return ret;
}

static void __exit nvmev_exit(void)
{
	struct nvmev_dev *dev = nvmev_device;

	nvmev_timing_sysfs_remove(dev);
	nvmev_pci_remove(dev);
	nvmev_stats_exit(dev);
	nvmev_dispatcher_stop(dev);
	nvmev_pci_unmap(dev);
	nvmev_inject_exit(dev);
	nvmev_trace_exit();
	nvmev_kv_exit(dev);
	nvmev_timing_dev_exit(dev);
	unmap_storage(dev);
	nvmev_kfree(dev);
	nvmev_device = NULL;
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
