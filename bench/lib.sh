# Shared helpers of the side-by-side benchmarks (bench/compare.sh, rdb.sh, aof.sh): sourced, not run.
# Expects to be sourced from the repository root (the scripts cd there first).

require_tools() {
  for tool in "$@"; do
    command -v "$tool" >/dev/null || { echo "$tool not found" >&2; exit 1; }
  done
}

# free_port [PORT...]: a free loopback port, not one of the given ones. BENCH_PORTS=FIRST-LAST (e.g. 7140-7149) keeps
# the servers inside a given port range (shared machines).
free_port() { python3 -c '
import os, socket, sys
lo, _, hi = os.environ.get("BENCH_PORTS", "0-0").partition("-")
for p in (range(int(lo), int(hi) + 1) if int(lo) else [0]):
    if str(p) in sys.argv[1:]:
        continue
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p)); print(s.getsockname()[1]); break
    except OSError:
        pass
    finally:
        s.close()
' "$@"; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }
# info_field PORT FIELD [SECTION]: one INFO field's value (SECTION defaults to persistence).
info_field() { redis-cli -p "$1" info "${3:-persistence}" | tr -d '\r' | awk -F: -v f="$2" '$1 == f { print $2 }'; }
rss() { awk '/^VmRSS:/ { print $2 * 1024 }' "/proc/$1/status" 2>/dev/null || echo 0; }
# Private pages of a process (a forked child's copy-on-write cost); 0 when it is gone.
private_bytes() { awk '/^Private_(Clean|Dirty):/ { s += $2 } END { print s * 1024 }' "/proc/$1/smaps_rollup" 2>/dev/null || echo 0; }
children() { cat /proc/"$1"/task/*/children 2>/dev/null | tr ' ' '\n' | grep -v '^$' || true; }
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{v[NR]=$1} END { if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2 }'; }
range() { tr ' ' '\n' | grep -v '^$' | sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { print lo "–" hi }'; }
ratio() { awk -v a="$1" -v r="$2" 'BEGIN { if (r + 0 == 0) print "-"; else printf "%.2f", a / r }'; }
mb() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }

# warm_up PORT FUNCTION [MAX_PASSES]: runs "FUNCTION PORT" (one untimed benchmark pass) until the server's JIT has
# settled: .NET's tiered compilation recompiles hot methods for the first few hundred thousand requests, and a
# long-running server runs the final code. Settled: Amber's INFO jit_compiled_methods grew by fewer than 25 over the
# last pass (cold paths, the cron and INFO itself keep a trickle going), at most MAX_PASSES (6). A server without
# that field (redis-server) gets two passes. Prints the passes made.
warm_up() {
  local port=$1 fn=$2 max=${3:-6} pass before after
  for pass in $(seq 1 "$max"); do
    before=$(info_field "$port" jit_compiled_methods memory)
    "$fn" "$port"
    after=$(info_field "$port" jit_compiled_methods memory)
    if [ -z "$after" ]; then [ "$pass" -ge 2 ] && break; continue; fi
    [ "$pass" -ge 2 ] && [ $((after - before)) -lt 25 ] && break
  done
  echo "$pass"
}

# Results by "side,measure" key; get prints 0 for a missing one.
declare -A R
get() { echo "${R[$1]:-0}"; }

# Builds amber-server (Release) unless AMBER_DLL names a build to measure, and makes the work directory, removed with
# every server started at exit.
setup_run() {
  if [ -z "${AMBER_DLL:-}" ]; then
    dotnet build -c Release src/Amber.Server -v q -nologo >/dev/null
    AMBER_DLL=src/Amber.Server/bin/Release/net10.0/amber-server.dll
  fi
  WORK=$(mktemp -d)
  PIDS=()
  trap 'kill ${PIDS[@]:-} 2>/dev/null || true; rm -rf "$WORK"' EXIT
}

# start SIDE PORT DIR [config...]: starts a server with save points off (saves are explicit) and waits until it
# answers PONG (not LOADING); prints the seconds that took.
start() {
  local side=$1 port=$2 dir=$3 t0
  shift 3
  mkdir -p "$dir"
  t0=$(now)
  if [ "$side" = amber ]; then
    dotnet "$AMBER_DLL" --port "$port" --dir "$dir" --save "" "$@" >>"$dir/server.log" 2>&1 &
  else
    redis-server --port "$port" --dir "$dir" --save "" "$@" >>"$dir/server.log" 2>&1 &
  fi
  PIDS+=($!)
  echo $! >"$dir/pid"
  for _ in $(seq 1 6000); do
    [ "$(redis-cli -p "$port" ping 2>/dev/null)" = PONG ] && { elapsed "$t0"; return 0; }
    sleep 0.05
  done
  echo "$side did not start" >&2; return 1
}

wait_ready() { for _ in $(seq 1 200); do redis-cli -p "$1" ping >/dev/null 2>&1 && return 0; sleep 0.1; done; echo "server on $1 did not start" >&2; return 1; }

# start_pair: amber-server (AMBER_DLL, else this checkout built in Release) and redis-server side by side with the same
# settings, on BASE_PORT and BASE_PORT+1 when set, else on free ports; waits until both answer. Sets WORK, AMBER_PORT,
# REDIS_PORT, AMBER_PID and REDIS_PID; both servers and WORK go at exit.
start_pair() {
  if [ -z "${AMBER_DLL:-}" ]; then
    dotnet build -c Release src/Amber.Server -v q -nologo >/dev/null
    AMBER_DLL=src/Amber.Server/bin/Release/net10.0/amber-server.dll
  fi
  WORK=$(mktemp -d)
  if [ -n "${BASE_PORT:-}" ]; then
    AMBER_PORT=$BASE_PORT
    REDIS_PORT=$((BASE_PORT + 1))
  else
    AMBER_PORT=$(free_port)
    REDIS_PORT=$(free_port "$AMBER_PORT")
  fi
  local common=(--save "" --appendonly no --bind 127.0.0.1)
  dotnet "$AMBER_DLL" --port "$AMBER_PORT" --dir "$WORK" "${common[@]}" >"$WORK/amber.log" 2>&1 &
  AMBER_PID=$!
  redis-server --port "$REDIS_PORT" --dir "$WORK" "${common[@]}" >"$WORK/redis.log" 2>&1 &
  REDIS_PID=$!
  trap 'kill $AMBER_PID $REDIS_PID 2>/dev/null || true; rm -rf "$WORK"' EXIT
  wait_ready "$AMBER_PORT"
  wait_ready "$REDIS_PORT"
}
