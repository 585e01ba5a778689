// SPDX-License-Identifier: GPL-2.0
/*
 * test_sqe.c - the pure SQE decoders of admin.c and io.c and the doorbell
 * arithmetic, at their edges: every crafted case of the hostile-host list
 * (queue ids 0 / over the maximum / twice / on a missing CQ, sizes 0 and
 * over MQES, deleting a CQ with SQs, bad CNS and NSID, huge log lengths and
 * offsets, SGLs), each with its exact status and error-log byte offset;
 * every FID, LID and CNS against lists kept here, independent of admin.c's
 * tables, and Identify Controller's table-derived fields against what the
 * decoder accepts; namespace 2 of the KV command set (CSI 1) active,
 * inactive (CC.CSS = 000b) and absent, through every Identify, feature and
 * log that names a namespace or a command set; then the CQ head rule
 * checked exhaustively against a ring model.
 */
#include "nvmev.h"
#include "test_util.h"

#define SC_DNR(sc) ((sc) | NVMEV_SC_DNR)
#define NS1 (1u << NVMEV_NSID)
#define NS2 (1u << NVMEV_NSID_KV)

/* Namespace 1 only (no kv_std_size): the controller before issue 13. */
#define NS1_BLOCKS (1ULL << 22) /* a 2 GiB namespace 1 */

static void nvm_only(struct nvmev_admin_state *st)
{
	st->nn = 1;
	st->ns_active = NS1;
	st->ns_alloc = NS1;
	st->ns_attached = NS1;
	st->ns_fixed = NS1;
	st->ns_blocks[NVMEV_NSID] = NS1_BLOCKS;
}

static struct nvmev_admin_state state(void)
{
	struct nvmev_admin_state st = { .nr_io_queues = 4 };

	nvm_only(&st);

	st.cq_live = 1ULL << 1 | 1ULL << 2; /* CQ 1 (with SQ 1), CQ 2 */
	st.sq_live = 1ULL << 1;
	st.cq_busy = 1ULL << 1;
	return st;
}

static void sqe_init(u32 *sqe, u8 opcode)
{
	memset(sqe, 0, 64);
	sqe[0] = opcode | 0x1234u << 16;
	sqe[1] = NVMEV_NSID;
	sqe[6] = 0x10000; /* PRP1: page aligned */
}

/* The controller before the driver creates its I/O queues. */
static struct nvmev_admin_state state_init(void)
{
	struct nvmev_admin_state st = { .nr_io_queues = 4 };

	nvm_only(&st);
	return st;
}

/* Namespace 2 (KV command set) exists; active unless CC.CSS = 000b. */
static struct nvmev_admin_state state_kv(bool active)
{
	struct nvmev_admin_state st = state();

	st.nn = 2;
	st.ns_csi[NVMEV_NSID_KV] = NVMEV_CSI_KV;
	st.ns_active = NS1 | (active ? NS2 : 0);
	st.ns_alloc = NS1 | NS2;
	st.ns_attached = NS1 | NS2; /* attached; active unless CC.CSS 000b */
	st.kv_capable = true;
	return st;
}

static void admin_case_in(const struct nvmev_admin_state *st, const char *what,
			  const u32 *sqe, u16 want, u16 loc)
{
	struct nvmev_admin_cmd cmd;
	u16 status = nvmev_admin_decode(sqe, st, &cmd);

	CHECK(status == want, "%s: status %#x, want %#x", what, status, want);
	if (want)
		CHECK(cmd.param_loc == loc, "%s: param_loc %u, want %u", what,
		      cmd.param_loc, loc);
	CHECK_EQ(cmd.cid, 0x1234);
}

static void admin_case(const char *what, const u32 *sqe, u16 want, u16 loc)
{
	struct nvmev_admin_state st = state();

	admin_case_in(&st, what, sqe, want, loc);
}

static void create_queue(u32 *sqe, bool is_sq, u32 qid, u32 entries, u32 cdw11)
{
	sqe_init(sqe, is_sq ? NVMEV_ADM_CREATE_SQ : NVMEV_ADM_CREATE_CQ);
	sqe[10] = qid | (entries - 1) << 16;
	sqe[11] = cdw11;
}

static void test_queues(void)
{
	u32 sqe[16];

	create_queue(sqe, false, 3, 64, 1);
	admin_case("create cq 3", sqe, 0, 0);
	create_queue(sqe, false, 0, 64, 1);
	admin_case("create cq qid 0", sqe, SC_DNR(NVMEV_SC_QID_INVALID), 40);
	create_queue(sqe, false, 5, 64, 1);
	admin_case("create cq over max", sqe, SC_DNR(NVMEV_SC_QID_INVALID), 40);
	create_queue(sqe, false, 0xffff, 64, 1);
	admin_case("create cq 0xffff", sqe, SC_DNR(NVMEV_SC_QID_INVALID), 40);
	create_queue(sqe, false, 2, 64, 1);
	admin_case("create cq twice", sqe, SC_DNR(NVMEV_SC_QID_INVALID), 40);
	create_queue(sqe, false, 3, 1, 1);
	admin_case("create cq size 1", sqe, SC_DNR(NVMEV_SC_QUEUE_SIZE), 42);
	create_queue(sqe, false, 3, 0x10000, 1); /* QSIZE 0xffff */
	admin_case("create cq size 65536", sqe, SC_DNR(NVMEV_SC_QUEUE_SIZE),
		   42);
	create_queue(sqe, false, 3, NVMEV_MQES + 2, 1);
	admin_case("create cq over MQES", sqe, SC_DNR(NVMEV_SC_QUEUE_SIZE), 42);
	create_queue(sqe, false, 3, NVMEV_MQES + 1, 1);
	admin_case("create cq at MQES", sqe, 0, 0);
	create_queue(sqe, false, 3, 64, 0);
	admin_case("create cq not contiguous", sqe,
		   SC_DNR(NVMEV_SC_INVALID_FIELD), 44);
	create_queue(sqe, false, 3, 64, 1);
	sqe[6] = 0x10010;
	admin_case("create cq unaligned", sqe,
		   SC_DNR(NVMEV_SC_PRP_INVALID_OFFSET), 24);
	create_queue(sqe, false, 3, 64, 1 | NVMEV_MSIX_VECTORS << 16);
	admin_case("create cq bad vector", sqe, SC_DNR(NVMEV_SC_INVALID_VECTOR),
		   46);

	create_queue(sqe, true, 2, 64, 1 | 2 << 16);
	admin_case("create sq 2 on cq 2", sqe, 0, 0);
	create_queue(sqe, true, 2, 64, 1 | 3 << 16);
	admin_case("create sq on missing cq", sqe, SC_DNR(NVMEV_SC_CQ_INVALID),
		   46);
	create_queue(sqe, true, 2, 64, 1);
	admin_case("create sq on cq 0", sqe, SC_DNR(NVMEV_SC_CQ_INVALID), 46);
	create_queue(sqe, true, 1, 64, 1 | 1 << 16);
	admin_case("create sq twice", sqe, SC_DNR(NVMEV_SC_QID_INVALID), 40);
	create_queue(sqe, true, 2, 64, 1 | 0xffffu << 16);
	admin_case("create sq on cq 0xffff", sqe, SC_DNR(NVMEV_SC_CQ_INVALID),
		   46);

	sqe_init(sqe, NVMEV_ADM_DELETE_CQ);
	sqe[10] = 1;
	admin_case("delete cq with sq", sqe,
		   SC_DNR(NVMEV_SC_INVALID_QUEUE_DELETION), 40);
	sqe[10] = 2;
	admin_case("delete cq 2", sqe, 0, 0);
	sqe[10] = 3;
	admin_case("delete missing cq", sqe, SC_DNR(NVMEV_SC_QID_INVALID), 40);
	sqe[10] = 0;
	admin_case("delete cq 0", sqe, SC_DNR(NVMEV_SC_QID_INVALID), 40);
	sqe_init(sqe, NVMEV_ADM_DELETE_SQ);
	sqe[10] = 1;
	admin_case("delete sq 1", sqe, 0, 0);
	sqe[10] = 2;
	admin_case("delete missing sq", sqe, SC_DNR(NVMEV_SC_QID_INVALID), 40);
	sqe[10] = NVMEV_INJECT_QID; /* the private queue is not the host's */
	admin_case("delete inject sq", sqe, SC_DNR(NVMEV_SC_QID_INVALID), 40);
}

static void identify(u32 *sqe, u8 cns, u32 nsid, u8 csi);

/*
 * CNS 12h/13h (issue 15: nvme list-ctrl): our one controller, ID 1, is
 * listed from CNTID 0 or 1, for CNS 12h only with an active NSID.
 */
static void test_ctrl_lists(void)
{
	static const u32 nsids[] = { 0, 1, 2, 7, 0xfffffffe };
	struct nvmev_admin_state st = state();
	struct nvmev_admin_cmd cmd;
	unsigned int i, cntid;
	u32 sqe[16];

	for (i = 0; i < ARRAY_SIZE(nsids); i++) {
		for (cntid = 0; cntid < 4; cntid++) {
			bool want12 = cntid <= 1 && nsids[i] == NVMEV_NSID;

			identify(sqe, NVMEV_CNS_CTRL_LIST_NS, nsids[i], 0);
			sqe[10] |= cntid << 16;
			CHECK_EQ(nvmev_admin_decode(sqe, &st, &cmd), 0);
			CHECK(cmd.identify.listed == want12,
			      "cns 12h nsid %#x cntid %u: listed %d", nsids[i],
			      cntid, cmd.identify.listed);
			identify(sqe, NVMEV_CNS_CTRL_LIST, nsids[i], 0);
			sqe[10] |= cntid << 16;
			CHECK_EQ(nvmev_admin_decode(sqe, &st, &cmd), 0);
			CHECK(cmd.identify.listed == (cntid <= 1),
			      "cns 13h cntid %u: listed %d", cntid,
			      cmd.identify.listed);
		}
	}
}

static void identify(u32 *sqe, u8 cns, u32 nsid, u8 csi)
{
	sqe_init(sqe, NVMEV_ADM_IDENTIFY);
	sqe[1] = nsid;
	sqe[10] = cns;
	sqe[11] = (u32)csi << 24;
}

static void test_identify(void)
{
	static const u8 good[] = { NVMEV_CNS_NS,
				   NVMEV_CNS_CTRL,
				   NVMEV_CNS_NS_ACTIVE_LIST,
				   NVMEV_CNS_NS_DESC_LIST,
				   NVMEV_CNS_CS_NS,
				   NVMEV_CNS_CS_CTRL,
				   NVMEV_CNS_CS_NS_ACTIVE_LIST,
				   NVMEV_CNS_NS_CS_INDEP,
				   NVMEV_CNS_CTRL_LIST_NS,
				   NVMEV_CNS_CTRL_LIST,
				   NVMEV_CNS_ALLOC_LIST,
				   NVMEV_CNS_ALLOC_NS,
				   NVMEV_CNS_CS_ALLOC_LIST,
				   NVMEV_CNS_CS_ALLOC_NS,
				   NVMEV_CNS_CMD_SET };
	unsigned int i, cns;
	u32 sqe[16];

	for (i = 0; i < ARRAY_SIZE(good); i++) {
		identify(sqe, good[i], NVMEV_NSID, NVMEV_CSI_NVM);
		admin_case("identify good cns", sqe, 0, 0);
	}
	for (cns = 0; cns < 256; cns++) {
		bool known = memchr(good, cns, sizeof(good));

		identify(sqe, cns, NVMEV_NSID, NVMEV_CSI_NVM);
		admin_case("identify cns sweep", sqe,
			   known ? 0 : SC_DNR(NVMEV_SC_INVALID_FIELD),
			   known ? 0 : 40);
	}
	identify(sqe, NVMEV_CNS_NS, 2, 0);
	admin_case("identify ns 2", sqe, SC_DNR(NVMEV_SC_INVALID_NS), 4);
	identify(sqe, NVMEV_CNS_NS, 0, 0);
	admin_case("identify ns 0", sqe, SC_DNR(NVMEV_SC_INVALID_NS), 4);
	/* FFFFFFFFh: what all namespaces have (Namespace Management) */
	identify(sqe, NVMEV_CNS_NS, 0xffffffff, 0);
	admin_case("identify ns all", sqe, 0, 0);
	{
		struct nvmev_admin_state st = state();
		struct nvmev_admin_cmd cmd;

		CHECK_EQ(nvmev_admin_decode(sqe, &st, &cmd), 0);
		CHECK(cmd.identify.common && !cmd.identify.zero,
		      "ns all: common %d", cmd.identify.common);
	}
	identify(sqe, NVMEV_CNS_CS_NS, 0xffffffff, 0);
	admin_case("identify cs ns all", sqe, SC_DNR(NVMEV_SC_INVALID_NS), 4);
	identify(sqe, NVMEV_CNS_NS_DESC_LIST, 7, 0);
	admin_case("identify descs ns 7", sqe, SC_DNR(NVMEV_SC_INVALID_NS), 4);
	identify(sqe, NVMEV_CNS_CS_NS, NVMEV_NSID, 2);
	admin_case("identify cs ns csi 2", sqe, SC_DNR(NVMEV_SC_INVALID_FIELD),
		   47);
	identify(sqe, NVMEV_CNS_CS_NS, 9, 2);
	admin_case("identify cs ns 9", sqe, SC_DNR(NVMEV_SC_INVALID_NS), 4);
	identify(sqe, NVMEV_CNS_CS_CTRL, 0, 1);
	admin_case("identify cs ctrl csi 1", sqe,
		   SC_DNR(NVMEV_SC_INVALID_FIELD), 47);
	identify(sqe, NVMEV_CNS_NS_ACTIVE_LIST, 0xfffffffe, 0);
	admin_case("active list fffffffe", sqe, SC_DNR(NVMEV_SC_INVALID_NS), 4);
	identify(sqe, NVMEV_CNS_NS_ACTIVE_LIST, 0, 0);
	admin_case("active list 0", sqe, 0, 0);
	identify(sqe, NVMEV_CNS_CTRL_LIST_NS, 0xffffffff, 0);
	admin_case("ctrl list of ns ffffffff", sqe,
		   SC_DNR(NVMEV_SC_INVALID_FIELD), 4);
	test_ctrl_lists();
	identify(sqe, NVMEV_CNS_CTRL, 0, 0);
	sqe[0] |= 1 << 14; /* PSDT: SGL */
	admin_case("identify with sgl", sqe, SC_DNR(NVMEV_SC_INVALID_FIELD), 1);
}

