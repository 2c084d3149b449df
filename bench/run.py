#!/usr/bin/env python3
"""Switchboard benchmarks side by side with Bun's WebSocket server (uWebSockets), a Node `ws` server and a
Socket.IO 4 server.

Scenarios (see docs/benchmarks.md):
  broadcast  REST-triggered broadcast to N clients, wrk with 1 and 4 concurrent senders
  groups     sends to groups (100 groups of N/100) and to users, wrk with 4 senders
  latency    100 broadcasts/s to N clients: p50/p99/max from the REST call to each receipt
  binding    HTTP -> functions host -> service -> client at 100/s to --binding-clients (100):
             embedded (`switchboard start`) and over REST (`switchboard functions` + `switchboard
             service`), beside direct REST
  negotiate  wrk POST /api/negotiate through the functions host: the JavaScript app (Node worker) and the
             C++ app of bench/apps/negotiate-cpp (run by the host)
  storm      --storm-clients (10,000) clients connecting at once (SignalR: negotiate + WebSocket +
             handshake; peers: the WebSocket), then half of them dropped at once and reconnecting at
             once: time until all are connected, connections/s, server CPU per connection;
             Switchboard also with every client negotiated first, untimed ("WebSocket part")
  idle       server RSS per idle WebSocket connection at 10,000 (and 100,000) connections
  cluster    two Switchboard nodes on one redis-server vs two Socket.IO 4 servers with the Redis
             adapter (and each single node, same run): clients split over the two nodes, the sends
             to one node, at --rate (latency) and with wrk (1 and 4 senders); CPU summed over the
             nodes and redis-server (bench/cluster_procs.py starts them)
  scaling    broadcast at one offered load for every peer (--scaling-deliveries/s, at most
             --scaling-bytes/s of payload: the load client's sender at deliveries ÷ clients broadcasts/s)
             against the number of clients (--scaling-clients, 100 to 15,000, 100-byte messages) and
             against the message size (--scaling-sizes: 100 B, 1 KB, 16 KB at --clients): deliveries/s,
             loss and server CPU per delivery; scaling-clients.png and scaling-size.png
  floor      the machine's floor (bench/floor/bare_fanout.cpp): one send() per client per message
             and nothing else (and the same sends through io_uring, 64 per submission), at the latency
             scenario's rate and at 1,000/s; and the REST send's floor
             (bench/floor/rest_floor.cpp): read a keep-alive request, answer 202, send one frame to one
             client, under wrk with 4 senders as in the groups scenario's user sends
  rest       (not in the default set) each peer's user send and the REST floor, one measurement of
             each per run taken back to back, with per-run ratios of Switchboard's CPU per call and
             calls/s to the floor's and to each peer's: issue 16's first target on a noisy machine

Every figure comes with the server's CPU time per delivery (utime+stime deltas of the server's
process tree from /proc, divided by deliveries). With 2+ cores the server is pinned to CPU 0 and
the load (load client, wrk) to the other CPUs; Switchboard then runs with --threads 1, like the
single-threaded Node peers.

Usage: bench/run.py [--quick] [--runs R] [--clients N] [--duration S] [--scenarios a,b] [--out DIR]
Writes DIR/results.json (every run), DIR/summary.csv (medians, min, max) and DIR/chart.png.
"""
import argparse
import csv
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import threading
import time

from cluster_procs import Binaries, Proc, free_port, start_node, start_redis
from proc_stats import cpu_seconds, rss_kb

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Every benchmark client connects from 127.0.0.1: the per-address negotiate rate limit (50/s by
# default, docs/limits.md) would refuse most of them, so every Switchboard started here runs without it.
os.environ.setdefault("SWITCHBOARD_NEGOTIATE_RATE", "0")
# SWITCHBOARD_BIN: another build of the server to measure (e.g. a copy of an earlier one).
SWITCHBOARD = os.environ.get("SWITCHBOARD_BIN", os.path.join(ROOT, "build", "switchboard"))
LOADCLIENT = os.environ.get("BENCH_LOADCLIENT", os.path.join(ROOT, "build", "bench", "switchboard-loadclient"))
BARE_FANOUT = os.path.join(ROOT, "build", "bench", "bare-fanout")
REST_FLOOR = os.path.join(ROOT, "build", "bench", "rest-floor")
NEGOTIATE_CPP = os.path.join(ROOT, "build", "bench", "negotiate-cpp")  # bench/apps/negotiate-cpp
APP_CPP = os.path.join(ROOT, "bench", "apps", "negotiate-cpp")
WRK_SEND = os.path.join(ROOT, "bench", "wrk", "send.lua")
WRK_NEGOTIATE = os.path.join(ROOT, "bench", "wrk", "negotiate.lua")
APP = os.path.join(ROOT, "bench", "apps", "broadcast")
PEERS = os.path.join(ROOT, "bench", "peers")
# Bun's binary from the npm package @oven/bun-linux-x64, pinned by bench/peers/package-lock.json.
BUN = os.environ.get("BENCH_BUN", os.path.join(PEERS, "node_modules", "@oven", "bun-linux-x64", "bin", "bun"))
KEY = "switchboard-bench-key-0123456789abcdefghijklmnop"  # the bench app's connection string key
HUB = "bench"
REST_SEND = f"/api/hubs/{HUB}/:send?api-version=2022-06-01"
NCPU = os.cpu_count() or 1
# Servers on CPU 0, the load on the others; BENCH_SERVER_CPUS / BENCH_LOAD_CPUS (taskset lists, e.g.
# "0-3" and "4-15" on a bigger machine) choose otherwise.
SERVER_CPUS = os.environ.get("BENCH_SERVER_CPUS", "0")
LOAD_CPUS = os.environ.get("BENCH_LOAD_CPUS", f"1-{NCPU - 1}" if NCPU > 2 else "1")
PIN = NCPU >= 2

PORT_SERVICE, PORT_WS, PORT_SIO, PORT_FUNCS, PORT_SERVICE2 = 18888, 18081, 18082, 17071, 18889
PORT_BUN = 18083
PORT_REST_FLOOR = 18090


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def raise_fd_limit():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    for want in (1048576, 262144, hard):
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (want, max(want, hard)))
            break
        except (ValueError, OSError):
            continue
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def pinned(cmd, cpus):
    return (["taskset", "-c", cpus] + cmd) if PIN else cmd


