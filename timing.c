// SPDX-License-Identifier: GPL-2.0
/*
 * timing.c - the timing model: parameters, presets, validation, and the
 * booking of one command on the busy-until resources. The model and its
 * parameters are described in timing.h. Pure: no clock, no allocation,
 * no locking (one caller thread, see timing.h).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "timing.h"

#ifdef __KERNEL__
#include <linux/math64.h>
#endif

/* ---- arithmetic ------------------------------------------------------ */

static u64 sat_add(u64 a, u64 b)
{
	u64 s;

	return check_add_overflow(a, b, &s) ? U64_MAX : s;
}

static u64 div_u64_u64(u64 n, u64 d)
{
#ifdef __KERNEL__
	return div64_u64(n, d);
#else
	return n / d;
#endif
}

static u64 div_up(u64 n, u64 d)
{
	u64 q = div_u64_u64(n, d);

	return q * d == n ? q : q + 1;
}

static u32 mod_u32(u64 n, u32 d)
{
#ifdef __KERNEL__
	u32 r;

	div_u64_rem(n, d, &r);
	return r;
#else
	return n % d;
#endif
}

/* ns to move @bytes at @mbps (10^6 bytes/s); 0 = unlimited. */
static u64 xfer_ns(u64 bytes, u64 mbps)
{
	return mbps ? div_up(bytes * 1000, mbps) : 0;
}

static u64 per_kib_ns(u64 bytes, u64 kib_ns)
{
	return div_up(bytes * kib_ns, 1024);
}

/* ---- parameters ------------------------------------------------------ */

#define NS_MAX		1000000000ULL	/* 1 s: any fixed cost */
#define KIB_NS_MAX	1000000ULL	/* 1 ms per KiB */
#define MBPS_MAX	1000000ULL	/* 1 TB/s; 0 = unlimited */

#define TP(field, unit, lo, hi, fl)                                        \
	{ #field, unit, offsetof(struct nvmev_timing_params, field), lo, hi, \
	  fl }

const struct nvmev_timing_param_desc nvmev_timing_param_table[] = {
	TP(frontend_ns, "ns", 0, NS_MAX, 0),
	TP(link_mbps, "MB/s", 0, MBPS_MAX, 0),
	TP(fw_cores, "count", 1, NVMEV_TIMING_MAX_FW_CORES, NVMEV_TP_GEOMETRY),
	TP(fw_store_ns, "ns", 0, NS_MAX, 0),
	TP(fw_store_kib_ns, "ns/KiB", 0, KIB_NS_MAX, 0),
	TP(fw_retrieve_ns, "ns", 0, NS_MAX, 0),
	TP(fw_retrieve_kib_ns, "ns/KiB", 0, KIB_NS_MAX, 0),
	TP(fw_delete_ns, "ns", 0, NS_MAX, 0),
	TP(fw_exist_ns, "ns", 0, NS_MAX, 0),
	TP(fw_iter_read_ns, "ns", 0, NS_MAX, 0),
	TP(fw_iter_read_kib_ns, "ns/KiB", 0, KIB_NS_MAX, 0),
	TP(fw_iter_ctl_ns, "ns", 0, NS_MAX, 0),
	TP(fw_error_ns, "ns", 0, NS_MAX, 0),
	TP(fw_block_ns, "ns", 0, NS_MAX, 0),
	TP(fw_block_kib_ns, "ns/KiB", 0, KIB_NS_MAX, 0),
	TP(channels, "count", 1, NVMEV_TIMING_MAX_CHANNELS, NVMEV_TP_GEOMETRY),
	TP(dies_per_channel, "count", 1, NVMEV_TIMING_MAX_DIES_PER_CH,
	   NVMEV_TP_GEOMETRY),
	TP(page_bytes, "bytes", NVMEV_TIMING_SECTOR_BYTES, 65536,
	   NVMEV_TP_GEOMETRY | NVMEV_TP_POW2),
	TP(oneshot_pages, "count", 1, 8, NVMEV_TP_GEOMETRY),
	TP(nand_read_ns, "ns", 0, NS_MAX, 0),
	TP(nand_prog_ns, "ns", 0, NS_MAX, 0),
	TP(channel_mbps, "MB/s", 0, MBPS_MAX, 0),
	TP(wbuf_bytes, "bytes", NVMEV_TIMING_SECTOR_BYTES, 512ULL << 20,
	   NVMEV_TP_GEOMETRY),
	TP(value_min_alloc, "bytes", 0, 2U << 20, 0),
	TP(value_align, "bytes", 1, 4096, NVMEV_TP_POW2),
	TP(index_keys, "count", 0, U32_MAX, 0),
};

