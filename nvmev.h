/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nvmev.h - shared types of the nvmev_kv module: the device, its queues,
 * requests, workers, configuration, NVMe status codes and the interfaces
 * between the files (DESIGN.md "Files").
 *
 * The pure parts (dma.c's PRP walker, kv_ftl.c's decoder, hash_map.c,
 * allocator.c) see only the section above "kernel-only"; it compiles in user
 * space through nvmev_compat.h.
 */
#ifndef NVMEV_H
#define NVMEV_H

#include "nvmev_compat.h"
#include "timing.h"

/* ---------------------------------------------------------------------- */
/* NVMe status codes as (DNR << 14 | SCT << 8 | SC); CQE status = sc << 1 | P */

#define NVMEV_SC_SUCCESS 0x000
#define NVMEV_SC_INVALID_OPCODE 0x001
#define NVMEV_SC_INVALID_FIELD 0x002
#define NVMEV_SC_DATA_XFER_ERROR 0x004
#define NVMEV_SC_INTERNAL 0x006
#define NVMEV_SC_ABORT_REQ 0x007
#define NVMEV_SC_ABORT_QUEUE 0x008
#define NVMEV_SC_INVALID_NS 0x00b
#define NVMEV_SC_CMD_SEQ_ERROR 0x00c
#define NVMEV_SC_SANITIZE_FAILED 0x01c
#define NVMEV_SC_PRP_INVALID_OFFSET 0x013
#define NVMEV_SC_SGL_INVALID 0x00f /* reused for "PSDT says SGL" */
#define NVMEV_SC_LBA_RANGE 0x080
#define NVMEV_SC_CAP_EXCEEDED 0x081
/* status code type 2: media and data integrity errors */
#define NVMEV_SC_READ_ERROR 0x281 /* Unrecovered Read Error */
#define NVMEV_SC_COMPARE_FAILED 0x285 /* Compare Failure */
/* status code type 1: command specific */
#define NVMEV_SC_CQ_INVALID 0x100
#define NVMEV_SC_QID_INVALID 0x101
#define NVMEV_SC_QUEUE_SIZE 0x102
#define NVMEV_SC_ABORT_LIMIT 0x103
#define NVMEV_SC_ASYNC_LIMIT 0x105
#define NVMEV_SC_INVALID_VECTOR 0x108
#define NVMEV_SC_INVALID_LOG_PAGE 0x109
#define NVMEV_SC_INVALID_FORMAT 0x10a /* Format NVM: no such LBA format */
#define NVMEV_SC_INVALID_QUEUE_DELETION 0x10c
#define NVMEV_SC_FEATURE_NOT_SAVEABLE 0x10d
#define NVMEV_SC_FEATURE_NOT_CHANGEABLE 0x10e
#define NVMEV_SC_IOCS_COMBINATION_REJECTED 0x12b /* Set Features 19h */
/* NVM command set specific: Copy beyond MSRC, MSSRL or MCL */
#define NVMEV_SC_CMD_SIZE_LIMIT 0x183
#define NVMEV_SC_INVALID_IOCS 0x12c /* Identify: not the namespace's set */
/* Namespace Management and Attachment (command specific) */
#define NVMEV_SC_IOCS_NOT_SUPPORTED 0x029 /* generic */
#define NVMEV_SC_NS_INSUFFICIENT_CAP 0x115
#define NVMEV_SC_NS_ID_UNAVAILABLE 0x116
#define NVMEV_SC_NS_ALREADY_ATTACHED 0x118
#define NVMEV_SC_NS_NOT_ATTACHED 0x11a
#define NVMEV_SC_THIN_PROV_NOT_SUPPORTED 0x11b
#define NVMEV_SC_CTRL_LIST_INVALID 0x11c
#define NVMEV_SC_DNR 0x4000
#define NVMEV_SC_MASK 0x07ff

/* ---------------------------------------------------------------------- */
/* Fixed geometry */

#define NVMEV_PAGE_SIZE 4096u /* CC.MPS = 0 is the only page size */
#define NVMEV_PAGE_SHIFT 12
#define NVMEV_LBA_SHIFT 9 /* 512-byte LBAs on the block namespace */
#define NVMEV_MDTS 9 /* 2^9 pages = 2 MiB maximum data transfer */
#define NVMEV_MAX_XFER (NVMEV_PAGE_SIZE << NVMEV_MDTS)
/* PRP entries for one maximum transfer: one more if PRP1 has an offset */
#define NVMEV_MAX_SEGS ((NVMEV_MAX_XFER / NVMEV_PAGE_SIZE) + 1)

/* One contiguous piece of a host buffer, never crossing a host page. */
struct nvmev_seg {
	u64 addr;
	u32 len;
};

/* A host buffer described by PRP1/PRP2, flattened once per command. */
struct nvmev_sgl {
	u32 nr;
	u64 total;
	struct nvmev_seg seg[NVMEV_MAX_SEGS];
};

/*
 * How the PRP walker reads PRP list entries from host memory: the kernel
 * checks that @addr is host RAM; the unit tests use a fake memory map.
 * Returns 0, or -EFAULT if the list page is not readable host memory.
 */
struct nvmev_mem_ops {
	int (*read_prp_list)(void *ctx, u64 addr, u64 *entries, u32 nr);
};

u16 nvmev_prp_map(struct nvmev_sgl *sgl, u64 prp1, u64 prp2, u64 len,
		  const struct nvmev_mem_ops *mem, void *ctx);
void nvmev_copy_words(void *dst, const void *src, u32 len);

/* Queue arithmetic shared by the dispatcher, workers and unit tests. */
static inline u32 nvmev_q_next(u32 idx, u32 size)
{
	return idx + 1 == size ? 0 : idx + 1;
}

static inline bool nvmev_q_full(u32 tail, u32 head, u32 size)
{
	return nvmev_q_next(tail, size) == head;
}

/*
 * Doorbell arithmetic (queue.c). Doorbells are plain memory the host writes at
 * any time with any value, so every value is checked before it is used.
 */
static inline u32 nvmev_q_dist(u32 from, u32 to, u32 size)
{
	return to >= from ? to - from : to + size - from;
}

/* SQEs the host has submitted past @head, or -1: @tail is not an entry. */
static inline int nvmev_sq_pending(u32 head, u32 tail, u32 size)
{
	if (tail >= size)
		return -1;
	return nvmev_q_dist(head, tail, size);
}

bool nvmev_cq_head_valid(u32 head, u32 last, u32 tail, u32 size);

/* ---------------------------------------------------------------------- */
/* Polling and waiting pace (pace.c, pure) */

/*
 * Once the window has passed, the dispatcher sleeps 10, 20, .. 250 us: a
 * command arriving meanwhile waits half a step on average. A step costs a
 * wake-up: about 5 us natively (2 % of a CPU at 250 us), 100-150 us under
 * TCG (a third of a vCPU) until the device has been a second without
 * commands. The cap was 1 ms, which added 0.5-1 ms to the first command
 * after a long think time.
 */
#define NVMEV_BACKOFF_MIN_US 10
#define NVMEV_BACKOFF_MAX_US 250
/*
 * After NVMEV_IDLE_NS without a command: a pass and its wake-up cost about
 * 5 us natively but 150 us under TCG, so 10 ms sleeps cost 1.6 % of a CPU
 * there; 50 ms keeps an idle device under 1 % (0.3 %), at up to 50 ms for
 * the first command after a second of idleness (a real SSD's low-power
 * exit is alike).
 */
