#!/bin/sh
# Checks an image built from the Dockerfile (docs/install.md, "Docker") as a user would run it: the
# default command (`switchboard service`, options from the environment) answers /api/health, a
# negotiate with a client token and a REST send with a REST token; the HEALTHCHECK turns healthy;
# and `start` runs the chat example mounted at /app (JavaScript functions on the image's nodejs):
# sign-in, the negotiate function, and a negotiate at the embedded service with the token it handed
# out. Tokens are minted by the image's own `switchboard token`. Not part of `make test` (it needs a
# Docker daemon and an image). The containers share the host's network (ports CHECK_PORT, default
# 18890, and the next two) and are removed at the end.
#
#   docker build -t switchboard . && scripts/check-docker-image.sh [IMAGE]     (default: switchboard)
set -eu

image=${1:-switchboard}
port=${CHECK_PORT:-18890}
fport=$((port + 1))
sport=$((port + 2))
key=check-docker-image-key
name=switchboard-check-$$
app=$(mktemp -d /tmp/switchboard-check-app.XXXXXX)

cleanup() {
    docker rm -f "$name-service" "$name-start" >/dev/null 2>&1 || true
    rm -rf "$app"
}
trap cleanup EXIT INT TERM

fail() { echo "check-docker-image: $*" >&2; exit 1; }
step() { echo "== $*"; }
# Waits until `curl ARGS...` succeeds (20 s at most); the container's log on failure.
wait_for() {
    container=$1
    shift
    i=0
    until out=$(curl -fsS "$@" 2>/dev/null); do
        i=$((i + 1))
        [ $i -lt 100 ] || { docker logs "$container" >&2; fail "no answer from curl $*"; }
        sleep 0.2
    done
    printf '%s' "$out"
}
field() { sed -n "s/.*\"$1\":\"\\([^\"]*\\)\".*/\\1/p"; }

docker image inspect "$image" >/dev/null 2>&1 || fail "no image '$image' (docker build -t $image .)"

step "docker run $image (switchboard service; SWITCHBOARD_PORT=$port)"
docker run -d --name "$name-service" --network host -e SWITCHBOARD_ACCESS_KEY="$key" \
    -e SWITCHBOARD_PORT="$port" "$image" >/dev/null
wait_for "$name-service" "http://127.0.0.1:$port/api/health" >/dev/null
echo "  GET /api/health: 200"
client_token=$(docker exec "$name-service" switchboard token --access-key "$key" --hub chat --user alice)
negotiate=$(curl -sS -X POST -H "Authorization: Bearer $client_token" \
    "http://127.0.0.1:$port/client/negotiate?hub=chat&negotiateVersion=1")
case $negotiate in
    *'"connectionToken"'*'"WebSockets"'*) echo "  POST /client/negotiate: a connection token, WebSockets" ;;
    *) fail "negotiate answered: $negotiate" ;;
esac
rest_token=$(docker exec "$name-service" switchboard token --access-key "$key" --hub chat --rest)
status=$(curl -sS -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $rest_token" \
    -H 'Content-Type: application/json' -d '{"target":"newMessage","arguments":["hello"]}' \
    "http://127.0.0.1:$port/api/hubs/chat/:send?api-version=2022-06-01")
[ "$status" = 202 ] || fail "the REST send answered $status, not 202"
echo "  POST /api/hubs/chat/:send: 202"
if [ "$(docker inspect -f '{{if .Config.Healthcheck}}yes{{end}}' "$image")" = yes ]; then
    i=0
    until [ "$(docker inspect -f '{{.State.Health.Status}}' "$name-service")" = healthy ]; do
        i=$((i + 1))
        [ $i -lt 60 ] || fail "the HEALTHCHECK did not report healthy within 60 s"
        sleep 1
    done
    echo "  HEALTHCHECK: healthy"
fi

step "docker run -v APP:/app $image start /app (the chat example)"
cp -r "$(dirname "$0")/../examples/chat/." "$app/"
chmod -R a+rwX "$app"  # the container's user writes the host's keys to /app/.switchboard/
docker run -d --name "$name-start" --network host -v "$app:/app" "$image" \
    start /app --port "$fport" --service-port "$sport" >/dev/null
login=$(wait_for "$name-start" -X POST -H 'Content-Type: application/json' -d '{"name":"alice"}' \
    "http://127.0.0.1:$fport/api/login")
identity=$(printf '%s' "$login" | field token)
[ -n "$identity" ] || fail "POST /api/login answered no token: $login"
info=$(curl -fsS -X POST -H "Authorization: Bearer $identity" "http://127.0.0.1:$fport/api/negotiate")
access=$(printf '%s' "$info" | field accessToken)
[ -n "$access" ] || fail "the negotiate function answered no accessToken: $info"
echo "  POST /api/negotiate (function): url $(printf '%s' "$info" | field url), an access token"
negotiate=$(curl -sS -X POST -H "Authorization: Bearer $access" \
    "http://127.0.0.1:$sport/client/negotiate?hub=chat&negotiateVersion=1")
case $negotiate in
    *'"connectionToken"'*) echo "  POST /client/negotiate (embedded service, with that token): a connection token" ;;
    *) fail "the embedded service refused the function's token: $negotiate" ;;
esac

echo "check-docker-image: OK ($image)"
