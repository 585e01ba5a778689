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
 * An iteration position. A walk visits every slot once, cyclically from
 * base, a slot that was empty when the walk began (so no cluster starts
 * before the walk and ends after it); pos counts the slots visited.
 */
struct hm_cursor {
	u64 base;
	u64 pos;		/* HM_CURSOR_UNUSED: no walk */
};

#define HM_CURSOR_UNUSED	U64_MAX

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
	/*
	 * Walks to keep exact across deletions: a backward shift that moves
	 * an entry from the unvisited part of a walk into the visited part
	 * pulls that walk's cursor back to it, so a key present for a whole
	 * walk is never skipped (and, unless a later insert fills the walk's
	 * base slot, never returned twice).
	 */
	struct hm_cursor *cursors;
	unsigned int ncursors;
};

size_t hash_map_mem_bytes(u64 max_keys);
int hash_map_init(struct hash_map *hm, void *mem, size_t mem_bytes,
		  u64 max_keys, u64 seed);
void hash_map_set_hash(struct hash_map *hm, hm_hash_fn fn);
void hash_map_track_cursors(struct hash_map *hm, struct hm_cursor *cursors,
			    unsigned int n);
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
int hash_map_next(const struct hash_map *hm, struct hm_cursor *c, u32 max_scan,
		  struct hm_entry *out);

#endif /* NVMEV_HASH_MAP_H */