const unsigned int nvmev_timing_nr_params =
	ARRAY_SIZE(nvmev_timing_param_table);

/* Sources of each number: the table in timing.h. */
static const struct nvmev_timing_params timing_pm983 = {
	.preset = "pm983",
	.frontend_ns = 1500,
	.link_mbps = 3200,
	.fw_cores = 1,
	.fw_store_ns = 7200,
	.fw_store_kib_ns = 500,
	.fw_retrieve_ns = 6700,
	.fw_retrieve_kib_ns = 330,
	.fw_delete_ns = 10700,
	.fw_exist_ns = 5000,
	.fw_iter_read_ns = 10000,
	.fw_iter_read_kib_ns = 330,
	.fw_iter_ctl_ns = 3000,
	.fw_error_ns = 5000,
	.fw_block_ns = 1850,
	.fw_block_kib_ns = 0,
	.channels = 8,
	.dies_per_channel = 4,
	.page_bytes = 16384,
	.oneshot_pages = 3,
	.nand_read_ns = 60000,
	.nand_prog_ns = 560000,
	.channel_mbps = 800,
	.wbuf_bytes = 3U << 20,
	.value_min_alloc = 1024,
	.value_align = 32,
	.index_keys = 0,
};

/* Zero cost everywhere, rates unlimited; the pm983 geometry. */
static const struct nvmev_timing_params timing_none = {
	.preset = "none",
	.fw_cores = 1,
	.channels = 8,
	.dies_per_channel = 4,
	.page_bytes = 16384,
	.oneshot_pages = 3,
	.wbuf_bytes = 3U << 20,
	.value_min_alloc = 1024,
	.value_align = 32,
};

const char *const nvmev_timing_preset_names[] = { "pm983", "none", NULL };

int nvmev_timing_preset(const char *name, struct nvmev_timing_params *p)
{
	if (!strcmp(name, "pm983"))
		*p = timing_pm983;
	else if (!strcmp(name, "none"))
		*p = timing_none;
	else
		return -EINVAL;
	return 0;
}

static u64 *param_field(struct nvmev_timing_params *p, unsigned int idx)
{
	return (u64 *)((char *)p + nvmev_timing_param_table[idx].offset);
}

static u64 param_value(const struct nvmev_timing_params *p, unsigned int idx)
{
	return *(const u64 *)((const char *)p +
			      nvmev_timing_param_table[idx].offset);
}

/* Index of @name in the table, or -ENOENT. */
int nvmev_timing_param_find(const char *name)
{
	unsigned int i;

	for (i = 0; i < nvmev_timing_nr_params; i++)
		if (!strcmp(nvmev_timing_param_table[i].name, name))
			return i;
	return -ENOENT;
}

/* The range of one parameter alone: 0, -EINVAL, or -ENOENT (bad index). */
int nvmev_timing_param_check(unsigned int idx, u64 value)
{
	const struct nvmev_timing_param_desc *d;

	if (idx >= nvmev_timing_nr_params)
		return -ENOENT;
	d = &nvmev_timing_param_table[idx];
	if (value < d->min || value > d->max)
		return -EINVAL;
	if ((d->flags & NVMEV_TP_POW2) && !is_power_of_2(value))
		return -EINVAL;
	return 0;
}

static u64 unit_bytes(const struct nvmev_timing_params *p)
{
	return p->page_bytes * p->oneshot_pages;
}