#define NVMEV_IDLE_BACKOFF_MAX_US 50000
#define NVMEV_IDLE_NS 1000000000ULL
/*
 * The window is twice the learned gap (an asymmetric average, pace.c), and
 * a gap is learned if under NVMEV_GAP_IGNORE_NS (longer: the host was idle,
 * not thinking; 60 ms leaves room for the backoff step and the host's own
 * path around a 50 ms think): so a host thinking up to 50 ms between
 * commands never finds the dispatcher asleep. The price is the
 * dispatcher's CPU, polling all the while such a host runs, as a polled
 * controller's core is; only a device a second without commands sleeps
 * long (NVMEV_IDLE_BACKOFF_MAX_US).
 */
#define NVMEV_POLL_WINDOW_MAX_US 120000
#define NVMEV_GAP_IGNORE_NS 60000000ULL
/* a worker's wake-up margin: twice its timers' lateness, within these */
#define NVMEV_SPIN_MIN_NS 20000ULL
#define NVMEV_SPIN_MAX_NS 500000ULL
/* the most a worker holds an interrupt back for requests due after it */
#define NVMEV_IRQ_HORIZON_MAX_NS 200000ULL

/* What the dispatcher's polling has learned of the host's pace. */
struct nvmev_poll_pace {
	u64 quiet_since; /* last command fetched or completed */
	u64 gap_avg_ns; /* running average of quiet -> next command */
	unsigned int backoff_us;
};

u64 nvmev_pace_window_ns(const struct nvmev_poll_pace *p, u64 spin_ns);
void nvmev_pace_busy(struct nvmev_poll_pace *p, u64 now);
void nvmev_pace_quiet(struct nvmev_poll_pace *p, u64 now);
void nvmev_pace_pass(struct nvmev_poll_pace *p, u64 now, bool arrived,
		     bool completed);
unsigned int nvmev_pace_idle(struct nvmev_poll_pace *p, u64 now, bool inflight,
			     u64 spin_ns);
void nvmev_wake_learn(u64 *late_avg_ns, u64 until_ns, u64 now);
u64 nvmev_wake_margin_ns(u64 late_avg_ns);
void nvmev_irq_stall_learn(u64 *stall_avg_ns, u64 stall_ns);
u64 nvmev_irq_horizon_ns(u64 stall_avg_ns, u64 min_ns);

/* ---------------------------------------------------------------------- */
/*
 * SQE decoding, pure so it is unit-tested and fuzzed in user space. The
 * constants are the NVMe values <linux/nvme.h> names (checked against it at
 * build time in admin.c and io.c); user space has no such header.
 */
#define NVMEV_ADM_DELETE_SQ 0x00
#define NVMEV_ADM_CREATE_SQ 0x01
#define NVMEV_ADM_GET_LOG_PAGE 0x02
#define NVMEV_ADM_DELETE_CQ 0x04
#define NVMEV_ADM_CREATE_CQ 0x05
#define NVMEV_ADM_IDENTIFY 0x06
#define NVMEV_ADM_ABORT 0x08
#define NVMEV_ADM_SET_FEATURES 0x09
#define NVMEV_ADM_GET_FEATURES 0x0a
#define NVMEV_ADM_ASYNC_EVENT 0x0c
#define NVMEV_ADM_NS_MGMT 0x0d
#define NVMEV_ADM_NS_ATTACH 0x15
#define NVMEV_ADM_KEEP_ALIVE 0x18
#define NVMEV_ADM_FORMAT_NVM 0x80
#define NVMEV_ADM_SANITIZE 0x84
#define NVMEV_ADM_GET_LBA_STATUS 0x86

/* Format NVM and Sanitize CDW10 values (admin.c: decode_format/sanitize) */
#define NVMEV_FMT_SES_NONE 0 /* no secure erase */
#define NVMEV_FMT_SES_USER_DATA 1 /* user data erase */
#define NVMEV_FMT_SES_CRYPTO 2 /* cryptographic erase: not supported */
#define NVMEV_SANACT_EXIT_FAILURE 1
#define NVMEV_SANACT_BLOCK_ERASE 2
#define NVMEV_SANACT_OVERWRITE 3 /* not supported */
#define NVMEV_SANACT_CRYPTO 4 /* not supported */

#define NVMEV_CNS_NS 0x00
#define NVMEV_CNS_CTRL 0x01
#define NVMEV_CNS_NS_ACTIVE_LIST 0x02
#define NVMEV_CNS_NS_DESC_LIST 0x03
#define NVMEV_CNS_CS_NS 0x05
#define NVMEV_CNS_CS_CTRL 0x06
#define NVMEV_CNS_CS_NS_ACTIVE_LIST 0x07 /* active NSIDs of one command set */
#define NVMEV_CNS_NS_CS_INDEP 0x08
#define NVMEV_CNS_ALLOC_LIST 0x10 /* allocated NSIDs */
#define NVMEV_CNS_ALLOC_NS 0x11 /* Identify Namespace of an allocated NSID */
#define NVMEV_CNS_CTRL_LIST_NS 0x12 /* controllers attached to the NSID */
#define NVMEV_CNS_CTRL_LIST 0x13 /* controllers in the subsystem */
#define NVMEV_CNTLID 1 /* the one controller of each device's subsystem */
#define NVMEV_CNS_CS_ALLOC_LIST 0x1a /* allocated NSIDs of one command set */
#define NVMEV_CNS_CS_ALLOC_NS 0x1b /* command set Identify NS, allocated */
#define NVMEV_CNS_CMD_SET 0x1c
#define NVMEV_CSI_NVM 0
#define NVMEV_CSI_KV 1 /* NVMe Key Value Command Set */
#define NVMEV_CC_CSS_CSI 6 /* CC.CSS 110b: the command sets of CNS 1Ch */

#define NVMEV_LOG_SUPPORTED 0x00 /* Supported Log Pages */
#define NVMEV_LOG_ERROR 0x01
#define NVMEV_LOG_SMART 0x02
#define NVMEV_LOG_FW_SLOT 0x03
#define NVMEV_LOG_CHANGED_NS 0x04 /* Changed Namespace List */
#define NVMEV_LOG_CMD_EFFECTS 0x05
#define NVMEV_LOG_LBA_STATUS 0x0e /* LBA Status Information */
#define NVMEV_LOG_FID_EFFECTS 0x12 /* Feature Identifiers Supported and Effects */
#define NVMEV_LOG_SANITIZE 0x81 /* Sanitize Status */

