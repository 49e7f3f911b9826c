#!/usr/bin/python3
"""Plot the time series of one photherm run, or overlay several runs, to a PNG.

Usage:
  scripts/plot_run.py OUT.h5 [MORE.h5 ...] [-o OUT.png] [--source NAME]... [--link NAME] [--label TEXT]...

Panels, top to bottom: source powers (the ASIC and the others), source peak temperatures, ring temperatures, tuning
power of each link, line margins, and the throughput of each link. Runs without optics get the first two panels only.
One run: every ring and every line is drawn, coloured by group. Several runs (the 2D / 2.5D / 3D comparison): they
share the axes, each run has its colour, named in the legend by its case name (or --label, one per run, in order);
sources and links are told apart by line style, and rings and lines are summed up per run: the mean temperature of
each ring group and the lowest margin of each link. Default output: OUT.png beside OUT.h5 for one run,
compare.png in the current directory for several.
Needs h5py, numpy and matplotlib (Debian's python3-h5py, python3-numpy, python3-matplotlib; make deps).
"""
import argparse
import os
import sys

STYLES = ["-", "--", ":", "-."]


class PlotError(Exception):
    """A file that is not a photherm result, or an option that does not fit the files: exit 2."""


def read_run(path, h5py):
    """The series of one result file as a dict of numpy arrays and name lists (temperatures in degC, time in ms)."""
    try:
        f = h5py.File(path, "r")
    except OSError as e:
        raise PlotError(f"{path}: not readable as HDF5 ({e})")
    with f:
        if "/series/time" not in f:
            raise PlotError(f"{path}: not a photherm result (no /series/time)")

        def names(p):
            return [n.decode() if isinstance(n, bytes) else str(n) for n in f[p].attrs["names"]]

        case = f.attrs.get("case_name", b"")
        run = {"path": path, "case": case.decode() if isinstance(case, bytes) else str(case), "t": f["/series/time"][:] * 1e3,
               "sources": names("/series/sources/power"), "power": f["/series/sources/power"][:], "tmax": f["/series/sources/t_max"][:]}
        if "/series/links/throughput" in f:
            run.update(links=names("/series/links/throughput"), rings=names("/series/rings/temperature"), lines=names("/series/lines/margin"),
                       ring_t=f["/series/rings/temperature"][:], tuning=f["/series/links/tuning_power"][:],
                       throughput=f["/series/links/throughput"][:], margin=f["/series/lines/margin"][:],
                       min_margin=f["/series/links/min_margin"][:])
        return run


def plot_one(axes, run, args, plt, np):
    t = run["t"]
    for i, n in enumerate(run["sources"]):
        if not args.source or n in args.source:
            axes[0].step(t, run["power"][:, i], where="post", label=n)
            axes[1].plot(t, run["tmax"][:, i], label=n)
    if "links" not in run:
        return
    groups = list(dict.fromkeys(r.split("[")[0] for r in run["rings"]))
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, r in enumerate(run["rings"]):
        g = groups.index(r.split("[")[0])
        axes[2].plot(t, run["ring_t"][:, i], color=colours[g % len(colours)], lw=0.8, label=r.split("[")[0] if r.endswith("[0]") else None)
    for k, ln in enumerate(run["links"]):
        if args.link and ln != args.link:
            continue
        axes[3].step(t, run["tuning"][:, k], where="post", label=ln)
        axes[5].step(t, run["throughput"][:, k], where="post", label=ln)
    for j, ln in enumerate(run["lines"]):
        if args.link and not ln.startswith(args.link + "["):
            continue
        axes[4].plot(t, run["margin"][:, j], lw=0.8, label=ln if len(run["lines"]) <= 16 else None)
    lo, hi = np.nanmin(run["margin"]), np.nanmax(run["margin"])
    if hi - lo < 1e-6:
        axes[4].set_ylim(lo - 1, hi + 1)