/* Every range, and what ties parameters together: the buffer's units. */
int nvmev_timing_params_check(const struct nvmev_timing_params *p)
{
	unsigned int i;
	u64 units;

	for (i = 0; i < nvmev_timing_nr_params; i++)
		if (nvmev_timing_param_check(i, param_value(p, i)))
			return -EINVAL;
	units = div_u64_u64(p->wbuf_bytes, unit_bytes(p));
	if (units < 1 || units > NVMEV_TIMING_MAX_WBUF_UNITS)
		return -EINVAL;
	return 0;
}

/* Validated on a copy: @p changes only if the result is consistent. */
int nvmev_timing_param_set(struct nvmev_timing_params *p, const char *name,
			   u64 value)
{
	struct nvmev_timing_params np = *p;
	int idx = nvmev_timing_param_find(name);

	if (idx < 0)
		return idx;
	if (nvmev_timing_param_check(idx, value))
		return -EINVAL;
	*param_field(&np, idx) = value;
	if (nvmev_timing_params_check(&np))
		return -EINVAL;
	if (value != param_value(p, idx))
		np.preset = "custom";
	*p = np;
	return 0;
}

int nvmev_timing_param_get(const struct nvmev_timing_params *p,
			   const char *name, u64 *value)
{
	int idx = nvmev_timing_param_find(name);

	if (idx < 0)
		return idx;
	*value = param_value(p, idx);
	return 0;
}

/* True if going from @a to @b changes a NVMEV_TP_GEOMETRY parameter. */
bool nvmev_timing_geometry_differs(const struct nvmev_timing_params *a,
				   const struct nvmev_timing_params *b)
{
	unsigned int i;

	for (i = 0; i < nvmev_timing_nr_params; i++)
		if ((nvmev_timing_param_table[i].flags & NVMEV_TP_GEOMETRY) &&
		    param_value(a, i) != param_value(b, i))
			return true;
	return false;
}

/* NAND bytes a value takes: max(min_alloc, roundup(len, align)). */
u64 nvmev_timing_stored_bytes(const struct nvmev_timing_params *p,
			      u32 value_bytes)
{
	u64 len = round_up((u64)value_bytes, p->value_align);

	return max_t(u64, len, p->value_min_alloc);
}

/* ---- resources ------------------------------------------------------- */

/* Hold a resource for @dur from when it and the command are both ready. */
static u64 book(u64 *busy_until, u64 ready, u64 dur)
{
	*busy_until = sat_add(max(ready, *busy_until), dur);
	return *busy_until;
}

/* The core that frees first (the lowest-numbered on a tie). */
static u64 fw_run(struct nvmev_timing_model *m, u64 ready, u64 cost)
{
	unsigned int i, best = 0;

	for (i = 1; i < m->p.fw_cores; i++)
		if (m->core_free[i] < m->core_free[best])
			best = i;
	return book(&m->core_free[best], ready, cost);
}

/* A page read of @sectors 4 KiB sectors on @die: tR, then the channel. */
static u64 nand_read_page(struct nvmev_timing_model *m, u64 ready, u32 die,
			  u64 sectors)
{
	u64 *ch = &m->channel_free[die % (u32)m->p.channels];
	u64 read_end = sat_add(max(ready, m->die_free[die]), m->p.nand_read_ns);
	u64 ch_end = book(ch, read_end,
			  xfer_ns(sectors * NVMEV_TIMING_SECTOR_BYTES,
				  m->p.channel_mbps));

	m->die_free[die] = ch_end;	/* the die holds the data until moved */
	return ch_end;
}

/* A full one-shot unit on the next die: channel data-in, then tPROG. */
static u64 nand_program_unit(struct nvmev_timing_model *m, u64 ready)
{
	u32 die = m->prog_die;
	u64 *ch = &m->channel_free[die % (u32)m->p.channels];
	u64 start = max(max(ready, m->die_free[die]), *ch);

	m->prog_die = die + 1 == m->ndies ? 0 : die + 1;
	*ch = sat_add(start, xfer_ns(unit_bytes(&m->p), m->p.channel_mbps));
	m->die_free[die] = sat_add(*ch, m->p.nand_prog_ns);
	return m->die_free[die];
}

