#!/usr/bin/env bash
# APPEND in a loop on one key, side by side: amber-server vs Debian's redis-server 7.0. Each round deletes the key
# and appends --requests times a 10-byte piece (50 clients, redis-benchmark), so the string grows to 10 × N bytes;
# prints the median requests/s of each and the ratio amber/redis. Shows whether appending is amortized O(1)
# (Redis's sds keeps free space) or copies the whole string each time (then the rate falls as N grows).
#
#   bench/append.sh [--rounds N] [--requests N] [--port N] [--amber-dll PATH]
#
# --port: amber on N, redis on N+1 (default: free ports); --amber-dll: measure this build (e.g. a baseline).
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=3
REQUESTS=20000
BASE_PORT=""
AMBER_DLL=""
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS=$2; shift 2 ;;
    --requests) REQUESTS=$2; shift 2 ;;
    --port) BASE_PORT=$2; shift 2 ;;
    --amber-dll) AMBER_DLL=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

. bench/lib.sh
require_tools redis-server redis-benchmark redis-cli python3
start_pair

run() {
  redis-cli -p "$1" del appended >/dev/null
  redis-benchmark -p "$1" -c 50 -n "$REQUESTS" --csv APPEND appended 0123456789 2>/dev/null |
    awk -F'","' 'NR>1 { gsub(/"/,"",$2); print $2 }'
  [ "$(redis-cli -p "$1" strlen appended)" = $((REQUESTS * 10)) ] || { echo "wrong length on $1" >&2; exit 1; }
}
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

run "$AMBER_PORT" >/dev/null; run "$REDIS_PORT" >/dev/null
AMBER_RPS=(); REDIS_RPS=()
for _ in $(seq 1 "$ROUNDS"); do
  AMBER_RPS+=("$(run "$AMBER_PORT")")
  REDIS_RPS+=("$(run "$REDIS_PORT")")
done
a=$(printf '%s\n' "${AMBER_RPS[@]}" | median)
r=$(printf '%s\n' "${REDIS_RPS[@]}" | median)
echo "| test | final length | amber req/s | redis req/s | amber/redis |"
echo "|---|---:|---:|---:|---:|"
awk -v a="$a" -v r="$r" -v n="$((REQUESTS * 10))" 'BEGIN { printf "| APPEND (one key) | %d | %.0f | %.0f | %.2f |\n", n, a, r, a / r }'
