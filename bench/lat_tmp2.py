import run, time, subprocess, sys
s = run.start_server("switchboard")
lc = run.LoadClient("json", run.PORT_SERVICE, 1000, sender=run.sender_args(run.PORT_SERVICE, run.send_path("switchboard","broadcast"), "signalr", "mint", 100, 6))
p = subprocess.Popen(["perf","record","-g","-p",str(lc.proc.pid),"-o","/tmp/perf3.data","--","sleep","4"], stderr=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
m = run.rate_measure([s.pid], lc, 6, 1000)
p.wait()
print({k: m[k] for k in ("p50_us","p99_us","max_us","cpu_us_per_delivery","loss")})
lc.stop(); s.stop()
