#!/usr/bin/env python3
"""Medians over alternating rounds of an A/B benchmark: one bench/run.py output directory per build and
round (VARIANT-round1, VARIANT-round2, …, each with its results.json), one table row per setup and build,
with every round's figure beside the median. Usage: bench/ab_medians.py DIR VARIANT [VARIANT …] > table.md
(docs/benchmarks.md, "Flush slices")."""
import glob
import json
import os
import statistics
import sys


def rounds(directory, variant):
    rows = []
    for path in sorted(glob.glob(os.path.join(directory, f"{variant}-round*", "results.json"))):
        with open(path) as f:
            rows += json.load(f)["results"]
    return rows


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    directory, variants = sys.argv[1], sys.argv[2:]
    by_setup = {}
    for variant in variants:
        for r in rounds(directory, variant):
            by_setup.setdefault(r["variant"], {}).setdefault(variant, []).append(r)
    print("| setup, load | build | rounds | deliveries/s (each round) | median | CPU µs/delivery (each) | median "
          "| p50 ms | p99 ms | http p50 µs |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for setup, per_variant in by_setup.items():
        for variant in variants:
            rs = per_variant.get(variant, [])
            if not rs:
                continue
            delivered = [r["deliveries_per_s"] for r in rs]
            cpu = [r["cpu_us_per_delivery"] for r in rs]
            http = [r["http_p50_us"] for r in rs if r.get("http_p50_us") is not None]
            print(f"| {setup} | {variant} | {len(rs)} | {', '.join(f'{x:,.0f}' for x in delivered)} | "
                  f"{statistics.median(delivered):,.0f} | {', '.join(f'{x:.2f}' for x in cpu)} | "
                  f"{statistics.median(cpu):.2f} | {statistics.median(r['p50_us'] for r in rs) / 1000:.1f} | "
                  f"{statistics.median(r['p99_us'] for r in rs) / 1000:.1f} | "
                  f"{statistics.median(http) if http else '-'} |")


if __name__ == "__main__":
    main()