#define NVMEV_FEAT_ARBITRATION 0x01
#define NVMEV_FEAT_POWER_MGMT 0x02
#define NVMEV_FEAT_TEMP_THRESH 0x04
#define NVMEV_FEAT_ERR_RECOVERY 0x05
#define NVMEV_FEAT_VOLATILE_WC 0x06
#define NVMEV_FEAT_NUM_QUEUES 0x07
#define NVMEV_FEAT_IRQ_COALESCE 0x08
#define NVMEV_FEAT_IRQ_CONFIG 0x09
#define NVMEV_FEAT_WRITE_ATOMIC 0x0a
#define NVMEV_FEAT_ASYNC_EVENT 0x0b
#define NVMEV_FEAT_TIMESTAMP 0x0e
#define NVMEV_FEAT_KATO 0x0f
#define NVMEV_FEAT_IOCS_PROFILE 0x19 /* I/O Command Set Profile */
#define NVMEV_FEAT_KV_CONFIG 0x20 /* Key Value Configuration (KV set) */
#define NVMEV_KV_CONFIG_EDNEK (1 << 0) /* error on delete of a missing key */
#define NVMEV_FEAT_SEL_DEFAULT 1 /* Get Features SEL: default value */
#define NVMEV_FEAT_SEL_SAVED 2
#define NVMEV_FEAT_SEL_SUPPORTED 3 /* Get Features SEL: capabilities */
#define NVMEV_FEAT_CAP_NS (1 << 1) /* in the SEL 3 answer: per namespace */
#define NVMEV_FEAT_CAP_CHANGEABLE (1 << 2) /* in the SEL 3 answer */
#define NVMEV_FEAT_VALUES 0x21 /* FIDs below this have a stored value */
#define NVMEV_IOCS_PROFILE_IOCSCI 0x1ff /* 19h: command set combination */

/* Identify Controller bits that follow from the tables in admin.c */
#define NVMEV_LPA_CMD_EFFECTS (1 << 1)
#define NVMEV_LPA_EXT_DATA (1 << 2) /* offsets and NUMDU in Get Log Page */
#define NVMEV_LPA_SUPPORTED_LOGS (1 << 5)
#define NVMEV_ONCS_COMPARE (1 << 0)
#define NVMEV_ONCS_WRITE_UNCOR (1 << 1)
#define NVMEV_ONCS_DSM (1 << 2)
#define NVMEV_ONCS_WRITE_ZEROES (1 << 3)
#define NVMEV_ONCS_SAVE_SELECT (1 << 4)
#define NVMEV_ONCS_TIMESTAMP (1 << 6)
#define NVMEV_ONCS_VERIFY (1 << 7)
#define NVMEV_ONCS_COPY (1 << 8)
#define NVMEV_VWC_PRESENT (1 << 0)
#define NVMEV_TEMP_K 313 /* composite temperature in SMART: 40 C */
#define NVMEV_WCTEMP_K 343 /* warning threshold, the feature's default */
#define NVMEV_CCTEMP_K 358

#define NVMEV_IO_FLUSH 0x00
#define NVMEV_IO_WRITE 0x01
#define NVMEV_IO_READ 0x02
#define NVMEV_IO_WRITE_UNCOR 0x04
#define NVMEV_IO_COMPARE 0x05
#define NVMEV_IO_WRITE_ZEROES 0x08
#define NVMEV_IO_DSM 0x09
#define NVMEV_IO_VERIFY 0x0c
#define NVMEV_IO_COPY 0x19

/*
 * Limits of the optional NVM commands on namespace 1 (Identify Namespace
 * MSSRL, MCL, MSRC; Identify Controller OCFS; DLFEAT), io.c.
 */
#define NVMEV_DSM_MAX_RANGES 256 /* NR is 8 bits, 0-based: all of them */
#define NVMEV_DSM_RANGE_BYTES 16
#define NVMEV_DSM_IDR (1 << 0) /* CDW11: integral dataset for read */
#define NVMEV_DSM_IDW (1 << 1) /* ... for write: both hints, ignored */
#define NVMEV_DSM_AD (1 << 2) /* deallocate */
#define NVMEV_WZ_DEAC (1u << 25) /* Write Zeroes CDW12: deallocate */
#define NVMEV_COPY_MSRC 127 /* 0-based: 128 source ranges */
#define NVMEV_COPY_MSSRL 2048 /* blocks in one source range (1 MiB) */
#define NVMEV_COPY_MCL 4096 /* blocks one Copy writes (2 MiB) */
#define NVMEV_COPY_RANGE_BYTES 32 /* source range entry, format 0 */
#define NVMEV_OCFS_FORMAT0 (1 << 0)
/* deallocated blocks read zeroes; Write Zeroes' DEAC bit is supported */
#define NVMEV_DLFEAT 0x09

#define NVMEV_MAX_IO_QUEUES 32
/* admin + host I/O queues + the private injection queue (inject.c) */
#define NVMEV_INJECT_QID (NVMEV_MAX_IO_QUEUES + 1)
#define NVMEV_MAX_QUEUES (NVMEV_MAX_IO_QUEUES + 2)
#define NVMEV_MSIX_VECTORS (NVMEV_MAX_IO_QUEUES + 1)
#define NVMEV_MQES 1023 /* CAP.MQES, 0-based: 1024 entries per queue */
#define NVMEV_AERL 3 /* 0-based: four outstanding AERs */
#define NVMEV_ERR_LOG_ENTRIES 16
/*
 * Namespaces: 1 holds the block area and answers the vendor KV commands
 * (CSI 0, NVM); 2, present when cfg.kv_std_size is not 0, is a namespace of
 * the NVMe Key Value Command Set (CSI 1) with a key space of its own. Both
 * are made at load. Namespace Management makes more, up to NVMEV_MAX_NSID
 * (Identify NN), from the unallocated capacity: block namespaces (CSI 0)
 * and KV namespaces (CSI 1). Namespace 2 can be deleted, 1 cannot.
 */
#define NVMEV_NSID 1
#define NVMEV_NSID_KV 2
#define NVMEV_NSID_ALL 0xffffffffu
#define NVMEV_MAX_NSID 16
/* What a namespace is; its command tables follow from it (io.c). */
enum nvmev_ns_kind {
	NVMEV_NS_NONE, /* unallocated NSID */
	NVMEV_NS_BLK_VENDOR, /* namespace 1: blocks and the vendor KV commands */
	NVMEV_NS_BLK, /* made by Namespace Management, CSI 0: blocks */
	NVMEV_NS_KV, /* KV Command Set (CSI 1) */
};

/* Namespace Management allocates capacity in these units */
#define NVMEV_NS_ALIGN (1ULL << 20)
#define NVMEV_CTRL_LIST_MAX 2047 /* IDs in a controller list */

/* Byte offset of CDWn in the SQE, for the Error Information log. */
#define NVMEV_CDW_LOC(n) ((n) * 4)

/*
 * The controller state admin decoding depends on, as bit masks by queue id
 * (the admin queue, qid 0, is never in them: it is not created by command).
 */
struct nvmev_admin_state {
	u32 nr_io_queues;
	u64 sq_live;
	u64 cq_live;
	u64 cq_busy; /* CQs with SQs attached */
	u32 nr_aers; /* Asynchronous Event Requests outstanding */
	u32 nn; /* NSIDs 1..nn are valid (Identify NN), nn <= NVMEV_MAX_NSID */
	u32 ns_active; /* bit n: namespace n is active (nvmev_ns_active()) */
	u32 ns_alloc; /* bit n: namespace n exists (attached or not) */
	u32 ns_attached; /* bit n: attached to our controller */
	u32 ns_fixed; /* bit n: namespace n cannot be deleted */
	bool kv_capable; /* the KV Command Set (a KV namespace at load) */
	u8 ns_csi[NVMEV_MAX_NSID + 1]; /* the command set of each valid NSID */
	u64 ns_blocks[NVMEV_MAX_NSID + 1]; /* a block namespace's blocks */
};

