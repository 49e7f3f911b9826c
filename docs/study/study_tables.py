#!/usr/bin/python3
"""The three tables of README.md's 60 s integration-depth study (training with the cold plate, training with the air-like
heat sink, the three workloads with the cold plate at the higher ASIC power) from the scans' results.

Usage: docs/study/study_tables.py [RESULTS]   (default results/integration-depth-60s, holding training/, inference/ and
                                               powercap/ as scripts/scan.py writes them; prints Markdown)

The "heating" column comes from docs/study/slow_and_fast.py (its analysis of each point's ring temperature series);
the others are the runs' summary metrics (results.csv). A heater range used up at some sample is marked (saturated)."""
import csv
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
from scan import safe  # noqa: E402
from slow_and_fast import analyse  # noqa: E402

HEADER = ("peak ASIC °C | ring max °C | ring swing K | heating K in t90 s / of it after 2 s / step swing K | tuning mW mean / max | "
          "min margin dB | stable Gb/s | relocks | pJ/bit with tuning | yield-adjusted Gb/s |")
ALIGN = " ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
DEPTHS = {"2D": 0, "2.5D": 1, "3D": 2}


def points(base, workload):
    """The finished points of one scan, each with its summary metrics and the heating analysis of its series."""
    path = os.path.join(base, workload, "results.csv")
    if not os.path.exists(path):
        return []
    with open(path, newline="") as f:
        reader = csv.DictReader(f)
        header = reader.fieldnames
        grid = header[header.index("error") + 1:header.index("peak_temperature")]
        rows = []
        for r in reader:
            if r["status"] != "done":
                continue
            name = safe(r["label"]) + "".join(f"__{safe(k)}={safe(r[k])}" for k in grid if r[k] != "")
            r.update(analyse(os.path.join(base, workload, "points", name + ".h5")), workload=workload)
            rows.append(r)
    return rows


def cells(r):
    m = lambda k: float(r["links.link0." + k])  # noqa: E731
    sat = " (saturated)" if m("heater_saturated_time") > 0 else ""
    return (f"{float(r['sources.asic.t_max']):.0f} | {m('ring_temperature_max'):.1f} | {m('ring_temperature_swing'):.2f} | "
            f"{r['slow_rise']:.1f} in {r['t90']:.0f} s / {r['drift']:.1f} / {r['fast_swing']:.2f} | {m('tuning_power_mean'):.0f} / "
            f"{m('tuning_power_max'):.0f}{sat} | {m('min_margin'):.1f} | {m('stable_throughput'):.0f} | {m('relocks'):.0f} | "
            f"{m('energy_per_bit'):.2f} | {m('yield_adjusted_bandwidth'):.0f} |")


def main(argv):
    base = argv[0] if argv else os.path.join("results", "integration-depth-60s")
    training = points(base, "training")
    for h, title in (("2e4", "With the liquid cold plate (h = 2e4 W/m²/K), training:"), ("5e3", "With the air-like heat sink (h = 5e3 W/m²/K), training:")):
        print(title + "\n")
        print("| depth | ASIC power | " + HEADER)
        print("| --- | --- |" + ALIGN)
        rows = sorted((r for r in training if r["h_cold_plate"].startswith(h)), key=lambda r: (float(r["asic_scale"]), DEPTHS[r["label"]]))
        for r in rows:
            print(f"| {r['label']} | {r['asic_scale']} | " + cells(r))
        print()
    print("The three workloads with the cold plate at the higher ASIC power:\n")
    print("| depth | workload | " + HEADER)
    print("| --- | --- |" + ALIGN)
    rows = [r for r in training if r["h_cold_plate"].startswith("2e4") and float(r["asic_scale"]) == 1.2]
    rows += points(base, "inference") + points(base, "powercap")
    order = {"training": 0, "inference": 1, "powercap": 2}
    for r in sorted(rows, key=lambda r: (DEPTHS[r["label"]], order[r["workload"]])):
        print(f"| {r['label']} | {r['workload']} | " + cells(r))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
