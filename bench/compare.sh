#!/usr/bin/env bash
# Side-by-side throughput: amber-server vs Debian's redis-server 7.0, same settings, redis-benchmark run against
# each in alternation for several rounds; prints the median requests/s of each and the ratio amber/redis.
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

# One redis-benchmark run; prints requests per second for each test, one per line as "TEST rps".
run() {
  redis-benchmark -p "$1" -c "$CLIENTS" -n "$REQUESTS" -P "$2" -t "$TESTS" -r 100000 --csv 2>/dev/null |
    awk -F'","' 'NR>1 { gsub(/"/,"",$1); gsub(/"/,"",$2); split($1,a," "); print a[1], $2 }'
}

declare -A SAMPLES
# Warm-up, not recorded: every pipeline's pass until Amber's JIT has settled (bench/lib.sh warm_up), two for Redis.
warm_pass() { for p in $PIPELINES; do run "$1" "$p" >/dev/null; done; }
echo "warm-up passes: amber $(warm_up "$AMBER_PORT" warm_pass), redis $(warm_up "$REDIS_PORT" warm_pass)" >&2
for round in $(seq 1 "$ROUNDS"); do
  for p in $PIPELINES; do
    for side in amber redis; do
      port=$AMBER_PORT; [ $side = redis ] && port=$REDIS_PORT
      while read -r test rps; do
        SAMPLES["$side|$p|$test"]+="$rps "
      done < <(run "$port" "$p")
    done
  done
  echo "round $round done" >&2
done

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{v[NR]=$1} END { if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2 }'; }

echo "| test | pipeline | amber req/s | redis req/s | amber/redis |"
echo "|---|---:|---:|---:|---:|"
for p in $PIPELINES; do
  for test in $(echo "$TESTS" | tr ',' ' ' | tr a-z A-Z); do
    key="$test"
    a=$(echo "${SAMPLES["amber|$p|$key"]:-}" | median)
    r=$(echo "${SAMPLES["redis|$p|$key"]:-}" | median)
    [ -z "$a" ] && continue
    ratio=$(awk -v a="$a" -v r="$r" 'BEGIN { printf "%.2f", a/r }')
    printf "| %s | %s | %.0f | %.0f | %s |\n" "$test" "$p" "$a" "$r" "$ratio"
  done
done
