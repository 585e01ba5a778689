/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nvmev_compat.h - lets the pure logic (PRP walking, command decoding, the
 * hash map, the log allocator, KV semantics) compile both in the kernel and
 * in user space, so it can be unit-tested under ASan/UBSan and fuzzed on a
 * machine that cannot load modules (DESIGN.md rule 1).
 *
 * Only what the pure files need lives here; kernel-only code (kthreads, PCI,
 * MSI-X, memremap) never includes the user-space half.
 */
#ifndef NVMEV_COMPAT_H
#define NVMEV_COMPAT_H

#ifdef __KERNEL__

#include <linux/types.h>
#include <linux/kernel.h>
#include <linux/errno.h>
#include <linux/string.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/minmax.h>
#include <linux/overflow.h>
#include <linux/crc32.h>
#include <linux/xxhash.h>
#include <linux/bitops.h>
#include <linux/printk.h>
#include <linux/bug.h>
#include <linux/log2.h>
#include <linux/atomic.h>
#include <linux/vmalloc.h>
#include <asm/byteorder.h>

/*
 * Every allocation the module makes goes through these, so unload can show
 * that nothing leaked ("allocations outstanding at unload: 0").
 */
extern atomic_long_t nvmev_live_allocs;

static inline void *nvmev_counted(void *p)
{
	if (p)
		atomic_long_inc(&nvmev_live_allocs);
	return p;
}

static inline void nvmev_uncount(const void *p)
{
	if (p)
		atomic_long_dec(&nvmev_live_allocs);
}

#define nvmev_kzalloc(n, gfp) nvmev_counted(kzalloc(n, gfp))
#define nvmev_vzalloc(n) nvmev_counted(vzalloc(n))
#define nvmev_vmalloc(n) nvmev_counted(vmalloc(n))
#define nvmev_vcalloc(n, size) nvmev_counted(vcalloc(n, size))
#define nvmev_kvcalloc(n, size, gfp) nvmev_counted(kvcalloc(n, size, gfp))
#define nvmev_kfree(p) do { nvmev_uncount(p); kfree(p); } while (0)
#define nvmev_vfree(p) do { nvmev_uncount(p); vfree(p); } while (0)
#define nvmev_kvfree(p) do { nvmev_uncount(p); kvfree(p); } while (0)

#else /* user space */

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;

#define hweight64(x) ((unsigned int)__builtin_popcountll(x))
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;
typedef u16 __le16;
typedef u32 __le32;
typedef u64 __le64;

#ifndef U8_MAX
#define U8_MAX ((u8)~0U)
#define U16_MAX ((u16)~0U)
#define U32_MAX ((u32)~0U)
#define U64_MAX ((u64)~0ULL)
#endif

#define GFP_KERNEL 0
#define __GFP_ZERO 1

static inline void *kmalloc(size_t n, int gfp)
{
	return (gfp & __GFP_ZERO) ? calloc(1, n ? n : 1) : malloc(n ? n : 1);
}

static inline void *kzalloc(size_t n, int gfp)
{
	(void)gfp;
	return calloc(1, n ? n : 1);
}

static inline void *kcalloc(size_t n, size_t sz, int gfp)
{
	(void)gfp;
	return calloc(n ? n : 1, sz ? sz : 1);
}

#define kvmalloc(n, gfp) kmalloc(n, gfp)
#define kvzalloc(n, gfp) kzalloc(n, gfp)
#define kvcalloc(n, sz, gfp) kcalloc(n, sz, gfp)
#define kfree(p) free((void *)(p))
#define kvfree(p) free((void *)(p))
#define nvmev_kvcalloc(n, sz, gfp) kvcalloc(n, sz, gfp)
#define nvmev_kvfree(p) kvfree(p)

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#ifndef __always_inline		/* glibc's <sys/cdefs.h> has one */
#define __always_inline inline __attribute__((always_inline))
#endif
#define __maybe_unused __attribute__((unused))
#define fallthrough __attribute__((fallthrough))

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif
#define BUILD_BUG_ON(c) _Static_assert(!(c), #c)

