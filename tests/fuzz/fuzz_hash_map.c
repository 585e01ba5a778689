// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_hash_map.c - sequences of insert/update/delete/lookup/iterate on a
 * small map, with the hash chosen by the input (seeded default, one chain,
 * a few homes, homes at the wrap-around), against a direct-mapped model.
 */
#include "hash_map.h"
#include "fuzz_util.h"

#define NK 512	/* key id: 8 bits of byte + 1 bit of length parity */

static u64 h_const(const u8 k[16], u8 l, u64 s) { (void)k; (void)l; (void)s; return 1ULL << 63; }
static u64 h_few(const u8 k[16], u8 l, u64 s) { (void)l; (void)s; return (u64)(k[0] & 7) << 61; }
static u64 h_last(const u8 k[16], u8 l, u64 s) { (void)l; (void)s; return ~0ULL - ((u64)(k[0] & 3) << 32); }

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
		u32 n;

		kl = key_of(id, k);
		switch ((data[i] >> 1) % 5) {
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
			/* full walk with a tracked cursor, deleting every other key */
			static u8 seen[NK];
			struct hm_entry e;
			u32 j = 0;

			memset(seen, 0, sizeof(seen));
			hash_map_cursor_init(&hm, &cursor);
			hash_map_track_cursors(&hm, &cursor, 1);
			while ((err = hash_map_next(&hm, &cursor, 1 + data[i + 1] % 8, &e)) != -ENOENT) {
				u32 eid;

				if (err)
					continue;
				eid = e.key[0] | (e.klen == 16) << 8;
				FZ_ASSERT(model[eid] == e.off + 1 && !seen[eid]);
				seen[eid] = 1;
				if ((data[i] & 0x80) && (j++ & 1)) {
					FZ_ASSERT(!hash_map_delete(&hm, e.key, e.klen, NULL, NULL));
					model[eid] = 0;
					present--;
				}
			}
			hash_map_track_cursors(&hm, NULL, 0);
			for (n = 0; n < NK; n++)
				FZ_ASSERT(!model[n] || seen[n]);
		}
		}
		FZ_ASSERT(hm.nkeys == present);
	}
	return 0;
}
