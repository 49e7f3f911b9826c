#!/usr/bin/python3
"""Plot metrics of a photherm scan against its parameters, one line per case label (integration depth).

Usage:
  scripts/plot_scan.py OUT/results.csv [-o DIR] [--metric NAME]... [--x PARAM]... [--at PARAM=VALUE]...
                       [--rename LABEL:PARAM=NAME]...

For every metric and every grid parameter x, writes DIR/<metric>__vs__<x>.png: the metric against x, one line per
label; when the scan has other parameters, one panel per combination of their values (or only the combinations
selected with --at), all panels of a metric on one y-axis scale. Values such as "0.5 mm" are plotted as numbers with their unit on the axis. Points that failed
or are pending are left out. --rename names, in the legend, the case parameter a grid parameter sets for one label
(the scan's `rename`, passed by scan.py). Default metrics: the peak temperature and, for every link, stable throughput, mean
tuning power, minimum margin, energy per bit, yield-adjusted bandwidth and ring temperature swing.
Needs matplotlib (Debian's python3-matplotlib, installed by make deps).
"""
import argparse
import csv
import math
import os
import re
import sys

FIXED = ["label", "case", "status", "error"]
LINK_METRICS = ["stable_throughput", "tuning_power_mean", "min_margin", "energy_per_bit", "yield_adjusted_bandwidth", "ring_temperature_swing"]
QUANTITY = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(.*?)\s*$")


def number(text):
    """'0.5 mm' -> (0.5, 'mm'); anything else -> (None, text)."""
    m = QUANTITY.match(text or "")
    return (float(m.group(1)), m.group(2)) if m else (None, text)


def as_float(text):
    try:
        v = float(text)
    except (TypeError, ValueError):
        return math.nan
    return v if math.isfinite(v) else math.nan


def main(argv):
    ap = argparse.ArgumentParser(prog="plot_scan.py", description=__doc__.split("\n\n")[0])
    ap.add_argument("csv")
    ap.add_argument("-o", "--out", help="directory of the PNG files (default: plots/ beside the CSV)")
    ap.add_argument("--metric", action="append", default=[])
    ap.add_argument("--x", action="append", default=[])
    ap.add_argument("--at", action="append", default=[], help="PARAM=VALUE: only panels with this value")
    ap.add_argument("--rename", action="append", default=[], help="LABEL:PARAM=NAME: the case parameter PARAM sets for LABEL")
    args = ap.parse_args(argv)
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        sys.stderr.write("plot_scan.py: error: matplotlib is missing; run `make deps` (Debian package python3-matplotlib)\n")
        return 2
    try:
        with open(args.csv, newline="") as f:
            reader = csv.DictReader(f)
            header = reader.fieldnames or []
            rows = [r for r in reader if r.get("status") == "done"]
    except OSError as e:
        sys.stderr.write(f"plot_scan.py: error: {args.csv}: {e.strerror}\n")
        return 2
    if "peak_temperature" not in header:
        sys.stderr.write(f"plot_scan.py: error: {args.csv}: not a scan result (no peak_temperature column)\n")
        return 2
    params = header[len(FIXED):header.index("peak_temperature")] if header[:len(FIXED)] == FIXED else []
    metrics = args.metric or ["peak_temperature"] + [h for h in header if h.startswith("links.") and h.split(".")[-1] in LINK_METRICS]
    for m in metrics:
        if m not in header:
            sys.stderr.write(f"plot_scan.py: error: {m}: no such column in {args.csv}\n")
            return 2
    xs = args.x or params
    for x in xs:
        if x not in params:
            sys.stderr.write(f"plot_scan.py: error: {x}: not a grid parameter of the scan ({', '.join(params) or 'none'})\n")
            return 2
    fixed = dict(a.split("=", 1) for a in args.at if "=" in a)
    renamed = {}
    for a in args.rename:
        m = re.match(r"^(.+):([^=]+)=(.+)$", a)
        if not m:
            sys.stderr.write(f"plot_scan.py: error: --rename {a}: expected LABEL:PARAM=NAME\n")
            return 2
        renamed[(m.group(1), m.group(2))] = m.group(3)
    out = args.out or os.path.join(os.path.dirname(os.path.abspath(args.csv)), "plots")
    os.makedirs(out, exist_ok=True)
    labels = list(dict.fromkeys(r["label"] for r in rows))
    units = {}
    try:  # metrics.csv beside results.csv (written by scan.py): units for the axes
        with open(os.path.join(os.path.dirname(os.path.abspath(args.csv)), "metrics.csv"), newline="") as f:
            units = {r["metric"]: r["units"] for r in csv.DictReader(f)}
    except (OSError, KeyError):
        pass
    written = 0
    for metric in metrics:
        for x in xs:
            others = [p for p in params if p != x]
            combos = sorted({tuple(r.get(p, "") for p in others) for r in rows})
            combos = [c for c in combos if all(fixed.get(p, v) == v or v == "" for p, v in zip(others, c))]
            if not combos:
                continue
            ncol = min(len(combos), 3)
            nrow = (len(combos) + ncol - 1) // ncol
            # one metric, one y-axis: every panel on the same scale, so that panels compare at a glance
            fig, axes = plt.subplots(nrow, ncol, figsize=(4.6 * ncol, (3.0 + 0.15 * len(others)) * nrow), squeeze=False, sharey=True)
            unit = ""
            for ax, combo in zip(axes.flat, combos):
                for n, label in enumerate(labels):
                    pts, flat = [], []
                    for r in rows:
                        if r["label"] != label or any(r.get(p, "") not in ("", v) for p, v in zip(others, combo)):
                            continue
                        if r.get(x, "") == "":  # a case that does not vary x: a horizontal line
                            flat.append(as_float(r[metric]))
                            continue
                        v, u = number(r[x])
                        unit = unit or u
                        pts.append((v if v is not None else r[x], as_float(r[metric])))
                    colour = f"C{n % 10}"
                    if pts:
                        pts.sort(key=lambda p: p[0] if isinstance(p[0], float) else 0)
                        name = renamed.get((label, x))
                        ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", color=colour, label=f"{label} ({name})" if name else label)
                    elif flat:
                        ax.axhline(flat[0], color=colour, linestyle="--", label=f"{label} (fixed {x})")
                vals = [number(r[x])[0] for r in rows if r.get(x)]
                if vals and all(v is not None and v > 0 for v in vals) and max(vals) / min(vals) > 20:
                    ax.set_xscale("log")
                ax.set_title("\n".join(f"{p} = {v}" for p, v in zip(others, combo) if v) or metric, fontsize=8)
                ax.set_xlabel(f"{x} [{unit}]" if unit else x)
                u = units.get(metric, "")
                ax.yaxis.set_tick_params(labelleft=True)
                ax.set_ylabel(metric.split(".")[-1] + (f" ({metric.split('.')[1]})" if metric.startswith("links.") else "")
                              + (f" [{u}]" if u and u != "1" else ""))
                ax.grid(True, alpha=0.3)
                ax.legend(fontsize=8)
            for ax in list(axes.flat)[len(combos):]:
                ax.axis("off")
            fig.suptitle(f"{metric} versus {x}", fontsize=11)
            fig.tight_layout()
            path = os.path.join(out, f"{re.sub(r'[^A-Za-z0-9._-]', '_', metric)}__vs__{re.sub(r'[^A-Za-z0-9._-]', '_', x)}.png")
            fig.savefig(path, dpi=110)
            plt.close(fig)
            written += 1
    sys.stderr.write(f"plot_scan: {written} plots in {out}\n")
    return 0 if written else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
