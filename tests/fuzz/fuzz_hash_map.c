// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_hash_map.c - sequences of insert/update/delete/lookup/iterate on a
 * small map, with the hash chosen by the input (seeded default, one chain,
 * a few homes, homes at the wrap-around), against a direct-mapped model;
 * walks while keys are deleted (returned ones too) and stored: never a key
 * twice, never a key present during the whole walk missed.
 */
#include "hash_map.h"
#include "fuzz_util.h"

#define NK 512	/* key id: 8 bits of byte + 1 bit of length parity */

static u64 h_const(const u8 k[16], u8 l, u64 s) { (void)k; (void)l; (void)s; return 1ULL << 63; }
static u64 h_few(const u8 k[16], u8 l, u64 s) { (void)l; (void)s; return (u64)(k[0] & 7) << 61; }
static u64 h_last(const u8 k[16], u8 l, u64 s) { (void)l; (void)s; return ~0ULL - ((u64)(k[0] & 3) << 32); }

/* xorshift64: mutation choices during a walk, from the input's bytes */
static u64 fz_rand(u64 *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static u8 key_of(u32 id, u8 *k)
{
	memset(k, 0, 16);
	k[0] = (u8)id;
	k[1] = 0x77;
	return (id & 256) ? 16 : 2;
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static const hm_hash_fn fns[] = { NULL, h_const, h_few, h_last };
	static u64 model[NK];	/* 0 absent, else off + 1 */
	static void *mem;
	struct hash_map hm;
	struct hm_cursor cursor;
	u64 max_keys, present = 0, off;
	u32 walks = 0;
	size_t i;
	u8 k[16], kl;
	int err;

	if (size < 2)
		return 0;
	if (!mem)
		mem = malloc(hash_map_mem_bytes(128));
	max_keys = 1 + data[0] % 128;
	FZ_ASSERT(!hash_map_init(&hm, mem, hash_map_mem_bytes(128), max_keys, data[1]));
	hash_map_set_hash(&hm, fns[data[0] >> 6]);
	memset(model, 0, sizeof(model));
	for (i = 2; i + 1 < size; i += 2) {
		u32 id = data[i + 1] | (data[i] & 1) << 8;
		u32 n, op;

		kl = key_of(id, k);
		op = (data[i] >> 1) % 5;
		/* a walk costs a cluster scan per key: a few per input */
		if (op == 4 && ++walks > 8)
			op = 3;
		switch (op) {
		case 0:
			err = hash_map_insert(&hm, k, kl, i, 0);
			FZ_ASSERT(err == (model[id] ? -EEXIST : present == max_keys ? -ENOSPC : 0));
			if (!err)
				model[id] = i + 1, present++;
			break;
		case 1:
			err = hash_map_delete(&hm, k, kl, &off, NULL);
			FZ_ASSERT(err == (model[id] ? 0 : -ENOENT));
			if (!err) {
				FZ_ASSERT(off + 1 == model[id]);
				model[id] = 0;
				present--;
			}
			break;
		case 2:
			err = hash_map_update(&hm, k, kl, i, 0);
			FZ_ASSERT(err == (model[id] ? 0 : -ENOENT));
			if (!err)
				model[id] = i + 1;
			break;
		case 3:
			err = hash_map_lookup(&hm, k, kl, &off, NULL);
			FZ_ASSERT(err == (model[id] ? 0 : -ENOENT));
			FZ_ASSERT(err || off + 1 == model[id]);
			break;
		default: {
			/*
			 * A walk while the map changes: the input picks a mutation
			 * rate and whether every other returned key is deleted;
			 * mutations delete returned or unseen keys and store new
			 * or deleted ones. Never a key twice, never an absent one,
			 * never a key present throughout missed.
			 */
			static u8 seen[NK], touched[NK], before[NK];
			u64 rs = (u64)data[i] << 8 | data[i + 1] | 0x10000;
			u32 rate = data[i + 1] >> 5, j = 0, steps = 0;
			struct hm_entry e;

			memset(seen, 0, sizeof(seen));
			memset(touched, 0, sizeof(touched));
			for (n = 0; n < NK; n++)
				before[n] = !!model[n];
			hash_map_cursor_init(&hm, &cursor);
			for (;;) {
				u32 budget = 1 + (u32)(fz_rand(&rs) % 8), eid, mid;

				err = hash_map_next(&hm, &cursor, &budget, &e);
				if (err == -ENOENT)
					break;
				FZ_ASSERT(++steps < 100000);
				if (err) {
					FZ_ASSERT(err == -EAGAIN && !budget);
					continue;
				}
				eid = e.key[0] | (e.klen == 16) << 8;
				FZ_ASSERT(model[eid] == e.off + 1 && !seen[eid]);
				seen[eid] = 1;
				if ((data[i] & 0x80) && (j++ & 1)) {
					FZ_ASSERT(!hash_map_delete(&hm, e.key, e.klen, NULL, NULL));
					model[eid] = 0;
					touched[eid] = 1;
					present--;
				}
				if (fz_rand(&rs) % 8 >= rate)
					continue;
				mid = (u32)(fz_rand(&rs) % NK);
				kl = key_of(mid, k);
				if (model[mid]) {
					FZ_ASSERT(!hash_map_delete(&hm, k, kl, NULL, NULL));
					model[mid] = 0;
					present--;
				} else if (present < max_keys) {
					FZ_ASSERT(!hash_map_insert(&hm, k, kl, i, 0));
					model[mid] = i + 1;
					present++;
				}
				touched[mid] = 1;
			}
			for (n = 0; n < NK; n++)
				FZ_ASSERT(!before[n] || touched[n] || seen[n]);
		}
		}
		FZ_ASSERT(hm.nkeys == present);
	}
	return 0;
}