static void get_log(u32 *sqe, u8 lid, u64 bytes, u64 off)
{
	u64 numd = bytes / 4 - 1;

	sqe_init(sqe, NVMEV_ADM_GET_LOG_PAGE);
	sqe[1] = 0xffffffff;
	sqe[10] = lid | (u32)(numd & 0xffff) << 16;
	sqe[11] = (numd >> 16) & 0xffff;
	sqe[12] = off;
	sqe[13] = off >> 32;
}

static void test_logs(void)
{
	struct nvmev_admin_state st = state();
	struct nvmev_admin_cmd cmd;
	u32 sqe[16];

	get_log(sqe, NVMEV_LOG_SMART, 512, 0);
	admin_case("smart", sqe, 0, 0);
	nvmev_admin_decode(sqe, &st, &cmd);
	CHECK_EQ(cmd.log.len, 512);
	CHECK_EQ(cmd.log.size, 512);
	get_log(sqe, NVMEV_LOG_ERROR, 4096, 0);
	admin_case("error log, longer than the log", sqe, 0, 0);
	get_log(sqe, NVMEV_LOG_CMD_EFFECTS, 4096, 4092);
	admin_case("effects, last dword", sqe, 0, 0);
	get_log(sqe, NVMEV_LOG_CMD_EFFECTS, 4096, 0);
	sqe[14] = 1u << 24;
	admin_case("effects csi 1", sqe, SC_DNR(NVMEV_SC_INVALID_FIELD), 59);
	get_log(sqe, NVMEV_LOG_SMART, 4ULL << 32, 0); /* NUMD all ones */
	admin_case("huge length", sqe, SC_DNR(NVMEV_SC_INVALID_FIELD), 42);
	get_log(sqe, NVMEV_LOG_SMART, NVMEV_MAX_XFER + 4, 0);
	admin_case("length over MDTS", sqe, SC_DNR(NVMEV_SC_INVALID_FIELD), 42);
	get_log(sqe, NVMEV_LOG_SMART, NVMEV_MAX_XFER, 0);
	admin_case("length at MDTS", sqe, 0, 0);
	get_log(sqe, NVMEV_LOG_SMART, 512, 512);
	admin_case("offset at the end", sqe, SC_DNR(NVMEV_SC_INVALID_FIELD),
		   48);
	get_log(sqe, NVMEV_LOG_SMART, 512, ~0ULL - 3);
	admin_case("huge offset", sqe, SC_DNR(NVMEV_SC_INVALID_FIELD), 48);
	get_log(sqe, NVMEV_LOG_SMART, 512, 2);
	admin_case("unaligned offset", sqe, SC_DNR(NVMEV_SC_INVALID_FIELD), 48);
	get_log(sqe, 0x06, 512, 0);
	admin_case("no such log", sqe, SC_DNR(NVMEV_SC_INVALID_LOG_PAGE), 40);
	get_log(sqe, 0xff, 512, 0);
	admin_case("log 0xff", sqe, SC_DNR(NVMEV_SC_INVALID_LOG_PAGE), 40);
}

static void feature(u32 *sqe, bool set, u32 cdw10, u32 cdw11)
{
	sqe_init(sqe, set ? NVMEV_ADM_SET_FEATURES : NVMEV_ADM_GET_FEATURES);
	sqe[10] = cdw10;
	sqe[11] = cdw11;
}

static void test_features_and_misc(void)
{
	struct nvmev_admin_state st = state();
	struct nvmev_admin_cmd cmd;
	u32 sqe[16];
	unsigned int op;

	struct nvmev_admin_state init = state_init();

	feature(sqe, true, NVMEV_FEAT_NUM_QUEUES, 0x00030003);
	admin_case_in(&init, "set num queues", sqe, 0, 0);
	admin_case("set num queues with I/O queues", sqe,
		   SC_DNR(NVMEV_SC_CMD_SEQ_ERROR), 40);
	feature(sqe, true, NVMEV_FEAT_NUM_QUEUES, 0xffff0003);
	admin_case_in(&init, "set 65536 cqs", sqe,
		      SC_DNR(NVMEV_SC_INVALID_FIELD), 44);
	feature(sqe, true, NVMEV_FEAT_NUM_QUEUES, 0x0003ffff);
	admin_case_in(&init, "set 65536 sqs", sqe,
		      SC_DNR(NVMEV_SC_INVALID_FIELD), 44);
	feature(sqe, true, NVMEV_FEAT_ARBITRATION | 1u << 31, 0);
	admin_case("save", sqe, SC_DNR(NVMEV_SC_FEATURE_NOT_SAVEABLE), 43);
	feature(sqe, true, NVMEV_FEAT_POWER_MGMT, 1);
	admin_case("power state 1", sqe, SC_DNR(NVMEV_SC_INVALID_FIELD), 44);
	feature(sqe, true, NVMEV_FEAT_IRQ_CONFIG, NVMEV_MSIX_VECTORS);
	admin_case("irq config bad vector", sqe, SC_DNR(NVMEV_SC_INVALID_FIELD),
		   44);
	feature(sqe, true, 0x80, 0);
	admin_case("set vendor feature", sqe, SC_DNR(NVMEV_SC_INVALID_FIELD),
		   40);
	feature(sqe, false, NVMEV_FEAT_TIMESTAMP | 3 << 8, 0);
	admin_case("get supported caps", sqe, 0, 0);
	feature(sqe, false, NVMEV_FEAT_ARBITRATION | 4 << 8, 0);
	admin_case("get sel 4", sqe, SC_DNR(NVMEV_SC_INVALID_FIELD), 41);
	feature(sqe, false, NVMEV_FEAT_IRQ_CONFIG, NVMEV_MSIX_VECTORS - 1);
	admin_case("get irq config last vector", sqe, 0, 0);
	feature(sqe, false, NVMEV_FEAT_IRQ_CONFIG, NVMEV_MSIX_VECTORS);
	admin_case("get irq config bad vector", sqe,
		   SC_DNR(NVMEV_SC_INVALID_FIELD), 44);
	feature(sqe, false, 0, 0);
	admin_case("get fid 0", sqe, SC_DNR(NVMEV_SC_INVALID_FIELD), 40);

	sqe_init(sqe, NVMEV_ADM_ASYNC_EVENT);
	admin_case("aer", sqe, 0, 0);
	st.nr_aers = NVMEV_AERL + 1;
	CHECK_EQ(nvmev_admin_decode(sqe, &st, &cmd),
		 SC_DNR(NVMEV_SC_ASYNC_LIMIT));

	/* every opcode not in the table: Invalid Opcode at byte 0 */
	for (op = 0; op < 256; op++) {
		static const u8 known[] = {
			NVMEV_ADM_DELETE_SQ,	 NVMEV_ADM_CREATE_SQ,
			NVMEV_ADM_GET_LOG_PAGE,	 NVMEV_ADM_DELETE_CQ,
			NVMEV_ADM_CREATE_CQ,	 NVMEV_ADM_IDENTIFY,
			NVMEV_ADM_ABORT,	 NVMEV_ADM_SET_FEATURES,
			NVMEV_ADM_GET_FEATURES,	 NVMEV_ADM_ASYNC_EVENT,
			NVMEV_ADM_FORMAT_NVM,	 NVMEV_ADM_SANITIZE,
			NVMEV_ADM_NS_MGMT,	 NVMEV_ADM_NS_ATTACH,
			NVMEV_ADM_GET_LBA_STATUS
		};
		u16 status;

		sqe_init(sqe, op);
		st = state();
		status = nvmev_admin_decode(sqe, &st, &cmd);
		if (!memchr(known, op, sizeof(known)))
			CHECK(status == SC_DNR(NVMEV_SC_INVALID_OPCODE) &&
				      cmd.param_loc == 0,
			      "opcode %#x: status %#x", op, status);
		else
			CHECK(status != SC_DNR(NVMEV_SC_INVALID_OPCODE),
			      "opcode %#x rejected", op);
	}
}

/*
 * What this controller has, written down here independently of admin.c's
 * tables (tests/vm/t_admin.sh keeps the same lists): the sweeps below
 * check that the decoder answers exactly these and nothing else.
 */
static const u8 want_fids[] = { 0x01, 0x02, 0x04, 0x05, 0x06, 0x07,
				0x08, 0x09, 0x0a, 0x0b, 0x0e, 0x19 };
/* with a KV namespace only, per namespace: Key Value Configuration */
#define KV_FID 0x20
static const struct {
	u8 lid;
	u32 size;
} want_logs[] = { { 0x00, 1024 }, { 0x01, 1024 }, { 0x02, 512 },
		  { 0x03, 512 },  { 0x04, 4096 }, { 0x05, 4096 },
		  { 0x0e, 4096 }, { 0x12, 1024 }, { 0x81, 512 } };
static const u8 want_cns[] = { 0x00, 0x01, 0x02, 0x03, 0x05, 0x06, 0x07, 0x08,
			       0x10, 0x11, 0x12, 0x13, 0x1a, 0x1b, 0x1c };

static bool want_fid(unsigned int fid)
{
	return memchr(want_fids, fid, sizeof(want_fids));
}

static u32 want_log_size(unsigned int lid)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(want_logs); i++)
		if (want_logs[i].lid == lid)
			return want_logs[i].size;
	return 0;
}

/*
 * Issue 10, defect 1: Identify reported KAS = 0 but Set Features Keep
 * Alive Timer succeeded, so Linux started keep-alive on a PCIe admin queue
 * without reserved tags (WARN in blk_mq_get_tag, reset loop).
 */
static void test_set_features_kato_rejected(void)
{
	struct nvmev_id_caps caps;
	u32 sqe[16];

	feature(sqe, true, NVMEV_FEAT_KATO, 10000);
	admin_case("set kato 10 s", sqe, SC_DNR(NVMEV_SC_INVALID_FIELD), 40);
	feature(sqe, false, NVMEV_FEAT_KATO, 0);
	admin_case("get kato", sqe, SC_DNR(NVMEV_SC_INVALID_FIELD), 40);
	CHECK(!nvmev_feat_find(NVMEV_FEAT_KATO), "kato in the feature table");
	nvmev_id_caps(&caps);
	CHECK_EQ(caps.kas, 0);
}

/*
 * Keep Alive command 18h succeeded although KAS = 0 (no Keep Alive
 * feature): what Identify advertises and what the controller accepts must
 * agree, so it is Invalid Command Opcode now.
 */
static void test_keep_alive_without_kas_rejected(void)
{
	struct nvmev_id_caps caps;
	u32 sqe[16];

	nvmev_id_caps(&caps);
	CHECK_EQ(caps.kas, 0);
	sqe_init(sqe, NVMEV_ADM_KEEP_ALIVE);
	admin_case("keep alive with KAS 0", sqe,
		   SC_DNR(NVMEV_SC_INVALID_OPCODE), 0);
}

