#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Build the pure logic (hash_map.c, allocator.c, kv_ftl.c without its
# kernel glue section) as a module of its own against each installed
# kernel, W=1; fail on any warning. Usage: tests/kbuild_pure.sh [KVER...]
set -u
repo=$(cd "$(dirname "$0")/.." && pwd)
kvers=${*:-$(ls /lib/modules | grep -v kasan | tr "\n" " ")}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

cp "$repo"/hash_map.[ch] "$repo"/allocator.[ch] "$repo"/kv_ftl.h "$repo"/timing.h \
   "$repo"/nvmev_compat.h "$repo"/nvmev.h "$dir"/
[ -f "$repo"/nvmev_trace.h ] && cp "$repo"/nvmev_trace.h "$dir"/
glue=$(grep -n '^#ifdef __KERNEL__' "$repo"/kv_ftl.c | tail -1 | cut -d: -f1)
head -n $((glue - 1)) "$repo"/kv_ftl.c > "$dir"/kv_ftl.c
cat > "$dir"/stub.c <<'EOC'
// SPDX-License-Identifier: GPL-2.0
#include <linux/module.h>
#include "nvmev_compat.h"
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("nvmev-kv pure logic, kernel build check");
EOC
# what main.c defines for the compat header (allocation accounting)
if grep -q 'extern atomic_long_t nvmev_live_allocs' "$repo"/nvmev_compat.h; then
	echo 'atomic_long_t nvmev_live_allocs;' >> "$dir"/stub.c
fi
cat > "$dir"/Kbuild <<'EOC'
obj-m := kvpure.o
kvpure-y := hash_map.o allocator.o kv_ftl.o stub.o
ccflags-y := -I$(src) -DNVMEV_NO_TRACE -DNVMEV_KV_PURE
EOC
fail=0
for k in $kvers; do
	kdir=/lib/modules/$k/build
	if [ ! -d "$kdir" ]; then
		echo "SKIP $k: no headers at $kdir"
		continue
	fi
	make -s -C "$kdir" M="$dir" clean >/dev/null 2>&1
	out=$(make -C "$kdir" M="$dir" W=1 modules 2>&1)
	rc=$?
	n=$(printf '%s\n' "$out" | grep -ci 'warning')
	if [ $rc -ne 0 ] || [ "$n" -ne 0 ] || [ ! -f "$dir"/kvpure.ko ]; then
		printf '%s\n' "$out" | grep -iE 'warning|error'
		echo "FAIL $k: rc $rc, $n warnings"
		fail=1
	else
		echo "ok   $k: pure logic builds with W=1, 0 warnings"
	fi
done
exit $fail
