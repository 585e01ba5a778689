// SPDX-License-Identifier: GPL-2.0
/*
 * hash_map.c - key -> (log offset, value size) index of the KV FTL.
 *
 * Layout: an array of 32-byte slots in caller memory, at most 75 % full
 * (hash_map_mem_bytes() adds a third of max_keys as slack: ~43 bytes per
 * key). A key's home slot is a 32-bit multiply-shift of its seeded 64-bit
 * hash, so any slot count works (no power-of-two rounding, no wasted
 * half table). Lookups and inserts probe linearly from home; because the
 * load never passes 75 %, the expected probe length is about 2.5 slots
 * for a miss and 1.5 for a hit, whatever the table size.
 *
 * Delete uses backward-shift deletion: after emptying a slot, each
 * following entry of the cluster that may legally sit in the hole (its
 * home is not cyclically between the hole and its own slot) moves into
 * it. No tombstones exist, so no chain is ever broken and no probe
 * sequence grows with churn. Every loop is bounded by the slot count.
 *
 * Iteration walks the entries in (home slot, key) order, not slot order
 * (see struct hm_cursor): a shift moves an entry between slots but never
 * changes its place in that order, so a walk needs no fixing up.
 */
#ifdef __KERNEL__
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt
#endif

#include "hash_map.h"

#define HM_SLOT_EMPTY	0

size_t hash_map_mem_bytes(u64 max_keys)
{
	u64 nslots;

	if (!max_keys || max_keys > HM_MAX_KEYS)
		return 0;
	/* load factor <= 3/4: one spare slot per three keys, plus one */
	nslots = max_keys + DIV_ROUND_UP(max_keys, 3) + 1;
	return (size_t)nslots * sizeof(struct hm_slot);
}

