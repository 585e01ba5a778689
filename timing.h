/* SPDX-License-Identifier: GPL-2.0 */
/*
 * timing.h - the timing model of the emulated KV-SSD (DESIGN.md rule 5):
 * one pure function turns a command into a completion time by booking
 * busy-until times on named resources. It compiles in the kernel and, via
 * nvmev_compat.h, in user space, where tests replay it exactly: the clock
 * is passed in (now_ns), never read here.
 *
 * ---- The model --------------------------------------------------------
 * Resources, each a busy-until time in ns:
 *   front end    frontend_ns added to every command; occupies nothing.
 *   host link    one rx (host -> device) and one tx (device -> host)
 *                queue at link_mbps. A retrieve's tx moves page by page
 *                as each NAND page reaches the controller (interleaved,
 *                as NVMeVirt's interleave_pci_dma); the sum of the chunks
 *                is exactly the whole transfer time.
 *   firmware     fw_cores cores; a command takes the core that frees
 *                first, for fw_<op>_ns + fw_<op>_kib_ns * bytes / 1024.
 *                A real KV-SSD is bound here, not by NAND.
 *   NAND         channels x dies_per_channel dies, numbered channel first
 *                (die d sits on channel d % channels). A page read holds
 *                the die for nand_read_ns, then the channel moves the 4 KiB
 *                sectors the command needs at channel_mbps; the die stays
 *                held until that transfer ends (NVMeVirt ssd_advance_nand).
 *                A program moves one one-shot unit (oneshot_pages pages)
 *                over the channel, then holds the die for nand_prog_ns.
 *   write buffer wbuf_bytes, cut in one-shot units (unit = page_bytes *
 *                oneshot_pages; nslots = wbuf_bytes / unit). Stores append
 *                their stored bytes to the open unit; a full unit is
 *                programmed on the next die in round-robin order and its
 *                slot frees when the program ends. A store completes when
 *                its bytes are in the buffer; if the slot it needs is still
 *                being programmed it waits (back-pressure, never an error).
 *                Exactly the first store whose bytes pass wbuf_bytes waits.
 *   index        index_keys > 0: only that many keys fit in DRAM; with
 *                live_keys > index_keys a lookup misses with probability
 *                1 - index_keys / live_keys (decided by the key hash's high
 *                32 bits, so deterministic) and then reads one NAND page
 *                (the hash-index cliff of RHIK, HPDC'23). Inferred.
 *
 * Where data lives: a value takes stored = max(value_min_alloc,
 * roundup(value_bytes, value_align)) bytes, starting at a page boundary,
 * in ceil(stored / page_bytes) pages on consecutive dies from die
 * key_hash % (channels * dies_per_channel). Nothing is recorded: a
 * retrieve reads the dies its store striped over because both derive them
 * from the same hash. Programs are placed round-robin instead; over many
 * keys both are uniform, which is what the throughput model needs. So a
 * caller (or test) chooses dies by key hash: hashes i = 0..D-1 land on D
 * distinct dies, hashes i * (channels * dies_per_channel) on one die.
 * Block LBAs map to pages linearly: page = slba * 512 / page_bytes, on die
 * page % (channels * dies_per_channel).
 *
 * Per command (-> is "then"; each step starts when the previous ends):
 *   store        frontend, link rx (xfer_bytes), fw_store, [index miss],
 *                write buffer (stored bytes)
 *   retrieve     frontend, fw_retrieve, [index miss], NAND read of the
 *                value's pages (in parallel across dies), link tx
 *   delete       frontend, fw_delete, [index miss]
 *   exist        frontend, fw_exist, [index miss]
 *   iter read    frontend, fw_iter_read, NAND read of value_bytes from
 *                die key_hash % dies (pass the handle), link tx
 *   iter ctl     frontend, fw_iter_ctl
 *   block read   frontend, fw_block, NAND read of the LBAs' pages, link tx
 *   block write  frontend, link rx, fw_block, write buffer (the bytes)
 *   flush, write zeroes   frontend, fw_block (power-loss protected
 *                buffer; zeroes only change the mapping)
 *   error        frontend, fw_error (decode + one lookup): never free
 * Not modelled: erase and garbage collection, read caching, the
 * Samsung emulator's op-mix effects (update vs insert).
 *
 * Arithmetic: integer ns, u64, saturating adds; a transfer of b bytes at
 * r MB/s takes ceil(b * 1000 / r) ns (rate 0 = unlimited, 0 ns). Per-KiB
 * costs round up: ceil(kib_ns * bytes / 1024). Bytes above
 * NVMEV_TIMING_MAX_BYTES are costed as that many (bounds the loops).
 *
 * Concurrency: one thread (the dispatcher) calls nvmev_timing_book() in
 * submission order with a non-decreasing now_ns; there is no locking here.
 * Retuning (nvmev_timing_set/retune) must run on that thread too or be
 * serialised with it by the caller.
 *
 * ---- The pm983 preset (default) -----------------------------------------
 * A Samsung PM983-class KV-SSD. Sources: [E] Samsung KV emulator
 * throughput model (OpenMPDK/KVSSD kvssd_emul): 148k/139k retrieve/store
 * IOPS at 100 B, 125k/108k at 4 KiB, 93.6k all-delete; [K5] OpenMPDK/KVSSD
 * issue 5 (values padded to 1 KiB); [K43] issue 43 / SNIA SDC'17 (32 B
 * granularity); [D] PM983 datasheet (Gen3 x4 ~3.2 GB/s, 540k random read
 * IOPS, 85 us typical read); [N] NVMeVirt ssd_config.h (970PRO channel
 * 800 MB/s; ZN540 TLC 3-page one-shot, program 561 us, read 50-58 us);
 * [F] FEMU TLC read 56.5-106 us; [I] inferred.
 *
 *   frontend_ns          1500 ns   [I] SQE fetch, CQE, interrupt
 *   link_mbps            3200 MB/s [D]
 *   fw_cores                1      [I] the [E] IOPS fit one core
 *   fw_store_ns          7200 ns   [E] 139k IOPS at 100 B
 *   fw_store_kib_ns       500 ns   [E] 108k IOPS at 4 KiB
 *   fw_retrieve_ns       6700 ns   [E] 148k IOPS at 100 B
 *   fw_retrieve_kib_ns    330 ns   [E] 125k IOPS at 4 KiB
 *   fw_delete_ns        10700 ns   [E] 93.6k all-delete IOPS
 *   fw_exist_ns          5000 ns   [I] a lookup, no value
 *   fw_iter_read_ns     10000 ns   [I]
 *   fw_iter_read_kib_ns   330 ns   [I] as retrieve
 *   fw_iter_ctl_ns       3000 ns   [I]
 *   fw_error_ns          5000 ns   [I] decode + one lookup (= exist)
 *   fw_block_ns          1850 ns   [D] 540k random-read IOPS on one core
 *   fw_block_kib_ns         0 ns   [I] block path bound by link/NAND
 *   channels                8      [I] 8-channel controller
 *   dies_per_channel        4      [I]
 *   page_bytes          16384 B    [I] TLC, as [N]
 *   oneshot_pages           3      [N] ZN540
 *   nand_read_ns        60000 ns   [I] within [N] 50-58 us, [F] 56.5-106
 *   nand_prog_ns       560000 ns   [N] ZN540 561 us, per one-shot unit
 *   channel_mbps          800 MB/s [N] 970PRO
 *   wbuf_bytes        3145728 B    [N] GLOBAL_WB_SIZE: 2 x dies x unit
 *   value_min_alloc      1024 B    [K5]
 *   value_align            32 B    [K43]
 *   index_keys              0      [I] 0 = every key in DRAM (off)
 *
 * The "none" preset sets every time to 0 and every rate to 0 (unlimited),
 * with the pm983 geometry: every target is now.
 */
