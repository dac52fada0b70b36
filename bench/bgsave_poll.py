#!/usr/bin/env python3
"""BGSAVE polling over one connection, for bench/rdb.sh.

  bgsave_poll.py wait PORT        until no BGSAVE is in progress
  bgsave_poll.py loop PORT STOP   BGSAVEs back to back until the file STOP exists (or the server is gone)

One process and one connection for the whole wait or loop: polling with a redis-cli, tr and awk every 50 ms
forked three processes twenty times a second, about 10% of a core on a 2-core machine, enough to move the
server's event thread and the load generator onto one core and show up in the latencies being measured.
"""
import os
import socket
import sys
import time

INTERVAL = 0.05


def command(sock, reader, *args):
    payload = f"*{len(args)}\r\n" + "".join(f"${len(a)}\r\n{a}\r\n" for a in args)
    sock.sendall(payload.encode())
    line = reader.readline()
    if line[:1] == b"$":
        body = reader.read(int(line[1:]) + 2)
        return body[:-2].decode()
    return line.rstrip(b"\r\n").decode()


def saving(sock, reader):
    for field in command(sock, reader, "INFO", "persistence").splitlines():
        if field.startswith("rdb_bgsave_in_progress:"):
            return field.split(":", 1)[1].strip() != "0"
    return False


def main():
    try:
        run()
    except (ConnectionError, ValueError):
        pass  # the server went away: nothing left to poll


def run():
    mode, port = sys.argv[1], int(sys.argv[2])
    sock = socket.create_connection(("127.0.0.1", port))
    reader = sock.makefile("rb")
    if mode == "wait":
        while saving(sock, reader):
            time.sleep(INTERVAL)
        return
    stop = sys.argv[3]
    os.nice(19)
    while not os.path.exists(stop):
        command(sock, reader, "BGSAVE")
        while saving(sock, reader):
            time.sleep(INTERVAL)


if __name__ == "__main__":
    main()