/*
 * The link tx of bytes [sent, sent + len) of one command, once they are
 * in the controller at @ready. Timed cumulatively, so chunks add up to
 * exactly xfer_ns(total).
 */
static u64 link_tx(struct nvmev_timing_model *m, u64 ready, u64 sent, u64 len)
{
	u64 dur = xfer_ns(sent + len, m->p.link_mbps) -
		  xfer_ns(sent, m->p.link_mbps);

	return book(&m->link_tx_free, ready, dur);
}

/*
 * Read @nand_len bytes starting @off into page @first_die's page and on
 * consecutive dies after it, all pages in parallel, and send the first
 * @xfer_len of them to the host as each page arrives. Returns when the
 * last byte is at the host (or read, if nothing is sent).
 */
static u64 read_extent(struct nvmev_timing_model *m, u64 ready, u32 first_die,
		       u64 off, u64 nand_len, u64 xfer_len)
{
	u64 page = m->p.page_bytes, sent = 0, done = ready;
	u32 die = first_die;

	while (nand_len) {
		u64 in_page = min(page - off, nand_len);
		u64 sectors = (off + in_page - 1) / NVMEV_TIMING_SECTOR_BYTES -
			      off / NVMEV_TIMING_SECTOR_BYTES + 1;
		u64 chunk = min(in_page, xfer_len - sent);
		u64 end = nand_read_page(m, ready, die, sectors);

		if (chunk) {
			end = link_tx(m, end, sent, chunk);
			sent += chunk;
		}
		done = max(done, end);
		nand_len -= in_page;
		off = 0;
		die = die + 1 == m->ndies ? 0 : die + 1;
	}
	if (sent < xfer_len)	/* more returned than read: send the rest */
		done = link_tx(m, done, sent, xfer_len - sent);
	return done;
}

/*
 * A lookup beyond the DRAM-resident keys reads one index page. Hit if
 * hash_hi / 2^32 < index_keys / live_keys (index_keys < 2^32: no overflow).
 */
static u64 index_lookup(struct nvmev_timing_model *m, u64 ready,
			const struct nvmev_timing_op *op)
{
	u64 resident = m->p.index_keys, hash_hi = op->key_hash >> 32;
	u64 threshold;

	if (!resident || op->live_keys <= resident)
		return ready;
	threshold = div_u64_u64(resident << 32, op->live_keys);
	if (hash_hi < threshold)
		return ready;
	return nand_read_page(m, ready, mod_u32(hash_hi, m->ndies), 1);
}

/*
 * Append @bytes to the write buffer. Bytes enter a unit only once its slot
 * is free, i.e. the unit programmed nslots units earlier has finished; a
 * unit that fills is programmed at once. Done when the last byte is in.
 */
static u64 wbuf_put(struct nvmev_timing_model *m, u64 ready, u64 bytes)
{
	u64 unit = unit_bytes(&m->p), done = ready;

	while (bytes) {
		u64 take = min(unit - m->wb_fill, bytes);

		/* the open unit's slot: free once its previous unit is on NAND */
		done = max(done, m->slot_free[m->wb_slot]);
		m->wb_fill += take;
		bytes -= take;
		if (m->wb_fill == unit) {
			m->slot_free[m->wb_slot] = nand_program_unit(m, done);
			if (++m->wb_slot == m->nslots)
				m->wb_slot = 0;
			m->wb_fill = 0;
		}
	}
	return done;
}

/* ---- per command ----------------------------------------------------- */

static u64 book_store(struct nvmev_timing_model *m, u64 t,
		      const struct nvmev_timing_op *op, u64 vb, u64 xb)
{
	const struct nvmev_timing_params *p = &m->p;

	t = book(&m->link_rx_free, t, xfer_ns(xb, p->link_mbps));
	t = fw_run(m, t, p->fw_store_ns + per_kib_ns(vb, p->fw_store_kib_ns));
	t = index_lookup(m, t, op);
	return wbuf_put(m, t, nvmev_timing_stored_bytes(p, vb));
}

