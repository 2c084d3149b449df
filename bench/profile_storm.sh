#!/usr/bin/env bash
# Where a connection storm's WebSocket part spends the server's CPU on this machine (issue 16,
# target 4), as perf samples rather than valgrind's instruction counts (which run OpenSSL without
# the CPU's SHA extensions and see no kernel). build/switchboard service --threads 1 runs on CPU 0;
# the load client (build/bench/switchboard-loadclient, CPU 1) negotiates N clients first, untimed,
# then opens all their WebSockets and hub handshakes at once ("go"), as the storm scenario's
# "WebSocket part" row. Over that part it reports the server's CPU µs per connection
# (/proc/<pid>/stat, 10 ms ticks) and, with --perf, perf's samples of the server by shared object and
# the top symbols, and those samples summed into the parts of a set-up (bench/perf_categories.py).
# --bun: the same for the Bun peer (bench/peers/bun-server.mjs; its storm is the WebSocket alone,
# as in the storm scenario), for comparison.
#
# --strace: instead of perf, `strace -c -f` of the server over that part: its system calls by name
# (counts are what to compare; strace slows the server, so its CPU figure is not one).
#
#   bench/profile_storm.sh [--clients N] [--perf | --strace] [--keep DIR] [--bun]
#
# Needs a build with -DSWITCHBOARD_BENCH=ON (make bench), taskset, python3, and perf for --perf
# (perf_event_paranoid must allow it) or strace for --strace; for --bun, bench/install.sh's peers.
# Another build: SWITCHBOARD=path. --keep DIR keeps perf.data.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SWITCHBOARD="${SWITCHBOARD:-$ROOT/build/switchboard}"
LOADCLIENT="${BENCH_LOADCLIENT:-$ROOT/build/bench/switchboard-loadclient}"
KEY="switchboard-bench-key-0123456789abcdefghijklmnop"
CLIENTS=10000
PERF=""
KEEP=""
BUN=""
STRACE=""
PORT=$((21000 + RANDOM % 1000))
while [ $# -gt 0 ]; do
  case "$1" in
    --clients) CLIENTS="$2"; shift 2 ;;
    --perf) PERF=1; shift ;;
    --strace) STRACE=1; shift ;;
    --keep) KEEP="$2"; mkdir -p "$KEEP"; shift 2 ;;
    --bun) BUN="${BENCH_BUN:-$ROOT/bench/peers/node_modules/@oven/bun-linux-x64/bin/bun}"; shift ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "profile_storm.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
for tool in taskset python3 ${PERF:+perf} ${STRACE:+strace}; do
  command -v "$tool" >/dev/null || { echo "profile_storm.sh: $tool is missing" >&2; exit 1; }
done
for binary in "$SWITCHBOARD" "$LOADCLIENT" ${BUN:+"$BUN"}; do
  [ -x "$binary" ] || { echo "profile_storm.sh: $binary is missing (make bench)" >&2; exit 1; }
