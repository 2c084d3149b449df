#!/usr/bin/env bash
# The REST send's cost in instructions and system calls per call (issue 16, target 1), repeatable
# on a busy machine where wall-clock CPU time is noise. For each server it runs a fixed number of
# REST sends (bench/rest_sender.py: one keep-alive connection, one call at a time) at 100
# connected clients, twice: with N calls and with 0, and reports
#   instructions per call = (Ir with N calls - Ir with 0 calls) / N     (valgrind --tool=callgrind,
#       counted only between the first and the last call: callgrind_control -i on/off)
#   system calls per call  = (syscalls with N calls - with 0) / N       (strace -c -f, no valgrind)
#   CPU µs per call        = the server's utime + stime (/proc/<pid>/stat) over N calls / N, no tool
#       attached: wall-clock-free but still moved by other load (caches, frequency); indicative only
# User-space instructions are what our code costs; the system calls stand for the kernel's part
# (most of the floor's CPU is in the kernel: loopback TCP).
#
#   bench/profile_rest.sh [--count N] [--servers user,group,floor] [--clients C] [--keep DIR]
#
# user:  build/switchboard service --threads 1, 100 JSON clients (user u<i>), POST .../users/u<i>/:send
# group: the same, clients in 10 groups, POST .../groups/g<i>/:send (10 recipients a call)
# floor: build/bench/rest-floor (bench/floor/rest_floor.cpp), POST /users/u<i> raw: one frame a call
# Needs valgrind, strace, python3 and a build with -DSWITCHBOARD_BENCH=ON (make bench).
# --keep DIR keeps the callgrind files (callgrind_annotate DIR/<server>-<N>.out shows where it goes).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SWITCHBOARD="${SWITCHBOARD:-$ROOT/build/switchboard}"  # another build: SWITCHBOARD=path
LOADCLIENT="$ROOT/build/bench/switchboard-loadclient"
REST_FLOOR="$ROOT/build/bench/rest-floor"
KEY="switchboard-bench-key-0123456789abcdefghijklmnop"
COUNT=20000
SERVERS="user,group,floor"
CLIENTS=100
KEEP=""
PORT=$((19000 + RANDOM % 1000))
while [ $# -gt 0 ]; do
  case "$1" in
    --count) COUNT="$2"; shift 2 ;;
    --servers) SERVERS="$2"; shift 2 ;;
    --clients) CLIENTS="$2"; shift 2 ;;
    --keep) KEEP="$2"; mkdir -p "$KEEP"; shift 2 ;;
    -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
    *) echo "profile_rest.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
for tool in valgrind callgrind_control strace python3; do
  command -v "$tool" >/dev/null || { echo "profile_rest.sh: $tool is missing" >&2; exit 1; }
done
for binary in "$SWITCHBOARD" "$LOADCLIENT" "$REST_FLOOR"; do
  [ -x "$binary" ] || { echo "profile_rest.sh: $binary is missing (make bench)" >&2; exit 1; }
done
WORK="$(mktemp -d)"
SERVER_PID=""
LOADCLIENT_PID=""
cleanup() {
  exec 3>&- 2>/dev/null || true
  [ -n "$LOADCLIENT_PID" ] && kill "$LOADCLIENT_PID" 2>/dev/null || true
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
TOKEN="$("$SWITCHBOARD" token --access-key "$KEY" --hub bench --rest --lifetime 864000)"

wait_port() {
  for _ in $(seq 600); do
    python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', $1), 1)" 2>/dev/null && return 0
    sleep 0.2
  done
  echo "profile_rest.sh: nothing listens on $1" >&2; return 1
}

# start_server <server> <wrapper...>: the server under the given wrapper, clients connected.
start_server() {
  local server="$1"; shift
  PORT=$((PORT + 1))
  if [ "$server" = floor ]; then
    "$@" "$REST_FLOOR" "$PORT" "$CLIENTS" >"$WORK/server.log" 2>&1 &
    SERVER_PID=$!
    wait_port "$PORT"
    return
  fi
  "$@" "$SWITCHBOARD" --log-level warn service --port "$PORT" --access-key "$KEY" --threads 1 \
    >"$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  wait_port "$PORT"
  rm -f "$WORK/lc.in"; mkfifo "$WORK/lc.in"
  local groups=()
  [ "$server" = group ] && groups=(--groups 10)
  SWITCHBOARD_NEGOTIATE_RATE=0 "$LOADCLIENT" --port "$PORT" --clients "$CLIENTS" "${groups[@]}" \
    --access-key "$KEY" --keepalive 3600 <"$WORK/lc.in" >"$WORK/lc.out" 2>"$WORK/lc.err" &
  LOADCLIENT_PID=$!
  exec 3>"$WORK/lc.in"
  for _ in $(seq 600); do grep -q READY "$WORK/lc.err" && return 0; sleep 0.2; done
  echo "profile_rest.sh: the load client did not connect:" >&2; cat "$WORK/lc.err" >&2; return 1
}

stop_server() {
  if [ -n "$LOADCLIENT_PID" ]; then
    echo report >&3; echo stop >&3; exec 3>&-
    wait "$LOADCLIENT_PID" || true
    LOADCLIENT_PID=""
  fi
  kill "$SERVER_PID"; wait "$SERVER_PID" || true
  SERVER_PID=""
}

send_calls() {  # send_calls <server> <count>
  [ "$2" -eq 0 ] && { sleep 0.5; return; }
  case "$1" in
    user) python3 "$ROOT/bench/rest_sender.py" --port "$PORT" --count "$2" --spread "$CLIENTS" \
            --token "$TOKEN" --path '/api/hubs/bench/users/u%d/:send?api-version=2022-06-01' ;;
    group) python3 "$ROOT/bench/rest_sender.py" --port "$PORT" --count "$2" --spread 10 \
             --token "$TOKEN" --path '/api/hubs/bench/groups/g%d/:send?api-version=2022-06-01' ;;
    floor) python3 "$ROOT/bench/rest_sender.py" --port "$PORT" --count "$2" --spread "$CLIENTS" \
             --raw --path '/users/u%d' ;;
  esac >/dev/null
}