static u64 book_retrieve(struct nvmev_timing_model *m, u64 t,
			 const struct nvmev_timing_op *op, u64 vb, u64 xb)
{
	const struct nvmev_timing_params *p = &m->p;

	t = fw_run(m, t,
		   p->fw_retrieve_ns + per_kib_ns(vb, p->fw_retrieve_kib_ns));
	t = index_lookup(m, t, op);
	return read_extent(m, t, mod_u32(op->key_hash, m->ndies), 0,
			   nvmev_timing_stored_bytes(p, vb), xb);
}

static u64 book_iter_read(struct nvmev_timing_model *m, u64 t,
			  const struct nvmev_timing_op *op, u64 vb, u64 xb)
{
	const struct nvmev_timing_params *p = &m->p;

	t = fw_run(m, t,
		   p->fw_iter_read_ns + per_kib_ns(vb, p->fw_iter_read_kib_ns));
	return read_extent(m, t, mod_u32(op->key_hash, m->ndies), 0, vb, xb);
}

static u64 book_block_read(struct nvmev_timing_model *m, u64 t,
			   const struct nvmev_timing_op *op, u64 vb, u64 xb)
{
	const struct nvmev_timing_params *p = &m->p;
	u32 lbas_per_page_shift = m->page_shift - 9;
	u64 page_no = op->slba >> lbas_per_page_shift;
	u64 off = (op->slba & ((1ULL << lbas_per_page_shift) - 1)) << 9;

	t = fw_run(m, t, p->fw_block_ns + per_kib_ns(vb, p->fw_block_kib_ns));
	return read_extent(m, t, mod_u32(page_no, m->ndies), off, vb, xb);
}

static u64 book_block_write(struct nvmev_timing_model *m, u64 t, u64 vb, u64 xb)
{
	const struct nvmev_timing_params *p = &m->p;

	t = book(&m->link_rx_free, t, xfer_ns(xb, p->link_mbps));
	t = fw_run(m, t, p->fw_block_ns + per_kib_ns(vb, p->fw_block_kib_ns));
	return wbuf_put(m, t, vb);
}

/*
 * The completion time of @op submitted at @now_ns (>= now_ns), booking
 * the resources it uses. Called by one thread in submission order.
 */
u64 nvmev_timing_book(struct nvmev_timing_model *m, u64 now_ns,
		      const struct nvmev_timing_op *op)
{
	const struct nvmev_timing_params *p = &m->p;
	u64 vb = min_t(u64, op->value_bytes, NVMEV_TIMING_MAX_BYTES);
	u64 xb = min_t(u64, op->xfer_bytes, NVMEV_TIMING_MAX_BYTES);
	u64 t = sat_add(now_ns, p->frontend_ns);
	NVMEV_TRACE_FUNC();

	switch (op->kind) {
	case NVMEV_TIMING_STORE:
		return book_store(m, t, op, vb, xb);
	case NVMEV_TIMING_RETRIEVE:
		return book_retrieve(m, t, op, vb, xb);
	case NVMEV_TIMING_DELETE:
		return index_lookup(m, fw_run(m, t, p->fw_delete_ns), op);
	case NVMEV_TIMING_EXIST:
		return index_lookup(m, fw_run(m, t, p->fw_exist_ns), op);
	case NVMEV_TIMING_ITER_READ:
		return book_iter_read(m, t, op, vb, xb);
	case NVMEV_TIMING_ITER_CTL:
		return fw_run(m, t, p->fw_iter_ctl_ns);
	case NVMEV_TIMING_BLK_READ:
		return book_block_read(m, t, op, vb, xb);
	case NVMEV_TIMING_BLK_WRITE:
		return book_block_write(m, t, vb, xb);
	case NVMEV_TIMING_BLK_FLUSH:
	case NVMEV_TIMING_BLK_ZEROES:
		return fw_run(m, t, p->fw_block_ns);
	case NVMEV_TIMING_ERROR:
	default:
		return fw_run(m, t, p->fw_error_ns);
	}
}