# ---------------------------------------------------------------- servers

class Server(Proc):
    """A peer or Switchboard server on the server CPUs, ready once it printed `wait_for`."""

    def __init__(self, name, cmd, port, env=None, cwd=None, wait_for=None):
        super().__init__(name, cmd, wait_for or "listening", cpus=SERVER_CPUS if PIN else None,
                         env=env, cwd=cwd)
        self.port = port
        time.sleep(0.5)


def start_server(kind):
    if kind == "switchboard":
        return Server(kind, [SWITCHBOARD, "--log-level", "warn", "service", "--port", str(PORT_SERVICE),
                             "--access-key", KEY, "--threads", "1"], PORT_SERVICE)
    if kind == "ws":
        return Server(kind, ["node", "ws-server.mjs", str(PORT_WS)], PORT_WS, cwd=PEERS)
    if kind == "socketio":
        return Server(kind, ["node", "socketio-server.mjs", str(PORT_SIO)], PORT_SIO, cwd=PEERS)
    if kind == "bun":
        return Server(kind, [BUN, "bun-server.mjs", str(PORT_BUN)], PORT_BUN, cwd=PEERS)
    if kind == "embedded":
        return Server(kind, [SWITCHBOARD, "--log-level", "warn", "start", APP, "--port", str(PORT_FUNCS),
                             "--service-port", str(PORT_SERVICE), "--threads", "1"], PORT_SERVICE,
                      wait_for="Functions:")
    if kind == "embedded-cpp":
        return Server(kind, [NEGOTIATE_CPP, "--log-level", "warn", "start", APP_CPP, "--port", str(PORT_FUNCS),
                             "--service-port", str(PORT_SERVICE), "--threads", "1"], PORT_SERVICE,
                      wait_for="Functions:")
    if kind == "functions":  # the host alone, against the service of start_server("switchboard")
        env = dict(os.environ)
        env["ConnectionStrings__AzureSignalRConnectionString"] = (
            f"Endpoint=http://localhost;Port={PORT_SERVICE};AccessKey={KEY};Version=1.0;")
        return Server(kind, [SWITCHBOARD, "--log-level", "warn", "functions", APP, "--port", str(PORT_FUNCS),
                             "--threads", "1"], PORT_FUNCS, env=env, wait_for="Functions:")
    raise ValueError(kind)


PROTOCOL = {"switchboard": "json", "switchboard-msgpack": "msgpack", "ws": "ws", "socketio": "socketio",
            "bun": "ws"}
SERVER_KIND = {"switchboard": "switchboard", "switchboard-msgpack": "switchboard", "ws": "ws", "socketio": "socketio",
               "bun": "bun"}
PEER_PORT = {"switchboard": PORT_SERVICE, "switchboard-msgpack": PORT_SERVICE, "ws": PORT_WS, "socketio": PORT_SIO,
             "bun": PORT_BUN}


# ---------------------------------------------------------------- load client and wrk

class LoadClient:
    def __init__(self, protocol, port, clients, groups=0, sender=None, targets=None, concurrency=None,
                 negotiate_first=False, hub=HUB):
        """Started, set up and READY; with negotiate_first, only negotiated ("NEGOTIATED" in
        self.ready): go() then times the WebSocket and handshake part."""
        cmd = [LOADCLIENT, "--protocol", protocol, "--port", str(port), "--clients", str(clients),
               "--hub", hub, "--access-key", KEY]
        if negotiate_first:
            cmd += ["--negotiate-first", "1"]
        if targets:  # client i connects to targets[i % n] (ports on 127.0.0.1)
            cmd += ["--targets", ",".join(f"127.0.0.1:{t}" for t in targets)]
        if groups:
            cmd += ["--groups", str(groups)]
        if concurrency:
            cmd += ["--connect-concurrency", str(concurrency)]
        if sender:
            cmd += sender
        self.proc = subprocess.Popen(pinned(cmd, LOAD_CPUS), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, bufsize=1)
        self.events = []
        self.cv = threading.Condition()
        threading.Thread(target=self._stderr, daemon=True).start()
        self.ready = self._wait("NEGOTIATED" if negotiate_first else "READY", timeout=60 + clients / 500)
        log("   ", self.ready.strip())

    def go(self, expect="READY", timeout=120):
        """After NEGOTIATED: the timed setup; returns its READY (or RECONNECTED) line."""
        self.command("go")
        line = self._wait(expect, timeout=timeout)
        log("   ", line.strip())
        return line

    def _stderr(self):
        for line in self.proc.stderr:
            with self.cv:
                self.events.append(line)
                self.cv.notify_all()

    def _wait(self, prefix, timeout):
        deadline = time.time() + timeout
        with self.cv:
            while True:
                for i, line in enumerate(self.events):
                    if line.startswith(prefix):
                        return self.events.pop(i)
                left = deadline - time.time()
                if left <= 0 or self.proc.poll() is not None:
                    raise RuntimeError(f"load client: no {prefix}: {''.join(self.events)}")
                self.cv.wait(left)

    def command(self, text):
        self.proc.stdin.write(text + "\n")
        self.proc.stdin.flush()

    def report(self):
        self.command("report")
        return json.loads(self.proc.stdout.readline())

    def reconnect(self, count, timeout, negotiate_first=False):
        """Drops `count` connections at once and sets them up again at once; the RECONNECTED line
        (with negotiate_first, the NEGOTIATED line: go("RECONNECTED") then times the rest)."""
        self.command(f"reconnect {count}")
        self._wait("DROPPED", timeout=30)
        return self._wait("NEGOTIATED" if negotiate_first else "RECONNECTED", timeout=timeout)

    def send(self, duration, rate=None, pad=None):
        """One run of the built-in sender, at `rate` sends/s with `pad` bytes of padding (default: the
        --rate and --pad it was started with)."""
        self.command("send" if rate is None else f"send {rate:.6g} {pad if pad is not None else 0}")
        return self._wait("SENT", timeout=duration + 30)

    def stop(self):
        try:
            self.command("stop")
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def pad_for(size):
    """BENCH_PAD for a payload of about `size` bytes ({"ts":<16 digits>,"pad":"..."} is 31 + pad)."""
    return max(1, size - 31)


