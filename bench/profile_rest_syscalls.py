#!/usr/bin/env python3
"""Where a REST send's server CPU goes by system call, against its floor (issue 16, target 1), from
perf's samples: the wall-clock CPU per call moves ±15 % from run to run on this shared VM, but the
split of one run's samples between system calls does not, so it shows what a change to the read or
the writes of a call bought.

Starts build/switchboard service --threads 1 (CPU 0, 1,000 JSON clients of the load client on CPU 1,
as the groups scenario) and build/bench/rest-floor, and for each server in turn runs wrk's user sends
(4 senders, --duration s) under `perf record -g` of the server, then reports per call (samples / calls
/ frequency): all the server's samples, those inside system calls, and each system call's (recv /
read, sendto, sendmsg, io_uring_enter, epoll_wait); --rounds N alternates the two N times and adds
the medians. Needs perf (perf_event_paranoid must allow it), wrk, and make bench.

  bench/profile_rest_syscalls.py [--rounds N] [--duration S] [--keep DIR]
  SWITCHBOARD_BIN=path: another build of the server.
"""
import argparse
import collections
import os
import re
import signal
import statistics
import subprocess
import tempfile
import time

import run as bench

FREQUENCY = 4999
SYSTEM_CALLS = {  # the kernel function each system call's samples are found under
    "recv": "__sys_recvfrom", "read": "ksys_read", "recvmsg": "___sys_recvmsg", "sendto": "__sys_sendto",
    "sendmsg": "__sys_sendmsg", "io_uring_enter": "__do_sys_io_uring_enter", "epoll_wait": "do_epoll_wait",
}


def record(pid, data, measure):
    perf = subprocess.Popen(["perf", "record", "-F", str(FREQUENCY), "-g", "-p", str(pid), "-o", data],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1)  # attached
    try:
        calls = measure()
    finally:
        perf.send_signal(signal.SIGINT)
        perf.wait()
    return calls


def attribute(data, calls):
    """µs per call: all samples, those in system calls, and per system call."""
    out = subprocess.run(["perf", "script", "-i", data], capture_output=True, text=True).stdout
    counts = collections.Counter()
    for block in out.split("\n\n"):
        lines = block.strip().split("\n")[1:]
        if not lines:
            continue
        frames = {re.sub(r"\+0x.*", "", parts[1]) for parts in (line.split(None, 1) for line in lines)
                  if len(parts) > 1}
        counts["all"] += 1
        if "do_syscall_64" in frames:
            counts["system calls"] += 1
        for name, function in SYSTEM_CALLS.items():
            if function in frames:
                counts[name] += 1
    return {name: n / calls / FREQUENCY * 1e6 for name, n in counts.items()}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rounds", type=int, default=1)
    p.add_argument("--duration", type=float, default=5)
    p.add_argument("--clients", type=int, default=1000)
    p.add_argument("--keep", help="keep perf.data files here")
    a = p.parse_args()
    work = a.keep or tempfile.mkdtemp()
    os.makedirs(work, exist_ok=True)
    token = bench.rest_token()
    server = bench.start_server("switchboard")
    clients = bench.LoadClient("json", bench.PORT_SERVICE, a.clients)
    floor = bench.start_rest_floor(a.clients)
    results = {"switchboard": [], "floor": []}
    try:
        # Warm-up, untimed: the first seconds of a fresh server cost more (caches, allocations).
        bench.run_wrk(bench.PORT_SERVICE, bench.send_path("switchboard", "user"), 4, 2, token=token,
                      body="signalr", spread=a.clients)
        bench.rest_floor_wrk(2, a.clients)
        for r in range(a.rounds):
            for name in ("switchboard", "floor"):
                data = os.path.join(work, f"{name}-{r}.data")
                if name == "switchboard":
                    calls = record(server.pid, data, lambda: bench.run_wrk(
                        bench.PORT_SERVICE, bench.send_path("switchboard", "user"), 4, a.duration, token=token,
                        body="signalr", spread=a.clients)["requests"])
                else:
                    calls = record(floor.pid, data, lambda: bench.rest_floor_wrk(a.duration, a.clients)["requests"])
                got = attribute(data, calls)
                results[name].append(got)
                print(f"round {r} {name:11} {calls:7d} calls, µs per call: " +
                      ", ".join(f"{k} {v:.2f}" for k, v in sorted(got.items(), key=lambda kv: -kv[1])), flush=True)
            ratio = results["switchboard"][-1]["all"] / results["floor"][-1]["all"]
            print(f"round {r} switchboard ÷ floor (all samples): {ratio:.3f}", flush=True)
        if a.rounds > 1:
            for name, rows in results.items():
                keys = sorted({k for row in rows for k in row}, key=lambda k: -rows[0].get(k, 0))
                print(f"median {name:11} " + ", ".join(
                    f"{k} {statistics.median(row.get(k, 0) for row in rows):.2f}" for k in keys))
            print("median switchboard ÷ floor: {:.3f}".format(statistics.median(
                s["all"] / f["all"] for s, f in zip(results["switchboard"], results["floor"]))))
    finally:
        clients.stop()
        server.stop()
        floor.terminate()
        floor.communicate()


if __name__ == "__main__":
    main()