/* Every FID, with Get (each SEL) and Set (with and without SV). */
static void test_feature_sweep(void)
{
	struct nvmev_admin_state init = state_init(), live = state();
	unsigned int fid, sel;
	u32 sqe[16];

	for (fid = 0; fid < 256; fid++) {
		bool want = want_fid(fid);
		u16 no = SC_DNR(NVMEV_SC_INVALID_FIELD);
		const struct nvmev_feat_desc *d = nvmev_feat_find(fid);

		CHECK(!!d == (want || fid == KV_FID),
		      "fid %#x: in table %d, want %d", fid, !!d, want);
		CHECK(!d || (d->fid == fid && d->changeable), "fid %#x: row",
		      fid);
		CHECK(!d || fid < NVMEV_FEAT_VALUES, "fid %#x: no value slot",
		      fid);
		for (sel = 0; sel < 8; sel++) {
			feature(sqe, false, fid | sel << 8, 0);
			admin_case_in(&live, "get sweep", sqe,
				      !want    ? no :
				      sel <= 3 ? 0 :
						 no,
				      !want ? 40 : 41);
		}
		feature(sqe, true, fid, 0);
		admin_case_in(&init, "set sweep before queues", sqe,
			      want ? 0 : no, 40);
		admin_case_in(&live, "set sweep with queues", sqe,
			      !want ? no :
			      fid == NVMEV_FEAT_NUM_QUEUES ?
				      SC_DNR(NVMEV_SC_CMD_SEQ_ERROR) :
				      0,
			      40);
		feature(sqe, true, fid | 1u << 31, 0);
		admin_case_in(&init, "set sweep save", sqe,
			      want ? SC_DNR(NVMEV_SC_FEATURE_NOT_SAVEABLE) : no,
			      want ? 43 : 40);
	}
}

/* Every LID: the table's pages with their sizes, Invalid Log Page else. */
static void test_log_sweep(void)
{
	struct nvmev_admin_state st = state();
	struct nvmev_admin_cmd cmd;
	unsigned int lid;
	u32 sqe[16];

	for (lid = 0; lid < 256; lid++) {
		u32 size = want_log_size(lid);
		u16 status;

		CHECK(nvmev_log_page_size(lid) == size,
		      "lid %#x: table size %u, want %u", lid,
		      nvmev_log_page_size(lid), size);
		CHECK(size <= NVMEV_PAGE_SIZE, "lid %#x: size %u", lid, size);
		get_log(sqe, lid, 4096, 0);
		status = nvmev_admin_decode(sqe, &st, &cmd);
		CHECK(status == (size ? 0 : SC_DNR(NVMEV_SC_INVALID_LOG_PAGE)),
		      "lid %#x: status %#x", lid, status);
		if (size)
			CHECK(cmd.log.size == size && cmd.log.len == 4096,
			      "lid %#x: size %u len %llu", lid, cmd.log.size,
			      (unsigned long long)cmd.log.len);
		else
			CHECK_EQ(cmd.param_loc, 40);
		/* only the effects log is per command set */
		sqe[14] = 1u << 24;
		status = nvmev_admin_decode(sqe, &st, &cmd);
		CHECK(status == (!size ? SC_DNR(NVMEV_SC_INVALID_LOG_PAGE) :
				 lid == NVMEV_LOG_CMD_EFFECTS ?
					 SC_DNR(NVMEV_SC_INVALID_FIELD) :
					 0),
		      "lid %#x csi 1: status %#x", lid, status);
	}
}

/* Every CNS with CSI 0 and 1: the table's flags decide. */
static void test_cns_sweep(void)
{
	unsigned int cns;
	u32 sqe[16];

	for (cns = 0; cns < 256; cns++) {
		bool want = memchr(want_cns, cns, sizeof(want_cns));
		const struct nvmev_cns_desc *d = nvmev_cns_find(cns);
		bool per_csi = cns == NVMEV_CNS_CS_NS ||
			       cns == NVMEV_CNS_CS_CTRL ||
			       cns == NVMEV_CNS_CS_NS_ACTIVE_LIST ||
			       cns == NVMEV_CNS_CS_ALLOC_LIST ||
			       cns == NVMEV_CNS_CS_ALLOC_NS;

		CHECK(!!d == want, "cns %#x: in table %d", cns, !!d);
		identify(sqe, cns, NVMEV_NSID, 1);
		admin_case("identify cns sweep csi 1", sqe,
			   !want || per_csi ? SC_DNR(NVMEV_SC_INVALID_FIELD) :
					      0,
			   !want ? 40 : 47);
	}
}

/* Identify Controller says exactly what the decoder accepts. */
static void test_id_caps(void)
{
	struct nvmev_admin_state init = state_init();
	struct nvmev_admin_cmd cmd;
	struct nvmev_id_caps caps;
	u32 sqe[16];
	bool ok;

	nvmev_id_caps(&caps);
	/* the values, as nvme id-ctrl shows them */
	CHECK_EQ(caps.lpa, 0x26);
	CHECK_EQ(caps.elpe, NVMEV_ERR_LOG_ENTRIES - 1);
	/* Save/Select, Timestamp; Compare, Write Uncorrectable, DSM, Write
	 * Zeroes, Verify, Copy */
	CHECK_EQ(caps.oncs, 0x1df);
	CHECK_EQ(caps.vwc, 1);
	CHECK_EQ(caps.kas, 0);

	get_log(sqe, NVMEV_LOG_CMD_EFFECTS, 4096, 0);
	ok = !nvmev_admin_decode(sqe, &init, &cmd);
	CHECK_EQ(!!(caps.lpa & NVMEV_LPA_CMD_EFFECTS), ok);
	get_log(sqe, NVMEV_LOG_SUPPORTED, 1024, 0);
	ok = !nvmev_admin_decode(sqe, &init, &cmd);
	CHECK_EQ(!!(caps.lpa & NVMEV_LPA_SUPPORTED_LOGS), ok);
	get_log(sqe, NVMEV_LOG_SMART, 8, 8); /* extended data: an offset */
	ok = !nvmev_admin_decode(sqe, &init, &cmd);
	CHECK_EQ(!!(caps.lpa & NVMEV_LPA_EXT_DATA), ok);
	CHECK_EQ((caps.elpe + 1) * 64, nvmev_log_page_size(NVMEV_LOG_ERROR));

	feature(sqe, true, NVMEV_FEAT_TIMESTAMP, 0);
	ok = !nvmev_admin_decode(sqe, &init, &cmd);
	feature(sqe, false, NVMEV_FEAT_TIMESTAMP, 0);
	CHECK_EQ(ok, !nvmev_admin_decode(sqe, &init, &cmd));
	CHECK_EQ(!!(caps.oncs & NVMEV_ONCS_TIMESTAMP), ok);
	feature(sqe, false, NVMEV_FEAT_VOLATILE_WC | 3 << 8, 0);
	ok = !nvmev_admin_decode(sqe, &init, &cmd);
	feature(sqe, true, NVMEV_FEAT_VOLATILE_WC | 1u << 31, 0);
	ok = ok && nvmev_admin_decode(sqe, &init, &cmd) ==
			   SC_DNR(NVMEV_SC_FEATURE_NOT_SAVEABLE);
	CHECK_EQ(!!(caps.oncs & NVMEV_ONCS_SAVE_SELECT), ok);
	feature(sqe, true, NVMEV_FEAT_VOLATILE_WC, 1);
	ok = !nvmev_admin_decode(sqe, &init, &cmd);
	CHECK_EQ(!!(caps.vwc & NVMEV_VWC_PRESENT), ok);
	feature(sqe, true, NVMEV_FEAT_KATO, 1000);
	ok = !nvmev_admin_decode(sqe, &init, &cmd);
	CHECK_EQ(caps.kas != 0, ok);
}

/* Decode @sqe in @st: its status, and @cmd for the decoded fields. */
static u16 decode_in(const struct nvmev_admin_state *st, const u32 *sqe,
		     struct nvmev_admin_cmd *cmd)
{
	return nvmev_admin_decode(sqe, st, cmd);
}

/*
 * Issue 13: namespace 2 of the KV command set (CSI 1). Before, every NSID
 * but 1 was Invalid Namespace and CSI 1 Invalid Field everywhere, so the
 * driver could never set namespace 2 up. Each CNS against namespace 2
 * active, inactive (CC.CSS = 000b: zeros or Invalid Field) and absent
 * (Invalid Namespace); structures of another command set than the
 * namespace's are Invalid I/O Command Set (NVMe 2.0), unsupported CSIs
 * Invalid Field.
 */
static void test_identify_kv_namespace(void)
{
	struct nvmev_admin_state kv = state_kv(true), off = state_kv(false),
				 nvm = state();
	const u16 iocs = SC_DNR(NVMEV_SC_INVALID_IOCS);
	const u16 field = SC_DNR(NVMEV_SC_INVALID_FIELD);
	const u16 ns = SC_DNR(NVMEV_SC_INVALID_NS);
	struct nvmev_admin_cmd cmd;
	u32 sqe[16];

	CHECK_EQ(nvmev_iocs_supported(&kv), 3);
	CHECK_EQ(nvmev_iocs_supported(&off), 3);
	CHECK_EQ(nvmev_iocs_supported(&nvm), 1);

	identify(sqe, NVMEV_CNS_NS, NVMEV_NSID_KV, 0); /* NVM structure */
	admin_case_in(&kv, "cns 0 of the kv namespace", sqe, iocs, 4);
	CHECK_EQ(decode_in(&off, sqe, &cmd), 0);
	CHECK(cmd.identify.zero, "cns 0 of an inactive ns: zeros");
	admin_case_in(&nvm, "cns 0 ns 2 absent", sqe, ns, 4);
	identify(sqe, NVMEV_CNS_NS, NVMEV_NSID, 0);
	CHECK_EQ(decode_in(&kv, sqe, &cmd), 0);
	CHECK(!cmd.identify.zero, "cns 0 ns 1");
	identify(sqe, NVMEV_CNS_NS, 3, 0);
	admin_case_in(&kv, "cns 0 ns 3", sqe, ns, 4);

	identify(sqe, NVMEV_CNS_NS_DESC_LIST, NVMEV_NSID_KV, 0);
	CHECK_EQ(decode_in(&kv, sqe, &cmd), 0);
	admin_case_in(&off, "descs of an inactive ns", sqe, field, 4);
	admin_case_in(&nvm, "descs ns 2 absent", sqe, ns, 4);

	identify(sqe, NVMEV_CNS_CS_NS, NVMEV_NSID_KV, NVMEV_CSI_KV);
	CHECK_EQ(decode_in(&kv, sqe, &cmd), 0);
	CHECK(!cmd.identify.zero && cmd.identify.csi == NVMEV_CSI_KV,
	      "kv namespace structure");
	CHECK_EQ(decode_in(&off, sqe, &cmd), 0);
	CHECK(cmd.identify.zero, "kv structure of an inactive ns: zeros");
	admin_case_in(&nvm, "cns 5 ns 2 absent", sqe, ns, 4);
	identify(sqe, NVMEV_CNS_CS_NS, NVMEV_NSID_KV, NVMEV_CSI_NVM);
	admin_case_in(&kv, "nvm structure of the kv ns", sqe, iocs, 47);
	identify(sqe, NVMEV_CNS_CS_NS, NVMEV_NSID_KV, 2);
	admin_case_in(&kv, "zns structure (no such set)", sqe, field, 47);
	identify(sqe, NVMEV_CNS_CS_NS, NVMEV_NSID, NVMEV_CSI_KV);
	admin_case_in(&kv, "kv structure of the nvm ns", sqe, iocs, 47);
	admin_case_in(&nvm, "kv structure without kv", sqe, field, 47);
	identify(sqe, NVMEV_CNS_CS_NS, NVMEV_NSID, NVMEV_CSI_NVM);
	admin_case_in(&kv, "nvm structure of the nvm ns", sqe, 0, 0);

	/* what xNVMe sends on first use: CSI 0, 1, 2, 1Fh */
	identify(sqe, NVMEV_CNS_CS_CTRL, 0, NVMEV_CSI_KV);
	admin_case_in(&kv, "cns 6 csi 1", sqe, 0, 0);
	admin_case_in(&nvm, "cns 6 csi 1 without kv", sqe, field, 47);
	identify(sqe, NVMEV_CNS_CS_CTRL, 0, NVMEV_CSI_NVM);
	admin_case_in(&kv, "cns 6 csi 0", sqe, 0, 0);
	identify(sqe, NVMEV_CNS_CS_CTRL, 0, 2);
	admin_case_in(&kv, "cns 6 csi 2", sqe, field, 47);
	identify(sqe, NVMEV_CNS_CS_CTRL, 0, 0x1f);
	admin_case_in(&kv, "cns 6 csi 1f", sqe, field, 47);

	identify(sqe, NVMEV_CNS_CS_NS_ACTIVE_LIST, 0, NVMEV_CSI_KV);
	CHECK_EQ(decode_in(&kv, sqe, &cmd), 0);
	CHECK_EQ(cmd.identify.list, NS2);
	CHECK_EQ(decode_in(&off, sqe, &cmd), 0);
	CHECK_EQ(cmd.identify.list, 0);
	admin_case_in(&nvm, "cns 7 csi 1 without kv", sqe, field, 47);
	identify(sqe, NVMEV_CNS_CS_NS_ACTIVE_LIST, 0, NVMEV_CSI_NVM);
	CHECK_EQ(decode_in(&kv, sqe, &cmd), 0);
	CHECK_EQ(cmd.identify.list, NS1);
	identify(sqe, NVMEV_CNS_CS_NS_ACTIVE_LIST, NVMEV_NSID, NVMEV_CSI_KV);
	CHECK_EQ(decode_in(&kv, sqe, &cmd), 0);
	CHECK_EQ(cmd.identify.list, NS2);
	identify(sqe, NVMEV_CNS_CS_NS_ACTIVE_LIST, NVMEV_NSID_KV, NVMEV_CSI_KV);
	CHECK_EQ(decode_in(&kv, sqe, &cmd), 0);
	CHECK_EQ(cmd.identify.list, 0);
	identify(sqe, NVMEV_CNS_CS_NS_ACTIVE_LIST, 0xfffffffe, NVMEV_CSI_KV);
	admin_case_in(&kv, "cns 7 from fffffffe", sqe, ns, 4);
	identify(sqe, NVMEV_CNS_CS_NS_ACTIVE_LIST, 0, 2);
	admin_case_in(&kv, "cns 7 csi 2", sqe, field, 47);

	identify(sqe, NVMEV_CNS_NS_ACTIVE_LIST, 0, 0);
	CHECK_EQ(decode_in(&kv, sqe, &cmd), 0);
	CHECK_EQ(cmd.identify.list, NS1 | NS2);
	CHECK_EQ(decode_in(&off, sqe, &cmd), 0);
	CHECK_EQ(cmd.identify.list, NS1);
	CHECK_EQ(decode_in(&nvm, sqe, &cmd), 0);
	CHECK_EQ(cmd.identify.list, NS1);
	identify(sqe, NVMEV_CNS_NS_ACTIVE_LIST, NVMEV_NSID, 0);
	CHECK_EQ(decode_in(&kv, sqe, &cmd), 0);
	CHECK_EQ(cmd.identify.list, NS2);
	identify(sqe, NVMEV_CNS_NS_ACTIVE_LIST, 0xfffffffd, 0);
	CHECK_EQ(decode_in(&kv, sqe, &cmd), 0);
	CHECK_EQ(cmd.identify.list, 0);

	/* the driver reads CNS 08h for namespaces of other command sets */
	identify(sqe, NVMEV_CNS_NS_CS_INDEP, NVMEV_NSID_KV, 0);
	CHECK_EQ(decode_in(&kv, sqe, &cmd), 0);
	CHECK(!cmd.identify.zero, "cs indep of the kv namespace");
	CHECK_EQ(decode_in(&off, sqe, &cmd), 0);
	CHECK(cmd.identify.zero, "cs indep of an inactive ns: zeros");
	admin_case_in(&nvm, "cns 8 ns 2 absent", sqe, ns, 4);
	identify(sqe, NVMEV_CNS_NS_CS_INDEP, 0xffffffff, 0);
	admin_case_in(&kv, "cns 8 all namespaces", sqe, ns, 4);

	identify(sqe, NVMEV_CNS_CMD_SET, 0, 0);
	CHECK_EQ(decode_in(&kv, sqe, &cmd), 0);
	CHECK_EQ(cmd.identify.iocs, 1 << NVMEV_CSI_NVM | 1 << NVMEV_CSI_KV);
	CHECK_EQ(decode_in(&nvm, sqe, &cmd), 0);
	CHECK_EQ(cmd.identify.iocs, 1 << NVMEV_CSI_NVM);
}

