#!/usr/bin/env python3
"""Markdown tables from bench/run.py's results.json: medians of the runs with (min-max), and
Switchboard's ratio to each peer. Usage: bench/report.py [docs/bench-results/results.json] > table.md"""
import json
import os
import statistics
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def fmt(value, digits):
    if value is None:
        return "-"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.{digits}f}"


def cell(values, digits=1, scale=1.0):
    values = [v * scale for v in values if isinstance(v, (int, float))]
    if not values:
        return "-", None
    med = statistics.median(values)
    if len(values) == 1:
        return fmt(med, digits), med
    return f"{fmt(med, digits)} ({fmt(min(values), digits)}–{fmt(max(values), digits)})", med


def group(results):
    out = {}
    for r in results:
        out.setdefault((r["scenario"], r["server"], r["variant"]), []).append(r)
    return out


def table(title, columns, rows):
    lines = [f"### {title}", "", "| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def ratio(a, b, invert=False):
    if not a or not b:
        return "-"
    return f"{(b / a if invert else a / b):.2f}×"


def cluster_table(g, cluster):
    """The cluster scenario: each setup with the ratios the issue asks for (same run, same load):
    the 2-node cluster's CPU per delivery over its single node's, and Switchboard over Socket.IO."""
    def med(server, variant, key):
        runs = g.get(("cluster", server, variant), [])
        return cell([r.get(key) for r in runs])[1]
    rows = []
    for (_, server, variant), runs in cluster:
        row = [server, variant, str(len(runs)),
               cell([r.get("deliveries_per_s") for r in runs], 0)[0], cell([r.get("loss") for r in runs], 0)[0],
               cell([r.get("cpu_us_per_delivery") for r in runs], 2)[0],
               cell([r.get("redis_cpu_us_per_delivery") for r in runs], 2)[0],
               cell([r.get("p50_us") for r in runs], 1, 1e-3)[0], cell([r.get("p99_us") for r in runs], 1, 1e-3)[0],
               cell([r.get("arrival_p99_us") for r in runs], 1, 1e-3)[0]]
        notes = []
        single = variant.replace(variant.split(",")[0], "1 node", 1)
        if single != variant:
            notes.append("CPU/delivery ÷ 1 node: " + ratio(med(server, variant, "cpu_us_per_delivery"),
                                                         med(server, single, "cpu_us_per_delivery")))
        if server != "switchboard":
            notes.append("Switchboard ÷ this: throughput " +
                         ratio(med("switchboard", variant, "deliveries_per_s"), med(server, variant, "deliveries_per_s"))
                         + ", CPU " + ratio(med("switchboard", variant, "cpu_us_per_delivery"),
                                            med(server, variant, "cpu_us_per_delivery")))
        rows.append(row + ["; ".join(notes)])
    return table("Cluster: two nodes on one Redis beside a single node (sends to one node)",
                 ["server", "setup, load", "runs", "deliveries/s", "loss", "server CPU µs/delivery (nodes + redis)",
                  "of which redis-server", "p50 ms", "p99 ms", "arrival p99 ms", "ratios (medians)"], rows)


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "docs", "bench-results", "results.json")
    data = json.load(open(path))
    g = group(data["results"])
    out = []
    metric_cols = [("deliveries/s", "deliveries_per_s", 0, 1.0), ("loss", "loss", 0, 1.0),
                   ("server CPU µs/delivery", "cpu_us_per_delivery", 2, 1.0),
                   ("p50 ms", "p50_us", 1, 1e-3), ("p99 ms", "p99_us", 1, 1e-3), ("max ms", "max_us", 1, 1e-3),
                   ("arrival p50 ms", "arrival_p50_us", 1, 1e-3), ("arrival p99 ms", "arrival_p99_us", 1, 1e-3)]

    def rows_for(scenario, with_ratio):
        rows = []
        base = {}
        keys = [k for k in g if k[0] == scenario]
        for (_, server, variant) in keys:
            runs = g[(scenario, server, variant)]
            row = [server, variant, str(len(runs))]
            meds = {}
            for _, key, digits, scale in metric_cols:
                text, med = cell([r.get(key) for r in runs], digits, scale)
                row.append(text)
                meds[key] = med
            base[(server, variant)] = meds
            rows.append((server, variant, row))
        if with_ratio:
            for server, variant, row in rows:
                sb = base.get(("switchboard", variant), {})
                mine = base[(server, variant)]
                if server in ("bun", "ws", "socketio") and sb:
                    row.append("throughput " + ratio(sb.get("deliveries_per_s"), mine.get("deliveries_per_s")) +
                               ", CPU " + ratio(sb.get("cpu_us_per_delivery"), mine.get("cpu_us_per_delivery")))
                else:
                    row.append("")
        return [r for _, _, r in rows]

    cols = ["server", "variant", "runs"] + [c[0] for c in metric_cols]
    for scenario, title in (("broadcast", "Scenario 1: REST-triggered broadcast (wrk)"),
                            ("groups", "Scenario 2: send to groups and to users (wrk, 4 senders)"),
                            ("latency", "Scenario 3: latency at a fixed broadcast rate"),
                            ("binding", "Scenario 4: through a signalR output binding, at a fixed rate")):
        rows = rows_for(scenario, scenario != "binding")
        if rows:
            extra = ["Switchboard (JSON) ÷ this peer"] if scenario != "binding" else []
            out.append(table(title, cols + extra, rows if extra else [r[:-1] if len(r) > len(cols) else r
                                                                      for r in rows]))
    scaling = sorted(((k, v) for k, v in g.items() if k[0] == "scaling"),
                     key=lambda kv: (kv[1][0]["size"], kv[1][0]["clients"], kv[0][1]))
    if scaling:
        def med(server, variant, key):
            return cell([r.get(key) for r in g.get(("scaling", server, variant), [])])[1]
        rows = []
        for (_, server, variant), runs in scaling:
            note = ""
            if not server.startswith("switchboard"):
                note = ("throughput " + ratio(med("switchboard", variant, "deliveries_per_s"),
                                              med(server, variant, "deliveries_per_s")) +
                        ", CPU " + ratio(med("switchboard", variant, "cpu_us_per_delivery"),
                                         med(server, variant, "cpu_us_per_delivery")))
            rows.append([server, variant, str(len(runs)), cell([r.get("deliveries_per_s") for r in runs], 0)[0],
                         cell([r.get("cpu_us_per_delivery") for r in runs], 3)[0],
                         cell([r.get("loss") for r in runs], 0)[0], cell([r.get("closes") for r in runs], 0)[0],
                         note])
        out.append(table("Scaling: REST broadcast with 4 senders against clients and message size",
                         ["server", "clients, message size", "runs", "deliveries/s", "server CPU µs/delivery",
                          "loss", "slow consumers closed", "Switchboard (JSON) ÷ this peer"], rows))
    cluster = [(k, v) for k, v in g.items() if k[0] == "cluster"]
    if cluster:
        out.append(cluster_table(g, cluster))
    rest = [(k, v) for k, v in g.items() if k[0] == "rest"]
    if rest:
        rows = []
        for (_, server, variant), runs in rest:
            if "÷" in server:
                rows.append([server, str(len(runs)), "", "", " ".join(f"{r['cpu_ratio']:.2f}" for r in runs),
                             cell([r.get("cpu_ratio") for r in runs], 2)[0],
                             " ".join(f"{r['calls_ratio']:.2f}" for r in runs),
                             cell([r.get("calls_ratio") for r in runs], 2)[0]])
            else:
                rows.append([server, str(len(runs)), cell([r.get("requests_per_s") for r in runs], 0)[0],
                             cell([r.get("cpu_us_per_call") for r in runs], 2)[0], "", "", "", ""])
        out.append(table("The REST user send beside its floor, interleaved (4 senders)",
                         ["server", "runs", "calls/s", "server CPU µs per call", "CPU ratio (each run)",
                          "median", "calls/s ratio (each run)", "median"], rows))
    floor = [(k, v) for k, v in g.items() if k[0] == "floor"]
    if floor:
        rows = []
        for (_, server, variant), runs in floor:
            rows.append([server, variant, str(len(runs)),
                         cell([r.get("cpu_us_per_delivery", r.get("cpu_us_per_call")) for r in runs], 2)[0],
                         cell([r.get("burst_p50_us") for r in runs], 1, 1e-3)[0],
                         cell([r.get("p50_us") for r in runs], 1, 1e-3)[0],
                         cell([r.get("p99_us") for r in runs], 1, 1e-3)[0],
                         cell([r.get("max_us") for r in runs], 1, 1e-3)[0]])
        out.append(table("The machine's floor: one send() per client per message, nothing else",
                         ["program", "rate", "runs", "CPU µs per send (REST floor: per call)", "one burst ms",
                          "p50 ms", "p99 ms",
                          "max ms"], rows))
    neg = [(k, v) for k, v in g.items() if k[0] == "negotiate"]
    if neg:
        rows = []
        for (_, server, variant), runs in neg:
            rows.append([server, variant, str(len(runs)), cell([r.get("requests_per_s") for r in runs], 0)[0],
                         cell([r.get("http_p50_us") for r in runs], 2, 1e-3)[0],
                         cell([r.get("http_p99_us") for r in runs], 2, 1e-3)[0],
                         cell([r.get("cpu_us_per_request") for r in runs], 0)[0]])
        out.append(table("Scenario 5: negotiate through the functions host",
                         ["host", "load", "runs", "requests/s", "p50 ms", "p99 ms", "server CPU µs/request"], rows))
    idle = [(k, v) for k, v in g.items() if k[0] == "idle"]
    if idle:
        rows = []
        for (_, server, variant), runs in idle:
            if runs[0].get("skipped"):
                rows.append([server, variant, "0", f"not run: {runs[0]['skipped']}", "-", "-"])
                continue
            rows.append([server, variant, str(len(runs)),
                         cell([r.get("rss_kb_per_connection") for r in runs], 2)[0],
                         cell([r.get("setup_s") for r in runs], 2)[0],
                         cell([r.get("cpu_us_per_connection") for r in runs], 0)[0]])
        out.append(table("Scenario 6: idle memory",
                         ["server", "connections", "runs", "RSS KB per connection", "connect time s",
                          "server CPU µs per connection set up"], rows))
    print("\n".join(out))


if __name__ == "__main__":
    main()
