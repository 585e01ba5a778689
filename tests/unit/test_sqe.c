// SPDX-License-Identifier: GPL-2.0
/*
 * test_sqe.c - the pure SQE decoders of admin.c and io.c and the doorbell
 * arithmetic, at their edges: every crafted case of the hostile-host list
 * (queue ids 0 / over the maximum / twice / on a missing CQ, sizes 0 and
 * over MQES, deleting a CQ with SQs, bad CNS and NSID, huge log lengths and
 * offsets, SGLs), each with its exact status and error-log byte offset;
 * then the CQ head rule checked exhaustively against a ring model.
 */
#include "nvmev.h"
#include "test_util.h"

#define SC_DNR(sc) ((sc) | NVMEV_SC_DNR)

static struct nvmev_admin_state state(void)
{
	struct nvmev_admin_state st = { .nr_io_queues = 4 };

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

static void admin_case(const char *what, const u32 *sqe, u16 want, u16 loc)
{
	struct nvmev_admin_state st = state();
	struct nvmev_admin_cmd cmd;
	u16 status = nvmev_admin_decode(sqe, &st, &cmd);

	CHECK(status == want, "%s: status %#x, want %#x", what, status, want);
	if (want)
		CHECK(cmd.param_loc == loc, "%s: param_loc %u, want %u", what,
		      cmd.param_loc, loc);
	CHECK_EQ(cmd.cid, 0x1234);
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
				   NVMEV_CNS_NS_CS_INDEP,
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
	identify(sqe, NVMEV_CNS_NS, 0xffffffff, 0);
	admin_case("identify ns all", sqe, SC_DNR(NVMEV_SC_INVALID_NS), 4);
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
	get_log(sqe, 0x04, 512, 0);
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

	feature(sqe, true, NVMEV_FEAT_NUM_QUEUES, 0x00030003);
	admin_case("set num queues", sqe, 0, 0);
	feature(sqe, true, NVMEV_FEAT_NUM_QUEUES, 0xffff0003);
	admin_case("set 65536 cqs", sqe, SC_DNR(NVMEV_SC_INVALID_FIELD), 44);
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
	feature(sqe, false, NVMEV_FEAT_KATO | 4 << 8, 0);
	admin_case("get sel 4", sqe, SC_DNR(NVMEV_SC_INVALID_FIELD), 41);
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
			NVMEV_ADM_DELETE_SQ,	NVMEV_ADM_CREATE_SQ,
			NVMEV_ADM_GET_LOG_PAGE, NVMEV_ADM_DELETE_CQ,
			NVMEV_ADM_CREATE_CQ,	NVMEV_ADM_IDENTIFY,
			NVMEV_ADM_ABORT,	NVMEV_ADM_SET_FEATURES,
			NVMEV_ADM_GET_FEATURES, NVMEV_ADM_ASYNC_EVENT,
			NVMEV_ADM_KEEP_ALIVE
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
	status = nvmev_io_check_common(sqe, true, loc);
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
	CHECK_EQ(nvmev_io_check_common(sqe, true, &loc),
		 SC_DNR(NVMEV_SC_INVALID_FIELD));
	CHECK_EQ(loc, 1);
	CHECK_EQ(nvmev_io_check_common(sqe, false, &loc),
		 SC_DNR(NVMEV_SC_INVALID_OPCODE));
	CHECK_EQ(loc, 0);
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

int main(void)
{
	test_queues();
	test_identify();
	test_logs();
	test_features_and_misc();
	test_block();
	test_cq_head_exhaustive();
	return test_report("test_sqe");
}
