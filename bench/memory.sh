#!/usr/bin/env bash
# Memory per key/element: amber-server vs Debian's redis-server 7.0, same data, same settings.
# For each shape both servers are started fresh (so RSS is not polluted by a previous shape), the same RESP stream
# (bench/memory_gen.py) is loaded into each with `redis-cli --pipe`, the servers are left to settle, MEMORY PURGE
# is sent to both (Redis: jemalloc returns dirty pages; Amber: a full compacting GC, so garbage left over from the
# load is not counted as data), and INFO used_memory and VmRSS (/proc/PID/status) are read before and after.
# --no-purge skips MEMORY PURGE (what a server looks like without it: Amber then carries up to a gen0 budget of
# garbage, which .NET sizes from the L3 cache). Prints a markdown table of the growth
# per key and per element and the ratio amber/redis.
#
#   bench/memory.sh [--keys N] [--big N] [--shapes "string hash5 ..."] [--settle SECONDS] [--no-purge]
#                   [--port N] [--amber-dll PATH]
#
# --port: amber listens on N and redis on N+1 (default: free ports from the OS); --amber-dll: measure this build of
# amber-server.dll (e.g. a baseline built from another commit) instead of building this checkout.
# --keys: keys for the small shapes (default 1,000,000); --big: elements of the one big collection (default 1,000,000).
# Needs redis-server and redis-cli (apt-get install -y redis-server redis-tools), python3 and the .NET SDK.
set -euo pipefail
cd "$(dirname "$0")/.."

KEYS=1000000
BIG=1000000
SETTLE=3
PURGE=1
BASE_PORT=
AMBER_DLL=
SHAPES="string hash5 set5-int set5-word list5 zset5 big-hash big-set big-list big-zset"
while [ $# -gt 0 ]; do
  case "$1" in
    --keys) KEYS=$2; shift 2 ;;
    --big) BIG=$2; shift 2 ;;
    --shapes) SHAPES=$2; shift 2 ;;
    --settle) SETTLE=$2; shift 2 ;;
    --no-purge) PURGE=0; shift ;;
    --port) BASE_PORT=$2; shift 2 ;;
    --amber-dll) AMBER_DLL=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

for tool in redis-server redis-cli python3; do
  command -v $tool >/dev/null || { echo "$tool not found" >&2; exit 1; }
done

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_ready() { for _ in $(seq 1 300); do redis-cli -p "$1" ping >/dev/null 2>&1 && return 0; sleep 0.1; done; echo "server on $1 did not start" >&2; return 1; }
rss() { awk '/^VmRSS:/ { print $2 * 1024 }' "/proc/$1/status"; }
purge() { [ "$PURGE" = 1 ] && redis-cli -p "$1" memory purge >/dev/null; sleep 0.5; }
used() { redis-cli -p "$1" info memory | tr -d '\r' | awk -F: '$1 == "used_memory" { print $2 }'; }

if [ -z "$AMBER_DLL" ]; then
  dotnet build -c Release src/Amber.Server -v q -nologo >/dev/null
  AMBER_DLL=src/Amber.Server/bin/Release/net10.0/amber-server.dll
fi
WORK=$(mktemp -d)
COMMON=(--save "" --appendonly no --bind 127.0.0.1)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT

# start SIDE -> sets PORT and PID
start() {
  if [ -n "$BASE_PORT" ]; then
    if [ "$1" = amber ]; then PORT=$BASE_PORT; else PORT=$((BASE_PORT + 1)); fi
  else
    PORT=$(free_port)
  fi
  if [ "$1" = amber ]; then
    dotnet "$AMBER_DLL" --port "$PORT" --dir "$WORK" "${COMMON[@]}" >"$WORK/amber.log" 2>&1 &
  else
    redis-server --port "$PORT" --dir "$WORK" "${COMMON[@]}" >"$WORK/redis.log" 2>&1 &
  fi
  PID=$!
  PIDS+=("$PID")
  wait_ready "$PORT"
}

# measure SIDE FILE -> prints "used_delta rss_delta load_seconds"
measure() {
  start "$1"
  sleep 1
  local u0 r0 t0 t1 u1 r1
  purge "$PORT"
  u0=$(used "$PORT"); r0=$(rss "$PID")
  t0=$(date +%s.%N)
  redis-cli -p "$PORT" --pipe <"$2" >"$WORK/pipe.log" 2>&1 || { cat "$WORK/pipe.log" >&2; exit 1; }
  grep -q 'errors: 0,' "$WORK/pipe.log" || { echo "$1: load had errors: $(tail -1 "$WORK/pipe.log")" >&2; }
  t1=$(date +%s.%N)
  sleep "$SETTLE"
  purge "$PORT"
  u1=$(used "$PORT"); r1=$(rss "$PID")
  kill "$PID"; wait "$PID" 2>/dev/null || true
  echo $((u1 - u0)) $((r1 - r0)) "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')"
}

echo "| shape | keys | elements | amber used B/elem | redis used B/elem | used amber/redis | amber RSS B/elem | redis RSS B/elem | RSS amber/redis | load s amber/redis |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for shape in $SHAPES; do
  case "$shape" in
    big-*) n=$BIG; keys=1; elems=$BIG ;;
    string) n=$KEYS; keys=$KEYS; elems=$KEYS ;;
    *) n=$KEYS; keys=$KEYS; elems=$((KEYS * 5)) ;;
  esac
  python3 bench/memory_gen.py "$shape" "$n" >"$WORK/data.resp"
  read -r au ar at < <(measure amber "$WORK/data.resp")
  read -r ru rr rt < <(measure redis "$WORK/data.resp")
  rm -f "$WORK/data.resp"
  awk -v s="$shape" -v k="$keys" -v e="$elems" -v au="$au" -v ru="$ru" -v ar="$ar" -v rr="$rr" -v at="$at" -v rt="$rt" 'BEGIN {
    printf "| %s | %d | %d | %.1f | %.1f | %.2f | %.1f | %.1f | %.2f | %s / %s |\n", s, k, e, au / e, ru / e, au / ru, ar / e, rr / e, ar / rr, at, rt }'
done
