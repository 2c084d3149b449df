#!/bin/bash
# Installs what the benchmarks need, only what is missing (idempotent): wrk, gnuplot-nox,
# redis-server (the cluster scenario's), valgrind and strace (bench/profile_rest.sh) from Debian,
# the Node peers (ws, Socket.IO, and the Socket.IO Redis adapter with the `redis` client) pinned by
# bench/peers/package-lock.json.
set -euo pipefail
cd "$(dirname "$0")"
missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v gnuplot >/dev/null || missing+=(gnuplot-nox)
command -v taskset >/dev/null || missing+=(util-linux)
command -v python3 >/dev/null || missing+=(python3)
[ -x /usr/bin/redis-server ] || missing+=(redis-server)
command -v valgrind >/dev/null || missing+=(valgrind)  # bench/profile_rest.sh
command -v strace >/dev/null || missing+=(strace)      # bench/profile_rest.sh
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi
if [ ! -d peers/node_modules ] || [ peers/package-lock.json -nt peers/node_modules/.package-lock.json ]; then
  (cd peers && npm ci --no-audit --no-fund --loglevel=error)
fi
