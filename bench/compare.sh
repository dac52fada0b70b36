#!/usr/bin/env bash
# Side-by-side throughput: amber-server vs Debian's redis-server 7.0, same settings, redis-benchmark run against
# each in alternation, test by test, for several rounds; prints the median requests/s of each, the ratio of the
# medians, and the median and range of the per-round ratios (one back-to-back pair of runs each).
#
#   bench/compare.sh [--rounds N] [--requests N] [--clients N] [--suite strings|types] [--tests set,get,...] [--pipelines "1 16"]
#                    [--port N]   (Amber on N, redis-server on N+1; default: two free ports)
#                    [--amber-dll PATH]   (measure this build, e.g. a baseline of another commit, instead of building)
#
# Suites: strings = SET GET INCR MSET (issue 2); types = LPUSH LPOP SADD HSET SPOP ZADD LRANGE_100 (issue 3).
#
# Needs redis-server and redis-benchmark (apt-get install -y redis-server redis-tools) and the .NET SDK.
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=5
REQUESTS=200000
CLIENTS=50
TESTS="set,get,incr,mset"
PIPELINES="1 16"
BASE_PORT=""
AMBER_DLL=""
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS=$2; shift 2 ;;
    --requests) REQUESTS=$2; shift 2 ;;
    --clients) CLIENTS=$2; shift 2 ;;
    --tests) TESTS=$2; shift 2 ;;
    --suite)
      case "$2" in
        strings) TESTS="set,get,incr,mset" ;;
        types) TESTS="lpush,lpop,sadd,hset,spop,zadd,lrange_100" ;;
        *) echo "unknown suite $2" >&2; exit 2 ;;
      esac
      shift 2 ;;
    --pipelines) PIPELINES=$2; shift 2 ;;
    --port) BASE_PORT=$2; shift 2 ;;
    --amber-dll) AMBER_DLL=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

for tool in redis-server redis-benchmark redis-cli; do
  command -v $tool >/dev/null || { echo "$tool not found: apt-get install -y redis-server redis-tools" >&2; exit 1; }
done

# free_port (BENCH_PORTS=FIRST-LAST keeps the servers inside a port range) comes from bench/lib.sh.
. bench/lib.sh
start_pair

# One redis-benchmark run of the tests given (comma-separated); prints requests per second for each, one per line as
# "TEST rps". The LPUSH that redis-benchmark runs to fill the list before LRANGE_* ("needed to benchmark") is skipped.
run() {
  redis-benchmark -p "$1" -c "$CLIENTS" -n "$REQUESTS" -P "$2" -t "$3" -r 100000 --csv 2>/dev/null |
    awk -F'","' 'NR>1 && $1 !~ /needed/ { gsub(/"/,"",$1); gsub(/"/,"",$2); split($1,a," "); print a[1], $2 }'
}

declare -A SAMPLES PAIRED
# Warm-up, not recorded: every pipeline's pass until Amber's JIT has settled (bench/lib.sh warm_up), two for Redis.
warm_pass() { for p in $PIPELINES; do run "$1" "$p" "$TESTS" >/dev/null; done; }
echo "warm-up passes: amber $(warm_up "$AMBER_PORT" warm_pass), redis $(warm_up "$REDIS_PORT" warm_pass)" >&2
# Each test runs on both servers back to back, so that a noisy stretch of the shared machine falls on both sides of a
# pair; which side goes first alternates by round. Each pair gives one ratio; the table reports their median and range
# beside the ratio of the medians.
for round in $(seq 1 "$ROUNDS"); do
  order="amber redis"; [ $((round % 2)) -eq 0 ] && order="redis amber"
  progress=""
  for p in $PIPELINES; do
    for test in $(echo "$TESTS" | tr ',' ' ' | tr a-z A-Z); do
      declare -A rps=()
      for side in $order; do
        port=$AMBER_PORT; [ $side = redis ] && port=$REDIS_PORT
        while read -r name value; do
          SAMPLES["$side|$p|$name"]+="$value "
          rps[$side]=$value
        done < <(run "$port" "$p" "$(echo "$test" | tr A-Z a-z)")
      done
      PAIRED["$p|$test"]+="$(ratio "${rps[amber]:-0}" "${rps[redis]:-0}") "
      progress+=" $test/P$p $(ratio "${rps[amber]:-0}" "${rps[redis]:-0}")"
    done
  done
  echo "round $round ($order):$progress" >&2
done

echo "| test | pipeline | amber req/s | redis req/s | amber/redis | paired: median | paired: range |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for p in $PIPELINES; do
  for test in $(echo "$TESTS" | tr ',' ' ' | tr a-z A-Z); do
    a=$(echo "${SAMPLES["amber|$p|$test"]:-}" | median)
    r=$(echo "${SAMPLES["redis|$p|$test"]:-}" | median)
    [ -z "$a" ] && continue
    printf "| %s | %s | %.0f | %.0f | %s | %.2f | %s |\n" "$test" "$p" "$a" "$r" "$(ratio "$a" "$r")" \
      "$(echo "${PAIRED["$p|$test"]}" | median)" "$(echo "${PAIRED["$p|$test"]}" | range)"
  done
done
