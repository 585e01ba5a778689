#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest: the KV command set through nvme-cli 2.3: the seed's store_retrieve.sh
# (only the device path and -v changed) and every scripts/kv subcommand with
# its expected output and exit status, in both length codings.
. "$NVMEV_DIR/tests/vm/lib.sh"
. "$NVMEV_DIR/tests/vm/kv_lib.sh"

# A 127 MiB KV area: an iteration reads at most 65536 index slots per
# command, and every nvme-cli call costs ~0.1-0.5 s under TCG, so a smaller
# index keeps a full scan to a few commands.
KV_PARAMS="memmap_size=192M"

SEED=${TEST_SEED_SCRIPT:-$(cd "$NVMEV_DIR/.." && pwd)/shared/seed/store_retrieve.sh}

# kvx ARGS...: run scripts/kv; KV_OUT = stdout, KV_ERR = stderr, KV_RC = exit status
kvx() {
	KV_RC=0
	KV_OUT=$("$KV" "$@" 2>"$SCRATCH/kv.err") || KV_RC=$?
	KV_ERR=$(cat "$SCRATCH/kv.err")
}

# expect_kv DESC RC OUT_ERE ERR_ERE ARGS...: kv ARGS must exit RC with stdout
# matching OUT_ERE and stderr matching ERR_ERE ('' = must be empty, '.*' = any)
expect_kv() {
	local desc=$1 rc=$2 out=$3 err=$4 bad=
	shift 4
	kvx "$@"
	[ "$KV_RC" = "$rc" ] || bad="exit $KV_RC, want $rc"
	if [ -z "$out" ]; then [ -z "$KV_OUT" ] || bad="$bad; unexpected stdout"
	elif ! printf '%s\n' "$KV_OUT" | grep -Eq -- "$out"; then bad="$bad; stdout !~ /$out/"; fi
	if [ -z "$err" ]; then [ -z "$KV_ERR" ] || bad="$bad; unexpected stderr"
	elif ! printf '%s\n' "$KV_ERR" | grep -Eq -- "$err"; then bad="$bad; stderr !~ /$err/"; fi
	if [ -z "$bad" ]; then
		ok "$desc"
	else
		not_ok "$desc: ${bad#; } (kv $*)"
		{ printf 'stdout: %s\n' "$KV_OUT"; printf 'stderr: %s\n' "$KV_ERR"; } | head -10 | sed 's/^/    | /'
	fi
}

t_load() { load_module $KV_PARAMS; }