#define min(a, b) ((a) < (b) ? (a) : (b))
#define max(a, b) ((a) > (b) ? (a) : (b))
#define min_t(t, a, b) ((t)(a) < (t)(b) ? (t)(a) : (t)(b))
#define max_t(t, a, b) ((t)(a) > (t)(b) ? (t)(a) : (t)(b))
#define clamp_t(t, v, lo, hi) min_t(t, max_t(t, v, lo), hi)
#define DIV_ROUND_UP(n, d) (((n) + (d) - 1) / (d))
#define round_up(x, y) ((((x) - 1) | ((__typeof__(x))((y) - 1))) + 1)
#define round_down(x, y) ((x) & ~((__typeof__(x))((y) - 1)))
#define ALIGN(x, a) round_up(x, a)
#define IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a) - 1)) == 0)
#define is_power_of_2(n) ((n) != 0 && (((n) & ((n) - 1)) == 0))
#define check_add_overflow(a, b, d) __builtin_add_overflow(a, b, d)
#define check_mul_overflow(a, b, d) __builtin_mul_overflow(a, b, d)

#define READ_ONCE(x) (*(volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))
#define data_race(expr) (expr)
#define xchg(p, v) __atomic_exchange_n((p), (v), __ATOMIC_SEQ_CST)
#define smp_store_mb(x, v) __atomic_store_n(&(x), (v), __ATOMIC_SEQ_CST)

#define le16_to_cpu(x) ((u16)(x))
#define le32_to_cpu(x) ((u32)(x))
#define le64_to_cpu(x) ((u64)(x))
#define cpu_to_le16(x) ((u16)(x))
#define cpu_to_le32(x) ((u32)(x))
#define cpu_to_le64(x) ((u64)(x))

#define pr_err(...) fprintf(stderr, __VA_ARGS__)
#define pr_warn(...) fprintf(stderr, __VA_ARGS__)
#define pr_info(...) ((void)0)
#define pr_debug(...) ((void)0)
#define pr_err_ratelimited(...) ((void)0)
#define pr_warn_ratelimited(...) ((void)0)

/* An internal invariant broke: in the unit tests that is a hard failure. */
#define WARN_ON_ONCE(c)                                                   \
	({                                                                \
		int __c = !!(c);                                          \
		if (__c) {                                                \
			fprintf(stderr, "WARN_ON_ONCE(%s) at %s:%d\n", #c, \
				__FILE__, __LINE__);                      \
			abort();                                          \
		}                                                         \
		__c;                                                      \
	})

/* Same polynomial and conventions as the kernel's crc32_le() (lib/crc32.c). */
static u32 compat_crc32_table[256];

static inline void compat_crc32_init(void)
{
	for (u32 n = 0; n < 256; n++) {
		u32 c = n;

		for (int k = 0; k < 8; k++)
			c = (c & 1) ? (c >> 1) ^ 0xedb88320U : c >> 1;
		compat_crc32_table[n] = c;
	}
}

static inline u32 crc32_le(u32 crc, const void *buf, size_t len)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	const u8 *p = buf;
	size_t i;

	/* several worker threads may be first: build the table once */
	pthread_once(&once, compat_crc32_init);
	for (i = 0; i < len; i++)
		crc = compat_crc32_table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
	return crc;
}

/* The kernel's xxh64() (lib/xxhash.c): XXH64 as its specification has it. */
#define COMPAT_XXH_P1 0x9E3779B185EBCA87ULL
#define COMPAT_XXH_P2 0xC2B2AE3D27D4EB4FULL
#define COMPAT_XXH_P3 0x165667B19E3779F9ULL
#define COMPAT_XXH_P4 0x85EBCA77C2B2AE63ULL
#define COMPAT_XXH_P5 0x27D4EB2F165667C5ULL

static inline u64 compat_rotl64(u64 x, int r)
{
	return (x << r) | (x >> (64 - r));
}

static inline u64 compat_get64(const u8 *p)
{
	u64 v;

	memcpy(&v, p, 8);
	return le64_to_cpu(v);
}

static inline u32 compat_get32(const u8 *p)
{
	u32 v;

	memcpy(&v, p, 4);
	return le32_to_cpu(v);
}

static inline u64 compat_xxh64_round(u64 acc, u64 input)
{
	acc += input * COMPAT_XXH_P2;
	return compat_rotl64(acc, 31) * COMPAT_XXH_P1;
}