/*
 * Get LBA Status, CDW13 bits 31:24 (ATYPE): both report Potentially
 * Unrecoverable LBAs; 10h after a scan (tracked and untracked), 11h the
 * tracked ones. Every other value (02h: Tracked Allocated LBAs, added after
 * NVMe 2.0, among them) is reserved here.
 */
#define NVMEV_GLS_ATYPE_SCAN 0x10
#define NVMEV_GLS_ATYPE_TRACKED 0x11
/* Completion Condition (CMPC) of the LBA Status Descriptor list */
#define NVMEV_GLS_CMPC_MORE 0x1 /* MNDW reached, more descriptors left */
#define NVMEV_GLS_CMPC_DONE 0x2 /* the whole range, every descriptor */

/* A decoded, checked admin command: what the executors in admin.c use. */
struct nvmev_admin_cmd {
	u8 opcode;
	u16 cid;
	u32 nsid;
	u64 prp1;
	u64 prp2;
	u16 param_loc; /* byte offset of the bad field, on failure */
	union {
		struct {
			u8 cns;
			u8 csi;
			bool zero; /* inactive namespace: a zero-filled answer */
			u32 list; /* CNS 02h/07h: bit n, NSID n is listed */
			u64 iocs; /* CNS 1Ch: the command sets, bit per CSI */
			bool listed; /* CNS 12h/13h: our controller is listed */
			bool common; /* CNS 00h FFFFFFFFh: all namespaces' */
		} identify;
		struct {
			u8 lid;
			u8 csi; /* per command set logs */
			u32 size; /* of the whole log page */
			u64 len; /* bytes the host asked for */
			u64 off; /* from here, in bytes */
			bool rae; /* retain asynchronous event */
		} log;
		struct {
			u16 qid;
			u32 size; /* entries */
			u16 vector; /* CQ */
			bool irq_enabled; /* CQ */
			u16 cqid; /* SQ */
			u8 prio; /* SQ */
		} queue; /* create, and delete (qid only) */
		struct {
			u8 fid;
			u8 sel; /* get */
			u32 value; /* CDW11 */
		} feat;
		struct {
			u32 ns; /* bit n: namespace n is formatted */
			u8 lbaf; /* the LBA (or KV) format index */
			u8 ses; /* NVMEV_FMT_SES_* */
		} format;
		struct {
			u8 sanact; /* NVMEV_SANACT_* */
			u32 cdw10; /* for the Sanitize Status log */
		} sanitize;
		struct {
			u8 sel; /* create/delete, attach/detach */
			u8 csi; /* create */
			u32 mask; /* bit n: NSID n is deleted/attached/... */
		} ns; /* Namespace Management and Attachment */
		struct {
			u64 slba; /* in the block namespace NSID names */
			u64 nlb; /* RL, clipped to the namespace; RL 0: to its end */
			u64 len; /* bytes to transfer: (MNDW + 1) * 4 */
			u8 atype; /* NVMEV_GLS_ATYPE_* */
		} lba_status;
	};
};

/* An allocated range of the region (Namespace Management). */
struct nvmev_extent {
	u64 offset;
	u64 size;
};

u16 nvmev_ns_create_check(const u8 *data, u8 csi, u64 *nsze, u64 *bytes);
u16 nvmev_ctrl_list_check(const u8 *data);
u64 nvmev_ns_place(const struct nvmev_extent *used, unsigned int n, u64 base,
		   u64 end, u64 need);

u16 nvmev_admin_decode(const u32 *sqe, const struct nvmev_admin_state *st,
		       struct nvmev_admin_cmd *cmd);

/*
 * The controller's features, log pages and Identify CNS values, one table
 * each in admin.c. What they list is what the decoder accepts, what the
 * executors answer and what Identify Controller and the Supported Log
 * Pages / FID Supported and Effects logs advertise; nothing else is.
 */
struct nvmev_feat_desc {
	u8 fid;
	bool changeable; /* else Set Features: Feature Not Changeable */
	u32 def; /* default value; not saveable, so also the saved one */
	/* extra CDW11 checks (NULL: none); failures go through bad() */
	u16 (*check)(const struct nvmev_admin_state *st, bool set,
		     struct nvmev_admin_cmd *cmd);
	u8 flags; /* NVMEV_FEAT_F_* */
};

#define NVMEV_FEAT_F_NS (1 << 0) /* namespace scope (NSID, FID effects) */
#define NVMEV_FEAT_F_KV (1 << 1) /* only with a KV command set namespace */

#define NVMEV_LOG_F_CSI (1 << 0) /* per command set: CSI must be supported */

struct nvmev_log_desc {
	u8 lid;
	u8 flags;
	u32 size; /* bytes, at most NVMEV_PAGE_SIZE */
};

#define NVMEV_CNS_F_NSID (1 << 0) /* NSID must name a valid namespace */
#define NVMEV_CNS_F_LIST (1 << 1) /* NSID starts a list: below 0xfffffffe */
#define NVMEV_CNS_F_CSI (1 << 2) /* per command set: CSI must be supported */
#define NVMEV_CNS_F_ZERO (1 << 3) /* inactive NSID: zeros (else Invalid Field) */
#define NVMEV_CNS_F_NVM (1 << 4) /* a structure of the NVM command set only */
#define NVMEV_CNS_F_CTRLS (1 << 5) /* a controller list from CDW10.CNTID */
#define NVMEV_CNS_F_ALLOC (1 << 6) /* allocated NSIDs, not just active ones */

struct nvmev_cns_desc {
	u8 cns;
	u8 flags;
};

/* The Identify Controller fields the tables decide. */
struct nvmev_id_caps {
	u8 lpa;
	u8 elpe; /* 0-based */
	u16 oncs; /* the admin bits: Save/Select, Timestamp */
	u8 vwc;
	u16 kas; /* 100 ms units; 0: no Keep Alive Timer */
};

const struct nvmev_feat_desc *nvmev_feat_find(u8 fid);
const struct nvmev_log_desc *nvmev_log_find(u8 lid);
const struct nvmev_cns_desc *nvmev_cns_find(u8 cns);
u32 nvmev_log_page_size(u8 lid);
void nvmev_id_caps(struct nvmev_id_caps *caps);
u64 nvmev_iocs_supported(const struct nvmev_admin_state *st);

/* A decoded block command (namespace 1, 512-byte LBAs). */
struct nvmev_blk_cmd {
	u64 slba; /* Copy: SDLBA, the destination */
	u64 nlb; /* 0 for Flush, DSM, Copy (their ranges are in a list) */
	u64 bytes; /* nlb * 512: the blocks the command covers */
	u32 xfer; /* bytes moved to or from the host (the range list too) */
	u32 nr; /* DSM, Copy: number of ranges in the list, 1-based */
	u32 attr; /* DSM: CDW11 attributes; Write Zeroes: NVMEV_WZ_DEAC */
};

/* One range of a DSM or Copy range list, checked. */
struct nvmev_blk_range {
	u64 slba;
	u64 nlb;
};

u16 nvmev_io_check_common(const u32 *sqe, bool known_opcode, bool ns_active,
			  u16 *err_loc);
