#!/usr/bin/env python3
"""io_uring fan-out against one sendmsg() per connection (docs/benchmarks.md, "io_uring fan-out").

One build, started alternately with SWITCHBOARD_IO_URING=auto and =off (the --io-uring option) within
one run, so that both see the same machine load:
  broadcast  scenario 1: REST broadcast to --clients clients, wrk with 1 and 4 senders
  latency    scenario 3: --rate broadcasts/s, p50/p99 from the REST call to each receipt
  cluster    two nodes on one redis-server, clients split over them, the sends to the first node:
             at --rate and with wrk, one sender (one message per write: the send() floor)
  floor      bench/floor/bare_fanout.cpp with one send() per client and with io_uring, at --rate
Each row carries the 1-minute load average when it was measured. Medians per (scenario, variant,
path) are printed as a table and written with every run to OUT/results.json.

Usage: bench/io_uring_ab.py [--runs 3] [--clients 1000] [--duration 10] [--rate 100] [--out DIR]
Needs `make bench` (the load client and bare-fanout), wrk and redis-server, like bench/run.py.
"""
import argparse
import json
import os
import statistics
import sys
import time

import run as bench

PATHS = (("auto", "io_uring"), ("off", "sendmsg"))


def with_load(values):
    return dict(values, load1=round(os.getloadavg()[0], 2))


def single_node(a, token, path, run):
    server = bench.start_server("switchboard")
    try:
        lc = bench.LoadClient("json", bench.PORT_SERVICE, a.clients,
                              sender=bench.sender_args(bench.PORT_SERVICE, bench.REST_SEND, "signalr", "mint",
                                                       a.rate, a.duration))
        try:
            for senders in (1, 4):
                m = bench.wrk_measure([server.pid], lc, bench.PORT_SERVICE, bench.REST_SEND, senders, a.duration,
                                      a.clients, token, "signalr")
                bench.record("broadcast", path, f"{senders} sender(s)", run, **with_load(m))
            m = bench.rate_measure([server.pid], lc, a.duration, a.clients)
            bench.record("latency", path, f"{a.rate:g}/s", run, **with_load(m))
        finally:
            lc.stop()
    finally:
        server.stop()


def cluster(a, token, path, run):
    procs, ports, redis_pid = bench.start_cluster_setup("switchboard", 2)
    try:
        pids = [p.pid for p in procs]
        lc = bench.LoadClient("json", ports[0], a.clients, targets=ports,
                              sender=bench.sender_args(ports[0], bench.REST_SEND, "signalr", "mint", a.rate,
                                                       a.duration))
        try:
            m = bench.rate_measure(pids, lc, a.duration, a.clients)
            bench.record("cluster", path, f"2 nodes + redis, {a.rate:g}/s", run, **with_load(m))
            m = bench.wrk_measure(pids, lc, ports[0], bench.REST_SEND, 1, a.duration, a.clients, token, "signalr")
            bench.record("cluster", path, "2 nodes + redis, wrk 1 sender", run, **with_load(m))
        finally:
            lc.stop()
    finally:
        for p in reversed(procs):
            p.stop()


def floor(a, run):
    for mode, name in (("send", "bare send()"), ("uring", "bare io_uring")):
        bench.record("floor", name, f"{a.rate:g}/s", run, **with_load(dict(
            clients=a.clients, **bench.bare_fanout(a.clients, a.rate, a.duration, mode))))


def table(rows):
    keys = []
    for r in rows:
        k = (r["scenario"], r["variant"], r["server"])
        if k not in keys:
            keys.append(k)
    fields = ("deliveries_per_s", "cpu_us_per_delivery", "p50_us", "p99_us", "loss", "load1")
    lines = ["| scenario | variant | path | " + " | ".join(fields) + " |",
             "|---|---|---|" + "---|" * len(fields)]
    for k in keys:
        same = [r for r in rows if (r["scenario"], r["variant"], r["server"]) == k]
        cells = []
        for f in fields:
            values = [r[f] for r in same if r.get(f) is not None]
            if not values:
                cells.append("")
                continue
            med = statistics.median(values)
            cells.append(f"{med:.2f}" if f in ("cpu_us_per_delivery", "load1") else f"{med:.0f}")
        lines.append(f"| {k[0]} | {k[1]} | {k[2]} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--clients", type=int, default=1000)
    p.add_argument("--duration", type=float, default=10)
    p.add_argument("--rate", type=float, default=100)
    p.add_argument("--parts", default="single,cluster,floor")
    p.add_argument("--out", default=os.path.join(bench.ROOT, "docs", "bench-results", "io-uring"))
    a = p.parse_args()
    parts = a.parts.split(",")
    os.makedirs(a.out, exist_ok=True)
    bench.raise_fd_limit()
    # A port of its own: other benchmarks on this machine may hold run.py's fixed one.
    bench.PORT_SERVICE = bench.free_port()
    info = bench.machine()
    info["args"] = vars(a)
    info["started"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    token = bench.rest_token()
    try:
        for run in range(a.runs):
            for setting, path in PATHS:
                os.environ["SWITCHBOARD_IO_URING"] = setting
                if "single" in parts:
                    single_node(a, token, path, run)
                if "cluster" in parts:
                    cluster(a, token, path, run)
            if "floor" in parts:
                floor(a, run)
    finally:
        os.environ.pop("SWITCHBOARD_IO_URING", None)
        info["finished"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        with open(os.path.join(a.out, "results.json"), "w") as f:
            json.dump(dict(machine=info, results=bench.RESULTS), f, indent=1)
        summary = table(bench.RESULTS)
        with open(os.path.join(a.out, "summary.md"), "w") as f:
            f.write(summary + "\n")
        print(summary)


if __name__ == "__main__":
    sys.exit(main())
