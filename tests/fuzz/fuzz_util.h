/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fuzz_util.h - what every libFuzzer target shares: FZ_ASSERT, an invariant
 * check that stops the run with a crash libFuzzer records (with the input
 * that caused it) and says which check failed.
 */
#ifndef NVMEV_FUZZ_UTIL_H
#define NVMEV_FUZZ_UTIL_H

#include <stdio.h>

#define FZ_ASSERT(c)                                                      \
	do {                                                              \
		if (!(c)) {                                               \
			fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, \
				#c);                                      \
			__builtin_trap();                                 \
		}                                                         \
	} while (0)

#endif /* NVMEV_FUZZ_UTIL_H */