u16 nvmev_blk_decode(const u32 *sqe, u64 ns_blocks, struct nvmev_blk_cmd *bc,
		     u16 *err_loc);
u16 nvmev_dsm_range_check(const u8 *desc, u64 ns_blocks,
			  struct nvmev_blk_range *r);
u16 nvmev_copy_range_check(const u8 *desc, u64 ns_blocks, u64 *total,
			   struct nvmev_blk_range *r);
u16 nvmev_copy_dest_check(u64 sdlba, u64 total, u64 ns_blocks);
/* the uncorrectable-block bitmap: one bit per block, 64 per word */
u64 nvmev_bits_assign(u64 *map, u64 start, u64 n, bool set);
bool nvmev_bits_any(const u64 *map, u64 start, u64 n);
/* A run of set bits: blocks [slba, slba + nlb) */
struct nvmev_lba_run {
	u64 slba;
	u32 nlb;
};
u32 nvmev_bits_runs(const u64 *map, u64 nbits, u64 start, u64 n,
		    struct nvmev_lba_run *out, u32 max, bool *more);
static inline u64 nvmev_bits_words(u64 nbits)
{
	return nbits / 64 + !!(nbits % 64);
}

/* A little-endian field of @bytes (<= 8) bytes in host data, any alignment */
static inline u64 nvmev_get_le(const u8 *p, unsigned int bytes)
{
	u64 v = 0;

	while (bytes--)
		v = v << 8 | p[bytes];
	return v;
}

static inline u8 nvmev_sqe_opcode(const u32 *sqe)
{
	return sqe[0] & 0xff;
}

static inline u16 nvmev_sqe_cid(const u32 *sqe)
{
	return sqe[0] >> 16;
}

static inline u8 nvmev_sqe_psdt(const u32 *sqe)
{
	return (sqe[0] >> 14) & 0x3;
}

static inline u64 nvmev_sqe_prp1(const u32 *sqe)
{
	return ((u64)sqe[7] << 32) | sqe[6];
}

static inline u64 nvmev_sqe_prp2(const u32 *sqe)
{
	return ((u64)sqe[9] << 32) | sqe[8];
}

/*
 * Zero @len bytes at @p a chunk at a time, letting others run between
 * chunks (Format and Sanitize erase areas of gigabytes). May sleep.
 */
#define NVMEV_ERASE_CHUNK (4U << 20)

static inline void nvmev_zero_chunked(void *p, u64 len)
{
	u8 *b = p;

	while (len) {
		u64 n = min_t(u64, len, NVMEV_ERASE_CHUNK);

		memset(b, 0, n);
		b += n;
		len -= n;
		cond_resched();
	}
}

/*
 * Statistics slots of the I/O commands (worker statistics, lateness, the
 * stats file): one per row of the command tables, which name their slot.
 */
enum nvmev_stat_slot {
	NVMEV_SLOT_FLUSH,
	NVMEV_SLOT_WRITE,
	NVMEV_SLOT_READ,
	NVMEV_SLOT_WRITE_ZEROES,
	NVMEV_SLOT_WRITE_UNCOR,
	NVMEV_SLOT_COMPARE,
	NVMEV_SLOT_DSM,
	NVMEV_SLOT_VERIFY,
	NVMEV_SLOT_COPY,
	NVMEV_SLOT_KV_STORE, /* vendor KV commands, namespace 1 */
	NVMEV_SLOT_KV_APPEND,
	NVMEV_SLOT_KV_RETRIEVE,
	NVMEV_SLOT_KV_DELETE,
	NVMEV_SLOT_KV_EXIST,
	NVMEV_SLOT_KV_ITER_CTL,
	NVMEV_SLOT_KV_ITER_READ,
	NVMEV_SLOT_KVS_FLUSH, /* NVMe KV Command Set, namespace 2 */
	NVMEV_SLOT_KVS_STORE,
	NVMEV_SLOT_KVS_RETRIEVE,
	NVMEV_SLOT_KVS_LIST,
	NVMEV_SLOT_KVS_DELETE,
	NVMEV_SLOT_KVS_EXIST,
	NVMEV_SLOT_OTHER, /* unknown opcodes */
	NVMEV_STAT_OPS,
};

struct nvmev_dev;
struct nvmev_req;

/*
 * An I/O command: one table of these per command set drives dispatch
 * (parse, validate, cost), perform (on a worker), statistics and the
 * Commands Supported and Effects log.
 */
struct nvmev_io_cmd {
	u8 opcode;
	u8 slot; /* enum nvmev_stat_slot */
	const char *name;
	u32 effects;
	/* dispatcher: validate, describe req->tm for the timing model */
	u16 (*dispatch)(struct nvmev_dev *dev, struct nvmev_req *req);
	/* worker, at/after target_ns: do it, set req->dw0; return a status */
	u16 (*perform)(struct nvmev_dev *dev, struct nvmev_req *req,
		       struct nvmev_sgl *sgl);
};

/* Namespace 1's block commands (io.c): one row each, in user space too. */
extern const struct nvmev_io_cmd nvmev_blk_cmds[];
extern const unsigned int nvmev_nr_blk_cmds;
u16 nvmev_oncs_of(u8 opcode);
u16 nvmev_blk_oncs(void);

/* Commands Supported and Effects log bits */
#define NVMEV_EFFECTS_CSUPP 0x1 /* command supported */
#define NVMEV_EFFECTS_LBCC \
	0x2 /* logical block (here: key-value) content change */

/* kv_coding parameter values; match enum kv_coding in kv_ftl.h */
#define NVMEV_KV_CODING_BYTES 0
#define NVMEV_KV_CODING_SAMSUNG 1

/* Devices one module creates (memmap_start=1G,2G: two; params.h) */
#define NVMEV_MAX_DEVICES 4

/* Size parsing with K/M/G/T suffixes, strict (no trailing garbage). */
int nvmev_parse_size(const char *s, u64 *out);
/* "0,1,3" -> cpus[], distinct; returns the count or -EINVAL */
int nvmev_parse_cpu_list(const char *s, unsigned int *cpus, int max);

#ifdef __KERNEL__
/* ---------------------------------------------------------------------- */
/* kernel-only */

#include <linux/pci.h>
#include <linux/kthread.h>
#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/mutex.h>
#include <linux/wait.h>
#include <linux/atomic.h>
#include <linux/nvme.h>

#define NVMEV_DRV_NAME "nvmev_kv"
#define NVMEV_PCI_DOMAIN 0x4b56 /* "KV": a domain of its own; + device index */
#define NVMEV_PCI_VENDOR 0x0c51
#define NVMEV_PCI_DEVICE 0x0110

/*
 * Reserved-region layout: [BAR0 window | block area | KV log + index].
 * BAR0 (16 KiB: registers, doorbells, MSI-X table, PBA) sits in the first
 * MiB so the host's ioremap and our memremap see the same memory.
 */
#define NVMEV_BAR_SIZE 0x4000u
#define NVMEV_BAR_WINDOW (1u << 20)
#define NVMEV_DB_OFFSET 0x1000u
#define NVMEV_MSIX_TABLE_OFFSET 0x2000u
#define NVMEV_MSIX_PBA_OFFSET 0x3000u

