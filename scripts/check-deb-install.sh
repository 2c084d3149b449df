#!/bin/sh
# Checks that the Debian package installs and runs on a fresh Debian 12 (docs/install.md): makes a
# minimal bookworm with debootstrap in a new folder, installs the .deb there with apt (which fetches
# its Depends and Recommends from the Debian mirror), starts the installed `switchboard service`
# inside the chroot and asks it what a user would: /api/health, a negotiate with a client token and a
# REST send with a REST token, both minted by the installed `switchboard token`; then runs the
# installed chat example with `switchboard start` (JavaScript functions on Debian's nodejs): sign in,
# the negotiate function, and a negotiate at the embedded service with the token it handed out. Not part of
# `make test`: it downloads about 200 MB. Needs root (debootstrap, chroot, mount).
#
#   scripts/check-deb-install.sh [DEB]     (default: the newest build/switchboard_*.deb; make package)
#
# Environment: DEBIAN_MIRROR (default http://deb.debian.org/debian), CHECK_ROOT (the folder for the
# chroot, default a new one under /tmp; removed at the end unless KEEP_ROOT=1), CHECK_PORT (18888;
# start uses the next two ports).
set -eu

deb=${1:-$(ls -t build/switchboard_*.deb 2>/dev/null | head -n 1)}
[ -n "$deb" ] && [ -f "$deb" ] || { echo "check-deb-install: no .deb (run make package first)" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "check-deb-install: needs root (debootstrap, chroot)" >&2; exit 2; }
command -v debootstrap >/dev/null || { echo "check-deb-install: debootstrap is not installed (apt-get install debootstrap)" >&2; exit 2; }

mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
port=${CHECK_PORT:-18888}
root=${CHECK_ROOT:-$(mktemp -d /tmp/switchboard-bookworm.XXXXXX)}
key=check-deb-install-key
service_pid=

cleanup() {
    [ -n "$service_pid" ] && kill "$service_pid" 2>/dev/null && wait "$service_pid" 2>/dev/null
    umount "$root/proc" 2>/dev/null || true
    if [ "${KEEP_ROOT:-0}" != 1 ]; then rm -rf "$root"; fi
}
trap cleanup EXIT INT TERM

step() { echo "== $*"; }
in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive "$@"; }
# Prints what `curl ARGS...` (in the chroot) answers once it succeeds; fails with LOG (the server's
# output, under the chroot) when the server exits or 20 s pass.
wait_for() {
    log=$1
    shift
    i=0
    until out=$(in_root curl -fsS "$@" 2>/dev/null); do
        i=$((i + 1))
        if [ $i -ge 100 ] || ! kill -0 "$service_pid" 2>/dev/null; then
            echo "check-deb-install: no answer from the installed switchboard to curl $*:" >&2
            cat "$root$log" >&2
            exit 1
        fi
        sleep 0.2
    done
    printf '%s' "$out"
}

step "debootstrap --variant=minbase bookworm $root $mirror"
debootstrap --variant=minbase bookworm "$root" "$mirror" >"$root.debootstrap.log" 2>&1 || {
    echo "check-deb-install: debootstrap failed (log: $root.debootstrap.log):" >&2
    tail -n 20 "$root.debootstrap.log" >&2
    exit 1
}
rm -f "$root.debootstrap.log"
mount -t proc proc "$root/proc"
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true

step "apt-get install ./$(basename "$deb") (with its Recommends) and curl"
cp "$deb" "$root/tmp/"
in_root apt-get update -q
in_root apt-get install -y -q "/tmp/$(basename "$deb")" curl
in_root dpkg -s switchboard | sed -n 's/^\(Version\|Depends\|Recommends\):/  &/p'
for f in /usr/bin/switchboard /usr/lib/systemd/system/switchboard.service /etc/switchboard/switchboard.env \
         /usr/share/switchboard/workers/node/worker.mjs; do
    [ -e "$root$f" ] || { echo "check-deb-install: the package did not install $f" >&2; exit 1; }
done

step "switchboard service --port $port (installed, in the chroot)"
chroot "$root" /usr/bin/switchboard service --port "$port" --access-key "$key" >"$root/tmp/service.log" 2>&1 &
service_pid=$!
wait_for /tmp/service.log "http://127.0.0.1:$port/api/health" >/dev/null
echo "  GET /api/health: $(in_root curl -sS -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/api/health")"

client_token=$(in_root switchboard token --access-key "$key" --hub chat --user alice)
negotiate=$(in_root curl -sS -X POST -H "Authorization: Bearer $client_token" \
    "http://127.0.0.1:$port/client/negotiate?hub=chat&negotiateVersion=1")
echo "  POST /client/negotiate: $negotiate"
case $negotiate in
    *'"connectionToken"'*'"WebSockets"'*) ;;
    *) echo "check-deb-install: negotiate did not answer a connection token and WebSockets" >&2; exit 1 ;;
esac

rest_token=$(in_root switchboard token --access-key "$key" --hub chat --rest)
status=$(in_root curl -sS -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $rest_token" \
    -H 'Content-Type: application/json' -d '{"target":"newMessage","arguments":["hello"]}' \
    "http://127.0.0.1:$port/api/hubs/chat/:send?api-version=2022-06-01")
echo "  POST /api/hubs/chat/:send: $status"
[ "$status" = 202 ] || { echo "check-deb-install: the REST send answered $status, not 202" >&2; exit 1; }

kill "$service_pid" && wait "$service_pid" 2>/dev/null
service_pid=

step "switchboard start (the installed chat example: JavaScript functions on Debian's nodejs)"
in_root node --version
in_root cp -r /usr/share/doc/switchboard/examples/chat /tmp/chat
fport=$((port + 1))
sport=$((port + 2))
chroot "$root" /usr/bin/switchboard start /tmp/chat --port "$fport" --service-port "$sport" >"$root/tmp/start.log" 2>&1 &
service_pid=$!
# The demo sign-in (POST /api/login, a JavaScript function) answers once the worker runs.
login=$(wait_for /tmp/start.log -X POST -H 'Content-Type: application/json' -d '{"name":"alice"}' \
    "http://127.0.0.1:$fport/api/login")
identity=$(printf '%s' "$login" | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
[ -n "$identity" ] || { echo "check-deb-install: POST /api/login answered no token: $login" >&2; exit 1; }
info=$(in_root curl -fsS -X POST -H "Authorization: Bearer $identity" "http://127.0.0.1:$fport/api/negotiate")
access=$(printf '%s' "$info" | sed -n 's/.*"accessToken":"\([^"]*\)".*/\1/p')
echo "  POST /api/negotiate (function): $(printf '%s' "$info" | sed -n 's/.*"url":"\([^"]*\)".*/url \1/p'), an access token"
[ -n "$access" ] || { echo "check-deb-install: the negotiate function answered no accessToken: $info" >&2; exit 1; }
negotiate=$(in_root curl -sS -X POST -H "Authorization: Bearer $access" \
    "http://127.0.0.1:$sport/client/negotiate?hub=chat&negotiateVersion=1")
case $negotiate in
    *'"connectionToken"'*) echo "  POST /client/negotiate (embedded service, with that token): a connection token" ;;
    *) echo "check-deb-install: the embedded service refused the function's token: $negotiate" >&2; exit 1 ;;
esac

echo "check-deb-install: OK ($(basename "$deb") installed and answering on a fresh Debian 12)"
