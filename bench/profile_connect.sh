#!/usr/bin/env bash
# A connection set-up's cost in instructions and system calls (issue 16, target 4), repeatable on a
# busy machine where wall-clock CPU time is noise. bench/connect_driver.py sets up N SignalR
# connections as the official client does, phase by phase (negotiate on a fresh connection, the
# WebSocket upgrade, the hub handshake, then the clients' close), against
# build/switchboard service --threads 1, twice: with N connections and with 0. Per phase:
#   instructions per connection = (Ir with N - Ir with 0) / N   (valgrind --tool=callgrind; a dump
#       per phase with callgrind_control -d, collection on from the first phase)
#   system calls per connection  = (syscalls with N - with 0) / N (strace -c -f attached per phase)
#   CPU µs per connection        = the server's utime + stime over the phase / N, no tool attached
#       (10 ms ticks, moved by other load: indicative only)
#
#   bench/profile_connect.sh [--count N] [--batch B] [--keep DIR]
#
# Needs valgrind, strace, python3 and build/switchboard. --keep DIR keeps the callgrind dumps
# (callgrind_annotate DIR/<phase>.out shows where a phase's instructions go).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SWITCHBOARD="${SWITCHBOARD:-$ROOT/build/switchboard}"  # another build: SWITCHBOARD=path
DRIVER="$ROOT/bench/connect_driver.py"
KEY="switchboard-bench-key-0123456789abcdefghijklmnop"
COUNT=2000
BATCH=50
KEEP=""
PORT=$((20000 + RANDOM % 1000))
PHASES=(negotiate upgrade handshake close)
while [ $# -gt 0 ]; do
  case "$1" in
    --count) COUNT="$2"; shift 2 ;;
    --batch) BATCH="$2"; shift 2 ;;
    --keep) KEEP="$2"; mkdir -p "$KEEP"; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "profile_connect.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
for tool in valgrind callgrind_control strace python3; do
  command -v "$tool" >/dev/null || { echo "profile_connect.sh: $tool is missing" >&2; exit 1; }
