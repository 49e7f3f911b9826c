#!/usr/bin/python3
"""Gather the results of the 60 s integration-depth scans (README.md, "The integration-depth study") into one CSV with a
`workload` column, for scripts/plot_scan.py.

Usage: docs/study/gather.py [RESULTS]   (default: results/integration-depth-60s, holding training/, inference/ and
                                          powercap/ as the scans write them; writes RESULTS/combined/results.csv and
                                          metrics.csv)

The grid parameters that are the same for every point (the gap or inset of 1 mm, the standard heater) are left out,
so that plot_scan.py draws one panel per cooling. The plots of README.md:
  docs/study/gather.py
  for m in ring_temperature_swing ring_temperature_max tuning_power_mean min_margin stable_throughput \\
           yield_adjusted_bandwidth; do
    scripts/plot_scan.py results/integration-depth-60s/combined/results.csv -o plots --x asic_scale \\
        --at workload=training --metric links.link0.$m && cp plots/links.link0.${m}__vs__asic_scale.png docs/study/$m.png
  done
and the time series with scripts/plot_run.py (the three depths' training points with the cold plate at asic_scale 1.2,
-o docs/study/training-60s-cold-plate.png; the 3D point of each workload, -o docs/study/3d-workloads.png).
The liquid-cooling and micro-channel variants' plots come from their own scans' CSVs:
  for m in ring_temperature_max ring_temperature_swing tuning_power_mean yield_adjusted_bandwidth; do
    scripts/plot_scan.py results/integration-depth-60s/liquid/results.csv -o plots --x boundaries.top.flow \\
        --metric links.link0.$m && cp plots/links.link0.${m}__vs__boundaries.top.flow.png docs/study/liquid-$m.png
  done
  for m in ring_temperature_swing yield_adjusted_bandwidth; do
    scripts/plot_scan.py results/integration-depth-60s/microchannel/results.csv -o plots --x cavity_flow \\
        --metric links.link0.$m && cp plots/links.link0.${m}__vs__cavity_flow.png docs/study/microchannel-$m.png
  done

done_rows(), columns() and markdown() are the CSV reading, columns and table writing that liquid_table.py and
microchannel_table.py share."""
import csv
import os
import shutil
import sys


def done_rows(path, key):
    """The finished points (status done) of a scan's results.csv, sorted by key."""
    with open(path, newline="") as f:
        return sorted((r for r in csv.DictReader(f) if r["status"] == "done"), key=key)


def metric(name, fmt):
    """A table column's cell: one summary metric of the row, formatted."""
    return lambda r: fmt.format(float(r[name]))


def columns(coolant, heat=False, energy=False):
    """The liquid-cooling tables' columns from the ASIC's peak on: the coolant's outlet (and its mean heat), the link's
    rings, tuning, margin, throughput (and energy per bit) and yield-adjusted bandwidth."""
    link = "links.link0."
    tuning = (metric(link + "tuning_power_mean", "{:.0f}"), metric(link + "tuning_power_max", "{:.0f}"))
    return ([("peak ASIC °C", "---:", metric("sources.asic.t_max", "{:.0f}")),
             ("outlet max °C", "---:", metric(f"coolant.{coolant}.outlet_max", "{:.1f}"))]
            + ([("cavity heat mean W", "---:", metric(f"coolant.{coolant}.heat_mean", "{:.0f}"))] if heat else [])
            + [("ring max °C", "---:", metric(link + "ring_temperature_max", "{:.1f}")),
               ("ring swing K", "---:", metric(link + "ring_temperature_swing", "{:.2f}")),
               ("tuning mW mean / max", "---:", lambda r: f"{tuning[0](r)} / {tuning[1](r)}"),
               ("min margin dB", "---:", metric(link + "min_margin", "{:.1f}")),
               ("stable Gb/s", "---:", metric(link + "stable_throughput", "{:.0f}")),
               ("relocks", "---:", metric(link + "relocks", "{:.0f}"))]
            + ([("pJ/bit with tuning", "---:", metric(link + "energy_per_bit", "{:.2f}"))] if energy else [])
            + [("yield-adjusted Gb/s", "---:", metric(link + "yield_adjusted_bandwidth", "{:.0f}"))])


def markdown(rows, columns):
    """Print a Markdown table: columns are (title, alignment, cell), cell(row) the text of that row's cell."""
    print("| " + " | ".join(title for title, _, _ in columns) + " |")
    print("| " + " | ".join(align for _, align, _ in columns) + " |")
    for r in rows:
        print("| " + " | ".join(cell(r) for _, _, cell in columns) + " |")


def main(argv):
    base = argv[0] if argv else os.path.join("results", "integration-depth-60s")
    out = os.path.join(base, "combined")
    os.makedirs(out, exist_ok=True)
    rows, metrics = [], []
    for workload in ("training", "inference", "powercap"):
        path = os.path.join(base, workload, "results.csv")
        if not os.path.exists(path):
            continue
        with open(path, newline="") as f:
            table = list(csv.DictReader(f))
        header = list(table[0].keys()) if table else []
        if "peak_temperature" not in header:
            continue
        names = header[header.index("peak_temperature"):]
        metrics += [m for m in names if m not in metrics]
        for r in table:
            row = {k: r[k] for k in ("label", "case", "status", "error")}
            row.update(workload=workload, asic_scale=r["asic_scale"], h_cold_plate=r["h_cold_plate"])
            row.update({m: r.get(m, "") for m in names})
            rows.append(row)
    with open(os.path.join(out, "results.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["label", "case", "status", "error", "workload", "asic_scale", "h_cold_plate"] + metrics)
        w.writeheader()
        w.writerows(rows)
    units = os.path.join(base, "training", "metrics.csv")
    if os.path.exists(units):
        shutil.copy(units, os.path.join(out, "metrics.csv"))
    print(f"gather: {len(rows)} points in {os.path.join(out, 'results.csv')}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
