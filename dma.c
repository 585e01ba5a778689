// SPDX-License-Identifier: GPL-2.0
/*
 * dma.c - moving data between host buffers described by PRP1/PRP2 (and PRP
 * lists) and linear buffers on the device side.
 *
 * The walker (nvmev_prp_map) is pure: it turns PRP1/PRP2/length into a list
 * of page-bounded segments, reading PRP list pages through a callback, and
 * answers every malformed pointer with an NVMe status. It compiles in user
 * space, where it is unit-tested and fuzzed against a fake memory map.
 *
 * The kernel half checks every host page before touching it: it must be
 * valid RAM with a struct page; the device never writes a PageReserved page
 * (kernel image, the zero page, our own reserved region) and only reads one
 * that is System RAM. Nothing outside the PRP-described bytes is accessed.
 */
#ifdef __KERNEL__
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt
#endif

#include "nvmev.h"

#define PRP_OFFSET_MASK ((u64)NVMEV_PAGE_SIZE - 1)
#define PRP_CHUNK 64 /* list entries read at a time: bounded stack */

static void sgl_add(struct nvmev_sgl *sgl, u64 addr, u32 len)
{
	sgl->seg[sgl->nr].addr = addr;
	sgl->seg[sgl->nr].len = len;
	sgl->nr++;
	sgl->total += len;
}

/* Data entries of a PRP list: page aligned, one page (or the rest) each. */
static u16 prp_add_entries(struct nvmev_sgl *sgl, const u64 *entries, u32 nr,
			   u64 *left)
{
	u32 i;

	for (i = 0; i < nr; i++) {
		u32 len = (u32)min_t(u64, *left, NVMEV_PAGE_SIZE);

		if (entries[i] & PRP_OFFSET_MASK)
			return NVMEV_SC_PRP_INVALID_OFFSET | NVMEV_SC_DNR;
		sgl_add(sgl, entries[i], len);
		*left -= len;
	}
	return NVMEV_SC_SUCCESS;
}

/*
 * Walk a PRP list starting at @list for @left bytes. Each list page holds
 * up to 512 entries from the list pointer's offset to the page end; when
 * more are needed than fit, the last entry chains to the next list page,
 * which must be page aligned. Every step consumes data or moves to a fresh
 * aligned page, and @left bounds the data, so the walk always ends.
 */
static u16 prp_walk_list(struct nvmev_sgl *sgl, u64 list, u64 left,
			 const struct nvmev_mem_ops *mem, void *ctx)
{
	u64 entries[PRP_CHUNK];
	u16 status;

	if (list & (sizeof(u64) - 1))
		return NVMEV_SC_PRP_INVALID_OFFSET | NVMEV_SC_DNR;

	while (left) {
		u32 in_page = (NVMEV_PAGE_SIZE - (list & PRP_OFFSET_MASK)) /
			      sizeof(u64);
		u64 need = DIV_ROUND_UP(left, NVMEV_PAGE_SIZE);
		bool chained = need > in_page;
		u32 data = chained ? in_page - 1 : (u32)need;
		u32 done, n;

		for (done = 0; done < data; done += n) {
			n = min_t(u32, data - done, PRP_CHUNK);
			if (mem->read_prp_list(ctx, list + done * sizeof(u64),
					       entries, n))
				return NVMEV_SC_DATA_XFER_ERROR;
			status = prp_add_entries(sgl, entries, n, &left);
			if (status)
				return status;
		}
		if (!chained)
			break;
		if (mem->read_prp_list(ctx, list + data * sizeof(u64), &list, 1))
			return NVMEV_SC_DATA_XFER_ERROR;
		if (list & PRP_OFFSET_MASK)
			return NVMEV_SC_PRP_INVALID_OFFSET | NVMEV_SC_DNR;
	}
	return NVMEV_SC_SUCCESS;
}

/**
 * nvmev_prp_map - flatten PRP1/PRP2 for a transfer of @len bytes
 * @sgl: output; at most NVMEV_MAX_SEGS page-bounded segments
 * @prp1: first data pointer; may have a dword-aligned offset
 * @prp2: second data page, or a PRP list pointer when more than two pages
 * @len: transfer length, at most NVMEV_MAX_XFER
 * @mem: reads PRP list pages
 * @ctx: passed to @mem
 *
 * Return: NVMe status; on success @sgl->total == @len.
 */
u16 nvmev_prp_map(struct nvmev_sgl *sgl, u64 prp1, u64 prp2, u64 len,
		  const struct nvmev_mem_ops *mem, void *ctx)
{
	u64 first, left;

	sgl->nr = 0;
	sgl->total = 0;
	if (!len)
		return NVMEV_SC_SUCCESS;
	if (len > NVMEV_MAX_XFER)
		return NVMEV_SC_INVALID_FIELD | NVMEV_SC_DNR;
	if (prp1 & 0x3)
		return NVMEV_SC_PRP_INVALID_OFFSET | NVMEV_SC_DNR;

	first = min_t(u64, len, NVMEV_PAGE_SIZE - (prp1 & PRP_OFFSET_MASK));
	sgl_add(sgl, prp1, (u32)first);
	left = len - first;
	if (!left)
		return NVMEV_SC_SUCCESS;

	if (left <= NVMEV_PAGE_SIZE) {
		if (prp2 & PRP_OFFSET_MASK)
			return NVMEV_SC_PRP_INVALID_OFFSET | NVMEV_SC_DNR;
		sgl_add(sgl, prp2, (u32)left);
		return NVMEV_SC_SUCCESS;
	}
	return prp_walk_list(sgl, prp2, left, mem, ctx);
}

