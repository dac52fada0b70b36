#!/usr/bin/env python3
"""Writes the RESP command stream of the persistence benchmarks (bench/rdb.sh, bench/aof.sh) to stdout, for
redis-cli --pipe.

    persist_gen.py STRINGS HASHES [GENERATION]

STRINGS keys "key:<i>" with 100-byte values, then HASHES hashes "hash:<i>" of 100 fields (16-byte values).
GENERATION changes every value (not the keys), to overwrite the whole dataset with new data of the same shape.
Deterministic: both servers get identical bytes.
"""
import random
import sys

strings, hashes = int(sys.argv[1]), int(sys.argv[2])
generation = int(sys.argv[3]) if len(sys.argv) > 3 else 0
# Values are slices of a fixed pseudo-random text: realistic data, neither all-compressible nor all-random.
rng = random.Random(7)
POOL = bytes(rng.choice(b"abcdefghijklmnopqrstuvwxyz      0123456789") for _ in range(8192))
out = sys.stdout.buffer
buf = []


def emit(args):
    buf.append(b"*%d\r\n" % len(args))
    for a in args:
        buf.append(b"$%d\r\n%s\r\n" % (len(a), a))
    if len(buf) > 20000:
        out.write(b"".join(buf))
        buf.clear()


for i in range(strings):
    prefix = b"g%d:v%d:" % (generation, i)
    start = (i * 37 + generation * 101) % 8000
    emit([b"SET", b"key:%d" % i, prefix + POOL[start:start + 100 - len(prefix)]])
for i in range(hashes):
    args = [b"HSET", b"hash:%d" % i]
    for j in range(100):
        args += [b"field:%d" % j, b"g%d:%012d" % (generation, i * 100 + j)]
    emit(args)
out.write(b"".join(buf))