static inline u64 compat_xxh64_merge(u64 acc, u64 val)
{
	acc ^= compat_xxh64_round(0, val);
	return acc * COMPAT_XXH_P1 + COMPAT_XXH_P4;
}

static inline u64 xxh64(const void *input, size_t len, u64 seed)
{
	const u8 *p = input, *end = p + len;
	u64 h;

	if (len >= 32) {
		u64 v1 = seed + COMPAT_XXH_P1 + COMPAT_XXH_P2;
		u64 v2 = seed + COMPAT_XXH_P2, v3 = seed;
		u64 v4 = seed - COMPAT_XXH_P1;

		do {
			v1 = compat_xxh64_round(v1, compat_get64(p));
			v2 = compat_xxh64_round(v2, compat_get64(p + 8));
			v3 = compat_xxh64_round(v3, compat_get64(p + 16));
			v4 = compat_xxh64_round(v4, compat_get64(p + 24));
			p += 32;
		} while (p <= end - 32);
		h = compat_rotl64(v1, 1) + compat_rotl64(v2, 7) +
		    compat_rotl64(v3, 12) + compat_rotl64(v4, 18);
		h = compat_xxh64_merge(h, v1);
		h = compat_xxh64_merge(h, v2);
		h = compat_xxh64_merge(h, v3);
		h = compat_xxh64_merge(h, v4);
	} else {
		h = seed + COMPAT_XXH_P5;
	}
	h += (u64)len;
	for (; p + 8 <= end; p += 8) {
		h ^= compat_xxh64_round(0, compat_get64(p));
		h = compat_rotl64(h, 27) * COMPAT_XXH_P1 + COMPAT_XXH_P4;
	}
	if (p + 4 <= end) {
		h ^= (u64)compat_get32(p) * COMPAT_XXH_P1;
		h = compat_rotl64(h, 23) * COMPAT_XXH_P2 + COMPAT_XXH_P3;
		p += 4;
	}
	for (; p < end; p++) {
		h ^= *p * COMPAT_XXH_P5;
		h = compat_rotl64(h, 11) * COMPAT_XXH_P1;
	}
	h ^= h >> 33;
	h *= COMPAT_XXH_P2;
	h ^= h >> 29;
	h *= COMPAT_XXH_P3;
	h ^= h >> 32;
	return h;
}

/*
 * Locks and atomics for the KV store (kv_ftl.c), over pthreads and the
 * compiler's __atomic builtins. The kernel side includes <linux/rwsem.h>,
 * <linux/mutex.h> and <linux/atomic.h> where they are used.
 */
struct rw_semaphore {
	pthread_rwlock_t l;
};

#define init_rwsem(s) pthread_rwlock_init(&(s)->l, NULL)
#define cond_resched() do { } while (0)
#define down_read(s) pthread_rwlock_rdlock(&(s)->l)
#define up_read(s) pthread_rwlock_unlock(&(s)->l)
#define down_write(s) pthread_rwlock_wrlock(&(s)->l)
#define up_write(s) pthread_rwlock_unlock(&(s)->l)

struct mutex {
	pthread_mutex_t m;
};

#define mutex_init(x) pthread_mutex_init(&(x)->m, NULL)
#define mutex_lock(x) pthread_mutex_lock(&(x)->m)
#define mutex_unlock(x) pthread_mutex_unlock(&(x)->m)
#define mutex_destroy(x) pthread_mutex_destroy(&(x)->m)

typedef struct {
	s64 counter;
} atomic64_t;

#define ATOMIC64_INIT(i) { (i) }
#define atomic64_read(v) __atomic_load_n(&(v)->counter, __ATOMIC_RELAXED)
#define atomic64_set(v, i) __atomic_store_n(&(v)->counter, (i), __ATOMIC_RELAXED)
#define atomic64_add(i, v) ((void)__atomic_fetch_add(&(v)->counter, (i), __ATOMIC_RELAXED))
#define atomic64_inc(v) atomic64_add(1, v)

#endif /* __KERNEL__ */

/* the call-flow trace macro: real in the kernel, nothing in user space */
#include "nvmev_trace.h"

#endif /* NVMEV_COMPAT_H */
