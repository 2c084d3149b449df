#!/usr/bin/env python3
"""A/B of the REST user send between builds of Switchboard (issue 16, target 1), made for a noisy
machine: every build and the floor program run at once (each Switchboard on CPU 0 with its own
1,000 JSON clients on CPU 1, `--threads 1`; bench/floor/rest_floor.cpp pins itself the same way),
and each round measures them back to back under wrk's user sends (4 senders, --duration s), in
alternating order, so that a slow stretch of the host falls on all of them. Server CPU per call is
the process's own utime + stime (/proc/<pid>/stat; the floor's forked client is not counted) over
wrk's completed calls. Prints each round, then per build the median CPU per call and per-round
ratio to the floor, and each build's per-round ratio to the first build.

  bench/rest_ab.py [--rounds N] [--duration S] NAME=PATH [NAME=PATH ...]
  e.g. bench/rest_ab.py --rounds 12 --duration 3 before=/tmp/sb-before after=build/switchboard
"""
import argparse
import os
import statistics
import time

import run as bench


def own_cpu_seconds(pid):
    """The process's own CPU time (not its children's)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rounds", type=int, default=12)
    p.add_argument("--duration", type=float, default=3)
    p.add_argument("--clients", type=int, default=1000)
    p.add_argument("builds", nargs="+", metavar="NAME=PATH")
    a = p.parse_args()
    builds = [b.split("=", 1) for b in a.builds]
    token = bench.rest_token()
    servers, clients, ports = {}, {}, {}
    floor = bench.start_rest_floor(a.clients)
    try:
        for i, (name, path) in enumerate(builds):
            port = bench.free_port()
            servers[name] = bench.Server(name, [path, "--log-level", "warn", "service", "--port", str(port),
                                                "--access-key", bench.KEY, "--threads", "1"], port)
            clients[name] = bench.LoadClient("json", port, a.clients)
            ports[name] = port
        cpu = {name: [] for name, _ in builds}
        cpu["floor"] = []
        for r in range(a.rounds):
            order = builds if r % 2 == 0 else builds[::-1]
            for name, _ in order + [("floor", None)]:
                pid = floor.pid if name == "floor" else servers[name].pid
                before = own_cpu_seconds(pid)
                if name == "floor":
                    w = bench.rest_floor_wrk(a.duration, a.clients)
                else:
                    w = bench.run_wrk(ports[name], bench.send_path("switchboard", "user"), 4, a.duration,
                                      token=token, body="signalr", spread=a.clients)
                time.sleep(0.3)  # the last calls' deliveries
                cpu[name].append((own_cpu_seconds(pid) - before) * 1e6 / w["requests"])
            print(f"round {r}: " + ", ".join(f"{n} {v[-1]:.2f} µs" for n, v in cpu.items()), flush=True)
        for name, _ in builds:
            ratios = [x / f for x, f in zip(cpu[name], cpu["floor"])]
            print(f"{name}: CPU per call median {statistics.median(cpu[name]):.2f} µs; ÷ floor median "
                  f"{statistics.median(ratios):.3f} ({' '.join(f'{x:.2f}' for x in ratios)})")
        first = builds[0][0]
        for name, _ in builds[1:]:
            pairs = [x / y for x, y in zip(cpu[name], cpu[first])]
            print(f"{name} ÷ {first}: median {statistics.median(pairs):.3f} ({' '.join(f'{x:.2f}' for x in pairs)}); "
                  f"lower in {sum(x < 1 for x in pairs)} of {len(pairs)} rounds")
        print(f"floor: CPU per call median {statistics.median(cpu['floor']):.2f} µs")
    finally:
        for c in clients.values():
            c.stop()
        for s in servers.values():
            s.stop()
        floor.terminate()
        floor.communicate()


if __name__ == "__main__":
    main()