t_seed_script() {
	local copy=$SCRATCH/store_retrieve.sh out rc=0 n key val line
	if [ ! -f "$SEED" ]; then
		not_ok "seed script not found at $SEED (set TEST_SEED_SCRIPT)"
		return 1
	fi
	# only the device path and the -v that nvme-cli 2.3 lacks change
	sed -e "s|^DEV=.*|DEV=$NVME_NS|" -e 's/^-svw$/-sw/' -e 's/^-svr$/-sr/' "$SEED" > "$copy"
	n=$(diff "$SEED" "$copy" | grep -c '^>')
	expect_eq "lines changed in the copy of store_retrieve.sh" "$n" 3
	diff "$SEED" "$copy" | grep '^[<>]' | sed 's/^/    | /'
	# the seed runs "sudo nvme ...": we are root; supply sudo if it is missing
	if ! command -v sudo > /dev/null; then
		mkdir -p "$SCRATCH/bin"
		printf '#!/bin/sh\nexec "$@"\n' > "$SCRATCH/bin/sudo"
		chmod +x "$SCRATCH/bin/sudo"
		log "no sudo in the guest: a pass-through shim runs the seed's sudo lines"
	fi
	out=$(PATH=$SCRATCH/bin:$PATH bash "$copy" 2>&1) || rc=$?
	printf '%s\n' "$out" | grep -v '^[a-z0-9_ ]*: ' | head -8 | sed 's/^/    | /'
	expect_eq "store_retrieve.sh exit status" "$rc" 0
	n=$(printf '%s\n' "$out" | grep -c 'is Success')
	expect_eq "commands reported successful" "$n" 2
	# what it stored: a 15-character key (the UUID's first hex digits) -> the UUID
	kvx iterate "$NVME_NS" --values
	line=$(printf '%s\n' "$KV_OUT" | grep -E '^[0-9a-f]{15}	[0-9a-f-]{36}$' | head -1)
	key=${line%%	*} val=${line#*	}
	if [ -n "$line" ] && [ "${val//-/}" != "$val" ] && [[ ${val//-/} == "$key"* ]]; then
		ok "the seed's key $key holds its UUID value $val"
	else
		not_ok "no key/UUID pair from the seed script in: $KV_OUT"
		return 1
	fi
	expect_kv "kv retrieve of the seed's key" 0 "^$val\$" '' retrieve "$NVME_NS" "$key"
	expect_kv "kv delete of the seed's key" 0 "deleted '$key'" '' delete "$NVME_NS" "$key"
}

t_store_retrieve() {
	expect_kv "store" 0 "^stored 'hello' \(5 bytes\)$" '' store "$NVME_NS" hello world
	expect_kv "retrieve" 0 '^world$' '' retrieve "$NVME_NS" hello
	expect_kv "store overwrites" 0 'stored' '' store "$NVME_NS" hello 'brave new world'
	expect_kv "retrieve the new value" 0 '^brave new world$' '' retrieve "$NVME_NS" hello
	expect_kv "retrieve --size 5" 0 '^brave$' '' retrieve "$NVME_NS" hello --size 5
	expect_kv "retrieve --offset 6 --size 3" 0 '^new$' '' retrieve "$NVME_NS" hello --offset 6 --size 3
	expect_kv "retrieve --offset 10" 0 '^world$' '' retrieve "$NVME_NS" hello --offset 10
	expect_kv "retrieve --offset = size: empty" 0 '' '' retrieve "$NVME_NS" hello --offset 15
	expect_kv "retrieve --offset past the end" 3 '' 'invalid offset' retrieve "$NVME_NS" hello --offset 16
	expect_kv "retrieve a missing key" 1 '' "retrieve 'nokey': key does not exist \(status 0x310\)" retrieve "$NVME_NS" nokey
	expect_kv "-q store prints nothing" 0 '' '' -q store "$NVME_NS" quiet x
}

t_files() {
	local f=$SCRATCH/val n
	for n in 1 4095 4096 4097 65536 409600; do
		head -c $n /dev/urandom > "$f.$n"
		kvx store "$NVME_NS" "file$n" "@$f.$n"
		expect_eq "store @FILE of $n bytes: exit" "$KV_RC" 0
		kvx retrieve "$NVME_NS" "file$n" -o "$f.$n.out"
		if [ "$KV_RC" = 0 ] && cmp -s "$f.$n" "$f.$n.out"; then
			ok "retrieve -o FILE of $n bytes equals what was stored"
		else
			not_ok "retrieve -o FILE of $n bytes: exit $KV_RC, $(cmp "$f.$n" "$f.$n.out" 2>&1 | head -1) $KV_ERR"
		fi
	done
	# 2 MiB through nvme-cli: its buffer is not guaranteed to be physically
	# contiguous, and the driver takes at most 127/128 segments; informational
	head -c 2097152 /dev/urandom > "$f.2m"
	kvx store "$NVME_NS" file2m "@$f.2m"
	if [ "$KV_RC" = 0 ]; then
		kvx retrieve "$NVME_NS" file2m -o "$f.2m.out"
		if [ "$KV_RC" = 0 ] && cmp -s "$f.2m" "$f.2m.out"; then log "2 MiB value through nvme-cli: ok"
		else log "2 MiB value through nvme-cli: retrieve: ${KV_ERR:-data differs}"; fi
	else
		log "2 MiB value through nvme-cli: store: $KV_ERR"
	fi
	head -c 2097153 /dev/zero > "$f.big"
	expect_kv "a value above 2 MiB is refused" 2 '' 'largest value is 2097152' store "$NVME_NS" big "@$f.big"
	expect_kv "@FILE that does not exist" 2 '' 'no such file' store "$NVME_NS" x "@$f.missing"
}

t_keys() {
	expect_kv "16-byte key: store" 0 "stored '0123456789abcdef'" '' store "$NVME_NS" 0123456789abcdef sixteen
	expect_kv "16-byte key: retrieve" 0 '^sixteen$' '' retrieve "$NVME_NS" 0123456789abcdef
	expect_kv "15-byte prefix of it is another key" 1 '' 'key does not exist' retrieve "$NVME_NS" 0123456789abcde
	expect_kv "17-byte key refused" 2 '' "is 17 bytes: keys are 1..16 bytes" store "$NVME_NS" 0123456789abcdefg x
	expect_kv "17-byte key refused (retrieve)" 2 '' "keys are 1..16 bytes" retrieve "$NVME_NS" 0123456789abcdefg
	expect_kv "17-byte key refused (delete)" 2 '' "keys are 1..16 bytes" delete "$NVME_NS" 0123456789abcdefg
	expect_kv "empty key refused" 2 '' 'empty key refused' store "$NVME_NS" '' x
	expect_kv "1-byte key" 0 stored '' store "$NVME_NS" k one
	expect_kv "1-byte key: retrieve" 0 '^one$' '' retrieve "$NVME_NS" k
	# multi-byte characters count as bytes: 6 x 3 bytes = 18 > 16
	expect_kv "18-byte UTF-8 key refused" 2 '' 'is 18 bytes' store "$NVME_NS" '€€€€€€' x
	expect_kv "16-byte UTF-8 key" 0 'stored 0xc3a4' '' store "$NVME_NS" 'äöüß€€xy' utf
	expect_kv "16-byte UTF-8 key: retrieve" 0 '^utf$' '' retrieve "$NVME_NS" 'äöüß€€xy'
	expect_kv "-x binary key" 0 "stored 0x00ff7f0a" '' -x store "$NVME_NS" 00ff7f0a bin
	expect_kv "-x binary key: retrieve" 0 '^bin$' '' -x retrieve "$NVME_NS" 0x00ff7f0a
	expect_kv "-x odd hex refused" 2 '' 'hex digits' -x store "$NVME_NS" abc x
}

t_options_and_statuses() {
	expect_kv "store --idempotent, new key" 0 stored '' store "$NVME_NS" idem v1 --idempotent
	expect_kv "store --idempotent, existing key" 3 '' "key exists \(status 0x380\)" store "$NVME_NS" idem v2 --idempotent
	expect_kv "value unchanged" 0 '^v1$' '' retrieve "$NVME_NS" idem
	expect_kv "store --update-only, missing key" 1 '' "key does not exist \(status 0x310\)" store "$NVME_NS" upd v1 --update-only
	expect_kv "exist after refused update" 1 'key does not exist' '' exist "$NVME_NS" upd
	expect_kv "store --update-only, existing key" 0 stored '' store "$NVME_NS" idem v3 --update-only
	expect_kv "value updated" 0 '^v3$' '' retrieve "$NVME_NS" idem
	expect_kv "both options" 3 '' "invalid option \(status 0x304\)" store "$NVME_NS" idem v4 --update-only --idempotent
	expect_kv "unknown option bit" 3 '' "invalid option \(status 0x304\)" store "$NVME_NS" idem v4 --option=0x80
	expect_kv "empty value" 3 '' "invalid value size \(status 0x301\)" store "$NVME_NS" empty ''
	expect_kv "unknown subcommand" 2 '' 'usage' frobnicate "$NVME_NS" x
	expect_kv "missing device" 2 '' 'no such device' store /dev/nonexistent k v
}

t_append_delete_exist() {
	expect_kv "append to a missing key creates it" 0 "appended 3 bytes to 'app' \(value now 3 bytes\)" '' append "$NVME_NS" app abc
	expect_kv "append" 0 "value now 7 bytes" '' append "$NVME_NS" app defg
	head -c 5000 /dev/zero | tr '\0' 'z' > "$SCRATCH/app5000"
	expect_kv "append @FILE" 0 "appended 5000 bytes .*value now 5007 bytes" '' append "$NVME_NS" app "@$SCRATCH/app5000"
	expect_kv "retrieve the appended value" 0 '^abcdefgz{5000}$' '' retrieve "$NVME_NS" app
	expect_kv "exist" 0 '^key exists$' '' exist "$NVME_NS" app
	expect_kv "delete" 0 "^deleted 'app'$" '' delete "$NVME_NS" app
	expect_kv "exist after delete" 1 '^key does not exist$' '' exist "$NVME_NS" app
	expect_kv "retrieve after delete" 1 '' 'key does not exist' retrieve "$NVME_NS" app
	expect_kv "delete again" 1 '' "delete 'app': key does not exist \(status 0x310\)" delete "$NVME_NS" app
}

t_iterate() {
	local got want k
	for k in itA1 itA2 itA3 itAB itB1 "itB2"; do
		"$KV" -q store "$NVME_NS" "$k" "v-$k" || not_ok "store $k"
	done
	kvx iterate "$NVME_NS" --prefix-key itA
	got=$(printf '%s\n' "$KV_OUT" | sort | tr '\n' ' ')
	expect_eq "iterate --prefix-key itA" "$got" "itA1 itA2 itA3 itAB "
	expect_match "iterate reports the count on stderr" "$KV_ERR" 'iterate: 4 keys'
	# "itB" little-endian in the low 3 bytes of the first dword
	kvx iterate "$NVME_NS" --prefix 0x00427469 --mask 0x00ffffff --values
	got=$(printf '%s\n' "$KV_OUT" | sort | tr '\n' '|')
	expect_eq "iterate --prefix/--mask --values" "$got" "itB1	v-itB1|itB2	v-itB2|"
	kvx iterate "$NVME_NS" --prefix 0x31417469
	expect_eq "iterate --prefix alone matches all 4 bytes" "$KV_OUT" "itA1"
	kvx iterate "$NVME_NS"
	want=$(printf '%s\n' "$KV_OUT" | grep -c .)
	if [ "$KV_RC" = 0 ] && [ "$want" -ge 6 ]; then ok "iterate over all keys: $want keys"; else
		not_ok "iterate over all keys: exit $KV_RC, $want keys: $KV_ERR"; fi
	kvx -x iterate "$NVME_NS" --prefix-key itA
	expect_match "-x iterate prints keys as hex" "$KV_OUT" '^0x69744131$'
	# no handle leaked: all 16 can be open at once afterwards
	local h hs=()
	for k in $(seq 16); do
		h=$(nvme io-passthru "$NVME_NS" --namespace-id=1 --opcode=0xb1 --cdw11=0x500 2>&1 |
			sed -n 's/.*result: 0x\([0-9a-f]*\).*/\1/p')
		[ -n "$h" ] && hs+=("$h")
	done
	expect_eq "iterator handles that can be open at once after the script's iterations" "${#hs[@]}" 16
	for h in "${hs[@]}"; do
		nvme io-passthru "$NVME_NS" --namespace-id=1 --opcode=0xb1 --cdw11=$((0x$h | 0x200)) > /dev/null 2>&1 ||
			not_ok "close handle $h"
	done
	# a small buffer is grown when an entry does not fit
	head -c 3000 /dev/zero | tr '\0' 'q' > "$SCRATCH/q3000"
	"$KV" -q store "$NVME_NS" itQ "@$SCRATCH/q3000"
	kvx iterate "$NVME_NS" --prefix-key itQ --values --buffer 64
	expect_match "iterate --values with a 64-byte buffer (grown to fit 3000 bytes)" "$KV_OUT" '^itQ	q{3000}$'
}

t_unload() { unload_module; }

t_capacity_status() {
	local i
	load_module $KV_PARAMS kv_max_keys=16 || return 1
	for i in $(seq 16); do "$KV" -q store "$NVME_NS" "cap$i" x || not_ok "store cap$i"; done
	expect_kv "store beyond kv_max_keys=16" 3 '' "device capacity exceeded \(status 0x312\)" store "$NVME_NS" cap17 x
	expect_kv "overwrite an existing key when the index is full" 0 stored '' store "$NVME_NS" cap1 y
	expect_kv "delete one" 0 deleted '' delete "$NVME_NS" cap2
	expect_kv "store again after the delete" 0 stored '' store "$NVME_NS" cap17 x
	unload_module
}

t_samsung_coding() {
	load_module $KV_PARAMS kv_coding=samsung || return 1
	expect_eq "module parameter kv_coding" "$(cat /sys/module/nvmev_kv/parameters/kv_coding)" samsung
	expect_kv "samsung: store (5 bytes = 2 words, pad 3)" 0 "stored 'sam' \(5 bytes\)" '' store "$NVME_NS" sam hello
	expect_kv "samsung: retrieve" 0 '^hello$' '' retrieve "$NVME_NS" sam
	expect_kv "samsung: 16-byte key" 0 stored '' store "$NVME_NS" 0123456789abcdef x16
	expect_kv "samsung: 16-byte key: retrieve" 0 '^x16$' '' retrieve "$NVME_NS" 0123456789abcdef
	expect_kv "samsung: 1-byte key (field 0)" 0 stored '' store "$NVME_NS" s one
	expect_kv "samsung: 1-byte key: retrieve" 0 '^one$' '' retrieve "$NVME_NS" s
	expect_kv "samsung: append" 0 'value now 8 bytes' '' append "$NVME_NS" sam abc
	expect_kv "samsung: retrieve appended" 0 '^helloabc$' '' retrieve "$NVME_NS" sam
	expect_kv "samsung: retrieve --size 7 (2 words, pad 1)" 0 '^helloab$' '' retrieve "$NVME_NS" sam --size 7
	expect_kv "samsung: exist" 0 'key exists' '' exist "$NVME_NS" sam
	expect_kv "samsung: iterate --values" 0 '^sam	helloabc$' '.*' iterate "$NVME_NS" --prefix-key sam --values
	expect_kv "samsung: delete" 0 deleted '' delete "$NVME_NS" sam
	expect_kv "samsung: missing key" 1 '' 'key does not exist' retrieve "$NVME_NS" sam
	unload_module
}

run_test kv-load t_load
run_test kv-seed-store_retrieve t_seed_script
run_test kv-store-retrieve t_store_retrieve
# The script's own cases (files, key forms, iterate, capacity, the samsung
# coding) test user-space code the kernels do not change: each kernel runs
# half of them (spread_case; TEST_ALL_CASES=1 runs all).
spread_test 0 kv-files t_files
spread_test 1 kv-keys t_keys
run_test kv-options-statuses t_options_and_statuses
run_test kv-append-delete-exist t_append_delete_exist
spread_test 2 kv-iterate-script t_iterate
run_test kv-unload t_unload
spread_test 3 kv-capacity-status t_capacity_status
spread_test 4 kv-samsung-scripts t_samsung_coding
finish
