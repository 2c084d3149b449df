#!/usr/bin/env python3
"""100,000 WebSocket connections on a Switchboard cluster, in one bounded command.

One redis-server and --nodes Switchboard nodes on it (each process may hold 20,000 open files, so
100,000 / 6 nodes = 16,667 each); node k listens on 127.0.0.(k+1) so that every node has its own
destination address (and its own ephemeral port range). One load client process per node holds
that node's share of the connections (SignalR JSON hub protocol: negotiate, WebSocket, handshake),
all started at once. Then --broadcasts REST broadcasts (`POST /api/hubs/bench/:send`) to the first
node, one at a time, each reaching the clients of every node through Redis.

Reports: the time to connect all (start of the load clients -> the last one READY), memory per
connection (RSS of every node + redis-server, divided by the connections; also the growth since
before connecting), and for each broadcast the delivery time to the last client (the largest
"REST call started -> message handled" latency over all clients; the kernel arrival time beside
it) and the deliveries counted against the connections.

Needs python3 only (no node, no build tools): with --bundle DIR (made by bench/bundle.sh; the
default when this script sits in such a folder) every program runs as
`DIR/lib/ld-linux-x86-64.so.2 --library-path DIR/lib DIR/bin/NAME`; otherwise the paths come from
--switchboard/--loadclient/--redis-server, SWITCHBOARD_BIN/BENCH_LOADCLIENT/REDIS_SERVER, or
build/ and /usr/bin/redis-server.

Usage: python3 bench/cluster_100k.py [--connections 100000] [--nodes 6] [--bundle DIR] [--out DIR]
                                     [--time-limit 270]
Writes DIR/cluster_100k.json and prints a summary. Everything it started is stopped at the end, or
when --time-limit seconds have passed (then the results so far are written, marked timed out).
"""
import argparse
import json
import math
import os
import resource
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cluster_procs import Binaries, start_node, start_redis  # noqa: E402
from proc_stats import cpu_seconds, rss_kb  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
# Every client connects from a loopback address: the per-address negotiate rate limit (docs/limits.md)
# would refuse most of them, so the nodes started here run without it.
os.environ.setdefault("SWITCHBOARD_NEGOTIATE_RATE", "0")
KEY = "switchboard-bench-key-0123456789abcdefghijklmnop"  # any key: the nodes and clients share it
HUB = "bench"
REST_SEND = f"/api/hubs/{HUB}/:send?api-version=2022-06-01"


def log(*args):
    print(*args, file=sys.stderr, flush=True)


class Deadline(Exception):
    pass


class LoadProc:
    """One switchboard-loadclient process, driven over stdin (send / report / stop)."""

    def __init__(self, binaries, host, port, clients, concurrency, sender=None):
        args = ["--protocol", "json", "--host", host, "--port", str(port), "--clients", str(clients),
                "--hub", HUB, "--access-key", KEY, "--connect-concurrency", str(concurrency)]
        if sender:  # one send per "send": rate 1/s for 1 s
            args += ["--send-port", str(sender[1]), "--send-path", REST_SEND, "--send-auth", "mint",
                     "--send-body", "signalr", "--rate", "1", "--duration", "1"]
            if sender[0] != host:
                raise ValueError("the sender posts to the load client's own --host")
        self.started = time.monotonic()
        self.proc = subprocess.Popen(binaries.cmd("switchboard-loadclient", args), stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1)
        self.lines, self.cv = [], threading.Condition()
        threading.Thread(target=self._stderr, daemon=True).start()

    def _stderr(self):
        for line in self.proc.stderr:
            with self.cv:
                self.lines.append((time.monotonic(), line))
                self.cv.notify_all()

    def wait(self, prefix, deadline):
        with self.cv:
            while True:
                for i, (at, line) in enumerate(self.lines):
                    if line.startswith(prefix):
                        del self.lines[i]
                        return at, line.strip()
                if self.proc.poll() is not None:
                    raise RuntimeError(f"load client exited: {''.join(l for _, l in self.lines)[-1500:]}")
                if time.monotonic() >= deadline:
                    raise Deadline(f"no {prefix} from a load client in time")
                self.cv.wait(min(1.0, deadline - time.monotonic()))

    def command(self, text):
        self.proc.stdin.write(text + "\n")
        self.proc.stdin.flush()

    def report(self):
        self.command("report")
        return json.loads(self.proc.stdout.readline())

    def stop(self):
        try:
            self.command("stop")
            self.proc.stdin.close()
            self.proc.wait(10)
        except (OSError, subprocess.TimeoutExpired, ValueError):
            self.proc.kill()