static void feature_ns(u32 *sqe, bool set, u32 nsid, u32 cdw10, u32 cdw11)
{
	feature(sqe, set, cdw10, cdw11);
	sqe[1] = nsid;
}

/*
 * Issue 13: features 19h (I/O Command Set Profile) and 20h (Key Value
 * Configuration, per KV namespace, bit 0 EDNEK) were Invalid Field.
 */
static void test_features_iocs_profile_and_kv_config(void)
{
	struct nvmev_admin_state kv = state_kv(true), off = state_kv(false),
				 nvm = state();
	const u16 field = SC_DNR(NVMEV_SC_INVALID_FIELD);
	const u16 ns = SC_DNR(NVMEV_SC_INVALID_NS);
	const u16 rejected = SC_DNR(NVMEV_SC_IOCS_COMBINATION_REJECTED);
	const struct nvmev_feat_desc *d;
	u32 sqe[16];

	feature(sqe, true, NVMEV_FEAT_IOCS_PROFILE, 0);
	admin_case_in(&kv, "iocs profile 0", sqe, 0, 0);
	admin_case_in(&nvm, "iocs profile 0 without kv", sqe, 0, 0);
	feature(sqe, true, NVMEV_FEAT_IOCS_PROFILE, 1);
	admin_case_in(&kv, "iocs profile 1", sqe, rejected, 44);
	feature(sqe, true, NVMEV_FEAT_IOCS_PROFILE, 0x1ff);
	admin_case_in(&kv, "iocs profile 511", sqe, rejected, 44);
	feature(sqe, true, NVMEV_FEAT_IOCS_PROFILE, 0x200);
	admin_case_in(&kv, "iocs profile reserved bit", sqe, field, 44);
	feature(sqe, false, NVMEV_FEAT_IOCS_PROFILE, 0);
	admin_case_in(&kv, "get iocs profile", sqe, 0, 0);

	d = nvmev_feat_find(NVMEV_FEAT_KV_CONFIG);
	CHECK(d && (d->flags & NVMEV_FEAT_F_NS) && d->changeable && !d->def,
	      "kv config row");
	feature_ns(sqe, false, NVMEV_NSID_KV, NVMEV_FEAT_KV_CONFIG, 0);
	admin_case_in(&kv, "get kv config ns 2", sqe, 0, 0);
	admin_case_in(&off, "get kv config inactive", sqe, field, 4);
	admin_case_in(&nvm, "get kv config without kv", sqe, field, 40);
	feature_ns(sqe, false, 0xffffffff, NVMEV_FEAT_KV_CONFIG | 3 << 8, 0);
	admin_case_in(&kv, "get kv config all, sel 3", sqe, 0, 0);
	admin_case_in(&off, "get kv config all inactive", sqe, field, 4);
	feature_ns(sqe, false, NVMEV_NSID, NVMEV_FEAT_KV_CONFIG, 0);
	admin_case_in(&kv, "get kv config of the nvm ns", sqe, field, 4);
	feature_ns(sqe, false, 0, NVMEV_FEAT_KV_CONFIG, 0);
	admin_case_in(&kv, "get kv config ns 0", sqe, ns, 4);
	feature_ns(sqe, false, 3, NVMEV_FEAT_KV_CONFIG, 0);
	admin_case_in(&kv, "get kv config ns 3", sqe, ns, 4);

	feature_ns(sqe, true, NVMEV_NSID_KV, NVMEV_FEAT_KV_CONFIG,
		   NVMEV_KV_CONFIG_EDNEK);
	admin_case_in(&kv, "set ednek", sqe, 0, 0);
	admin_case_in(&nvm, "set ednek without kv", sqe, field, 40);
	feature_ns(sqe, true, 0xffffffff, NVMEV_FEAT_KV_CONFIG, 0);
	admin_case_in(&kv, "clear ednek, all namespaces", sqe, 0, 0);
	feature_ns(sqe, true, NVMEV_NSID_KV, NVMEV_FEAT_KV_CONFIG, 2);
	admin_case_in(&kv, "kv config reserved bit 1", sqe, field, 44);
	feature_ns(sqe, true, NVMEV_NSID_KV, NVMEV_FEAT_KV_CONFIG, 1u << 31);
	admin_case_in(&kv, "kv config reserved bit 31", sqe, field, 44);
	feature_ns(sqe, true, NVMEV_NSID_KV, NVMEV_FEAT_KV_CONFIG | 1u << 31,
		   1);
	admin_case_in(&kv, "kv config saved", sqe,
		      SC_DNR(NVMEV_SC_FEATURE_NOT_SAVEABLE), 43);
}

/* Issue 13: the effects log of CSI 1 (Linux needs it for namespace 2). */
static void test_effects_log_csi(void)
{
	struct nvmev_admin_state kv = state_kv(true), off = state_kv(false),
				 nvm = state();
	struct nvmev_admin_cmd cmd;
	u32 sqe[16];

	get_log(sqe, NVMEV_LOG_CMD_EFFECTS, 4096, 0);
	sqe[14] = (u32)NVMEV_CSI_KV << 24;
	CHECK_EQ(decode_in(&kv, sqe, &cmd), 0);
	CHECK_EQ(cmd.log.csi, NVMEV_CSI_KV);
	CHECK_EQ(decode_in(&off, sqe, &cmd), 0);
	admin_case_in(&nvm, "effects csi 1 without kv", sqe,
		      SC_DNR(NVMEV_SC_INVALID_FIELD), 59);
	sqe[14] = 2u << 24;
	admin_case_in(&kv, "effects csi 2", sqe, SC_DNR(NVMEV_SC_INVALID_FIELD),
		      59);
	sqe[14] = 0;
	CHECK_EQ(decode_in(&kv, sqe, &cmd), 0);
	CHECK_EQ(cmd.log.csi, NVMEV_CSI_NVM);
}

static u16 blk(u8 opcode, u32 nsid, u64 slba, u32 nlb0, u64 ns_blocks,
	       struct nvmev_blk_cmd *bc, u16 *loc)
{
	u32 sqe[16];
	u16 status;

	sqe_init(sqe, opcode);
	sqe[1] = nsid;
	sqe[10] = slba;
	sqe[11] = slba >> 32;
	sqe[12] = nlb0;
	*loc = 0xffff;
	status = nvmev_io_check_common(sqe, true, nsid == 1, loc);
	if (!status)
		status = nvmev_blk_decode(sqe, ns_blocks, bc, loc);
	return status;
}

static void test_block(void)
{
	const u64 nb = 1 << 20; /* 512 MiB namespace */
	struct nvmev_blk_cmd bc;
	u32 sqe[16];
	u16 loc;

	CHECK_EQ(blk(NVMEV_IO_READ, 1, 0, 7, nb, &bc, &loc), 0);
	CHECK_EQ(bc.bytes, 4096);
	CHECK_EQ(blk(NVMEV_IO_WRITE, 1, nb - 8, 7, nb, &bc, &loc), 0);
	CHECK_EQ(bc.slba, nb - 8);
	CHECK_EQ(blk(NVMEV_IO_WRITE, 1, nb - 7, 7, nb, &bc, &loc),
		 SC_DNR(NVMEV_SC_LBA_RANGE));
	CHECK_EQ(loc, 40);
	CHECK_EQ(blk(NVMEV_IO_READ, 1, nb, 0, nb, &bc, &loc),
		 SC_DNR(NVMEV_SC_LBA_RANGE));
	/* slba + nlb wrapping 64 bits must not pass the range check */
	CHECK_EQ(blk(NVMEV_IO_READ, 1, ~0ULL, 1, nb, &bc, &loc),
		 SC_DNR(NVMEV_SC_LBA_RANGE));
	CHECK_EQ(blk(NVMEV_IO_READ, 1, 0, 0xffff, ~0ULL, &bc, &loc),
		 SC_DNR(NVMEV_SC_INVALID_FIELD)); /* 32 MiB > MDTS */
	CHECK_EQ(loc, 48);
	CHECK_EQ(blk(NVMEV_IO_READ, 1, 0, 4095, nb, &bc, &loc), 0); /* 2 MiB */
	CHECK_EQ(blk(NVMEV_IO_READ, 1, 0, 4096, nb, &bc, &loc),
		 SC_DNR(NVMEV_SC_INVALID_FIELD));
	CHECK_EQ(blk(NVMEV_IO_WRITE_ZEROES, 1, 0, 0xffff, nb, &bc, &loc), 0);
	CHECK_EQ(bc.bytes, 0x10000ULL << 9); /* no transfer: no MDTS limit */
	CHECK_EQ(blk(NVMEV_IO_READ, 2, 0, 0, nb, &bc, &loc),
		 SC_DNR(NVMEV_SC_INVALID_NS));
	CHECK_EQ(loc, 4);
	CHECK_EQ(blk(NVMEV_IO_FLUSH, 0xffffffff, 0, 0, nb, &bc, &loc), 0);
	CHECK_EQ(blk(NVMEV_IO_FLUSH, 0, 0, 0, nb, &bc, &loc),
		 SC_DNR(NVMEV_SC_INVALID_NS));
	CHECK_EQ(blk(NVMEV_IO_READ, 0xffffffff, 0, 0, nb, &bc, &loc),
		 SC_DNR(NVMEV_SC_INVALID_NS));

	sqe_init(sqe, NVMEV_IO_READ);
	sqe[0] |= 2 << 14;
	CHECK_EQ(nvmev_io_check_common(sqe, true, true, &loc),
		 SC_DNR(NVMEV_SC_INVALID_FIELD));
	CHECK_EQ(loc, 1);
	CHECK_EQ(nvmev_io_check_common(sqe, false, true, &loc),
		 SC_DNR(NVMEV_SC_INVALID_OPCODE));
	CHECK_EQ(loc, 0);
}

