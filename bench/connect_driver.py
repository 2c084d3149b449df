#!/usr/bin/env python3
"""Sets up exactly N SignalR connections as the official client does, phase by phase, for
instruction-count profiles of the connection set-up (bench/profile_connect.sh), where a fixed number
of connections matters and wall-clock speed does not.

  connect_driver.py --port P --key K --count N [--hub bench] [--batch B]

Phases, each over all N clients in batches of B clients in flight at once:
  negotiate  a new TCP connection per client: POST /client/negotiate?hub=H&negotiateVersion=1 with the
             client's own access token (HS256, user u<i>, minted here from the key), 200 expected,
             then the client closes that connection (as a browser's fresh fetch connection would)
  upgrade    a new TCP connection per client: the WebSocket upgrade to /client/?hub=H&id=<connection
             token>&access_token=<token>, 101 expected
  handshake  the hub handshake {"protocol":"json","version":1} in a masked text frame, the empty
             handshake answer {} expected
  close      every client closes its socket (FIN), as a tab that goes away
Before each phase it prints "PHASE <name>" and waits for a line on stdin; after the last one it prints
"DONE" and exits. Any unexpected answer ends it with exit status 1 and the reason on stderr.
"""
import argparse
import base64
import hashlib
import hmac
import json
import os
import socket
import sys
import time


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def mint(key, audience, user, now):
    header = b64url(b'{"alg":"HS256","typ":"JWT"}')
    claims = b64url(json.dumps({"aud": audience, "iat": now, "nbf": now, "exp": now + 86400,
                                "asrs.s.uid": user}, separators=(",", ":")).encode())
    signing = f"{header}.{claims}"
    mac = hmac.new(key.encode(), signing.encode(), hashlib.sha256).digest()
    return f"{signing}.{b64url(mac)}"


def read_head(sock, buffered=b""):
    while b"\r\n\r\n" not in buffered:
        chunk = sock.recv(65536)
        if not chunk:
            raise RuntimeError("connection closed before an answer")
        buffered += chunk
    head, _, rest = buffered.partition(b"\r\n\r\n")
    return head.decode("latin-1"), rest


def read_answer(sock):
    head, body = read_head(sock)
    status = int(head.split(" ", 2)[1])
    length = 0
    for line in head.split("\r\n")[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise RuntimeError("connection closed inside an answer body")
        body += chunk
    return status, body[:length]


def masked_text_frame(payload):
    mask = os.urandom(4)
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    assert len(payload) < 126
    return bytes([0x81, 0x80 | len(payload)]) + mask + masked


def read_frame(sock, buffered):
    while True:
        if len(buffered) >= 2:
            length = buffered[1] & 0x7F
            if length < 126 and len(buffered) >= 2 + length:
                return buffered[2:2 + length], buffered[2 + length:]
        chunk = sock.recv(65536)
        if not chunk:
            raise RuntimeError("connection closed before the handshake answer")
        buffered += chunk


def connect(port):
    sock = socket.create_connection(("127.0.0.1", port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def batches(count, size):
    for start in range(0, count, size):
        yield range(start, min(count, start + size))


def wait_phase(name):
    print(f"PHASE {name}", flush=True)
    if not sys.stdin.readline():
        raise SystemExit(0)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--hub", default="bench")
    parser.add_argument("--batch", type=int, default=50)
    a = parser.parse_args()

    now = int(time.time())
    audience = f"http://localhost/client/?hub={a.hub}"
    tokens = [mint(a.key, audience, f"u{i}", now) for i in range(a.count)]
    host = f"127.0.0.1:{a.port}"
    connection_tokens = [None] * a.count
    sockets = [None] * a.count
    leftovers = [b""] * a.count

    wait_phase("negotiate")
    for batch in batches(a.count, a.batch):
        opened = {}
        for i in batch:
            opened[i] = connect(a.port)
            opened[i].sendall((f"POST /client/negotiate?hub={a.hub}&negotiateVersion=1 HTTP/1.1\r\n"
                               f"Host: {host}\r\nAuthorization: Bearer {tokens[i]}\r\n"
                               "Content-Length: 0\r\n\r\n").encode())
        for i, sock in opened.items():
            status, body = read_answer(sock)
            if status != 200:
                raise RuntimeError(f"negotiate {i}: {status} {body[:200]!r}")
            connection_tokens[i] = json.loads(body)["connectionToken"]
            sock.close()

    wait_phase("upgrade")
    for batch in batches(a.count, a.batch):
        for i in batch:
            sockets[i] = connect(a.port)
            key = base64.b64encode(os.urandom(16)).decode()
            sockets[i].sendall((f"GET /client/?hub={a.hub}&id={connection_tokens[i]}&access_token={tokens[i]} "
                                f"HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        for i in batch:
            head, leftovers[i] = read_head(sockets[i])
            if not head.startswith("HTTP/1.1 101"):
                raise RuntimeError(f"upgrade {i}: {head.splitlines()[0]}")

    wait_phase("handshake")
    hello = masked_text_frame(b'{"protocol":"json","version":1}\x1e')
    for batch in batches(a.count, a.batch):
        for i in batch:
            sockets[i].sendall(hello)
        for i in batch:
            payload, leftovers[i] = read_frame(sockets[i], leftovers[i])
            if payload != b"{}\x1e":
                raise RuntimeError(f"handshake {i}: {payload[:200]!r}")

    wait_phase("close")
    for sock in sockets:
        if sock:
            sock.close()
    print("DONE", flush=True)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except RuntimeError as e:
        print(f"connect_driver: {e}", file=sys.stderr)
        sys.exit(1)
