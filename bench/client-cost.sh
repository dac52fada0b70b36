#!/usr/bin/env bash
# What a request costs each side, amber-server vs Debian's redis-server 7.0 side by side: for one redis-benchmark test
# at a time, the requests/s, the server's CPU per request (all threads, /proc/PID/stat), redis-benchmark's own CPU per
# request (/usr/bin/time) and the server's voluntary context switches per request (each one a sleep in epoll_wait that
# a client's send then had to wake up). At pipeline 1 on a two-CPU machine redis-benchmark is the bottleneck, so its
# CPU per request sets the throughput of both servers; this shows how much of it a server's sleeps add.
#
#   bench/client-cost.sh [--tests zadd,set,...] [--requests N] [--rounds N] [--pipeline N] [--amber-dll PATH]
#
# Needs redis-server, redis-cli, redis-benchmark, GNU time (/usr/bin/time) and the .NET SDK.
set -euo pipefail
cd "$(dirname "$0")/.."

TESTS="ping_mbulk,set,zadd"
REQUESTS=200000
ROUNDS=3
PIPELINE=1
AMBER_DLL=""
while [ $# -gt 0 ]; do
  case "$1" in
    --tests) TESTS=$2; shift 2 ;;
    --requests) REQUESTS=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --pipeline) PIPELINE=$2; shift 2 ;;
    --amber-dll) AMBER_DLL=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
. bench/lib.sh
require_tools redis-server redis-cli redis-benchmark /usr/bin/time
start_pair

ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
sleeps() { cat /proc/"$1"/task/*/status 2>/dev/null | awk '/^voluntary_ctxt_switches/ { s += $2 } END { print s }'; }
# bench PORT TEST [PREFIX...]: one redis-benchmark run, under PREFIX (e.g. /usr/bin/time) when given.
bench() {
  local port=$1 test=$2
  shift 2
  "$@" redis-benchmark -p "$port" -c 50 -n "$REQUESTS" -P "$PIPELINE" -t "$test" -r 100000 -q
}
HZ=$(getconf CLK_TCK)

# Warm-up, not recorded: passes over every test until Amber's JIT has settled (bench/lib.sh warm_up), as compare.sh.
warm_pass() { for test in $(echo "$TESTS" | tr ',' ' '); do bench "$1" "$test" >/dev/null 2>&1; done; }
echo "warm-up passes: amber $(warm_up "$AMBER_PORT" warm_pass), redis $(warm_up "$REDIS_PORT" warm_pass)" >&2
declare -A RPS SERVER CLIENT SLEPT
for round in $(seq 1 "$ROUNDS"); do
  for test in $(echo "$TESTS" | tr ',' ' '); do
    for side in amber redis; do
      pid=$AMBER_PID port=$AMBER_PORT
      [ $side = redis ] && pid=$REDIS_PID port=$REDIS_PORT
      t0=$(ticks "$pid") s0=$(sleeps "$pid")
      out=$(bench "$port" "$test" /usr/bin/time -f "CLIENT %U %S" 2>&1 | tr '\r' '\n')
      t1=$(ticks "$pid") s1=$(sleeps "$pid")
      key="$test|$side"
      RPS[$key]+="$(echo "$out" | awk '/requests per second/ { v = $(NF - 5) } END { printf "%.0f", v }') "
      CLIENT[$key]+="$(echo "$out" | awk -v n="$REQUESTS" '/^CLIENT/ { printf "%.2f", ($2 + $3) * 1e6 / n }') "
      SERVER[$key]+="$(awk -v a="$t0" -v b="$t1" -v hz="$HZ" -v n="$REQUESTS" 'BEGIN { printf "%.2f", (b - a) / hz * 1e6 / n }') "
      SLEPT[$key]+="$(awk -v a="$s0" -v b="$s1" -v n="$REQUESTS" 'BEGIN { printf "%.3f", (b - a) / n }') "
    done
  done
  echo "round $round done" >&2
done

# Medians of the rounds, and the ranges (bench/lib.sh) of the client's CPU and the server's sleeps per request: they
# move together.
echo "| test | server | req/s | server CPU µs/req | client CPU µs/req | server sleeps/req |"
echo "|---|---|---:|---:|---:|---:|"
for test in $(echo "$TESTS" | tr ',' ' '); do
  for side in amber redis; do
    key="$test|$side"
    printf "| %s | %s | %.0f | %s | %s (%s) | %s (%s) |\n" "$(echo "$test" | tr a-z A-Z)" "$side" "$(echo "${RPS[$key]}" | median)" \
      "$(echo "${SERVER[$key]}" | median)" "$(echo "${CLIENT[$key]}" | median)" "$(echo "${CLIENT[$key]}" | range)" \
      "$(echo "${SLEPT[$key]}" | median)" "$(echo "${SLEPT[$key]}" | range)"
  done
done