/* A block command of namespace 1 through check_common + decode. */
static u16 blk_sqe(const u32 *sqe, u64 ns_blocks, struct nvmev_blk_cmd *bc,
		   u16 *loc)
{
	u16 status;

	*loc = 0xffff;
	status = nvmev_io_check_common(sqe, true, sqe[1] == 1, loc);
	if (!status)
		status = nvmev_blk_decode(sqe, ns_blocks, bc, loc);
	return status;
}

/* Compare, Write Uncorrectable, Verify, Write Zeroes DEAC: ranges. */
static void test_block_nvm_ranges(void)
{
	const u64 nb = 1 << 20;
	struct nvmev_blk_cmd bc;
	u16 loc;

	/* Compare moves data: MDTS applies, like Read */
	CHECK_EQ(blk(NVMEV_IO_COMPARE, 1, 8, 7, nb, &bc, &loc), 0);
	CHECK_EQ(bc.xfer, 4096);
	CHECK_EQ(bc.bytes, 4096);
	CHECK_EQ(blk(NVMEV_IO_COMPARE, 1, 0, 4095, nb, &bc, &loc), 0);
	CHECK_EQ(blk(NVMEV_IO_COMPARE, 1, 0, 4096, nb, &bc, &loc),
		 SC_DNR(NVMEV_SC_INVALID_FIELD));
	CHECK_EQ(loc, 48);
	CHECK_EQ(blk(NVMEV_IO_COMPARE, 1, nb - 7, 7, nb, &bc, &loc),
		 SC_DNR(NVMEV_SC_LBA_RANGE));
	CHECK_EQ(loc, 40);
	/* Verify and Write Uncorrectable move none: up to 65536 blocks */
	CHECK_EQ(blk(NVMEV_IO_VERIFY, 1, 0, 0xffff, nb, &bc, &loc), 0);
	CHECK_EQ(bc.nlb, 0x10000);
	CHECK_EQ(bc.xfer, 0);
	CHECK_EQ(blk(NVMEV_IO_WRITE_UNCOR, 1, nb - 0x10000, 0xffff, nb, &bc,
		     &loc), 0);
	CHECK_EQ(bc.slba, nb - 0x10000);
	CHECK_EQ(bc.xfer, 0);
	CHECK_EQ(blk(NVMEV_IO_WRITE_UNCOR, 1, nb - 0xffff, 0xffff, nb, &bc,
		     &loc), SC_DNR(NVMEV_SC_LBA_RANGE));
	CHECK_EQ(blk(NVMEV_IO_VERIFY, 1, ~0ULL, 0, nb, &bc, &loc),
		 SC_DNR(NVMEV_SC_LBA_RANGE));
	CHECK_EQ(blk(NVMEV_IO_VERIFY, 1, nb, 0, ~0ULL, &bc, &loc), 0);
	CHECK_EQ(blk(NVMEV_IO_VERIFY, 2, 0, 0, nb, &bc, &loc),
		 SC_DNR(NVMEV_SC_INVALID_NS));
	/* Write Zeroes: DEAC (CDW12 bit 25) accepted and recorded */
	CHECK_EQ(blk(NVMEV_IO_WRITE_ZEROES, 1, 0, NVMEV_WZ_DEAC | 7, nb, &bc,
		     &loc), 0);
	CHECK_EQ(bc.attr, NVMEV_WZ_DEAC);
	CHECK_EQ(bc.nlb, 8);
	CHECK_EQ(blk(NVMEV_IO_WRITE_ZEROES, 1, 0, 7, nb, &bc, &loc), 0);
	CHECK_EQ(bc.attr, 0);
	/* opcodes that are not block commands: Invalid Opcode from decode */
	CHECK_EQ(blk(0x0d, 1, 0, 0, nb, &bc, &loc),
		 SC_DNR(NVMEV_SC_INVALID_OPCODE));
	CHECK_EQ(loc, 0);
	CHECK_EQ(blk(0x11, 1, 0, 0, nb, &bc, &loc),
		 SC_DNR(NVMEV_SC_INVALID_OPCODE));
}

static void put_le_bytes(u8 *p, u64 v, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		p[i] = v >> (8 * i);
}

static void dsm_desc(u8 *d, u64 slba, u32 nlb)
{
	memset(d, 0, 16);
	put_le_bytes(d, 0xffffffff, 4); /* context attributes: ignored */
	put_le_bytes(d + 4, nlb, 4);
	put_le_bytes(d + 8, slba, 8);
}

static void copy_desc(u8 *d, u64 slba, u32 nlb0)
{
	memset(d, 0xa5, 32); /* reserved and PI fields: ignored */
	put_le_bytes(d + 8, slba, 8);
	put_le_bytes(d + 16, nlb0, 2);
}

/* Dataset Management: NR, attributes, the ranges of its list. */
static void test_block_dsm(void)
{
	const u64 nb = 1 << 20;
	struct nvmev_blk_range r;
	struct nvmev_blk_cmd bc;
	u32 sqe[16];
	u8 d[16];
	u16 loc;

	sqe_init(sqe, NVMEV_IO_DSM);
	sqe[1] = 1;
	sqe[10] = 0xffffff00; /* NR 0 = one range; bits 31:8 reserved */
	sqe[11] = NVMEV_DSM_AD | NVMEV_DSM_IDR | NVMEV_DSM_IDW | 0xfff0;
	CHECK_EQ(blk_sqe(sqe, nb, &bc, &loc), 0);
	CHECK_EQ(bc.nr, 1);
	CHECK_EQ(bc.xfer, 16);
	CHECK_EQ(bc.attr, NVMEV_DSM_AD | NVMEV_DSM_IDR | NVMEV_DSM_IDW);
	sqe[10] = 0xff; /* 256 ranges: one 4 KiB page */
	sqe[11] = NVMEV_DSM_IDR;
	CHECK_EQ(blk_sqe(sqe, nb, &bc, &loc), 0);
	CHECK_EQ(bc.nr, NVMEV_DSM_MAX_RANGES);
	CHECK_EQ(bc.xfer, 4096);
	CHECK_EQ(bc.attr, NVMEV_DSM_IDR);

	dsm_desc(d, 0, 8);
	CHECK_EQ(nvmev_dsm_range_check(d, nb, &r), 0);
	CHECK_EQ(r.slba, 0);
	CHECK_EQ(r.nlb, 8);
	dsm_desc(d, nb - 1, 1);
	CHECK_EQ(nvmev_dsm_range_check(d, nb, &r), 0);
	dsm_desc(d, 0, (u32)nb); /* the whole namespace */
	CHECK_EQ(nvmev_dsm_range_check(d, nb, &r), 0);
	dsm_desc(d, 1, (u32)nb);
	CHECK_EQ(nvmev_dsm_range_check(d, nb, &r), SC_DNR(NVMEV_SC_LBA_RANGE));
	dsm_desc(d, nb, 1);
	CHECK_EQ(nvmev_dsm_range_check(d, nb, &r), SC_DNR(NVMEV_SC_LBA_RANGE));
	dsm_desc(d, ~0ULL, 0xffffffff); /* slba + nlb wraps */
	CHECK_EQ(nvmev_dsm_range_check(d, ~0ULL, &r),
		 SC_DNR(NVMEV_SC_LBA_RANGE));
	dsm_desc(d, ~0ULL, 0); /* an empty range: nothing to check */
	CHECK_EQ(nvmev_dsm_range_check(d, nb, &r), 0);
	CHECK_EQ(r.nlb, 0);
}

/* Copy: NR against MSRC, the format, SDLBA; every source range. */
static void test_block_copy(void)
{
	const u64 nb = 1 << 20;
	struct nvmev_blk_range r;
	struct nvmev_blk_cmd bc;
	u64 total;
	u32 sqe[16];
	u8 d[32];
	u16 loc;
	int i;

	sqe_init(sqe, NVMEV_IO_COPY);
	sqe[1] = 1;
	sqe[10] = 100;
	sqe[12] = NVMEV_COPY_MSRC; /* 128 ranges */
	CHECK_EQ(blk_sqe(sqe, nb, &bc, &loc), 0);
	CHECK_EQ(bc.slba, 100);
	CHECK_EQ(bc.nr, NVMEV_COPY_MSRC + 1);
	CHECK_EQ(bc.xfer, (NVMEV_COPY_MSRC + 1) * 32);
	sqe[12] = NVMEV_COPY_MSRC + 1;
	CHECK_EQ(blk_sqe(sqe, nb, &bc, &loc),
		 SC_DNR(NVMEV_SC_CMD_SIZE_LIMIT));
	CHECK_EQ(loc, 48);
	sqe[12] = 0xff;
	CHECK_EQ(blk_sqe(sqe, nb, &bc, &loc),
		 SC_DNR(NVMEV_SC_CMD_SIZE_LIMIT));
	for (i = 1; i < 16; i++) { /* descriptor formats 1h..Fh */
		sqe[12] = i << 8;
		CHECK_EQ(blk_sqe(sqe, nb, &bc, &loc),
			 SC_DNR(NVMEV_SC_INVALID_FIELD));
		CHECK_EQ(loc, 49);
	}
	sqe[12] = 0;
	sqe[10] = (u32)nb;
	CHECK_EQ(blk_sqe(sqe, nb, &bc, &loc), SC_DNR(NVMEV_SC_LBA_RANGE));
	CHECK_EQ(loc, 40);
	sqe[10] = 0;
	sqe[11] = 1; /* SDLBA 2^32 */
	CHECK_EQ(blk_sqe(sqe, nb, &bc, &loc), SC_DNR(NVMEV_SC_LBA_RANGE));

	/* source ranges: MSSRL, MCL over the list, the namespace */
	total = 0;
	copy_desc(d, 0, NVMEV_COPY_MSSRL - 1);
	CHECK_EQ(nvmev_copy_range_check(d, nb, &total, &r), 0);
	CHECK_EQ(r.nlb, NVMEV_COPY_MSSRL);
	CHECK_EQ(total, NVMEV_COPY_MSSRL);
	copy_desc(d, 0, NVMEV_COPY_MSSRL);
	CHECK_EQ(nvmev_copy_range_check(d, nb, &total, &r),
		 SC_DNR(NVMEV_SC_CMD_SIZE_LIMIT));
	CHECK_EQ(total, NVMEV_COPY_MSSRL); /* a failed range adds nothing */
	copy_desc(d, 5000, NVMEV_COPY_MCL - NVMEV_COPY_MSSRL - 1);
	CHECK_EQ(nvmev_copy_range_check(d, nb, &total, &r), 0);
	CHECK_EQ(total, NVMEV_COPY_MCL);
	copy_desc(d, 0, 0); /* one block beyond MCL */
	CHECK_EQ(nvmev_copy_range_check(d, nb, &total, &r),
		 SC_DNR(NVMEV_SC_CMD_SIZE_LIMIT));
	total = 0;
	copy_desc(d, nb - 1, 0);
	CHECK_EQ(nvmev_copy_range_check(d, nb, &total, &r), 0);
	copy_desc(d, nb - 1, 1);
	CHECK_EQ(nvmev_copy_range_check(d, nb, &total, &r),
		 SC_DNR(NVMEV_SC_LBA_RANGE));
	copy_desc(d, ~0ULL - 1, 1); /* ends one block past a 2^64-1 one */
	CHECK_EQ(nvmev_copy_range_check(d, ~0ULL, &total, &r),
		 SC_DNR(NVMEV_SC_LBA_RANGE));
	total = ~0ULL; /* a corrupt running total is refused, not wrapped */
	copy_desc(d, 0, 0);
	CHECK_EQ(nvmev_copy_range_check(d, nb, &total, &r),
		 SC_DNR(NVMEV_SC_CMD_SIZE_LIMIT));

	/* the destination */
	CHECK_EQ(nvmev_copy_dest_check(nb - 8, 8, nb), 0);
	CHECK_EQ(nvmev_copy_dest_check(nb - 8, 9, nb),
		 SC_DNR(NVMEV_SC_LBA_RANGE));
	CHECK_EQ(nvmev_copy_dest_check(nb, 0, nb), SC_DNR(NVMEV_SC_LBA_RANGE));
	CHECK_EQ(nvmev_copy_dest_check(~0ULL, 2, ~0ULL),
		 SC_DNR(NVMEV_SC_LBA_RANGE));
}

/*
 * What Identify advertises is what the decoder accepts: each row of the
 * block table decodes (on namespace 1), its ONCS bit is set, and each
 * optional NVM opcode not in the table has its ONCS bit clear.
 */
