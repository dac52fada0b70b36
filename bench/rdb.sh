#!/usr/bin/env bash
# RDB persistence, amber-server vs Debian's redis-server 7.0, side by side on the same data (issue 4):
# SAVE and BGSAVE seconds, file size, cold-start load seconds, p50/p99 latency of a steady redis-benchmark load with
# and without a BGSAVE running, and the peak extra memory while a BGSAVE runs and every key is being overwritten.
#
#   bench/rdb.sh [--strings N] [--hashes N] [--requests N] [--sides "redis amber"] [--only latency] [--port P]
#
# --only latency: load the data and measure only the latency part (quick iteration on a smaller dataset).
# --port P: use ports P and P+1 (one per side) instead of free ones picked at random.
# --amber-dll PATH: measure this build of amber-server.dll (e.g. a baseline of another commit) instead of building.
# Defaults: 2,000,000 strings of 100 bytes plus 10,000 hashes of 100 fields (bench/persist_gen.py).
# Extra memory: the dataset is overwritten once alone (control: what overwriting costs by itself, e.g. garbage
# awaiting the .NET GC) and once with a BGSAVE running; the BGSAVE's cost is the peak beyond the control. Amber's
# peak is its RSS; Redis's is parent RSS + the forked child's private pages (copy-on-write). Sampled every 50 ms.
# Needs redis-server, redis-cli, redis-benchmark (apt-get install -y redis-server redis-tools), python3, .NET SDK.
set -euo pipefail
cd "$(dirname "$0")/.."

STRINGS=2000000
HASHES=10000
REQUESTS=300000
SIDES="redis amber"
ONLY=""
PORT=""
while [ $# -gt 0 ]; do
  case "$1" in
    --strings) STRINGS=$2; shift 2 ;;
    --hashes) HASHES=$2; shift 2 ;;
    --requests) REQUESTS=$2; shift 2 ;;
    --sides) SIDES=$2; shift 2 ;;
    --only) ONLY=$2; shift 2 ;;
    --port) PORT=$2; shift 2 ;;
    --amber-dll) AMBER_DLL=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
source bench/lib.sh
require_tools redis-server redis-cli redis-benchmark python3
setup_run

wait_bgsave() { python3 bench/bgsave_poll.py wait "$1"; }

# bgsave_loop PORT: BGSAVEs back to back until $WORK/stop exists, polled over one connection at the lowest priority
# (bench/bgsave_poll.py says why not with redis-cli).
bgsave_loop() { python3 bench/bgsave_poll.py loop "$1" "$WORK/stop"; }

# gc_count PORT: Amber's collections so far (all, and those of gen1 or older) and their total pause in ms (INFO memory);
# gc_diff A B: B - A.
gc_count() { redis-cli -p "$1" info memory | tr -d '\r' | awk -F: '$1 == "gc_gen0_collections" { g0 = $2 } $1 == "gc_gen1_collections" { g1 = $2 } $1 == "gc_pause_total_ms" { p = $2 } END { print g0 + 0, g1 + 0, p + 0 }'; }
gc_diff() { read -r a0 a1 ap <<<"$1"; read -r b0 b1 bp <<<"$2"; echo "$((b0 - a0))+$((b1 - a1)) / $((bp - ap))"; }

# latency PORT [REQUESTS]: p50 and p99 (ms) of a steady SET/GET load over the dataset's keys.
latency() {
  redis-benchmark -p "$1" -c 50 -n "${2:-$REQUESTS}" -t set,get -r "$STRINGS" -d 100 --csv 2>/dev/null |
    awk -F'","' 'NR > 1 { gsub(/"/, "", $0); split($0, f, ","); p50 += f[5]; p99 += f[7]; n++ } END { printf "%.3f %.3f\n", p50 / n, p99 / n }'
}

python3 bench/persist_gen.py "$STRINGS" "$HASHES" 0 >"$WORK/load.resp"
if [ "$ONLY" != latency ]; then
  python3 bench/persist_gen.py "$STRINGS" "$HASHES" 1 >"$WORK/overwrite.resp"
  python3 bench/persist_gen.py "$STRINGS" "$HASHES" 2 >"$WORK/overwrite2.resp"
fi

