#!/usr/bin/env python3
"""Sends exactly N REST sends over one keep-alive connection, one at a time (each waits for its
answer), and checks every answer is 202. For instruction-count profiles (bench/profile_rest.sh),
where a fixed number of calls matters and wall-clock speed does not.

  rest_sender.py --port P --path '/api/hubs/bench/users/u%d/:send?api-version=2022-06-01'
                 --count N [--spread S] [--token T] [--raw | --empty] [--expect STATUS]

"%d" in the path is replaced by i mod S for the i-th call (round robin over users or groups). The
body is the benchmarks' ~100-byte payload, wrapped as a REST send ({"target","arguments"}) unless
--raw; none with --empty (as bench/wrk/negotiate.lua posts). Prints "sent N" on success; exits 1 on any answer other than 202 (or --expect's status).
"""
import argparse
import socket
import sys


def read_answer(sock, buffered):
    """Reads one HTTP answer (head plus Content-Length bytes); returns (status, rest of buffer)."""
    while b"\r\n\r\n" not in buffered:
        chunk = sock.recv(65536)
        if not chunk:
            raise RuntimeError("connection closed before an answer")
        buffered += chunk
    head, _, rest = buffered.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split()[1])
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise RuntimeError("connection closed inside an answer body")
        rest += chunk
    return status, rest[length:]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--path", required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--spread", type=int, default=1)
    parser.add_argument("--token", default="")
    parser.add_argument("--raw", action="store_true")
    parser.add_argument("--empty", action="store_true")
    parser.add_argument("--expect", type=int, default=202)
    a = parser.parse_args()

    payload = '{"ts":1,"pad":"' + "x" * 60 + '"}'
    body = (payload if a.raw else '{"target":"bench","arguments":[' + payload + "]}").encode()
    if a.empty:
        body = b""
    auth = f"Authorization: Bearer {a.token}\r\n" if a.token else ""
    requests = []
    for i in range(min(a.count, a.spread) if "%d" in a.path else min(a.count, 1)):
        path = a.path.replace("%d", str(i)) if "%d" in a.path else a.path
        requests.append((f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{a.port}\r\n{auth}"
                         f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body)

    sock = socket.create_connection(("127.0.0.1", a.port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    buffered = b""
    for i in range(a.count):
        sock.sendall(requests[i % len(requests)])
        status, buffered = read_answer(sock, buffered)
        if status != a.expect:
            print(f"rest_sender: call {i} answered {status}", file=sys.stderr)
            return 1
    sock.close()
    print(f"sent {a.count}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
