// SPDX-License-Identifier: GPL-2.0
/*
 * test_dma.c - the PRP walker (dma.c: nvmev_prp_map) against a fake physical
 * memory map: every legal layout flattens to exactly the bytes it names, and
 * every malformed one (unaligned entries, list pages outside memory, bad
 * chain pointers, oversize lengths) gets its NVMe status, never an access
 * outside the map.
 */
#include "nvmev.h"
#include "test_util.h"

#define MAP_BASE 0x100000ULL
#define MAP_PAGES 1200
#define PG NVMEV_PAGE_SIZE

static u8 *map; /* MAP_PAGES pages of fake host RAM at MAP_BASE */
static unsigned long list_reads;

static int fake_read(void *ctx, u64 addr, u64 *entries, u32 nr)
{
	(void)ctx;
	list_reads++;
	if (addr < MAP_BASE || addr - MAP_BASE >= MAP_PAGES * PG ||
	    (u64)nr * 8 > MAP_PAGES * PG - (addr - MAP_BASE))
		return -EFAULT;
	/* the walker must never read a list across a page boundary */
	CHECK((addr & (PG - 1)) + nr * 8 <= PG, "list read crosses a page");
	memcpy(entries, map + (addr - MAP_BASE), nr * 8);
	return 0;
}

static const struct nvmev_mem_ops fake_ops = { .read_prp_list = fake_read };
static struct nvmev_sgl sgl;

static u64 page_addr(unsigned int i)
{
	return MAP_BASE + (u64)i * PG;
}

static void put_entry(u64 addr, u64 val)
{
	memcpy(map + (addr - MAP_BASE), &val, 8);
}

static u16 walk(u64 prp1, u64 prp2, u64 len)
{
	return nvmev_prp_map(&sgl, prp1, prp2, len, &fake_ops, NULL);
}

static void check_segments_sane(u64 len)
{
	u64 sum = 0;
	u32 i;

	CHECK(sgl.nr <= NVMEV_MAX_SEGS, "nr %u", sgl.nr);
	for (i = 0; i < sgl.nr; i++) {
		u64 a = sgl.seg[i].addr;

		CHECK(sgl.seg[i].len > 0, "empty segment %u", i);
		CHECK((a & (PG - 1)) + sgl.seg[i].len <= PG,
		      "segment %u crosses a page", i);
		sum += sgl.seg[i].len;
	}
	CHECK_EQ(sum, len);
	CHECK_EQ(sgl.total, len);
}

static void test_simple(void)
{
	u16 sc = NVMEV_SC_PRP_INVALID_OFFSET | NVMEV_SC_DNR;

	CHECK_EQ(walk(page_addr(0), 0, 0), 0);
	CHECK_EQ(sgl.nr, 0);
	/* one page, with and without offset */
	CHECK_EQ(walk(page_addr(1), 0, PG), 0);
	CHECK_EQ(sgl.nr, 1);
	CHECK_EQ(walk(page_addr(1) + 0x100, 0, PG - 0x100), 0);
	CHECK_EQ(sgl.nr, 1);
	CHECK_EQ(sgl.seg[0].addr, page_addr(1) + 0x100);
	/* a dword-aligned but not qword-aligned offset is legal for PRP1 */
	CHECK_EQ(walk(page_addr(1) + 4, 0, 16), 0);
	/* PRP1 not dword aligned */
	CHECK_EQ(walk(page_addr(1) + 2, 0, 16), sc);
	/* two pages: PRP2 is a data pointer and must be page aligned */
	CHECK_EQ(walk(page_addr(1) + 0x800, page_addr(7), PG), 0);
	CHECK_EQ(sgl.nr, 2);
	CHECK_EQ(sgl.seg[1].addr, page_addr(7));
	CHECK_EQ(sgl.seg[1].len, 0x800);
	CHECK_EQ(walk(page_addr(1) + 0x800, page_addr(7) + 8, PG), sc);
	/* over the maximum transfer */
	CHECK_EQ(walk(page_addr(1), page_addr(2), NVMEV_MAX_XFER + 1),
		 NVMEV_SC_INVALID_FIELD | NVMEV_SC_DNR);
	CHECK_EQ(walk(page_addr(1), page_addr(2), U64_MAX),
		 NVMEV_SC_INVALID_FIELD | NVMEV_SC_DNR);
}