#define NVMEV_MAX_WORKERS 16
#define NVMEV_REQS_PER_WORKER 2048
/* block atomicity: one lock per stripe of the block area (io.c) */
#define NVMEV_BLK_STRIPE (64u << 10)
#define NVMEV_BLK_LOCKS 64

struct nvmev_dev;

/* Everything the host can set at load, after validation. */
struct nvmev_config {
	u64 memmap_start;
	u64 memmap_size;
	u64 blk_offset; /* block area: offset into the region, bytes */
	u64 blk_size;
	u64 kv_offset; /* KV log and index of namespace 1 (vendor commands) */
	u64 kv_size;
	u64 kv_std_offset; /* ... of namespace 2 (KV command set); */
	u64 kv_std_size; /* 0: no namespace 2 */
	/*
	 * What Namespace Management allocates from: [kv_std_offset,
	 * memmap_size), namespace 2 (if any) first, then ns_pool_size bytes
	 * unallocated at load.
	 */
	u64 pool_size;
	unsigned int dispatcher_cpu;
	unsigned int nr_workers;
	unsigned int worker_cpus[NVMEV_MAX_WORKERS];
	unsigned int nr_io_queues;
	u32 poll_spin_us; /* dispatcher spins this long idle, then backs off */
	bool dispatch_inline; /* a lone command runs in the dispatcher (io.c) */
	int kv_coding; /* enum kv_coding */
	bool inject; /* raw-command injection under debugfs (tests) */
	bool fresh; /* erase the stores the reserved memory holds */
	u64 kv_max_keys; /* 0: derived from kv_size */
	char timing_preset[16]; /* timing model preset at load (timing.h) */
};


/*
 * A submission queue (queue.c). Created, walked and deleted only by the
 * dispatcher thread, so it needs no lock; workers read @reported_head.
 */
struct nvmev_sq {
	u16 qid;
	u16 cqid;
	u32 size;
	u32 head; /* next entry to fetch (dispatcher only) */
	u32 reported_head; /* head reported in CQEs, READ_ONCE by posters */
	u8 prio;
	bool bad_doorbell; /* reported by an async event; cleared when valid */
	u32 *entries; /* host memory, direct-mapped, size * 64 bytes */
};

/*
 * A completion queue (queue.c). @lock protects @tail, @head, @phase,
 * @reserved and the posting of an entry: workers and the dispatcher may post
 * to the same CQ. The structure itself lives from Create I/O CQ to Delete
 * I/O CQ / controller disable, both run by the dispatcher with the workers
 * quiesced (io.c).
 */
struct nvmev_cq {
	spinlock_t lock;
	u16 qid;
	u16 vector;
	bool irq_enabled;
	u32 size;
	u32 tail;
	u32 head; /* last valid head doorbell value; moves forward only */
	u8 phase;
	u32 reserved; /* entries held for completions to come */
	bool bad_doorbell; /* an invalid head seen since the last valid one */
	bool bad_unreported; /* ... not yet reported by the dispatcher */
	u32 bad_value;
	u32 nr_sqs; /* SQs attached (dispatcher only) */
	struct nvme_completion *entries;
};

/* Per-command private state of a command set's handlers. */
#define NVMEV_REQ_PRIV 96

struct nvmev_req {
	struct list_head list;
	u64 target_ns; /* modelled completion time */
	struct nvmev_timing_op tm; /* the command as the timing model sees it */
	u64 submit_ns;
	u32 sqe[16];
	u16 sqid;
	u16 cqid;
	u16 status;
	u32 dw0;
	u32 dw1;
	const struct nvmev_io_cmd *op;
	u8 stat_slot; /* statistics slot of @op, set at dispatch */
	bool traced; /* the call-flow trace follows this command */
	bool kick_reclaim; /* it made idle reclamation wanted (perform) */
	u16 err_loc; /* SQE byte of the field a failed command got wrong */
	/* for tracepoints and statistics, filled by the dispatch hook */
	u8 key_len;
	u8 key[16];
	u32 bytes;
	u64 priv[NVMEV_REQ_PRIV / 8];
};

/*
 * Statistics of the I/O commands a worker completed. Written only by that
 * worker, summed by readers without a lock (64-bit loads do not tear on
 * the 64-bit machines this builds for); no atomics on the hot path.
 */
#define NVMEV_LAT_BUCKETS 256 /* 4 log-linear buckets per power of two */
#define NVMEV_STATUS_CODES 0x800 /* SCT << 8 | SC */

struct nvmev_io_stats {
	u64 cmds[NVMEV_STAT_OPS];
	u64 bytes[NVMEV_STAT_OPS];
	u64 status[NVMEV_STATUS_CODES];
	u64 lat[NVMEV_STAT_OPS][NVMEV_LAT_BUCKETS];
	u64 lat_sum[NVMEV_STAT_OPS]; /* ns: exact means, which buckets lack */
	/* completion posted minus modelled target: the emulator's own error */
	u64 late[NVMEV_STAT_OPS][NVMEV_LAT_BUCKETS];
	u64 late_max[NVMEV_STAT_OPS];
	u64 late_20us[NVMEV_STAT_OPS];
	u64 early; /* posted before the target: must stay 0 */
};

/*
 * A worker thread. @lock protects @pending (sorted by target_ns) and @free.
 * @exec_lock is held while a request is performed and completed; the
 * dispatcher takes every worker's exec_lock to delete queues or disable the
 * controller, so no worker ever touches a queue being torn down.
 */
struct nvmev_worker {
	struct nvmev_dev *dev;
	unsigned int id;
	unsigned int cpu;
	struct task_struct *task;
	spinlock_t lock;
	struct list_head pending;
	struct list_head free;
	u32 nr_free;
	struct mutex exec_lock;
	wait_queue_head_t wq;
	bool kick; /* an earlier request arrived: re-evaluate the sleep */
	u64 wake_late_ns; /* running average of the timer wake-ups' lateness */
	u64 irq_stall_ns; /* running average: raising interrupts kept us off */
	struct nvmev_req *reqs;
	struct nvmev_sgl *sgl; /* scratch for the request being performed */
	struct nvmev_io_stats *stats;
};

struct nvmev_err_entry {
	u64 count;
	u16 sqid;
	u16 cid;
	u16 status;
	u16 param_loc;
	u64 lba;
	u32 nsid;
};

/* SMART/Health counters, updated by workers. */
struct nvmev_counters {
	atomic64_t host_read_cmds;
	atomic64_t host_write_cmds;
	atomic64_t bytes_read;
	atomic64_t bytes_written;
	atomic64_t media_errors;
	atomic64_t err_count;
};

struct kv_ftl;

/*
 * A namespace. Changed only by the dispatcher (admin.c): made while not
 * attached (no command can name it), detached with no I/O in flight,
 * deleted with none in flight and the workers quiesced (worker 0's idle
 * reclamation walks the key spaces); I/O commands read it from dispatch
 * to completion.
 */
struct nvmev_ns {
	u8 kind; /* enum nvmev_ns_kind */
	bool attached; /* to our controller (active, with CC.CSS allowing) */
	u64 offset; /* its bytes in the region */
	u64 size;
	u64 nsze; /* blocks (block namespaces) or bytes (KV) */
	u8 gen; /* Namespace Management creates: in its NGUID and EUI64 */
	/* block namespaces */
	u8 *blk_base;
	u64 blk_blocks;
	/*
	 * Uncorrectable blocks (Write Uncorrectable), a bit per block (io.c):
	 * a word's bits belong to one stripe and change under its write lock.
	 * Not persistent: a load starts with none.
	 */
	u64 *blk_uncor;
	atomic64_t blk_uncor_nr; /* bits set; 0: no check needed */
};

