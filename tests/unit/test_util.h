/* SPDX-License-Identifier: GPL-2.0 */
/*
 * test_util.h - tiny assertion helpers for the user-space unit tests.
 * A failed CHECK prints where and why and bumps the failure count; main()
 * returns test_report(), non-zero if anything failed.
 */
#ifndef NVMEV_TEST_UTIL_H
#define NVMEV_TEST_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <time.h>

static unsigned long test_checks, test_failures;

#define CHECK(cond, ...)                                                  \
	do {                                                              \
		__atomic_fetch_add(&test_checks, 1, __ATOMIC_RELAXED);   \
		if (!(cond)) {                                            \
			__atomic_fetch_add(&test_failures, 1,             \
					   __ATOMIC_RELAXED);             \
			fprintf(stderr, "%s:%d: CHECK(%s) failed: ",      \
				__FILE__, __LINE__, #cond);               \
			fprintf(stderr, __VA_ARGS__);                     \
			fputc('\n', stderr);                              \
			if (test_failures > 50)                           \
				exit(1);                                  \
		}                                                         \
	} while (0)

#define CHECK_EQ(a, b)                                                    \
	CHECK((unsigned long long)(a) == (unsigned long long)(b),          \
	      "%s = %#llx, %s = %#llx", #a, (unsigned long long)(a), #b,   \
	      (unsigned long long)(b))

static inline int test_report(const char *name)
{
	printf("%s: %lu checks, %lu failed\n", name, test_checks,
	       test_failures);
	return test_failures ? 1 : 0;
}

/* xorshift64*: deterministic, seedable */
static inline uint64_t test_rand(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dULL;
}

static inline uint64_t test_rand_below(uint64_t *s, uint64_t n)
{
	return n ? test_rand(s) % n : 0;
}

static inline double test_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

#endif /* NVMEV_TEST_UTIL_H */
