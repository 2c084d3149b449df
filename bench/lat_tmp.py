import run, time, subprocess, sys
n = int(sys.argv[1]); extra = sys.argv[2:]
s = run.start_server("switchboard")
lc = run.LoadClient("json", run.PORT_SERVICE, n, sender=run.sender_args(run.PORT_SERVICE, run.send_path("switchboard","broadcast"), "signalr", "mint", 100, 6) + extra)
c0 = run.cpu_seconds(lc.proc.pid)
m = run.rate_measure([s.pid], lc, 6, n)
c1 = run.cpu_seconds(lc.proc.pid)
print({k: m[k] for k in ("p50_us","p99_us","max_us","arrival_p50_us","arrival_p99_us","arrival_max_us","cpu_us_per_delivery","loss")}, "lc cpu", round(c1-c0,2))
lc.stop(); s.stop()
