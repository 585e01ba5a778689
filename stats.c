// SPDX-License-Identifier: GPL-2.0
/*
 * stats.c - live statistics of the device, readable without tools:
 *
 *   cat /sys/kernel/debug/nvmev_kv/stats        (device 0)
 *   cat /sys/kernel/debug/nvmev_kv/dev1/stats   (device 1, ...)
 *
 * one "key: value" line each: commands, bytes and latency percentiles
 * (p50/p99/p999 from a histogram) per opcode, completions per status code,
 * and the KV store's keys, index load, log space and reclamation counters.
 * Workers count into their own nvmev_io_stats; a read sums them.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/vmalloc.h>
#include "nvmev.h"
#include "kv_ftl.h"

/*
 * Log-linear buckets: values 0..3 have their own bucket; above, each power
 * of two is split in four, so a percentile is exact to within 25 %.
 */
unsigned int nvmev_lat_bucket(u64 ns)
{
	unsigned int msb;

	if (ns < 4)
		return ns;
	msb = fls64(ns) - 1;
	return (msb - 1) * 4 + ((ns >> (msb - 2)) & 3);
}

u64 nvmev_lat_bucket_floor(unsigned int b)
{
	if (b < 4)
		return b;
	return (u64)(4 + b % 4) << (b / 4 - 1);
}

/* A worker counts a completed command into its own @st. */
void nvmev_stats_account(struct nvmev_io_stats *st, const struct nvmev_req *req,
			 u64 now)
{
	unsigned int slot = req->stat_slot;

	st->cmds[slot]++;
	if (!req->status)
		st->bytes[slot] += req->bytes;
	st->status[req->status & NVMEV_SC_MASK]++;
	st->lat[slot][nvmev_lat_bucket(now - req->submit_ns)]++;
	st->lat_sum[slot] += now - req->submit_ns;
	if (now < req->target_ns) {
		st->early++;
	} else {
		u64 late = now - req->target_ns;

		st->late[slot][nvmev_lat_bucket(late)]++;
		st->late_max[slot] = max(st->late_max[slot], late);
		st->late_20us[slot] += late > 20000;
	}
}

struct stats_sum {
	u64 cmds[NVMEV_STAT_OPS];
	u64 bytes[NVMEV_STAT_OPS];
	u64 status[NVMEV_STATUS_CODES];
	u64 lat[NVMEV_LAT_BUCKETS];
	u64 late[NVMEV_LAT_BUCKETS];
	u64 early;
};

static u64 percentile(const u64 *hist, u64 total, unsigned int permille)
{
	u64 want = DIV_ROUND_UP_ULL(total * permille, 1000), seen = 0;
	unsigned int b;

	for (b = 0; b < NVMEV_LAT_BUCKETS; b++) {
		seen += hist[b];
		if (seen >= want)
			return nvmev_lat_bucket_floor(b);
	}
	return 0;
}

static void show_op(struct seq_file *m, struct nvmev_dev *dev,
		    struct stats_sum *sum, int slot)
{
	const char *name = dev->stat_names[slot];
	unsigned int i, b;

	u64 late_max = 0, late_20us = 0, lat_sum = 0;