#ifndef NVMEV_TIMING_H
#define NVMEV_TIMING_H

#include "nvmev_compat.h"

#define NVMEV_TIMING_MAX_FW_CORES	16
#define NVMEV_TIMING_MAX_CHANNELS	16
#define NVMEV_TIMING_MAX_DIES_PER_CH	16
#define NVMEV_TIMING_MAX_DIES \
	(NVMEV_TIMING_MAX_CHANNELS * NVMEV_TIMING_MAX_DIES_PER_CH)
#define NVMEV_TIMING_MAX_WBUF_UNITS	1024	/* one-shot units in the buffer */
#define NVMEV_TIMING_MAX_BYTES		(64U << 20) /* per command, see above */
#define NVMEV_TIMING_LBA_BYTES		512
#define NVMEV_TIMING_SECTOR_BYTES	4096	/* NAND read transfer unit */

/* Every tunable; all u64 so the parameter table can address them alike. */
struct nvmev_timing_params {
	const char *preset;	/* "pm983", "none", or "custom" once changed */
	u64 frontend_ns;
	u64 link_mbps;
	u64 fw_cores;
	u64 fw_store_ns;
	u64 fw_store_kib_ns;
	u64 fw_retrieve_ns;
	u64 fw_retrieve_kib_ns;
	u64 fw_delete_ns;
	u64 fw_exist_ns;
	u64 fw_iter_read_ns;
	u64 fw_iter_read_kib_ns;
	u64 fw_iter_ctl_ns;
	u64 fw_error_ns;
	u64 fw_block_ns;
	u64 fw_block_kib_ns;
	u64 channels;
	u64 dies_per_channel;
	u64 page_bytes;
	u64 oneshot_pages;
	u64 nand_read_ns;
	u64 nand_prog_ns;
	u64 channel_mbps;
	u64 wbuf_bytes;
	u64 value_min_alloc;
	u64 value_align;
	u64 index_keys;
};