struct nvmev_dev {
	unsigned int index; /* 0.. in memmap_start order: names, bus, debugfs */
	struct nvmev_config cfg;
	struct nvmev_timing_dev *timing; /* the timing model (timing.c) */

	/* PCI side (pci.c) */
	struct pci_sysdata sysdata;
	struct pci_bus *bus;
	struct pci_dev *pdev;
	struct resource bar_res; /* inserted under the e820 reserved range */
	struct resource *storage_res; /* our claim on the rest of the region */
	u8 config_space[256];
	void __iomem *bar_iomem;
	u8 *bar; /* memremapped BAR0 window */
	u32 *db; /* doorbells */

	/* storage */
	u8 *storage; /* memremapped region after the BAR window */

	/* controller state (dispatcher only unless noted) */
	u64 cap;
	u32 cc;
	bool enabled;
	bool shut_down;
	struct nvmev_sq *sqs[NVMEV_MAX_QUEUES];
	struct nvmev_cq *cqs[NVMEV_MAX_QUEUES];
	u16 aer_cids[NVMEV_AERL + 1]; /* queue.c */
	u32 nr_aers;
	u32 pending_event; /* async event waiting for an AER; 0: none */
	u32 features[NVMEV_FEAT_VALUES]; /* Get/Set Features values, by FID */
	u64 timestamp_base_ms; /* host time set by Set Features Timestamp */
	u64 timestamp_set_ns;
	u16 nr_io_sq_granted;
	u16 nr_io_cq_granted;
	/* Sanitize Status log (admin.c): SSTAT, the CDW10 and time it took */
	u16 sanitize_sstat;
	u32 sanitize_cdw10;
	u32 sanitize_secs;
	/*
	 * LBA Status Information log (admin.c): its LSGC, and a digest of the
	 * ranges it listed last, to tell when they change
	 */
	u16 lba_status_gen;
	u64 lba_status_digest;

	/* threads */
	struct task_struct *dispatcher;
	struct nvmev_worker workers[NVMEV_MAX_WORKERS];
	/* held with every worker's exec_lock to tear queues down (io.c) */
	struct mutex quiesce_lock;
	atomic_t inflight; /* fetched I/O commands not yet completed */
	/* a lone command the dispatcher performs itself (io.c; dispatcher) */
	struct nvmev_req *held;
	rwlock_t blk_locks[NVMEV_BLK_LOCKS];
	struct nvmev_ns ns[NVMEV_MAX_NSID + 1]; /* by NSID; [0] unused */
	u32 changed_ns; /* bit n: NSID n changed since log 04h was read */
	bool kv_capable; /* has the KV Command Set: a KV namespace at load */
	u8 ns_gen; /* namespaces created so far, mod 256 */
	bool ns_event_masked; /* the notice sent, log 04h not read yet */
	struct nvmev_sgl *blk_list_sgl; /* dispatcher: DSM/Copy range lists */
	const char *stat_names[NVMEV_STAT_OPS]; /* by slot; NULL: unused */
	struct nvmev_sgl *admin_sgl; /* admin commands' scratch (dispatcher) */
	u8 *admin_buf; /* one page: Identify / log page assembly */

	/* error log: @err_lock protects the ring (workers and dispatcher) */
	spinlock_t err_lock;
	struct nvmev_err_entry errs[NVMEV_ERR_LOG_ENTRIES];
	u64 err_seq;

	struct nvmev_counters ctr;
	u64 power_on_ns;

	struct kv_ftl *kv[NVMEV_MAX_NSID]; /* by NSID - 1; NULL: none */
	struct dentry *debugfs;
	struct nvmev_inject *inject;
};

/*
 * Is @nsid an active namespace? Namespace 2 is while it exists and the host
 * enabled every command set of CNS 1Ch (CC.CSS = 110b); with CC.CSS = 000b
 * (NVM only) it is inactive. Dispatcher context (dev->cc).
 */
static inline bool nvmev_ns_active(const struct nvmev_dev *dev, u32 nsid)
{
	const struct nvmev_ns *ns;

	if (!nsid || nsid > NVMEV_MAX_NSID)
		return false;
	ns = &dev->ns[nsid];
	if (ns->kind == NVMEV_NS_NONE || !ns->attached)
		return false;
	return ns->kind != NVMEV_NS_KV ||
	       ((dev->cc >> 4) & 0x7) == NVMEV_CC_CSS_CSI;
}

static inline u8 nvmev_ns_kind_csi(u8 kind)
{
	return kind == NVMEV_NS_KV ? NVMEV_CSI_KV : NVMEV_CSI_NVM;
}

/* The command set of allocated namespace @nsid (1..NVMEV_MAX_NSID). */
static inline u8 nvmev_ns_csi(const struct nvmev_dev *dev, u32 nsid)
{
	return nvmev_ns_kind_csi(dev->ns[nsid].kind);
}

/* pci.c */
int nvmev_pci_create(struct nvmev_dev *dev);
void nvmev_pci_add(struct nvmev_dev *dev);
void nvmev_pci_remove(struct nvmev_dev *dev);
void nvmev_pci_unmap(struct nvmev_dev *dev);
void nvmev_signal_irq(struct nvmev_dev *dev, u16 vector);
u32 nvmev_reg_read32(struct nvmev_dev *dev, u32 off);
u64 nvmev_reg_read64(struct nvmev_dev *dev, u32 off);
void nvmev_reg_write32(struct nvmev_dev *dev, u32 off, u32 val);
void nvmev_reg_write64(struct nvmev_dev *dev, u32 off, u64 val);

/* inject.c */
int nvmev_inject_init(struct nvmev_dev *dev);
void nvmev_inject_debugfs(struct nvmev_dev *dev);
void nvmev_inject_exit(struct nvmev_dev *dev);
void nvmev_inject_create_queues(struct nvmev_dev *dev);
bool nvmev_inject_poll(struct nvmev_dev *dev);

/*
 * The files call each other in layers, never in a circle (checked by
 * tests/file_calls.py): main -> dispatcher -> inject -> admin -> io ->
 * {kv_ftl, stats} -> queue -> {pci, dma} -> trace.
 */

/* dispatcher.c */
int nvmev_dispatcher_start(struct nvmev_dev *dev);
void nvmev_dispatcher_stop(struct nvmev_dev *dev);

/* admin.c */
bool nvmev_admin_poll(struct nvmev_dev *dev);
u16 nvmev_admin_exec_raw(struct nvmev_dev *dev, const u32 *sqe, u32 *dw0);
void nvmev_admin_reset(struct nvmev_dev *dev);

