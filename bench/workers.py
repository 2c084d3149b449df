#!/usr/bin/env python3
"""Language workers side by side: start-up and per-call cost of the same function (POST /api/broadcast:
the request body through the signalR output binding, bench/apps/workers/{js,python,java,dotnet}) run by
the JavaScript, Python, Java and .NET (C# on Mono) workers under `switchboard start`.

For each language and run, on a fresh copy of the app:
  start_ms        from spawning `switchboard start` to the first 2xx answer of the function (Java, C#:
                  the first start compiles the app with javac / mcs; "cached" is a second start of the
                  same copy, which reuses the compile cache)
  p50/p99_ms      latency of --calls sequential calls (after --warmup calls), one keep-alive connection
  worker_us/call  CPU time (utime+stime, /proc) of the worker process per call
  host_us/call    CPU time of the switchboard process itself per call

Usage: bench/workers.py [--runs R] [--calls N] [--languages js,python,java,dotnet] [--out FILE]
Prints a table of medians (min-max) and writes every run to FILE (JSON) when given.
"""
import argparse
import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from cluster_procs import free_port
from proc_stats import CLK_TCK, descendants

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
SWITCHBOARD = os.environ.get("SWITCHBOARD_BIN", os.path.join(REPO, "build", "switchboard"))
WORKER_MARK = {"js": "workers/node/worker.mjs", "python": "workers/python/worker.py", "java": "switchboard.worker.Main",
               "dotnet": "Switchboard.Worker.exe"}


def own_cpu_seconds(pid):
    """utime + stime of one process (not its children)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def worker_pid(host_pid, language):
    for pid in descendants(host_pid):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if WORKER_MARK[language].encode() in f.read():
                    return pid
        except OSError:
            pass
    return None


def post(conn, body=b'{"n":1}'):
    conn.request("POST", "/api/broadcast", body=body, headers={"Content-Type": "application/json"})
    res = conn.getresponse()
    res.read()
    return res.status


def start(app):
    """Starts the host; returns (process, port, ms to the first 2xx answer)."""
    port, service_port = free_port(), free_port()
    began = time.monotonic()
    proc = subprocess.Popen([SWITCHBOARD, "start", app, "--port", str(port), "--service-port", str(service_port),
                             "--threads", "1"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = began + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"switchboard start {app} exited: {proc.stderr.read().decode()[-2000:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            status = post(conn)
            conn.close()
            if 200 <= status < 300:
                return proc, port, (time.monotonic() - began) * 1000
        except OSError:
            pass
        time.sleep(0.01)
    proc.kill()
    raise RuntimeError(f"{app}: no 2xx answer within 120 s")


def stop(proc):
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def measure_calls(proc, port, language, warmup, calls):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for _ in range(warmup):
        post(conn)
    worker = worker_pid(proc.pid, language)
    w0, h0 = own_cpu_seconds(worker), own_cpu_seconds(proc.pid)
    times = []
    for _ in range(calls):
        t = time.monotonic()
        status = post(conn)
        times.append((time.monotonic() - t) * 1000)
        if not 200 <= status < 300:
            raise RuntimeError(f"{language}: status {status}")
    w1, h1 = own_cpu_seconds(worker), own_cpu_seconds(proc.pid)
    conn.close()
    times.sort()
    return dict(p50_ms=times[len(times) // 2], p99_ms=times[min(len(times) - 1, int(len(times) * 0.99))],
                worker_us_per_call=(w1 - w0) * 1e6 / calls, host_us_per_call=(h1 - h0) * 1e6 / calls)


def run_language(language, a):
    rows = []
    for run in range(a.runs):
        tmp = tempfile.mkdtemp(prefix="sb-bench-workers-")
        try:
            app = os.path.join(tmp, language)
            shutil.copytree(os.path.join(HERE, "apps", "workers", language), app)
            proc, port, start_ms = start(app)
            try:
                row = dict(language=language, run=run, start_ms=start_ms, **measure_calls(proc, port, language, a.warmup, a.calls))
            finally:
                stop(proc)
            if language in ("java", "dotnet"):
                proc, _, cached_ms = start(app)
                stop(proc)
                row["cached_start_ms"] = cached_ms
            rows.append(row)
            print(json.dumps(row), file=sys.stderr)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return rows


def summary(values):
    return f"{statistics.median(values):,.1f} ({min(values):,.1f}-{max(values):,.1f})"


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--calls", type=int, default=500)
    p.add_argument("--warmup", type=int, default=200)
    p.add_argument("--languages", default="js,python,java,dotnet")
    p.add_argument("--out")
    a = p.parse_args()
    rows = []
    for language in a.languages.split(","):
        rows += run_language(language, a)
    if a.out:
        with open(a.out, "w") as f:
            json.dump(rows, f, indent=2)
    cols = ["start_ms", "cached_start_ms", "p50_ms", "p99_ms", "worker_us_per_call", "host_us_per_call"]
    print("| language | " + " | ".join(cols) + " |")
    print("|---" * (len(cols) + 1) + "|")
    for language in a.languages.split(","):
        mine = [r for r in rows if r["language"] == language]
        cells = [summary([r[c] for r in mine]) if c in mine[0] else "-" for c in cols]
        print(f"| {language} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