static u64 hm_mix(u64 x)
{
	/* murmur3 fmix64: every input bit affects every output bit */
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

static u64 hm_load64(const u8 *p)
{
	u64 v;

	memcpy(&v, p, sizeof(v));
	return le64_to_cpu(v);
}

u64 hash_map_default_hash(const u8 key[HM_KEY_MAX], u8 klen, u64 seed)
{
	u64 h;

	h = hm_mix(seed ^ hm_load64(key) ^ ((u64)klen * 0x9e3779b97f4a7c15ULL));
	return hm_mix(h ^ hm_load64(key + 8) ^ seed);
}

int hash_map_init(struct hash_map *hm, void *mem, size_t mem_bytes,
		  u64 max_keys, u64 seed)
{
	size_t need = hash_map_mem_bytes(max_keys);

	if (!need || !mem || mem_bytes < need ||
	    !IS_ALIGNED((unsigned long)mem, sizeof(u64)))
		return -EINVAL;

	memset(hm, 0, sizeof(*hm));
	hm->slots = mem;
	hm->nslots = need / sizeof(struct hm_slot);
	hm->max_keys = max_keys;
	hm->seed = seed;
	hm->hash = hash_map_default_hash;
	memset(mem, 0, need);
	return 0;
}

/* Only on an empty map: slot positions depend on the hash. */
void hash_map_set_hash(struct hash_map *hm, hm_hash_fn fn)
{
	if (WARN_ON_ONCE(hm->nkeys))
		return;
	hm->hash = fn ? fn : hash_map_default_hash;
}

static u64 hm_bucket(const struct hash_map *hm, u64 h)
{
	return ((h >> 32) * hm->nslots) >> 32;
}

static u64 hm_home_padded(const struct hash_map *hm, const u8 *kpad, u8 klen)
{
	return hm_bucket(hm, hm->hash(kpad, klen, hm->seed));
}

static u64 hm_next_slot(const struct hash_map *hm, u64 i)
{
	return i + 1 == hm->nslots ? 0 : i + 1;
}

/* Cyclic distance from slot a forward to slot b. */
static u64 hm_dist(const struct hash_map *hm, u64 a, u64 b)
{
	return b >= a ? b - a : b + hm->nslots - a;
}

static bool hm_pad_key(const u8 *key, u8 klen, u8 kpad[HM_KEY_MAX])
{
	if (!klen || klen > HM_KEY_MAX)
		return false;
	memset(kpad, 0, HM_KEY_MAX);
	memcpy(kpad, key, klen);
	return true;
}

u64 hash_map_home(const struct hash_map *hm, const u8 *key, u8 klen)
{
	u8 kpad[HM_KEY_MAX];

	if (!hm_pad_key(key, klen, kpad))
		return 0;
	return hm_home_padded(hm, kpad, klen);
}

/*
 * Probe for a padded key. Returns 0 and the slot holding it, or -ENOENT and
 * the first empty slot of its probe sequence (where an insert goes).
 */
static int hm_find(const struct hash_map *hm, const u8 *kpad, u8 klen,
		   u64 *slot, u32 *probes)
{
	u64 i = hm_home_padded(hm, kpad, klen);
	u64 n;

	for (n = 0; n < hm->nslots; n++) {
		const struct hm_slot *s = &hm->slots[i];

		if (s->klen == HM_SLOT_EMPTY) {
			*slot = i;
			*probes = n + 1;
			return -ENOENT;
		}
		if (s->klen == klen && !memcmp(s->key, kpad, HM_KEY_MAX)) {
			*slot = i;
			*probes = n + 1;
			return 0;
		}
		i = hm_next_slot(hm, i);
	}
	/* unreachable: the load factor keeps an empty slot */
	WARN_ON_ONCE(1);
	*slot = 0;
	*probes = n;
	return -ENOSPC;
}

/* The slot holding @key: 0, -ENOENT, or -EINVAL for a bad key length. */
static int hm_locate(const struct hash_map *hm, const u8 *key, u8 klen,
		     u64 *slot)
{
	u8 kpad[HM_KEY_MAX];
	u32 probes;

	if (!hm_pad_key(key, klen, kpad))
		return -EINVAL;
	return hm_find(hm, kpad, klen, slot, &probes) ? -ENOENT : 0;
}

static void hm_get(const struct hm_slot *s, u64 *off, u32 *vsize)
{
	if (off)
		*off = s->off;
	if (vsize)
		*vsize = s->vsize;
}

int hash_map_lookup(const struct hash_map *hm, const u8 *key, u8 klen,
		    u64 *off, u32 *vsize)
{
	u64 i;
	int err;
	NVMEV_TRACE_FUNC();

	err = hm_locate(hm, key, klen, &i);
	if (!err)
		hm_get(&hm->slots[i], off, vsize);
	return err;
}

int hash_map_insert(struct hash_map *hm, const u8 *key, u8 klen, u64 off,
		    u32 vsize)
{
	u8 kpad[HM_KEY_MAX];
	struct hm_slot *s;
	u32 probes;
	u64 i;
	int err;
	NVMEV_TRACE_FUNC();

	if (!hm_pad_key(key, klen, kpad))
		return -EINVAL;
	err = hm_find(hm, kpad, klen, &i, &probes);
	if (!err)
		return -EEXIST;
	if (err != -ENOENT || hm->nkeys >= hm->max_keys)
		return -ENOSPC;

	s = &hm->slots[i];
	memcpy(s->key, kpad, HM_KEY_MAX);
	s->off = off;
	s->vsize = vsize;
	s->klen = klen;
	hm->nkeys++;
	if (probes > hm->longest_probe)
		hm->longest_probe = probes;
	return 0;
}

int hash_map_update(struct hash_map *hm, const u8 *key, u8 klen, u64 off,
		    u32 vsize)
{
	u64 i;
	int err;
	NVMEV_TRACE_FUNC();

	err = hm_locate(hm, key, klen, &i);
	if (err)
		return err;
	hm->slots[i].off = off;
	hm->slots[i].vsize = vsize;
	return 0;
}

/* Empty slot @hole and close the gap it leaves in its cluster. */
static void hm_remove_slot(struct hash_map *hm, u64 hole)
{
	u64 j = hm_next_slot(hm, hole);
	u64 n;

	for (n = 1; n < hm->nslots; n++) {
		struct hm_slot *s = &hm->slots[j];
		u64 home;

		if (s->klen == HM_SLOT_EMPTY)
			break;
		home = hm_home_padded(hm, s->key, s->klen);
		/* movable iff the hole lies on its probe path home..j */
		if (hm_dist(hm, home, j) >= hm_dist(hm, hole, j)) {
			hm->slots[hole] = *s;
			hole = j;
		}
		j = hm_next_slot(hm, j);
	}
	memset(&hm->slots[hole], 0, sizeof(hm->slots[hole]));
	hm->nkeys--;
}

int hash_map_delete(struct hash_map *hm, const u8 *key, u8 klen, u64 *off,
		    u32 *vsize)
{
	u64 i;
	int err;
	NVMEV_TRACE_FUNC();

	err = hm_locate(hm, key, klen, &i);
	if (err)
		return err;
	hm_get(&hm->slots[i], off, vsize);
	hm_remove_slot(hm, i);
	return 0;
}

/* Start a walk before every entry. */
void hash_map_cursor_init(const struct hash_map *hm, struct hm_cursor *c)
{
	(void)hm;
	memset(c, 0, sizeof(*c));
}

/* Order of walk positions: home slot, then key length, then key bytes. */
static int hm_pos_cmp(u64 ha, u8 kla, const u8 *ka, u64 hb, u8 klb,
		      const u8 *kb)
{
	if (ha != hb)
		return ha < hb ? -1 : 1;
	if (kla != klb)
		return kla < klb ? -1 : 1;
	return memcmp(ka, kb, HM_KEY_MAX);
}

/* <0, 0, >0 as walk position @a is before, at or after @b. */
int hash_map_cursor_cmp(const struct hm_cursor *a, const struct hm_cursor *b)
{
	return hm_pos_cmp(a->home, a->klen, a->key, b->home, b->klen, b->key);
}

/*
 * Next entry of the walk @c: the smallest position above the cursor.
 *
 * An entry of home g sits on the occupied run g..slot, so every entry whose
 * home lies in [h, e), e the first empty slot from h, sits in [h, e): one
 * scan of the slots h..e (the rest of h's cluster) sees all of them, and
 * entries of homes >= e are after them. Entries on the scan with a home
 * before h (returned earlier) or beyond the scanned path (a cluster that
 * wraps past the table's end into slot 0: their home comes later in the
 * walk) are not candidates. If there is no candidate, every entry of a
 * home in [h, e] has been returned (e is empty: there is none of home e),
 * and the walk moves on to e + 1, or ends if the scan wrapped.
 *
 * Each scan costs the slots h..e; a walk step is at most one scan that
 * finds an entry, so its cost is bounded by the longest cluster (short:
 * the load is at most 3/4 and the hash seeded). @budget is the number of
 * slots the call may inspect and is decreased by those it did; a scan that
 * started always finishes, so the budget may run out in one, and every
 * call makes progress. Returns 0 with @out filled and @c at it, -EAGAIN if
 * the budget ran out first (call again), -ENOENT at the end of the walk.
 */
static void hm_entry_fill(struct hm_entry *out, const struct hm_slot *s,
			  u64 slot)
{
	memcpy(out->key, s->key, HM_KEY_MAX);
	out->klen = s->klen;
	out->vsize = s->vsize;
	out->off = s->off;
	out->slot = slot;
}

int hash_map_next(const struct hash_map *hm, struct hm_cursor *c, u32 *budget,
		  struct hm_entry *out)
{
	while (c->home < hm->nslots) {
		const struct hm_slot *best = NULL;
		u64 h = c->home, j = h, best_home = 0, best_slot = 0, n;
		bool wrapped = false;

		if (!*budget)
			return -EAGAIN;
		for (n = 0; n < hm->nslots; n++) {
			const struct hm_slot *s = &hm->slots[j];
			u64 g;

			if (s->klen == HM_SLOT_EMPTY)
				break;
			g = hm_home_padded(hm, s->key, s->klen);
			/* home on the path h..j, after the cursor, before best */
			if (g >= h && hm_dist(hm, h, g) <= n &&
			    hm_pos_cmp(g, s->klen, s->key,
				       h, c->klen, c->key) > 0 &&
			    (!best || hm_pos_cmp(g, s->klen, s->key, best_home,
						 best->klen, best->key) < 0)) {
				best = s;
				best_home = g;
				best_slot = j;
			}
			j = hm_next_slot(hm, j);
			if (!j)
				wrapped = true;
		}
		*budget -= (u32)min_t(u64, *budget, n + 1);
		if (best) {
			c->home = best_home;
			c->klen = best->klen;
			memcpy(c->key, best->key, HM_KEY_MAX);
			hm_entry_fill(out, best, best_slot);
			return 0;
		}
		/* nothing left of homes h..j; slot j is empty: no home j either */
		c->home = wrapped ? hm->nslots : j + 1;
		c->klen = 0;
		memset(c->key, 0, HM_KEY_MAX);
	}
	return -ENOENT;
}

/*
 * Slot @i (< nslots) as an entry: 0 with @out filled, or -ENOENT if empty.
 * A scan of every slot in order sees every key once, in no useful order,
 * for a fraction of a walk's cost (List sorts what it selects itself).
 */
int hash_map_slot(const struct hash_map *hm, u64 i, struct hm_entry *out)
{
	const struct hm_slot *s;

	if (i >= hm->nslots)
		return -ENOENT;
	s = &hm->slots[i];
	if (s->klen == HM_SLOT_EMPTY)
		return -ENOENT;
	hm_entry_fill(out, s, i);
	return 0;
}
