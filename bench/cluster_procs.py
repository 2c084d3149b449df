"""The processes of a cluster benchmark: where the binaries are (a build tree, or a bundle made by
bench/bundle.sh, run through its own loader), a throwaway redis-server on a free port and
Switchboard cluster nodes on it, each started, waited for and stopped. Used by bench/run.py's
`cluster` scenario and by bench/cluster_100k.py. Needs python3 only (no node)."""
import os
import signal
import socket
import subprocess
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Every benchmark client connects from 127.0.0.1: the per-address negotiate rate limit (50/s by
# default, docs/limits.md) would refuse most of them, so every Switchboard started here runs without it.
os.environ.setdefault("SWITCHBOARD_NEGOTIATE_RATE", "0")


class Binaries:
    """Command lines for switchboard, switchboard-loadclient and redis-server.

    With a bundle DIR (bench/bundle.sh): `DIR/lib/ld-linux-x86-64.so.2 --library-path DIR/lib
    DIR/bin/NAME`, so that nothing of the machine's own libraries is needed. Otherwise the paths
    come from the environment (SWITCHBOARD_BIN, BENCH_LOADCLIENT, REDIS_SERVER) or the defaults
    (build/switchboard, build/bench/switchboard-loadclient, /usr/bin/redis-server)."""

    def __init__(self, bundle=None, switchboard=None, loadclient=None, redis=None):
        self.bundle = os.path.abspath(bundle) if bundle else None
        self.paths = {
            "switchboard": switchboard or os.environ.get("SWITCHBOARD_BIN")
            or os.path.join(ROOT, "build", "switchboard"),
            "switchboard-loadclient": loadclient or os.environ.get("BENCH_LOADCLIENT")
            or os.path.join(ROOT, "build", "bench", "switchboard-loadclient"),
            "redis-server": redis or os.environ.get("REDIS_SERVER") or "/usr/bin/redis-server",
        }

    def cmd(self, name, args):
        if self.bundle:
            lib = os.path.join(self.bundle, "lib")
            return [os.path.join(lib, "ld-linux-x86-64.so.2"), "--library-path", lib,
                    os.path.join(self.bundle, "bin", name)] + list(args)
        return [self.paths[name]] + list(args)

    def check(self):
        """The missing files, as a list of messages (empty: all there)."""
        if self.bundle:
            files = [os.path.join(self.bundle, "lib", "ld-linux-x86-64.so.2")] + [
                os.path.join(self.bundle, "bin", n) for n in self.paths]
        else:
            files = list(self.paths.values())
        return [f"missing: {f}" for f in files if not os.path.exists(f)]


def free_port(host="127.0.0.1"):
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


class Proc:
    """A long-running process whose output is read until `wait_for` appears (then drained)."""

    def __init__(self, name, cmd, wait_for, cpus=None, env=None, timeout=30, cwd=None):
        self.name = name
        if cpus is not None:
            cmd = ["taskset", "-c", cpus] + cmd
        self.proc = subprocess.Popen(cmd, cwd=cwd or ROOT, env=env, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True)
        self.output = []
        result = {}

        def read():
            for line in self.proc.stdout:
                if len(self.output) < 200:
                    self.output.append(line)
                if wait_for in line:
                    result["ready"] = True
        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        deadline = time.time() + timeout
        while "ready" not in result:
            if self.proc.poll() is not None or time.time() > deadline:
                self.stop()
                raise RuntimeError(f"{name} did not print {wait_for!r}: {''.join(self.output)[-2000:]}")
            time.sleep(0.02)

    @property
    def pid(self):
        return self.proc.pid

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def start_redis(binaries, port=None, cpus=None):
    """A redis-server on 127.0.0.1:port (a free one by default), nothing saved to disk."""
    port = port or free_port()
    cmd = binaries.cmd("redis-server", ["--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                        "--appendonly", "no", "--protected-mode", "no",
                                        "--daemonize", "no", "--dir", "/tmp"])
    proc = Proc("redis-server", cmd, "Ready to accept connections", cpus=cpus)
    proc.url = f"redis://127.0.0.1:{port}"
    proc.port = port
    return proc


def start_node(binaries, redis_url, node_id, port, key, bind="127.0.0.1", threads=1, balance="off",
               cpus=None):
    """One Switchboard cluster node: `switchboard service --redis URL --node-id ID --public-url URL`."""
    cmd = binaries.cmd("switchboard", [
        "--log-level", "warn", "service", "--bind", bind, "--port", str(port), "--access-key", key,
        "--threads", str(threads), "--redis", redis_url, "--node-id", node_id,
        "--public-url", f"http://{bind}:{port}", "--balance", balance])
    proc = Proc(f"switchboard {node_id}", cmd, "listening", cpus=cpus)
    proc.host, proc.port = bind, port
    try:
        wait_healthy(bind, port)
    except Exception:
        proc.stop()
        raise
    return proc


def wait_healthy(host, port, timeout=30):
    """Until GET /api/health says "healthy" (a cluster node: its Redis is reachable)."""
    deadline, last = time.time() + timeout, ""
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"http://{host}:{port}/api/health", timeout=2) as r:
                last = r.read().decode(errors="replace")
                if '"healthy"' in last:
                    return
        except OSError as e:
            last = str(e)
        time.sleep(0.1)
    raise RuntimeError(f"node {host}:{port} not healthy after {timeout} s: {last[:300]}")