done
[ -x "$SWITCHBOARD" ] || { echo "profile_connect.sh: $SWITCHBOARD is missing (make build)" >&2; exit 1; }
WORK="$(mktemp -d)"
SERVER_PID=""
DRIVER_PID=""
cleanup() {
  exec 4>&- 2>/dev/null || true
  [ -n "$DRIVER_PID" ] && kill "$DRIVER_PID" 2>/dev/null || true
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

wait_port() {
  for _ in $(seq 600); do
    python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', $1), 1)" 2>/dev/null && return 0
    sleep 0.2
  done
  echo "profile_connect.sh: nothing listens on $1" >&2; return 1
}

start_server() {  # start_server <wrapper...>
  PORT=$((PORT + 1))
  SWITCHBOARD_NEGOTIATE_RATE=0 "$@" "$SWITCHBOARD" --log-level warn service --port "$PORT" \
    --access-key "$KEY" --threads 1 >"$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  wait_port "$PORT"
}

stop_server() {
  kill "$SERVER_PID"; wait "$SERVER_PID" || true
  SERVER_PID=""
}

start_driver() {  # start_driver <count>
  rm -f "$WORK/driver.in"; mkfifo "$WORK/driver.in"
  python3 "$DRIVER" --port "$PORT" --key "$KEY" --count "$1" --batch "$BATCH" \
    <"$WORK/driver.in" >"$WORK/driver.out" 2>"$WORK/driver.err" &
  DRIVER_PID=$!
  exec 4>"$WORK/driver.in"
  wait_line "PHASE ${PHASES[0]}"
}

wait_line() {  # wait_line <text>: until the driver printed it (or failed)
  for _ in $(seq 6000); do
    grep -qx "$1" "$WORK/driver.out" && return 0
    kill -0 "$DRIVER_PID" 2>/dev/null || break
    sleep 0.1
  done
  grep -qx "$1" "$WORK/driver.out" && return 0
  echo "profile_connect.sh: the driver failed:" >&2; cat "$WORK/driver.err" >&2; return 1
}

run_phase() {  # run_phase <index>: lets the driver do phase <index>, returns when it is done
  local next="DONE"
  [ $(($1 + 1)) -lt ${#PHASES[@]} ] && next="PHASE ${PHASES[$(($1 + 1))]}"
  echo go >&4
  wait_line "$next"
  sleep 1  # the server's side of the phase (closes, late reads) finishes
}

finish_driver() {
  exec 4>&-
  wait "$DRIVER_PID" || true
  DRIVER_PID=""
}

instructions() {  # instructions <count>: prints "<Ir negotiate> <Ir upgrade> ..."
  start_server valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$WORK/cg-$1.out"
  start_driver "$1"
  callgrind_control -i on "$SERVER_PID" >/dev/null 2>&1
  callgrind_control -z "$SERVER_PID" >/dev/null 2>&1
  local totals=() i
  for i in "${!PHASES[@]}"; do
    run_phase "$i"
    callgrind_control -d "${PHASES[$i]}" "$SERVER_PID" >/dev/null 2>&1
  done
  finish_driver
  stop_server
  for i in "${!PHASES[@]}"; do
    local file="$WORK/cg-$1.out.$((i + 1))"
    [ -n "$KEEP" ] && [ "$1" -gt 0 ] && cp "$file" "$KEEP/${PHASES[$i]}.out"
    totals+=("$(awk '/^totals:/ {t = $2} /^summary:/ {s = $2} END {print (t != "" ? t : s)}' "$file")")
  done
  echo "${totals[@]}"
}

syscalls() {  # syscalls <count>: system calls of the server's threads, per phase
  start_server env
  start_driver "$1"
  local counts=() i tracer
  for i in "${!PHASES[@]}"; do
    strace -c -f -p "$SERVER_PID" -o "$WORK/strace-$1-$i.txt" 2>/dev/null &
    tracer=$!
    sleep 1
    run_phase "$i"
    kill -INT "$tracer"; wait "$tracer" || true
    [ -n "$KEEP" ] && [ "$1" -gt 0 ] && cp "$WORK/strace-$1-$i.txt" "$KEEP/strace-${PHASES[$i]}.txt"
    counts+=("$(awk '$NF == "total" {print $4}' "$WORK/strace-$1-$i.txt" | tail -1)")
  done
  finish_driver
  stop_server
  echo "${counts[@]}"
}

cpu_ticks() {  # cpu_ticks <count>: utime+stime of the server per phase, no tool
  start_server env
  start_driver "$1"
  local ticks=() i before
  for i in "${!PHASES[@]}"; do
    before=$(awk '{print $14 + $15}' "/proc/$SERVER_PID/stat")
    run_phase "$i"
    ticks+=($(($(awk '{print $14 + $15}' "/proc/$SERVER_PID/stat") - before)))
  done
  finish_driver
  stop_server
  echo "${ticks[@]}"
}

read -r -a ir_with <<<"$(instructions "$COUNT")"
read -r -a ir_without <<<"$(instructions 0)"
read -r -a sys_with <<<"$(syscalls "$COUNT")"
read -r -a sys_without <<<"$(syscalls 0)"
read -r -a ticks <<<"$(cpu_ticks "$COUNT")"
printf '%-10s %8s %16s %14s %14s %14s\n' phase clients "Ir (N clients)" "Ir per conn" "syscalls/conn" \
  "CPU µs/conn"
ir_sum=0; sys_sum=0; tick_sum=0
for i in "${!PHASES[@]}"; do
  per=$(( (ir_with[i] - ir_without[i]) / COUNT ))
  sys=$(python3 -c "print(f'{(${sys_with[$i]:-0} - ${sys_without[$i]:-0}) / $COUNT:.2f}')")
  cpu=$(python3 -c "print(f'{${ticks[$i]} * 1e6 / $(getconf CLK_TCK) / $COUNT:.1f}')")
  printf '%-10s %8d %16s %14s %14s %14s\n' "${PHASES[$i]}" "$COUNT" "${ir_with[$i]}" \
    "$(printf "%'d" "$per")" "$sys" "$cpu"
  ir_sum=$((ir_sum + ir_with[i] - ir_without[i]))
  sys_sum=$((sys_sum + ${sys_with[$i]:-0} - ${sys_without[$i]:-0}))
  tick_sum=$((tick_sum + ticks[i]))
done
printf '%-10s %8d %16s %14s %14s %14s\n' all "$COUNT" "" "$(printf "%'d" $((ir_sum / COUNT)))" \
  "$(python3 -c "print(f'{$sys_sum / $COUNT:.2f}')")" \
  "$(python3 -c "print(f'{$tick_sum * 1e6 / $(getconf CLK_TCK) / $COUNT:.1f}')")"
