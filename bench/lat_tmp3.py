import run, time, subprocess, sys
threads, split = sys.argv[1], int(sys.argv[2])
run.PIN = False
s = run.Server("switchboard", [run.SWITCHBOARD, "--log-level", "warn", "service", "--port", str(run.PORT_SERVICE), "--access-key", run.KEY, "--threads", threads], run.PORT_SERVICE)
n = 1000 // split
lcs = [run.LoadClient("json", run.PORT_SERVICE, n, sender=run.sender_args(run.PORT_SERVICE, run.send_path("switchboard","broadcast"), "signalr", "mint", 100, 6) if i == 0 else None) for i in range(split)]
for lc in lcs: lc.report()
lcs[0].send(6)
reps = [lc.report() for lc in lcs]
for r in reps: print({k: r["latency_us"][k] for k in ("p50","p99","max")}, r["deliveries"])
for lc in lcs: lc.stop()
s.stop()