def run_wrk(port, path, connections, duration, token="", body="signalr", spread=1, script=WRK_SEND, size=None):
    env = dict(os.environ, BENCH_TOKEN=token, BENCH_BODY=body, BENCH_PATH=path, BENCH_SPREAD=str(spread))
    if size is not None:
        env["BENCH_PAD"] = str(pad_for(size))
    cmd = pinned(["wrk", "-t1", f"-c{connections}", f"-d{duration:g}s", "--latency", "-s", script,
                  f"http://127.0.0.1:{port}{path if script == WRK_NEGOTIATE else ''}"], LOAD_CPUS)
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        if line.startswith("WRKJSON "):
            return json.loads(line[8:])
    raise RuntimeError("wrk: " + out)


def rest_token():
    return subprocess.run([SWITCHBOARD, "token", "--access-key", KEY, "--hub", HUB, "--rest",
                           "--lifetime", "864000"], capture_output=True, text=True, check=True).stdout.strip()


# ---------------------------------------------------------------- scenarios

RESULTS = []


def record(scenario, server, variant, run, **values):
    row = dict(scenario=scenario, server=server, variant=variant, run=run, **values)
    RESULTS.append(row)
    shown = {k: v for k, v in values.items() if k in (
        "deliveries_per_s", "loss", "cpu_us_per_delivery", "p50_us", "p99_us", "max_us", "requests_per_s",
        "rss_kb_per_connection", "cpu_us_per_request", "cpu_us_per_call", "frames", "connections_per_s", "cpu_us_per_connection", "failed", "loss_vs_sent", "arrival_p99_us", "burst_p50_us")}
    log(f"  {scenario:9} {server:20} {variant:18} run {run}: {shown}")


def arrival(report):
    """The kernel-arrival latencies of a load client report, as result fields."""
    a = report["arrival_us"]
    return dict(arrival_p50_us=a["p50"], arrival_p99_us=a["p99"], arrival_max_us=a["max"])


def wrk_measure(server_pids, lc, port, path, connections, duration, fanout, token, body, spread=1, size=None):
    """wrk against one server; CPU summed over server_pids (each with its process tree)."""
    lc.report()  # reset
    cpu0 = [cpu_seconds(p) for p in server_pids]
    w = run_wrk(port, path, connections, duration, token=token, body=body, spread=spread, size=size)
    time.sleep(1.0)  # drain
    cpu_parts = [cpu_seconds(p) - c for p, c in zip(server_pids, cpu0)]
    cpu = sum(cpu_parts)
    r = lc.report()
    # wrk counts completed requests; the ones in flight when it stopped (at most one per
    # connection) were sent too. Loss: what even the completed requests should have delivered
    # and did not; loss_vs_sent also counts the in-flight ones.
    # (wrk calls request() once more than it sends: a probe before the run, hence the - 1.)
    expected = w["requests"] * fanout
    w["sent"] -= 1
    return dict(requests=w["requests"], sent=w["sent"], requests_per_s=w["requests"] / (w["duration_us"] / 1e6),
                loss_vs_sent=w["sent"] * fanout - r["deliveries"],
                non2xx=w["non2xx"], http_p50_us=w["latency_p50_us"], http_p99_us=w["latency_p99_us"],
                deliveries=r["deliveries"], expected=expected, loss=max(0, expected - r["deliveries"]),
                deliveries_per_s=r["deliveries_per_s"], p50_us=r["latency_us"]["p50"],
                p99_us=r["latency_us"]["p99"], max_us=r["latency_us"]["max"], closes=r["closes"], **arrival(r),
                per_client_min=r["per_client_min"], cpu_s=cpu, cpu_parts_s=cpu_parts,
                cpu_us_per_delivery=cpu * 1e6 / r["deliveries"] if r["deliveries"] else None)


def send_path(peer, kind):
    if peer.startswith("switchboard"):
        return {"broadcast": REST_SEND, "group": f"/api/hubs/{HUB}/groups/g%d/:send?api-version=2022-06-01",
                "user": f"/api/hubs/{HUB}/users/u%d/:send?api-version=2022-06-01"}[kind]
    return {"broadcast": "/broadcast", "group": "/groups/g%d", "user": "/users/u%d"}[kind]


def scenario_broadcast(a, token):
    for peer in a.peers:
        server = start_server(SERVER_KIND[peer])
        try:
            lc = LoadClient(PROTOCOL[peer], PEER_PORT[peer], a.clients)
            body = "signalr" if peer.startswith("switchboard") else "raw"
            for senders in (1, 4):
                for run in range(a.runs):
                    m = wrk_measure([server.pid], lc, PEER_PORT[peer], send_path(peer, "broadcast"), senders,
                                    a.duration, a.clients, token, body)
                    record("broadcast", peer, f"{senders} sender(s)", run, clients=a.clients, **m)
            lc.stop()
        finally:
            server.stop()


def scaling_rate(a, clients, size):
    """Broadcasts per second for a point of the scaling scenario: the same offered load for every peer,
    a.scaling_deliveries deliveries/s, but no more than a.scaling_bytes payload bytes/s, so that the
    one load client reads everything as it comes (wrk's senders outran it: see docs/benchmarks.md)."""
    deliveries = min(a.scaling_deliveries, a.scaling_bytes / size)
    return deliveries / clients


