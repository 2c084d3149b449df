#!/bin/bash
# `make cluster-demo`: a Redis, three Switchboard nodes on it and the chat example in front of
# them (http://localhost:7071/). Node a is `switchboard start examples/chat` (functions host and a
# service node in one process, on 8881); nodes b and c are `switchboard service` on 8882 and 8883.
# Every node accepts the same access key and sends its clients' events to node a's SignalR webhook;
# negotiate spreads the browsers over the three nodes, and a message sent in one browser reaches
# the others wherever they are. Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${SWITCHBOARD_BIN:-build/switchboard}
REDIS_PORT=${REDIS_PORT:-6390}
KEY=${CLUSTER_KEY:-$(head -c 32 /dev/urandom | base64 | tr -d '/+=\n' | head -c 43)}

pids=()
cleanup() {
  kill "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --loglevel warning &
pids+=($!)
export SWITCHBOARD_REDIS="redis://127.0.0.1:$REDIS_PORT"
for i in $(seq 50); do
  redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break
  sleep 0.1
done

AzureSignalRConnectionString="Endpoint=http://localhost;Port=8881;AccessKey=$KEY;Version=1.0;" \
  "$BIN" start examples/chat --node-id a &
pids+=($!)
# The chat's SignalR trigger functions run on node a's host: nodes b and c send their clients'
# events there (the webhook's system key is in the keys file node a keeps).
KEYS=examples/chat/.switchboard/host-keys.json
WEBHOOK_KEY=""
for i in $(seq 100); do
  WEBHOOK_KEY=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["systemKeys"]["signalr_extension"])' "$KEYS" 2>/dev/null || true)
  [ -n "$WEBHOOK_KEY" ] && break
  sleep 0.1
done
[ -n "$WEBHOOK_KEY" ] || { echo "node a wrote no webhook key to $KEYS" >&2; exit 1; }
UPSTREAM="http://127.0.0.1:7071/runtime/webhooks/signalr?code=$WEBHOOK_KEY"
"$BIN" service --port 8882 --access-key "$KEY" --node-id b --upstream "$UPSTREAM" &
pids+=($!)
"$BIN" service --port 8883 --access-key "$KEY" --node-id c --upstream "$UPSTREAM" &
pids+=($!)

sleep 1
echo
echo "Cluster demo: Redis on $REDIS_PORT, nodes a (8881, with the chat app), b (8882), c (8883)."
echo "Open http://localhost:7071/ in several browser tabs; node health:"
echo "  curl http://127.0.0.1:8881/api/health   (and 8882, 8883)"
wait -n "${pids[@]}"