static void test_list(void)
{
	u64 list = page_addr(10);
	unsigned int i;

	/* three pages: PRP1 + a list of two */
	put_entry(list, page_addr(20));
	put_entry(list + 8, page_addr(21));
	CHECK_EQ(walk(page_addr(1), list, 3 * PG), 0);
	CHECK_EQ(sgl.nr, 3);
	CHECK_EQ(sgl.seg[2].addr, page_addr(21));
	check_segments_sane(3 * PG);

	/* an unaligned data entry in the list */
	put_entry(list + 8, page_addr(21) + 0x200);
	CHECK_EQ(walk(page_addr(1), list, 3 * PG),
		 NVMEV_SC_PRP_INVALID_OFFSET | NVMEV_SC_DNR);
	/* a list pointer that is not qword aligned */
	CHECK_EQ(walk(page_addr(1), list + 4, 3 * PG),
		 NVMEV_SC_PRP_INVALID_OFFSET | NVMEV_SC_DNR);
	/* a list page outside host memory */
	CHECK_EQ(walk(page_addr(1), 0x1000, 3 * PG), NVMEV_SC_DATA_XFER_ERROR);
	CHECK_EQ(walk(page_addr(1), MAP_BASE + MAP_PAGES * PG, 3 * PG),
		 NVMEV_SC_DATA_XFER_ERROR);
	/* a list pointer in the last page of the address space */
	CHECK_EQ(walk(page_addr(1), U64_MAX - 7, 3 * PG),
		 NVMEV_SC_DATA_XFER_ERROR);

	/* a list starting 2 entries before the page end: chains after 1 */
	list = page_addr(11) + PG - 16;
	put_entry(list, page_addr(30));
	put_entry(list + 8, page_addr(12)); /* chain */
	for (i = 0; i < 4; i++)
		put_entry(page_addr(12) + i * 8, page_addr(40 + i));
	CHECK_EQ(walk(page_addr(1), list, 6 * PG), 0);
	CHECK_EQ(sgl.nr, 6);
	CHECK_EQ(sgl.seg[1].addr, page_addr(30));
	CHECK_EQ(sgl.seg[2].addr, page_addr(40));
	CHECK_EQ(sgl.seg[5].addr, page_addr(43));
	/* the same with an unaligned chain pointer */
	put_entry(list + 8, page_addr(12) + 8);
	CHECK_EQ(walk(page_addr(1), list, 6 * PG),
		 NVMEV_SC_PRP_INVALID_OFFSET | NVMEV_SC_DNR);
	/* a list in the very last qword of a page: a lone chain entry */
	list = page_addr(13) + PG - 8;
	put_entry(list, page_addr(12));
	put_entry(page_addr(12) + 8, page_addr(41));
	put_entry(page_addr(12), page_addr(40));
	CHECK_EQ(walk(page_addr(1), list, 3 * PG), 0);
	CHECK_EQ(sgl.nr, 3);
}

/* A list page whose chain entry points back at itself must still end. */
static void test_self_loop(void)
{
	u64 list = page_addr(50);
	unsigned int i;

	for (i = 0; i < 511; i++)
		put_entry(list + i * 8, page_addr(100 + i));
	put_entry(list + 511 * 8, list);
	list_reads = 0;
	CHECK_EQ(walk(page_addr(1), list, NVMEV_MAX_XFER), 0);
	check_segments_sane(NVMEV_MAX_XFER);
	CHECK(list_reads < 64, "list reads %lu", list_reads);
}

static void test_max_transfer(void)
{
	u64 list = page_addr(60);
	unsigned int i;

	/* 2 MiB from an offset PRP1: 513 segments, one chained list */
	for (i = 0; i < 511; i++)
		put_entry(list + i * 8, page_addr(100 + i));
	put_entry(list + 511 * 8, page_addr(61));
	for (i = 0; i < 2; i++)
		put_entry(page_addr(61) + i * 8, page_addr(700 + i));
	CHECK_EQ(walk(page_addr(1) + 0x200, list, NVMEV_MAX_XFER), 0);
	CHECK_EQ(sgl.nr, NVMEV_MAX_SEGS);
	check_segments_sane(NVMEV_MAX_XFER);
	CHECK_EQ(sgl.seg[NVMEV_MAX_SEGS - 1].len, 0x200);
}