for side in $SIDES; do
  if [ -n "$PORT" ]; then port=$PORT; PORT=$((PORT + 1)); else port=$(free_port); fi
  dir="$WORK/$side"
  start $side "$port" "$dir" --appendonly no >/dev/null
  pid=$(cat "$dir/pid")
  redis-cli -p "$port" --pipe <"$WORK/load.resp" >/dev/null
  echo "$side: loaded $(redis-cli -p "$port" dbsize) keys" >&2

  if [ "$ONLY" != latency ]; then
    t0=$(now); redis-cli -p "$port" save >/dev/null; R[$side,save]=$(elapsed "$t0")
    R[$side,size]=$(stat -c %s "$dir/dump.rdb")
    t0=$(now); redis-cli -p "$port" bgsave >/dev/null; wait_bgsave "$port"; R[$side,bgsave]=$(elapsed "$t0")
  fi

  # Warm-up, the same for both sides: the load with BGSAVEs back to back (the polling loop included) for a third of
  # the measured requests, so that what is measured is the steady state: Amber compiles its save path, INFO and the
  # request path to their final tier (JIT) during the first few saves and INFO polls, once per process.
  bgsave_loop "$port" &
  saver=$!
  latency "$port" "$((REQUESTS / 3))" >/dev/null
  touch "$WORK/stop"; wait $saver 2>/dev/null || true; rm -f "$WORK/stop"
  wait_bgsave "$port"
  gc0=$(gc_count "$port")
  read -r R[$side,p50] R[$side,p99] < <(latency "$port")
  gc1=$(gc_count "$port")
  bgsave_loop "$port" &
  saver=$!
  read -r R[$side,p50bg] R[$side,p99bg] < <(latency "$port")
  gc2=$(gc_count "$port")
  R[$side,saves]=$(info_field "$port" rdb_saves)
  touch "$WORK/stop"; wait $saver 2>/dev/null || true; rm -f "$WORK/stop"
  wait_bgsave "$port"
  [ "$side" = amber ] && echo "amber collections (all+gen1 or older / pause ms) during the load without BGSAVE: $(gc_diff "$gc0" "$gc1"); with BGSAVEs (${R[$side,saves]} saves so far): $(gc_diff "$gc1" "$gc2")" >&2
  if [ "$ONLY" = latency ]; then
    redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true
    wait "$pid" 2>/dev/null || true
    continue
  fi

  # Peak memory while the whole dataset is overwritten: first alone (the control: what overwriting costs by itself,
  # e.g. garbage awaiting the .NET GC), then with a BGSAVE running; each from a settled heap (MEMORY PURGE: Amber
  # runs a full compacting GC, Redis returns jemalloc's dirty pages). The BGSAVE's own cost is the difference.
  redis-cli -p "$port" memory purge >/dev/null
  before=$(rss "$pid"); control=$before
  redis-cli -p "$port" --pipe <"$WORK/overwrite2.resp" >/dev/null &
  writer=$!
  while kill -0 $writer 2>/dev/null; do
    total=$(rss "$pid"); [ "$total" -gt "$control" ] && control=$total
    sleep 0.05
  done
  R[$side,control]=$((control - before))
  redis-cli -p "$port" memory purge >/dev/null
  before=$(rss "$pid"); peak=$before
  redis-cli -p "$port" bgsave >/dev/null
  redis-cli -p "$port" --pipe <"$WORK/overwrite.resp" >/dev/null &
  writer=$!
  while :; do
    total=$(rss "$pid")
    for c in $(children "$pid"); do total=$((total + $(private_bytes "$c"))); done
    [ "$total" -gt "$peak" ] && peak=$total
    [ "$(info_field "$port" rdb_bgsave_in_progress)" = 0 ] && ! kill -0 $writer 2>/dev/null && break
    sleep 0.05
  done
  wait $writer
  R[$side,extra]=$((peak - before))
  R[$side,bgextra]=$((peak - before > R[$side,control] ? peak - before - R[$side,control] : 0))
  R[$side,rss]=$before
  R[$side,cow]=$(info_field "$port" rdb_last_cow_size)

  redis-cli -p "$port" save >/dev/null
  redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true
  wait "$pid" 2>/dev/null || true
  R[$side,load]=$(start $side "$port" "$dir" --appendonly no)
  pid=$(cat "$dir/pid")
  redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true
done

echo "| measure | amber | redis | amber/redis |"
echo "|---|---:|---:|---:|"
for m in save bgsave load; do
  echo "| $m seconds | $(get amber,$m) | $(get redis,$m) | $(ratio "$(get amber,$m)" "$(get redis,$m)") |"
done
echo "| dump.rdb MB | $(mb "$(get amber,size)") | $(mb "$(get redis,size)") | $(ratio "$(get amber,size)" "$(get redis,size)") |"
echo "| p50 ms, no BGSAVE | $(get amber,p50) | $(get redis,p50) | $(ratio "$(get amber,p50)" "$(get redis,p50)") |"
echo "| p50 ms, BGSAVE running | $(get amber,p50bg) | $(get redis,p50bg) | $(ratio "$(get amber,p50bg)" "$(get redis,p50bg)") |"
echo "| p99 ms, no BGSAVE | $(get amber,p99) | $(get redis,p99) | $(ratio "$(get amber,p99)" "$(get redis,p99)") |"
echo "| p99 ms, BGSAVE running | $(get amber,p99bg) | $(get redis,p99bg) | $(ratio "$(get amber,p99bg)" "$(get redis,p99bg)") |"
echo "| RSS before BGSAVE MB | $(mb "$(get amber,rss)") | $(mb "$(get redis,rss)") | $(ratio "$(get amber,rss)" "$(get redis,rss)") |"
echo "| peak extra MB, overwrite alone (control) | $(mb "$(get amber,control)") | $(mb "$(get redis,control)") | |"
echo "| peak extra MB, BGSAVE beyond the control | $(mb "$(get amber,bgextra)") | $(mb "$(get redis,bgextra)") | |"
echo "| peak extra MB during BGSAVE + overwrite | $(mb "$(get amber,extra)") | $(mb "$(get redis,extra)") | $(ratio "$(get amber,extra)" "$(get redis,extra)") |"
echo "| rdb_last_cow_size MB | $(mb "$(get amber,cow)") | $(mb "$(get redis,cow)") | |"
for side in amber redis; do
  echo "$side p99 with BGSAVE / without: $(ratio "$(get $side,p99bg)" "$(get $side,p99)"); BGSAVE extra beyond the control / RSS: $(ratio "$(get $side,bgextra)" "$(get $side,rss)")"
done
