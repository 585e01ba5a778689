/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hash_map.h - the KV index: key (1..16 bytes) -> (log offset, value size).
 *
 * Open addressing with linear probing over caller-provided memory, sized
 * from the maximum key count at load time (hash_map_mem_bytes()). Deletion
 * shifts the rest of the cluster back (no tombstones), so deleting a key
 * never makes another key unreachable and probe lengths do not decay.
 *
 * Return values: 0, -ENOENT (no such key), -EEXIST (insert of a present
 * key), -ENOSPC (max_keys reached), -EINVAL (bad key length). The map does
 * no locking of its own; kv_ftl.c serialises writers (see its header).
 */
#ifndef NVMEV_HASH_MAP_H
#define NVMEV_HASH_MAP_H

#include "nvmev_compat.h"

#define HM_KEY_MAX		16
/* slots * 32 bytes; the 32-bit multiply-shift bucket needs slots <= 2^32 */
#define HM_MAX_KEYS		(3ULL << 30)

/* One 32-byte slot. klen == 0 marks an empty slot. */
struct hm_slot {
	u8 key[HM_KEY_MAX];	/* zero-padded to 16 bytes */
	u64 off;		/* log offset of the record */
	u32 vsize;		/* value size in bytes */
	u8 klen;		/* 1..16; 0 = empty */
	u8 rsvd[3];
};

/*
 * An iteration position. A walk visits the entries in the order of their
 * position (home slot, key length, key bytes): a total order over keys
 * that depends on nothing but the key and the table size, so no insert,
 * update or delete (backward shifts included) ever moves an entry across a
 * cursor. The cursor is the position of the last entry returned (klen 0:
 * before every entry of slot @home); hash_map_next() returns the smallest
 * position above it. Hence, whatever is inserted or deleted between steps:
 *  - never twice: positions returned strictly increase, and a key's
 *    position is fixed (a key deleted and stored again keeps it);
 *  - never missed: a key present during the whole walk has a position P;
 *    the step that first takes the cursor to P or beyond returns the
 *    smallest position above the old cursor, which is P itself.
 * Keys inserted or deleted during the walk may or may not be returned.
 * A cursor is a plain value: copy it to save a walk, assign it to rewind.
 * No tracking by the map is needed.
 */
struct hm_cursor {
	u64 home;		/* slot whose entries are being returned */
	u8 key[HM_KEY_MAX];	/* last key returned of home @home, zero-padded */
	u8 klen;		/* its length; 0: none of home @home yet */
};

/* One occupied slot, as returned by hash_map_next(). */
struct hm_entry {
	u8 key[HM_KEY_MAX];
	u8 klen;
	u32 vsize;
	u64 off;
	u64 slot;
};

/* Seeded hash of the zero-padded key; tests swap it to force collisions. */
typedef u64 (*hm_hash_fn)(const u8 key[HM_KEY_MAX], u8 klen, u64 seed);

struct hash_map {
	struct hm_slot *slots;	/* caller-provided, nslots entries */
	u64 nslots;
	u64 max_keys;		/* insert beyond this returns -ENOSPC */
	u64 nkeys;
	u64 seed;
	hm_hash_fn hash;
	u32 longest_probe;	/* high-water mark, slots inspected by insert */
};

size_t hash_map_mem_bytes(u64 max_keys);
int hash_map_init(struct hash_map *hm, void *mem, size_t mem_bytes,
		  u64 max_keys, u64 seed);
void hash_map_set_hash(struct hash_map *hm, hm_hash_fn fn);
u64 hash_map_default_hash(const u8 key[HM_KEY_MAX], u8 klen, u64 seed);
u64 hash_map_home(const struct hash_map *hm, const u8 *key, u8 klen);

int hash_map_lookup(const struct hash_map *hm, const u8 *key, u8 klen,
		    u64 *off, u32 *vsize);
int hash_map_insert(struct hash_map *hm, const u8 *key, u8 klen, u64 off,
		    u32 vsize);
int hash_map_update(struct hash_map *hm, const u8 *key, u8 klen, u64 off,
		    u32 vsize);
int hash_map_delete(struct hash_map *hm, const u8 *key, u8 klen, u64 *off,
		    u32 *vsize);
void hash_map_cursor_init(const struct hash_map *hm, struct hm_cursor *c);
int hash_map_next(const struct hash_map *hm, struct hm_cursor *c, u32 *budget,
		  struct hm_entry *out);
int hash_map_cursor_cmp(const struct hm_cursor *a, const struct hm_cursor *b);
int hash_map_slot(const struct hash_map *hm, u64 i, struct hm_entry *out);

#endif /* NVMEV_HASH_MAP_H */
