import run, time, subprocess, sys
threads, server_cpus, lc_cpus = sys.argv[1], sys.argv[2], sys.argv[3]
def pin(cmd, cpus): return (["taskset", "-c", cpus] + cmd) if cpus != "-" else cmd
run.pinned = lambda cmd, cpus: pin(cmd, lc_cpus)
s = run.Server("switchboard", [run.SWITCHBOARD, "--log-level", "warn", "service", "--port", str(run.PORT_SERVICE), "--access-key", run.KEY, "--threads", threads], run.PORT_SERVICE)
if server_cpus != "-": subprocess.run(["taskset", "-a", "-p", "-c", server_cpus, str(s.pid)], capture_output=True)
lc = run.LoadClient("json", run.PORT_SERVICE, 1000, sender=run.sender_args(run.PORT_SERVICE, run.send_path("switchboard","broadcast"), "signalr", "mint", 100, 6))
m = run.rate_measure([s.pid], lc, 6, 1000)
print(threads, server_cpus, lc_cpus, {k: m[k] for k in ("p50_us","p99_us","arrival_p50_us","arrival_p99_us","cpu_us_per_delivery")})
lc.stop(); s.stop()