/* ---- the model's life ------------------------------------------------ */

static void derive(struct nvmev_timing_model *m)
{
	m->ndies = m->p.channels * m->p.dies_per_channel;
	m->nslots = div_u64_u64(m->p.wbuf_bytes, unit_bytes(&m->p));
	m->page_shift = 0;
	while ((1ULL << m->page_shift) < m->p.page_bytes)
		m->page_shift++;
}

/* Every resource free from @t on; an empty write buffer. */
static void set_all_free(struct nvmev_timing_model *m, u64 t)
{
	unsigned int i;

	m->link_rx_free = t;
	m->link_tx_free = t;
	for (i = 0; i < ARRAY_SIZE(m->core_free); i++)
		m->core_free[i] = t;
	for (i = 0; i < ARRAY_SIZE(m->channel_free); i++)
		m->channel_free[i] = t;
	for (i = 0; i < ARRAY_SIZE(m->die_free); i++)
		m->die_free[i] = t;
	for (i = 0; i < ARRAY_SIZE(m->slot_free); i++)
		m->slot_free[i] = t;
	m->prog_die = 0;
	m->wb_slot = 0;
	m->wb_fill = 0;
}

/* When the last booked work ends: the device is drained from then on. */
static u64 drain_time(const struct nvmev_timing_model *m)
{
	u64 t = max(m->link_rx_free, m->link_tx_free);
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(m->core_free); i++)
		t = max(t, m->core_free[i]);
	for (i = 0; i < ARRAY_SIZE(m->channel_free); i++)
		t = max(t, m->channel_free[i]);
	for (i = 0; i < ARRAY_SIZE(m->die_free); i++)
		t = max(t, m->die_free[i]);
	for (i = 0; i < ARRAY_SIZE(m->slot_free); i++)
		t = max(t, m->slot_free[i]);
	return t;
}

int nvmev_timing_init(struct nvmev_timing_model *m,
		      const struct nvmev_timing_params *p)
{
	if (nvmev_timing_params_check(p))
		return -EINVAL;
	m->p = *p;
	derive(m);
	set_all_free(m, 0);
	return 0;
}

/* Forget all bookings (a controller reset): everything free from time 0. */
void nvmev_timing_reset(struct nvmev_timing_model *m)
{
	set_all_free(m, 0);
}

/*
 * New parameters from the next command on. Targets already returned stand.
 * A new geometry (the caller allows it only when no command is in flight)
 * starts every resource free at the end of all booked work, programs
 * included, so no later command completes before earlier work would have;
 * the partly filled buffer unit is dropped.
 */
int nvmev_timing_retune(struct nvmev_timing_model *m,
			const struct nvmev_timing_params *p)
{
	bool reshape;

	if (nvmev_timing_params_check(p))
		return -EINVAL;
	reshape = nvmev_timing_geometry_differs(&m->p, p);
	m->p = *p;
	derive(m);
	if (reshape)
		set_all_free(m, drain_time(m));
	return 0;
}

/* One parameter by name: 0, -EINVAL or -ENOENT; the model is unchanged on error. */
int nvmev_timing_set(struct nvmev_timing_model *m, const char *name, u64 value)
{
	struct nvmev_timing_params np = m->p;
	int ret = nvmev_timing_param_set(&np, name, value);

	return ret ? ret : nvmev_timing_retune(m, &np);
}

#ifdef __KERNEL__
/*
 * ---- kernel glue -----------------------------------------------------------
 * One model per device, booked by the dispatcher for every I/O command and
 * tuned through sysfs, in the emulated PCI function's directory:
 *
 *   /sys/class/nvme/nvmeX/device/timing/preset      read: the current preset
 *                                                    ("custom" once tuned);
 *                                                    write a name to load it
 *   /sys/class/nvme/nvmeX/device/timing/<param>     one file per parameter
 *
 * New values apply from the next command. Geometry (NVMEV_TP_GEOMETRY)
 * changes while commands are in flight get EBUSY; bad values get EINVAL
 * and a log line. @lock serialises booking (dispatcher) and tuning (sysfs).
 */
