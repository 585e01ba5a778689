#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/dkms_build.sh [KVER...]: `dkms build` of this tree (dkms.conf) for
# each kernel, by default the newest installed Debian 6.1 and 6.12 -amd64
# kernels with headers (as scripts/vm-tests picks them). Everything DKMS
# keeps goes to a private temporary tree (--sourcetree, --dkmstree,
# --installtree), removed afterwards: nothing lands in /usr/src,
# /var/lib/dkms or /lib/modules, and no signing key is made (sign_file is
# pointed at nothing). The source tree holds only what dkms.conf promises
# is enough: the top-level *.c, *.h, Kbuild and dkms.conf.
# Also checks that PACKAGE_VERSION is main.c's MODULE_VERSION.
# Prints "N passed, N failed"; exits non-zero on any failure.
set -u
repo=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
cd "$repo" || exit 2

pick_kernel() { # SERIES: newest installed kernel of that series with image and headers
	local k best=
	for k in $(ls /lib/modules 2>/dev/null | grep -E "^$1\.[0-9]" | grep -E -- '-amd64$' | grep -vE -- '-(cloud|rt)-amd64$' | sort -V); do
		[ -f "/boot/vmlinuz-$k" ] && [ -d "/lib/modules/$k/build" ] && best=$k
	done
	echo "$best"
}

pass=0
fail=0
ok() { echo "ok   $*"; pass=$((pass + 1)); }
not_ok() { echo "FAIL $*"; fail=$((fail + 1)); }
finish() { echo "$pass passed, $fail failed"; [ $fail -eq 0 ]; exit $?; }

if ! command -v dkms > /dev/null; then
	not_ok "dkms is not installed (scripts/install-deps installs it)"
	finish
fi

if [ $# -gt 0 ]; then
	kvers=("$@")
else
	kvers=()
	for s in '6\.1' '6\.12'; do
		k=$(pick_kernel "$s")
		[ -n "$k" ] && kvers+=("$k") || not_ok "no installed ${s//\\/} kernel with headers"
	done
fi

name=$(sed -n 's/^PACKAGE_NAME="\(.*\)"$/\1/p' dkms.conf)
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' dkms.conf)
modver=$(sed -n 's/^MODULE_VERSION("\(.*\)");$/\1/p' main.c)
if [ -n "$ver" ] && [ "$ver" = "$modver" ]; then
	ok "dkms.conf PACKAGE_VERSION $ver = MODULE_VERSION of main.c"
else
	not_ok "dkms.conf PACKAGE_VERSION '$ver' != MODULE_VERSION '$modver' of main.c"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/nvmev-dkms.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
src=$tmp/src/$name-$ver
mkdir -p "$src" "$tmp/dkms" "$tmp/install"
cp ./*.c ./*.h Kbuild dkms.conf "$src"/
# no signing (it would create /var/lib/dkms/mok.key); a dkms build, not an install
export sign_file=$tmp/no-sign-file
DKMS=(dkms --sourcetree "$tmp/src" --dkmstree "$tmp/dkms" --installtree "$tmp/install")

if "${DKMS[@]}" add -m "$name" -v "$ver" > "$tmp/add.log" 2>&1; then
	ok "dkms add $name/$ver"
else
	sed 's/^/    | /' "$tmp/add.log"
	not_ok "dkms add $name/$ver"
	finish
fi
for k in "${kvers[@]}"; do
	t0=$(date +%s)
	if "${DKMS[@]}" build -m "$name" -v "$ver" -k "$k" > "$tmp/build-$k.log" 2>&1 &&
	   ko=$(ls "$tmp/dkms/$name/$ver/$k"/*/module/nvmev_kv.ko* 2>/dev/null | head -1) && [ -n "$ko" ]; then
		ok "dkms build $name/$ver -k $k ($(( $(date +%s) - t0 )) s): $(modinfo -F vermagic "$ko" | cut -d' ' -f1)"
	else
		sed 's/^/    | /' "$tmp/build-$k.log" | tail -20
		make_log=$(ls "$tmp/dkms/$name/$ver/build/make.log" 2>/dev/null)
		[ -n "$make_log" ] && tail -30 "$make_log" | sed 's/^/    | make.log: /'
		not_ok "dkms build $name/$ver -k $k"
	fi
done
finish
