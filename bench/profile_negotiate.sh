#!/usr/bin/env bash
# A negotiate through the functions host in instructions and system calls (issue 16, target 4): the
# C++ app of bench/apps/negotiate-cpp (`negotiate-cpp start`: service and host in one process, the
# function run by the host, its signalRConnectionInfo input binding minting the client's access
# token) answers N POST /api/negotiate over one keep-alive connection, one at a time
# (bench/rest_sender.py, every answer checked to be 200), twice: with N calls and with 0.
#   instructions per negotiate = (Ir with N - Ir with 0) / N   (valgrind --tool=callgrind, counted
#       between the first and the last call: callgrind_control -i on/off)
#   system calls per negotiate  = (syscalls with N - with 0) / N (strace -c -f, no valgrind)
#   CPU µs per negotiate        = utime + stime of the process over the N calls / N, no tool attached
#       (10 ms ticks, moved by other load: indicative only)
#
#   bench/profile_negotiate.sh [--count N] [--keep DIR]
#
# Needs valgrind, strace, python3 and build/bench/negotiate-cpp (make bench, or cmake
# -DSWITCHBOARD_BENCH=ON). --keep DIR keeps the callgrind file (callgrind_annotate DIR/negotiate.out).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
HOST="${NEGOTIATE_CPP:-$ROOT/build/bench/negotiate-cpp}"  # another build: NEGOTIATE_CPP=path
APP="$ROOT/bench/apps/negotiate-cpp"
COUNT=20000
KEEP=""
PORT=$((21000 + RANDOM % 1000))
while [ $# -gt 0 ]; do
  case "$1" in
    --count) COUNT="$2"; shift 2 ;;
    --keep) KEEP="$2"; mkdir -p "$KEEP"; shift 2 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "profile_negotiate.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
for tool in valgrind callgrind_control strace python3; do
  command -v "$tool" >/dev/null || { echo "profile_negotiate.sh: $tool is missing" >&2; exit 1; }
done
[ -x "$HOST" ] || { echo "profile_negotiate.sh: $HOST is missing (make bench)" >&2; exit 1; }
WORK="$(mktemp -d)"
SERVER_PID=""
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

start_host() {  # start_host <wrapper...>: until it prints its functions
  PORT=$((PORT + 2))
  "$@" "$HOST" --log-level warn start "$APP" --port "$PORT" --service-port $((PORT + 1)) --threads 1 \
    >"$WORK/host.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 600); do
    grep -q "Functions:" "$WORK/host.log" && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.2
  done
  echo "profile_negotiate.sh: the host did not start:" >&2; cat "$WORK/host.log" >&2; return 1
}

stop_host() {
  kill "$SERVER_PID"; wait "$SERVER_PID" || true
  SERVER_PID=""
}

negotiates() {  # negotiates <count>
  [ "$1" -eq 0 ] && { sleep 0.5; return; }
  python3 "$ROOT/bench/rest_sender.py" --port "$PORT" --count "$1" --empty --expect 200 \
    --path /api/negotiate >/dev/null
}

instructions() {  # instructions <count>
  start_host valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$WORK/cg-$1.out"
  negotiates 1  # warms up what is built on first use (per-thread state, pools)
  callgrind_control -i on "$SERVER_PID" >/dev/null 2>&1
  negotiates "$1"
  callgrind_control -i off "$SERVER_PID" >/dev/null 2>&1
  stop_host
  [ -n "$KEEP" ] && [ "$1" -gt 0 ] && cp "$WORK/cg-$1.out" "$KEEP/negotiate.out"
  awk '/^totals:/ {t = $2} /^summary:/ {s = $2} END {print (t != "" ? t : s)}' "$WORK/cg-$1.out"
}

syscalls() {  # syscalls <count>
  start_host env
  negotiates 1
  strace -c -f -p "$SERVER_PID" -o "$WORK/strace-$1.txt" 2>/dev/null &
  local tracer=$!
  sleep 1
  negotiates "$1"
  kill -INT "$tracer"; wait "$tracer" || true
  stop_host
  [ -n "$KEEP" ] && [ "$1" -gt 0 ] && cp "$WORK/strace-$1.txt" "$KEEP/strace-negotiate.txt"
  awk '$NF == "total" {print $4}' "$WORK/strace-$1.txt" | tail -1
}

cpu_ticks() {  # cpu_ticks <count>
  start_host env
  negotiates 1
  local before
  before=$(awk '{print $14 + $15}' "/proc/$SERVER_PID/stat")
  negotiates "$1"
  echo $(($(awk '{print $14 + $15}' "/proc/$SERVER_PID/stat") - before))
  stop_host
}

with=$(instructions "$COUNT")
without=$(instructions 0)
sys_with=$(syscalls "$COUNT")
sys_without=$(syscalls 0)
ticks=$(cpu_ticks "$COUNT")
printf '%8s %16s %16s %16s %16s %14s\n' calls "Ir (N calls)" "Ir (0 calls)" "Ir per negotiate" "syscalls/call" \
  "CPU µs/call"
printf '%8d %16s %16s %16s %16s %14s\n' "$COUNT" "$with" "$without" \
  "$(python3 -c "print(f'{($with - $without) / $COUNT:,.0f}')")" \
  "$(python3 -c "print(f'{(${sys_with:-0} - ${sys_without:-0}) / $COUNT:.2f}')")" \
  "$(python3 -c "print(f'{$ticks * 1e6 / $(getconf CLK_TCK) / $COUNT:.2f}')")"
