#!/usr/bin/python3
"""The table of README.md's inter-tier (micro-channel) cooling study (cases/scans/integration-depth-60s-microchannel.yaml)
from its results.csv.

Usage: docs/study/microchannel_table.py [results/integration-depth-60s/microchannel/results.csv]   (prints Markdown rows)"""
import csv
import sys

COLS = [("sources.asic.t_max", "{:.0f}"), ("coolant.cavity.outlet_max", "{:.1f}"), ("coolant.cavity.heat_mean", "{:.0f}"),
        ("links.link0.ring_temperature_max", "{:.1f}"), ("links.link0.ring_temperature_swing", "{:.2f}"), ("links.link0.tuning_power_mean", "{:.0f}"),
        ("links.link0.tuning_power_max", "{:.0f}"), ("links.link0.min_margin", "{:.1f}"), ("links.link0.stable_throughput", "{:.0f}"),
        ("links.link0.relocks", "{:.0f}"), ("links.link0.energy_per_bit", "{:.2f}"), ("links.link0.yield_adjusted_bandwidth", "{:.0f}")]


def main(argv):
    path = argv[0] if argv else "results/integration-depth-60s/microchannel/results.csv"
    with open(path, newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["status"] == "done"]
    rows.sort(key=lambda r: float(r["cavity_flow"].split()[0]))
    print("| flow | peak ASIC °C | outlet max °C | cavity heat mean W | ring max °C | ring swing K | tuning mW mean / max | min margin dB | "
          "stable Gb/s | relocks | pJ/bit with tuning | yield-adjusted Gb/s |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        v = {k: fmt.format(float(r[k])) for k, fmt in COLS}
        print(f"| {r['cavity_flow']} | {v['sources.asic.t_max']} | {v['coolant.cavity.outlet_max']} | {v['coolant.cavity.heat_mean']} | "
              f"{v['links.link0.ring_temperature_max']} | {v['links.link0.ring_temperature_swing']} | {v['links.link0.tuning_power_mean']} / "
              f"{v['links.link0.tuning_power_max']} | {v['links.link0.min_margin']} | {v['links.link0.stable_throughput']} | "
              f"{v['links.link0.relocks']} | {v['links.link0.energy_per_bit']} | {v['links.link0.yield_adjusted_bandwidth']} |")


if __name__ == "__main__":
    main(sys.argv[1:])