def scenario_scaling(a, token):
    """Broadcast at a fixed offered load against clients at 100 B, and against message size at a.clients:
    deliveries/s (equal to the offered load for a server that keeps up), loss and server CPU per delivery."""
    points = [(n, 100) for n in a.scaling_clients]
    points += [(a.clients, size) for size in a.scaling_sizes if (a.clients, size) not in points]
    for peer in a.peers:
        server = start_server(SERVER_KIND[peer])
        try:
            signalr = peer.startswith("switchboard")
            for clients in sorted({n for n, _ in points}):
                lc = LoadClient(PROTOCOL[peer], PEER_PORT[peer], clients,
                                sender=sender_args(PEER_PORT[peer], send_path(peer, "broadcast"),
                                                   "signalr" if signalr else "raw", "mint" if signalr else "",
                                                   1, a.duration))
                try:
                    for _, size in sorted(p for p in points if p[0] == clients):
                        rate = scaling_rate(a, clients, size)
                        for run in range(a.runs):
                            m = rate_measure([server.pid], lc, a.duration, clients, rate=rate, pad=pad_for(size))
                            record("scaling", peer, f"{clients} clients, {size} B", run, clients=clients,
                                   size=size, rate=rate, offered_deliveries_per_s=rate * clients,
                                   rss_kb=rss_kb(server.pid), **m)
                finally:
                    lc.stop()
        finally:
            server.stop()


def scaling_charts(out_dir):
    """scaling-clients.png and scaling-size.png: deliveries/s and CPU per delivery, one line per peer."""
    rows = [r for r in RESULTS if r["scenario"] == "scaling"]
    if not rows:
        return
    size_default = 100
    clients_default = statistics.median([r["clients"] for r in rows if r["size"] != size_default] or [1000])
    peers = list(dict.fromkeys(r["server"] for r in rows))

    def medians(peer, key_field, fixed_field, fixed_value, metric):
        values = {}
        for r in rows:
            if r["server"] == peer and r[fixed_field] == fixed_value and isinstance(r.get(metric), (int, float)):
                values.setdefault(r[key_field], []).append(r[metric])
        return {k: statistics.median(v) for k, v in sorted(values.items())}

    for name, key_field, fixed_field, fixed_value, xlabel in (
            ("scaling-clients", "clients", "size", size_default, "clients (100-byte messages)"),
            ("scaling-size", "size", "clients", clients_default, f"message size, bytes ({clients_default:.0f} clients)")):
        data = os.path.join(out_dir, f"{name}.dat")
        with open(data, "w") as f:
            for i, peer in enumerate(peers):
                dps = medians(peer, key_field, fixed_field, fixed_value, "deliveries_per_s")
                cpu = medians(peer, key_field, fixed_field, fixed_value, "cpu_us_per_delivery")
                f.write(f"# {peer}\n")
                for x in dps:
                    f.write(f"{x} {dps[x]:.0f} {cpu.get(x, float('nan')):.4f}\n")
                f.write("\n\n")
        plots = lambda col: ", ".join(f"'{data}' index {i} using 1:{col} with linespoints title '{p}'"
                                      for i, p in enumerate(peers))
        script = f"""
set terminal pngcairo size 1100,450 font ",10" noenhanced
set output '{os.path.join(out_dir, name + ".png")}'
set multiplot layout 1,2
set logscale x
set grid
set key top right
set xlabel '{xlabel}'
set title 'REST broadcast at one offered load: deliveries/s (median)'
set ylabel 'deliveries/s'
set logscale y
plot {plots(2)}
set title 'Server CPU per delivery (median)'
set ylabel 'µs'
plot {plots(3)}
unset multiplot
"""
        try:
            subprocess.run(["gnuplot"], input=script, text=True, check=True)
        except (OSError, subprocess.CalledProcessError) as e:
            log("gnuplot failed:", e)