def fields(line):
    """'READY connected=5 failed=0 setup_s=1.2' -> {'connected': '5', ...}"""
    return dict(part.split("=", 1) for part in line.split()[1:] if "=" in part)


def run(a, binaries, result, procs, loads):
    deadline = result["_deadline"]
    per_client = math.ceil(a.connections / a.nodes)
    fd_limit = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    result["fd_limit"] = fd_limit
    if per_client + 200 > fd_limit:
        raise RuntimeError(f"{per_client} connections per node and per load client need more than the "
                           f"open-file limit {fd_limit}: use more --nodes")
    redis = start_redis(binaries)
    procs.append(redis)
    nodes = []
    for k in range(a.nodes):
        host = f"127.0.0.{k + 1}" if a.spread_addresses else "127.0.0.1"
        node = start_node(binaries, redis.url, f"node{k + 1}", a.base_port + k, KEY, bind=host,
                          threads=a.threads)
        procs.append(node)
        nodes.append(node)
    log(f"redis-server {redis.url} and {a.nodes} nodes up: " + ", ".join(f"{n.host}:{n.port}" for n in nodes))
    time.sleep(1.0)
    rss_before = {"redis": rss_kb(redis.pid), "nodes": [rss_kb(n.pid) for n in nodes]}

    # All load clients at once, client i of the total on node i % nodes' share.
    shares = [a.connections // a.nodes + (1 if k < a.connections % a.nodes else 0) for k in range(a.nodes)]
    t0 = time.monotonic()
    for k, node in enumerate(nodes):
        loads.append(LoadProc(binaries, node.host, node.port, shares[k], a.connect_concurrency,
                              sender=(node.host, node.port) if k == 0 else None))
    readies = []
    for lp in loads:
        at, line = lp.wait("READY", deadline)
        readies.append((at, fields(line)))
    connect_s = max(at for at, _ in readies) - t0
    connected = sum(int(f.get("connected", 0)) for _, f in readies)
    failed = sum(int(f.get("failed", 0)) for _, f in readies)
    errors = [f["first_error"] for _, f in readies if "first_error" in f]
    result.update(connections_asked=a.connections, connected=connected, failed=failed, connect_s=connect_s,
                  per_node=shares, load_client_setup_s=[float(f.get("setup_s", 0)) for _, f in readies],
                  first_errors=errors[:3])
    log(f"connected {connected} (failed {failed}) in {connect_s:.2f} s")

    time.sleep(a.settle)
    rss_after = {"redis": rss_kb(redis.pid), "nodes": [rss_kb(n.pid) for n in nodes]}
    total_kb = sum(rss_after["nodes"]) + rss_after["redis"]
    grown_kb = total_kb - sum(rss_before["nodes"]) - rss_before["redis"]
    result.update(rss_kb_before=rss_before, rss_kb_after=rss_after, rss_kb_total=total_kb,
                  rss_kb_per_connection=total_kb / max(1, connected),
                  rss_kb_growth_per_connection=grown_kb / max(1, connected))

    result["broadcasts"] = []
    pids = [n.pid for n in nodes] + [redis.pid]
    for b in range(a.broadcasts):
        for lp in loads:
            lp.report()  # reset the counters
        cpu0 = [cpu_seconds(p) for p in pids]
        loads[0].command("send")
        at, line = loads[0].wait("SENT", deadline)  # the sender waits 1 s after its call, then says SENT
        ok = line.split()[1] == "1"
        time.sleep(max(0.0, a.drain - 1.0))
        reports = [lp.report() for lp in loads]
        cpu = sum(cpu_seconds(p) - c for p, c in zip(pids, cpu0))
        deliveries = sum(r["deliveries"] for r in reports)
        open_now = sum(r["open"] for r in reports)
        row = dict(rest_ok=ok, deliveries=deliveries, open=open_now, missing=open_now - deliveries,
                   last_client_ms=max(r["latency_us"]["max"] for r in reports) / 1000,
                   last_arrival_ms=max(r["arrival_us"]["max"] for r in reports) / 1000,
                   per_load_client_p50_ms=[r["latency_us"]["p50"] / 1000 for r in reports],
                   per_load_client_max_ms=[r["latency_us"]["max"] / 1000 for r in reports],
                   closes=sum(r["closes"] for r in reports), server_cpu_s=cpu,
                   server_cpu_us_per_delivery=cpu * 1e6 / deliveries if deliveries else None)
        result["broadcasts"].append(row)
        log(f"broadcast {b + 1}: {deliveries}/{open_now} delivered, last client after {row['last_client_ms']:.1f} ms")


def summary(result):
    lines = [f"cluster_100k: {result.get('status')} after {result.get('wall_s', 0):.1f} s "
             f"({result.get('nodes')} nodes + redis-server, {result.get('threads')} thread(s) per node)"]
    if "connected" in result:
        lines.append(f"  connections: {result['connected']:,} of {result['connections_asked']:,} "
                     f"(failed {result['failed']}) in {result['connect_s']:.2f} s")
    if "rss_kb_total" in result:
        lines.append(f"  memory: {result['rss_kb_total'] / 1024:.1f} MB RSS (nodes + redis) = "
                     f"{result['rss_kb_per_connection']:.2f} KB per connection "
                     f"({result['rss_kb_growth_per_connection']:.2f} KB grown per connection)")
    for i, b in enumerate(result.get("broadcasts", [])):
        lines.append(f"  broadcast {i + 1} to one node: {b['deliveries']:,} of {b['open']:,} clients"
                     f"{' (' + format(b['missing'], ',') + ' MISSING)' if b['missing'] else ''}, "
                     f"last client {b['last_client_ms']:.1f} ms after the REST call began "
                     f"(kernel arrival {b['last_arrival_ms']:.1f} ms)")
    if result.get("error"):
        lines.append(f"  error: {result['error']}")
    return "\n".join(lines)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--connections", type=int, default=100000)
    p.add_argument("--nodes", type=int, default=6)
    p.add_argument("--threads", type=int, default=1, help="--threads of each node")
    p.add_argument("--connect-concurrency", type=int, default=64, help="per load client")
    p.add_argument("--broadcasts", type=int, default=2)
    p.add_argument("--drain", type=float, default=5.0, help="seconds from a broadcast to the reports")
    p.add_argument("--settle", type=float, default=2.0, help="seconds from all connected to the RSS reading")
    p.add_argument("--base-port", type=int, default=19100, help="node k listens on base-port + k")
    p.add_argument("--same-address", dest="spread_addresses", action="store_false",
                   help="all nodes on 127.0.0.1 (default: node k on 127.0.0.(k+1))")
    default_bundle = HERE if os.path.isdir(os.path.join(HERE, "bin")) and os.path.isdir(os.path.join(HERE, "lib")) else None
    p.add_argument("--bundle", default=default_bundle, help="a folder made by bench/bundle.sh")
    p.add_argument("--switchboard")
    p.add_argument("--loadclient")
    p.add_argument("--redis-server")
    p.add_argument("--out", default="cluster-100k-results")
    p.add_argument("--time-limit", type=float, default=270, help="seconds for the whole run")
    a = p.parse_args()

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    binaries = Binaries(a.bundle, a.switchboard, a.loadclient, a.redis_server)
    missing = binaries.check()
    if missing:
        sys.exit("\n".join(missing))
    os.makedirs(a.out, exist_ok=True)
    started = time.monotonic()
    result = dict(status="running", nodes=a.nodes, threads=a.threads, bundle=a.bundle,
                  args=vars(a), nproc=os.cpu_count(), kernel=os.uname().release,
                  ip_local_port_range=open("/proc/sys/net/ipv4/ip_local_port_range").read().split(),
                  started=time.strftime("%Y-%m-%dT%H:%M:%S%z"), _deadline=started + a.time_limit - 20)
    procs, loads = [], []
    # The hard bound: whatever is still running when the time is up is killed (the waits above
    # give up 20 s earlier, so this only fires when something hangs outside them).
    def kill_all():
        for x in loads + procs:
            try:
                x.proc.kill()
            except OSError:
                pass
    watchdog = threading.Timer(a.time_limit, kill_all)
    watchdog.daemon = True
    watchdog.start()
    try:
        run(a, binaries, result, procs, loads)
        result["status"] = "ok"
    except Deadline as e:
        result.update(status="timed out", error=str(e))
    except Exception as e:  # noqa: BLE001 - reported in the results, then everything is stopped
        result.update(status="failed", error=f"{type(e).__name__}: {e}")
    finally:
        for lp in loads:
            lp.stop()
        for x in reversed(procs):
            x.stop()
        watchdog.cancel()
        result.pop("_deadline", None)
        result["wall_s"] = time.monotonic() - started
        result["finished"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        path = os.path.join(a.out, "cluster_100k.json")
        with open(path, "w") as f:
            json.dump(result, f, indent=1)
        print(summary(result))
        print(f"results: {path}")
    sys.exit(0 if result["status"] == "ok" else 1)


if __name__ == "__main__":
    main()