def plot_many(axes, runs, labels, args, plt, np):
    """Several runs on shared axes: a colour per run, a line style per source, ring group or link."""
    for n, (run, label) in enumerate(zip(runs, labels)):
        colour, t = f"C{n % 10}", run["t"]
        shown = [i for i, s in enumerate(run["sources"]) if not args.source or s in args.source]
        for q, i in enumerate(shown):
            name = f"{label}: {run['sources'][i]}"
            axes[0].step(t, run["power"][:, i], where="post", color=colour, ls=STYLES[q % 4], label=name)
            axes[1].plot(t, run["tmax"][:, i], color=colour, ls=STYLES[q % 4], label=name)
        if "links" not in run:
            continue
        groups = list(dict.fromkeys(r.split("[")[0] for r in run["rings"]))
        for q, g in enumerate(groups):
            cols = [i for i, r in enumerate(run["rings"]) if r.split("[")[0] == g]
            axes[2].plot(t, run["ring_t"][:, cols].mean(axis=1), color=colour, ls=STYLES[q % 4], label=f"{label}: {g} (mean)")
        links = [k for k, ln in enumerate(run["links"]) if not args.link or ln == args.link]
        for q, k in enumerate(links):
            name = f"{label}: {run['links'][k]}"
            axes[3].step(t, run["tuning"][:, k], where="post", color=colour, ls=STYLES[q % 4], label=name)
            axes[4].plot(t, run["min_margin"][:, k], color=colour, ls=STYLES[q % 4], label=name + " (lowest line)")
            axes[5].step(t, run["throughput"][:, k], where="post", color=colour, ls=STYLES[q % 4], label=name)


def main(argv):
    ap = argparse.ArgumentParser(prog="plot_run.py", description=__doc__.split("\n\n")[0])
    ap.add_argument("results", nargs="+", metavar="OUT.h5", help="result files; several are overlaid on shared axes")
    ap.add_argument("-o", "--out", help="the PNG (default: OUT.png beside OUT.h5, or compare.png for several runs)")
    ap.add_argument("--source", action="append", default=[], help="plot only these sources")
    ap.add_argument("--link", help="plot only this link's rings, lines and throughput")
    ap.add_argument("--label", action="append", default=[], help="legend name of each run, in order (default: its case name)")
    args = ap.parse_args(argv)
    try:
        import h5py
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        import numpy as np
    except ImportError as e:
        sys.stderr.write(f"plot_run.py: error: {e.name} is missing; run `make deps`\n")
        return 2
    try:
        runs = [read_run(p, h5py) for p in args.results]
        if args.label and len(args.label) != len(runs):
            raise PlotError(f"--label given {len(args.label)} times for {len(runs)} runs")
        for run in runs:
            if args.link and "links" in run and args.link not in run["links"]:
                raise PlotError(f"{args.link}: no such link in {run['path']} ({', '.join(run['links'])})")
    except PlotError as e:
        sys.stderr.write(f"plot_run.py: error: {e}\n")
        return 2
    labels = args.label or [r["case"] or os.path.basename(r["path"]) for r in runs]
    if len(set(labels)) < len(labels):  # the same case twice: tell the files apart
        labels = [f"{lb} ({os.path.basename(r['path'])})" for lb, r in zip(labels, runs)]
    optics = any("links" in r for r in runs)
    panels = 6 if optics else 2
    fig, axes = plt.subplots(panels, 1, figsize=(10, 2.3 * panels), sharex=True, squeeze=False)
    axes = axes[:, 0]
    if len(runs) == 1:
        plot_one(axes, runs[0], args, plt, np)
    else:
        plot_many(axes, runs, labels, args, plt, np)
    ylabels = ["source power [W]", "source max [degC]", "ring T [degC]", "tuning power [mW]", "line margin [dB]", "throughput [Gb/s]"]
    for ax, yl in zip(axes, ylabels):
        ax.set_ylabel(yl)
        ax.grid(True, alpha=0.3)
        handles, _ = ax.get_legend_handles_labels()
        if handles:
            ax.legend(fontsize=7, ncol=4 if len(runs) == 1 else 2, loc="best")
    axes[-1].set_xlabel("time [ms]")
    if len(runs) == 1:
        fig.suptitle(f"{runs[0]['case']}: {os.path.basename(runs[0]['path'])}", fontsize=11)
    else:
        fig.suptitle(" vs ".join(labels), fontsize=11)
    fig.tight_layout()
    out = args.out or (os.path.splitext(args.results[0])[0] + ".png" if len(runs) == 1 else "compare.png")
    fig.savefig(out, dpi=110)
    plt.close(fig)
    print(f"plot_run: wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
