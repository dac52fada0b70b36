#!/usr/bin/env bash
# AOF persistence, amber-server vs Debian's redis-server 7.0, side by side (issue 5):
# 1. redis-benchmark SET throughput at pipeline 1 and 16, 50 clients, under appendfsync no, everysec and always;
# 2. BGREWRITEAOF seconds and peak extra memory with the dataset loaded while the whole dataset is overwritten;
# 3. startup seconds from a plain AOF (aof-use-rdb-preamble no) and from a hybrid one (RDB preamble), same data.
#
#   bench/aof.sh [--strings N] [--hashes N] [--requests N] [--rounds N] [--sides "redis amber"] [--parts "fsync rewrite startup"]
#
# Data: bench/persist_gen.py (default 2,000,000 strings of 100 bytes plus 10,000 hashes of 100 fields).
# Extra memory as in bench/rdb.sh: Amber = peak RSS minus RSS before; Redis = peak (parent RSS + forked child's
# private pages) minus parent RSS before. Needs redis-server, redis-cli, redis-benchmark, python3, the .NET SDK.
set -euo pipefail
cd "$(dirname "$0")/.."

STRINGS=2000000
HASHES=10000
REQUESTS=200000
ROUNDS=3
SIDES="redis amber"
PARTS="fsync rewrite startup"
while [ $# -gt 0 ]; do
  case "$1" in
    --strings) STRINGS=$2; shift 2 ;;
    --hashes) HASHES=$2; shift 2 ;;
    --requests) REQUESTS=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --sides) SIDES=$2; shift 2 ;;
    --parts) PARTS=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
source bench/lib.sh
require_tools redis-server redis-cli redis-benchmark python3
setup_run

set_pass() { for p in 1 16; do redis-benchmark -p "$1" -c 50 -n "$REQUESTS" -P $p -t set -r 100000 -q >/dev/null 2>&1; done; }
stop() { redis-cli -p "$1" shutdown nosave >/dev/null 2>&1 || true; wait "$(cat "$2/pid")" 2>/dev/null || true; }
wait_rewrite() { while [ "$(info_field "$1" aof_rewrite_in_progress)" != 0 ] || [ "$(info_field "$1" aof_rewrite_scheduled)" != 0 ]; do sleep 0.05; done; }

if [[ " $PARTS " == *" fsync "* ]]; then
  for policy in no everysec always; do
    for side in $SIDES; do
      port=$(free_port); dir="$WORK/fsync-$side-$policy"
      # No automatic rewrite: the warm-up's and the rounds' SETs must not start one on either side.
      start $side "$port" "$dir" --appendonly yes --appendfsync $policy --auto-aof-rewrite-percentage 0 >/dev/null
      # Warm-up, untimed: a full run at each pipeline, repeated until Amber's JIT has settled (bench/lib.sh warm_up;
      # Redis gets two). After one such pass Amber's tiered compilation still recompiled for 2-3 more passes, which
      # cost its first measured pipeline-1 round 5-10%.
      echo "warm-up passes, $side $policy: $(warm_up "$port" set_pass)" >&2
      for round in $(seq 1 "$ROUNDS"); do
        for p in 1 16; do
          rps=$(redis-benchmark -p "$port" -c 50 -n "$REQUESTS" -P $p -t set -r 100000 --csv 2>/dev/null | awk -F'","' 'NR == 2 { print $2 }')
          R[$side,$policy,$p]+="$rps "
        done
      done
      stop "$port" "$dir"
      rm -rf "$dir"
    done
    echo "fsync $policy done" >&2
  done
  echo "| appendfsync | pipeline | amber SET/s | redis SET/s | amber/redis |"
  echo "|---|---:|---:|---:|---:|"
  for policy in no everysec always; do
    for p in 1 16; do
      a=$(get amber,$policy,$p | median); r=$(get redis,$policy,$p | median)
      echo "| $policy | $p | ${a:-0} | ${r:-0} | $(awk -v a="${a:-0}" -v r="${r:-0}" 'BEGIN { if (r + 0 == 0) print "-"; else printf "%.2f", a / r }') |"
      R[amber,$policy,$p,med]=${a:-0}
    done
  done
  for p in 1 16; do
    echo "amber always/everysec at pipeline $p: $(awk -v a="$(get amber,always,$p,med)" -v e="$(get amber,everysec,$p,med)" 'BEGIN { if (e + 0 == 0) print "-"; else printf "%.2f", a / e }')"
  done