static void test_block_oncs_table(void)
{
	const u64 nb = 1 << 20;
	struct nvmev_id_caps caps;
	struct nvmev_blk_cmd bc;
	u16 oncs = 0, loc;
	unsigned int i, op;
	u32 sqe[16];

	nvmev_id_caps(&caps);
	for (i = 0; i < nvmev_nr_blk_cmds; i++) {
		const struct nvmev_io_cmd *c = &nvmev_blk_cmds[i];

		sqe_init(sqe, c->opcode);
		sqe[1] = 1;
		CHECK_EQ(blk_sqe(sqe, nb, &bc, &loc), 0);
		CHECK(c->effects & NVMEV_EFFECTS_CSUPP, "%s", c->name);
		oncs |= nvmev_oncs_of(c->opcode);
	}
	CHECK_EQ(oncs, nvmev_blk_oncs());
	CHECK_EQ(caps.oncs & 0x18f, oncs);
	for (op = 0; op < 256; op++) {
		bool in_table = false;

		for (i = 0; i < nvmev_nr_blk_cmds; i++)
			in_table |= nvmev_blk_cmds[i].opcode == op;
		if (nvmev_oncs_of(op))
			CHECK_EQ(!!(caps.oncs & nvmev_oncs_of(op)), in_table);
		sqe_init(sqe, op);
		sqe[1] = 1;
		if (!in_table)
			CHECK_EQ(nvmev_blk_decode(sqe, nb, &bc, &loc),
				 SC_DNR(NVMEV_SC_INVALID_OPCODE));
	}
	/* the commands that change blocks say so in the effects log */
	for (i = 0; i < nvmev_nr_blk_cmds; i++) {
		u8 opc = nvmev_blk_cmds[i].opcode;
		bool changes = opc == NVMEV_IO_WRITE ||
			       opc == NVMEV_IO_WRITE_ZEROES ||
			       opc == NVMEV_IO_WRITE_UNCOR ||
			       opc == NVMEV_IO_DSM || opc == NVMEV_IO_COPY;

		CHECK_EQ(!!(nvmev_blk_cmds[i].effects & NVMEV_EFFECTS_LBCC),
			 changes);
	}
}

/* The uncorrectable-block bitmap against a bool-per-block model. */
static void test_uncor_bitmap(void)
{
	enum { NBITS = 1000 };
	u64 map[(NBITS + 63) / 64 + 1];
	bool model[NBITS];
	u64 set = 0, guard = 0x5a5a5a5a5a5a5a5aULL;
	unsigned int i, round;

	CHECK_EQ(nvmev_bits_words(0), 0);
	CHECK_EQ(nvmev_bits_words(1), 1);
	CHECK_EQ(nvmev_bits_words(64), 1);
	CHECK_EQ(nvmev_bits_words(65), 2);
	memset(map, 0, sizeof(map));
	map[nvmev_bits_words(NBITS)] = guard; /* nothing past the end */
	memset(model, 0, sizeof(model));
	srand(15);
	for (round = 0; round < 20000; round++) {
		u64 start = rand() % NBITS;
		u64 n = rand() % 3 ? rand() % 130 : rand() % (NBITS - start + 1);
		bool bad = rand() & 1, want_any = false;
		u64 changed = 0;

		if (n > NBITS - start)
			n = NBITS - start;
		for (i = start; i < start + n; i++)
			want_any |= model[i];
		CHECK_EQ(nvmev_bits_any(map, start, n), want_any);
		for (i = start; i < start + n; i++) {
			changed += model[i] != bad;
			model[i] = bad;
		}
		CHECK_EQ(nvmev_bits_assign(map, start, n, bad), changed);
		set = bad ? set + changed : set - changed;
		if (test_failures)
			break;
	}
	for (i = 0; i < NBITS; i++)
		CHECK_EQ(nvmev_bits_any(map, i, 1), model[i]);
	CHECK_EQ(map[nvmev_bits_words(NBITS)], guard);
	/* word edges */
	memset(map, 0, sizeof(map));
	CHECK_EQ(nvmev_bits_assign(map, 63, 2, true), 2);
	CHECK_EQ(map[0], 1ULL << 63);
	CHECK_EQ(map[1], 1);
	CHECK_EQ(nvmev_bits_any(map, 0, 63), false);
	CHECK_EQ(nvmev_bits_any(map, 65, 100), false);
	CHECK_EQ(nvmev_bits_any(map, 64, 1), true);
	CHECK_EQ(nvmev_bits_assign(map, 0, 128, true), 126);
	CHECK_EQ(map[0], ~0ULL);
	CHECK_EQ(nvmev_bits_assign(map, 0, 128, false), 128);
	CHECK_EQ(nvmev_bits_assign(map, 5, 0, true), 0);
	CHECK_EQ(nvmev_bits_any(map, 5, 0), false);
	(void)set;
}

/* The runs of set bits of @model in [start, start + n), from the model. */
static u32 model_runs(const bool *model, u64 nbits, u64 start, u64 n,
		      struct nvmev_lba_run *out, u32 max, bool *more)
{
	u64 end = start < nbits ?
			  start + (n < nbits - start ? n : nbits - start) :
			  start;
	u64 i = start;
	u32 nr = 0;

	*more = false;
	while (i < end) {
		u64 j;

		if (!model[i]) {
			i++;
			continue;
		}
		if (nr == max) {
			*more = true;
			break;
		}
		for (j = i; j < end && model[j]; j++)
			;
		out[nr].slba = i;
		out[nr++].nlb = j - i;
		i = j;
	}
	return nr;
}

/*
 * Issue 15, Get LBA Status: nvmev_bits_runs() lists the runs of the
 * uncorrectable bitmap exactly as a bit-by-bit model does, for random
 * maps, starts, lengths (to U64_MAX) and room, and at the word edges.
 */
static void test_uncor_runs(void)
{
	enum { NBITS = 700, MAXR = 400 };
	u64 map[(NBITS + 63) / 64];
	bool model[NBITS], more, want_more;
	struct nvmev_lba_run got[MAXR], want[MAXR];
	unsigned int round, i;

	srand(1515);
	for (round = 0; round < 20000 && !test_failures; round++) {
		unsigned int density = rand() % 4;
		u64 start = rand() % (NBITS + 70), n;
		u32 max = rand() % 3 ? rand() % 8 : MAXR, nr, wnr;

		memset(map, 0, sizeof(map));
		for (i = 0; i < NBITS; i++) {
			/* runs of various lengths: the denser, the longer */
			bool keep = i && (unsigned int)(rand() % 16) <
						 4 + density * 4;

			model[i] = keep ? model[i - 1] : rand() & 1;
			if (density == 3)
				model[i] = true;
			if (model[i])
				map[i / 64] |= 1ULL << (i % 64);
		}
		switch (rand() % 4) {
		case 0:
			n = ~0ULL;
			break;
		case 1:
			n = 0;
			break;
		default:
			n = rand() % (NBITS + 10);
		}
		nr = nvmev_bits_runs(map, NBITS, start, n, got, max, &more);
		wnr = model_runs(model, NBITS, start, n, want, max, &want_more);
		CHECK(nr == wnr && more == want_more,
		      "round %u start %llu n %llu max %u: %u runs more %d, want %u more %d",
		      round, (unsigned long long)start, (unsigned long long)n,
		      max, nr, more, wnr, want_more);
		for (i = 0; i < nr && i < wnr; i++)
			CHECK(got[i].slba == want[i].slba &&
				      got[i].nlb == want[i].nlb,
			      "round %u run %u: %llu+%u, want %llu+%u", round,
			      i, (unsigned long long)got[i].slba, got[i].nlb,
			      (unsigned long long)want[i].slba, want[i].nlb);
	}

	/* word edges: bits 63-64 and 127, 128 */
	memset(map, 0, sizeof(map));
	map[0] = 1ULL << 63;
	map[1] = 1 | 1ULL << 63;
	map[2] = 1;
	CHECK_EQ(nvmev_bits_runs(map, NBITS, 0, ~0ULL, got, MAXR, &more), 2);
	CHECK(got[0].slba == 63 && got[0].nlb == 2 && got[1].slba == 127 &&
		      got[1].nlb == 2 && !more,
	      "word edges: %llu+%u %llu+%u", (unsigned long long)got[0].slba,
	      got[0].nlb, (unsigned long long)got[1].slba, got[1].nlb);
	/* a run clipped at both ends of the range */
	CHECK_EQ(nvmev_bits_runs(map, NBITS, 64, 64, got, MAXR, &more), 2);
	CHECK(got[0].slba == 64 && got[0].nlb == 1 && got[1].slba == 127 &&
		      got[1].nlb == 1,
	      "clipped: %llu+%u", (unsigned long long)got[0].slba, got[0].nlb);
	/* no room: only "more" */
	CHECK_EQ(nvmev_bits_runs(map, NBITS, 0, ~0ULL, got, 0, &more), 0);
	CHECK_EQ(more, true);
	CHECK_EQ(nvmev_bits_runs(map, NBITS, 0, ~0ULL, got, 1, &more), 1);
	CHECK_EQ(more, true);
	CHECK_EQ(nvmev_bits_runs(map, NBITS, 129, ~0ULL, got, 0, &more), 0);
	CHECK_EQ(more, false);
	/* start at or past the end, huge starts: nothing, no overflow */
	CHECK_EQ(nvmev_bits_runs(map, NBITS, NBITS, ~0ULL, got, MAXR, &more),
		 0);
	CHECK_EQ(nvmev_bits_runs(map, NBITS, ~0ULL, ~0ULL, got, MAXR, &more),
		 0);
	CHECK_EQ(more, false);
	/* the last bit of a map that ends inside a word */
	memset(map, 0, sizeof(map));
	map[(NBITS - 1) / 64] = 1ULL << ((NBITS - 1) % 64);
	CHECK_EQ(nvmev_bits_runs(map, NBITS, 0, ~0ULL, got, MAXR, &more), 1);
	CHECK(got[0].slba == NBITS - 1 && got[0].nlb == 1, "last bit %llu",
	      (unsigned long long)got[0].slba);
}

static void get_lba_status(u32 *sqe, u32 nsid, u64 slba, u32 mndw, u8 atype,
			   u16 rl)
{
	sqe_init(sqe, NVMEV_ADM_GET_LBA_STATUS);
	sqe[1] = nsid;
	sqe[10] = slba;
	sqe[11] = slba >> 32;
	sqe[12] = mndw;
	sqe[13] = (u32)atype << 24 | rl;
}

/*
 * Issue 15, Get LBA Status (86h): namespace, ATYPE, MNDW and SLBA each get
 * their status and error location; RL 0 and ranges past the end stop at
 * the last LBA; every ATYPE but 10h and 11h is Invalid Field.
 */
