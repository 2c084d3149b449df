#!/bin/bash
# Packs what bench/cluster_100k.py runs into one folder, for a machine without build tools (python3
# is all it needs there): DIR/bin/{switchboard,switchboard-loadclient,redis-server} (stripped
# copies), DIR/lib/ with every shared library `ldd` lists for them plus the loader, and the three
# Python files of the script. There: `python3 DIR/cluster_100k.py --out results` (it finds bin/
# and lib/ beside itself and runs DIR/lib/ld-linux-x86-64.so.2 --library-path DIR/lib DIR/bin/X).
# Usage: bench/bundle.sh [DIR]   (default: bundle/ in the repository root; build/ must be built,
# e.g. cmake -S . -B build -DSWITCHBOARD_BENCH=ON && cmake --build build --target switchboard switchboard-loadclient)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIR=${1:-$ROOT/bundle}
SWITCHBOARD=${SWITCHBOARD_BIN:-$ROOT/build/switchboard}
LOADCLIENT=${BENCH_LOADCLIENT:-$ROOT/build/bench/switchboard-loadclient}
REDIS=${REDIS_SERVER:-/usr/bin/redis-server}
for f in "$SWITCHBOARD" "$LOADCLIENT" "$REDIS"; do
  [ -x "$f" ] || { echo "bundle.sh: missing $f" >&2; exit 1; }
done
rm -rf "$DIR/bin" "$DIR/lib"
mkdir -p "$DIR/bin" "$DIR/lib"
strip -o "$DIR/bin/switchboard" "$SWITCHBOARD"
strip -o "$DIR/bin/switchboard-loadclient" "$LOADCLIENT"
# Debian's /usr/bin/redis-server is a link to redis-check-rdb, and redis picks its mode from the
# program's name: the copy must be called redis-server.
strip -o "$DIR/bin/redis-server" "$(readlink -f "$REDIS")"
for bin in "$DIR"/bin/*; do
  ldd "$bin" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'
done | sort -u | while read -r lib; do
  cp -L "$lib" "$DIR/lib/$(basename "$lib")"
done
[ -e "$DIR/lib/ld-linux-x86-64.so.2" ] || { echo "bundle.sh: no ld-linux-x86-64.so.2 in ldd's output" >&2; exit 1; }
cp "$ROOT/bench/cluster_100k.py" "$ROOT/bench/cluster_procs.py" "$ROOT/bench/proc_stats.py" "$DIR/"
# Check: each program starts through the bundled loader alone.
for name in switchboard switchboard-loadclient; do
  "$DIR/lib/ld-linux-x86-64.so.2" --library-path "$DIR/lib" "$DIR/bin/$name" --help >/dev/null 2>&1
done
"$DIR/lib/ld-linux-x86-64.so.2" --library-path "$DIR/lib" "$DIR/bin/redis-server" --version >/dev/null
echo "bundle: $DIR ($(du -sh "$DIR" | cut -f1)): $(ls "$DIR/bin" | tr '\n' ' ')+ $(ls "$DIR/lib" | wc -l) libraries"
