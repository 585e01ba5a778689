#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""tests/file_calls.py: which of the module's files call which, from the
symbols of the built objects (nm), and a check that no two files call each
other, directly or round a longer circle (issue 10: "no two files call each
other afterwards").

    tests/file_calls.py build/KVER        # prints the edges; exit 1 on a cycle

An edge A -> B means A.o uses a function or object that B.o defines. Prints
"N passed, N failed" (one check: the graph is acyclic).
"""
import os
import subprocess
import sys


def symbols(obj, defined):
    args = ["nm", "--defined-only" if defined else "-u", obj]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    syms = set()
    for line in out.splitlines():
        parts = line.split()
        if defined:
            if len(parts) == 3 and parts[1] in "TDRBG":
                syms.add(parts[2])
        elif parts:
            syms.add(parts[-1])
    return syms


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "."
    objs = sorted(f for f in os.listdir(build)
                  if f.endswith(".o") and f != "nvmev_kv.o" and not f.endswith(".mod.o"))
    if not objs:
        print(f"file_calls: no objects in {build}")
        print("0 passed, 1 failed")
        return 1
    owner = {}
    for o in objs:
        for s in symbols(os.path.join(build, o), True):
            owner[s] = o[:-2]
    edges = {}
    for o in objs:
        src = o[:-2]
        for s in symbols(os.path.join(build, o), False):
            dst = owner.get(s)
            if dst and dst != src:
                edges.setdefault(src, {}).setdefault(dst, []).append(s)
    for src in sorted(edges):
        for dst in sorted(edges[src]):
            names = sorted(edges[src][dst])
            more = f" (+{len(names) - 4})" if len(names) > 4 else ""
            print(f"  {src} -> {dst}: {', '.join(names[:4])}{more}")
    # cycles: depth-first search, report every back edge's circle
    state, stack, cycles = {}, [], []

    def visit(n):
        state[n] = 1
        stack.append(n)
        for m in sorted(edges.get(n, {})):
            if state.get(m) == 1:
                cycles.append(stack[stack.index(m):] + [m])
            elif not state.get(m):
                visit(m)
        stack.pop()
        state[n] = 2

    for n in sorted(edges):
        if not state.get(n):
            visit(n)
    for c in cycles:
        print("  cycle: " + " -> ".join(c))
    if cycles:
        print("FAIL: file call graph has cycles")
        print("0 passed, 1 failed")
        return 1
    print("PASS: file call graph is acyclic")
    print("1 passed, 0 failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
