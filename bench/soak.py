#!/usr/bin/env python3
"""Soak benchmark (not part of `make test`): one `switchboard service`, N WebSocket clients held by
several node processes (bench/soak_worker.mjs, at most --per-worker clients each), steady REST
broadcasts, user sends and group sends with sequence numbers, and --reconnect-percent of the
clients reconnecting every minute. Every client checks the numbers of what it must receive (its
broadcasts, its user's sends, its group's sends): a gap is a lost message. Records the service's
RSS every --sample seconds; writes soak.csv, soak.svg (RSS and connections over time) and
summary.json into --out.

    python3 bench/soak.py --connections 15000 --minutes 30 --out docs/bench-results/soak

Pass: RSS growth after warm-up (--warmup-minutes, default a sixth of the run) under 5 %,
0 lost messages, 0 unexpected disconnects. Needs node (the `ws` package of the test peers) and
the service binary (SWITCHBOARD_BIN or build/switchboard)."""
import argparse
import base64
import csv
import hashlib
import hmac
import http.client
import json
import math
import os
import resource
import secrets
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Every benchmark client connects from 127.0.0.1: the per-address negotiate rate limit (50/s by
# default, docs/limits.md) would refuse most of them, so every Switchboard started here runs without it.
os.environ.setdefault("SWITCHBOARD_NEGOTIATE_RATE", "0")
sys.path.insert(0, os.path.join(ROOT, "bench"))
from cluster_procs import free_port  # noqa: E402


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def mint(key, aud):
    now = int(time.time())
    head = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = b64url(json.dumps({"aud": aud, "iat": now, "nbf": now, "exp": now + 86400}).encode())
    signature = hmac.new(key.encode(), f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{b64url(signature)}"


def wait_listening(port, timeout=30):
    deadline = time.time() + timeout
    while True:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/health")
            if conn.getresponse().status == 200:
                return
        except OSError:
            if time.time() > deadline:
                raise
        time.sleep(0.1)


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class Sender(threading.Thread):
    """Sends one kind of message at `rate` per second, one call at a time over a kept-alive
    connection; `targets` (users or groups, or [None] for broadcasts) are served in turn, each with
    its own sequence numbers."""

    def __init__(self, port, key, hub, kind, rate, targets, stop):
        super().__init__(daemon=True)
        self.port, self.key, self.hub, self.kind, self.rate = port, key, hub, kind, rate
        self.targets, self.stop = targets, stop
        self.sent = 0
        self.failed = 0
        self.errors = []

    def path(self, target):
        base = f"/api/hubs/{self.hub}"
        if self.kind == "b":
            return f"{base}/:send?api-version=2022-06-01"
        section = "users" if self.kind == "u" else "groups"
        return f"{base}/{section}/{target}/:send?api-version=2022-06-01"

    def run(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        sequence = {t: 0 for t in self.targets}
        tokens = {t: mint(self.key, f"http://localhost{self.path(t)}") for t in self.targets}
        start = time.time()
        i = 0
        while not self.stop.is_set():
            due = start + i / self.rate
            delay = due - time.time()
            if delay > 0:
                self.stop.wait(delay)
                continue
            target = self.targets[i % len(self.targets)]
            i += 1
            sequence[target] += 1
            body = json.dumps({"target": "m", "arguments": [self.kind, sequence[target]]})
            try:
                conn.request("POST", self.path(target), body,
                             {"Authorization": f"Bearer {tokens[target]}",
                              "Content-Type": "application/json"})
                response = conn.getresponse()
                response.read()
                if response.status == 202:
                    self.sent += 1
                else:
                    self.failed += 1
                    self.errors.append(f"{self.kind} {target}: {response.status}")
            except OSError as e:
                self.failed += 1
                self.errors.append(f"{self.kind} {target}: {e}")
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)


def svg_chart(rows, path, title):
    """RSS (MB, left axis) and connected clients (right axis) over minutes, as plain SVG."""
    w, h, left, right, top, bottom = 760, 360, 70, 80, 40, 50
    xs = [r["minute"] for r in rows] or [0]
    rss = [r["rss_mb"] for r in rows] or [0]
    conns = [r["connected"] for r in rows] or [0]
    xmax = max(max(xs), 1e-9)
    rmax = max(rss) * 1.15 or 1
    cmax = max(conns) * 1.15 or 1

    def px(x):
        return left + (w - left - right) * x / xmax

    def py(v, vmax):
        return top + (h - top - bottom) * (1 - v / vmax)

    def line(values, vmax, color):
        points = " ".join(f"{px(x):.1f},{py(v, vmax):.1f}" for x, v in zip(xs, values))
        return f'<polyline fill="none" stroke="{color}" stroke-width="2" points="{points}"/>'

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
             f'font-family="sans-serif" font-size="12">',
             f'<rect width="{w}" height="{h}" fill="white"/>',
             f'<text x="{w / 2}" y="20" text-anchor="middle" font-size="14">{title}</text>',
             f'<line x1="{left}" y1="{h - bottom}" x2="{w - right}" y2="{h - bottom}" stroke="black"/>',
             f'<line x1="{left}" y1="{top}" x2="{left}" y2="{h - bottom}" stroke="black"/>',
             f'<line x1="{w - right}" y1="{top}" x2="{w - right}" y2="{h - bottom}" stroke="black"/>']
    for k in range(6):
        x = xmax * k / 5
        parts.append(f'<text x="{px(x):.1f}" y="{h - bottom + 16}" text-anchor="middle">{x:.0f}</text>')
        r = rmax * k / 5
        parts.append(f'<text x="{left - 6}" y="{py(r, rmax) + 4:.1f}" text-anchor="end" '
                     f'fill="#c0392b">{r:.0f}</text>')
        c = cmax * k / 5
        parts.append(f'<text x="{w - right + 6}" y="{py(c, cmax) + 4:.1f}" fill="#2471a3">{c:.0f}</text>')
    parts += [f'<text x="{w / 2}" y="{h - 12}" text-anchor="middle">minutes</text>',
              f'<text x="16" y="{h / 2}" transform="rotate(-90 16 {h / 2})" text-anchor="middle" '
              f'fill="#c0392b">service RSS (MB)</text>',
              f'<text x="{w - 14}" y="{h / 2}" transform="rotate(90 {w - 14} {h / 2})" '
              f'text-anchor="middle" fill="#2471a3">connected clients</text>',
              line(rss, rmax, "#c0392b"), line(conns, cmax, "#2471a3"), "</svg>"]
    with open(path, "w") as f:
        f.write("\n".join(parts) + "\n")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--connections", type=int, default=2000)
    p.add_argument("--minutes", type=float, default=3)
    p.add_argument("--warmup-minutes", type=float, default=None,
                   help="RSS growth is measured from the end of the warm-up (default: a sixth of "
                        "the run, at least the time to connect everyone)")
    p.add_argument("--per-worker", type=int, default=2500, help="clients per node process")
    p.add_argument("--groups", type=int, default=100)
    p.add_argument("--broadcast-rate", type=float, default=1, help="broadcasts per second")
    p.add_argument("--user-rate", type=float, default=20, help="user sends per second")
    p.add_argument("--group-rate", type=float, default=5, help="group sends per second")
    p.add_argument("--reconnect-percent", type=float, default=5, help="of the clients, per minute")
    p.add_argument("--threads", type=int, default=2, help="service worker threads")
    p.add_argument("--sample", type=float, default=10, help="seconds between samples")
    p.add_argument("--out", default=os.path.join(ROOT, "docs", "bench-results", "soak"))
    a = p.parse_args()

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    binary = os.environ.get("SWITCHBOARD_BIN") or os.path.join(ROOT, "build", "switchboard")
    key = secrets.token_hex(24)
    port = free_port()
    hub = "soak"
    os.makedirs(a.out, exist_ok=True)
    command = [binary, "--log-level", "warn", "service", "--port", str(port), "--access-key", key,
               "--threads", str(a.threads)]
    # All clients come from 127.0.0.1: the per-address negotiate rate limit would pace them.
    if "--negotiate-rate" in subprocess.run([binary, "service", "--help"], capture_output=True,
                                            text=True).stdout:
        command += ["--negotiate-rate", "0"]
    service = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL, stderr=open(os.path.join(a.out, "service.log"), "w"))
    workers, senders, stop = [], [], threading.Event()
    try:
        wait_listening(port)
        n_workers = math.ceil(a.connections / a.per_worker)
        latest = {}
        for w in range(n_workers):
            first = w * a.per_worker
            count = min(a.per_worker, a.connections - first)
            proc = subprocess.Popen(
                ["node", os.path.join(ROOT, "bench", "soak_worker.mjs"), "--port", str(port),
                 "--key", key, "--hub", hub, "--first", str(first), "--count", str(count),
                 "--groups", str(a.groups), "--reconnect-percent", str(a.reconnect_percent),
                 "--report", str(a.sample)],
                cwd=ROOT, stdout=subprocess.PIPE, text=True)
            workers.append(proc)

            def read(proc=proc, w=w):
                for line in proc.stdout:
                    try:
                        latest[w] = json.loads(line)
                    except ValueError:
                        pass
            threading.Thread(target=read, daemon=True).start()
        users = [f"user{i}" for i in range(a.connections)]
        senders = [Sender(port, key, hub, "b", a.broadcast_rate, [None], stop),
                   Sender(port, key, hub, "u", a.user_rate, users, stop),
                   Sender(port, key, hub, "g", a.group_rate, [f"group{g}" for g in range(a.groups)], stop)]
        for s in senders:
            s.start()

        rows, errors = [], []
        start = time.time()
        end = start + a.minutes * 60
        while time.time() < end:
            time.sleep(a.sample)
            if service.poll() is not None:
                raise RuntimeError(f"the service exited ({service.returncode})")
            total = {k: sum(r.get(k, 0) for r in latest.values()) for k in (
                "connected", "received", "lost", "disordered", "duplicated",
                "unexpected_disconnects", "planned_reconnects", "connect_failures", "waiting")}
            for r in latest.values():
                errors += r.get("errors", [])
                r["errors"] = []
            row = {"minute": round((time.time() - start) / 60, 3), "rss_mb": round(rss_kb(service.pid) / 1024, 1),
                   **total, "sent": sum(s.sent for s in senders), "send_failures": sum(s.failed for s in senders)}
            rows.append(row)
            print(json.dumps(row), flush=True)
        stop.set()
    finally:
        stop.set()
        for proc in workers:
            proc.terminate()
        for proc in workers:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
        service.terminate()
        try:
            service.wait(10)
        except subprocess.TimeoutExpired:
            service.kill()

    with open(os.path.join(a.out, "soak.csv"), "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
        writer.writeheader()
        writer.writerows(rows)
    connect_minutes = next((r["minute"] for r in rows if r["connected"] + r["waiting"] >= a.connections
                            and r["waiting"] <= a.connections * 0.02), a.minutes)
    warmup = a.warmup_minutes if a.warmup_minutes is not None else max(a.minutes / 6, connect_minutes)
    after = [r for r in rows if r["minute"] >= warmup]
    base = after[0]["rss_mb"] if after else 0
    last = rows[-1]
    summary = {
        "connections": a.connections, "minutes": a.minutes, "workers": len(workers),
        "threads": a.threads, "groups": a.groups,
        "rates_per_s": {"broadcast": a.broadcast_rate, "user": a.user_rate, "group": a.group_rate},
        "reconnect_percent_per_minute": a.reconnect_percent,
        "all_connected_at_minute": connect_minutes, "warmup_minutes": warmup,
        "rss_mb_after_warmup": base, "rss_mb_end": last["rss_mb"],
        "rss_mb_max_after_warmup": max((r["rss_mb"] for r in after), default=0),
        "rss_growth_percent": round(100 * (last["rss_mb"] - base) / base, 2) if base else None,
        "messages_sent": last["sent"], "send_failures": last["send_failures"],
        "messages_received": last["received"], "lost": last["lost"],
        "disordered": last["disordered"], "duplicated": last["duplicated"],
        "unexpected_disconnects": last["unexpected_disconnects"],
        "planned_reconnects": last["planned_reconnects"], "connect_failures": last["connect_failures"],
        "first_errors": (errors + [e for s in senders for e in s.errors])[:20],
        "load_average_at_end": os.getloadavg(),
    }
    with open(os.path.join(a.out, "summary.json"), "w") as f:
        json.dump(summary, f, indent=2)
        f.write("\n")
    svg_chart(rows, os.path.join(a.out, "soak.svg"),
              f"Soak: {a.connections} connections, {a.minutes:g} min (RSS red, clients blue)")
    print(json.dumps(summary, indent=2))
    ok = (summary["lost"] == 0 and summary["unexpected_disconnects"] == 0
          and (summary["rss_growth_percent"] or 0) < 5)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