static void test_get_lba_status(void)
{
	static const u32 nsids[] = { 0, 1, 2, 3, 0xfffffffe, 0xffffffff };
	struct nvmev_admin_state st = state(), kv = state_kv(true);
	struct nvmev_admin_cmd cmd;
	unsigned int a, n;
	u32 sqe[16];

	get_lba_status(sqe, 1, 0, 0x3ff, 0x11, 0);
	admin_case("lba status 11h", sqe, 0, 0);
	nvmev_admin_decode(sqe, &st, &cmd);
	CHECK(cmd.lba_status.slba == 0 && cmd.lba_status.nlb == NS1_BLOCKS &&
		      cmd.lba_status.len == 0x400 * 4 &&
		      cmd.lba_status.atype == 0x11,
	      "decoded slba %llu nlb %llu len %llu atype %#x",
	      (unsigned long long)cmd.lba_status.slba,
	      (unsigned long long)cmd.lba_status.nlb,
	      (unsigned long long)cmd.lba_status.len, cmd.lba_status.atype);
	get_lba_status(sqe, 1, 100, 0, 0x10, 8);
	admin_case("lba status 10h, 8 blocks", sqe, 0, 0);
	nvmev_admin_decode(sqe, &st, &cmd);
	CHECK(cmd.lba_status.slba == 100 && cmd.lba_status.nlb == 8 &&
		      cmd.lba_status.len == 4,
	      "rl 8: nlb %llu len %llu", (unsigned long long)cmd.lba_status.nlb,
	      (unsigned long long)cmd.lba_status.len);
	get_lba_status(sqe, 1, NS1_BLOCKS - 3, 1, 0x11, 0xffff);
	admin_case("lba status rl past the end", sqe, 0, 0);
	nvmev_admin_decode(sqe, &st, &cmd);
	CHECK_EQ(cmd.lba_status.nlb, 3);

	/* the namespace: an active NVM one only */
	for (n = 0; n < ARRAY_SIZE(nsids); n++) {
		get_lba_status(sqe, nsids[n], 0, 3, 0x11, 0);
		admin_case_in(&st, "lba status nsid", sqe,
			      nsids[n] == 1 ? 0 : SC_DNR(NVMEV_SC_INVALID_NS),
			      4);
		admin_case_in(&kv, "lba status nsid (kv)", sqe,
			      nsids[n] == 1 ? 0 : SC_DNR(NVMEV_SC_INVALID_NS),
			      4);
	}
	/* ATYPE: 10h and 11h (02h is Tracked Allocated LBAs, after 2.0) */
	for (a = 0; a < 256; a++) {
		u16 status;

		get_lba_status(sqe, 1, 0, 3, a, 0);
		status = nvmev_admin_decode(sqe, &st, &cmd);
		if (a == 0x10 || a == 0x11)
			CHECK(status == 0, "atype %#x: %#x", a, status);
		else
			CHECK(status == SC_DNR(NVMEV_SC_INVALID_FIELD) &&
				      cmd.param_loc == 55,
			      "atype %#x: %#x loc %u", a, status,
			      cmd.param_loc);
	}
	/* MNDW: the transfer within MDTS, 0's based, no overflow */
	get_lba_status(sqe, 1, 0, NVMEV_MAX_XFER / 4 - 1, 0x11, 0);
	admin_case("lba status mndw at MDTS", sqe, 0, 0);
	get_lba_status(sqe, 1, 0, NVMEV_MAX_XFER / 4, 0x11, 0);
	admin_case("lba status mndw over MDTS", sqe,
		   SC_DNR(NVMEV_SC_INVALID_FIELD), 48);
	get_lba_status(sqe, 1, 0, 0xffffffff, 0x11, 0);
	admin_case("lba status mndw all ones", sqe,
		   SC_DNR(NVMEV_SC_INVALID_FIELD), 48);
	/* SLBA: in the namespace */
	get_lba_status(sqe, 1, NS1_BLOCKS - 1, 3, 0x11, 0);
	admin_case("lba status last lba", sqe, 0, 0);
	get_lba_status(sqe, 1, NS1_BLOCKS, 3, 0x11, 0);
	admin_case("lba status slba past the end", sqe,
		   SC_DNR(NVMEV_SC_LBA_RANGE), 40);
	get_lba_status(sqe, 1, ~0ULL, 3, 0x11, 0xffff);
	admin_case("lba status slba all ones", sqe, SC_DNR(NVMEV_SC_LBA_RANGE),
		   40);
	/* the order of the checks: namespace, ATYPE, MNDW, SLBA */
	get_lba_status(sqe, 3, ~0ULL, 0xffffffff, 0, 0);
	admin_case("lba status all bad", sqe, SC_DNR(NVMEV_SC_INVALID_NS), 4);
	get_lba_status(sqe, 1, ~0ULL, 0xffffffff, 0, 0);
	admin_case("lba status atype, mndw, slba bad", sqe,
		   SC_DNR(NVMEV_SC_INVALID_FIELD), 55);
	/* a block namespace of Namespace Management: its own size */
	st.nn = 3;
	st.ns_alloc |= 1u << 3;
	st.ns_active |= 1u << 3;
	st.ns_csi[3] = NVMEV_CSI_NVM;
	st.ns_blocks[3] = 100;
	get_lba_status(sqe, 3, 99, 3, 0x11, 0);
	CHECK_EQ(nvmev_admin_decode(sqe, &st, &cmd), 0);
	CHECK(cmd.lba_status.slba == 99 && cmd.lba_status.nlb == 1,
	      "nsid 3: slba %llu nlb %llu",
	      (unsigned long long)cmd.lba_status.slba,
	      (unsigned long long)cmd.lba_status.nlb);
	get_lba_status(sqe, 3, 100, 3, 0x11, 0);
	admin_case_in(&st, "lba status nsid 3 past its end", sqe,
		      SC_DNR(NVMEV_SC_LBA_RANGE), 40);
	st.ns_active &= ~(1u << 3); /* detached */
	get_lba_status(sqe, 3, 0, 3, 0x11, 0);
	admin_case_in(&st, "lba status nsid 3 detached", sqe,
		      SC_DNR(NVMEV_SC_INVALID_NS), 4);
	/* SGLs, as for every admin command */
	get_lba_status(sqe, 1, 0, 3, 0x11, 0);
	sqe[0] |= 1 << 14;
	admin_case("lba status psdt", sqe, SC_DNR(NVMEV_SC_INVALID_FIELD), 1);
}

/*
 * The CQ head rule against a model of the ring, for every (size, last,
 * tail, head) up to size 9: a head is valid exactly when it names an entry
 * the host can have consumed, i.e. walking from @last to @tail passes it.
 */
static void test_cq_head_exhaustive(void)
{
	u32 size, last, tail, head;

	for (size = 2; size <= 9; size++)
		for (last = 0; last < size + 2; last++)
			for (tail = 0; tail < size + 2; tail++)
				for (head = 0; head < size + 2; head++) {
					bool want = false;
					u32 i = last;

					if (last < size && tail < size &&
					    head < size) {
						for (;;) {
							want |= i == head;
							if (i == tail)
								break;
							i = nvmev_q_next(i,
									 size);
						}
					}
					CHECK(nvmev_cq_head_valid(head, last,
								  tail,
								  size) == want,
					      "size %u last %u tail %u head %u",
					      size, last, tail, head);
				}
	CHECK_EQ(nvmev_cq_head_valid(0xffffffff, 0, 5, 1024), false);
	CHECK_EQ(nvmev_cq_head_valid(1023, 1000, 3, 1024), true); /* wrapped */
	CHECK_EQ(nvmev_cq_head_valid(4, 1000, 3, 1024), false);

	CHECK_EQ(nvmev_sq_pending(5, 5, 8), 0);
	CHECK_EQ(nvmev_sq_pending(5, 4, 8), 7);
	CHECK_EQ(nvmev_sq_pending(5, 8, 8), -1);
	CHECK_EQ(nvmev_sq_pending(0, 0xffffffff, 8), -1);
}

/*
 * Format NVM (issue 14): every LBAF (6 bits), PI, SES, MSET and PIL against
 * NSIDs in each namespace setup, checked against a model written here: a
 * namespace that is not active is Invalid Namespace (FFFFFFFFh is every
 * active one), a format other than index 0 or PI Invalid Format at CDW10,
 * SES above 1 (crypto erase: FNA bit 2 is 0) Invalid Field at its byte.
 */
static u16 want_format(const struct nvmev_admin_state *st, u32 nsid,
		       u32 cdw10, u32 *ns, u16 *loc)
{
	u32 lbaf = (cdw10 & 0xf) | ((cdw10 >> 12) & 3) << 4;

	*ns = nsid == 0xffffffff ? st->ns_active :
	      (nsid && nsid <= st->nn && (st->ns_active & (1u << nsid))) ?
				   1u << nsid : 0;
	*loc = 4;
	if (!*ns)
		return SC_DNR(NVMEV_SC_INVALID_NS);
	*loc = 40;
	if (lbaf || ((cdw10 >> 5) & 7))
		return SC_DNR(NVMEV_SC_INVALID_FORMAT);
	*loc = 41;
	if (((cdw10 >> 9) & 7) > 1)
		return SC_DNR(NVMEV_SC_INVALID_FIELD);
	return 0;
}

static void test_format(void)
{
	static const u32 nsids[] = { 0, 1, 2, 3, 0xfffffffe, 0xffffffff };
	struct nvmev_admin_state states[3];
	struct nvmev_admin_cmd cmd;
	unsigned int s, n, f, cases = 0;
	u32 sqe[16], ns;
	u16 want, loc;

	states[0] = state();
	states[1] = state_kv(true);
	states[2] = state_kv(false);
	for (s = 0; s < 3; s++) {
		for (n = 0; n < ARRAY_SIZE(nsids); n++) {
			/* LBAF 3:0, MSET 4, PI 7:5, PIL 8, SES 11:9, LBAF 13:12 */
			for (f = 0; f < (1u << 14); f++) {
				u16 status;

				sqe_init(sqe, NVMEV_ADM_FORMAT_NVM);
				sqe[1] = nsids[n];
				sqe[10] = f | (f & 1 ? 0xffffc000u : 0);
				want = want_format(&states[s], nsids[n], f,
						   &ns, &loc);
				status = nvmev_admin_decode(sqe, &states[s],
							    &cmd);
				cases++;
				if (status != want ||
				    (want && cmd.param_loc != loc) ||
				    (!want && (cmd.format.ns != ns ||
					       cmd.format.ses !=
						       ((f >> 9) & 7)))) {
					CHECK(0, "format state %u nsid %#x cdw10 %#x: status %#x loc %u ns %#x, want %#x loc %u ns %#x",
					      s, nsids[n], sqe[10], status,
					      cmd.param_loc, cmd.format.ns,
					      want, loc, ns);
					return;
				}
			}
		}
	}
	CHECK(cases == 3 * 6 * (1u << 14), "format cases %u", cases);

	/* the ones nvme-cli sends */
	sqe_init(sqe, NVMEV_ADM_FORMAT_NVM);
	admin_case("format ns 1 lbaf 0 ses 0", sqe, 0, 0);
	sqe[10] = 1 << 9;
	admin_case("format ns 1 ses 1", sqe, 0, 0);
	sqe[10] = 2 << 9;
	admin_case("format ns 1 ses 2 (crypto)", sqe,
		   SC_DNR(NVMEV_SC_INVALID_FIELD), 41);
	sqe[10] = 1;
	admin_case("format ns 1 lbaf 1", sqe, SC_DNR(NVMEV_SC_INVALID_FORMAT),
		   40);
	sqe[10] = 1 << 12; /* LBAF 16: the upper bits */
	admin_case("format ns 1 lbaf 16", sqe, SC_DNR(NVMEV_SC_INVALID_FORMAT),
		   40);
	sqe[10] = 1 << 5;
	admin_case("format ns 1 pi 1", sqe, SC_DNR(NVMEV_SC_INVALID_FORMAT), 40);
	sqe[10] = 1 << 4 | 1 << 8;
	admin_case("format ns 1 mset 1 pil 1", sqe, 0, 0);
}

/* Sanitize: Block Erase and Exit Failure Mode only, whatever the NSID. */
static void test_sanitize(void)
{
	struct nvmev_admin_state st = state_kv(true);
	struct nvmev_admin_cmd cmd;
	u32 sqe[16], act, hi;

	for (act = 0; act < 8; act++) {
		for (hi = 0; hi < 2; hi++) {
			u16 want = act == 1 || act == 2 ?
					   0 :
					   SC_DNR(NVMEV_SC_INVALID_FIELD);
			u16 status;

			sqe_init(sqe, NVMEV_ADM_SANITIZE);
			sqe[1] = hi ? 0xffffffff : 0;
			sqe[10] = act | (hi ? 0xfffffff8u : 0);
			status = nvmev_admin_decode(sqe, &st, &cmd);
			CHECK(status == want, "sanitize sanact %u: %#x", act,
			      status);
			if (!status)
				CHECK(cmd.sanitize.sanact == act &&
					      cmd.sanitize.cdw10 == sqe[10],
				      "sanitize sanact %u decoded %u", act,
				      cmd.sanitize.sanact);
			else
				CHECK_EQ(cmd.param_loc, 40);
		}
	}
}

/* Namespace Management create/delete and Attachment: decode */
static void ns_cmd(u32 *sqe, u8 opcode, u32 nsid, u32 sel, u8 csi)
{
	sqe_init(sqe, opcode);
	sqe[1] = nsid;
	sqe[10] = sel;
	sqe[11] = (u32)csi << 24;
}