def scenario_groups(a, token):
    groups = max(1, a.clients // 10)
    for peer in a.peers:
        server = start_server(SERVER_KIND[peer])
        try:
            lc = LoadClient(PROTOCOL[peer], PEER_PORT[peer], a.clients, groups=groups)
            body = "signalr" if peer.startswith("switchboard") else "raw"
            for run in range(a.runs):
                m = wrk_measure([server.pid], lc, PEER_PORT[peer], send_path(peer, "group"), 4, a.duration,
                                a.clients // groups, token, body, spread=groups)
                record("groups", peer, f"{groups} groups of {a.clients // groups}", run, **m)
                m = wrk_measure([server.pid], lc, PEER_PORT[peer], send_path(peer, "user"), 4, a.duration, 1,
                                token, body, spread=a.clients)
                record("groups", peer, "users", run, **m)
            lc.stop()
        finally:
            server.stop()


def rate_measure(server_pids, lc, duration, fanout, rate=None, pad=None):
    lc.report()
    cpu0 = [cpu_seconds(p) for p in server_pids]
    lc.send(duration, rate, pad)
    cpu_parts = [cpu_seconds(p) - c for p, c in zip(server_pids, cpu0)]
    cpu = sum(cpu_parts)
    r = lc.report()
    expected = r["sent_ok"] * fanout
    return dict(sent_ok=r["sent_ok"], sent_failed=r["sent_failed"], deliveries=r["deliveries"],
                expected=expected, loss=expected - r["deliveries"], deliveries_per_s=r["deliveries_per_s"],
                p50_us=r["latency_us"]["p50"], p90_us=r["latency_us"]["p90"], p99_us=r["latency_us"]["p99"],
                max_us=r["latency_us"]["max"], mean_us=r["latency_us"]["mean"], **arrival(r),
                per_client_min=r["per_client_min"], cpu_s=cpu, cpu_parts_s=cpu_parts,
                cpu_us_per_delivery=cpu * 1e6 / r["deliveries"] if r["deliveries"] else None)


def sender_args(port, path, body, auth="", rate=100, duration=5):
    args = ["--send-port", str(port), "--send-path", path, "--send-body", body, "--rate", str(rate),
            "--duration", str(duration)]
    return args + (["--send-auth", auth] if auth else [])


def scenario_latency(a, token):
    for peer in a.peers:
        server = start_server(SERVER_KIND[peer])
        try:
            signalr = peer.startswith("switchboard")
            lc = LoadClient(PROTOCOL[peer], PEER_PORT[peer], a.clients,
                            sender=sender_args(PEER_PORT[peer], send_path(peer, "broadcast"),
                                               "signalr" if signalr else "raw", "mint" if signalr else "",
                                               a.rate, a.duration))
            for run in range(a.runs):
                m = rate_measure([server.pid], lc, a.duration, a.clients)
                record("latency", peer, f"{a.rate:g}/s", run, clients=a.clients, **m)
            lc.stop()
        finally:
            server.stop()


def scenario_binding(a, token):
    modes = [("embedded", "switchboard start")]
    modes.append(("rest", "switchboard functions + service"))
    for mode, label in modes:
        servers = [start_server("embedded")] if mode == "embedded" else [start_server("switchboard"),
                                                                          start_server("functions")]
        try:
            pids = [s.pid for s in servers]
            direct = LoadClient("json", PORT_SERVICE, a.binding_clients,
                                sender=sender_args(PORT_SERVICE, REST_SEND, "signalr", "mint", a.rate, a.duration))
            for run in range(a.runs):
                m = rate_measure(pids, direct, a.duration, a.binding_clients)
                record("binding", label, "direct REST", run, clients=a.binding_clients, **m)
            direct.stop()
            via = LoadClient("json", PORT_SERVICE, a.binding_clients,
                             sender=sender_args(PORT_FUNCS, "/api/broadcast", "raw", "", a.rate, a.duration))
            for run in range(a.runs):
                m = rate_measure(pids, via, a.duration, a.binding_clients)
                record("binding", label, "function binding", run, clients=a.binding_clients, **m)
            via.stop()
        finally:
            for s in reversed(servers):
                s.stop()


def scenario_negotiate(a, token):
    """wrk POSTs /api/negotiate to `switchboard start` with the JavaScript app (the Node worker runs the
    function) and to the C++ app of bench/apps/negotiate-cpp (the host runs it)."""
    for kind, label in (("embedded", "switchboard start (JavaScript)"),
                        ("embedded-cpp", "switchboard start (C++)")):
        server = start_server(kind)
        try:
            for run in range(a.runs):
                cpu0 = cpu_seconds(server.pid)
                w = run_wrk(PORT_FUNCS, "/api/negotiate", 4, a.duration, script=WRK_NEGOTIATE)
                cpu1 = cpu_seconds(server.pid)
                record("negotiate", label, "wrk -c4", run, requests=w["requests"],
                       requests_per_s=w["requests"] / (w["duration_us"] / 1e6), non2xx=w["non2xx"],
                       http_p50_us=w["latency_p50_us"], http_p99_us=w["latency_p99_us"], cpu_s=cpu1 - cpu0,
                       cpu_us_per_request=(cpu1 - cpu0) * 1e6 / max(1, w["requests"]))
        finally:
            server.stop()


def setup_fields(line):
    """connected, failed and setup_s of a READY / RECONNECTED line."""
    m = re.search(r"connected=(\d+) failed=(\d+) setup_s=([\d.]+)", line)
    if not m:
        raise RuntimeError("load client: " + line)
    return int(m.group(1)), int(m.group(2)), float(m.group(3))


def scenario_storm(a, token):
    """a.storm_clients clients connecting at once (SignalR: negotiate + WebSocket + handshake, as the
    official client does; the peers: the WebSocket alone), then half of them dropped at once and
    reconnecting at once: time until all are connected, connections/s, server CPU per connection.
    Switchboard runs twice: the whole set-up, and the WebSocket part alone (every client negotiated
    first, untimed), the part that compares with the peers'."""
    clients = a.storm_clients
    half = clients // 2
    runs = []
    for peer in [p for p in a.peers if p != "switchboard-msgpack"]:
        runs.append((peer, False))
        if peer == "switchboard":
            runs.append((peer, True))
    for peer, websocket_only in runs:
        what = "WebSocket part" if websocket_only else ""
        for run in range(a.runs):
            server = start_server(SERVER_KIND[peer])
            lc = None
            try:
                cpu0 = cpu_seconds(server.pid)
                lc = LoadClient(PROTOCOL[peer], PEER_PORT[peer], clients, concurrency=clients,
                                negotiate_first=websocket_only)
                if websocket_only:
                    cpu0 = cpu_seconds(server.pid)
                    lc.ready = lc.go(timeout=60 + clients / 100)
                cpu1 = cpu_seconds(server.pid)
                connected, failed, setup_s = setup_fields(lc.ready)
                record("storm", peer, f"{clients} connect at once {what}".strip(), run, connected=connected,
                       failed=failed, setup_s=setup_s, connections_per_s=connected / setup_s if setup_s else None,
                       cpu_us_per_connection=(cpu1 - cpu0) * 1e6 / max(1, connected))
                time.sleep(1)
                cpu0 = cpu_seconds(server.pid)
                line = lc.reconnect(half, timeout=60 + half / 100, negotiate_first=websocket_only)
                if websocket_only:
                    cpu0 = cpu_seconds(server.pid)
                    line = lc.go("RECONNECTED", timeout=60 + half / 100)
                cpu1 = cpu_seconds(server.pid)
                connected, failed, setup_s = setup_fields(line)
                record("storm", peer, f"{half} reconnect at once {what}".strip(), run, connected=connected,
                       failed=failed, setup_s=setup_s, connections_per_s=connected / setup_s if setup_s else None,
                       cpu_us_per_connection=(cpu1 - cpu0) * 1e6 / max(1, connected))
            finally:
                if lc:
                    lc.stop()
                server.stop()

def scenario_idle(a, token):
    fd_limit = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    for count in a.idle_counts:
        if count + 1000 > fd_limit:
            log(f"  idle: skipping {count} connections: the open-file limit is {fd_limit} "
                "(raising it needs CAP_SYS_RESOURCE)")
            record("idle", "-", f"{count} connections", 0, skipped=f"RLIMIT_NOFILE {fd_limit}")
            continue
        for peer in [p for p in a.peers if p != "switchboard-msgpack"]:
            for run in range(a.runs):
                server = start_server(SERVER_KIND[peer])
                try:
                    time.sleep(1)
                    rss0 = rss_kb(server.pid)
                    cpu0 = cpu_seconds(server.pid)
                    lc = LoadClient(PROTOCOL[peer], PEER_PORT[peer], count)
                    time.sleep(3)
                    rss1 = rss_kb(server.pid)
                    cpu1 = cpu_seconds(server.pid)
                    r = lc.report()
                    lc.stop()
                    record("idle", peer, f"{count} connections", run, connections=r["open"],
                           rss0_kb=rss0, rss1_kb=rss1,
                           rss_kb_per_connection=(rss1 - rss0) / max(1, r["open"]),
                           setup_s=r["setup_s"], cpu_us_per_connection=(cpu1 - cpu0) * 1e6 / max(1, r["open"]))
                finally:
                    server.stop()


def bare_fanout(clients, rate, seconds, mode):
    """One run of bench/floor/bare_fanout.cpp (mode send, uring or uring-msg): its server's CPU per send
    and burst times, its client's receipts and latency."""
    out = subprocess.run([BARE_FANOUT, str(clients), f"{rate:g}", f"{seconds:g}", mode],
                         capture_output=True, text=True, check=True).stdout
    server = re.search(r"([\d.]+) us CPU per send, burst p50 (\d+) us, p99 (\d+) us", out)
    client = re.search(r"(\d+) receipts, latency p50 (\d+) us, p99 (\d+) us, max (\d+) us", out)
    if not server or not client:
        raise RuntimeError("bare-fanout: " + out)
    return dict(cpu_us_per_delivery=float(server.group(1)), burst_p50_us=int(server.group(2)),
                burst_p99_us=int(server.group(3)), deliveries=int(client.group(1)), p50_us=int(client.group(2)),
                p99_us=int(client.group(3)), max_us=int(client.group(4)))


def start_rest_floor(clients):
    """bench/floor/rest_floor.cpp on PORT_REST_FLOOR with `clients` clients (it pins itself: the server to
    CPU 0, its forked client to CPU 1), once it listens. Stop it with terminate() and communicate()."""
    proc = subprocess.Popen([REST_FLOOR, str(PORT_REST_FLOOR), str(clients)], stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    if "listening" not in line:
        proc.kill()
        proc.communicate()
        raise RuntimeError("rest-floor did not start: " + line)
    return proc


def rest_floor_wrk(duration, clients):
    """wrk against the REST floor as the groups scenario's user sends: 4 senders, users spread over `clients`."""
    return run_wrk(PORT_REST_FLOOR, "/users/u%d", 4, duration, body="raw", spread=clients)


def scenario_floor(a, token):
    # The fixed rate of the latency scenario, then bursts back to back (1000/s asked; a burst to
    # 1,000 clients takes ~5 ms here, hence the shorter schedule).
    for rate, seconds, label in ((a.rate, a.duration, f"{a.rate:g}/s"),
                                 (1000, max(1.0, a.duration / 5), "back to back")):
        # One send() per client, and the same sends batched through io_uring (64 per submission),
        # alternating.
        for run, (mode, name) in ((r, m) for r in range(a.runs)
                                  for m in (("send", "bare send()"), ("uring", "bare io_uring"))):
            record("floor", name, label, run, clients=a.clients, **bare_fanout(a.clients, rate, seconds, mode))
    # The REST send's floor: wrk as in the groups scenario's user sends (4 senders), against a server
    # that only reads each request, answers 202 and sends one frame to one of a.clients clients.
    for run in range(a.runs):
        record("floor", "REST send floor", "4 senders", run, **rest_floor_measure(a))


def rest_floor_measure(a):
    """One wrk run against bench/floor/rest_floor.cpp (4 senders, user sends): its calls/s and CPU."""
    proc = start_rest_floor(a.clients)
    try:
        w = rest_floor_wrk(a.duration, a.clients)
    finally:
        proc.terminate()
        out = proc.communicate(timeout=30)[0]
    m = re.search(r"(\d+) calls, ([\d.]+) us CPU per call, (\d+) frames received", out)
    if not m:
        raise RuntimeError("rest-floor: " + out)
    return dict(requests=w["requests"], requests_per_s=w["requests"] / (w["duration_us"] / 1e6),
                calls=int(m.group(1)), cpu_us_per_call=float(m.group(2)), frames=int(m.group(3)),
                http_p50_us=w["latency_p50_us"], http_p99_us=w["latency_p99_us"])


def scenario_rest(a, token):
    """Issue 16, target 1 on a noisy machine: each peer's user send (POST to one user of a.clients, 4
    wrk senders, as in the groups scenario) and the REST floor, one measurement of each per run, taken
    back to back with every server already up, so that each run's ratios compare figures taken
    seconds apart. Records every measurement, and per run Switchboard's CPU per call and calls/s
    over the floor's and over each other peer's."""
    servers, clients = {}, {}
    try:
        for peer in a.peers:
            servers[peer] = start_server(SERVER_KIND[peer])
            clients[peer] = LoadClient(PROTOCOL[peer], PEER_PORT[peer], a.clients)
        for run in range(a.runs):
            got = {}
            for peer in a.peers:
                body = "signalr" if peer.startswith("switchboard") else "raw"
                got[peer] = wrk_measure([servers[peer].pid], clients[peer], PEER_PORT[peer],
                                        send_path(peer, "user"), 4, a.duration, 1, token, body,
                                        spread=a.clients)
                got[peer]["cpu_us_per_call"] = got[peer]["cpu_us_per_delivery"]
                record("rest", peer, "users", run, **got[peer])
            got["floor"] = rest_floor_measure(a)
            record("rest", "REST send floor", "users", run, **got["floor"])
            if "switchboard" in got:
                sb = got["switchboard"]
                for other in [p for p in got if p != "switchboard"]:
                    o = got[other]
                    if sb["cpu_us_per_call"] and o["cpu_us_per_call"]:
                        record("rest", f"switchboard ÷ {other}", "users", run,
                               cpu_ratio=sb["cpu_us_per_call"] / o["cpu_us_per_call"],
                               calls_ratio=sb["requests_per_s"] / o["requests_per_s"])
        for lc in clients.values():
            lc.stop()
    finally:
        for server in servers.values():
            server.stop()


def start_cluster_setup(peer, nodes):
    """The servers of one cluster-scenario setup, all pinned to SERVER_CPUS: `nodes` Switchboard
    services (or Socket.IO servers), on a fresh redis-server when nodes > 1. Returns (processes,
    node ports, pid of redis-server or None); processes are stopped by the caller."""
    cpus = SERVER_CPUS if PIN else None
    procs, ports, redis = [], [], None
    try:
        if nodes > 1:
            redis = start_redis(Binaries(switchboard=SWITCHBOARD, loadclient=LOADCLIENT), cpus=cpus)
            procs.append(redis)
        for n in range(nodes):
            port = free_port()
            if peer == "switchboard" and nodes > 1:
                procs.append(start_node(Binaries(switchboard=SWITCHBOARD), redis.url, f"node{n + 1}", port, KEY,
                                        cpus=cpus))
            elif peer == "switchboard":
                procs.append(Proc("switchboard", [SWITCHBOARD, "--log-level", "warn", "service", "--port", str(port),
                                                  "--access-key", KEY, "--threads", "1"], "listening", cpus=cpus))
            else:
                procs.append(Proc("socketio", ["node", os.path.join(PEERS, "socketio-server.mjs"), str(port)]
                                  + ([redis.url] if redis else []), "listening", cpus=cpus))
            ports.append(port)
    except Exception:
        for p in reversed(procs):
            p.stop()
        raise
    return procs, ports, (redis.pid if redis else None)


def scenario_cluster(a, token):
    """Single node, then 2 nodes on one Redis, for each of a.cluster_peers; the load client splits
    its clients over the nodes (--targets), every send goes to the first node."""
    for peer in a.cluster_peers:
        signalr = peer == "switchboard"
        for nodes in (1, 2):
            label = "1 node" if nodes == 1 else f"{nodes} nodes + redis"
            procs, ports, redis_pid = start_cluster_setup(peer, nodes)
            try:
                pids = [p.pid for p in procs]  # redis-server first when there is one
                path = send_path(peer, "broadcast")
                lc = LoadClient(PROTOCOL[peer], ports[0], a.clients, targets=ports if nodes > 1 else None,
                                sender=sender_args(ports[0], path, "signalr" if signalr else "raw",
                                                   "mint" if signalr else "", a.rate, a.duration))

                def extra(m):
                    redis_us = (m["cpu_parts_s"][0] * 1e6 / m["deliveries"]
                                if redis_pid and m["deliveries"] else None)
                    return dict(nodes=nodes, clients=a.clients, redis_cpu_us_per_delivery=redis_us)
                for run in range(a.runs):
                    m = rate_measure(pids, lc, a.duration, a.clients)
                    record("cluster", peer, f"{label}, {a.rate:g}/s", run, **m, **extra(m))
                for senders in a.cluster_senders:
                    for run in range(a.runs):
                        m = wrk_measure(pids, lc, ports[0], path, senders, a.duration, a.clients, token,
                                        "signalr" if signalr else "raw")
                        record("cluster", peer, f"{label}, wrk {senders} sender(s)", run, **m, **extra(m))
                lc.stop()
            finally:
                for p in reversed(procs):
                    p.stop()


SCENARIOS = {"broadcast": scenario_broadcast, "groups": scenario_groups, "latency": scenario_latency,
             "binding": scenario_binding, "negotiate": scenario_negotiate, "idle": scenario_idle,
             "floor": scenario_floor, "scaling": scenario_scaling, "cluster": scenario_cluster, "storm": scenario_storm,
             "rest": scenario_rest}


# ---------------------------------------------------------------- output

SUMMARY_METRICS = ["deliveries_per_s", "requests_per_s", "loss", "cpu_us_per_delivery", "cpu_us_per_request",
                   "p50_us", "p99_us", "max_us", "arrival_p50_us", "arrival_p99_us", "arrival_max_us",
                   "burst_p50_us", "burst_p99_us", "rss_kb_per_connection", "redis_cpu_us_per_delivery"]


def summarize(out_dir):
    groups = {}
    for row in RESULTS:
        groups.setdefault((row["scenario"], row["server"], row["variant"]), []).append(row)
    rows = []
    for (scenario, server, variant), runs in groups.items():
        for metric in SUMMARY_METRICS:
            values = [r[metric] for r in runs if isinstance(r.get(metric), (int, float))]
            if values:
                rows.append(dict(scenario=scenario, server=server, variant=variant, metric=metric,
                                 median=statistics.median(values), min=min(values), max=max(values),
                                 runs=len(values)))
    with open(os.path.join(out_dir, "summary.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["scenario", "server", "variant", "metric", "median", "min", "max", "runs"])
        w.writeheader()
        w.writerows(rows)
    return rows


def chart(rows, out_dir):
    """deliveries/s (broadcast, per sender count) and latency p50/p99 (latency scenario)."""
    def med(scenario, server, variant, metric):
        for r in rows:
            if (r["scenario"], r["server"], r["variant"], r["metric"]) == (scenario, server, variant, metric):
                return r["median"]
        return 0
    order = ["switchboard", "switchboard-msgpack", "ws", "socketio"]
    peers = sorted({r["server"] for r in rows if r["scenario"] in ("broadcast", "latency")},
                   key=lambda p: order.index(p) if p in order else len(order))
    if not peers:
        return
    data = os.path.join(out_dir, "chart.dat")
    with open(data, "w") as f:
        f.write("# peer dps1 dps4 p50ms p99ms\n")
        for p in peers:
            f.write(f"{p} {med('broadcast', p, '1 sender(s)', 'deliveries_per_s'):.0f} "
                    f"{med('broadcast', p, '4 sender(s)', 'deliveries_per_s'):.0f} "
                    f"{med('latency', p, next((r['variant'] for r in rows if r['scenario'] == 'latency'), ''), 'p50_us') / 1000:.3f} "
                    f"{med('latency', p, next((r['variant'] for r in rows if r['scenario'] == 'latency'), ''), 'p99_us') / 1000:.3f}\n")
    script = f"""
set terminal pngcairo size 1100,450 font ",10" noenhanced
set output '{os.path.join(out_dir, "chart.png")}'
set multiplot layout 1,2
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set key top right
set grid ytics
set yrange [0:*]
set xtics rotate by -15
set title 'REST-triggered broadcast: deliveries/s (median)'
set ylabel 'deliveries/s'
plot '{data}' using 2:xtic(1) title '1 sender', '' using 3 title '4 senders'
set title 'Latency at fixed rate: REST call -> receipt (median of runs)'
set ylabel 'ms'
set key top left
plot '{data}' using 4:xtic(1) title 'p50', '' using 5 title 'p99'
unset multiplot
"""
    try:
        subprocess.run(["gnuplot"], input=script, text=True, check=True)
    except (OSError, subprocess.CalledProcessError) as e:
        log("gnuplot failed:", e)


def machine():
    model = ""
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return dict(nproc=NCPU, cpu=model, kernel=os.uname().release,
                load_average=os.getloadavg(), pinned=PIN, server_cpus=SERVER_CPUS if PIN else "any",
                load_cpus=LOAD_CPUS if PIN else "any")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="reduced scale: 200 clients, 3 s, 1 run")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--clients", type=int, default=1000)
    p.add_argument("--duration", type=float, default=10)
    p.add_argument("--rate", type=float, default=100)
    p.add_argument("--binding-clients", type=int, default=100,
                   help="clients in the binding scenario (small, so that the path, not the fan-out, is timed)")
    p.add_argument("--idle-counts", default="10000,100000")
    p.add_argument("--storm-clients", type=int, default=10000,
                   help="storm scenario: clients connecting at once (half of them then reconnect at once)")
    p.add_argument("--scaling-clients", default="100,1000,5000,15000",
                   help="scaling scenario: client counts (100-byte messages)")
    p.add_argument("--scaling-sizes", default="100,1024,16384",
                   help="scaling scenario: message sizes in bytes (at --clients)")
    p.add_argument("--scaling-deliveries", type=float, default=100000,
                   help="scaling scenario: offered deliveries/s at every point")
    p.add_argument("--scaling-bytes", type=float, default=400e6,
                   help="scaling scenario: at most this many payload bytes/s offered (large messages)")
    p.add_argument("--scenarios", default=",".join(s for s in SCENARIOS if s not in ("scaling", "rest")))
    p.add_argument("--peers", default="switchboard,switchboard-msgpack,bun,ws,socketio")
    p.add_argument("--cluster-peers", default="switchboard,socketio",
                   help="cluster scenario: switchboard and/or socketio, each as 1 node and as 2 nodes + redis")
    p.add_argument("--cluster-senders", default="1,4", help="cluster scenario: wrk connections, one run set each")
    p.add_argument("--out", default=os.path.join(ROOT, "docs", "bench-results"))
    a = p.parse_args()
    if a.quick:
        a.runs, a.clients, a.duration = 1, 200, 3
        a.binding_clients = min(a.binding_clients, 200)
        a.idle_counts = "2000"
        a.storm_clients = min(a.storm_clients, 1000)
        a.scaling_clients = "100,1000"
    a.peers = a.peers.split(",")
    a.cluster_peers = a.cluster_peers.split(",")
    a.cluster_senders = [int(x) for x in a.cluster_senders.split(",")]
    a.idle_counts = [int(x) for x in a.idle_counts.split(",")]
    a.scaling_clients = [int(x) for x in a.scaling_clients.split(",")]
    a.scaling_sizes = [int(x) for x in a.scaling_sizes.split(",")]
    os.makedirs(a.out, exist_ok=True)
    limit = raise_fd_limit()
    info = machine()
    info["fd_limit"] = limit
    info["args"] = {k: v for k, v in vars(a).items()}
    info["started"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    log(f"machine: {info}")
    token = rest_token()
    try:
        for name in a.scenarios.split(","):
            log(f"== {name}")
            SCENARIOS[name](a, token)
    finally:
        info["finished"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        with open(os.path.join(a.out, "results.json"), "w") as f:
            json.dump(dict(machine=info, results=RESULTS), f, indent=1)
        rows = summarize(a.out)
        chart(rows, a.out)
        scaling_charts(a.out)
        with open(os.path.join(a.out, "summary.md"), "w") as f:
            subprocess.run([sys.executable, os.path.join(ROOT, "bench", "report.py"),
                            os.path.join(a.out, "results.json")], stdout=f, check=False)
        log(f"results in {a.out}")


if __name__ == "__main__":
    main()
