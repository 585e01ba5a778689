#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Write the seed corpora of the fuzz targets (tests/fuzz/corpus/<target>/).

fuzz_kv inputs are a flags byte (bit 0: samsung coding, bit 3: the NVMe KV
Command Set) and 64-byte SQEs; the seeds are the commands of KV_PROTOCOL.md
sections 1 and 3 in typical orders.
fuzz_sqe inputs are a queue-count byte (bits 6-7: namespace 2 of the KV
command set, absent, active (2) or inactive (3)), then records of a control
byte (bit 0: I/O, else admin) and an SQE; the seeds are what the Linux driver
sends at probe and teardown, for namespace 2, and block I/O at the
namespace's edges.
fuzz_doorbell inputs are a queue-size byte, then (action, argument) pairs.
fuzz_params inputs are a control byte (bit 6: the size check), then a size
string and a CPU list separated by NUL, or the size-check values.
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
    b.update(kv_std_seeds())
    return b


def std_sqe(opcode, cdw10=0, klen=0, opt=0, key=b"", nsid=2):
    k = struct.unpack("<4I", (key + b"\0" * 16)[:16])
    return struct.pack("<16I", opcode, nsid, k[0], k[1], 0, 0, 0, 0, 0, 0,
                       cdw10, klen | opt << 8, 0, 0, k[2], k[3])


def kv_std_seeds():
    b = {}
    s = bytes([8])
    for i in range(12):
        k = b"key-%02d" % ((i * 7) % 12)
        s += std_sqe(0x01, 10 + i, len(k), 0, k)
    s += std_sqe(0x06, 64) + std_sqe(0x06, 4096, 6, 0, b"key-05")
    s += std_sqe(0x02, 4, 6, 0, b"key-03") + std_sqe(0x14, 0, 6, 0, b"key-03")
    s += std_sqe(0x10, 0, 6, 0, b"key-03") + std_sqe(0x10, 0, 6, 0, b"key-03")
    s += std_sqe(0x10, 0, 6, 0, b"key-03", nsid=0x102)  # EDNEK on
    s += std_sqe(0x01, 0, 5, 1, b"nokey") + std_sqe(0x01, 0, 6, 2, b"key-04")
    s += std_sqe(0x01, 0, 16, 0, b"sixteen-byte-key") + std_sqe(0x06, 12)
    b["seed_std_list"] = s
    return b


def adm(opcode, nsid=0, prp1=0x10000, **cdw):
    d = [0] * 16
    d[0] = opcode | (0x77 << 16)
    d[1] = nsid
    d[6] = prp1
    for k, v in cdw.items():
        d[int(k[3:])] = v & 0xffffffff
    return struct.pack("<16I", *d)