static void test_ns_mgmt_decode(void)
{
	struct nvmev_admin_state st = state_kv(true);
	struct nvmev_admin_cmd cmd;
	u32 sqe[16];

	st.nn = NVMEV_MAX_NSID;
	ns_cmd(sqe, NVMEV_ADM_NS_MGMT, 0, 0, NVMEV_CSI_NVM);
	admin_case_in(&st, "create csi 0", sqe, 0, 0);
	ns_cmd(sqe, NVMEV_ADM_NS_MGMT, 0, 0, NVMEV_CSI_KV);
	admin_case_in(&st, "create csi 1", sqe, 0, 0);
	ns_cmd(sqe, NVMEV_ADM_NS_MGMT, 0, 0, 2);
	admin_case_in(&st, "create csi 2 (zoned: not here)", sqe,
		      SC_DNR(NVMEV_SC_IOCS_NOT_SUPPORTED), 47);
	ns_cmd(sqe, NVMEV_ADM_NS_MGMT, 0, 2, 0);
	admin_case_in(&st, "ns mgmt sel 2", sqe, SC_DNR(NVMEV_SC_INVALID_FIELD),
		      40);
	ns_cmd(sqe, NVMEV_ADM_NS_MGMT, 2, 1, 0);
	admin_case_in(&st, "delete ns 2", sqe, 0, 0);
	CHECK_EQ(nvmev_admin_decode(sqe, &st, &cmd), 0);
	CHECK_EQ(cmd.ns.mask, NS2);
	ns_cmd(sqe, NVMEV_ADM_NS_MGMT, 1, 1, 0);
	admin_case_in(&st, "delete ns 1 (made by the parameters)", sqe,
		      SC_DNR(NVMEV_SC_INVALID_FIELD), 4);
	ns_cmd(sqe, NVMEV_ADM_NS_MGMT, 5, 1, 0);
	admin_case_in(&st, "delete unallocated ns 5", sqe,
		      SC_DNR(NVMEV_SC_INVALID_NS), 4);
	ns_cmd(sqe, NVMEV_ADM_NS_MGMT, 17, 1, 0);
	admin_case_in(&st, "delete ns 17 (> NN)", sqe,
		      SC_DNR(NVMEV_SC_INVALID_NS), 4);
	ns_cmd(sqe, NVMEV_ADM_NS_MGMT, 0xffffffff, 1, 0);
	st.ns_alloc |= 1u << 9;
	CHECK_EQ(nvmev_admin_decode(sqe, &st, &cmd), 0);
	CHECK_EQ(cmd.ns.mask, NS2 | 1u << 9); /* all but namespace 1 */

	ns_cmd(sqe, NVMEV_ADM_NS_ATTACH, 9, 0, 0);
	admin_case_in(&st, "attach ns 9", sqe, 0, 0);
	ns_cmd(sqe, NVMEV_ADM_NS_ATTACH, 9, 1, 0);
	admin_case_in(&st, "detach ns 9", sqe, 0, 0);
	ns_cmd(sqe, NVMEV_ADM_NS_ATTACH, 9, 2, 0);
	admin_case_in(&st, "attach sel 2", sqe, SC_DNR(NVMEV_SC_INVALID_FIELD),
		      40);
	ns_cmd(sqe, NVMEV_ADM_NS_ATTACH, 10, 0, 0);
	admin_case_in(&st, "attach unallocated", sqe,
		      SC_DNR(NVMEV_SC_INVALID_NS), 4);
	ns_cmd(sqe, NVMEV_ADM_NS_ATTACH, 0xffffffff, 0, 0);
	admin_case_in(&st, "attach all", sqe, SC_DNR(NVMEV_SC_INVALID_FIELD), 4);

	/* no KV Command Set (no KV namespace at load): no KV namespaces */
	st.kv_capable = false;
	st.ns_csi[NVMEV_NSID_KV] = 0;
	ns_cmd(sqe, NVMEV_ADM_NS_MGMT, 0, 0, NVMEV_CSI_KV);
	admin_case_in(&st, "create csi 1 without the KV set", sqe,
		      SC_DNR(NVMEV_SC_IOCS_NOT_SUPPORTED), 47);
	st = state_kv(true);
	st.nn = NVMEV_MAX_NSID;
	st.ns_alloc |= 1u << 9;

	/* feature 20h, FFFFFFFFh: the first *active* KV namespace decides */
	st.ns_active &= ~NS2; /* namespace 2 detached, 5 (KV) attached */
	st.ns_attached &= ~NS2;
	feature(sqe, false, NVMEV_FEAT_KV_CONFIG, 0);
	sqe[1] = 0xffffffff;
	admin_case_in(&st, "get kv config all, no active KV namespace", sqe,
		      SC_DNR(NVMEV_SC_INVALID_FIELD), 4);
	st.ns_alloc |= 1u << 5;
	st.ns_attached |= 1u << 5;
	st.ns_active |= 1u << 5;
	st.ns_csi[5] = NVMEV_CSI_KV;
	admin_case_in(&st, "get kv config all, namespace 5 active", sqe, 0, 0);
	sqe[1] = 5;
	admin_case_in(&st, "get kv config of namespace 5", sqe, 0, 0);
	sqe[1] = 2;
	admin_case_in(&st, "get kv config of detached namespace 2", sqe,
		      SC_DNR(NVMEV_SC_INVALID_FIELD), 4);
	/* CNS 12h: the controller of an attached namespace, active or not */
	identify(sqe, NVMEV_CNS_CTRL_LIST_NS, 5, 0);
	st.ns_active &= ~(1u << 5); /* CC.CSS = 000b: attached, inactive */
	CHECK_EQ(nvmev_admin_decode(sqe, &st, &cmd), 0);
	CHECK(cmd.identify.listed, "cns 12h: attached inactive ns not listed");

	/* allocated but not attached: CNS 10h/11h see it, 00h/02h do not */
	st = state_kv(true);
	st.nn = NVMEV_MAX_NSID;
	st.ns_alloc |= 1u << 9;
	identify(sqe, NVMEV_CNS_ALLOC_LIST, 0, 0);
	CHECK_EQ(nvmev_admin_decode(sqe, &st, &cmd), 0);
	CHECK_EQ(cmd.identify.list, NS1 | NS2 | 1u << 9);
	identify(sqe, NVMEV_CNS_NS_ACTIVE_LIST, 0, 0);
	CHECK_EQ(nvmev_admin_decode(sqe, &st, &cmd), 0);
	CHECK_EQ(cmd.identify.list, NS1 | NS2);
	identify(sqe, NVMEV_CNS_CS_ALLOC_LIST, 0, NVMEV_CSI_KV);
	CHECK_EQ(nvmev_admin_decode(sqe, &st, &cmd), 0);
	CHECK_EQ(cmd.identify.list, NS2);
	identify(sqe, NVMEV_CNS_ALLOC_NS, 9, 0);
	CHECK_EQ(nvmev_admin_decode(sqe, &st, &cmd), 0);
	CHECK(!cmd.identify.zero, "cns 11h of allocated ns 9: zeros");
	identify(sqe, NVMEV_CNS_NS, 9, 0);
	CHECK_EQ(nvmev_admin_decode(sqe, &st, &cmd), 0);
	CHECK(cmd.identify.zero, "cns 00h of detached ns 9: not zeros");
	identify(sqe, NVMEV_CNS_ALLOC_NS, 10, 0);
	CHECK_EQ(nvmev_admin_decode(sqe, &st, &cmd), 0);
	CHECK(cmd.identify.zero, "cns 11h of unallocated ns 10: not zeros");
}

static void put64(u8 *p, u64 v)
{
	memcpy(p, &v, 8);
}

/* The host's namespace structure for a create, and the capacity it takes */
static void test_ns_create_check(void)
{
	u8 d[4096];
	u64 nsze, bytes;

	memset(d, 0, sizeof(d));
	put64(d, 2048);
	put64(d + 8, 2048);
	CHECK_EQ(nvmev_ns_create_check(d, NVMEV_CSI_NVM, &nsze, &bytes), 0);
	CHECK_EQ(nsze, 2048);
	CHECK_EQ(bytes, 1ULL << 20);
	put64(d, 2049); /* a block more: a MiB more */
	put64(d + 8, 2049);
	CHECK_EQ(nvmev_ns_create_check(d, NVMEV_CSI_NVM, &nsze, &bytes), 0);
	CHECK_EQ(bytes, 2ULL << 20);
	put64(d + 8, 2048); /* NCAP < NSZE: thin provisioning, not here */
	CHECK_EQ(nvmev_ns_create_check(d, NVMEV_CSI_NVM, &nsze, &bytes),
		 SC_DNR(NVMEV_SC_THIN_PROV_NOT_SUPPORTED));
	put64(d + 8, 2050); /* NCAP > NSZE */
	CHECK_EQ(nvmev_ns_create_check(d, NVMEV_CSI_NVM, &nsze, &bytes),
		 SC_DNR(NVMEV_SC_INVALID_FIELD));
	put64(d, 0);
	put64(d + 8, 0);
	CHECK_EQ(nvmev_ns_create_check(d, NVMEV_CSI_NVM, &nsze, &bytes),
		 SC_DNR(NVMEV_SC_INVALID_FIELD));
	put64(d, 2048);
	put64(d + 8, 2048);
	d[26] = 1; /* FLBAS: format 1 does not exist */
	CHECK_EQ(nvmev_ns_create_check(d, NVMEV_CSI_NVM, &nsze, &bytes),
		 SC_DNR(NVMEV_SC_INVALID_FORMAT));
	d[26] = 0x20; /* upper bits: format 16 */
	CHECK_EQ(nvmev_ns_create_check(d, NVMEV_CSI_NVM, &nsze, &bytes),
		 SC_DNR(NVMEV_SC_INVALID_FORMAT));
	d[26] = 0x10; /* metadata at the end of the LBA: none to place */
	CHECK_EQ(nvmev_ns_create_check(d, NVMEV_CSI_NVM, &nsze, &bytes), 0);
	d[26] = 0;
	d[29] = 1; /* DPS: protection information */
	CHECK_EQ(nvmev_ns_create_check(d, NVMEV_CSI_NVM, &nsze, &bytes),
		 SC_DNR(NVMEV_SC_INVALID_FIELD));
	d[29] = 0;
	d[92] = 1; /* ANAGRPID */
	CHECK_EQ(nvmev_ns_create_check(d, NVMEV_CSI_NVM, &nsze, &bytes),
		 SC_DNR(NVMEV_SC_INVALID_FIELD));
	d[92] = 0;
	d[100] = 1; /* NVMSETID */
	CHECK_EQ(nvmev_ns_create_check(d, NVMEV_CSI_NVM, &nsze, &bytes),
		 SC_DNR(NVMEV_SC_INVALID_FIELD));
	d[100] = 0;
	put64(d, ~0ULL); /* beyond any device: no capacity, not a bad field */
	put64(d + 8, ~0ULL);
	CHECK_EQ(nvmev_ns_create_check(d, NVMEV_CSI_NVM, &nsze, &bytes), 0);
	CHECK_EQ(bytes, ~0ULL);
	/* KV: NSZE in bytes, at least the smallest KV area; NCAP not used */
	put64(d, 32ULL << 20);
	put64(d + 8, 0);
	CHECK_EQ(nvmev_ns_create_check(d, NVMEV_CSI_KV, &nsze, &bytes), 0);
	CHECK_EQ(bytes, 32ULL << 20);
	put64(d, (32ULL << 20) - 1);
	CHECK_EQ(nvmev_ns_create_check(d, NVMEV_CSI_KV, &nsze, &bytes),
		 SC_DNR(NVMEV_SC_INVALID_FIELD));
	put64(d, (40ULL << 20) + 1);
	CHECK_EQ(nvmev_ns_create_check(d, NVMEV_CSI_KV, &nsze, &bytes), 0);
	CHECK_EQ(bytes, 41ULL << 20);
}

static void test_ctrl_list_check(void)
{
	u8 d[4096];

	memset(d, 0, sizeof(d));
	CHECK_EQ(nvmev_ctrl_list_check(d), SC_DNR(NVMEV_SC_CTRL_LIST_INVALID));
	d[0] = 1;
	d[2] = NVMEV_CNTLID;
	CHECK_EQ(nvmev_ctrl_list_check(d), 0);
	d[2] = 2;
	CHECK_EQ(nvmev_ctrl_list_check(d), SC_DNR(NVMEV_SC_CTRL_LIST_INVALID));
	d[2] = NVMEV_CNTLID;
	d[0] = 2; /* ours and 0 */
	CHECK_EQ(nvmev_ctrl_list_check(d), SC_DNR(NVMEV_SC_CTRL_LIST_INVALID));
	d[0] = 0xff;
	d[1] = 0xff; /* 65535 IDs: more than a list holds */
	CHECK_EQ(nvmev_ctrl_list_check(d), SC_DNR(NVMEV_SC_CTRL_LIST_INVALID));
}

/* First fit of a new namespace among the allocated extents */
static void test_ns_place(void)
{
	const u64 M = 1ULL << 20;
	struct nvmev_extent e[3] = { { 10 * M, 4 * M }, { 0, 0 },
				     { 16 * M, 2 * M } };

	CHECK_EQ(nvmev_ns_place(e, 0, 10 * M, 30 * M, 20 * M), 10 * M);
	CHECK_EQ(nvmev_ns_place(e, 0, 10 * M, 30 * M, 21 * M), ~0ULL);
	CHECK_EQ(nvmev_ns_place(e, 3, 10 * M, 30 * M, 2 * M), 14 * M);
	CHECK_EQ(nvmev_ns_place(e, 3, 10 * M, 30 * M, 3 * M), 18 * M);
	CHECK_EQ(nvmev_ns_place(e, 3, 10 * M, 30 * M, 12 * M), 18 * M);
	CHECK_EQ(nvmev_ns_place(e, 3, 10 * M, 30 * M, 13 * M), ~0ULL);
	CHECK_EQ(nvmev_ns_place(e, 3, 10 * M, 30 * M, ~0ULL), ~0ULL);
	/* extents in any order */
	e[1] = e[0];
	e[0] = e[2];
	e[2] = (struct nvmev_extent){ 14 * M, 2 * M };
	CHECK_EQ(nvmev_ns_place(e, 3, 10 * M, 30 * M, 1 * M), 18 * M);
}

int main(void)
{
	test_queues();
	test_identify();
	test_logs();
	test_features_and_misc();
	test_set_features_kato_rejected();
	test_keep_alive_without_kas_rejected();
	test_feature_sweep();
	test_log_sweep();
	test_cns_sweep();
	test_id_caps();
	test_identify_kv_namespace();
	test_features_iocs_profile_and_kv_config();
	test_effects_log_csi();
	test_block();
	test_block_nvm_ranges();
	test_block_dsm();
	test_block_copy();
	test_block_oncs_table();
	test_uncor_bitmap();
	test_uncor_runs();
	test_get_lba_status();
	test_cq_head_exhaustive();
	test_format();
	test_sanitize();
	test_ns_mgmt_decode();
	test_ns_create_check();
	test_ctrl_list_check();
	test_ns_place();
	return test_report("test_sqe");
}