/* io.c */
int nvmev_io_start(struct nvmev_dev *dev);
void nvmev_io_stop(struct nvmev_dev *dev);
bool nvmev_io_poll_sq(struct nvmev_dev *dev, struct nvmev_sq *sq);
bool nvmev_io_run_held(struct nvmev_dev *dev);
void nvmev_io_release_held(struct nvmev_dev *dev);
void nvmev_io_delete_sq(struct nvmev_dev *dev, u16 qid);
void nvmev_io_delete_cq(struct nvmev_dev *dev, u16 qid);
void nvmev_io_teardown(struct nvmev_dev *dev);
void nvmev_io_fill_effects(u8 csi, __le32 *iocs);
/* Format NVM / Sanitize: fetched commands finish; block area zeroed; counters 0 */
int nvmev_io_drain(struct nvmev_dev *dev, unsigned int timeout_ms);
void nvmev_io_blk_erase(struct nvmev_dev *dev, u32 nsid);
int nvmev_io_blk_ns_init(struct nvmev_dev *dev, struct nvmev_ns *ns, bool zero);
void nvmev_io_blk_ns_free(struct nvmev_ns *ns);
void nvmev_io_ns_remove(struct nvmev_dev *dev, u32 nsid);
/* admin.c */
void nvmev_ns_setup(struct nvmev_dev *dev);
/* Get LBA Status, the LBA Status Information log: uncorrectable blocks */
u32 nvmev_blk_uncor_runs(struct nvmev_dev *dev, u32 nsid, u64 slba, u64 n,
			 struct nvmev_lba_run *out, u32 max, bool *more);
void nvmev_io_stats_reset(struct nvmev_dev *dev);

/* queue.c: queues, SQE fetch, CQE posting, errors, asynchronous events */
struct nvmev_cq *nvmev_cq_create(struct nvmev_dev *dev, u16 qid, void *entries,
				 u32 size, u16 vector, bool irq_enabled);
struct nvmev_sq *nvmev_sq_create(struct nvmev_dev *dev, u16 qid, u16 cqid,
				 void *entries, u32 size, u8 prio);
void nvmev_sq_destroy(struct nvmev_dev *dev, u16 qid);
void nvmev_cq_destroy(struct nvmev_dev *dev, u16 qid);
void nvmev_queues_destroy_all(struct nvmev_dev *dev);
void nvmev_doorbells_clear(struct nvmev_dev *dev);
u32 nvmev_sq_tail(struct nvmev_dev *dev, struct nvmev_sq *sq);
bool nvmev_sq_fetch(struct nvmev_dev *dev, struct nvmev_sq *sq, u32 tail,
		    u32 *sqe);
void nvmev_sq_consume(struct nvmev_sq *sq, u32 *sqe);
bool nvmev_cq_reserve(struct nvmev_dev *dev, struct nvmev_cq *cq);
void nvmev_cq_unreserve(struct nvmev_cq *cq);
void nvmev_post_cqe(struct nvmev_dev *dev, struct nvmev_cq *cq, u16 sqid,
		   u16 cid, u16 status, u32 dw0, u32 dw1);
bool nvmev_post_cqe_now(struct nvmev_dev *dev, struct nvmev_cq *cq, u16 sqid,
		       u16 cid, u16 status, u32 dw0, u32 dw1);
bool nvmev_cq_interrupt(struct nvmev_dev *dev, struct nvmev_cq *cq);
void nvmev_cq_sample_heads(struct nvmev_dev *dev);
void nvmev_log_error(struct nvmev_dev *dev, u16 sqid, u16 cid, u16 status,
		     u16 param_loc, u32 nsid, u64 lba);
void nvmev_cmd_failed(struct nvmev_dev *dev, u16 sqid, const u32 *sqe,
		      u16 status, u16 err_loc);
void nvmev_complete(struct nvmev_dev *dev, struct nvmev_cq *cq, u16 sqid,
		    const u32 *sqe, u16 status, u32 dw0, u32 dw1, u16 err_loc);
void nvmev_aer_reset(struct nvmev_dev *dev);
void nvmev_aer_deliver(struct nvmev_dev *dev);
bool nvmev_aer_hold(struct nvmev_dev *dev, u16 cid, u32 *dw0);
void nvmev_async_event(struct nvmev_dev *dev, u32 dw0);
void nvmev_bad_doorbell(struct nvmev_dev *dev, u16 qid, bool is_sq, u32 value,
			u32 size);

/* Asynchronous event: Error status, Invalid Doorbell Write Value, Error log */
#define NVMEV_AEN_BAD_DOORBELL ((NVME_LOG_ERROR << 16) | (0x01 << 8) | 0x0)

/* stats.c */
unsigned int nvmev_lat_bucket(u64 ns);
u64 nvmev_lat_bucket_floor(unsigned int b);
void nvmev_stats_account(struct nvmev_io_stats *st, const struct nvmev_req *req,
			 u64 now);
int nvmev_stats_init(struct nvmev_dev *dev, struct dentry *root);
void nvmev_stats_exit(struct nvmev_dev *dev);

/* timing.c (kernel glue of the timing model) */
int nvmev_timing_dev_init(struct nvmev_dev *dev);
void nvmev_timing_dev_exit(struct nvmev_dev *dev);
u64 nvmev_timing_dev_book(struct nvmev_dev *dev, u64 now_ns,
			  const struct nvmev_timing_op *op);
int nvmev_timing_sysfs_add(struct nvmev_dev *dev);
void nvmev_timing_sysfs_remove(struct nvmev_dev *dev);

/* trace.c */
void nvmev_trace_debugfs(struct nvmev_dev *dev);
void nvmev_trace_exit(void);

/* dma.c (kernel side) */
bool nvmev_host_range_ok(u64 addr, u64 len, bool dev_writes);
void *nvmev_host_queue_map(u64 addr, u64 len);
u16 nvmev_sgl_map(struct nvmev_sgl *sgl, u64 prp1, u64 prp2, u64 len);
u16 nvmev_sgl_copy(const struct nvmev_sgl *sgl, u64 off, void *buf, u64 len,
		   bool to_host);

/* kv_ftl.c (kernel glue) */
int nvmev_kv_check_config(const struct nvmev_config *cfg);
int nvmev_kv_init(struct nvmev_dev *dev);
void nvmev_kv_exit(struct nvmev_dev *dev);
bool nvmev_kv_idle(struct nvmev_dev *dev);
bool nvmev_kv_idle_wanted(struct nvmev_dev *dev);
struct kv_stats;
/* statistics of the key space of namespace @nsid (which has one) */
void nvmev_kv_get_stats(struct nvmev_dev *dev, u32 nsid, struct kv_stats *st);
/* Format NVM / Sanitize: the key space of @nsid emptied (zeroed: @erase_log) */
int nvmev_kv_format(struct nvmev_dev *dev, u32 nsid, bool erase_log);
/* Set Features Key Value Configuration (CDW11), every KV namespace */
void nvmev_kv_set_config(struct nvmev_dev *dev, u32 nsid, u32 cdw11);
u32 nvmev_kv_get_config(struct nvmev_dev *dev, u32 nsid);
/* row @i of a KV command table (@csi: KV Command Set, else vendor) */
const struct nvmev_io_cmd *nvmev_kv_cmd(u8 csi, unsigned int i);
int nvmev_kv_ns_create(struct nvmev_dev *dev, u32 nsid);
void nvmev_kv_ns_delete(struct nvmev_dev *dev, u32 nsid, bool erase);
/* the namespace table beside the device superblock, after a change */
int nvmev_kv_ns_save(struct nvmev_dev *dev);

#endif /* __KERNEL__ */

#endif /* NVMEV_H */