/**
 * nvmev_copy_words - memcpy() for data the device moves (values, blocks)
 * @dst: destination
 * @src: source, not overlapping @dst
 * @len: bytes
 *
 * Eight bytes at a time (unaligned access is fine on x86), then the tail.
 * Natively within noise of memcpy() at our sizes; but x86's memcpy() is
 * "rep movsb" on CPUs with ERMS, and QEMU's TCG runs that one byte per
 * iteration: a 4 KiB value cost tens of microseconds of emulated time that
 * the host saw as device overhead (bench: QD1 4 KiB stores and retrieves
 * 10-15 % faster). The 8-byte copies go through __builtin_memcpy so the
 * compiler emits single moves without assuming alignment.
 */
void nvmev_copy_words(void *dst, const void *src, u32 len)
{
	u8 *d = dst;
	const u8 *s = src;
	u64 a, b, c, e;

	for (; len >= 32; len -= 32, d += 32, s += 32) {
		__builtin_memcpy(&a, s, 8);
		__builtin_memcpy(&b, s + 8, 8);
		__builtin_memcpy(&c, s + 16, 8);
		__builtin_memcpy(&e, s + 24, 8);
		__builtin_memcpy(d, &a, 8);
		__builtin_memcpy(d + 8, &b, 8);
		__builtin_memcpy(d + 16, &c, 8);
		__builtin_memcpy(d + 24, &e, 8);
	}
	for (; len >= 8; len -= 8, d += 8, s += 8) {
		__builtin_memcpy(&a, s, 8);
		__builtin_memcpy(d, &a, 8);
	}
	while (len--)
		*d++ = *s++;
}

#ifdef __KERNEL__
#include <linux/highmem.h>
#include <linux/ioport.h>

/*
 * May the device touch host page @pfn? Ordinary RAM pages (what the nvme
 * driver maps for I/O) are fine. Reserved pages are never written; they are
 * read only when they are System RAM (e.g. the shared zero page behind an
 * untouched user buffer). Anything else (holes, MMIO, our own reserved
 * region) is refused.
 */
static bool host_pfn_ok(unsigned long pfn, bool dev_writes)
{
	if (!pfn_valid(pfn))
		return false;
	if (!PageReserved(pfn_to_page(pfn)))
		return true;
	return !dev_writes && page_is_ram(pfn);
}

bool nvmev_host_range_ok(u64 addr, u64 len, bool dev_writes)
{
	u64 end;
	unsigned long pfn;

	if (!len || check_add_overflow(addr, len - 1, &end))
		return false;
	for (pfn = addr >> PAGE_SHIFT; pfn <= end >> PAGE_SHIFT; pfn++)
		if (!host_pfn_ok(pfn, dev_writes))
			return false;
	return true;
}

/*
 * Queues are physically contiguous host memory (CAP.CQR = 1). On x86-64
 * all RAM is in the direct map, so contiguous pages are contiguous there.
 */
void *nvmev_host_queue_map(u64 addr, u64 len)
{
	if (!nvmev_host_range_ok(addr, len, true))
		return NULL;
	return page_address(pfn_to_page(addr >> PAGE_SHIFT)) +
	       offset_in_page(addr);
}

static int kernel_read_prp_list(void *ctx, u64 addr, u64 *entries, u32 nr)
{
	void *va;

	if (!host_pfn_ok(addr >> PAGE_SHIFT, false))
		return -EFAULT;
	va = kmap_local_page(pfn_to_page(addr >> PAGE_SHIFT));
	memcpy(entries, va + offset_in_page(addr), nr * sizeof(u64));
	kunmap_local(va);
	return 0;
}

static const struct nvmev_mem_ops kernel_mem_ops = {
	.read_prp_list = kernel_read_prp_list,
};

u16 nvmev_sgl_map(struct nvmev_sgl *sgl, u64 prp1, u64 prp2, u64 len)
{
	return nvmev_prp_map(sgl, prp1, prp2, len, &kernel_mem_ops, NULL);
}

static int copy_seg(u64 addr, void *buf, u32 len, bool to_host)
{
	unsigned long pfn = addr >> PAGE_SHIFT;
	void *va;

	if (!host_pfn_ok(pfn, to_host))
		return -EFAULT;
	va = kmap_local_page(pfn_to_page(pfn)) + offset_in_page(addr);
	if (to_host)
		nvmev_copy_words(va, buf, len);
	else
		nvmev_copy_words(buf, va, len);
	kunmap_local(va);
	return 0;
}

/**
 * nvmev_sgl_copy - copy between a mapped host buffer and @buf
 * @sgl: from nvmev_sgl_map()
 * @off: byte offset into the host buffer
 * @buf: device-side linear buffer
 * @len: bytes; @off + @len must lie within @sgl->total
 * @to_host: direction
 *
 * Return: NVMe status.
 */
u16 nvmev_sgl_copy(const struct nvmev_sgl *sgl, u64 off, void *buf, u64 len,
		   bool to_host)
{
	u8 *p = buf;
	u32 i;

	if (off > sgl->total || len > sgl->total - off)
		return NVMEV_SC_DATA_XFER_ERROR;

	for (i = 0; i < sgl->nr && len; i++) {
		const struct nvmev_seg *s = &sgl->seg[i];
		u32 n;

		if (off >= s->len) {
			off -= s->len;
			continue;
		}
		n = (u32)min_t(u64, s->len - off, len);
		if (copy_seg(s->addr + off, p, n, to_host))
			return NVMEV_SC_DATA_XFER_ERROR;
		p += n;
		len -= n;
		off = 0;
	}
	return NVMEV_SC_SUCCESS;
}
#endif /* __KERNEL__ */