instructions() {  # instructions <server> <count>: Ir between the first and the last call
  start_server "$1" valgrind --tool=callgrind --instr-atstart=no \
    --callgrind-out-file="$WORK/$1-$2.%p.out"
  callgrind_control -i on "$SERVER_PID" >/dev/null
  send_calls "$1" "$2"
  callgrind_control -i off "$SERVER_PID" >/dev/null
  stop_server
  # rest-floor forks its client: the server's file is the one with the most instructions.
  local file
  file="$(for f in "$WORK/$1-$2".*.out; do
    echo "$(grep -m1 '^totals:' "$f" | awk '{print $2}') $f"; done | sort -n | tail -1 | cut -d' ' -f2)"
  [ -n "$KEEP" ] && cp "$file" "$KEEP/$1-$2.out"
  grep -m1 '^totals:' "$file" | awk '{print $2}'
}

syscalls() {  # syscalls <server> <count>: system calls of the server's threads during the calls
  start_server "$1" env
  strace -c -f -p "$SERVER_PID" -o "$WORK/strace-$1-$2.txt" 2>/dev/null &
  local tracer=$!
  sleep 1
  send_calls "$1" "$2"
  kill -INT "$tracer"; wait "$tracer" || true
  stop_server
  [ -n "$KEEP" ] && cp "$WORK/strace-$1-$2.txt" "$KEEP/"
  awk '$NF == "total" {print $4}' \
    "$WORK/strace-$1-$2.txt" | tail -1
}

cpu_ticks() {  # cpu_ticks <server> <count>: utime+stime of the server during the calls, no tool
  start_server "$1" env
  local before after
  before=$(awk '{print $14 + $15}' "/proc/$SERVER_PID/stat")
  send_calls "$1" "$2"
  after=$(awk '{print $14 + $15}' "/proc/$SERVER_PID/stat")
  stop_server
  echo $((after - before))
}

printf '%-6s %8s %16s %16s %14s %14s %14s\n' server calls "Ir (N calls)" "Ir (0 calls)" "Ir per call" \
  "syscalls/call" "CPU µs/call"
IFS=, read -r -a list <<<"$SERVERS"
for server in "${list[@]}"; do
  with=$(instructions "$server" "$COUNT")
  without=$(instructions "$server" 0)
  sys_with=$(syscalls "$server" "$COUNT")
  sys_without=$(syscalls "$server" 0)
  per_call=$(python3 -c "print(f'{($with - $without) / $COUNT:,.0f}')")
  sys_per_call=$(python3 -c "print(f'{(${sys_with:-0} - ${sys_without:-0}) / $COUNT:.2f}')")
  ticks=$(cpu_ticks "$server" "$COUNT")
  cpu_per_call=$(python3 -c "print(f'{$ticks * 1e6 / $(getconf CLK_TCK) / $COUNT:.2f}')")
  printf '%-6s %8d %16s %16s %14s %14s %14s\n' "$server" "$COUNT" "$with" "$without" "$per_call" \
    "$sys_per_call" "$cpu_per_call"
done