#include <linux/kobject.h>
#include <linux/sysfs.h>
#include "nvmev.h"

struct nvmev_timing_dev {
	spinlock_t lock;
	struct nvmev_timing_model model;
	struct nvmev_dev *dev;
	struct kobject kobj;
	bool kobj_added;
	struct kobj_attribute *attrs; /* [0]: preset, [1 + i]: parameter i */
	struct attribute **attr_list; /* NULL-terminated, for the group */
	struct attribute_group group;
};

int nvmev_timing_dev_init(struct nvmev_dev *dev)
{
	struct nvmev_timing_params p;
	struct nvmev_timing_dev *td;
	int ret;

	ret = nvmev_timing_preset(dev->cfg.timing_preset, &p);
	if (ret)
		return ret;
	td = nvmev_vzalloc(sizeof(*td));
	if (!td)
		return -ENOMEM;
	spin_lock_init(&td->lock);
	td->dev = dev;
	ret = nvmev_timing_init(&td->model, &p);
	if (ret) {
		nvmev_vfree(td);
		return ret;
	}
	dev->timing = td;
	return 0;
}

void nvmev_timing_dev_exit(struct nvmev_dev *dev)
{
	nvmev_vfree(dev->timing);
	dev->timing = NULL;
}

/* The target completion time of one command; dispatcher only. */
u64 nvmev_timing_dev_book(struct nvmev_dev *dev, u64 now_ns,
			  const struct nvmev_timing_op *op)
{
	struct nvmev_timing_dev *td = dev->timing;
	u64 target;

	spin_lock(&td->lock);
	target = nvmev_timing_book(&td->model, now_ns, op);
	spin_unlock(&td->lock);
	return target;
}

/* ---- sysfs ---- */

static struct nvmev_timing_dev *kobj_td(struct kobject *kobj)
{
	return container_of(kobj, struct nvmev_timing_dev, kobj);
}

static int attr_param(struct nvmev_timing_dev *td, struct kobj_attribute *a)
{
	return (int)(a - td->attrs) - 1; /* -1: preset */
}

static ssize_t timing_show(struct kobject *kobj, struct kobj_attribute *a,
			   char *buf)
{
	struct nvmev_timing_dev *td = kobj_td(kobj);
	int idx = attr_param(td, a);
	ssize_t n;
	u64 v = 0;

	spin_lock(&td->lock);
	if (idx < 0) {
		n = sysfs_emit(buf, "%s\n", td->model.p.preset);
	} else {
		nvmev_timing_param_get(&td->model.p,
				       nvmev_timing_param_table[idx].name, &v);
		n = sysfs_emit(buf, "%llu\n", v);
	}
	spin_unlock(&td->lock);
	return n;
}

/* Geometry may change only with no command in flight. */
static bool busy_for(struct nvmev_timing_dev *td,
		     const struct nvmev_timing_params *np)
{
	return nvmev_timing_geometry_differs(&td->model.p, np) &&
	       atomic_read(&td->dev->inflight) > 0;
}

static ssize_t preset_store(struct nvmev_timing_dev *td, const char *buf,
			    size_t len)
{
	struct nvmev_timing_params np;
	char name[16];
	int ret;

	strscpy(name, buf, sizeof(name));
	strim(name);
	if (nvmev_timing_preset(name, &np)) {
		pr_warn("timing: preset '%s' unknown (pm983, none)\n", name);
		return -EINVAL;
	}
	spin_lock(&td->lock);
	ret = busy_for(td, &np) ? -EBUSY : nvmev_timing_retune(&td->model, &np);
	spin_unlock(&td->lock);
	if (ret == -EBUSY)
		pr_warn("timing: preset %s changes the geometry: commands in flight\n",
			name);
	return ret ?: len;
}

