#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Write the seed corpora of the fuzz targets (tests/fuzz/corpus/<target>/).

fuzz_kv inputs are a flags byte (bit 0: samsung coding) and 64-byte SQEs;
the seeds are the commands of KV_PROTOCOL.md section 1 in typical orders.
"""
import os
import random
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def sqe(opcode, cdw4=0, cdw10=0, cdw11=0, key=b"", cdw12=None, cdw13=None,
        nsid=1):
    kw = (key + b"\0" * 16)[:16]
    k = list(struct.unpack("<4I", kw))
    if cdw12 is not None:
        k[0] = cdw12
    if cdw13 is not None:
        k[1] = cdw13
    return struct.pack("<16I", opcode, nsid, 0, 0, cdw4, 0, 0, 0, 0, 0,
                       cdw10, cdw11, *k)


def kv_seeds():
    key = b"0123456789abcdef"
    b = {}
    b["seed_store_retrieve"] = bytes([0]) + sqe(0x81, 0, 36, 15, key) + \
        sqe(0x90, 0, 36, 15, key)
    b["seed_16byte_key"] = bytes([0]) + sqe(0x81, 0, 5, 16, key) + \
        sqe(0x90, 0, 5, 16, key) + sqe(0xb3, 0, 0, 16, key)
    b["seed_options"] = bytes([0]) + sqe(0x81, 0, 8, 0x104, b"abcd") + \
        sqe(0x81, 0, 8, 0x204, b"abcd") + sqe(0x81, 0, 8, 0x204, b"abcd") + \
        sqe(0x81, 0, 8, 0x104, b"abcd")
    b["seed_append_offset"] = bytes([0]) + sqe(0x83, 0, 3, 4, b"abcd") + \
        sqe(0x83, 0, 3, 4, b"abcd") + sqe(0x90, 4, 16, 4, b"abcd") + \
        sqe(0x90, 6, 16, 4, b"abcd") + sqe(0x90, 7, 16, 4, b"abcd")
    b["seed_delete"] = bytes([0]) + sqe(0x81, 0, 100, 4, b"abcd") + \
        sqe(0xa1, 0, 0, 4, b"abcd") + sqe(0xa1, 0, 0, 4, b"abcd") + \
        sqe(0xb3, 0, 0, 4, b"abcd")
    b["seed_samsung"] = bytes([1]) + sqe(0x81, 0, 9, 0x3000f, key) + \
        sqe(0x90, 0, 9, 0xf, key) + sqe(0x83, 0, 1, 0x3, b"abcd")
    it = bytes([0x30])
    for i in range(6):
        it += sqe(0x81, 0, 20 + i, 8, b"pfx-%04d" % i)
    it += sqe(0xb1, 0, 0, 0x0500, cdw12=0x2d786670, cdw13=0xffffffff)
    it += sqe(0xb2, 0, 64, 1) + sqe(0xb2, 0, 4096, 1) + sqe(0xb2, 0, 64, 1)
    it += sqe(0xb1, 0, 0, 0x0201)
    it += sqe(0xb1, 0, 0, 0x1900, cdw12=0x2d786670, cdw13=0xffff)
    it += sqe(0xb2, 0, 40, 1) + sqe(0xb2, 0, 4096, 1) + sqe(0xb1, 0, 0, 0x0201)
    b["seed_iterate"] = it
    fill = bytes([0])
    for i in range(40):
        fill += sqe(0x81, 0, 4096, 6, b"fill%02d" % i)
    for i in range(0, 40, 2):
        fill += sqe(0xa1, 0, 0, 6, b"fill%02d" % i)
    for i in range(40):
        fill += sqe(0x81, 0, 2000, 6, b"more%02d" % i)
    b["seed_fill_reclaim"] = fill
    b["seed_fill_forced"] = bytes([2]) + fill[1:]
    b["seed_dma_error"] = bytes([0]) + sqe(0x81, 0, 8, 4, b"abcd", nsid=0xdf) + \
        sqe(0xb3, 0, 0, 4, b"abcd")
    return b


def main():
    rnd = random.Random(1)
    corpora = {
        "fuzz_kv": kv_seeds(),
        "fuzz_hash_map": {"seed_%d" % i: bytes(rnd.randrange(256)
                                               for _ in range(64 + 64 * i))
                          for i in range(4)},
        "fuzz_allocator": {"seed_%d" % i: bytes(rnd.randrange(256)
                                                for _ in range(90 + 90 * i))
                           for i in range(4)},
    }
    for target, seeds in corpora.items():
        d = os.path.join(HERE, "corpus", target)
        os.makedirs(d, exist_ok=True)
        for name, data in seeds.items():
            with open(os.path.join(d, name), "wb") as f:
                f.write(data)


if __name__ == "__main__":
    main()