	memset(sum->lat, 0, sizeof(sum->lat));
	memset(sum->late, 0, sizeof(sum->late));
	for (i = 0; i < dev->cfg.nr_workers; i++) {
		const struct nvmev_io_stats *st = dev->workers[i].stats;

		for (b = 0; b < NVMEV_LAT_BUCKETS; b++) {
			sum->lat[b] += READ_ONCE(st->lat[slot][b]);
			sum->late[b] += READ_ONCE(st->late[slot][b]);
		}
		late_max = max(late_max, READ_ONCE(st->late_max[slot]));
		lat_sum += READ_ONCE(st->lat_sum[slot]);
		late_20us += READ_ONCE(st->late_20us[slot]);
	}
	seq_printf(m, "cmds_%s: %llu\n", name, sum->cmds[slot]);
	seq_printf(m, "bytes_%s: %llu\n", name, sum->bytes[slot]);
	if (!sum->cmds[slot])
		return;
	seq_printf(m, "lat_p50_ns_%s: %llu\n", name,
		   percentile(sum->lat, sum->cmds[slot], 500));
	seq_printf(m, "lat_p99_ns_%s: %llu\n", name,
		   percentile(sum->lat, sum->cmds[slot], 990));
	seq_printf(m, "lat_p999_ns_%s: %llu\n", name,
		   percentile(sum->lat, sum->cmds[slot], 999));
	/* the exact sum: a client differences it over its own commands */
	seq_printf(m, "lat_sum_ns_%s: %llu\n", name, lat_sum);
	/* lateness: completion posted minus the model's target */
	seq_printf(m, "lateness_p50_ns_%s: %llu\n", name,
		   percentile(sum->late, sum->cmds[slot], 500));
	seq_printf(m, "lateness_p99_ns_%s: %llu\n", name,
		   percentile(sum->late, sum->cmds[slot], 990));
	seq_printf(m, "lateness_max_ns_%s: %llu\n", name, late_max);
	seq_printf(m, "late_over_20us_%s: %llu\n", name, late_20us);
}

/*
 * One key space: namespace 1's lines keep their names, namespace N's have
 * the prefix "nsN_" (namespace 2's "ns2_", as before there were more).
 */
static void show_kv(struct seq_file *m, struct nvmev_dev *dev, u32 nsid,
		    const char *p)
{
	struct kv_stats st;

	if (!dev->kv[nsid - 1])
		return;
	nvmev_kv_get_stats(dev, nsid, &st);
	/* what the device promises: value records up to this many bytes live */
	seq_printf(m, "%skv_capacity_bytes: %llu\n", p, st.capacity);
	seq_printf(m, "%skv_keys: %llu\n", p, st.keys);
	seq_printf(m, "%skv_max_keys: %llu\n", p, st.max_keys);
	seq_printf(m, "%skv_index_bytes: %llu\n", p, st.index_bytes);
	seq_printf(m, "%skv_index_bytes_per_key: %llu\n", p,
		   st.max_keys ? st.index_bytes / st.max_keys : 0);
	seq_printf(m, "%skv_index_load_permille: %llu\n", p,
		   st.max_keys ? st.keys * 1000 / st.max_keys : 0);
	seq_printf(m, "%skv_longest_probe: %u\n", p, st.longest_probe);
	/* the raw log, reserve and open segments included */
	seq_printf(m, "%slog_raw_bytes: %llu\n", p, st.log.capacity);
	seq_printf(m, "%slog_used_bytes: %llu\n", p, st.log.used_bytes);
	seq_printf(m, "%slog_live_bytes: %llu\n", p, st.log.live_bytes);
	seq_printf(m, "%slog_segments: %u\n", p, st.log.nsegs);
	seq_printf(m, "%slog_free_segments: %u\n", p, st.log.free_segs);
	seq_printf(m, "%slog_records_written: %llu\n", p,
		   st.log.records_written);
	seq_printf(m, "%slog_user_bytes: %llu\n", p, st.log.user_bytes);
	seq_printf(m, "%sreclaim_runs: %llu\n", p, st.log.gc_runs);
	seq_printf(m, "%sreclaim_slices: %llu\n", p, st.log.gc_slices);
	seq_printf(m, "%sreclaim_bytes_moved: %llu\n", p,
		   st.log.gc_bytes_moved);
	seq_printf(m, "%sreclaim_forced: %llu\n", p, st.log.gc_forced);
	seq_printf(m, "%sreclaim_in_progress: %u\n", p, st.log.reclaiming);
	/* 0x312 completions: index full (kv_max_keys) plus log full */
	seq_printf(m, "%scapacity_exceeded: %llu\n", p,
		   st.ops[KV_STAT_FULL_INDEX] + st.ops[KV_STAT_FULL_LOG]);
	seq_printf(m, "%scapacity_exceeded_index: %llu\n", p,
		   st.ops[KV_STAT_FULL_INDEX]);
	seq_printf(m, "%scapacity_exceeded_log: %llu\n", p,
		   st.ops[KV_STAT_FULL_LOG]);
}