fi

if [[ " $PARTS " == *" rewrite "* || " $PARTS " == *" startup "* ]]; then
  python3 bench/persist_gen.py "$STRINGS" "$HASHES" 0 >"$WORK/load.resp"
  python3 bench/persist_gen.py "$STRINGS" "$HASHES" 1 >"$WORK/overwrite.resp"
  for side in $SIDES; do
    port=$(free_port); dir="$WORK/data-$side"
    start $side "$port" "$dir" --appendonly yes --appendfsync everysec --aof-use-rdb-preamble yes --auto-aof-rewrite-percentage 0 >/dev/null
    pid=$(cat "$dir/pid")
    redis-cli -p "$port" --pipe <"$WORK/load.resp" >/dev/null
    wait_rewrite "$port"
    if [[ " $PARTS " == *" rewrite "* ]]; then
      before=$(rss "$pid"); peak=$before
      t0=$(now)
      redis-cli -p "$port" bgrewriteaof >/dev/null
      redis-cli -p "$port" --pipe <"$WORK/overwrite.resp" >/dev/null &
      writer=$!
      while :; do
        total=$(rss "$pid")
        for c in $(children "$pid"); do total=$((total + $(private_bytes "$c"))); done
        [ "$total" -gt "$peak" ] && peak=$total
        [ "$(info_field "$port" aof_rewrite_in_progress)" = 0 ] && break
        sleep 0.05
      done
      R[$side,rewrite]=$(elapsed "$t0")
      wait $writer
      R[$side,extra]=$((peak - before)); R[$side,rss]=$before
    fi
    if [[ " $PARTS " == *" startup "* ]]; then
      # Hybrid: rewrite with the RDB preamble, restart. Plain: rewrite as commands, restart.
      redis-cli -p "$port" bgrewriteaof >/dev/null; wait_rewrite "$port"
      stop "$port" "$dir"
      R[$side,hybrid]=$(start $side "$port" "$dir" --appendonly yes --aof-use-rdb-preamble yes)
      redis-cli -p "$port" config set aof-use-rdb-preamble no >/dev/null
      redis-cli -p "$port" bgrewriteaof >/dev/null; wait_rewrite "$port"
      stop "$port" "$dir"
      R[$side,plain]=$(start $side "$port" "$dir" --appendonly yes --aof-use-rdb-preamble no)
      R[$side,keys]=$(redis-cli -p "$port" dbsize)
    fi
    stop "$port" "$dir"
    rm -rf "$dir"
  done
  echo "| measure | amber | redis | amber/redis |"
  echo "|---|---:|---:|---:|"
  if [[ " $PARTS " == *" rewrite "* ]]; then
    echo "| BGREWRITEAOF seconds (while overwriting) | $(get amber,rewrite) | $(get redis,rewrite) | $(ratio "$(get amber,rewrite)" "$(get redis,rewrite)") |"
    echo "| RSS before MB | $(mb "$(get amber,rss)") | $(mb "$(get redis,rss)") | $(ratio "$(get amber,rss)" "$(get redis,rss)") |"
    echo "| peak extra MB during rewrite + overwrite | $(mb "$(get amber,extra)") | $(mb "$(get redis,extra)") | $(ratio "$(get amber,extra)" "$(get redis,extra)") |"
  fi
  if [[ " $PARTS " == *" startup "* ]]; then
    echo "| startup seconds, hybrid AOF | $(get amber,hybrid) | $(get redis,hybrid) | $(ratio "$(get amber,hybrid)" "$(get redis,hybrid)") |"
    echo "| startup seconds, plain AOF | $(get amber,plain) | $(get redis,plain) | $(ratio "$(get amber,plain)" "$(get redis,plain)") |"
    echo "| keys after restart | $(get amber,keys) | $(get redis,keys) | |"
  fi
fi