def sqe_seeds():
    probe = [adm(0x06, cdw10=1), adm(0x06, cdw10=2),
             adm(0x09, cdw10=7, cdw11=0x00030003), adm(0x0c),
             adm(0x06, nsid=1, cdw10=0), adm(0x06, nsid=1, cdw10=3),
             adm(0x06, nsid=1, cdw10=5), adm(0x02, nsid=0xffffffff,
                                               cdw10=0x007f0005)]
    for q in range(1, 5):
        probe.append(adm(0x05, cdw10=q | (1023 << 16), cdw11=3 | (q << 16)))
        probe.append(adm(0x01, cdw10=q | (1023 << 16), cdw11=1 | (q << 16)))
    teardown = []
    for q in range(4, 0, -1):
        teardown += [adm(0x00, cdw10=q), adm(0x04, cdw10=q)]
    b = {}
    b["seed_probe"] = bytes([4]) + b"".join(bytes([0]) + c for c in probe)
    b["seed_probe_teardown"] = bytes([4]) + b"".join(
        bytes([0]) + c for c in probe + teardown)
    b["seed_bad_queues"] = bytes([2]) + b"".join(bytes([0]) + c for c in [
        adm(0x05, cdw10=0 | (63 << 16), cdw11=1),
        adm(0x05, cdw10=1 | (63 << 16), cdw11=1),
        adm(0x05, cdw10=1 | (63 << 16), cdw11=1),
        adm(0x01, cdw10=1 | (63 << 16), cdw11=1 | (2 << 16)),
        adm(0x01, cdw10=1 | (63 << 16), cdw11=1 | (1 << 16)),
        adm(0x04, cdw10=1), adm(0x00, cdw10=1), adm(0x04, cdw10=1)])
    io = []
    for ctl, op, slba, nlb in [(1, 2, 0, 7), (3, 1, 7, 0), (5, 2, 4088, 7),
                               (7, 8, 0, 0xffff), (9, 0, 0, 0)]:
        io.append(bytes([ctl]) + adm(op, nsid=1, cdw10=slba, cdw11=0,
                                     cdw12=nlb))
    b["seed_block"] = bytes([1]) + b"".join(io)
    # the optional NVM commands (issue 15): Write Uncorrectable, Compare,
    # Verify, Write Zeroes DEAC, DSM (2 and 256 ranges, AD), Copy (1 and
    # 128 ranges, format 1, 129 ranges); the range lists fuzz_ranges()
    # reads are the SQE's own bytes
    nvm = []
    for ctl, op, c10, c11, c12 in [(1, 0x04, 100, 0, 3), (3, 0x05, 64, 0, 7),
                                   (5, 0x0c, 0, 0, 0xffff),
                                   (7, 0x08, 300, 0, 15 | 1 << 25),
                                   (9, 0x09, 1, 4, 0), (11, 0x09, 255, 7, 0),
                                   (13, 0x19, 20000, 0, 0),
                                   (15, 0x19, 21000, 0, 127),
                                   (1, 0x19, 40000, 0, 1 << 8),
                                   (3, 0x19, 40000, 0, 128)]:
        nvm.append(bytes([ctl]) + adm(op, nsid=1, cdw10=c10, cdw11=c11,
                                      cdw12=c12))
    b["seed_nvm"] = bytes([1]) + b"".join(nvm)
    # namespace 2 of the KV command set (first byte bits 6-7: 2 active, 3
    # inactive): what the driver and nvme-cli send for it
    kv = [adm(0x06, cdw10=2), adm(0x06, nsid=2, cdw10=3),
          adm(0x06, nsid=2, cdw10=8),
          adm(0x02, cdw10=0x03ff0005, cdw14=1 << 24),
          adm(0x06, nsid=2, cdw10=5, cdw11=1 << 24),
          adm(0x06, nsid=2, cdw10=0), adm(0x06, cdw10=7, cdw11=1 << 24),
          adm(0x06, cdw10=6, cdw11=1 << 24), adm(0x06, cdw10=0x1c),
          adm(0x0a, nsid=2, cdw10=0x20), adm(0x09, nsid=2, cdw10=0x20,
                                             cdw11=1),
          adm(0x09, cdw10=0x19, cdw11=1), adm(0x0a, cdw10=0x19)]
    b["seed_kv_ns"] = bytes([0x84]) + b"".join(bytes([0]) + c for c in kv)
    b["seed_kv_ns_inactive"] = bytes([0xc4]) + b"".join(
        bytes([0]) + c for c in kv)
    # Get LBA Status (issue 15) as nvme-cli sends it, at the edges of a
    # 7-block namespace 1 (first byte bit 3: 1 + (bits 0-2) blocks) and of
    # namespace 3 (3001 blocks; the second byte: 3 and 4 attached block
    # namespaces), and the LBA Status Information log
    gls = [adm(0x86, nsid=1, cdw12=0x3ff, cdw13=0x11 << 24),
           adm(0x86, nsid=3, cdw10=3000, cdw12=0x3ff, cdw13=0x11 << 24),
           adm(0x86, nsid=3, cdw10=3001, cdw12=0x3ff, cdw13=0x10 << 24),
           adm(0x86, nsid=1, cdw10=6, cdw12=1, cdw13=0x10 << 24 | 8),
           adm(0x86, nsid=1, cdw10=7, cdw13=0x11 << 24),
           adm(0x86, nsid=1, cdw13=0x02 << 24),
           adm(0x86, nsid=2, cdw13=0x11 << 24),
           adm(0x02, cdw10=0x03ff000e)]
    b["seed_lba_status"] = bytes([0x0e, 0x0f]) + b"".join(
        bytes([0]) + c for c in gls)
    return b


def doorbell_seeds():
    b = {}
    honest = bytes([0, 5, 3, 0, 5, 8]) * 8
    b["seed_honest_8"] = bytes([6]) + honest
    b["seed_honest_64"] = bytes([62]) + bytes([0, 15, 3, 0, 0, 15, 4, 0,
                                               5, 3]) * 16
    b["seed_bogus"] = bytes([14]) + honest + bytes([1, 200, 3, 0, 2, 99,
                                                    3, 0, 0, 4, 3, 0, 5, 9])
    return b


def params_seeds():
    b = {}
    for i, (size, cpus) in enumerate([(b"64M", b"0,1"), (b"0x40000000", b"3\n"),
                                      (b"1G\n", b"0,1,2,3"), (b"16777215T", b"1,1"),
                                      (b"18446744073709551615", b"65535"),
                                      (b"4k", b""), (b"0x", b"0,")]):
        b["seed_strings_%d" % i] = bytes([16]) + size + b"\0" + cpus
    b["seed_sizes"] = bytes([0x40, 0x08, 0x07, 0x03])
    b["seed_sizes_raw"] = bytes([0x40, 0x07]) + struct.pack("<Q", 1 << 30) + \
        bytes([0x07]) + struct.pack("<Q", 256 << 20) + bytes([0x03]) + \
        struct.pack("<Q", 64 << 20)
    return b


def main():
    rnd = random.Random(1)
    corpora = {
        "fuzz_kv": kv_seeds(),
        "fuzz_sqe": sqe_seeds(),
        "fuzz_doorbell": doorbell_seeds(),
        "fuzz_params": params_seeds(),
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