static ssize_t timing_store(struct kobject *kobj, struct kobj_attribute *a,
			    const char *buf, size_t len)
{
	struct nvmev_timing_dev *td = kobj_td(kobj);
	int idx = attr_param(td, a);
	const struct nvmev_timing_param_desc *d;
	struct nvmev_timing_params np;
	u64 v;
	int ret;

	if (idx < 0)
		return preset_store(td, buf, len);
	d = &nvmev_timing_param_table[idx];
	if (kstrtou64(buf, 0, &v)) {
		pr_warn("timing: %s: '%.*s' is not a number\n", d->name,
			(int)min_t(size_t, len, 32), buf);
		return -EINVAL;
	}
	spin_lock(&td->lock);
	np = td->model.p;
	ret = nvmev_timing_param_set(&np, d->name, v);
	if (!ret)
		ret = busy_for(td, &np) ? -EBUSY :
					  nvmev_timing_retune(&td->model, &np);
	spin_unlock(&td->lock);
	if (ret == -EBUSY)
		pr_warn("timing: %s: geometry change with commands in flight\n",
			d->name);
	else if (ret)
		pr_warn("timing: %s: %llu rejected (%llu..%llu %s%s)\n", d->name,
			v, d->min, d->max, d->unit,
			d->flags & NVMEV_TP_POW2 ? ", a power of two" : "");
	return ret ?: len;
}

static void timing_kobj_release(struct kobject *kobj)
{
	/* the kobject lives in struct nvmev_timing_dev, freed at exit */
}

static const struct kobj_type timing_ktype = {
	.release = timing_kobj_release,
	.sysfs_ops = &kobj_sysfs_ops,
};

static void timing_attrs_free(struct nvmev_timing_dev *td)
{
	nvmev_kfree(td->attr_list);
	td->attr_list = NULL;
	nvmev_kfree(td->attrs);
	td->attrs = NULL;
}

static int timing_attrs_alloc(struct nvmev_timing_dev *td)
{
	unsigned int i, n = nvmev_timing_nr_params + 1;

	td->attrs = nvmev_kzalloc(array_size(n, sizeof(*td->attrs)),
				  GFP_KERNEL);
	td->attr_list = nvmev_kzalloc(array_size(n + 1, sizeof(*td->attr_list)),
				      GFP_KERNEL);
	if (!td->attrs || !td->attr_list) {
		timing_attrs_free(td);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		struct kobj_attribute *a = &td->attrs[i];

		sysfs_attr_init(&a->attr);
		a->attr.name = i ? nvmev_timing_param_table[i - 1].name :
				   "preset";
		a->attr.mode = 0644;
		a->show = timing_show;
		a->store = timing_store;
		td->attr_list[i] = &a->attr;
	}
	td->group.attrs = td->attr_list;
	return 0;
}

/* The timing directory under the PCI function; after the function is added. */
int nvmev_timing_sysfs_add(struct nvmev_dev *dev)
{
	struct nvmev_timing_dev *td = dev->timing;
	int ret;

	ret = timing_attrs_alloc(td);
	if (ret)
		return ret;
	ret = kobject_init_and_add(&td->kobj, &timing_ktype,
				   &dev->pdev->dev.kobj, "timing");
	if (!ret)
		ret = sysfs_create_group(&td->kobj, &td->group);
	if (ret) {
		kobject_put(&td->kobj);
		timing_attrs_free(td);
		return ret;
	}
	td->kobj_added = true;
	return 0;
}

void nvmev_timing_sysfs_remove(struct nvmev_dev *dev)
{
	struct nvmev_timing_dev *td = dev->timing;

	if (!td || !td->kobj_added)
		return;
	sysfs_remove_group(&td->kobj, &td->group);
	kobject_del(&td->kobj);
	kobject_put(&td->kobj);
	td->kobj_added = false;
	timing_attrs_free(td);
}
#endif /* __KERNEL__ */