/*
 * Every key space; Namespace Management deletes one only with the workers
 * quiesced, under quiesce_lock, which keeps it here meanwhile.
 */
static void show_kv_all(struct seq_file *m, struct nvmev_dev *dev)
{
	char prefix[8];
	u32 nsid;

	mutex_lock(&dev->quiesce_lock);
	for (nsid = 1; nsid <= NVMEV_MAX_NSID; nsid++) {
		snprintf(prefix, sizeof(prefix), "ns%u_", nsid);
		show_kv(m, dev, nsid, nsid == NVMEV_NSID ? "" : prefix);
	}
	mutex_unlock(&dev->quiesce_lock);
}

static int stats_show(struct seq_file *m, void *unused)
{
	struct nvmev_dev *dev = m->private;
	struct stats_sum *sum;
	unsigned int i, s;
	int slot;

	sum = nvmev_vzalloc(sizeof(*sum));
	if (!sum)
		return -ENOMEM;
	for (i = 0; i < dev->cfg.nr_workers; i++) {
		const struct nvmev_io_stats *st = dev->workers[i].stats;

		for (s = 0; s < NVMEV_STAT_OPS; s++) {
			sum->cmds[s] += READ_ONCE(st->cmds[s]);
			sum->bytes[s] += READ_ONCE(st->bytes[s]);
		}
		for (s = 0; s < NVMEV_STATUS_CODES; s++)
			sum->status[s] += READ_ONCE(st->status[s]);
		sum->early += READ_ONCE(st->early);
	}
	seq_printf(m, "early_completions: %llu\n", sum->early);
	seq_printf(m, "commands_in_flight: %d\n", atomic_read(&dev->inflight));
	/* what the workers learned of this machine (pace.c) */
	for (i = 0; i < dev->cfg.nr_workers; i++) {
		const struct nvmev_worker *w = &dev->workers[i];

		seq_printf(m, "worker%u_wake_late_ns: %llu\n", i,
			   READ_ONCE(w->wake_late_ns));
		seq_printf(m, "worker%u_irq_stall_ns: %llu\n", i,
			   READ_ONCE(w->irq_stall_ns));
	}
	for (slot = 0; slot < NVMEV_STAT_OPS; slot++)
		if (dev->stat_names[slot])
			show_op(m, dev, sum, slot);
	for (s = 0; s < NVMEV_STATUS_CODES; s++)
		if (sum->status[s])
			seq_printf(m, "status_0x%03x: %llu\n", s, sum->status[s]);
	show_kv_all(m, dev);
	nvmev_vfree(sum);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(stats);

/**
 * nvmev_stats_init - the device's debugfs directory and its stats file
 * @dev: device
 * @root: device 0's directory, for the others (NULL for device 0)
 *
 * Device 0's directory is /sys/kernel/debug/nvmev_kv itself (the path of
 * one device, kept); device N's is nvmev_kv/devN. debugfs may be absent or
 * off: the device works without it.
 *
 * Return: 0.
 */
int nvmev_stats_init(struct nvmev_dev *dev, struct dentry *root)
{
	char name[16];

	dev->debugfs = NULL;
	if (!dev->index) {
		dev->debugfs = debugfs_create_dir(NVMEV_DRV_NAME, NULL);
	} else if (root) {
		snprintf(name, sizeof(name), "dev%u", dev->index);
		dev->debugfs = debugfs_create_dir(name, root);
	}
	if (IS_ERR_OR_NULL(dev->debugfs)) {
		dev->debugfs = NULL;
		return 0;
	}
	debugfs_create_file("stats", 0444, dev->debugfs, dev, &stats_fops);
	return 0;
}

void nvmev_stats_exit(struct nvmev_dev *dev)
{
	debugfs_remove_recursive(dev->debugfs);
	dev->debugfs = NULL;
}