/* flags of a parameter */
#define NVMEV_TP_GEOMETRY	0x1	/* sizes the model: change only when idle */
#define NVMEV_TP_POW2		0x2	/* must be a power of two */

/* One tunable: sysfs files and validation are generated from the table. */
struct nvmev_timing_param_desc {
	const char *name;
	const char *unit;	/* "ns", "ns/KiB", "MB/s", "bytes", "count" */
	size_t offset;		/* in struct nvmev_timing_params */
	u64 min;
	u64 max;
	u32 flags;
};

extern const struct nvmev_timing_param_desc nvmev_timing_param_table[];
extern const unsigned int nvmev_timing_nr_params;
extern const char *const nvmev_timing_preset_names[];	/* NULL-terminated */

enum nvmev_timing_kind {
	NVMEV_TIMING_STORE,	/* KV store and append */
	NVMEV_TIMING_RETRIEVE,
	NVMEV_TIMING_DELETE,
	NVMEV_TIMING_EXIST,
	NVMEV_TIMING_ITER_READ,
	NVMEV_TIMING_ITER_CTL,
	NVMEV_TIMING_BLK_READ,
	NVMEV_TIMING_BLK_WRITE,
	NVMEV_TIMING_BLK_FLUSH,
	NVMEV_TIMING_BLK_ZEROES,
	NVMEV_TIMING_ERROR,	/* rejected at decode */
	NVMEV_TIMING_NR_KINDS,
};

/*
 * One command as the model sees it.
 *   value_bytes  store: the value length; retrieve: the stored value's
 *                length (the host buffer size if unknown); iterate read:
 *                bytes the index scan reads; block: nlb * 512. Others 0.
 *   xfer_bytes   bytes over the host link: store: value length;
 *                retrieve: what is returned (min(value - offset, buffer));
 *                iterate read: bytes returned; block read/write: nlb * 512.
 *   key_hash     KV: the key's hash (places the value, decides index
 *                misses); iterate read: anything per handle.
 *   slba         block: first LBA.
 *   live_keys    keys stored, for index residency (ignored if index_keys 0).
 */
struct nvmev_timing_op {
	enum nvmev_timing_kind kind;
	u32 value_bytes;
	u32 xfer_bytes;
	u64 key_hash;
	u64 slba;
	u64 live_keys;
};

/*
 * Busy-until state, about 11 KiB: allocate it (kzalloc/vmalloc), never put
 * it on a kernel stack. Valid after nvmev_timing_init().
 */
struct nvmev_timing_model {
	struct nvmev_timing_params p;
	u32 ndies;		/* channels * dies_per_channel */
	u32 nslots;		/* write-buffer units: wbuf_bytes / unit */
	u32 page_shift;		/* log2(page_bytes) */
	u32 prog_die;		/* next die a full unit is programmed on */
	u32 wb_slot;		/* slot of the open unit */
	u64 wb_fill;		/* bytes in the open unit; 0: none open */
	u64 link_rx_free;
	u64 link_tx_free;
	u64 core_free[NVMEV_TIMING_MAX_FW_CORES];
	u64 channel_free[NVMEV_TIMING_MAX_CHANNELS];
	u64 die_free[NVMEV_TIMING_MAX_DIES];
	u64 slot_free[NVMEV_TIMING_MAX_WBUF_UNITS];
};

/* Parameters: 0 or -EINVAL (bad value / cross check), -ENOENT (no name). */
int nvmev_timing_preset(const char *name, struct nvmev_timing_params *p);
int nvmev_timing_param_find(const char *name);
int nvmev_timing_param_check(unsigned int idx, u64 value);
int nvmev_timing_params_check(const struct nvmev_timing_params *p);
int nvmev_timing_param_set(struct nvmev_timing_params *p, const char *name,
			   u64 value);
int nvmev_timing_param_get(const struct nvmev_timing_params *p,
			   const char *name, u64 *value);
bool nvmev_timing_geometry_differs(const struct nvmev_timing_params *a,
				   const struct nvmev_timing_params *b);
u64 nvmev_timing_stored_bytes(const struct nvmev_timing_params *p,
			      u32 value_bytes);

/* The model: 0 or -EINVAL (params fail nvmev_timing_params_check). */
int nvmev_timing_init(struct nvmev_timing_model *m,
		      const struct nvmev_timing_params *p);
void nvmev_timing_reset(struct nvmev_timing_model *m);
int nvmev_timing_retune(struct nvmev_timing_model *m,
			const struct nvmev_timing_params *p);
int nvmev_timing_set(struct nvmev_timing_model *m, const char *name,
		     u64 value);
u64 nvmev_timing_book(struct nvmev_timing_model *m, u64 now_ns,
		      const struct nvmev_timing_op *op);

#endif /* NVMEV_TIMING_H */
