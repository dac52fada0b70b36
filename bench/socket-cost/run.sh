#!/usr/bin/env bash
# What .NET's socket engine costs per request at pipeline 1 (docs/benchmarks.md, "Session 10"): redis-benchmark SET
# against a do-nothing server on .NET sockets (net), the same on a raw epoll loop (raw), and redis-server, one after
# the other, ROUNDS times; prints requests/s and the server's CPU per request (utime+stime from /proc).
#
#   bench/socket-cost/run.sh [ROUNDS]    (x86-64 Linux: the raw loop reads epoll_event packed)
set -euo pipefail
cd "$(dirname "$0")"
ROUNDS=${1:-2}
dotnet build -c Release -v q -nologo >/dev/null
. ../lib.sh
PORT=$(free_port)
for _ in $(seq 1 "$ROUNDS"); do
  for side in net raw redis; do
    if [ $side = redis ]; then
      WORK=$(mktemp -d)
      redis-server --port "$PORT" --dir "$WORK" --save "" --appendonly no >/dev/null 2>&1 &
    else
      DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 DOTNET_SYSTEM_NET_SOCKETS_THREAD_COUNT=1 \
        dotnet bin/Release/net10.0/socket-cost.dll $side "$PORT" &
    fi
    pid=$!
    wait_ready "$PORT"
    for _ in 1 2 3; do redis-benchmark -p "$PORT" -c 50 -n 100000 -t set -q >/dev/null 2>&1; done
    before=$(awk '{ print $14 + $15 }' /proc/$pid/stat)
    rps=$(redis-benchmark -p "$PORT" -c 50 -n 300000 -t set --csv 2>/dev/null | awk -F'","' 'NR > 1 { print $2 }')
    after=$(awk '{ print $14 + $15 }' /proc/$pid/stat)
    echo "$side SET/s $rps, server CPU $(awk -v a="$before" -v b="$after" 'BEGIN { printf "%.2f", (b - a) * 10000 / 300000 }') µs/request"
    kill $pid; wait $pid 2>/dev/null || true
  done
done