done
WORK="$(mktemp -d)"
SERVER_PID=""
LOAD_PID=""
PERF_PID=""
cleanup() {
  exec 3>&- 2>/dev/null || true
  [ -n "$PERF_PID" ] && kill -INT "$PERF_PID" 2>/dev/null || true
  [ -n "$LOAD_PID" ] && kill "$LOAD_PID" 2>/dev/null || true
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

wait_line() {  # wait_line <prefix> <file> <seconds>: prints the first line that starts with it
  for _ in $(seq $(($3 * 10))); do
    if line=$(grep -m1 "^$1" "$2"); then echo "$line"; return 0; fi
    kill -0 "$LOAD_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "profile_storm.sh: no '$1' from the load client; it said:" >&2
  tail -5 "$2" >&2
  return 1
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$SERVER_PID/stat"; }

if [ -n "$BUN" ]; then
  (cd "$ROOT/bench/peers" && exec taskset -c 0 "$BUN" bun-server.mjs "$PORT") >"$WORK/server.log" 2>&1 &
else
  SWITCHBOARD_NEGOTIATE_RATE=0 taskset -c 0 "$SWITCHBOARD" --log-level warn service --port "$PORT" \
    --access-key "$KEY" --threads 1 >"$WORK/server.log" 2>&1 &
fi
SERVER_PID=$!
for _ in $(seq 100); do
  python3 -c "import socket; socket.create_connection(('127.0.0.1', $PORT), 1)" 2>/dev/null && break
  sleep 0.1
done

start_perf() {
  if [ -n "$STRACE" ]; then
    strace -c -f -p "$SERVER_PID" -o "$WORK/strace.txt" 2>/dev/null &
    PERF_PID=$!
    sleep 1  # attached
    return 0
  fi
  [ -n "$PERF" ] || return 0
  perf record -F 4999 -p "$SERVER_PID" -o "$WORK/perf.data" >/dev/null 2>"$WORK/perf.err" &
  PERF_PID=$!
  sleep 1  # perf attached
}
mkfifo "$WORK/load.in"
if [ -n "$BUN" ]; then
  # The peers' storm: the WebSocket alone, all at once, timed from the start.
  start_perf
  before=$(cpu_ticks)
  taskset -c 1 "$LOADCLIENT" --protocol ws --port "$PORT" --clients "$CLIENTS" \
    --connect-concurrency "$CLIENTS" <"$WORK/load.in" >"$WORK/load.out" 2>"$WORK/load.err" &
  LOAD_PID=$!
  exec 3>"$WORK/load.in"
else
  taskset -c 1 "$LOADCLIENT" --protocol json --port "$PORT" --clients "$CLIENTS" --hub bench \
    --access-key "$KEY" --connect-concurrency "$CLIENTS" --negotiate-first 1 \
    <"$WORK/load.in" >"$WORK/load.out" 2>"$WORK/load.err" &
  LOAD_PID=$!
  exec 3>"$WORK/load.in"
  echo "negotiated first: $(wait_line NEGOTIATED "$WORK/load.err" 120)"
  start_perf
  before=$(cpu_ticks)
  echo go >&3
fi
ready=$(wait_line READY "$WORK/load.err" 300)
after=$(cpu_ticks)
if [ -n "$PERF" ] || [ -n "$STRACE" ]; then
  kill -INT "$PERF_PID"; wait "$PERF_PID" || true
  PERF_PID=""
fi
connected=$(sed -E 's/.*connected=([0-9]+).*/\1/' <<<"$ready")
echo "storm: $ready"
python3 -c "print(f'server CPU per connection: {($after - $before) * 10000 / max(1, $connected):.0f} us (10 ms ticks over the WebSocket part)')"

if [ -n "$PERF" ]; then
  echo
  echo "perf samples of the server by shared object:"
  # (awk, not head: with pipefail, perf killed by a closed pipe would end the script here)
  perf report -i "$WORK/perf.data" --sort dso --stdio 2>/dev/null | grep -E '^ +[0-9]' | awk 'NR <= 10'
  echo
  echo "top symbols:"
  perf report -i "$WORK/perf.data" --sort dso,sym --stdio 2>/dev/null | grep -E '^ +[0-9]' |
    awk 'NR <= 30' | cut -c1-150
  echo
  echo "by part of the set-up (bench/perf_categories.py):"
  perf report -i "$WORK/perf.data" --sort dso,sym --stdio 2>/dev/null |
    python3 "$ROOT/bench/perf_categories.py"
  [ -n "$KEEP" ] && cp "$WORK/perf.data" "$KEEP/perf.data" && echo "kept $KEEP/perf.data"
fi
if [ -n "$STRACE" ]; then
  echo
  echo "system calls of the server over the WebSocket part (strace -c -f):"
  awk 'NR <= 20' "$WORK/strace.txt"
fi
