#!/usr/bin/env python3
"""Writes a RESP command stream for one data shape of bench/memory.sh to stdout (for redis-cli --pipe).

    memory_gen.py SHAPE N    -> prints the stream; SHAPE is one of SHAPES below, N the number of keys
                                (small shapes) or of elements (big-* shapes).
Deterministic: the same SHAPE and N always give the same bytes, so both servers load identical data.
"""
import sys

WORDS = [b"apple", b"banana", b"cherry", b"date", b"elder", b"fig", b"grape", b"kiwi", b"lemon", b"mango",
         b"nut", b"olive", b"peach", b"pear", b"plum", b"quince", b"rasp", b"sloe", b"tomato", b"ugli"]
BATCH = 1000  # elements per command for the big-* shapes


def cmd(out, args):
    out.append(b"*%d\r\n" % len(args))
    for a in args:
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))


def small(shape, i):
    k = b"%d" % i
    if shape == "string":
        return [b"SET", b"key:" + k, b"val:%07d" % i]
    if shape == "hash5":
        args = [b"HSET", b"hash:" + k]
        for j in range(5):
            args += [b"field%d" % j, b"%d" % (i * 5 + j)]
        return args
    if shape == "set5-int":
        return [b"SADD", b"set:" + k] + [b"%d" % (i * 5 + j) for j in range(5)]
    if shape == "set5-word":
        return [b"SADD", b"set:" + k] + [WORDS[(i + 3 * j) % len(WORDS)] for j in range(5)]
    if shape == "list5":
        return [b"RPUSH", b"list:" + k] + [b"item%d" % (i * 5 + j) for j in range(5)]
    if shape == "zset5":
        args = [b"ZADD", b"zset:" + k]
        for j in range(5):
            args += [b"%d" % (i * 5 + j), WORDS[(i + 3 * j) % len(WORDS)]]
        return args
    raise SystemExit("unknown shape " + shape)


def big(shape, lo, hi):
    if shape == "big-hash":
        args = [b"HSET", b"bighash"]
        for i in range(lo, hi):
            args += [b"field:%d" % i, b"%d" % i]
        return args
    if shape == "big-set":
        return [b"SADD", b"bigset"] + [b"member:%d" % i for i in range(lo, hi)]
    if shape == "big-list":
        return [b"RPUSH", b"biglist"] + [b"item:%d" % i for i in range(lo, hi)]
    if shape == "big-zset":
        args = [b"ZADD", b"bigzset"]
        for i in range(lo, hi):
            args += [b"%d" % i, b"member:%d" % i]
        return args
    raise SystemExit("unknown shape " + shape)


def main():
    shape, n = sys.argv[1], int(sys.argv[2])
    w = sys.stdout.buffer
    out = []
    if shape.startswith("big-"):
        for lo in range(0, n, BATCH):
            cmd(out, big(shape, lo, min(n, lo + BATCH)))
            w.write(b"".join(out))
            out.clear()
    else:
        for i in range(n):
            cmd(out, small(shape, i))
            if len(out) > 20000:
                w.write(b"".join(out))
                out.clear()
    w.write(b"".join(out))


main()