/* Random legal layouts: the walk reproduces exactly the pages we wrote. */
static void test_random_layouts(void)
{
	static u64 expect[NVMEV_MAX_SEGS];
	u64 seed = 0x5eed;
	int iter;

	for (iter = 0; iter < 3000; iter++) {
		u64 len = 1 + test_rand_below(&seed, NVMEV_MAX_XFER);
		u64 off = test_rand_below(&seed, PG / 4) * 4;
		u64 first = PG - off < len ? PG - off : len;
		u64 left = len - first, prp2 = 0;
		unsigned int n = 0, i;

		expect[n++] = page_addr(1) + off;
		if (left > PG) {
			/* lists in pages 900.., data pages 100.. */
			u64 list = page_addr(900) +
				   test_rand_below(&seed, PG / 8) * 8;
			u64 need = (left + PG - 1) / PG, cur = list;
			unsigned int lp = 900, d = 100;

			prp2 = list;
			while (need) {
				u64 in_page = (PG - (cur & (PG - 1))) / 8;

				if (need > in_page) {
					for (i = 0; i + 1 < in_page; i++) {
						expect[n++] = page_addr(d);
						put_entry(cur + i * 8, page_addr(d++));
					}
					need -= in_page - 1;
					put_entry(cur + (in_page - 1) * 8,
						  page_addr(++lp));
					cur = page_addr(lp);
				} else {
					for (i = 0; i < need; i++) {
						expect[n++] = page_addr(d);
						put_entry(cur + i * 8, page_addr(d++));
					}
					need = 0;
				}
			}
		} else if (left) {
			prp2 = page_addr(2);
			expect[n++] = prp2;
		}
		CHECK_EQ(walk(page_addr(1) + off, prp2, len), 0);
		CHECK_EQ(sgl.nr, n);
		for (i = 0; i < n && i < sgl.nr; i++)
			CHECK_EQ(sgl.seg[i].addr, expect[i]);
		check_segments_sane(len);
		if (test_failures)
			break;
	}
}

/* Garbage PRPs: any status is fine, but no crash, no read outside the map. */
static void test_garbage(void)
{
	u64 seed = 42;
	int iter;

	for (iter = 0; iter < 20000; iter++) {
		u64 prp1 = test_rand(&seed), prp2 = test_rand(&seed);
		u64 len = test_rand_below(&seed, NVMEV_MAX_XFER + 2);
		u16 st;

		if (iter & 1) /* aim some at the map to reach the list walk */
			prp2 = MAP_BASE + test_rand_below(&seed, MAP_PAGES * PG);
		if (iter % 3 == 0)
			put_entry(page_addr(test_rand_below(&seed, MAP_PAGES)),
				  test_rand(&seed));
		st = walk(prp1 & ~3ULL, prp2, len);
		if (!st)
			check_segments_sane(len);
	}
}

static void test_queue_arith(void)
{
	CHECK_EQ(nvmev_q_next(0, 2), 1);
	CHECK_EQ(nvmev_q_next(1, 2), 0);
	CHECK_EQ(nvmev_q_next(1023, 1024), 0);
	/* full when tail + 1 == head: a queue of N holds N - 1 entries */
	CHECK(nvmev_q_full(1, 0, 2), "size 2, one entry in");
	CHECK(!nvmev_q_full(0, 0, 2), "empty");
	CHECK(nvmev_q_full(1023, 0, 1024), "wrap");
	CHECK(!nvmev_q_full(1022, 0, 1024), "one slot left");
	CHECK(nvmev_q_full(4, 5, 1024), "tail just behind head");
}

/* Every length to 300 at every offset to 8 on either side, as memcpy(). */
static void test_copy_words(void)
{
	static unsigned char src[320], dst[320], want[320];
	size_t so, dof, i;
	u32 len;

	for (i = 0; i < sizeof(src); i++)
		src[i] = (unsigned char)(i * 7 + 3);
	for (len = 0; len <= 300; len++)
		for (so = 0; so < 8; so++)
			for (dof = 0; dof < 8; dof++) {
				memset(dst, 0xa5, sizeof(dst));
				memset(want, 0xa5, sizeof(want));
				memcpy(want + dof, src + so, len);
				nvmev_copy_words(dst + dof, src + so, len);
				CHECK(!memcmp(dst, want, sizeof(dst)),
				      "len %u src+%zu dst+%zu", len, so, dof);
			}
}

int main(void)
{
	map = calloc(MAP_PAGES, PG);
	if (!map)
		return 1;
	test_simple();
	test_list();
	test_self_loop();
	test_max_transfer();
	test_random_layouts();
	test_garbage();
	test_queue_arith();
	test_copy_words();
	free(map);
	return test_report("test_dma");
}
